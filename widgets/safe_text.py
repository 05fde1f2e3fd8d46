"""User text made safe to show: never markup, never a terminal control sequence."""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls except tab and newline, DEL, and C1 controls: any of them can start an escape
# sequence that the terminal would obey (set the title, write the clipboard, clear the screen).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi overrides and zero-width characters make text read differently from what it is
# ("Trojan Source"); they are shown as a visible code point instead of being obeyed.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_ELLIPSIS = "…"


def strip_controls(text: str) -> str:
    """``text`` without terminal control characters (tab and newline are kept)."""
    return _CONTROL.sub("", text)


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
    cleaned = strip_controls(text)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)] + _ELLIPSIS
    result = Text(style=style, end="")
    position = 0
    for match in _INVISIBLE.finditer(cleaned):
        result.append(cleaned[position : match.start()])
        result.append(f"<U+{ord(match.group()):04X}>", style="reverse")
        position = match.end()
    result.append(cleaned[position:])
    return result
