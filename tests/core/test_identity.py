"""changed_keys: which entries of a table an edit changed, found by identity."""

from __future__ import annotations

from stride_tui.core.model.identity import changed_keys


def test_a_replaced_entry_is_changed_and_the_rest_are_not() -> None:
    before = {key: object() for key in "abcdef"}
    after = dict(before, c=object())
    assert changed_keys(before, after) == {"c"}
    assert changed_keys(before, before) == set()
    assert changed_keys(before, dict(before)) == set()


def test_an_equal_but_rebuilt_entry_counts_as_changed() -> None:
    before: dict[str, object] = {"a": [1], "b": [2]}
    assert changed_keys(before, {"a": before["a"], "b": [2]}) == {"b"}


def test_added_removed_and_renamed_keys_are_changed() -> None:
    before = {key: object() for key in "abc"}
    renamed = {("z" if k == "b" else k): v for k, v in before.items()}  # same size, another key
    assert changed_keys(before, renamed) == {"b", "z"}
    assert changed_keys(before, {**before, "d": object()}) == {"d"}
    assert changed_keys(before, {"a": before["a"]}) == {"b", "c"}


def test_the_same_entries_in_another_order_are_unchanged() -> None:
    before = {key: object() for key in "abc"}
    assert changed_keys(before, dict(reversed(before.items()))) == set()
