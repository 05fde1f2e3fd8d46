"""The base of every dialog and form: keys typed while it opens reach it, in order.

A dialog is pushed at once but composes and focuses its first field a moment later (a big form
takes a few hundred milliseconds). Textual routes a key that arrives in between to the screen
itself, which has no use for it, so a fast typist's first letters were lost. A `Dialog` holds
those keys and, once it has focus, hands them to the focused field in the order they came.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from rich.console import RenderableType
from rich.segment import Segment
from textual import events
from textual.app import App
from textual.await_remove import AwaitRemove
from textual.binding import Binding, BindingType
from textual.css.styles import RulesMap
from textual.geometry import Size
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget

ResultType = TypeVar("ResultType")

REMOVAL_DELAY = 1.0
"""Seconds without a key (and with no dialog open) before a closed dialog's widgets are taken
down. Textual lays the screen under a dialog out again once the dialog's widgets are gone; taken
down at once (a form's are a hundred widgets: tens of milliseconds), that was a second frame
right after the one that shows what the dialog did, and the screen was busy until it was drawn.
Once the user pauses, it costs nothing they wait for."""


class Dialog(ModalScreen[ResultType]):
    """A modal screen that keeps the keys typed before it could take them.

    Subclasses say what gets focus first with `initial_focus` and never call ``focus()`` while
    mounting: a deferred focus would land after the held keys and undo a tab typed ahead.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "move_focus(1)", "Next field", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", "Previous field", show=False, priority=True),
    ]
    """Priority: the app runs these as it reads the key, before it reads the next one, so
    letters typed right after a tab land in the next field, never the one before."""

    AUTO_FOCUS = ""
    """Off: Textual's auto focus picks the first focusable widget (a scrolling container) a
    moment after mounting; the dialog focuses its first field itself, at once."""

    def __init__(self) -> None:
        super().__init__()
        self._held_keys: list[events.Key] | None = []
        """Keys that arrived before the dialog had focus; None once they have been handed on."""
        self._held_actions: list[Callable[[], object]] = []
        self._late_keys = 0
        """How many held keys came late, through the screen under the dialog (they go first)."""
        self._tinted: dict[tuple[Segment, ...], Strip] = {}
        """The lines of the screen under the dialog at its last repaint, and their tinted strips."""
        self._background: _DimmedBackground | None = None
        self._background_key: tuple[object, ...] | None = None
        self._reopening = False
        """Kept and made ready to open again (`reopen`): it opens once it is shown."""
        self._restyle_skippable = False
        self._styled_with: object = None
        """The app's CSS rules its nodes were last styled with."""
        self._styled_shown = False
        """Whether they were styled while it was shown (made ahead, its fields' focus styles
        were worked out while nothing in it could have focus: they are styled again)."""

    @property
    def holding_keys(self) -> bool:
        """True while the dialog is still opening and keeps what is typed for later."""
        return self._held_keys is not None

    def _forward_event(self, event: events.Event) -> None:
        # The app forwards a key to the screen itself only while nothing in it has focus.
        if isinstance(event, events.Key) and self._held_keys is not None:
            event._set_forwarded()
            self._held_keys.append(event)
            return
        super()._forward_event(event)

    def remove(self) -> AwaitRemove:
        """Take the dialog down once the user pauses after it closed, or when the next dialog
        opens, whichever comes first (see `REMOVAL_DELAY`)."""
        app = self.app
        if app._exit or not app.is_running or app.is_screen_installed(self):
            return super().remove()
        _closed(app).append(self)
        app.set_timer(REMOVAL_DELAY, self._remove_when_idle, name="remove a closed dialog")
        return AwaitRemove([])

    def _remove_when_idle(self) -> None:
        app = self.app
        if self not in _closed(app):
            return  # taken down when the next dialog opened
        if app._exit or not app.is_running:
            return  # the app is closing and takes every screen down itself (its stack may be empty)
        stack = app.screen_stack
        if (stack and isinstance(stack[-1], Dialog)) or typed_within(app, REMOVAL_DELAY):
            app.set_timer(REMOVAL_DELAY, self._remove_when_idle, name="remove a closed dialog")
        else:
            self._take_down()

    def _take_down(self) -> None:
        closed = _closed(self.app)
        if self in closed:
            closed.remove(self)
            super().remove()

    def _screen_resized(self, size: Size) -> None:
        # Textual lays a screen out as it first shows it, then again at its first resize (to
        # the same size), and every screen under a new dialog again too: a second layout of
        # every widget (a form's hundreds: tens of milliseconds) that changes nothing
        if self._compositor.size == size:
            return
        super()._screen_resized(size)

    def render(self) -> RenderableType | Visual:  # type: ignore[override]  # a Widget may render a Visual
        # Textual composes the screen under a dialog again, and tints every cell of it (~8 ms
        # at 120x40), every time the dialog itself is repainted: two or three times as it
        # opens, and on every layout while it is open (a field's error shown). Here it is
        # composed again only when a widget on it has asked to be repainted since (an edit
        # made from the dialog, an analysis that finished), and lines as they were keep their tint.
        background = super().render()
        if not isinstance(background, BackgroundScreen):
            return background
        base = background.screen
        if not isinstance(base._dirty_widgets, _CountedSet):
            base._dirty_widgets = _CountedSet(base._dirty_widgets)
        key = (
            base,
            background.color,
            base._dirty_widgets.added,
            base._layout_required,
            base._scroll_required,
            base._repaint_required,
        )
        if self._background is None or self._background_key != key:
            self._background, self._background_key = _DimmedBackground(self, background), key
        return self._background

    def lay_out_ahead(self) -> bool:
        """Style this dialog with the app's CSS as it is now, lay it out at the app's size and
        draw it into its widgets' line caches, while it is not shown (made ahead and mounted):
        shown for the first time, it is filled and drawn from those, as when shown again.
        False when there was nothing to do (not mounted yet, shown, or done already)."""
        app = self.app
        if not self.is_mounted or self in app.screen_stack:
            return False
        restyle = self._styled_with is not app.stylesheet.rules  # the CSS of a class made since
        if not restyle and self._compositor.size == app.size:
            return False
        if restyle:
            self._restyle_skippable = False
            self.update_node_styles(animate=False)
        # as Textual's frame would, but not shown: it lays the dialog out, draws it and sends
        # nothing (the layouts its widgets asked for as they mounted are this one)
        self._refresh_layout(app.size)
        self._layout_required = self._scroll_required = False
        self._dirty_widgets.clear()
        self._compositor.render_full_update()
        return True

    def initial_focus(self) -> Widget | None:
        """The widget that has focus when the dialog opens (the first focusable one by default)."""
        chain = self.focus_chain
        return chain[0] if chain else None

    def _on_mount(self, event: events.Mount) -> None:
        self._styled_with = self.app.stylesheet.rules  # what its nodes were styled with as they mounted
        self._styled_shown = self in self.app.screen_stack
        if self._styled_shown:  # made ahead (not shown), it is focused once it is shown (`reopen`)
            self.open_again()

    # ------------------------------------------------------------ kept dialogs

    def reopen(self) -> None:
        """Make this dialog, closed and kept (installed), open as a new one the next time it
        is pushed: keys typed as it opens are held for its first field, and its nodes are not
        styled again unless the app's CSS changed (Textual styles every node of a screen it
        shows again). The caller fills it with what it shows first."""
        self.set_focus(None)
        self.hold_keys()
        self._reopening = self._restyle_skippable = True

    def reopened(self) -> None:
        """Hook: a kept dialog is shown again, before its first field gets focus."""

    def on_screen_resume(self) -> None:
        if self._reopening:
            self._reopening = False
            self.reopened()
            self.open_again()

    def update_node_styles(self, animate: bool = True) -> None:
        rules = self.app.stylesheet.rules
        if self._restyle_skippable and self._styled_with is rules and self._styled_shown:
            self._restyle_skippable = False
            return
        self._restyle_skippable = False
        super().update_node_styles(animate)
        self._styled_with, self._styled_shown = rules, self in self.app.screen_stack

    def open_again(self) -> None:
        """Focus the first field and hand it the keys held meanwhile: as the dialog mounts,
        or when a dialog kept from before (a form filled again) is shown once more."""
        # the dialog opens at its top, even when what has focus lies further down
        self.set_focus(self.initial_focus(), scroll_visible=False)
        self._release_held_keys()
        # dialogs closed before this one opened go now, while this one is laid out anyway: a
        # user who never pauses does not gather closed forms (a dialog made ahead, mounted but
        # not shown, is laid out later)
        if self in self.app.screen_stack:
            for closed in list(_closed(self.app)):
                closed._take_down()

    def action_move_focus(self, direction: int) -> None:
        if self._held_keys is not None:
            self._held_keys.append(events.Key("tab" if direction > 0 else "shift+tab", None))
        else:
            left = self.focused
            step = self.focus_next if direction > 0 else self.focus_previous
            moved = step()
            # the field's own open pop-up (a drop-down's list) is not the next field
            while moved is not None and left is not None and moved is not left and left in moved.ancestors:
                moved = step()

    def after_typed_keys(self, action: Callable[[], object]) -> None:
        """Run ``action`` once every key typed before it has taken effect.

        For actions on priority keys (ctrl+s): the app runs those as it reads the key, which
        can be before the focused field has taken in the letters typed just ahead of it.
        """
        if self._held_keys is not None:
            self._held_actions.append(action)
        else:
            (self.focused or self).call_later(action)

    def key_ends_typing(self, key: events.Key) -> Callable[[list[events.Key]], object] | None:
        """Hook: for a held key that closes the dialog or opens another (esc on a changed form,
        an answer's key), what to run once the keys before it are in; it gets the keys typed
        after it, which belong to whatever comes next. None replays the key as usual."""
        return None

    def hold_keys(self) -> None:
        """Hold the keys typed from now on, as while opening (until `release_keys`)."""
        if self._held_keys is None:
            self._held_keys = []

    def take_late_key(self, key: events.Key) -> None:
        """A key typed for this dialog that the screen under it read first (on a busy machine the
        key that opens a dialog can take longer than the gap before the next key): it goes
        before the keys held since, or to the focused field once the dialog is open."""
        late = events.Key(key.key, key.character)
        if self._held_keys is not None:
            self._held_keys.insert(self._late_keys, late)
            self._late_keys += 1
        else:
            (self.focused or self)._forward_event(late)

    def hold_key(self, key: events.Key) -> None:
        """Hold ``key`` with the others (a priority key read while they are held)."""
        if self._held_keys is not None:
            self._held_keys.append(key)

    def take_held_keys(self) -> list[events.Key]:
        """The keys held since `hold_keys`, no longer held."""
        keys, self._held_keys = self._held_keys or [], None
        return keys

    def pass_on(self, keys: list[events.Key]) -> None:
        """Give ``keys`` back to the app, in order, for the screen that is on top next."""
        for key in keys:
            self.app.post_message(events.Key(key.key, key.character))

    def replay(self, keys: list[events.Key]) -> None:
        """Hand ``keys`` to the focused field in order (see `key_ends_typing`)."""
        for index, key in enumerate(keys):
            ending = self.key_ends_typing(key)
            if ending is not None:
                # queued behind the keys before it, so it sees what they typed
                (self.focused or self).call_later(ending, keys[index + 1 :])
                return
            self._replay(key)

    def _release_held_keys(self) -> None:
        self.replay(self.take_held_keys())
        last = self.focused or self
        for action in self._held_actions:
            # queued behind whatever the replayed keys left in the field's queue
            last.call_later(action)
        self._held_actions = []

    def _replay(self, key: events.Key) -> None:
        # Tab moves focus at once, so the keys after it go to the next field, as typed; the
        # rest queue up in the focused field, which takes them in order (`widgets.TextInput`).
        if key.key in ("tab", "shift+tab"):
            self.action_move_focus(1 if key.key == "tab" else -1)
        elif self.focused is not None:
            self.focused._forward_event(events.Key(key.key, key.character))


