"""Large JSON documents written fast and diff-friendly: one top-level key per line, and each item
of a top-level list (a threat, a finding, a question) on a line of its own.

``json.dumps(indent=2)`` runs the pure-Python encoder, several times slower than the C one on
tens of thousands of findings; here every line is one C-encoded value. Items may come from a
generator and the text is produced line by line (`document_lines`), so a command can write it as
it goes instead of holding the whole document twice. One item per line also keeps a diff of two
outputs to the items that changed. The result is ordinary JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode  # the C encoder, built once


class Items:
    """A top-level list whose items are written one per line (may wrap a generator)."""

    def __init__(self, items: Iterable[object]) -> None:
        self.items = items


def document_lines(document: Mapping[str, object]) -> Iterator[str]:
    """``document`` as JSON, a line at a time (each with its newline)."""
    yield "{\n"
    last = len(document) - 1
    for n, (key, value) in enumerate(document.items()):
        comma = "," if n < last else ""
        if isinstance(value, Items | list):
            items = iter(value.items if isinstance(value, Items) else value)
            first = next(items, _END)
            if first is _END:
                yield f"  {_encode(key)}: []{comma}\n"
                continue
            yield f"  {_encode(key)}: [\n"
            line = f"    {_encode(first)}"
            for item in items:
                yield line + ",\n"
                line = f"    {_encode(item)}"
            yield line + f"\n  ]{comma}\n"
        else:
            yield f"  {_encode(key)}: {_encode(value)}{comma}\n"
    yield "}\n"


def document_json(document: Mapping[str, object]) -> str:
    """``document`` as one JSON text."""
    return "".join(document_lines(document))


_END = object()
