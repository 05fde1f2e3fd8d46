"""The editor's main screen: the one place that changes the model, routing what its parts report.

Widgets get values through ``show`` methods and report the user's moves with messages; dialogs
hand back new models (core makes them), which are recorded for undo and analysed. Parts with
state of their own (diagram pane, session bar, exports, model file and disk guard) live apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, NamedTuple, Self

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Key
from textual.geometry import Region, Size
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from stride_tui.core import LoadedModel, ThreatModel
from stride_tui.core import editing as edits
from stride_tui.core.analysis.engine import Analysis, Analyzer
from stride_tui.core.analysis.finding_index import FindingIndex
from stride_tui.core.analysis.rule_cache import RuleCache
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.editing.changes import changed_element
from stride_tui.core.editing.document import Document
from stride_tui.core.editing.threat_decisions import decide_threats
from stride_tui.core.outputs.session_summary import session_summary
from stride_tui.core.outputs.stories import Story, build_stories
from stride_tui.messages import ModelPathChanged
from widgets import BoundaryTree, ComponentTable, FlowTable, StridePanel, plain_text, safe_text
from widgets.detail_pane import DetailPane
from widgets.diagram_pane import DiagramPane
from widgets.diagram_view import DiagramView
from widgets.element_panes import ElementKind, ElementPanes
from widgets.key_footer import KeyFooter
from widgets.title_header import TitleHeader

from . import gc_hold, keymap
from .command_provider import EditorCommands
from .dialog import Dialog, typed_within
from .edit_dialogs import EditDialogs
from .export_status import ExportStatus
from .help_screen import HelpScreen
from .model_file import ModelFile
from .session_bar import SessionBar
from .stride_heading import StrideHeading
from .threat_actions import ThreatActions
from .threat_view import ThreatIndex

SYNC_ANALYSIS_LIMIT = 300
"""Models with at most this many components and flows are analysed on the spot; larger ones in
a thread, so the editor never waits on analysis (a 1,000-element model takes ~0.2 s here). The
thread also indexes the threats, so the screen only hands the panel what it shows."""

FIRST_FRAME_WAIT = 2.0
"""Seconds the first analysis waits at most for the panes to be painted."""

SAME_FRAME_WAIT = 0.02
"""Seconds the screen waits for the analysis of an edit of a large model (in its own thread)
before it paints. The analyzer derives again only what the edit can reach, so most edits are
analysed in a few milliseconds: then the edit and its threats reach the screen in one frame,
without a frame of the edit alone, a worker's start and a hand-over back to the screen. A longer
analysis (a rule file changed, a model-wide fact flipped) goes on in the background."""

PREPARE_PAUSE = 0.05
"""Seconds between the steps of making the kept dialogs ahead (`_prepare_dialogs`): keys typed
meanwhile are handled between them."""
PREPARE_QUIET = 0.5
"""Seconds without a key before a step of making the kept dialogs ahead is taken (a step of
making a form can take a tenth of a second: not while the user types)."""

SelectionKind = ElementKind
_SECTIONS = {"component": "components", "flow": "flows", "boundary": "boundaries"}


class Selection(NamedTuple):
    """The element whose findings the STRIDE panel shows."""

    kind: SelectionKind
    element_id: str


class MainScreen(Screen[None]):
    """One model in panes; the STRIDE panel and the detail pane follow the selection."""

    COMMANDS: ClassVar = {EditorCommands}
    # Textual declares the breakpoints as instance variables: they cannot be ClassVars here
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    """Below 110 columns the two columns share the width equally (see app.tcss)."""
    VERTICAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-short"), (32, "-tall")]  # noqa: RUF012
    """Below 32 lines the focused pane of the left column grows (see app.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings()
    """Every key, its footer label and its help row are defined once, in `keymap.KEY_ACTIONS`."""

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
        self.rules: RuleCache = RuleCache()
        """The analyzer for the model's rule files (and why they could not be used, if so)."""
        self._findings: FindingIndex | None = None
        self._index_lock = threading.Lock()
        self._first_frame = threading.Event()
        """Set once the panes have been painted (the first analysis waits for it)."""
        self._whole_model_shown = False
        """Whether the user has asked for the whole model's threats (esc) in this session."""
        self._last_index: tuple[Analyzer, ThreatIndex] | None = None
        """The analyzer that made the last analysis, and its index (the next one is made from it)."""
        self.threat_index: ThreatIndex | None = None
        """The threats of `analysis` by element: what the STRIDE panel shows."""
        self._preview: tuple[Selection, ThreatIndex] | None = None
        """The selected element's threats, from a first analysis that has not reached the rest
        of the model yet (`Analyzer.preview`): what the STRIDE panel shows until it has."""
        self._shown_model: ThreatModel | None = None
        """The model the panes show (an edit updates them from it, element by element)."""
        self._save_pending = False
        """ctrl+s in a form: the file is saved once the edit's threats are shown (a save of a
        large model is pure Python in a thread; started at once, it would hold up the panel)."""
        self._stride_shown: tuple[object, ...] | None = None
        """The analysis, index, selection and rule problem the STRIDE panel was last filled from."""
        self._dialogs_prepared = False
        """Whether the kept decide dialog is being made ahead (after the first analysis)."""
        self._background_drawn_from: tuple[object, ...] | None = None
        """The size and colours the screen's own background was last drawn in (`refresh`)."""
        self._selection_settled = False
        """Whether the selection came from the user (a pane's cursor, esc); until then the
        focused pane's cursor is the selection, so an analysis that finishes first never fills
        the panel with the whole model."""
        # the parts that own their behaviour; each module says what it does
        self.diagram = DiagramPane(id="diagram-pane")
        self.session_bar = SessionBar(id="session-bar")
        self.exports = ExportStatus(id="activity")
        self.dialogs = EditDialogs()
        self.threat_actions = ThreatActions()
        # edits are taken at once, not posted: one made as a dialog closes is then on the screen
        # in the first frame after the dialog (see `EditDialogs.receiver`)
        self.dialogs.receiver = self.threat_actions.receiver = self._take_edit
        self.file = ModelFile(self.document)
        self.guard = self.file.guard

    @property
    def model(self) -> ThreatModel:
        """The model as it is now."""
        return self.document.model

    @property
    def path(self) -> Path:
        """Where the model is saved."""
        return self.document.path

    def compose(self) -> ComposeResult:
        yield TitleHeader()
        with Horizontal(id="panes"):
            yield ElementPanes(id="left-column")
            with Vertical(id="right-column"):
                yield StridePanel(id="stride")
                yield DetailPane(id="detail-pane")
        yield self.diagram
        yield self.exports
        yield self.session_bar
        yield KeyFooter()
        yield self.dialogs
        yield self.threat_actions
        yield self.file

    def on_mount(self) -> None:
        gc_hold.hold()  # until the first analysis is shown (see gc_hold)
        self.diagram.display = False
        # First frame first: the panes are painted before the analysis thread starts its work
        # (it would fight the first render for the interpreter); it is started now, so whoever
        # waits for the analysis waits for it, and it waits for the first frame.
        self.show_model()
        self.call_after_refresh(self._after_first_frame)

    def _screen_resized(self, size: Size) -> None:
        # Textual lays out every screen under a dialog again when the dialog opens (its first
        # resize): a layout of this whole screen, and a repaint of what it touches, that
        # changes nothing while the size is the same
        if self.app.screen is not self and self._compositor.size == size:
            return
        super()._screen_resized(size)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        if repaint and not (regions or layout or recompose) and getattr(self.app, "covering", False):
            # a dialog is being pushed over this screen: its first frame draws this one as it
            # is, dimmed (what changes on it meanwhile asks to be drawn itself)
            return self
        if repaint and not (regions or layout or recompose) and self.is_mounted:
            # The whole screen drawn again (shown again as a dialog closes: the dialog dimmed
            # it): Textual would also render the screen's own background again, line by line.
            # Drawn from the lines it has while what they are drawn from is the same.
            drawn_from = (self.size, self.background_colors, self.styles.background, self.app.ansi_theme)
            if drawn_from == self._background_drawn_from:
                # Widget.refresh but for the lines of the screen's background
                self._layout_cache.clear()
                self.clear_cached_dimensions()
                self._rich_style_cache.clear()
                self._repaint_regions.add(self.outer_size.region)
                self._repaint_required = True
                self.check_idle()
                return self
            self._background_drawn_from = drawn_from
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _compositor_refresh(self) -> None:
        # A frame of the whole screen (drawn as a dialog closes) draws every widget as it is
        # now. The regions the widgets changed before it ask to be drawn again once taken from
        # them (their repaint requests come after this frame): they are covered here, so they
        # are taken now and those requests draw nothing. A widget changed after this frame
        # keeps its new regions, and they are drawn.
        compositor = self._compositor
        app = self.app
        if app.screen is self and not app.is_inline and compositor.size.region in compositor._dirty_regions:
            for widget in compositor.visible_widgets:
                widget._exchange_repaint_regions()
        elif not app.is_inline and compositor._dirty_regions and self in app._background_screens:
            # under a dialog: what changed is drawn through the dialog, as Textual does, but
            # the screen's own background is not marked to be rendered again (Textual does, for
            # the whole screen as a dialog opens over it; its lines never change with it)
            app.screen.refresh(*compositor._dirty_regions)
            self._repaint_required = True
            compositor._dirty_regions.clear()
            self._dirty_widgets.clear()
            app._update_mouse_over(self)
            return
        super()._compositor_refresh()

    def _after_first_frame(self) -> None:
        self._adopt_focused_selection()
        self._first_frame.set()
        self._post_focused_selection()

    def show_model(self) -> None:
        """Hand the current model to every pane (each updates only what changed since the model
        it showed) and start analysing it."""
        model = self.model
        self._show_title()
        if self._shown_model is not model:
            self._shown_model = model
            self.query_one(ElementPanes).show(model)
        selection = self.selection
        if (
            selection is not None
            and selection.kind in _SECTIONS
            and selection.element_id not in getattr(model, _SECTIONS[selection.kind])
        ):
            self.selection = None
        if not self._detail_follows_panel():
            # (else the threat under the STRIDE cursor stays until the analysis shows its new
            # state: the selection's details in between were drawn and laid out for nothing)
            self._show_detail()
        self._request_analysis()
        self.redraw_diagram()
        self.refresh_bindings()

    def _show_title(self) -> None:
        """The model's title, its file's name and whether it is new or unsaved, in the header."""
        document = self.document
        title = plain_text(document.model.model.title)
        marks = [*(["new file"] if not document.on_disk else []), *(["● unsaved"] if document.dirty else [])]
        sub_title = plain_text(document.path.name) + (f"  [{', '.join(marks)}]" if marks else "")
        if (title, sub_title) == (self.title, self.sub_title):
            return
        # set quietly, and the header told at once: set as usual, a screen's title repaints the
        # whole screen, and the header shows it a frame later (its watchers run after a wait)
        self.set_reactive(MainScreen.title, title)
        self.set_reactive(MainScreen.sub_title, sub_title)
        if self.is_mounted:
            self.query_one(TitleHeader).show_title()

    def _record(self, model: ThreatModel, label: str, select: tuple[str, str] | None = None) -> None:
        """Make ``model`` current (undoable as ``label``) and show it."""
        if not self.document.history.record(model, label):
            self.notify("Nothing changed.", markup=False, timeout=2)
            return
        self._after_change(select)

    def _after_change(self, select: tuple[str, str] | None = None) -> None:
        self.show_model()
        if select is not None:
            self._reveal(*select)
        else:
            self._post_focused_selection()

    def _reveal(self, section: str, element_id: str) -> None:
        """Select ``element_id``: a finding or threat in the STRIDE panel, an element in its pane."""
        if section == "findings" or (section == "threats" and element_id in self.model.threats):
            self.query_one(StridePanel).select_finding(element_id)
        else:
            self.query_one(ElementPanes).reveal(section, element_id)

    def restore(self, model: ThreatModel, when: str) -> None:
        """Make ``model`` (unsaved edits kept from ``when``) the current model, as an undoable edit."""
        if self.document.history.record(model, "restore unsaved changes"):
            self._after_change()
        message = f"Restored unsaved changes from {when}: ctrl+s saves them, ctrl+z takes them back."
        self.notify(message, title="Restored", timeout=10, markup=False)

    def _request_analysis(self) -> None:
        model = self.model
        if len(model.components) + len(model.flows) <= SYNC_ANALYSIS_LIMIT:
            self._analysis_done(*self._analyse_and_index(model, self.path, self.selection))
        elif self._last_index is None or not self._first_frame.is_set():
            self._analyse_in_thread(model, self.path, self.selection)  # the first: after the first frame
        else:
            self._analyse_edit(model, self.path, self.selection)

    def _analyse_edit(self, model: ThreatModel, path: Path, selection: Selection | None) -> None:
        """Analyse an edit of a large model in a thread, and show its threats at once if it is
        done within `SAME_FRAME_WAIT` (the wait lets the thread have the interpreter to itself);
        else a worker hands them over when it is."""
        result: list[tuple[Analysis, ThreatIndex]] = []
        failure: list[BaseException] = []
        done = threading.Event()

        def analyse() -> None:
            try:
                result.append(self._analyse_and_index(model, path, selection))
            except BaseException as error:  # handed to the worker below, which reports it
                failure.append(error)
            finally:
                done.set()
            if result and selection is not None and self._whole_model_shown:
                result[0][1].view(None)  # the whole model's view, for esc (as `_analyse_in_thread`)

        threading.Thread(target=analyse, name="analysis", daemon=True).start()
        if done.wait(SAME_FRAME_WAIT) and result:
            self.workers.cancel_group(self, "analysis")  # an older edit's worker has nothing left to show
            self._analysis_done(*result[0])
        else:
            self._await_analysis(done, result, failure)

    # description: Textual would describe the worker by repr() of its arguments
    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False, description="await the analysis")
    def _await_analysis(
        self, done: threading.Event, result: list[tuple[Analysis, ThreatIndex]], failure: list[BaseException]
    ) -> None:
        done.wait()
        if failure:
            raise failure[0]
        self.app.call_from_thread(self._analysis_done, *result[0])

    # description: Textual would describe the worker by repr() of its arguments, the whole model
    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False, description="analyse the model")
    def _analyse_in_thread(self, model: ThreatModel, path: Path, selection: Selection | None) -> None:
        if not self._first_frame.is_set():
            self._first_frame.wait(FIRST_FRAME_WAIT)
            selection = self.selection  # the focused pane's, adopted with the first frame
        self._show_preview(model, path, selection)
        # indexed here too: grouping tens of thousands of findings must not block typing
        analysis, index = self._analyse_and_index(model, path, selection)
        self.app.call_from_thread(self._analysis_done, analysis, index)
        if selection is not None and self._whole_model_shown:
            # then the whole model's view, for esc: its questions take a while (0.4 s at 5,000
            # components), so only for a user who looks at the whole model
            index.view(None)

    def _show_preview(self, model: ThreatModel, path: Path, selection: Selection | None) -> None:
        """Show the selected component's or flow's threats before the rest of the model is
        analysed (a first analysis of thousands of elements takes a while)."""
        if selection is None or selection.kind not in ("component", "flow"):
            return
        with self._index_lock:
            analysis = self.rules.analyzer(model, path).preview(model, selection.element_id)
        if analysis is None:
            return
        index = ThreatIndex(analysis)
        index.view(selection.kind, selection.element_id)
        self.app.call_from_thread(self._preview_done, selection, index)

    def _preview_done(self, selection: Selection, index: ThreatIndex) -> None:
        if index.analysis.model is self.model and self.current_analysis is None:
            self._preview = (selection, index)
            self.show_stride()

    def _analyse_and_index(
        self, model: ThreatModel, path: Path, selection: Selection | None
    ) -> tuple[Analysis, ThreatIndex]:
        """Analyse ``model`` and index its threats, from the previous index where the analyzer
        says which elements changed; the view of ``selection`` is made here too. Every analysis
        goes through here, one at a time, so each index is made from its analyzer's previous one."""
        with self._index_lock:
            analyzer = self.rules.analyzer(model, path)
            analysis = analyzer.analyse(model)
            last = self._last_index
            index = ThreatIndex(analysis, last[1] if last is not None and last[0] is analyzer else None)
            self._last_index = (analyzer, index)
        kind, element_id = selection or (None, "")
        index.view(kind, element_id)
        return analysis, index

    def _analyse_for_export(self, model: ThreatModel) -> Analysis:
        return self._analyse_and_index(model, self.path, None)[0]

    def _analysis_done(self, analysis: Analysis, threat_index: ThreatIndex) -> None:
        if analysis.model is not self.model:
            return  # an edit came in meanwhile; its own analysis follows
        self.analysis, self.threat_index, self._preview = analysis, threat_index, None
        self._adopt_focused_selection()
        self.show_stride()
        self.redraw_diagram()  # colours follow the worst open finding
        panel = self.query_one(StridePanel)
        if self._detail_follows_panel():
            self._show_highlighted(panel)
        elif panel.table.has_focus:
            self._show_detail()  # the threat it showed is gone
        self._save_after_paint()
        self.call_after_refresh(gc_hold.release)
        if not self._dialogs_prepared:  # the first analysis is shown: the editor is ready
            self._dialogs_prepared = True
            self.set_timer(PREPARE_PAUSE, self._prepare_dialogs, name="make the kept dialogs")

    def _prepare_dialogs(self) -> None:
        """Make the kept decide dialog, then the component and flow forms, ahead, step by step
        while no dialog is open (see `ThreatActions.prepare`, `EditDialogs.prepare`)."""
        app = self.app
        typing = typed_within(app, PREPARE_QUIET)
        if app.screen is not self or typing or self.threat_actions.prepare() or self.dialogs.prepare(self.model):
            self.set_timer(PREPARE_PAUSE, self._prepare_dialogs, name="make the kept dialogs")

    def _save_after_paint(self) -> None:
        """Start the save that ctrl+s in a form asked for, once the frame showing the edit is painted."""
        if self._save_pending:
            self._save_pending = False
            self.call_after_refresh(self.action_save)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # an analysis that failed shows nothing: the save it held back starts now
        if event.worker.group == "analysis" and event.state == WorkerState.ERROR:
            self._show_detail()  # no new state of the threat under the cursor is coming
            self._save_after_paint()
            gc_hold.release()

    def on_unmount(self) -> None:
        gc_hold.release()

    @property
    def findings(self) -> FindingIndex | None:
        """The findings of `analysis` by element, made when first asked for (the panel shows
        threats from `threat_index`: an index of every finding after each edit went unused)."""
        analysis = self.analysis
        if analysis is None:
            return None
        if self._findings is None or self._findings.analysis is not analysis:
            self._findings = FindingIndex(analysis)
        return self._findings

    @property
    def current_analysis(self) -> Analysis | None:
        """The analysis of the model as it is now (None while it runs)."""
        analysis = self.analysis
        return analysis if analysis is not None and analysis.model is self.model else None

    def show_stride(self) -> None:
        """Fill the STRIDE panel for the current selection."""
        panel = self.query_one(StridePanel)
        analysis, selection, index = self.current_analysis, self.selection, self.threat_index
        preview = self._preview
        if (
            analysis is None
            and preview is not None
            and preview[0] == selection
            and preview[1].analysis.model is self.model
        ):
            index = preview[1]
            analysis = index.analysis
        if analysis is None:
            self._stride_shown = None
            panel.show([], Text("analysing…"), empty_text="Analysing…")
            return
        kind, element_id = selection or (None, "")
        # the same threats again (an edit's selection posted back by its pane after the edit
        # was shown): the panel's rows would be set again and drawn in a second frame
        shown = (analysis, index, selection, self.rules.problem)
        last = self._stride_shown
        if last is not None and last[0] is analysis and last[1] is index and last[2:] == shown[2:]:
            return
        self._stride_shown = shown
        heading = StrideHeading.of(analysis, kind, element_id, self.rules.problem)
        if analysis.partial:
            heading.title.append(" · analysing the rest of the model…", style="dim")
        view = index.view(kind, element_id) if index is not None and index.analysis is analysis else None
        panel.show(
            view.threats if view is not None else [],
            heading.title,
            sections=view.sections if view is not None else None,
            questions=view.questions if view is not None else (),
            show_element=kind in (None, "boundary", "outside"),
            notes=heading.notes,
            empty_text=heading.empty,
        )

    def _detail_follows_panel(self) -> bool:
        """Whether the details pane shows the threat or question under the STRIDE cursor (the
        panel has the focus and its cursor is on one)."""
        panel = self.query_one(StridePanel)
        return panel.table.has_focus and (panel.highlighted or panel.highlighted_question) is not None

    def _show_highlighted(self, panel: StridePanel) -> None:
        """Show the threat or question under the STRIDE cursor in the detail pane."""
        detail, threat, question = self.query_one(DetailPane), panel.highlighted, panel.highlighted_question
        if threat is not None:
            detail.show_threat(self.model, threat, panel.questions_for(threat))
        elif question is not None:
            detail.show_question(self.model, question, panel.threats)

    @property
    def selected_boundary(self) -> str | None:
        """The boundary highlighted in the diagram: the selected one, if a boundary is selected."""
        selection = self.selection
        return selection.element_id if selection is not None and selection.kind == "boundary" else None

    def _select(self, selection: Selection | None) -> None:
        boundary = self.selected_boundary
        self.selection = selection
        self._selection_settled = True
        self._show_detail()
        self.show_stride()
        if self.selected_boundary != boundary:
            self.redraw_diagram()

    def _show_detail(self) -> None:
        analysis = self.current_analysis
        kind, element_id = self.selection or (None, "")
        topology = analysis.topology if analysis is not None else None
        self.query_one(DetailPane).show_selection(self.model, kind, element_id, topology)

    def _post_focused_selection(self) -> None:
        """Make the focused pane's cursor the selection again (after a refill or a delete)."""
        self.query_one(ElementPanes).repost_selection()

    def _adopt_focused_selection(self) -> None:
        """Before the user has chosen anything, the focused pane's cursor is the selection: the
        panel shows that element's threats even when the analysis is done before the pane has
        said so (it would otherwise show, and lay out, every finding of the model first)."""
        if self._selection_settled or self.selection is not None:
            return
        current = self.query_one(ElementPanes).current()
        if current is not None:
            kind, element_id = current
            self.selection = Selection(kind, element_id)
            self._show_detail()

    def on_element_panes_selected(self, message: ElementPanes.Selected) -> None:
        self._select(Selection(message.kind, message.element_id) if message.kind is not None else None)
        if message.note is not None:
            self.query_one(DetailPane).show_message(message.note)

    def on_stride_panel_threat_highlighted(self, message: StridePanel.ThreatHighlighted) -> None:
        if message.threat is not None or message.question is not None:
            self._show_highlighted(message.panel)
        else:
            self._show_detail()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        panel = self.query_one(StridePanel)
        if event.widget is panel.table and (panel.highlighted or panel.highlighted_question) is not None:
            self._show_highlighted(panel)
        elif isinstance(event.widget, (ComponentTable, FlowTable, BoundaryTree)):
            self._show_detail()

    def action_select_none(self) -> None:
        """Show the findings of the whole model."""
        self._whole_model_shown = True
        self._select(None)

    def action_focus_pane(self, pane_id: str) -> None:
        self.query_one(f"#{pane_id}").focus()

    def _target(self) -> tuple[str, str] | None:
        """(section, id) of what edit and delete act on: the focused pane's selection."""
        panel, panes = self.query_one(StridePanel), self.query_one(ElementPanes)
        if self.focused is panel.table:
            threat = panel.highlighted
            if threat is None:
                return None
            return ("threats", threat.id) if threat.id in self.model.threats else ("findings", threat.id)
        if panes.focused_pane is not None:
            return panes.target()
        if self.selection is not None and self.selection.kind in _SECTIONS:
            return (_SECTIONS[self.selection.kind], self.selection.element_id)
        return None

    def _boundary_in_view(self) -> str | None:
        """The boundary a new component goes in: the selected one, or (in the boundaries
        pane) the one holding the selected component."""
        selection = self.selection
        if selection is None or selection.kind in ("flow", "outside"):
            return None
        if selection.kind == "boundary":
            return selection.element_id
        component = self.model.components.get(selection.element_id)
        return component.boundary if component is not None and isinstance(self.focused, BoundaryTree) else None

    def _take_edit(self, message: Message) -> None:
        if isinstance(message, EditDialogs.Edited):
            self.on_edit_dialogs_edited(message)
        elif isinstance(message, EditDialogs.DecisionDropped):
            self.on_edit_dialogs_decision_dropped(message)

    def on_edit_dialogs_edited(self, message: EditDialogs.Edited) -> None:
        self.call_later(self._offer_response, message)
        self._record(message.model, message.label, message.select)
        if message.save_file:  # ctrl+s in a form: the edit and the file in one key
            if self.model is message.model:  # recorded (an edit that changed nothing is not)
                self._save_pending = True
                if self.current_analysis is not None:  # analysed on the spot
                    self._save_after_paint()
            else:
                self.action_save()

    def on_edit_dialogs_decision_dropped(self, message: EditDialogs.DecisionDropped) -> None:
        self._record(edits.delete_decision(self.model, message.key), f"delete decision {message.key}")

    def action_add_component(self) -> None:
        self.dialogs.add_component(self.model, self._boundary_in_view())

    def action_add_flow(self) -> None:
        selection = self.selection
        source = selection.element_id if selection is not None and selection.kind == "component" else None
        self.dialogs.add_flow(self.model, source)

    def action_add_boundary(self) -> None:
        self.dialogs.add_boundary(self.model, self.selected_boundary)

    def action_add_threat(self) -> None:
        panel, selection, analysis = self.query_one(StridePanel), self.selection, self.analysis
        target = None
        if panel.highlighted is not None:
            target = panel.highlighted.element_id
        elif selection is not None and selection.kind in ("component", "flow"):
            target = selection.element_id
        elif selection is not None and analysis is not None:
            crossing = analysis.topology.flows_crossing(selection.element_id)
            target = crossing[0] if crossing else None
        self.dialogs.add_threat(self.model, target, panel.highlighted_category)

    def action_sketch(self) -> None:
        """Open the sketch line: each line typed there is one undoable edit of the current model."""
        self.dialogs.sketch(lambda: self.model, self._record, self.action_undo, self.action_save)

    def action_edit_model(self) -> None:
        self.dialogs.edit_model(self.model)

    def action_edit(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Nothing selected to edit.", markup=False, timeout=3)
        elif target[0] == "findings":
            self.action_decide()
        else:
            self.dialogs.edit(self.model, *target)

    def action_decide(self) -> None:
        panel = self.query_one(StridePanel)
        if panel.highlighted is None:
            panel.table.focus()
            self.notify("Move to a threat in the STRIDE panel, then press d (or enter).", markup=False, timeout=4)
        else:
            self._decide_threat(panel.highlighted)

    def _decide_threat(self, threat: Threat) -> None:
        """Decide a whole threat: one status for its `remedy@element` key, one undoable edit."""
        self.threat_actions.decide(self.model, [threat], safe_text(threat.title, limit=80), threat.id)

    def action_answer(self, key: str) -> None:
        """Answer the question under the STRIDE cursor (or the first one of the threat there)."""
        panel = self.query_one(StridePanel)
        if self.focused is not panel.table:  # a stray y or n elsewhere must not answer anything
            self.notify("Answer in the STRIDE panel (4): move to a question, then press y or n.", markup=False)
            return
        question = panel.highlighted_question
        if question is None and panel.highlighted is not None:
            asked = panel.questions_for(panel.highlighted)
            question = asked[0] if asked else None
        if question is None:
            self.notify("Move to a question in the STRIDE panel (listed first), then press y or n.", markup=False)
        elif not self.threat_actions.answer(self.model, question, key):
            self.notify(f"{key} answers nothing here: edit the element (e) to set {question.fact}.", markup=False)

    def _offer_response(self, message: EditDialogs.Edited) -> None:
        """A flow was just added (by a form): say that r adds its response."""
        added = message.select[1] if message.select and message.label.startswith("add flow ") else None
        if added is not None and self.model is message.model:
            self.threat_actions.offer_response(self.model, added)

    def action_add_response(self) -> None:
        """Add the response of the selected flow (the one just added, after a flow form)."""
        selection = self.selection
        if selection is None or selection.kind != "flow":
            self.notify("Select a flow (2), then r adds its response.", markup=False, timeout=4)
        else:
            self.threat_actions.add_response(self.model, selection.element_id)

    def action_pick_stories(self) -> None:
        """Keep or drop each top story, decide whole stories, then export the kept ones."""
        self._pick_stories(lambda picked, path: None)

    def _pick_stories(self, done: Callable[[object, Path | None], None]) -> None:
        analysis = self.current_analysis
        if analysis is None:
            self.notify("Still analysing the model: its stories follow in a moment.", markup=False, timeout=3)
            done(None, None)
            return
        stories = build_stories(analysis)
        if not stories:
            self.notify("No undecided threats: no stories to pick.", markup=False, timeout=4)
            done(None, None)
            return

        def finished(picked: object, path: Path | None) -> None:
            self.session_bar.record_pick(picked, path)
            done(picked, path)

        self.threat_actions.pick_stories(self.path, self.model.model.title, stories, self._decide_story, finished)

    def _decide_story(self, story: Story, status: str) -> bool:
        """Decide every threat of ``story`` (one decision each), as one undoable edit."""
        index = self.threat_index
        threats = [index.by_id[t] for t in story.threat_ids if t in index.by_id] if index is not None else []
        if not threats:
            return False
        self._record(decide_threats(self.model, threats, status), f"decide story {story.id}: {status}")
        return True

    def action_delete(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Nothing selected to delete.", markup=False, timeout=3)
        else:
            self.dialogs.delete(self.model, *target)

    def action_orphans(self) -> None:
        if self.analysis is not None:
            self.dialogs.orphans(self.model, self.analysis, self.rules.problem)

    def on_element_panes_edit_requested(self, _: ElementPanes.EditRequested) -> None:
        self.action_edit()

    def on_stride_panel_threat_activated(self, event: StridePanel.ThreatActivated) -> None:
        event.stop()
        self._decide_threat(event.threat)

    def on_stride_panel_question_activated(self, event: StridePanel.QuestionActivated) -> None:
        section = "flows" if event.question.element_id in self.model.flows else "components"
        self.dialogs.edit(self.model, section, event.question.element_id)

    def on_stride_panel_note_clicked(self, event: StridePanel.NoteClicked) -> None:
        event.stop()
        self.action_orphans()

    def action_undo(self) -> None:
        self._travel(self.document.history.undo, "Undone", "Nothing to undo.")

    def action_redo(self) -> None:
        self._travel(self.document.history.redo, "Redone", "Nothing to redo.")

    def _travel(self, step: Callable[[], str | None], done: str, nothing: str) -> None:
        """Undo or redo (``step``), then show what came back or changed."""
        before = self.model
        label = step()
        if label is None:
            self.notify(nothing, markup=False, timeout=2)
            return
        self._after_change(changed_element(before, self.model))
        self.notify(f"{done}: {label}", markup=False, timeout=3)

    async def on_key(self, event: Key) -> None:
        top = self.app.screen
        if top is not self and isinstance(top, Dialog):
            # typed for the dialog that just opened, read here first: hand it on, never drop it
            event.stop()
            event.prevent_default()
            top.take_late_key(event)
        elif top is self and await self.app._check_bindings(event.key):
            # this screen's binding runs here, in the order the keys came, not once the key has
            # bubbled on to the app: a key read with it (the "[" of "a[") is still on its way
            # and must find the dialog the binding opens, not pass this screen before it opens
            event.stop()
            event.prevent_default()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
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

    def action_cycle_status(self) -> None:
        self.query_one(StridePanel).cycle_status()

    def action_cycle_severity(self) -> None:
        self.query_one(StridePanel).cycle_severity()

    def action_set_status_filter(self, value: str) -> None:
        self.query_one(StridePanel).status_filter = value

    def action_set_severity_filter(self, value: str) -> None:
        self.query_one(StridePanel).severity_filter = value

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    @property
    def diagram_shown(self) -> bool:
        """Whether the diagram view is on screen (instead of the panes)."""
        return bool(self.diagram.display)

    def redraw_diagram(self) -> None:
        """Hand the diagram pane the current model (it draws only while shown)."""
        self.diagram.show(self.model, self.current_analysis, self.selected_boundary)

    def action_toggle_diagram(self) -> None:
        """Swap the panes for the diagram view, or back."""
        showing = not self.diagram_shown
        self.query_one("#panes").display = not showing
        if showing:
            self.diagram.open(self.model, self.current_analysis, self.selected_boundary)
        else:
            self.diagram.close(fallback=self.query_one("#components"))
        self.refresh_bindings()

    def action_diagram_boundary(self, step: int) -> None:
        """Highlight the next (``step`` 1) or previous (-1) boundary; past the last, none."""
        if not self.diagram_shown:
            self.action_toggle_diagram()
        if not self.model.boundaries:
            self.notify("This model has no trust boundaries yet (b adds one).", markup=False, timeout=3)
            return
        chosen = self.diagram.next_boundary(self.selected_boundary, step)
        self._select(None if chosen is None else Selection("boundary", chosen))
        if chosen is not None:
            self.diagram.scroll_to_boundary(chosen)

    def action_diagram_layout(self) -> None:
        """Switch between Graphviz's layout (when installed) and the built-in layered one."""
        if not self.diagram_shown:
            self.action_toggle_diagram()
        self.diagram.toggle_layout()

    def on_diagram_view_component_clicked(self, message: DiagramView.ComponentClicked) -> None:
        self._select(Selection("component", message.component_id))
        name = self.model.display_name(message.component_id)
        self.notify(f"Selected {name}: e edits it, g shows the panes.", markup=False, timeout=3)

    def action_session(self) -> None:
        """Start a session (asking for the phase lengths), or pause / resume the running one."""
        self.session_bar.toggle(self.model)

    def action_session_stop(self) -> None:
        """Stop the running session now and show what it produced."""
        self.session_bar.stop()

    def on_session_bar_finished(self, message: SessionBar.Finished) -> None:
        def summarise(*_: object) -> None:
            analysis = self.current_analysis
            stories = len(build_stories(analysis)) if analysis is not None else 0
            summary = session_summary(message.start, self.model, stories)
            self.session_bar.show_summary(summary, message.elapsed, self.document.dirty)

        if self.session_bar.picked is None:  # phase 3 ends with the pick, then the summary
            self._pick_stories(summarise)
        else:
            summarise()

    def on_session_bar_stories_wanted(self, _: SessionBar.StoriesWanted) -> None:
        self.action_pick_stories()

    def action_export(self, kind: str = "stories", fmt: str = "") -> None:
        """Open the export dialog with ``kind`` (and ``fmt``) picked: stories unless asked (the
        default output, DESIGN §8); the dialog says how many stories it leaves out."""
        self.exports.ask(self.path, kind, fmt or None, self.current_analysis)

    def on_export_status_requested(self, message: ExportStatus.Requested) -> None:
        self.exports.start(message.request, self.model, self.current_analysis, self._analyse_for_export)

    def action_save(self) -> None:
        self.file.save_now()

    def action_save_as(self) -> None:
        self.file.save_as()

    def request_quit(self) -> None:
        """Quit, asking first when there are unsaved changes."""
        if self.app.screen is not self:
            self.notify("Close this dialog first (esc), then quit.", markup=False, timeout=3)
        else:
            self.file.quit()

    def on_model_file_saved(self, message: ModelFile.Saved) -> None:
        if message.path == message.previous:
            # the model shown and analysed is the one saved: only the title's marks change
            self._show_title()
            self.refresh_bindings()
            return
        self.rules.forget()  # rule files are relative to the model file, which has moved
        self.app.post_message(ModelPathChanged(message.previous, message.path))
        self.show_model()

    def on_model_file_reloaded(self, _: ModelFile.Reloaded) -> None:
        self.rules.forget()
        self.show_model()
        self._post_focused_selection()