class _CountedSet(set[Widget]):
    """A screen's set of widgets waiting to be painted, counting the widgets put in it (Textual
    puts in each widget that asks to be repainted: the count says whether the screen changed)."""

    added = 0

    def add(self, widget: Widget) -> None:
        self.added += 1
        super().add(widget)


class _DimmedBackground(Visual):
    """The screen under a dialog, composed once and tinted line by line; a line that is the
    same as at the dialog's last repaint keeps its tint (Textual's `BackgroundScreen` tints
    every cell each time)."""

    def __init__(self, dialog: Dialog[Any], background: BackgroundScreen) -> None:
        self._dialog = dialog
        self._background = background
        self._strips: list[Strip] | None = None
        self._size: tuple[int, int | None] | None = None

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        if self._strips is not None and self._size == (width, height):
            return self._strips
        base, color = self._background.screen, self._background.color
        lines = base._compositor.render_strips()
        if height is not None:
            lines = lines[:height] + [Strip.blank(width)] * (height - len(lines))
        last = self._dialog._tinted
        tinted: dict[tuple[Segment, ...], Strip] = {}
        strips = []
        for line in lines:
            segments = tuple(line)
            strip = last.get(segments) or tinted.get(segments)
            if strip is None:
                strip = Strip(BackgroundScreen.process_segments(segments, color), line.cell_length)
                strip = strip.adjust_cell_length(width)
            tinted[segments] = strip
            strips.append(strip)
        self._dialog._tinted = tinted
        self._strips, self._size = strips, (width, height)
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._dialog.size.height


def typed_within(app: App[object], seconds: float) -> bool:
    """Whether a key came in the last ``seconds`` (the editor's app keeps when; another app, no)."""
    typed = getattr(app, "last_key_time", None)
    return typed is not None and time.monotonic() - typed < seconds


def _closed(app: App[object]) -> list[Dialog[Any]]:
    """The dialogs of ``app`` that have closed and are not taken down yet."""
    found: list[Dialog[Any]] = app.__dict__.setdefault("_stride_closed_dialogs", [])
    return found
