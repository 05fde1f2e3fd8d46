"""The editor's main screen: components, flows and boundaries side by side, with details."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header

from stride_tui.core import LoadedModel, ThreatModel
from widgets import BoundaryTree, ComponentTable, DetailView, FlowTable, strip_controls


class MainScreen(Screen[None]):
    """Shows one model in panes; the detail pane follows the selection of the focused pane.

    The screen is the one place that holds the model: widgets get it through their ``show``
    methods and report the user's moves with messages.
    """

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    """Below 110 columns the detail column gets as much room as the tables (see app.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab | Move focus to the next pane. |
    | shift+tab | Move focus to the previous pane. |
    """

    def __init__(self, path: Path, model: ThreatModel, loaded: LoadedModel | None = None) -> None:
        """
        Args:
            path: Where the model lives (or will be saved, for a new model).
            model: The model to show.
            loaded: What loading the file learnt (raw bytes, warnings); None for a new model.
        """
        super().__init__()
        self.path: Path = path
        """Where the model lives."""
        self.model: ThreatModel = model
        """The model on screen."""
        self.loaded: LoadedModel | None = loaded
        """The file as it was loaded, or None for a model that is not on disk yet."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="left-column"):
                yield ComponentTable(id="components")
                yield FlowTable(id="flows")
            with Vertical(id="right-column"):
                yield BoundaryTree(id="boundaries")
                with VerticalScroll(id="detail-pane") as detail_pane:
                    detail_pane.border_title = "Details"
                    yield DetailView(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = strip_controls(self.model.model.title)
        self.sub_title = strip_controls(self.path.name)
        self.show_model()

    def show_model(self) -> None:
        """Hand the current model to every pane."""
        self.query_one(ComponentTable).show(self.model)
        self.query_one(FlowTable).show(self.model)
        self.query_one(BoundaryTree).show(self.model)
        model = self.model
        if not (model.components or model.flows or model.boundaries):
            self.query_one(DetailView).show_message(
                "This model is empty: no components, flows or boundaries yet."
            )

    def on_component_table_selected(self, message: ComponentTable.Selected) -> None:
        self.query_one(DetailView).show_component(self.model, message.component_id)

    def on_flow_table_selected(self, message: FlowTable.Selected) -> None:
        self.query_one(DetailView).show_flow(self.model, message.flow_id)

    def on_boundary_tree_selected(self, message: BoundaryTree.Selected) -> None:
        detail = self.query_one(DetailView)
        entry = message.entry
        if entry.kind == "boundary" and entry.element_id is not None:
            detail.show_boundary(self.model, entry.element_id)
        elif entry.kind == "component" and entry.element_id is not None:
            detail.show_component(self.model, entry.element_id)
        else:
            detail.show_message("Components listed here sit in no trust boundary.")
