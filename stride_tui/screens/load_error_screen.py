"""Shown instead of the editor when the model file cannot be opened: the errors, and a way out."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from widgets import plain_text, safe_text


class LoadErrorScreen(Screen[None]):
    """Lists every problem found in the model file; the user can read them and quit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", show=False),
        Binding("escape", "app.quit", "Quit", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | q, escape | Quit (as ctrl+q does). |
    """

    def __init__(self, path: Path, messages: list[str]) -> None:
        """
        Args:
            path: The file that failed to open.
            messages: One ``PATH:LINE:COL: error: MESSAGE`` line per problem.
        """
        super().__init__()
        self.path: Path = path
        """The file that failed to open."""
        self.messages: list[str] = messages
        """The problems, one line each."""

    def compose(self) -> ComposeResult:
        yield Header()
        heading = Text("Cannot open ", style="bold")
        heading.append_text(safe_text(str(self.path), style="bold"))
        count = len(self.messages)
        heading.append(f" — {count} problem{'s' if count != 1 else ''}:")
        yield Static(heading, id="load-error-heading", markup=False)
        with VerticalScroll(id="load-errors") as errors:
            errors.border_title = "Errors"
            yield Static(safe_text("\n".join(self.messages)), id="load-error-list", markup=False)
        yield Static(
            Text("Fix the file (`stride-tui validate FILE` lists the same errors), then open it."),
            id="load-error-hint",
            markup=False,
        )
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = plain_text(self.path.name)
