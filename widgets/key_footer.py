"""The footer of the editor: every shown key, with help and quit kept in view at any width.

Textual's footer lists keys left to right and cuts off what does not fit, so at 80 columns the
two keys a lost user needs most (help and quit) were the ones cut. Here they sit on the right,
next to the command palette key, and the other keys give way. The keys are rebuilt only when
new ones appear: Textual's footer rebuilds itself (a dozen widgets, and a layout of the screen)
every time the bindings are looked at again — after every edit, and twice around every dialog,
which hides the screen's keys while it is open. Here keys are hidden, shown, enabled and
disabled in place instead. While a dialog is over the screen the keys are left as they are,
dimmed behind it like the rest of the screen, so a dialog opening or closing changes nothing
here (hiding them laid the whole screen out again, twice per dialog). The screen's own keys sit
in one group, hidden when none of them is shown.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A `Footer` whose help and quit keys are pinned to the right edge."""

    DEFAULT_CSS = """
    KeyFooter #footer-keys {
        width: auto;
        height: 1;
    }
    KeyFooter #footer-pinned {
        dock: right;
        width: auto;
        height: 1;
        FooterKey.-command-palette {
            dock: none;
        }
    }
    """

    PINNED: ClassVar[frozenset[str]] = frozenset({"help", "quit"})
    """Actions whose keys stay in view, whatever the width."""

    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and screen.is_attached and screen.app.screen is not screen:
            # A dialog over the screen: the keys stay as drawn, dimmed behind it with the rest
            # of the screen (its keys do nothing then). Hidden, they were laid out again with the
            # whole screen, and the screen under the dialog drawn again, as it opened and closed.
            return
        shown, enabled = self._signature(screen)
        if self._bindings_ready and self._shown is not None and self.children and set(shown) <= set(self._shown):
            # the keys composed, or some of them: show, hide, enable or disable them in place
            actions = {entry[2] for entry in shown[2:]}  # type: ignore[index]
            group = self.query_one("#footer-keys")
            own = list(group.query(FooterKey))
            keys = list(self.query_one("#footer-pinned").query(FooterKey))
            # none of the screen's keys shown: the group goes, its keys stay as they are
            group.display = any(key.action in actions for key in own)
            if group.display:
                keys += own
            for key in keys:
                visible = key.action in actions
                if key.display != visible:
                    key.display = visible
                off = not enabled.get(key.action, True)
                if key._disabled != off:
                    key._disabled = off
                    key.set_class(off, "-disabled")
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # a recompose is on its way

    def _signature(self, screen: Screen) -> tuple[tuple[object, ...], dict[str, bool]]:
        """What `compose` shows (each shown key and its label), and whether each action's
        first key is enabled (what its key shows)."""
        palette = self.app.COMMAND_PALETTE_BINDING
        shown: list[object] = [self.show_command_palette, self.compact]
        enabled: dict[str, bool] = {}
        for key, (_, binding, on, tooltip) in screen.active_bindings.items():
            if binding.show or key == palette:
                shown.append((key, binding.key, binding.action, binding.description, binding.group, tooltip))
                enabled.setdefault(binding.action, on)
        return tuple(shown), enabled

    def compose(self) -> ComposeResult:
        pinned: list[FooterKey] = []
        palette: list[FooterKey] = []
        own: list[Widget] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in self.PINNED:
                pinned.append(widget)
            elif isinstance(widget, FooterKey) and widget.has_class("-command-palette"):
                palette.append(widget)
            else:
                own.append(widget)
        yield HorizontalGroup(*own, id="footer-keys")
        # one group on the right edge (two docked widgets would cover each other)
        yield HorizontalGroup(*pinned, *palette, id="footer-pinned")
