"""Cleaning foreign text so it fits the model's text rules (one-line names, no control characters)."""

from __future__ import annotations

import re

from stride_tui.core.model.elements import MAX_NAME, MAX_TEXT
from stride_tui.core.text_safety import replace_controls, shows_nothing, strip_controls

_SPACES = re.compile(r"\s+")


def as_text(value: object) -> str:
    """A JSON value as text: strings as they are, numbers printed, anything else empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return ""


def clean_line(value: object, limit: int = MAX_NAME) -> tuple[str, bool]:
    """One line of text: whitespace runs (newlines too) become one space; returns (text, truncated)."""
    text = replace_controls(as_text(value), " ", one_line=True)  # then one space per run, below
    text = _SPACES.sub(" ", text).strip()
    if shows_nothing(text):
        return "", False  # invisible characters alone are no name: the caller's fallback applies
    if len(text) > limit:
        return text[: limit - 1].rstrip() + "…", True
    return text, False


def clean_text(value: object, limit: int = MAX_TEXT) -> tuple[str, bool]:
    """Long text: line breaks kept (CRLF → LF), other control characters removed; (text, truncated)."""
    text = as_text(value).replace("\r\n", "\n").replace("\r", "\n")
    text = strip_controls(text).strip()
    if len(text) > limit:
        return text[: limit - 1].rstrip() + "…", True
    return text, False


def short(text: str, limit: int = 60) -> str:
    """A name for a message: one line, at most ``limit`` characters."""
    line, _ = clean_line(text, limit)
    return line
