"""The editor's main screen: panes for components, flows and boundaries, the STRIDE panel, details.

The screen is the one place that holds the model (through its `Document`): widgets get values
through their ``show`` methods and report the user's moves with messages; edits arrive as new
models from the forms (which ask core for them), are recorded for undo, and trigger analysis.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Literal, NamedTuple

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from stride_tui.core import LoadedModel, ModelError, ThreatModel
from stride_tui.core.analysis.engine import Analysis, Analyzer, Finding
from stride_tui.core.analysis.rules import builtin_rules, rules_for
from stride_tui.core.files.storage import Fingerprint
from stride_tui.core.model.topology import Topology
from stride_tui.core.session import DEFAULT_MINUTES, Session
from widgets import (
    BoundaryTree,
    ComponentTable,
    DetailView,
    DiagramView,
    FlowTable,
    StatusLine,
    StridePanel,
    safe_text,
    strip_controls,
)

from ._diagram_actions import DiagramActions, DiagramLayout, Ranks
from ._edit_actions import EditActions
from ._export_actions import ExportActions
from ._file_actions import FileActions
from ._guard_actions import GuardActions
from ._session_actions import SessionActions
from .command_provider import EditorCommands
from .document import Document

SYNC_ANALYSIS_LIMIT = 300
"""Models with at most this many components and flows are analysed on the spot; larger ones in
a thread, so the editor never waits on analysis (a 1,000-element model takes ~0.2 s here)."""

SelectionKind = Literal["component", "flow", "boundary"]


class Selection(NamedTuple):
    """The element whose findings the STRIDE panel shows."""

    kind: SelectionKind
    element_id: str


class MainScreen(EditActions, FileActions, GuardActions, SessionActions, ExportActions, DiagramActions, Screen[None]):
    """One model in panes; the STRIDE panel and the detail pane follow the selection."""

    COMMANDS: ClassVar = {EditorCommands}

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    """Below 110 columns the two columns share the width equally (see app.tcss)."""
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-short"),
        (32, "-tall"),
    ]
    """Below 32 lines the focused pane of the left column grows (see app.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo", show=False),
        Binding("c", "add_component", "Component"),
        Binding("f", "add_flow", "Flow"),
        Binding("b", "add_boundary", "Boundary"),
        Binding("t", "add_threat", "Threat", show=False),
        Binding("e", "edit", "Edit"),
        Binding("delete,x", "delete", "Delete", key_display="del"),
        Binding("d", "decide", "Decide"),
        Binding("g", "toggle_diagram", "Diagram"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("ctrl+e", "export", "Export", show=False),
        Binding("ctrl+t", "session", "Session timer", show=False),
        Binding("T", "session_stop", "Stop session", show=False),
        # the diagram's own keys are named on its title line, not in the crowded footer
        Binding("left_square_bracket", "diagram_boundary(-1)", "Prev boundary", key_display="[", show=False),
        Binding("right_square_bracket", "diagram_boundary(1)", "Next boundary", key_display="]", show=False),
        Binding("l", "diagram_layout", "Layout", show=False),
        Binding("escape", "select_none", "Whole model", show=False),
        Binding("s", "cycle_status", "Status filter", show=False),
        Binding("v", "cycle_severity", "Severity filter", show=False),
        Binding("o", "orphans", "Orphan decisions", show=False),
        Binding("m", "edit_model", "Model info", show=False),
        Binding("w", "save_as", "Save as", show=False),
        Binding("1", "focus_pane('components')", "Components pane", show=False),
        Binding("2", "focus_pane('flows')", "Flows pane", show=False),
        Binding("3", "focus_pane('boundaries')", "Boundaries pane", show=False),
        Binding("4", "focus_pane('stride-findings')", "STRIDE pane", show=False),
        Binding("tab", "app.focus_next", "Next pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+s, w | Save; save as. |
    | ctrl+z, ctrl+y | Undo, redo. |
    | c, f, b, t | Add a component, flow, boundary, hand-written threat. |
    | e, enter | Edit the selection (in the STRIDE panel: open the finding). |
    | delete, x | Delete the selection (asks first). |
    | d | Decide the finding under the STRIDE cursor. |
    | s, v | Next status filter, next severity filter. |
    | o | Orphan decisions and rule errors. |
    | escape | Show the whole model's findings in the STRIDE panel. |
    | m | Model title, description, owner, rule files. |
    | 1 2 3 4, tab | Focus a pane. |
    | g | Diagram view instead of the panes (and back). |
    | [, ] | In the diagram: highlight the previous / next boundary. |
    | l | In the diagram: Graphviz or layered layout. |
    | ctrl+e | Export the diagram, the report or the stories. |
    | ctrl+t, T | Start, pause or resume a session; stop it. |
    | ?, f1 | Help. |
    """

    DIAGRAM_ONLY: ClassVar[frozenset[str]] = frozenset({"diagram_boundary", "diagram_layout"})
    """Actions that only work while the diagram view is shown."""

    def __init__(self, path: Path, model: ThreatModel, loaded: LoadedModel | None = None) -> None:
        """
        Args:
            path: Where the model lives (or will be saved, for a new model).
            model: The model to show.
            loaded: What loading the file learnt (raw bytes, comments); None for a new model.
        """
        super().__init__()
        self.document: Document = Document(path, model, loaded)
        """The model being edited, its file and its undo history."""
        self.loaded: LoadedModel | None = loaded
        """The file as it was first loaded, or None for a model that was not on disk."""
        self.selection: Selection | None = None
        """The element the STRIDE panel shows; None shows the whole model."""
        self.analysis: Analysis | None = None
        """The analysis of the current model, once it is done."""
        self._by_element: dict[str, list[Finding]] = {}
        self._rules: tuple[tuple, Analyzer] | None = None
        self.rules_problem: str | None = None
        """Why the model's own rule files could not be used (built-in rules run instead)."""
        # the session (see _session_actions)
        self.session: Session | None = None
        """The running 30-minute session, if any."""
        self.session_minutes: tuple[int, int, int] = DEFAULT_MINUTES
        """Phase lengths of the last session started (offered for the next one)."""
        self.session_clock: Callable[[], float] = time.monotonic
        """Seconds for the session clock (tests replace it)."""
        self._session_start: ThreatModel | None = None
        self._session_timer: Timer | None = None
        # the diagram view (see _diagram_actions)
        self.diagram_layout: DiagramLayout = "auto"
        """``auto``: Graphviz's layout when installed, else layered; ``layered``: always layered."""
        self._graphviz_layout: tuple[tuple, Ranks] | None = None
        self._graphviz_pending: tuple | None = None
        self._graphviz_failed: tuple | None = None
        self._focus_before_diagram: Widget | None = None
        # exports, disk watch and recovery journal (see _export_actions, _guard_actions)
        self._exports_running = 0
        self._disk_check_running = False
        self._asking_disk = False
        self._disk_change_seen: Fingerprint | str | None = None
        self._journaled: ThreatModel | None = None
        self._journal_running = False
        self._journal_problem_shown = False

    # ------------------------------------------------------------------ properties

    @property
    def model(self) -> ThreatModel:
        """The model as it is now."""
        return self.document.model

    @property
    def path(self) -> Path:
        """Where the model is saved."""
        return self.document.path

    # --------------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="left-column"):
                yield ComponentTable(id="components")
                yield FlowTable(id="flows")
                yield BoundaryTree(id="boundaries")
            with Vertical(id="right-column"):
                yield StridePanel(id="stride")
                with VerticalScroll(id="detail-pane") as detail_pane:
                    detail_pane.border_title = "Details"
                    yield DetailView(id="detail")
        with Vertical(id="diagram-pane"):
            yield Static("", id="diagram-title", markup=False)
            yield DiagramView(id="diagram")
        yield StatusLine(id="activity")
        yield StatusLine(id="session-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diagram-pane").display = False
        self.show_model()
        self.call_after_refresh(self._post_focused_selection)
        self.start_guards()

    # -------------------------------------------------------------- model changes

    def show_model(self) -> None:
        """Hand the current model to every pane and start analysing it."""
        model = self.model
        self._refresh_header()
        self.query_one(ComponentTable).show(model)
        self.query_one(FlowTable).show(model, Topology(model))
        self.query_one(BoundaryTree).show(model)
        if self.selection is not None and not self._exists(self.selection):
            self.selection = None
        self._show_detail()
        self._request_analysis()
        self.redraw_diagram()
        self.refresh_bindings()

    def _refresh_header(self) -> None:
        document = self.document
        self.title = strip_controls(self.model.model.title)
        marks = []
        if not document.on_disk:
            marks.append("new file")
        if document.dirty:
            marks.append("● unsaved")
        suffix = f"  [{', '.join(marks)}]" if marks else ""
        self.sub_title = strip_controls(document.path.name) + suffix

    def _exists(self, selection: Selection) -> bool:
        table = {"component": self.model.components, "flow": self.model.flows, "boundary": self.model.boundaries}
        return selection.element_id in table[selection.kind]

    # ------------------------------------------------------------------ analysis

    def _analyzer(self, model: ThreatModel, path: Path) -> Analyzer:
        """The analyzer for the model's rules; it keeps findings of unchanged elements between edits."""
        key = (str(path.resolve()), tuple(model.model.rule_files or ()))
        if self._rules is not None and self._rules[0] == key:
            return self._rules[1]
        try:
            rules = rules_for(path, model.model.rule_files)
            self.rules_problem = None
        except ModelError as error:
            rules = builtin_rules()
            first = error.diagnostics[0] if error.diagnostics else None
            self.rules_problem = f"rule files not used: {first}" if first else "rule files not used"
        self._rules = (key, Analyzer(rules))
        return self._rules[1]

    def _request_analysis(self) -> None:
        model = self.model
        if len(model.components) + len(model.flows) <= SYNC_ANALYSIS_LIMIT:
            self._analysis_done(self._analyzer(model, self.path).analyse(model))
        else:
            self._analyse_in_thread(model, self.path)

    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False)
    def _analyse_in_thread(self, model: ThreatModel, path: Path) -> None:
        analysis = self._analyzer(model, path).analyse(model)
        self.app.call_from_thread(self._analysis_done, analysis)

    def _analysis_done(self, analysis: Analysis) -> None:
        if analysis.model is not self.model:
            return  # an edit came in meanwhile; its own analysis follows
        self.analysis = analysis
        by_element: dict[str, list[Finding]] = {}
        for finding in analysis.findings:
            by_element.setdefault(finding.element_id, []).append(finding)
        self._by_element = by_element
        self.show_stride()
        self.redraw_diagram()  # colours follow the worst open finding
        panel = self.query_one(StridePanel)
        if panel.table.has_focus and panel.highlighted is not None:
            self.query_one(DetailView).show_finding(self.model, panel.highlighted)

    def findings_for(self, selection: Selection | None) -> list[Finding]:
        """The findings the STRIDE panel shows for ``selection`` (before its filters)."""
        analysis = self.analysis
        if analysis is None:
            return []
        if selection is None:
            return analysis.findings
        if selection.kind == "boundary":
            flows = analysis.topology.flows_crossing(selection.element_id)
            return [f for flow in flows for f in self._by_element.get(flow, ())]
        return list(self._by_element.get(selection.element_id, ()))

    def show_stride(self) -> None:
        """Fill the STRIDE panel for the current selection."""
        panel = self.query_one(StridePanel)
        analysis = self.analysis
        if analysis is None or analysis.model is not self.model:
            panel.show([], Text("analysing…"), empty_text="Analysing…")
            return
        selection = self.selection
        findings = self.findings_for(selection)
        model = self.model
        if selection is None:
            title, empty = Text("whole model"), "No findings: add components and flows (c, f)."
        elif selection.kind == "boundary":
            crossing = len(analysis.topology.flows_crossing(selection.element_id))
            title = Text("boundary ").append_text(safe_text(model.display_name(selection.element_id), limit=40))
            title.append(f" · {crossing} flow{'s' if crossing != 1 else ''} cross")
            empty = "No flow crosses this boundary." if not crossing else "No findings on its crossing flows."
        else:
            title = Text(f"{selection.kind} ").append_text(
                safe_text(model.display_name(selection.element_id), limit=40)
            )
            element = model.components.get(selection.element_id) or model.flows.get(selection.element_id)
            out = element is not None and element.out_of_scope
            empty = "Out of scope: not analysed." if out else "No findings."
        notes = []
        if analysis.orphans:
            count = len(analysis.orphans)
            notes.append((f"⚠ {count} orphan decision{'s' if count != 1 else ''} (o)", "orphans"))
        if analysis.errors:
            notes.append((f"⚠ {len(analysis.errors)} rule error(s) (o)", "orphans"))
        if self.rules_problem:
            notes.append(("⚠ rule files not used (o)", "orphans"))
        panel.show(
            findings,
            title,
            show_element=selection is None or selection.kind == "boundary",
            notes=notes,
            empty_text=empty,
        )

    # ------------------------------------------------------------------ selection

    def _select(self, selection: Selection | None) -> None:
        boundary = self.selected_boundary
        self.selection = selection
        self._show_detail()
        self.show_stride()
        if self.selected_boundary != boundary:
            self.redraw_diagram()

    def _selection_of(self, kind: SelectionKind, element_id: str) -> Selection:
        return Selection(kind, element_id)

    def _show_detail(self) -> None:
        detail = self.query_one(DetailView)
        selection = self.selection
        model = self.model
        if selection is None:
            if not (model.components or model.flows or model.boundaries):
                detail.show_message(
                    "This model is empty: no components, flows or boundaries yet. "
                    "Press c to add a component, b a trust boundary, ? for help."
                )
            else:
                detail.show_message("Nothing selected: the STRIDE panel shows the whole model.")
        elif selection.kind == "component":
            detail.show_component(model, selection.element_id)
        elif selection.kind == "flow":
            analysis = self.analysis
            topology = analysis.topology if analysis is not None and analysis.model is model else None
            detail.show_flow(model, selection.element_id, topology)
        else:
            detail.show_boundary(model, selection.element_id)

    def _post_focused_selection(self) -> None:
        """Make the focused pane's cursor the selection again (after a refill or a delete)."""
        focused = self.focused
        if isinstance(focused, (ComponentTable, FlowTable, BoundaryTree)):
            focused._post_selected()

    def on_component_table_selected(self, message: ComponentTable.Selected) -> None:
        self._select(Selection("component", message.component_id))

    def on_flow_table_selected(self, message: FlowTable.Selected) -> None:
        self._select(Selection("flow", message.flow_id))

    def on_boundary_tree_selected(self, message: BoundaryTree.Selected) -> None:
        entry = message.entry
        if entry.kind == "boundary" and entry.element_id is not None:
            self._select(Selection("boundary", entry.element_id))
        elif entry.kind == "component" and entry.element_id is not None:
            self._select(Selection("component", entry.element_id))
        else:
            self._select(None)
            self.query_one(DetailView).show_message("Components listed here sit in no trust boundary.")

    def on_stride_panel_finding_highlighted(self, message: StridePanel.FindingHighlighted) -> None:
        if message.finding is not None:
            self.query_one(DetailView).show_finding(self.model, message.finding)
        else:
            self._show_detail()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        panel = self.query_one(StridePanel)
        if event.widget is panel.table and panel.highlighted is not None:
            self.query_one(DetailView).show_finding(self.model, panel.highlighted)
        elif isinstance(event.widget, (ComponentTable, FlowTable, BoundaryTree)):
            self._show_detail()

    def action_select_none(self) -> None:
        """Show the findings of the whole model."""
        self._select(None)

    def action_focus_pane(self, pane_id: str) -> None:
        self.query_one(f"#{pane_id}").focus()
