"""A read-only map made from another by a few changes, sharing the other's entries.

The editor's threat index is rebuilt after every edit from the previous one, which the screen
may still be showing: copying its tables of tens of thousands of entries to change a handful
was most of the index's update on a large model. A `LayeredMap` holds only the changes and
reads the rest through to the map it was made from; the previous map is never changed, so
either may be read from any thread. A chain of layers is flattened into one table every
`FLATTEN_DEPTH` edits, so a lookup never walks more than that many layers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

FLATTEN_DEPTH = 16
"""Layers a chain may grow to before it is copied into one table (one copy every this many
edits instead of one every edit)."""

_GONE = object()


class LayeredMap(Mapping[K, V], Generic[K, V]):
    """``base`` with ``changes`` set (made with `changed`; inside, a key dropped is one set to
    ``_GONE``)."""

    __slots__ = ("_base", "_changes", "_depth", "_length")
    _base: Mapping[K, V]
    _changes: dict[K, V | object]
    _depth: int
    """How many layers this one is over a plain table."""
    _length: int

    def __init__(self, base: Mapping[K, V], changes: Mapping[K, V | object]) -> None:
        depth = base._depth + 1 if isinstance(base, LayeredMap) else 1
        if depth > FLATTEN_DEPTH:
            base, changes, depth = _flattened(base, changes), {}, 0
        self._base = base
        self._changes = dict(changes)
        self._depth = depth
        length = len(base)
        for key, value in self._changes.items():
            present = key in base
            if value is _GONE:
                length -= present
            else:
                length += not present
        self._length = length

    @classmethod
    def changed(cls, base: Mapping[K, V], updates: Iterable[tuple[K, V]], drops: Iterable[K] = ()) -> LayeredMap[K, V]:
        """``base`` without ``drops``, then with ``updates`` set."""
        changes: dict[K, V | object] = dict.fromkeys(drops, _GONE)
        changes.update(updates)
        return cls(base, changes)

    def __getitem__(self, key: K) -> V:
        value = self._changes.get(key, self)
        if value is self:
            return self._base[key]
        if value is _GONE:
            raise KeyError(key)
        return value  # type: ignore[return-value]

    def get(self, key: K, default: object = None) -> V | object:  # type: ignore[override]
        value = self._changes.get(key, self)
        if value is self:
            return self._base.get(key, default)
        return default if value is _GONE else value

    def __contains__(self, key: object) -> bool:
        value = self._changes.get(key, self)  # type: ignore[arg-type]
        if value is self:
            return key in self._base
        return value is not _GONE

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[K]:
        return iter(_flattened(self, {}))

    def __repr__(self) -> str:
        return f"LayeredMap({dict(self.items())!r})"


def _flattened(top: Mapping[K, V], changes: Mapping[K, V | object]) -> dict[K, V]:
    """One table of ``top`` with ``changes`` set: the bottom table copied once, then each
    layer's changes applied from the oldest up."""
    layers = [changes]
    while isinstance(top, LayeredMap):
        layers.append(top._changes)
        top = top._base
    flat = dict(top)
    for layer in reversed(layers):
        for key, value in layer.items():
            if value is _GONE:
                flat.pop(key, None)
            else:
                flat[key] = value  # type: ignore[assignment]
    return flat
