"""The base of every editing form: fields checked as they change, save and cancel.

A form is given the model, builds its fields, and checks the values on every change through
core (pydantic for the element, ``core.edits`` for ids and references), showing each problem
next to its field. Applying asks core for the new model and dismisses with it; the main screen
then records it for undo (and, after ctrl+s, saves the file). The model itself is never changed
here. Esc on a changed form asks before anything typed is thrown away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from stride_tui.core.editing import GENERAL, EditError
from stride_tui.core.model.elements import ThreatModel
from widgets import FormField, safe_text

from .choice_screen import Choice, ChoiceScreen
from .dialog import Dialog


@dataclass(frozen=True)
class FormResult:
    """What a saved form produced: the new model, a label for undo, what to select after."""

    model: ThreatModel
    label: str
    select: tuple[str, str] | None = None
    """(section, id) of the element the user was editing, to keep it selected."""
    save_file: bool = False
    """The user saved with ctrl+s: write the file too, not only the edit (one key, not two)."""


class FormScreen(Dialog[FormResult | None]):
    """A modal form: subclasses say which fields it has (`build_fields`), what is wrong with
    the values (`check`) and what saving does (`submit`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+s | Apply the form and save the file. |
    | enter | In a one-line field: apply the form (the file is saved with ctrl+s). |
    | escape | Close: at once when nothing changed, else after asking (discard / keep editing). |
    | tab, shift+tab | Next / previous field. |
    """

    def __init__(self, model: ThreatModel, heading: Text) -> None:
        """
        Args:
            model: The model the form edits (it is not changed: saving returns a new one).
            heading: The form's title (may hold user text: it is shown literally).
        """
        super().__init__()
        self.model: ThreatModel = model
        """The model as it was when the form opened."""
        self.heading: Text = heading
        """The form's title."""
        self.fields: list[FormField] = self.build_fields()
        """The form's fields, top to bottom."""
        self._errors: dict[str, str] = {}
        self._problems: list[str] | None = None
        self._hint = ""
        """The help shown under the fields (of the focused field)."""
        self._initial: dict[str, object] | None = None
        self._asking = False

    # ------------------------------------------------------------- for subclasses

    def build_fields(self) -> list[FormField]:
        """The form's fields, with their starting values."""
        raise NotImplementedError

    def check(self, values: dict[str, object]) -> dict[str, str]:
        """What is wrong with ``values``, per field key (``GENERAL`` for the whole form)."""
        raise NotImplementedError

    def submit(self, values: dict[str, object]) -> FormResult:
        """The result of saving ``values``; raise ``EditError`` when they cannot be saved."""
        raise NotImplementedError

    def compose_intro(self) -> Iterable[Widget]:
        """Widgets shown above the fields, outside their scrolling area (none by default)."""
        return ()

    def field_changed(self, field: FormField) -> None:
        """Hook: ``field`` changed (before the form is checked again)."""

    # ------------------------------------------------------------------ reuse

    KEPT: ClassVar[bool] = False
    """Whether a form of this class that edited an element is kept once closed and filled
    again for the next element of its kind (`take_over`): composing, styling and laying out
    a form of a hundred widgets took about 0.3 s, every time one opened."""

    def take_over(self, fresh: FormScreen) -> bool:
        """Become ``fresh`` (a form of this class, made for the next element, never opened):
        its model, heading, state and every field's starting value, nothing left of what this
        form showed or was typed in it. False, and nothing changed, when it cannot (the form
        is open, or ``fresh`` has other fields)."""
        if type(fresh) is not type(self) or not self.is_attached or self in self.app.screen_stack:
            return False
        if _shape(fresh) != _shape(self):
            return False
        # what the form's own lines show (`_problems`, `_hint`) stays: they are updated when
        # it changes (a text set anew, even the same, makes Textual lay the whole form out again)
        skipped = _dialog_attributes() | {"fields", "_problems", "_hint"}
        shown_heading = self.heading
        for name, value in vars(fresh).items():
            if name not in skipped:
                setattr(self, name, value)
        self._errors, self._initial, self._asking = {}, None, False
        for mine, theirs in zip(self.fields, fresh.fields, strict=True):
            mine.take_over(theirs)
        if self.heading != shown_heading:
            self.query_one("#form-title", Static).update(self.heading)
        self._show_hint(self._field_holding(self.initial_focus()))
        self.query_one("#form-fields", VerticalScroll).scroll_home(animate=False)
        self.reopen()
        return True

    def reopened(self) -> None:
        self.revalidate()
        self._initial = self.values()

    # ------------------------------------------------------------------- helpers

    def field(self, key: str) -> FormField:
        """The field that sets ``key``."""
        return next(f for f in self.fields if f.key == key)

    def values(self) -> dict[str, object]:
        """The value of every field that is shown, by key."""
        return {f.key: f.value for f in self.fields if f.display}

    @property
    def changed(self) -> bool:
        """Whether any value differs from what the form opened with."""
        return self._initial is not None and self.values() != self._initial

    @property
    def errors(self) -> dict[str, str]:
        """The problems found by the last check, per field key."""
        return self._errors

    # ------------------------------------------------------------------- compose

    def compose(self) -> ComposeResult:
        with Vertical(id="form-dialog", classes="dialog"):
            yield Static(self.heading, id="form-title", classes="dialog-title", markup=False)
            yield from self.compose_intro()
            with VerticalScroll(id="form-fields"):
                yield from self.fields
            yield Static("", id="form-problem", markup=False)
            yield Static("", id="form-hint", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Save  [ctrl+s]"), id="form-save", variant="primary", compact=True)
                yield Button(Text("Apply  [enter]"), id="form-apply", compact=True)
                yield Button(Text("Cancel  [esc]"), id="form-cancel", compact=True)

    def on_mount(self) -> None:
        if not self.app.is_running:
            return  # a form made ahead, mounting as the editor closes: its fields may be gone
        self.revalidate()
        # keys typed while the form opened are still queued in its first field: they count as changes
        self._initial = self.values()

    def initial_focus(self) -> Widget | None:
        first = next((f for f in self.fields if f.display), None)
        return first.control if first is not None else None

    # ---------------------------------------------------------------- validation

    def revalidate(self) -> dict[str, str]:
        """Check the values now and show every problem next to its field."""
        values = self.values()
        try:
            errors = self.check(values)
        except EditError as error:
            errors = error.errors
        self._errors = errors
        shown = set()
        for field in self.fields:
            message = errors.get(field.key) if field.display else None
            field.set_error(message)
            if message:
                shown.add(field.key)
        rest = [
            message if key == GENERAL else f"{key}: {message}" for key, message in errors.items() if key not in shown
        ]
        if rest != self._problems:
            self._problems = rest
            problem = self.query_one("#form-problem", Static)
            problem.update(safe_text("\n".join(rest)))
            problem.display = bool(rest)
        self.query_one("#form-save", Button).disabled = bool(errors)
        self.query_one("#form-apply", Button).disabled = bool(errors)
        return errors

    def on_form_field_changed(self, event: FormField.Changed) -> None:
        event.stop()
        self.field_changed(event.field)
        self.revalidate()

    def on_descendant_focus(self) -> None:
        field = self._field_holding(self.focused)
        if field is None:
            return  # a button: keep the hint, or the buttons would jump under a click as it shrinks
        self._show_hint(field)

    def _field_holding(self, widget: Widget | None) -> FormField | None:
        """The field ``widget`` is part of (None for a button, or no widget)."""
        return next((f for f in self.fields if widget is not None and widget in f.walk_children()), None)

    def _show_hint(self, field: FormField | None) -> None:
        """The help of ``field`` (the focused one) under the fields."""
        hint = field.help if field is not None and field.help else ""
        if hint == self._hint:
            return
        shown = self.query_one("#form-hint", Static)
        width = shown.content_region.width
        # as tall as before (most helps are one line): no need to lay the form out again
        same_height = width > 0 and self._lines(hint, width) == self._lines(self._hint, width)
        self._hint = hint
        shown.update(Text(hint, style="dim"), layout=not same_height)

    def _lines(self, text: str, width: int) -> int:
        return len(Text(text).wrap(self.app.console, width)) if text else 0

    # -------------------------------------------------------------------- actions

    def action_save(self) -> None:
        """Apply the form and save the file (ctrl+s)."""
        # ctrl+s typed right after the name: save once the name is in its field
        self.after_typed_keys(partial(self._save, True))

    def action_apply(self) -> None:
        """Apply the form; the file stays unsaved (enter in a one-line field)."""
        self.after_typed_keys(partial(self._save, False))

    def _save(self, save_file: bool = False) -> None:
        errors = self.revalidate()
        if errors:
            self._focus_first_error()
            self.app.bell()
            return
        try:
            result = self.submit(self.values())
        except EditError as error:
            for field in self.fields:
                field.set_error(error.errors.get(field.key))
            self._problems = None  # the next check shows its own problems again
            self.query_one("#form-problem", Static).update(safe_text(str(error)))
            self.query_one("#form-problem", Static).display = True
            self._focus_first_error()
            return
        self.dismiss(replace(result, save_file=save_file))

    def _focus_first_error(self) -> None:
        for field in self.fields:
            if field.display and field.key in self._errors:
                field.focus()
                return

    def action_cancel(self) -> None:
        """Close: at once when nothing changed, else after asking (losing typing takes a choice).

        A priority key, run as esc is read: the keys typed before it are still on their way to
        their field, and the ones typed after it belong to what comes next (the question, or
        the main screen), so those are held until the form knows whether it was changed.
        """
        if self.holding_keys:
            self.hold_key(events.Key("escape", None))  # still opening: its turn comes in the replay
            return
        if self._asking:
            return
        focused = self.focused
        self.hold_keys()
        self.set_focus(None)
        (focused or self).call_later(lambda: self._cancel(self.take_held_keys(), focused))

    def key_ends_typing(self, key: events.Key) -> Callable[[list[events.Key]], object] | None:
        if key.key == "escape":
            focused = self.focused
            return lambda rest: self._cancel(rest, focused)
        return None

    def _cancel(self, rest: list[events.Key], focused: Widget | None) -> None:
        """Close or ask, then hand on ``rest`` (the keys typed after esc) to what they were for."""
        if not self.changed:
            self.dismiss(None)
            self.pass_on(rest)
            return
        answer = rest[0].character if rest else None
        if answer == "d":  # esc d typed in one go: the question's answer was typed with it
            self.dismiss(None)
            self.pass_on(rest[1:])
        elif answer == "k" or (rest and rest[0].key == "escape"):
            self.set_focus(focused)
            self.replay(rest[1:])
        else:
            self._asking = True
            self.set_focus(focused)
            self.app.push_screen(
                ChoiceScreen(
                    "Discard your changes?",
                    [Text("This form has changes that are not applied yet.")],
                    [Choice("discard", "Discard", "d", "error"), Choice("keep", "Keep editing", "k", "primary")],
                    default="keep",
                ),
                self._answered,
            )
            self.pass_on(rest)  # the question holds them until it can take them

    def _answered(self, answer: str | None) -> None:
        self._asking = False
        if answer == "discard":
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        elif event.button.id == "form-apply":
            self.action_apply()
        else:
            self.action_cancel()


def _shape(form: FormScreen) -> tuple[tuple[str, str], ...]:
    return tuple((field.key, field.kind) for field in form.fields)


_DIALOG_ATTRIBUTES: set[str] = set()


def _dialog_attributes() -> set[str]:
    """The attributes every dialog has (Textual's and `Dialog`'s): what a form takes over from
    another is the rest, the attributes its own classes set."""
    if not _DIALOG_ATTRIBUTES:
        _DIALOG_ATTRIBUTES.update(vars(Dialog()))
    return _DIALOG_ATTRIBUTES
