"""User text made safe to show: never markup, never a terminal control sequence.

Which characters are dangerous, and why, is `stride_tui.core.text_safety`; this module only
turns its treatments into Rich ``Text``. What a value becomes is cached (the panes show the same
names on every refill); each call still returns a ``Text`` of its own, as callers append to it.
"""

from __future__ import annotations

import functools

from rich.cells import cell_len
from rich.text import Text

from stride_tui.core import text_safety

_ELLIPSIS = "…"


def strip_controls(text: str) -> str:
    """``text`` without terminal control characters (tab and newline are kept)."""
    return text_safety.strip_controls(text)


def safe_text(text: str, *, limit: int | None = None, style: str = "") -> Text:
    """User text as a Rich ``Text`` that is shown literally.

    Args:
        text: Any user-provided string (a name, id, description...).
        limit: Cut the text to this many characters, ending with an ellipsis.
        style: A Rich style for the whole text.

    Returns:
        A ``Text`` without control characters, whose brackets are never read as markup and
        whose invisible or direction-changing characters show as ``<U+202E>``.
    """
    pieces = _pieces(text, limit)
    if len(pieces) == 1 and not pieces[0][1]:
        return Text(pieces[0][0], style=style, end="")
    result = Text(style=style, end="")
    for piece, invisible in pieces:
        if invisible:
            result.append(f"<{text_safety.code_point(piece)}>", style="reverse")
        else:
            result.append(piece)
    return result


def safe_width(text: str, *, limit: int | None = None) -> int:
    """How many terminal cells ``safe_text(text, limit=limit)`` takes, without building it."""
    return _width(text, limit)


@functools.lru_cache(maxsize=1 << 16)
def _pieces(text: str, limit: int | None) -> tuple[tuple[str, bool], ...]:
    cleaned = strip_controls(text)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)] + _ELLIPSIS
    if cleaned.isascii():  # invisible characters are all outside ASCII: nothing to split
        return ((cleaned, False),) if cleaned else ()
    return tuple(text_safety.split_invisible(cleaned))


@functools.lru_cache(maxsize=1 << 16)
def _width(text: str, limit: int | None) -> int:
    pieces = _pieces(text, limit)
    if len(pieces) == 1 and not pieces[0][1]:
        piece = pieces[0][0]
        body = piece[:-1] if piece.endswith(_ELLIPSIS) else piece
        if body.isascii() and "\t" not in body and "\n" not in body:
            return len(piece)  # printable ASCII (other controls are stripped): one cell each
    return sum(len(text_safety.code_point(piece)) + 2 if invisible else cell_len(piece) for piece, invisible in pieces)


def plain_text(text: str) -> str:
    """User text in a plain string (a notification, an exit message): no control characters,
    and invisible or direction-changing characters shown as ``<U+202E>``."""
    return text_safety.show_invisible(strip_controls(text))
