"""The sketch line: a data flow typed as fast as it is said, one line at a time, each line one edit.

A bar at the bottom of the editor (the panes stay in view above it) with one input. Enter
applies the line through `core.editing.sketch` and records it as one undoable edit, then clears
the input for the next line; a line with a problem stays as typed, its faulty part is shown
highlighted with the message (the cursor stays where it was). Tab completes the component or
boundary name being typed (grey text shows what it would add); ctrl+z takes back the last line,
ctrl+s applies the line typed (if any) and saves the file in one key, esc closes the bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Static

from stride_tui.core.editing.sketch import SYNTAX, SketchError, SketchResult, apply_sketch
from stride_tui.core.editing.sketch_complete import complete, suggestion
from stride_tui.core.model.elements import ThreatModel
from widgets import TextInput, safe_text

from .dialog import Dialog
from .help_screen import HelpScreen

ModelOf = Callable[[], ThreatModel]
Record = Callable[[ThreatModel, str], None]


class _Names(Suggester):
    """The grey suggestion: what Tab would add to the line."""

    def __init__(self, model_of: ModelOf) -> None:
        # the names change with every line: never cache; case matters (the line is kept as typed)
        super().__init__(use_cache=False, case_sensitive=True)
        self._model_of = model_of

    async def get_suggestion(self, value: str) -> str | None:
        return suggestion(self._model_of(), value)


class _SketchInput(TextInput):
    """The line; Enter applies it at once, in the order of the keys around it (not later,
    through a message, which a key typed right after Enter could overtake)."""

    def __init__(self, submit: Callable[[], object], model_of: ModelOf) -> None:
        super().__init__(placeholder=SYNTAX, id="sketch-input", suggester=_Names(model_of), compact=True)
        self._submit = submit

    async def action_submit(self) -> None:
        self._submit()


class SketchScreen(Dialog[None]):
    """The sketch bar over the main screen; it changes the model only through ``record``."""

    DEFAULT_CSS = """
    SketchScreen {
        align: center bottom;
        background: $background 0%;
    }
    #sketch-bar {
        dock: bottom;
        width: 100%;
        height: auto;
        background: $surface;
        border-top: thick $accent 60%;
        padding: 0 1;
    }
    #sketch-title {
        color: $foreground-muted;
    }
    #sketch-input {
        width: 1fr;
        margin: 1 0 0 0;
    }
    #sketch-status {
        height: auto;
        min-height: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+z", "undo", "Undo last line", priority=True),
        Binding("ctrl+s", "save", "Save file", priority=True),
        Binding("f1", "help", "Help"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Apply the line (one undoable edit); the line stays open for the next. |
    | tab | Complete the name being typed. |
    | ctrl+z | Take back the last edit. |
    | ctrl+s | Apply the line typed, if any, and save the file. |
    | f1 | Help (the syntax, every key). |
    | escape | Close the sketch line. |
    """

    def __init__(self, model_of: ModelOf, record: Record, undo: Callable[[], None], save: Callable[[], None]) -> None:
        """
        Args:
            model_of: The model as it is now (each line applies to the current model).
            record: Makes a new model current, undoable as the given label.
            undo: Takes back the last edit.
            save: Saves the file.
        """
        super().__init__()
        self._model_of = model_of
        self._record = record
        self._undo = undo
        self._save = save
        self.applied: list[SketchResult] = []
        """What each applied line did, in order."""
        self.error: SketchError | None = None
        """The problem of the last line Enter was pressed on, while it is shown."""

    def compose(self) -> ComposeResult:
        with Vertical(id="sketch-bar"):
            yield Static(
                Text.assemble(
                    ("Sketch", "bold"),
                    "  enter applies · tab completes · ctrl+z undoes · ctrl+s applies and saves · F1 help · esc closes",
                ),
                id="sketch-title",
                markup=False,
            )
            yield _SketchInput(self.submit, self._model_of)
            yield Static(Text(SYNTAX, style="dim"), id="sketch-status", markup=False)

    @property
    def line(self) -> Input:
        """The input the line is typed in."""
        return self.query_one("#sketch-input", Input)

    def initial_focus(self) -> Widget | None:
        return self.query_one("#sketch-input", Input)

    def _status(self, text: Text) -> None:
        self.query_one("#sketch-status", Static).update(text)

    def submit(self) -> bool:
        """Apply the line: one edit, then an empty line; or the problem, shown in place (False)."""
        line = self.line
        text = line.value
        try:
            result = apply_sketch(self._model_of(), text)
        except SketchError as error:
            self.error = error
            self._show_error(text, error)  # the cursor stays put: backspace fixes the end, as typed
            self.app.bell()
            return False
        self.error = None
        self._record(result.model, result.label)
        self.applied.append(result)
        line.value = ""
        done = Text("✓ ", style="green")
        done.append_text(safe_text("; ".join(result.changes)))
        for note in result.notes:
            done.append("\n")
            done.append_text(safe_text(f"note: {note}", style="dim"))
        self._status(done)
        return True

    def _show_error(self, text: str, error: SketchError) -> None:
        start = min(error.start, len(text))
        end = min(max(error.end, start + 1), len(text))
        shown = Text.assemble(
            safe_text(text[:start]),
            safe_text(text[start:end] or " ", style="bold reverse red"),
            safe_text(text[end:]),
        )
        shown.append("\n")
        shown.append_text(safe_text(str(error), style="red"))
        self._status(shown)

    def action_move_focus(self, direction: int) -> None:
        # the one field has nothing to move to: tab completes the name being typed, once the
        # letters typed before it are in the line (tab is read ahead of them: a priority key)
        if self.holding_keys:
            super().action_move_focus(direction)
        elif direction > 0:
            self.after_typed_keys(self.complete)

    def complete(self) -> None:
        """Complete the name at the end of the line; list the names when several match."""
        line = self.line
        done = complete(self._model_of(), line.value)
        if done.line != line.value:
            line.value = done.line
            line.cursor_position = len(done.line)
        if len(done.candidates) > 1:
            self._status(safe_text("matches: " + ", ".join(done.candidates), style="dim"))

    def action_undo(self) -> None:
        self.after_typed_keys(self._undo_now)

    def _undo_now(self) -> None:
        self._undo()
        self._status(Text("took back the last edit (ctrl+y on the main screen redoes it)", style="dim"))

    def action_save(self) -> None:
        self.after_typed_keys(self._apply_and_save)

    def _apply_and_save(self) -> None:
        """ctrl+s: the line typed is applied first (Enter, then save, in one key); a line with
        a problem saves nothing, so the file never misses what the line seems to say."""
        if self.line.value.strip() and not self.submit():
            status = self.query_one("#sketch-status", Static).content
            if isinstance(status, Text):
                self._status(status.append("\nnothing saved: fix the line (or clear it), then ctrl+s", style="red"))
            return
        self._save()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_close(self) -> None:
        self.dismiss(None)
