"""The diagram pane: the model's data-flow diagram under a title line that names its layout.

It is drawn at once with the layered layout; when Graphviz is installed its layout is computed
in a thread (with a timeout), swapped in when ready and kept until the shape of the model
changes. The screen hands the pane the model, its analysis and the highlighted boundary.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Topology
from stride_tui.core.outputs.graphviz import find_dot
from stride_tui.core.outputs.text_diagram import TextDiagram, draw, graphviz_ranks

from .diagram_view import DiagramView
from .safe_text import safe_text

GRAPHVIZ_TIMEOUT = 10.0
"""Seconds Graphviz may spend on the pane's layout before the layered one stays."""
SYNC_DRAW_LIMIT = 300
"""Diagrams of at most this many components and flows are drawn on the spot, larger in a thread."""

DiagramLayout = Literal["auto", "layered"]
Ranks = dict[str, tuple[int, float]]
LayoutKey = tuple[tuple[object, ...], ...]


def layout_key(model: ThreatModel) -> LayoutKey:
    """What a layout depends on: components (and their label widths), flows, boundaries."""
    return (
        tuple((cid, c.name, c.technology, c.kind, c.boundary) for cid, c in model.components.items()),
        tuple((f.source, f.target) for f in model.flows.values()),
        tuple((bid, b.name, b.parent) for bid, b in model.boundaries.items()),
    )


class DiagramPane(Vertical):
    """The diagram view and its title; it redraws only while it is shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.layout_mode: DiagramLayout = "auto"
        """``auto``: Graphviz's layout when installed, else layered; ``layered``: always layered."""
        self._model: ThreatModel | None = None
        self._analysis: Analysis | None = None
        self._boundary: str | None = None
        self._graphviz_layout: tuple[LayoutKey, Ranks] | None = None
        self._graphviz_pending: LayoutKey | None = None
        self._graphviz_failed: LayoutKey | None = None
        self._focus_before: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="diagram-title", markup=False)
        yield DiagramView(id="diagram")

    @property
    def graphviz_pending(self) -> bool:
        """True while Graphviz is laying the diagram out."""
        return self._graphviz_pending is not None

    def open(self, model: ThreatModel, analysis: Analysis | None, boundary: str | None) -> None:
        """Come on screen with ``model`` drawn, and take the focus (remembering who had it)."""
        self._focus_before = self.screen.focused
        self.display = True
        self.show(model, analysis, boundary)
        self.query_one(DiagramView).focus()

    def close(self, fallback: Widget) -> None:
        """Leave the screen, giving the focus back (to ``fallback`` if its owner has gone)."""
        self.display = False
        previous = self._focus_before
        (previous if previous is not None and previous.is_attached else fallback).focus()

    def show(self, model: ThreatModel, analysis: Analysis | None, boundary: str | None) -> None:
        """Draw ``model`` (coloured by ``analysis`` of it, if any) with ``boundary`` highlighted."""
        self._model, self._analysis, self._boundary = model, analysis, boundary
        self.redraw()

    def toggle_layout(self) -> None:
        """Switch between Graphviz's layout (when installed) and the built-in layered one."""
        self.layout_mode = "layered" if self.layout_mode == "auto" else "auto"
        self.redraw()

    def redraw(self) -> None:
        """Draw the model again (if shown); start a Graphviz layout when one would help."""
        model = self._model
        if model is None or not self.display:
            return
        key = layout_key(model)
        ranks: Ranks | None = None
        if self.layout_mode == "auto":
            cached = self._graphviz_layout
            if cached is not None and cached[0] == key:
                ranks = cached[1]
            elif find_dot() is not None and self._graphviz_pending != key:
                self._graphviz_pending = key
                self._layout_with_graphviz(model, key)
        if len(model.components) + len(model.flows) <= SYNC_DRAW_LIMIT:
            self._drawn(model, draw(model, self._analysis, self._boundary, ranks))
        else:
            self._draw_in_thread(model, self._analysis, self._boundary, ranks)

    def next_boundary(self, current: str | None, step: int) -> str | None:
        """The boundary ``step`` (1 or -1) after ``current`` in the model; past the last, None."""
        order: list[str | None] = [None, *(self._model.boundaries if self._model is not None else ())]
        index = order.index(current) if current in order else 0
        return order[(index + step) % len(order)]

    def scroll_to_boundary(self, boundary_id: str) -> None:
        """Scroll so that the boxes inside ``boundary_id`` are in view."""
        view = self.query_one(DiagramView)
        diagram = view.diagram
        if diagram is None or self._model is None:
            return
        chains = Topology(self._model).component_chain
        members = [box for cid, box in diagram.boxes.items() if boundary_id in chains.get(cid, ())]
        if members:
            top = min(b.row for b in members)
            left = min(b.col for b in members)
            bottom = max(b.row + b.height for b in members)
            right = max(b.col + b.width for b in members)
            view.scroll_to_box(max(top - 3, 0), max(left - 4, 0), bottom - top + 6, right - left + 8)

    # description: Textual would describe the worker by repr() of its arguments, the whole model
    @work(thread=True, exclusive=True, group="diagram-draw", exit_on_error=False, description="draw the diagram")
    def _draw_in_thread(
        self, model: ThreatModel, analysis: Analysis | None, boundary: str | None, ranks: Ranks | None
    ) -> None:
        diagram = draw(model, analysis, boundary, ranks)
        self.app.call_from_thread(self._drawn, model, diagram)

    def _drawn(self, model: ThreatModel, diagram: TextDiagram) -> None:
        if model is not self._model:
            return  # an edit came in meanwhile; its own drawing follows
        self.query_one(DiagramView).show(diagram)
        self._show_title(model, diagram)

    @work(thread=True, exclusive=True, group="diagram-layout", exit_on_error=False, description="Graphviz layout")
    def _layout_with_graphviz(self, model: ThreatModel, key: LayoutKey) -> None:
        ranks = graphviz_ranks(model, timeout=GRAPHVIZ_TIMEOUT)
        self.app.call_from_thread(self._graphviz_done, key, ranks)

    def _graphviz_done(self, key: LayoutKey, ranks: Ranks | None) -> None:
        if self._graphviz_pending == key:
            self._graphviz_pending = None
        if ranks is None:
            self._graphviz_failed = key
            return  # the layered layout stays; the title says why
        self._graphviz_layout = (key, ranks)
        if self._model is not None and layout_key(self._model) == key:
            self.redraw()

    def _show_title(self, model: ThreatModel, diagram: TextDiagram) -> None:
        title = Text("Diagram", style="bold")
        if diagram.layout_source == "graphviz":
            layout = "Graphviz layout"
        elif self.layout_mode == "layered":
            layout = "layered layout (l: Graphviz)"
        elif find_dot() is None:
            layout = "layered layout (Graphviz not installed)"
        elif self._graphviz_pending is not None:
            layout = "layered layout (Graphviz is laying it out…)"
        elif self._graphviz_failed == layout_key(model):
            layout = "layered layout (Graphviz failed or timed out)"
        else:
            layout = "layered layout"
        title.append(f" · {layout}")
        boundary, analysis = self._boundary, self._analysis
        if boundary is not None and boundary in model.boundaries:
            title.append(" · boundary ")
            title.append_text(safe_text(model.display_name(boundary), limit=40, style="bold"))
            if analysis is not None:
                crossing = len(analysis.topology.flows_crossing(boundary))
                title.append(f" · {crossing} crossing flow{'s' if crossing != 1 else ''}")
        title.append("   [ ] boundary  l layout  g panes", style="dim")
        self.query_one("#diagram-title", Static).update(title)
