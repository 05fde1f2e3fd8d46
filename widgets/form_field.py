"""One labelled field of a form: the control for its kind of value, and its error beneath."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea

from .choice_box import ChoiceBox
from .safe_text import safe_text
from .text_input import TextBox, TextInput
from .tri_state import TriState

CHOICE_KEYS = "Enter or ↓ opens the list; type a few letters to jump to a match; enter picks it."
"""How a drop-down is used from the keyboard (Textual's type-to-search), told in its help."""

LABEL_WIDTH = 22
"""Columns of the label, right-aligned with one blank column before the control."""

FieldKind = Literal["line", "text", "bool", "choice", "tags"]
"""line: one line of text · text: several lines · bool: yes/no/unknown · choice: one of a
list · tags: a comma-separated list of words."""


class FormField(Widget):
    """A form row: label on the left; the control, then its error (when any), on the right.

    Whatever control the field uses, a change posts `FormField.Changed`, and `value` reads it
    as the model spells it: text (None when blank), True/False/None, a choice, a list of tags.

    A form opens as fast as Textual can style and lay out its widgets, so a field is as few of
    them as it can be: the row draws its label itself (left of its children, which sit past
    the label's column), and a field that is hidden when the form opens (a fact of another
    kind of component) mounts its control only when it is first shown.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"form-field--label"}

    DEFAULT_CSS = """
    FormField {
        height: auto;
        layout: vertical;
        & > .form-field--label {
            color: $foreground-muted;
        }
        &:focus-within > .form-field--label {
            color: $accent;
            text-style: bold;
        }
        &.-invalid > .form-field--label {
            color: $text-error;
        }
        & > * {
            margin-left: 22;
        }
        .form-field--error {
            color: $text-error;
            display: none;
        }
        .form-field--hint {
            color: $text-warning;
            display: none;
        }
        &.-hinted .form-field--hint {
            display: block;
        }
        &.-invalid .form-field--error {
            display: block;
        }
        Input, Select {
            width: 1fr;
        }
        TextArea {
            height: auto;
            min-height: 2;
            max-height: 6;
        }
        Input.-textual-compact, TextArea.-textual-compact {
            background: $boost;
        }
        Input.-textual-compact:focus, TextArea.-textual-compact:focus {
            background: $foreground 12%;
        }
    }
    """

    class Changed(Message):
        """The field's value changed (typing, choosing, toggling)."""

        def __init__(self, field: FormField) -> None:
            super().__init__()
            self.field: FormField = field
            """The field that changed."""

        @property
        def control(self) -> FormField:
            """The field (for the `on` decorator)."""
            return self.field

    def __init__(
        self,
        key: str,
        label: str,
        kind: FieldKind,
        *,
        value: object = None,
        choices: Sequence[tuple[Text | str, str]] = (),
        blank: str | None = "unknown",
        help: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """
        Args:
            key: The key this field sets, as the model file spells it (``from``, ``encrypted``).
            label: The text left of the control.
            kind: What kind of value it holds (see `FieldKind`).
            value: The value to start with.
            choices: For ``choice`` fields, (label, value) pairs; labels may be user text.
            blank: For ``choice`` fields, what "no choice" is called, or None when a choice is required.
            help: A sentence on what the field means, shown as its tooltip.
        """
        super().__init__(id=id or f"field-{key}", classes=classes)
        self.key: str = key
        """The key this field sets."""
        self.kind: FieldKind = kind
        """What kind of value the field holds."""
        if kind == "choice":
            help = f"{help} {CHOICE_KEYS}".strip()
        self.help: str = help
        """What the field means (for a drop-down, with how to pick by typing)."""
        self._label_lines = textwrap.wrap(label, LABEL_WIDTH - 1) or [""]
        if len(self._label_lines) > 1:  # the row is as tall as its children: make room for the label
            self.styles.min_height = len(self._label_lines)
        if help:
            self.tooltip = help
        self._made: Widget | None = None
        self._blank = blank
        self._start: tuple[object, Sequence[tuple[Text | str, str]]] = (value, choices)
        """The value and choices it was made with (what `take_over` gives another field)."""
        self._error: str | None = None
        self._hint: str | None = None
        self._choices_shown: list[tuple[Text | str, str]] = []
        """The choices its drop-down offers (once made)."""

    @property
    def _control(self) -> Widget:
        # made when first needed: a form made only to fill a kept one again never needs them
        if self._made is None:
            value, choices = self._start
            self._made = self._make_control(self.kind, value, choices, self._blank)
            self._choices_shown = list(choices)
        return self._made

    def _make_control(
        self, kind: FieldKind, value: object, choices: Sequence[tuple[Text | str, str]], blank: str | None
    ) -> Widget:
        if kind == "bool":
            return TriState(value if isinstance(value, bool) else None)
        if kind == "choice":
            options = [(c if isinstance(c, Text) else Text(c), v) for c, v in choices]
            start = value if any(v == value for _, v in options) else Select.NULL
            return ChoiceBox(
                options,
                value=start,
                allow_blank=blank is not None,
                prompt=blank or "choose",
                compact=True,
            )
        if kind == "text":
            area = TextBox(str(value or ""), soft_wrap=True, compact=True, show_line_numbers=False)
            area.indent_type = "spaces"
            return area
        if kind == "tags":
            text = ", ".join(value) if isinstance(value, (list, tuple)) else ""
            return TextInput(text, placeholder="comma-separated", compact=True)
        return TextInput(str(value or ""), compact=True)

    def compose(self) -> ComposeResult:
        if self.display:
            yield self._control

    def render(self) -> Text:
        """The label, right-aligned in its column (the children are drawn over the rest)."""
        style = self.get_component_rich_style("form-field--label")
        width = LABEL_WIDTH - 1
        text = Text(no_wrap=True, end="")
        for index, line in enumerate(self._label_lines):
            if index:
                text.append("\n")
            # the blanks unstyled, as a label widget's padding would be
            text.append(" " * (width - len(line)))
            text.append(line, style)
            text.append(" ")
        return text

    @property
    def display(self) -> bool:
        return DOMNode.display.fget(self)  # type: ignore[attr-defined]

    @display.setter
    def display(self, show: bool | str) -> None:
        DOMNode.display.fset(self, show)  # type: ignore[attr-defined]
        if show and self.is_mounted and self._control.parent is None:
            self.mount(self._control, before=0 if self.children else None)

    @property
    def control(self) -> Widget:
        """The input widget of this field."""
        return self._control

    @property
    def value(self) -> object:
        """The value as the model spells it; None means unknown / not set."""
        control = self._control
        if isinstance(control, TriState):
            return control.value
        if isinstance(control, Select):
            return None if control.value is Select.NULL else control.value
        if isinstance(control, TextArea):
            return control.text.strip("\n") or None
        assert isinstance(control, Input)
        text = control.value
        if self.kind == "tags":
            return [part.strip() for part in text.split(",") if part.strip()] or None
        return text.strip() or None

    def set_value(self, value: object) -> None:
        """Put ``value`` in the control (a change message follows, as for typing)."""
        control = self._control
        if isinstance(control, TriState):
            control.value = value if isinstance(value, bool) else None
        elif isinstance(control, Select):
            control.value = value if value is not None else Select.NULL
        elif isinstance(control, TextArea):
            control.text = str(value or "")
        elif isinstance(control, Input):
            if isinstance(value, (list, tuple)):
                value = ", ".join(value)
            control.value = str(value or "")

    def take_over(self, other: FormField) -> None:
        """Start again as ``other`` (the same field of a form that was never opened) starts:
        its value and choices, no error or hint, shown or not as it is (a form kept for the
        next element is filled again this way instead of being composed again)."""
        value, choices = other._start
        self._start = other._start
        if self._made is not None:  # else it is made with these when first shown
            if self.kind == "choice":
                if list(choices) != self._choices_shown:  # setting them anew resets the drop-down
                    self.set_choices(choices)
                if not any(v == value for _, v in choices):
                    # as a new drop-down shows it: blank, or (no blank allowed) the first choice
                    value = None if self._blank is not None or not choices else choices[0][1]
            self.set_value(value)
            if isinstance(self._made, TextArea):
                self._made.move_cursor((0, 0))  # at the start, as a new text area's is
        self.set_error(None)
        self.set_hint(None)
        self.display = other.display

    def set_choices(self, choices: Sequence[tuple[Text | str, str]]) -> None:
        """Replace a choice field's options, keeping the value when it is still offered."""
        control = self._control
        self._choices_shown = list(choices)
        if isinstance(control, Select):
            current = control.value
            control.set_options([(c if isinstance(c, Text) else Text(c), v) for c, v in choices])
            if any(v == current for _, v in choices):
                control.value = current

    def set_error(self, message: str | None) -> None:
        """Show ``message`` under the control, or clear it."""
        if message == self._error:
            return  # forms check on every key: repaint only what changed
        self._error = message
        self.set_class(bool(message), "-invalid")
        self._note("form-field--error").update(safe_text(message or ""))

    def set_hint(self, message: str | None) -> None:
        """Show a note under the control that is not an error (e.g. what a rename updates)."""
        if message == self._hint:
            return
        self._hint = message
        self.set_class(bool(message), "-hinted")
        self._note("form-field--hint").update(safe_text(message or ""))

    def _note(self, kind: str) -> Static:
        """The error or hint line under the control, mounted the first time it is needed
        (most fields never need one, and every widget makes a form slower to open)."""
        found = self.query(f".{kind}")
        if found:
            return found.first(Static)
        note = Static("", classes=kind, markup=False)
        self.mount(note)
        return note

    def focus(self, scroll_visible: bool = True) -> FormField:
        """Focus the control rather than the row."""
        self._control.focus(scroll_visible)
        return self

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def on_tri_state_changed(self, event: TriState.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))
