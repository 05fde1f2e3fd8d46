"""A drop-down that takes every key in the order it was typed, open or closed.

Textual's `Select` hands the keyboard to its pop-up list when it opens, a moment later; keys
typed in between (a fast typist: ``enter d a enter tab``) went to the closed box or were run
out of order, so a choice was lost or the next field got the letters. Here the box keeps the
keyboard: enter, ↓, ↑ or space open the list, letters jump to the first option containing them
(Textual's type-to-search), ↑ ↓ move, enter picks, esc closes, each as it is read.

The list is mounted the first time it opens: a form has many drop-downs and opens as fast as
Textual can mount, style and lay out its widgets, and most lists are never opened.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Select
from textual.widgets._option_list import Option
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay

_SEARCH_RESET = 0.7
"""Seconds after the last letter when the next one starts a new search (as Textual's own list)."""


class ChoiceBox(Select[str]):
    """A `Select` whose keys act in order; its list opens without taking the focus."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._query = ""
        """The letters typed since the list opened (or since a pause)."""
        self._last_letter = 0.0

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)  # the list comes with the first opening (`_overlay`)

    def _overlay(self, create: bool = False) -> SelectOverlay | None:
        """The pop-up list; made and mounted now with ``create`` when it is not there yet."""
        try:
            return self.query_one(SelectOverlay)
        except NoMatches:
            if not create or not self.is_mounted:
                return None
        overlay = SelectOverlay(type_to_search=self._type_to_search)
        overlay.compact = self.compact
        overlay.add_options(self._option_prompts())
        self.mount(overlay)
        return overlay

    def _option_prompts(self) -> list[Option]:
        return [
            Option(Text(self.prompt, style="dim")) if value == self.NULL else Option(prompt)
            for prompt, value in self._options
        ]

    def _setup_options_renderables(self) -> None:
        overlay = self._overlay()
        if overlay is not None:
            overlay.clear_options()
            overlay.add_options(self._option_prompts())

    def _watch_value(self, value: str | NoSelection) -> None:
        # as Select's, with the list left alone until it exists
        self._value = value
        try:
            current = self.query_one(SelectCurrent)
        except NoMatches:
            return
        if value == self.NULL:
            current.update(self.NULL)
        else:
            for index, (prompt, option_value) in enumerate(self._options):
                if option_value == value:
                    overlay = self._overlay()
                    if overlay is not None:
                        overlay.highlighted = index
                    current.update(prompt)
                    break
        self.post_message(self.Changed(self, value))

    def _watch_prompt(self, prompt: str) -> None:
        if not self.is_mounted:
            return
        current = self.query_one(SelectCurrent)
        current.placeholder = prompt
        if self._allow_blank and self.value == self.NULL:
            current.update(self.NULL)
        overlay = self._overlay()
        if self._allow_blank and overlay is not None:
            overlay.replace_option_prompt_at_index(0, Text(prompt, style="dim"))

    def _watch_expanded(self, expanded: bool) -> None:
        # as Select's, without moving the focus to the list (the box keeps taking the keys)
        overlay = self._overlay(create=expanded)  # a click on the box opens it without the action
        if overlay is None:
            return
        self._query = ""
        self.set_class(expanded, "-expanded")
        if expanded:
            index = next((i for i, (_, value) in enumerate(self._options) if value == self.value), None)
            overlay.select(index if self.value is not self.NULL else None)
            self.query_one(SelectCurrent).has_value = self.value is not self.NULL

    async def _on_key(self, event: events.Key) -> None:
        if not self.expanded:
            if event.key in ("enter", "down", "up", "space"):
                event.stop()
                event.prevent_default()
                self.action_show_overlay()
            return
        overlay = self.query_one(SelectOverlay)
        handled = True
        if event.key == "escape":
            self.expanded = False
        elif event.key == "enter":
            index = overlay.highlighted
            if index is not None:
                value = self._options[index][1]
                if value != self.value:
                    self.value = value
            self.expanded = False
        elif event.key in ("down", "up"):
            overlay.action_cursor_down() if event.key == "down" else overlay.action_cursor_up()
        elif event.character is not None and event.is_printable:
            self._search(overlay, event)
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()

    def _search(self, overlay: SelectOverlay, event: events.Key) -> None:
        if event.time - self._last_letter > _SEARCH_RESET:
            self._query = ""
        self._last_letter = event.time
        self._query += event.character or ""
        index = overlay._find_search_match(self._query)
        if index is not None:
            overlay.select(index)

    def _on_blur(self, event: events.Blur) -> None:
        # a click on the list moves the focus there: keep it open for that click
        self.call_after_refresh(self._close_unless_in_list)

    def _close_unless_in_list(self) -> None:
        if not isinstance(self.app.focused, SelectOverlay) or self.app.focused.parent is not self:
            self.expanded = False
