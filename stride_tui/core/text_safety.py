"""Which characters of user text may reach a terminal, a diagram or a report, and what
happens to the others. The one place this policy is written (DESIGN §7).

Two kinds of characters are dangerous:

- **Control characters** — C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F). Any of
  them can start an escape sequence that a terminal obeys (set the title, write the clipboard,
  clear the screen). Tab and newline are layout in multi-line text, so most treatments keep
  them; ``one_line=True`` counts them as controls too (names, table cells, one-line messages).
- **Invisible characters** — bidi controls (LRM/RLM, embeddings, overrides, isolates) and
  zero-width characters (ZWSP/ZWNJ/ZWJ, word joiner, invisible operators, BOM). They make text
  read differently from what it is ("Trojan Source", CVE-2021-42574). They are allowed in a
  model, but flagged by a warning and shown as a visible code point (``<U+202E>``).

The treatments: remove (`strip_controls`), replace by a stand-in (`replace_controls`), show as
an escape (`escape_controls` for ``\\u001b``, `show_invisible` for ``<U+202E>``), find for
warnings and errors (`find_control`, `find_invisible`). Output formats (Markdown, HTML, DOT)
escape their own syntax in their own modules; they take the characters from here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

# Character-class bodies, spelt with escapes so they also serve as pydantic (Rust regex) patterns.
_C0_LAYOUT_KEPT = r"\x00-\x08\x0b-\x1f"  # C0 without tab (\x09) and newline (\x0a)
_C0 = r"\x00-\x1f"
_DEL_AND_C1 = r"\x7f-\x9f"
CONTROL_CHARS = _C0_LAYOUT_KEPT + _DEL_AND_C1
"""Controls in multi-line text: C0 except tab and newline, DEL, C1."""
LINE_CONTROL_CHARS = _C0 + _DEL_AND_C1
"""Controls in one-line text: every C0 (tab and newline too), DEL, C1."""
BIDI_CHARS = r"\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""LRM, RLM, the embeddings and overrides (LRE…RLO), the isolates (LRI…PDI)."""
ZERO_WIDTH_CHARS = r"\u200b-\u200d\u2060-\u2064\ufeff"
"""ZWSP, ZWNJ, ZWJ, word joiner, the invisible operators, BOM (zero-width no-break space)."""
INVISIBLE_CHARS = ZERO_WIDTH_CHARS + BIDI_CHARS

REPLACEMENT_CHARACTER = "\ufffd"

_CONTROL = re.compile(f"[{CONTROL_CHARS}]")
_LINE_CONTROL = re.compile(f"[{LINE_CONTROL_CHARS}]")
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")


def _controls(one_line: bool) -> re.Pattern[str]:
    return _LINE_CONTROL if one_line else _CONTROL


def code_point(char: str) -> str:
    """``U+202E``: how a character is named in messages and shown in place of an invisible one."""
    return f"U+{ord(char):04X}"


# The editor shows the same names and ids on every repaint: strip each distinct value once.
@functools.lru_cache(maxsize=1 << 16)
def strip_controls(text: str, *, one_line: bool = False) -> str:
    """``text`` without control characters: for text shown in a terminal or stored in a model."""
    if text.isascii() and text.isprintable():  # the usual name: no control character at all
        return text
    return _controls(one_line).sub("", text)


def replace_controls(text: str, replacement: str, *, one_line: bool = False) -> str:
    """Each control character replaced by ``replacement``: for outputs where a removed
    character would silently join words (a space in a text diagram, U+FFFD in a DOT label)."""
    return _controls(one_line).sub(replacement, text)


def escape_controls(text: str, *, one_line: bool = False) -> str:
    """Each control character shown as ``\\uXXXX``: for messages, where the reader should see
    that the character is there (no escape sequence reaches the terminal)."""
    return _controls(one_line).sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def find_control(text: str, *, one_line: bool = False) -> tuple[int, str] | None:
    """(index, character) of the first control character, or None: for error messages."""
    match = _controls(one_line).search(text)
    return (match.start(), match.group()) if match else None


def find_invisible(text: str) -> tuple[int, str] | None:
    """(index, character) of the first bidi or zero-width character, or None: for warnings."""
    match = _INVISIBLE.search(text)
    return (match.start(), match.group()) if match else None


def shows_nothing(text: str) -> bool:
    """True when ``text`` is only whitespace and invisible characters: not a usable name."""
    return not _INVISIBLE.sub("", text).strip()


def split_invisible(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` in non-empty pieces, (piece, is_invisible), each invisible character its own
    piece: for a display that marks them (the editor shows them reversed)."""
    position = 0
    for match in _INVISIBLE.finditer(text):
        if match.start() > position:
            yield text[position : match.start()], False
        yield match.group(), True
        position = match.end()
    if position < len(text):
        yield text[position:], False


@functools.lru_cache(maxsize=1 << 16)
def show_invisible(text: str) -> str:
    """Each bidi or zero-width character shown as ``<U+202E>`` instead of being obeyed."""
    return _INVISIBLE.sub(lambda m: f"<{code_point(m.group())}>", text)


def replace_unprintable(text: str, replacement: str = "?") -> str:
    """Every character Python does not call printable (controls, invisible characters, line
    and paragraph separators, unassigned code points...) replaced: for text from another
    program (git's stderr), where no character is expected beyond plain printable text."""
    return "".join(ch if ch.isprintable() else replacement for ch in text)
