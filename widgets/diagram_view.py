"""The data-flow diagram drawn in the terminal: a scrolling view over a `TextDiagram`.

Only the lines on screen are rendered (line API), so a diagram of thousands of rows scrolls as
smoothly as a small one. Cell tags from core become styles from the theme (component classes).
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from stride_tui.core.outputs.text_diagram import TextDiagram

_SEVERITIES = ("low", "medium", "high", "critical")


class DiagramView(ScrollView, can_focus=True):
    """Shows one `TextDiagram`; arrows, page keys and the mouse scroll it.

    Clicking a component's box posts `DiagramView.ComponentClicked`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Up", show=False),
        Binding("down", "scroll_down", "Down", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("shift+pageup,ctrl+pageup", "page_left", "Page left", show=False),
        Binding("shift+pagedown,ctrl+pagedown", "page_right", "Page right", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | arrows | Scroll a line or a column. |
    | pageup, pagedown | Scroll a screen up or down. |
    | shift+pageup, shift+pagedown | Scroll a screen left or right. |
    | home, end | Top or bottom of the diagram. |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diagram-view--frame",
        "diagram-view--selected-frame",
        "diagram-view--flow",
        "diagram-view--crossing",
        "diagram-view--selected-crossing",
        "diagram-view--node",
        "diagram-view--node-low",
        "diagram-view--node-medium",
        "diagram-view--node-high",
        "diagram-view--node-critical",
        "diagram-view--selected",
        "diagram-view--detail",
        "diagram-view--empty",
    }

    DEFAULT_CSS = """
    DiagramView {
        background: $surface;
        color: $foreground;
        overflow: auto auto;
        & > .diagram-view--frame { color: $error 70%; }
        & > .diagram-view--selected-frame { color: $error; text-style: bold; }
        & > .diagram-view--flow { color: $foreground-muted; }
        & > .diagram-view--crossing { color: $warning; }
        & > .diagram-view--selected-crossing { color: $accent; text-style: bold; }
        & > .diagram-view--node { color: $foreground; }
        & > .diagram-view--node-low { color: $success; }
        & > .diagram-view--node-medium { color: $warning; }
        & > .diagram-view--node-high { color: $error; }
        & > .diagram-view--node-critical { color: $error; text-style: bold; }
        & > .diagram-view--selected { background: $accent 25%; }
        & > .diagram-view--detail { color: $foreground-muted; }
        & > .diagram-view--empty { color: $foreground-muted; text-style: italic; }
    }
    """

    class ComponentClicked(Message):
        """The user clicked the box of a component."""

        def __init__(self, view: DiagramView, component_id: str) -> None:
            super().__init__()
            self.view: DiagramView = view
            """The view that was clicked."""
            self.component_id: str = component_id
            """The component whose box was clicked."""

        @property
        def control(self) -> DiagramView:
            """The view (for the `on` decorator)."""
            return self.view

    def __init__(
        self,
        *,
        empty_text: str = "Nothing to draw yet: add components (c) and flows (f).",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """
        Args:
            empty_text: Shown while the diagram has no components.
        """
        super().__init__(name=name, id=id, classes=classes)
        self.diagram: TextDiagram | None = None
        """The diagram shown, or None before the first one arrives."""
        self.empty_text: str = empty_text
        """What an empty diagram says."""
        self._styles: dict[str | None, Style] = {}

    def show(self, diagram: TextDiagram) -> None:
        """Show ``diagram``, keeping the scroll position where it still fits."""
        self.diagram = diagram
        self.virtual_size = Size(diagram.width, diagram.height)
        self.refresh()

    def scroll_to_box(self, row: int, col: int, height: int, width: int) -> None:
        """Bring a region of the diagram (a frame, a box) into view."""
        self.scroll_to_region(Region(col, row, width, height), animate=False, force=True)

    # ---------------------------------------------------------------------- drawing

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()  # the theme or the CSS changed

    def _style(self, tag: str | None) -> Style:
        style = self._styles.get(tag)
        if style is not None:
            return style
        base = self.rich_style
        if tag is None:
            style = base
        else:
            style = base
            for part in tag.split():
                detail = part.endswith("-detail")
                part = part.removesuffix("-detail")
                if part.startswith("node-") and part[5:] not in _SEVERITIES:
                    part = "node"
                name = f"diagram-view--{part}"
                if name in self.COMPONENT_CLASSES:
                    style += self.get_component_rich_style(name, partial=True)
                if detail:
                    style += self.get_component_rich_style("diagram-view--detail", partial=True)
        self._styles[tag] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        diagram = self.diagram
        base = self._style(None)
        if diagram is None or not diagram.lines:
            if y == 0 and diagram is not None:
                text = f" {self.empty_text}"[:width]
                empty = self.get_component_rich_style("diagram-view--empty", partial=True)
                return Strip([Segment(text, base + empty)]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        row = y + scroll_y
        if row >= diagram.height:
            return Strip.blank(width, base)
        segments = [Segment(text, self._style(tag)) for text, tag in diagram.runs(row)]
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, base)

    # ------------------------------------------------------------------------ mouse

    def on_click(self, event: events.Click) -> None:
        diagram = self.diagram
        if diagram is None:
            return
        col = event.x + int(self.scroll_x)
        row = event.y + int(self.scroll_y)
        for component_id, box in diagram.boxes.items():
            if box.row <= row < box.row + box.height and box.col <= col < box.col + box.width:
                event.stop()
                self.post_message(self.ComponentClicked(self, component_id))
                return
