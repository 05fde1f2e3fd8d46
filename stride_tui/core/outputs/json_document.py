"""Large JSON documents written fast and diff-friendly: one top-level key per line, and each item
of a top-level list (a threat, a finding, a question) on a line of its own.

``json.dumps(indent=2)`` runs the pure-Python encoder, several times slower than the C one on
tens of thousands of findings; here every line is one C-encoded value, or the pieces a writer
that knows its items' shape encoded itself (`EncodedItems`). Items may come from a generator
and the text is produced a few lines at a time (`document_lines`), so a command can write it as
it goes instead of holding the whole document twice. One item per line also keeps a diff of two
outputs to the items that changed. The result is ordinary JSON.

`indented_json` is ``json.dumps(indent=2, ensure_ascii=False)`` for the documents that keep that
layout (SARIF, stories, diffs), written without the pure-Python encoder.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Iterable, Iterator, Mapping
from typing import cast

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode  # the C encoder, built once
encode_value = _encode
"""One value as JSON text, the way every line of a document is encoded."""


class Items:
    """A top-level list whose items are written one per line (may wrap a generator)."""

    def __init__(self, items: Iterable[object]) -> None:
        self.items = items


class EncodedItems(Items):
    """A top-level list whose items come already encoded: each item a tuple of strings that,
    joined, are the JSON text of one value (what `_encode` would make of it). A writer that
    knows its items' shape encodes them faster, and the pieces are copied once, into the text."""


def document_lines(document: Mapping[str, object]) -> Iterator[str]:
    """``document`` as JSON, a few whole lines at a time (each piece ends with a newline)."""
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
            pieces_of = _pieces if isinstance(value, EncodedItems) else _encoded
            # pieces are joined some thousands at a time: each item's text is copied once, into
            # the text written, and a writer gets few large strings instead of many small ones
            pieces: list[str] = []
            previous = pieces_of(first)
            for item in items:
                pieces.append("    ")
                pieces += previous
                pieces.append(",\n")
                if len(pieces) >= _PIECES:
                    yield "".join(pieces)
                    pieces.clear()
                previous = pieces_of(item)
            pieces.append("    ")
            pieces += previous
            pieces.append(f"\n  ]{comma}\n")
            yield "".join(pieces)
        else:
            yield f"  {_encode(key)}: {_encode(value)}{comma}\n"
    yield "}\n"


def document_json(document: Mapping[str, object]) -> str:
    """``document`` as one JSON text."""
    return "".join(document_lines(document))


_END = object()
_PIECES = 16_384


def _pieces(item: object) -> tuple[str, ...]:
    return cast(tuple[str, ...], item)


def _encoded(item: object) -> tuple[str, ...]:
    return (_encode(item),)


def indented_json(value: object) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, byte for byte, faster.

    The standard library writes indented JSON with its pure-Python encoder, a chain of nested
    generators per value; this walks the value once and writes strings with the encoder's own C
    function. Values must be JSON's types (anything else raises ``TypeError``, as
    ``json.dumps`` does)."""
    out: list[str] = []
    _indented(value, "\n", out)
    return "".join(out)


def _indented(value: object, newline: str, out: list[str]) -> None:
    # ``newline`` is the line break plus the indentation of ``value``'s own line
    if isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator)
            out.append(_string(key if isinstance(key, str) else _key(key)))
            out.append(": ")
            if isinstance(item, str):
                out.append(_string(item))
            else:
                _indented(item, inner, out)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            if isinstance(item, str):
                out.append(_string(item))
            else:
                _indented(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    else:
        out.append(_scalar(value))


def _key(key: object) -> str:
    """A key that is not a string, as json.dumps turns it into one."""
    if isinstance(key, bool | int | float) or key is None:
        return _scalar(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _PLAIN_ENCODER.encode(value)  # repr, or NaN / Infinity as json.dumps spells them
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


_string = json.encoder.encode_basestring  # the C function, the same one json.dumps uses
_PLAIN_ENCODER = json.JSONEncoder(ensure_ascii=False)
