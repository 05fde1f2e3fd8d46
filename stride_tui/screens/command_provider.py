"""Command palette entries (ctrl+p) for every action of the editor, found by name.

The entries come from the key registry (`keymap`); the filter values are entries of their own.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from stride_tui.core.model.elements import SEVERITIES, STATUSES

from .keymap import palette_entries

Command = tuple[str, str, str]
"""A palette entry: title, help, the action it runs on the main screen."""

ACTIONS: tuple[Command, ...] = palette_entries()
"""One entry per key action (see `keymap`), in the order the palette lists them."""
FILTERS: tuple[Command, ...] = (
    *(
        (f"Filter status: {status}", f"Show {status} findings in the STRIDE panel", f"set_status_filter('{status}')")
        for status in ("all", "undecided", *STATUSES)
    ),
    *(
        (
            f"Filter severity: {'any' if s == 'all' else 'at least ' + s}",
            "Minimum severity in the STRIDE panel",
            f"set_severity_filter('{s}')",
        )
        for s in ("all", *SEVERITIES[1:])
    ),
)


class EditorCommands(Provider):
    """One palette entry per editor action (and per filter value), run on the main screen."""

    def _entries(self) -> tuple[Command, ...]:
        return ACTIONS + FILTERS

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)

    async def discover(self) -> Hits:
        for title, help_text, action in ACTIONS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=help_text)
