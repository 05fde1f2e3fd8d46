"""The dialogs that edit the model: add / edit forms, deciding a finding, deleting, orphan decisions.

Each dialog gets the model as it is when it opens; what the user confirms comes back to the
screen as a message (`EditDialogs.Edited`), and the screen records it for undo.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from stride_tui.core import editing as edits
from stride_tui.core.analysis.engine import Analysis, Finding
from stride_tui.core.model.elements import ThreatModel

from ._element_form import ElementForm
from .boundary_form import BoundaryForm
from .component_form import ComponentForm
from .delete_confirmation import NOUNS, delete_confirmation
from .finding_screen import FindingScreen
from .flow_form import FlowForm
from .form_screen import FormResult
from .model_form import ModelForm
from .orphans_screen import OrphansScreen
from .sketch_screen import SketchScreen
from .threat_form import ThreatForm

_FORMS: dict[str, type[ComponentForm | FlowForm | BoundaryForm | ThreatForm]] = {
    "components": ComponentForm,
    "flows": FlowForm,
    "boundaries": BoundaryForm,
    "threats": ThreatForm,
}


PREPARE_LIMIT = 3_000
"""Components and flows beyond which the forms are not made ahead: a flow form's drop-downs of
5,000 components took most of a second to make, a pause a user would feel."""


class EditSender(Widget):
    """A widget that hands the edits its dialogs produce to the main screen."""

    receiver: Callable[[Message], None] | None = None
    """Who takes the edits at once, when set (the main screen); else they are posted. Posted, an
    edit made as a dialog closes reached the screen a moment after the screen came back: it was
    drawn once with the model as it was, then again with the edit."""

    def deliver(self, message: Message) -> None:
        """Hand ``message`` (`EditDialogs.Edited`, `EditDialogs.DecisionDropped`) to the
        `receiver`, or post it."""
        if self.receiver is not None:
            self.receiver(message)
        else:
            self.post_message(message)


class EditDialogs(EditSender):
    """Opens the editing dialogs and hands on what they produced; shows nothing itself."""

    DEFAULT_CSS = """
    EditDialogs {
        display: none;
    }
    """

    class Edited(Message):
        """A dialog produced a new model (``select``: the (section, id) to show afterwards)."""

        def __init__(
            self, model: ThreatModel, label: str, select: tuple[str, str] | None = None, save_file: bool = False
        ) -> None:
            super().__init__()
            self.model: ThreatModel = model
            """The model with the edit made."""
            self.label: str = label
            """What undo will say it takes back."""
            self.select: tuple[str, str] | None = select
            """What to select once the edit is shown."""
            self.save_file: bool = save_file
            """The form was saved with ctrl+s: write the file once the edit is recorded."""

    class DecisionDropped(Message):
        """The user deleted an orphan decision (the screen deletes it from the current model)."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key: str = key
            """The decision's key."""

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[type[ElementForm], ElementForm] = {}
        """The element forms kept for the next element of their kind, by class."""

    def open_form(self, form: Screen[FormResult | None]) -> None:
        """Open ``form``; a saved form delivers `Edited`. An element's form is kept once
        closed: the next form of its kind fills it again (see `FormScreen.KEPT`)."""

        def saved(result: FormResult | None) -> None:
            if result is not None:
                self.deliver(self.Edited(result.model, result.label, result.select, result.save_file))

        if isinstance(form, ElementForm) and form.KEPT and form.old_id is not None:
            kept = self._kept.get(type(form))
            if kept is not None and kept.take_over(form):
                form = kept
            elif kept is None:
                self.app.install_screen(form, f"kept-{type(form).__name__}-{id(self)}")
                self._kept[type(form)] = form
        self.app.push_screen(form, saved)

    def prepare(self, model: ThreatModel) -> bool:
        """Make the kept component and flow forms ahead, a step at a time while the editor is
        idle (as `ThreatActions.prepare` makes the decide dialog): each made for an element of
        ``model``, composed and mounted, then laid out and drawn (`Dialog.lay_out_ahead`), so
        that even the first ``e`` fills a form instead of building one (about 0.2 s more).
        True while there is more to do: call again a moment later. Nothing for a model of
        over `PREPARE_LIMIT` elements."""
        if len(model.components) + len(model.flows) > PREPARE_LIMIT:
            return False
        # a process's form: the kind most edited (a form shows the facts of its element's kind)
        first = next(iter(model.components), None)
        process = next((cid for cid, c in model.components.items() if c.kind == "process"), first)
        for form_class, element_id in ((ComponentForm, process), (FlowForm, next(iter(model.flows), None))):
            kept = self._kept.get(form_class)
            if kept is None:
                if element_id is None:
                    continue
                kept = self._kept[form_class] = form_class(model, element_id)
                self.app.install_screen(kept, f"kept-{form_class.__name__}-{id(self)}")
                self.app._get_screen(kept)  # Textual starts a screen it is given: composed, mounted
                return True
            if not kept.is_mounted:
                if kept.is_attached:
                    return True  # still being composed
                continue
            if kept.lay_out_ahead():
                return True
        return False

    def add_component(self, model: ThreatModel, boundary: str | None) -> None:
        self.open_form(ComponentForm(model, boundary=boundary))

    def add_flow(self, model: ThreatModel, source: str | None) -> None:
        if len(model.components) < 2:
            self.notify("A flow connects two components: add them first (c).", severity="warning", markup=False)
            return
        self.open_form(FlowForm(model, source=source))

    def add_boundary(self, model: ThreatModel, parent: str | None) -> None:
        self.open_form(BoundaryForm(model, parent=parent))

    def add_threat(self, model: ThreatModel, target: str | None, category: str | None) -> None:
        if not (model.components or model.flows):
            self.notify("A threat is about a component or flow: add one first (c).", severity="warning", markup=False)
            return
        self.open_form(ThreatForm(model, target=target, category=category))

    def sketch(
        self,
        model_of: Callable[[], ThreatModel],
        record: Callable[[ThreatModel, str], None],
        undo: Callable[[], None],
        save: Callable[[], None],
    ) -> None:
        """Open the sketch line; it records each line at once (the next line builds on it)."""
        self.app.push_screen(SketchScreen(model_of, record, undo, save))

    def edit_model(self, model: ThreatModel) -> None:
        self.open_form(ModelForm(model))

    def edit(self, model: ThreatModel, section: str, element_id: str) -> None:
        """Edit a component, flow, boundary or hand-written threat."""
        self.open_form(_FORMS[section](model, element_id))

    def decide(self, model: ThreatModel, finding: Finding) -> None:
        """Open ``finding``: why it fired, and its decision."""
        self.open_form(FindingScreen(model, finding))

    def delete(self, model: ThreatModel, section: str, element_id: str) -> None:
        """Ask before deleting ``element_id`` (and say what goes with it); a rule's finding cannot go."""
        if section == "findings":
            self.notify(
                "A rule's finding cannot be deleted; decide it instead (d): e.g. not_applicable, with a note.",
                markup=False,
            )
            return

        def answered(choice: str | None) -> None:
            if choice == "delete":
                label = f"delete {NOUNS[section]} {element_id}"
                self.deliver(self.Edited(edits.delete(model, section, element_id), label))

        self.app.push_screen(delete_confirmation(model, section, element_id), answered)

    def orphans(self, model: ThreatModel, analysis: Analysis, rules_problem: str | None) -> None:
        """Decisions whose finding no longer fires, and rule errors; each decision can be deleted."""
        orphans = [(key, model.decisions[key]) for key in analysis.orphans if key in model.decisions]
        if rules_problem:
            self.notify(rules_problem, severity="warning", markup=False, timeout=10)

        def dropped(key: str) -> None:
            self.deliver(self.DecisionDropped(key))

        self.app.push_screen(OrphansScreen(orphans, list(analysis.errors), dropped, analysis.disabled))
