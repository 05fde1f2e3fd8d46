"""The footer of the editor: every shown key, with help and quit kept in view at any width.

Textual's footer lists keys left to right and cuts off what does not fit, so at 80 columns the
two keys a lost user needs most (help and quit) were the ones cut. Here they sit on the right,
next to the command palette key, and the other keys give way.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
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
