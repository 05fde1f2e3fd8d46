"""Text fields that keep every key in the order it was typed and clean what is pasted.

Textual runs a widget's key bindings (backspace, home, ctrl+k…) only once the key has bubbled
up to the app, while printable keys are inserted at once by the field. In a burst of keys —
a fast typist, a busy moment, a paste of keystrokes — a backspace could then run after the
letters typed behind it. These fields run their own bindings as they read the key, in order.
Pasted text loses terminal control characters before it is shown.
"""

from __future__ import annotations

import inspect
import unicodedata

from textual import events
from textual.actions import SkipAction
from textual.actions import parse as parse_action
from textual.widget import Widget
from textual.widgets import Input, TextArea

from stride_tui.core import text_safety

from .safe_text import strip_controls


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run ``widget``'s own binding for ``event`` now, and stop the key; False if it has none.

    An action that raises ``SkipAction`` (a one-line field's ↓ has nothing to scroll) did not
    run, as Textual counts it: the next binding is tried, and with none the key goes on."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        namespace, name, params = parse_action(binding.action)
        method = getattr(widget, f"action_{name}", None)
        if namespace or method is None or not widget.check_action(name, params):
            continue
        try:
            result = method(*params)
            if inspect.isawaitable(result):
                await result
        except SkipAction:
            continue
        event.stop()
        event.prevent_default()
        return True
    return False


def say_invisible(widget: Widget, event: events.Key) -> None:
    """Tell the user a typed invisible character (U+202E, a zero-width space…) was left out:
    fields keep only visible text, and a character dropped without a word looks like a lost key."""
    character = event.character
    if character and text_safety.find_invisible(character) is not None:
        name = unicodedata.name(character, "invisible character").lower()
        widget.notify(
            f"{text_safety.code_point(character)} ({name}) was not typed: "
            "names and texts keep only visible characters.",
            severity="warning",
            timeout=5,
        )


# Textual runs a handler of every class in the MRO, subclass first: these run before the base
# class's own, and a stopped, default-prevented key goes no further.


class TextInput(Input):
    """A one-line input whose keys take effect in the order they were typed."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and not await run_own_binding(self, event):
            say_invisible(self, event)

    def _on_paste(self, event: events.Paste) -> None:
        event.text = strip_controls(event.text)


class TextBox(TextArea):
    """A text area that drops terminal control characters (not tab or newline) from pastes.

    Textual's text area watches the app's theme and never stops: every form that had one kept
    it, and all it had drawn, alive until the theme changed (two per component form; a form
    opened and closed a dozen times opened a fifth slower, the collector walking the dead
    ones). Unmounted, this one takes its watch off the app."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and not await run_own_binding(self, event):
            say_invisible(self, event)

    async def _on_paste(self, event: events.Paste) -> None:
        event.text = strip_controls(event.text)

    def _on_unmount(self) -> None:
        watchers = getattr(self.app, "__watchers", {}).get("theme")
        if watchers:
            watchers[:] = [watch for watch in watchers if watch[0] is not self]
