"""Counts in words, the same everywhere: "1 flow", "3 flows"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless there is exactly one ("3 flows", "1 flow");
    ``plural`` when adding an "s" does not make it ("1 story", "2 stories")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
