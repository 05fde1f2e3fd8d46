"""The screen's header: Textual's, with a title that is redrawn without laying the screen out.

Textual's header title is a text widget whose every update lays the whole screen out again, as
if its size could change; it cannot (one line, the header's width). The title changes with
every edit and save (the unsaved mark), so each of those paid a layout of every pane for it.
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

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield _Title() if type(widget) is HeaderTitle else widget
