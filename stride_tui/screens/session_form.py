"""Ask for the phase lengths of a 30-minute session before it starts."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from stride_tui.core.session import DEFAULT_MINUTES, PHASES
from widgets import TextInput, safe_text

from .dialog import Dialog

MAX_MINUTES = 240


class SessionForm(Dialog[tuple[int, int, int] | None]):
    """Three minute fields, one per phase; dismisses with the lengths, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "start", "Start", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab | Next field. |
    | enter, ctrl+s | Start the session. |
    | escape | Cancel. |
    """

    def __init__(self, minutes: tuple[int, int, int] = DEFAULT_MINUTES) -> None:
        """
        Args:
            minutes: The lengths offered (the last session's, or 10/10/10).
        """
        super().__init__()
        self.minutes: tuple[int, int, int] = minutes
        """The lengths offered first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="session-dialog", classes="dialog"):
            yield Static(Text("Start a threat-modelling session", style="bold"), classes="dialog-title", markup=False)
            yield Static(
                Text(
                    "The clock in the status bar walks the squad through three phases and tells you "
                    "when to move on. Minutes per phase:"
                ),
                markup=False,
            )
            for index, (phase, minutes) in enumerate(zip(PHASES, self.minutes, strict=False)):
                with Horizontal(classes="session-phase"):
                    yield Label(Text(f"{index + 1}. {phase}"), classes="session-phase-name")
                    yield TextInput(
                        str(minutes), id=f"session-minutes-{index}", type="integer", max_length=3, compact=True
                    )
            yield Static("", id="session-problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Start  [enter]"), id="session-start", variant="primary", compact=True)
                yield Button(Text("Cancel  [esc]"), id="session-cancel", compact=True)

    def on_mount(self) -> None:
        self._check()

    def initial_focus(self) -> Widget | None:
        return self.query_one("#session-minutes-0", Input)

    def values(self) -> tuple[int, int, int] | None:
        """The lengths typed, or None while one is not a whole number of minutes in range."""
        result = []
        for index in range(len(PHASES)):
            text = self.query_one(f"#session-minutes-{index}", Input).value.strip()
            if not text.isdigit() or not 1 <= int(text) <= MAX_MINUTES:
                return None
            result.append(int(text))
        return (result[0], result[1], result[2])

    def _check(self) -> bool:
        ok = self.values() is not None
        problem = "" if ok else f"each phase takes 1 to {MAX_MINUTES} whole minutes"
        self.query_one("#session-problem", Static).update(safe_text(problem, style="red"))
        self.query_one("#session-start", Button).disabled = not ok
        return ok

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "session-start":
            self.action_start()
        else:
            self.dismiss(None)

    def action_start(self) -> None:
        if self._check():
            self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)
