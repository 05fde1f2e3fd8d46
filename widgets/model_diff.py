"""What changed between two models, found by identity: edits copy only what they change.

The changed entries come from `core.model.identity` (the analysis uses the same comparison). A
table whose keys changed order (an id renamed in place, an element removed) is marked
``reordered``: its pane lays its rows out again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.identity import changed_keys


@dataclass(frozen=True)
class TableDiff:
    """The entries of one table (components, flows or boundaries) that differ."""

    changed: frozenset[str]
    """Ids added, removed or replaced."""
    reordered: bool
    """The ids are not the same ones in the same order (something was added, removed or renamed)."""

    @property
    def empty(self) -> bool:
        """Nothing in this table changed."""
        return not self.changed


_SAME = TableDiff(frozenset(), False)


def diff_table(old: Mapping[str, object], new: Mapping[str, object]) -> TableDiff:
    """The entries of ``new`` that are not the very objects of ``old``, and those gone."""
    if old is new:
        return _SAME
    changed = changed_keys(old, new)
    # a key added or removed is among the changed ones, and changes the list of keys
    reordered = bool(changed) and (len(old) != len(new) or list(old) != list(new))
    return TableDiff(frozenset(changed), reordered)


@dataclass(frozen=True)
class ModelDiff:
    """How ``new`` differs from ``old`` in the tables the panes show."""

    components: TableDiff
    flows: TableDiff
    boundaries: TableDiff

    @classmethod
    def between(cls, old: ThreatModel, new: ThreatModel) -> ModelDiff:
        """Compare two models by identity (cheap when ``new`` is an edit of ``old``)."""
        return cls(
            diff_table(old.components, new.components),
            diff_table(old.flows, new.flows),
            diff_table(old.boundaries, new.boundaries),
        )
