"""What is at stake, read from the words a squad writes when it has not set the facts yet.

In a 30-minute model most facts stay unknown, but names and data say a lot: "Refund service",
"card token", "password". When ``privileged`` or ``classification`` is unknown, these words let
risk rate impact as a reviewer would ("refund" moves money) and say which word it read. A fact
that is set always wins over the words: ``privileged = false`` on "Refund service" means it is
not privileged. The words are data to match, never interpreted further.
"""

from __future__ import annotations

import functools
import re

STAKES: dict[str, tuple[str, ...]] = {
    "money": ("payment", "refund", "payout", "transfer", "billing", "invoice", "ledger", "wallet", "charge"),
    "admin": ("admin", "operator", "superuser", "root", "backoffice", "back office", "console"),
    "secrets": ("password", "credential", "secret", "token", "api key", "private key", "session"),
    "card data": ("card", "cvv", "iban"),
    "personal data": ("personal", "pii", "address", "email", "phone", "passport", "health", "birth"),
}
"""Kinds of stake and the words (starts of words) that show them."""

PRIVILEGE_STAKES = ("money", "admin")
"""Stakes that make an action privileged."""
DATA_STAKES = ("secrets", "card data", "personal data")
"""Stakes that make data sensitive."""


def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # a word of the text starting with one of the words: "payments" shows money
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")")


_ANY = _words_pattern(tuple(w for words in STAKES.values() for w in words))
_PATTERNS = {stake: _words_pattern(words) for stake, words in STAKES.items()}


@functools.lru_cache(maxsize=65536)  # names and data repeat from one analysis to the next
def stakes_in(*texts: str | None) -> tuple[str, ...]:
    """The stakes the texts mention, in `STAKES` order (empty when none)."""
    joined = " ".join(t for t in texts if t).lower()
    if not _ANY.search(joined):  # the common case, in one pass
        return ()
    return tuple(stake for stake, pattern in _PATTERNS.items() if pattern.search(joined))
