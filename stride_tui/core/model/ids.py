"""Element ids: the slug rule, and proposing a fresh id from a human name."""

from __future__ import annotations

import re
import unicodedata

ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def is_id(text: str) -> bool:
    """True when ``text`` is a valid element id."""
    return bool(ID_RE.match(text))


def slugify(name: str) -> str:
    """Propose an id from a name: "Checkout API (v2)" → ``checkout-api-v2``; "" when nothing fits."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text.lower()).strip("-_")
    slug = slug.lstrip("0123456789-_")
    return slug[:64].rstrip("-_")


def unique_id(name: str, taken: set[str] | frozenset[str], fallback: str = "item") -> str:
    """An id proposed from ``name`` that is not in ``taken`` (``api``, ``api-2``, …)."""
    base = slugify(name) or fallback
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: 64 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1
