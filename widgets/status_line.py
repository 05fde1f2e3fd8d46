"""A one-line status strip under the panes: the session clock, or work running in the background."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import LoadingIndicator, Static


class StatusLine(Horizontal):
    """Text on one line, with a spinner while something runs; hidden while there is nothing to say.

    The screen hands it values (`show`, `clear`); it owns nothing.
    """

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        display: none;
        background: $panel;
        &.-shown {
            display: block;
        }
        & > LoadingIndicator {
            width: 6;
            height: 1;
            display: none;
            background: $panel;
        }
        &.-busy > LoadingIndicator {
            display: block;
        }
        & > Static {
            width: 1fr;
            height: 1;
            padding: 0 1;
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Static("", markup=False)

    @property
    def text(self) -> str:
        """The text shown (plain)."""
        content = self.query_one(Static).visual
        return str(content) if content is not None else ""

    def show(self, text: Text, *, busy: bool = False) -> None:
        """Show ``text`` (with a spinner when ``busy``)."""
        self.query_one(Static).update(text)
        self.set_class(True, "-shown")
        self.set_class(busy, "-busy")

    def clear(self) -> None:
        """Hide the line."""
        self.query_one(Static).update("")
        self.set_class(False, "-shown", "-busy")
