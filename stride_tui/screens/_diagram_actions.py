"""The main screen's diagram view: the model's data-flow diagram in the terminal, following edits.

``g`` swaps the panes for the diagram. It is drawn at once with the layered layout; when
Graphviz is installed its layout is computed in a thread (with a timeout) and swapped in when
ready, and kept until the shape of the model changes. ``[`` and ``]`` pick the boundary whose
frame and crossing flows stand out; a click on a box selects that component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual import work

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Topology
from stride_tui.core.outputs.graphviz import find_dot
from stride_tui.core.outputs.text_diagram import TextDiagram, draw, graphviz_ranks
from widgets import DiagramView, safe_text

if TYPE_CHECKING:
    from .main_screen import MainScreen

GRAPHVIZ_TIMEOUT = 10.0
"""Seconds Graphviz may spend on the diagram view's layout before the layered one stays."""
SYNC_DRAW_LIMIT = 300
"""Diagrams of at most this many components and flows are drawn on the spot, larger in a thread."""

DiagramLayout = Literal["auto", "layered"]
Ranks = dict[str, tuple[int, float]]


def layout_key(model: ThreatModel) -> tuple:
    """What a layout depends on: components (and their label widths), flows, boundaries."""
    return (
        tuple((cid, c.name, c.technology, c.kind, c.boundary) for cid, c in model.components.items()),
        tuple((f.source, f.target) for f in model.flows.values()),
        tuple((bid, b.name, b.parent) for bid, b in model.boundaries.items()),
    )


