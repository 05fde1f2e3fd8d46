"""A scroll view that lets a layout of the screen pass when its own geometry has not changed.

Textual's `ScrollView` takes every layout of the screen for a change of its scrollable size: it
compares the size the layout gives (its own, never the rows it scrolls) with its virtual size,
which differ whenever it scrolls, so each layout updates its scrollbars and repaints them. The
screen is laid out whenever a text changes height (the details of the next element), so the
scrollbars of every pane were drawn again on most moves of the cursor.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


class SteadyScrollView(ScrollView):
    """A `ScrollView` that is resized only when its size, the room inside its gutter or its
    scrollable size changed since its scrollbars were last updated."""

    _scrolled_for: tuple[Size, Size, Size] | None = None
    """The size, room and scrollable size of the last update of the scrollbars."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        if self._scrolled_for == (size, size - self.styles.gutter.totals, self.virtual_size) and self._size == size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)

    def _scroll_update(self, virtual_size: Size) -> None:
        super()._scroll_update(virtual_size)
        self._scrolled_for = (self._size, self.container_size, virtual_size)
