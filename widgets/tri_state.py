"""A one-line control for a fact that is true, false or not known: yes / no / unknown."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

_CHOICES: tuple[tuple[bool | None, str], ...] = ((True, "yes"), (False, "no"), (None, "unknown"))


class TriState(Widget, can_focus=True):
    """Shows ``yes  no  unknown`` with the current value marked.

    Unknown is a real answer here: a rule treats it as "not shown to be mitigated", so the
    control never forces a yes or a no. Changing the value posts `TriState.Changed`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "Previous", show=False),
        Binding("right", "step(1)", "Next", show=False),
        Binding("space", "step(1)", "Next", show=False),
        Binding("y", "set('yes')", "Yes", show=False),
        Binding("n", "set('no')", "No", show=False),
        Binding("u", "set('unknown')", "Unknown", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | left, right, space | Move to the previous / next answer. |
    | y, n, u | Answer yes, no or unknown. |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tri-state--selected", "tri-state--other"}

    DEFAULT_CSS = """
    TriState {
        width: auto;
        height: 1;
        & > .tri-state--other {
            color: $foreground-muted;
        }
        & > .tri-state--selected {
            background: $panel-lighten-2;
            color: $foreground;
            text-style: bold;
        }
        &:focus > .tri-state--selected {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
    }
    """

    value: reactive[bool | None] = reactive(None)
    """True (yes), False (no) or None (unknown)."""

    class Changed(Message):
        """The value changed."""

        def __init__(self, tri_state: TriState, value: bool | None) -> None:
            super().__init__()
            self.tri_state: TriState = tri_state
            """The control that changed."""
            self.value: bool | None = value
            """The new value."""

        @property
        def control(self) -> TriState:
            """The control (for the `on` decorator)."""
            return self.tri_state

    def __init__(
        self,
        value: bool | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.set_reactive(TriState.value, value)

    def watch_value(self, value: bool | None) -> None:
        self.post_message(self.Changed(self, value))

    def render(self) -> Text:
        selected = self.get_component_rich_style("tri-state--selected")
        other = self.get_component_rich_style("tri-state--other")
        text = Text(no_wrap=True, end="")
        for i, (value, label) in enumerate(_CHOICES):
            if i:
                text.append(" ")
            text.append(f" {label} ", style=selected if value is self.value else other)
        return text

    def action_step(self, delta: int) -> None:
        values = [v for v, _ in _CHOICES]
        self.value = values[(values.index(self.value) + delta) % len(values)]

    def action_set(self, label: str) -> None:
        self.value = next(v for v, name in _CHOICES if name == label)

    async def _on_click(self, event: events.Click) -> None:
        x = 0
        for _i, (value, label) in enumerate(_CHOICES):
            end = x + len(label) + 2
            if x <= event.x < end:
                self.value = value
                return
            x = end + 1
