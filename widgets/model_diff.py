"""What changed between two models, found by identity: edits copy only what they change.

An edit makes its new model with ``model_copy(update=...)`` and shallow copies of the tables it
touches, so an element that did not change is the *same object* in both models. Comparing the
tables entry by entry with ``is`` finds the changed ones in microseconds per thousand elements,
without comparing any field. A table whose keys changed order (an id renamed in place, an
element removed) is marked ``reordered``: its pane lays its rows out again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stride_tui.core.model.elements import ThreatModel


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
    changed = {key for key, value in new.items() if old.get(key) is not value}
    gone = [key for key in old if key not in new]
    changed.update(gone)
    reordered = bool(gone) or len(old) != len(new) or (bool(changed) and list(old) != list(new))
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
