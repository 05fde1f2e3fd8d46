"""Ask where to save the model: a path, checked as it is typed."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from stride_tui.core.files.paths import folder_problem
from widgets import TextInput, safe_text

from .dialog import Dialog


class SaveAsScreen(Dialog[Path | None]):
    """A path input; dismisses with the chosen path, or None when cancelled.

    Only says whether the path can be written; the caller asks before overwriting a file.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Save to the path typed. |
    | escape | Cancel. |
    """

    def __init__(self, path: Path) -> None:
        """
        Args:
            path: The model's current path, offered as the starting point.
        """
        super().__init__()
        self.start: Path = path
        """The path offered first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="save-as-dialog", classes="dialog"):
            yield Static(Text("Save as", style="bold"), classes="dialog-title", markup=False)
            yield Static(Text("Path of the new model file (relative to the current folder):"), markup=False)
            yield TextInput(str(self.start), id="save-as-path")
            yield Static("", id="save-as-problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Save  [enter]"), id="save-as-save", variant="primary", compact=True)
                yield Button(Text("Cancel  [esc]"), id="save-as-cancel", compact=True)

    def on_mount(self) -> None:
        self._check()

    def problem(self) -> str | None:
        """Why the typed path cannot be saved to, or None when it can (as far as we can tell)."""
        text = self.query_one("#save-as-path", Input).value.strip()
        if not text:
            return "type a path"
        return folder_problem(Path(text).expanduser())

    def _check(self) -> bool:
        problem = self.problem()
        self.query_one("#save-as-problem", Static).update(safe_text(problem or "", style="red"))
        self.query_one("#save-as-save", Button).disabled = problem is not None
        return problem is None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save-as-save":
            self._save()
        else:
            self.dismiss(None)

    def _save(self) -> None:
        if self._check():
            self.dismiss(Path(self.query_one("#save-as-path", Input).value.strip()).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)
