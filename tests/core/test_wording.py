"""Counts in words: singular for exactly one, the plural given when an "s" does not make it."""

from stride_tui.core.wording import counted


def test_counted_says_one_in_the_singular_and_others_in_the_plural() -> None:
    assert [counted(n, "flow") for n in (0, 1, 2)] == ["0 flows", "1 flow", "2 flows"]
    assert counted(1, "boundary", "boundaries") == "1 boundary"
    assert counted(3, "trust boundary", "trust boundaries") == "3 trust boundaries"
