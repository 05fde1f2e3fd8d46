"""Shown instead of the editor while the terminal is too small to lay it out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH = 60
MIN_HEIGHT = 18


def too_small(width: int, height: int) -> bool:
    """Whether a terminal of this size is too small for the editor."""
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(Screen[None]):
    """A notice with the size needed; the app removes it once the terminal is large enough.

    Nothing is lost meanwhile: the editor underneath keeps the model, timers keep running.
    """

    DEFAULT_CSS = """
    TooSmallScreen {
        align: center middle;
        & > Static {
            width: 100%;
            height: auto;
            text-align: center;
            color: $warning;
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(self._text(), id="too-small-text", markup=False)

    def _text(self) -> Text:
        width, height = self.app.size
        return Text(
            f"Terminal too small ({width}×{height}).\n"
            f"stride-tui needs at least {MIN_WIDTH}×{MIN_HEIGHT}: make the window larger.\n"
            "Your work is kept. ctrl+q quits.",
        )

    def on_resize(self) -> None:
        self.query_one("#too-small-text", Static).update(self._text())

    def on_screen_resume(self) -> None:
        if not too_small(*self.app.size):
            self.call_later(self.dismiss)  # uncovered after the terminal grew