class DiagramActions:
    """Mixed into `MainScreen`: showing, laying out and drawing the diagram view."""

    @property
    def diagram_shown(self: MainScreen) -> bool:
        """Whether the diagram view is on screen (instead of the panes)."""
        return bool(self.query_one("#diagram-pane").display)

    @property
    def selected_boundary(self: MainScreen) -> str | None:
        """The boundary highlighted in the diagram: the selected one, if a boundary is selected."""
        selection = self.selection
        return selection.element_id if selection is not None and selection.kind == "boundary" else None

    def action_toggle_diagram(self: MainScreen) -> None:
        """Swap the panes for the diagram view, or back."""
        showing = not self.diagram_shown
        self.query_one("#panes").display = not showing
        self.query_one("#diagram-pane").display = showing
        if showing:
            self._focus_before_diagram = self.focused
            self.redraw_diagram()
            self.query_one(DiagramView).focus()
        else:
            previous = self._focus_before_diagram
            if previous is not None and previous.is_attached:
                previous.focus()
            else:
                self.query_one("#components").focus()
        self.refresh_bindings()

    def action_diagram_boundary(self: MainScreen, step: int) -> None:
        """Highlight the next (``step`` 1) or previous (-1) boundary; past the last, none."""
        if not self.diagram_shown:
            self.action_toggle_diagram()
        ids = list(self.model.boundaries)
        if not ids:
            self.notify("This model has no trust boundaries yet (b adds one).", markup=False, timeout=3)
            return
        current = self.selected_boundary
        order: list[str | None] = [None, *ids]
        index = order.index(current) if current in order else 0
        chosen = order[(index + step) % len(order)]
        self._select(None if chosen is None else self._selection_of("boundary", chosen))
        diagram = self.query_one(DiagramView).diagram
        if chosen is not None and diagram is not None:
            chains = Topology(self.model).component_chain
            members = [box for cid, box in diagram.boxes.items() if chosen in chains.get(cid, ())]
            if members:
                top = min(b.row for b in members)
                left = min(b.col for b in members)
                bottom = max(b.row + b.height for b in members)
                right = max(b.col + b.width for b in members)
                self.query_one(DiagramView).scroll_to_box(
                    max(top - 3, 0), max(left - 4, 0), bottom - top + 6, right - left + 8
                )

    def action_diagram_layout(self: MainScreen) -> None:
        """Switch between Graphviz's layout (when installed) and the built-in layered one."""
        self.diagram_layout = "layered" if self.diagram_layout == "auto" else "auto"
        if not self.diagram_shown:
            self.action_toggle_diagram()
        self.redraw_diagram()

    def on_diagram_view_component_clicked(self: MainScreen, message: DiagramView.ComponentClicked) -> None:
        self._select(self._selection_of("component", message.component_id))
        name = self.model.display_name(message.component_id)
        self.notify(f"Selected {name}: e edits it, g shows the panes.", markup=False, timeout=3)

    # ---------------------------------------------------------------------- drawing

    def redraw_diagram(self: MainScreen) -> None:
        """Draw the current model (if the view is shown); start a Graphviz layout if useful."""
        if not self.diagram_shown:
            return
        model = self.model
        analysis = self.analysis if self.analysis is not None and self.analysis.model is model else None
        key = layout_key(model)
        ranks: Ranks | None = None
        if self.diagram_layout == "auto":
            cached = self._graphviz_layout
            if cached is not None and cached[0] == key:
                ranks = cached[1]
            elif find_dot() is not None and self._graphviz_pending != key:
                self._graphviz_pending = key
                self._layout_with_graphviz(model, key)
        if len(model.components) + len(model.flows) <= SYNC_DRAW_LIMIT:
            self._diagram_drawn(model, draw(model, analysis, self.selected_boundary, ranks))
        else:
            self._draw_in_thread(model, analysis, self.selected_boundary, ranks)

    @work(thread=True, exclusive=True, group="diagram-draw", exit_on_error=False)
    def _draw_in_thread(
        self: MainScreen, model: ThreatModel, analysis: Analysis | None, boundary: str | None, ranks: Ranks | None
    ) -> None:
        diagram = draw(model, analysis, boundary, ranks)
        self.app.call_from_thread(self._diagram_drawn, model, diagram)

    def _diagram_drawn(self: MainScreen, model: ThreatModel, diagram: TextDiagram) -> None:
        if model is not self.model:
            return  # an edit came in meanwhile; its own drawing follows
        self.query_one(DiagramView).show(diagram)
        self._show_diagram_title(diagram)

    @work(thread=True, exclusive=True, group="diagram-layout", exit_on_error=False)
    def _layout_with_graphviz(self: MainScreen, model: ThreatModel, key: tuple) -> None:
        ranks = graphviz_ranks(model, timeout=GRAPHVIZ_TIMEOUT)
        self.app.call_from_thread(self._graphviz_done, key, ranks)

    def _graphviz_done(self: MainScreen, key: tuple, ranks: Ranks | None) -> None:
        if self._graphviz_pending == key:
            self._graphviz_pending = None
        if ranks is None:
            self._graphviz_failed = key
            return  # the layered layout stays; the title says why
        self._graphviz_layout = (key, ranks)
        if layout_key(self.model) == key:
            self.redraw_diagram()

    def _show_diagram_title(self: MainScreen, diagram: TextDiagram) -> None:
        title = Text("Diagram", style="bold")
        if diagram.layout_source == "graphviz":
            layout = "Graphviz layout"
        elif self.diagram_layout == "layered":
            layout = "layered layout (l: Graphviz)"
        elif find_dot() is None:
            layout = "layered layout (Graphviz not installed)"
        elif self._graphviz_pending is not None:
            layout = "layered layout (Graphviz is laying it out…)"
        elif self._graphviz_failed == layout_key(self.model):
            layout = "layered layout (Graphviz failed or timed out)"
        else:
            layout = "layered layout"
        title.append(f" · {layout}")
        boundary = self.selected_boundary
        analysis = self.analysis
        if boundary is not None and boundary in self.model.boundaries:
            title.append(" · boundary ")
            title.append_text(safe_text(self.model.display_name(boundary), limit=40, style="bold"))
            if analysis is not None and analysis.model is self.model:
                crossing = len(analysis.topology.flows_crossing(boundary))
                title.append(f" · {crossing} crossing flow{'s' if crossing != 1 else ''}")
        title.append("   [ ] boundary  l layout  g panes", style="dim")
        self.query_one("#diagram-title").update(title)
