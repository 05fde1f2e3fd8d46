"""User text made safe to show: never markup, never a terminal control sequence.

Which characters are dangerous, and why, is `stride_tui.core.text_safety`; this module only
turns its treatments into Rich ``Text``.
"""

from __future__ import annotations

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
    cleaned = strip_controls(text)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)] + _ELLIPSIS
    result = Text(style=style, end="")
    for piece, invisible in text_safety.split_invisible(cleaned):
        if invisible:
            result.append(f"<{text_safety.code_point(piece)}>", style="reverse")
        else:
            result.append(piece)
    return result


def plain_text(text: str) -> str:
    """User text in a plain string (a notification, an exit message): no control characters,
    and invisible or direction-changing characters shown as ``<U+202E>``."""
    return text_safety.show_invisible(strip_controls(text))
