"""The footer of the editor: every shown key, with help and quit kept in view at any width.

Textual's footer lists keys left to right and cuts off what does not fit, so at 80 columns the
two keys a lost user needs most (help and quit) were the ones cut. Here they sit on the right,
next to the command palette key, and the other keys give way. The keys are laid out again only
when what they show changed: Textual's footer rebuilds itself (some forty widgets, and a layout
of the screen) every time the bindings are looked at again, which is after every edit and
every focus move.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A `Footer` whose help and quit keys are pinned to the right edge."""

    DEFAULT_CSS = """
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
        shown, enabled = self._signature(screen)
        if self._bindings_ready and shown == self._shown and self.children:
            # the same keys: at most some were enabled or disabled (a dialog opened or closed)
            for key in self.query(FooterKey):
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
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in self.PINNED:
                pinned.append(widget)
            elif isinstance(widget, FooterKey) and widget.has_class("-command-palette"):
                palette.append(widget)
            else:
                yield widget
        # one group on the right edge (two docked widgets would cover each other)
        yield HorizontalGroup(*pinned, *palette, id="footer-pinned")
