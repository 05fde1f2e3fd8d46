"""The text-safety policy: every character class, each treatment, and that it is written once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stride_tui.core import text_safety as ts
from stride_tui.core.model.elements import LINE_PATTERN, TEXT_PATTERN

ROOT = Path(__file__).resolve().parents[2]

C0 = [chr(c) for c in range(0x20)]
C1 = [chr(c) for c in range(0x80, 0xA0)]
CONTROLS = [c for c in C0 if c not in "\t\n"] + ["\x7f"] + C1
BIDI = ["\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", *map(chr, range(0x2060, 0x2065)), "\ufeff"]
# neighbours of each range, which must pass untouched
HARMLESS = [" ", "~", "\xa0", "é", "\u200a", "\u2010", "\u2029", "\u2065", "\u206a", "\ufefe", "😀"]


@pytest.mark.parametrize("char", CONTROLS)
def test_every_control_character_is_a_control(char: str) -> None:
    assert ts.strip_controls(f"a{char}b") == "ab"
    assert ts.strip_controls(f"a{char}b", one_line=True) == "ab"
    assert ts.find_control(f"ab{char}") == (2, char)


@pytest.mark.parametrize("char", ["\t", "\n"])
def test_tab_and_newline_are_controls_only_in_one_line_text(char: str) -> None:
    assert ts.strip_controls(f"a{char}b") == f"a{char}b"
    assert ts.find_control(f"a{char}b") is None
    assert ts.strip_controls(f"a{char}b", one_line=True) == "ab"
    assert ts.find_control(f"a{char}b", one_line=True) == (1, char)


@pytest.mark.parametrize("char", BIDI + ZERO_WIDTH)
def test_every_bidi_and_zero_width_character_is_invisible(char: str) -> None:
    assert ts.find_invisible(f"ab{char}c") == (2, char)
    assert ts.show_invisible(f"a{char}b") == f"a<U+{ord(char):04X}>b"
    assert ts.strip_controls(char) == char  # allowed in a model: flagged, not removed


@pytest.mark.parametrize("char", HARMLESS)
def test_neighbouring_characters_are_neither(char: str) -> None:
    assert ts.strip_controls(char, one_line=True) == char
    assert ts.find_invisible(char) is None
    assert ts.show_invisible(char) == char


def test_the_classes_are_the_documented_ranges() -> None:
    assert {chr(c) for c in range(0x110000) if re.fullmatch(f"[{ts.CONTROL_CHARS}]", chr(c))} == set(CONTROLS)
    invisible = {chr(c) for c in range(0x2000, 0x10000) if re.fullmatch(f"[{ts.INVISIBLE_CHARS}]", chr(c))}
    assert invisible == set(BIDI + ZERO_WIDTH)


def test_replace_controls_puts_one_stand_in_per_character() -> None:
    assert ts.replace_controls("a\x1b[2J\x00b\tc", "\ufffd") == "a\ufffd[2J\ufffdb\tc"
    assert ts.replace_controls("a\x1b\nb\tc", " ", one_line=True) == "a  b c"


def test_escape_controls_shows_each_as_a_lowercase_escape() -> None:
    assert ts.escape_controls("a\x1b]0;x\x07\x9b\tb\n") == "a\\u001b]0;x\\u0007\\u009b\tb\n"
    assert ts.escape_controls("a\tb\n", one_line=True) == "a\\u0009b\\u000a"


def test_split_invisible_gives_each_invisible_character_its_own_piece() -> None:
    assert list(ts.split_invisible("\u202eab\u200b\u200bc")) == [
        ("\u202e", True),
        ("ab", False),
        ("\u200b", True),
        ("\u200b", True),
        ("c", False),
    ]
    assert list(ts.split_invisible("")) == []


def test_replace_unprintable_is_broader_than_controls() -> None:
    assert ts.replace_unprintable("a\x1b\u202e\u2028\tb é") == "a????b é"


def test_model_text_patterns_are_the_control_classes() -> None:
    assert TEXT_PATTERN == r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    assert LINE_PATTERN == r"^[^\x00-\x1f\x7f-\x9f]*$"


# Spellings of a control, bidi or zero-width character class in source code: the escapes used
# in regexes and character lists, and the standard library's own notion of "printable".
_POLICY_SPELLINGS = re.compile(
    r"\\x0?0-|\\x7f|\\x9f|\\x1[bf]|\\u20(0[b-f]|2[a-e]|6[0-9])|\\ufeff|isprintable\(|unicodedata\.category",
    re.IGNORECASE,
)


def test_no_module_but_text_safety_defines_a_character_policy() -> None:
    offenders = []
    for folder in ("stride_tui", "widgets"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "stride_tui/core/text_safety.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _POLICY_SPELLINGS.search(line) or any(ch in line for ch in CONTROLS + BIDI + ZERO_WIDTH):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
