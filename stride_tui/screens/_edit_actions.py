"""The main screen's editing actions: add, edit, delete, decide, undo and redo.

Each action opens a form (or a confirmation), gets a new model from it — forms ask core for
it — and hands it to `_record`, which keeps it for undo and refreshes the panes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.screen import Screen

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import ThreatModel
from widgets import BoundaryTree, ComponentTable, FlowTable, StridePanel, VirtualTable, safe_text

from .boundary_form import BoundaryForm
from .choice_screen import Choice, ChoiceScreen
from .component_form import ComponentForm
from .finding_screen import FindingScreen
from .flow_form import FlowForm
from .form_screen import FormResult
from .help_screen import HelpScreen
from .model_form import ModelForm
from .orphans_screen import OrphansScreen
from .threat_form import ThreatForm

if TYPE_CHECKING:
    from .main_screen import MainScreen

_SECTIONS = {"component": "components", "flow": "flows", "boundary": "boundaries"}


class EditActions:
    """Mixed into `MainScreen`: everything that changes the model."""

    # ------------------------------------------------------------- recording edits

    def _record(self: MainScreen, model: ThreatModel, label: str, select: tuple[str, str] | None = None) -> None:
        """Make ``model`` current (undoable as ``label``) and show it."""
        if not self.document.history.record(model, label):
            self.notify("Nothing changed.", markup=False, timeout=2)
            return
        self._after_change(select)

    def _after_change(self: MainScreen, select: tuple[str, str] | None = None) -> None:
        self.show_model()
        if select is not None:
            self._reveal(*select)
        else:
            self._post_focused_selection()

    def _reveal(self: MainScreen, section: str, element_id: str) -> None:
        """Select ``element_id`` in its pane (the focused pane when it shows that kind)."""
        if section == "findings":
            self.query_one(StridePanel).select_finding(element_id)
            return
        if section == "threats":
            threat = self.model.threats.get(element_id)
            if threat is not None:
                self.query_one(StridePanel).select_finding(element_id)
            return
        focused = self.focused
        if section == "components":
            if isinstance(focused, BoundaryTree):
                focused.select(("component", element_id))  # type: ignore[arg-type]
            else:
                self.query_one(ComponentTable).select(element_id)
        elif section == "flows":
            self.query_one(FlowTable).select(element_id)
        elif section == "boundaries":
            self.query_one(BoundaryTree).select(("boundary", element_id))  # type: ignore[arg-type]

    def _apply_form(self: MainScreen, result: FormResult | None) -> None:
        if result is not None:
            self._record(result.model, result.label, result.select)

    def _open_form(self: MainScreen, form: Screen) -> None:
        self.app.push_screen(form, self._apply_form)

    # ------------------------------------------------------------------- targets

    def _target(self: MainScreen) -> tuple[str, str] | None:
        """(section, id) of what edit and delete act on: the focused pane's selection."""
        focused = self.focused
        panel = self.query_one(StridePanel)
        if focused is panel.table:
            finding = panel.highlighted
            if finding is None:
                return None
            return ("threats", finding.id) if finding.custom else ("findings", finding.id)
        if isinstance(focused, ComponentTable):
            return ("components", focused.selected_id) if focused.selected_id else None
        if isinstance(focused, FlowTable):
            return ("flows", focused.selected_id) if focused.selected_id else None
        if isinstance(focused, BoundaryTree):
            entry = focused.selected_entry
            if entry is None or entry.element_id is None:
                return None
            return ("boundaries" if entry.kind == "boundary" else "components", entry.element_id)
        if self.selection is not None:
            return (_SECTIONS[self.selection.kind], self.selection.element_id)
        return None

    def _boundary_in_view(self: MainScreen) -> str | None:
        """The boundary a new component goes in: the selected one, or (in the boundaries
        pane) the one holding the selected component."""
        selection = self.selection
        if selection is None:
            return None
        if selection.kind == "boundary":
            return selection.element_id
        if selection.kind == "component" and isinstance(self.focused, BoundaryTree):
            component = self.model.components.get(selection.element_id)
            return component.boundary if component is not None else None
        return None

    # --------------------------------------------------------------------- adding

    def action_add_component(self: MainScreen) -> None:
        self._open_form(ComponentForm(self.model, boundary=self._boundary_in_view()))

    def action_add_flow(self: MainScreen) -> None:
        if len(self.model.components) < 2:
            self.notify("A flow connects two components: add them first (c).", severity="warning", markup=False)
            return
        selection = self.selection
        source = selection.element_id if selection is not None and selection.kind == "component" else None
        self._open_form(FlowForm(self.model, source=source))

    def action_add_boundary(self: MainScreen) -> None:
        selection = self.selection
        parent = selection.element_id if selection is not None and selection.kind == "boundary" else None
        self._open_form(BoundaryForm(self.model, parent=parent))

    def action_add_threat(self: MainScreen) -> None:
        model = self.model
        if not (model.components or model.flows):
            self.notify("A threat is about a component or flow: add one first (c).", severity="warning", markup=False)
            return
        panel = self.query_one(StridePanel)
        selection = self.selection
        target = None
        if panel.highlighted is not None:
            target = panel.highlighted.element_id
        elif selection is not None and selection.kind in ("component", "flow"):
            target = selection.element_id
        elif selection is not None and self.analysis is not None:
            crossing = self.analysis.topology.flows_crossing(selection.element_id)
            target = crossing[0] if crossing else None
        self._open_form(ThreatForm(model, target=target, category=panel.highlighted_category))

    def action_edit_model(self: MainScreen) -> None:
        self._open_form(ModelForm(self.model))

    # -------------------------------------------------------------------- editing

    def action_edit(self: MainScreen) -> None:
        target = self._target()
        if target is None:
            self.notify("Nothing selected to edit.", markup=False, timeout=3)
            return
        section, element_id = target
        if section == "components":
            self._open_form(ComponentForm(self.model, element_id))
        elif section == "flows":
            self._open_form(FlowForm(self.model, element_id))
        elif section == "boundaries":
            self._open_form(BoundaryForm(self.model, element_id))
        elif section == "threats":
            self._open_form(ThreatForm(self.model, element_id))
        else:
            self.action_decide()

    def on_virtual_table_activated(self: MainScreen, event: VirtualTable.Activated) -> None:
        if isinstance(event.table, (ComponentTable, FlowTable)):
            event.stop()
            self.action_edit()

    def on_boundary_tree_activated(self: MainScreen, event: BoundaryTree.Activated) -> None:
        event.stop()
        if event.entry.element_id is not None:
            self.action_edit()

    def on_stride_panel_finding_activated(self: MainScreen, event: StridePanel.FindingActivated) -> None:
        event.stop()
        self._open_form(FindingScreen(self.model, event.finding))

    def on_stride_panel_note_clicked(self: MainScreen, event: StridePanel.NoteClicked) -> None:
        event.stop()
        self.action_orphans()

    def action_decide(self: MainScreen) -> None:
        panel = self.query_one(StridePanel)
        finding = panel.highlighted
        if finding is None:
            panel.table.focus()
            self.notify("Move to a finding in the STRIDE panel, then press d (or enter).", markup=False, timeout=4)
            return
        self._open_form(FindingScreen(self.model, finding))

    # ------------------------------------------------------------------- deleting

    def action_delete(self: MainScreen) -> None:
        target = self._target()
        if target is None:
            self.notify("Nothing selected to delete.", markup=False, timeout=3)
            return
        section, element_id = target
        if section == "findings":
            self.notify(
                "A rule's finding cannot be deleted; decide it instead (d): e.g. not_applicable, with a note.",
                markup=False,
            )
            return
        impact = edits.delete_impact(self.model, section, element_id)
        noun = {"components": "component", "flows": "flow", "boundaries": "boundary", "threats": "threat"}[section]
        name = self.model.display_name(element_id) if section != "threats" else self.model.threats[element_id].title
        lines: list[Text] = [Text(f"Delete {noun} ").append_text(safe_text(element_id, style="bold"))]
        if name != element_id:
            lines[0].append(" (").append_text(safe_text(name, limit=80)).append(")")
        consequences = impact.consequences()
        if consequences:
            lines.append(Text(""))
            lines.append(Text("This also changes the model:", style="bold"))
            lines += [Text("  • ").append_text(safe_text(line)) for line in consequences]
        else:
            lines.append(Text("Nothing else refers to it.", style="dim"))
        lines += [Text(""), Text("Undo (ctrl+z) brings it all back.", style="dim")]

        def answered(choice: str | None) -> None:
            if choice == "delete":
                self._record(edits.delete(self.model, section, element_id), f"delete {noun} {element_id}")

        self.app.push_screen(
            ChoiceScreen(
                f"Delete {noun}?",
                lines,
                [Choice("delete", "Delete", "y", "error"), Choice("cancel", "Cancel", "n")],
                default="cancel",
            ),
            answered,
        )

    def action_orphans(self: MainScreen) -> None:
        analysis = self.analysis
        if analysis is None:
            return
        orphans = [(key, self.model.decisions[key]) for key in analysis.orphans if key in self.model.decisions]
        errors = list(analysis.errors)

        def delete_decision(key: str) -> None:
            self._record(edits.delete_decision(self.model, key), f"delete decision {key}")

        if self.rules_problem:
            self.notify(self.rules_problem, severity="warning", markup=False, timeout=10)
        self.app.push_screen(OrphansScreen(orphans, errors, delete_decision))

    # --------------------------------------------------------------- undo, redo

    def action_undo(self: MainScreen) -> None:
        before = self.model
        label = self.document.history.undo()
        if label is None:
            self.notify("Nothing to undo.", markup=False, timeout=2)
            return
        self._after_change(_changed(before, self.model))
        self.notify(f"Undone: {label}", markup=False, timeout=3)

    def action_redo(self: MainScreen) -> None:
        before = self.model
        label = self.document.history.redo()
        if label is None:
            self.notify("Nothing to redo.", markup=False, timeout=2)
            return
        self._after_change(_changed(before, self.model))
        self.notify(f"Redone: {label}", markup=False, timeout=3)

    def check_action(self: MainScreen, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.app.screen is not self:
            # Keys typed while a form opens were queued for this screen: they must not act here.
            return False
        if action in self.DIAGRAM_ONLY:
            return self.diagram_shown
        if action == "undo":
            return True if self.document.history.can_undo else None
        if action == "redo":
            return True if self.document.history.can_redo else None
        return True

    # -------------------------------------------------------------- filters, help

    def action_cycle_status(self: MainScreen) -> None:
        self.query_one(StridePanel).cycle_status()

    def action_cycle_severity(self: MainScreen) -> None:
        self.query_one(StridePanel).cycle_severity()

    def action_set_status_filter(self: MainScreen, value: str) -> None:
        self.query_one(StridePanel).status_filter = value

    def action_set_severity_filter(self: MainScreen, value: str) -> None:
        self.query_one(StridePanel).severity_filter = value

    def action_help(self: MainScreen) -> None:
        self.app.push_screen(HelpScreen())


def _changed(before: ThreatModel, after: ThreatModel) -> tuple[str, str] | None:
    """(section, id) of an element that undo or redo brought back or changed, to show it."""
    for section in ("components", "flows", "boundaries"):
        old, new = getattr(before, section), getattr(after, section)
        for element_id, element in new.items():
            if old.get(element_id) is not element:
                return (section, element_id)
    for key, decision in after.decisions.items():
        if before.decisions.get(key) is not decision:
            return ("findings", key)
    for threat_id, threat in after.threats.items():
        if before.threats.get(threat_id) is not threat:
            return ("threats", threat_id)
    return None
