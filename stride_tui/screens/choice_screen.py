"""A question with a few answers, each on a button and a key: confirm, save/discard/cancel…"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Static

from .dialog import Dialog


@dataclass(frozen=True)
class Choice:
    """One answer: what it returns, its button text, the key that picks it."""

    value: str
    label: str
    key: str
    variant: str = "default"


class ChoiceScreen(Dialog[str | None]):
    """Asks one question; dismisses with the chosen answer's value, or None on escape.

    Each answer has a key (shown on its button): ``s`` for "Save", ``d`` for "Discard"...
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose(None)", "Cancel"),
        Binding("left", "app.focus_previous", "Previous", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Close without choosing (same as cancel). |
    | left, right, tab | Move between the answers; enter picks the focused one. |
    | the answer's key | Pick that answer. |
    """

    def __init__(
        self,
        title: str,
        lines: Sequence[Text | str],
        choices: Sequence[Choice],
        *,
        default: str | None = None,
    ) -> None:
        """
        Args:
            title: The question, short.
            lines: What the user needs to know to answer (``Text`` for user text).
            choices: The answers, left to right.
            default: The value of the answer focused first.
        """
        super().__init__()
        self.question: str = title
        """The question."""
        self.lines: list[Text] = [line if isinstance(line, Text) else Text(line) for line in lines]
        """The explanation."""
        self.choices: tuple[Choice, ...] = tuple(choices)
        """The answers."""
        self.default: str | None = default
        """The answer focused first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-dialog", classes="dialog"):
            yield Static(Text(self.question, style="bold"), id="choice-title", classes="dialog-title", markup=False)
            with VerticalScroll(id="choice-body"):
                yield Static(Group(*self.lines), id="choice-text", markup=False)
            with Horizontal(id="choice-buttons", classes="dialog-buttons"):
                for choice in self.choices:
                    yield Button(
                        Text(f"{choice.label}  [{choice.key}]"),
                        id=f"choice-{choice.value}",
                        variant=choice.variant,  # type: ignore[arg-type]
                        compact=True,
                    )

    def initial_focus(self) -> Widget | None:
        value = self.default or self.choices[0].value
        return self.query_one(f"#choice-{value}", Button)

    def key_ends_typing(self, key: events.Key) -> Callable[[list[events.Key]], object] | None:
        # an answer typed with the key that asked: answer, and the rest goes to what comes next
        for choice in self.choices:
            if key.key == choice.key:
                return partial(self._answer_typed, choice.value)
        return None

    def _answer_typed(self, value: str, rest: list[events.Key]) -> None:
        self.dismiss(value)
        self.pass_on(rest)

    def on_key(self, event: events.Key) -> None:
        for choice in self.choices:
            if event.key == choice.key:
                event.stop()
                self.dismiss(choice.value)
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        value = (event.button.id or "").removeprefix("choice-")
        self.dismiss(value)

    def action_choose(self, value: str | None) -> None:
        self.dismiss(value)
