"""What changed between two versions of a model's table, found by identity.

Models are immutable values and an edit copies only the entries it changes
(``model_copy(update=...)`` with shallow table copies), so an entry that did not change is the
very same object in both versions: comparing with ``is`` finds the changed ones without looking
at a single field. The analysis, the topology and the editor's panes all update from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import compress
from operator import is_not


def changed_keys(before: Mapping[str, object], after: Mapping[str, object]) -> set[str]:
    """Keys added, removed or given another object (an equal but rebuilt entry counts as
    changed: it merely costs its re-derivation)."""
    if before is after:
        return set()
    if len(before) == len(after):
        keys = list(after)
        if keys == list(before):  # the same keys in the same order (an edit of entries): paired in C
            return set(compress(keys, map(is_not, before.values(), after.values())))
    changed = {key for key, value in after.items() if before.get(key) is not value}
    changed.update(key for key in before if key not in after)
    return changed
