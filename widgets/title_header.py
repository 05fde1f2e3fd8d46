"""The screen's header: Textual's, with a title that is redrawn without laying the screen out.

Textual's header title is a text widget whose every update lays the whole screen out again, as
if its size could change; it cannot (one line, the header's width). The title changes with
every edit and save (the unsaved mark), so each of those paid a layout of every pane for it.
A screen can also hand it a new title at once (`show_title`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.visual import VisualType
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class _Title(HeaderTitle):
    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=False)


class TitleHeader(Header):
    """A `Header` whose title repaints in place."""

    def show_title(self) -> None:
        """Show the screen's title and sub-title as they are now: for a screen that sets them
        without Textual's repaint of the whole screen (`Screen.set_reactive`), which also skips
        the header's own watchers (they would redraw it a frame later)."""
        self.query_one(_Title).update(self.format_title())

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield _Title() if type(widget) is HeaderTitle else widget
