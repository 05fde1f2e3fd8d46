"""A layered map reads as the table its changes make, and never changes the map it came from."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stride_tui.core.layered_map import FLATTEN_DEPTH, LayeredMap

KEYS = st.sampled_from([f"k{i}" for i in range(12)])
EDIT = st.tuples(st.dictionaries(KEYS, st.integers(0, 9), max_size=4), st.sets(KEYS, max_size=3))


@settings(max_examples=200, deadline=None)
@given(start=st.dictionaries(KEYS, st.integers(0, 9)), edits=st.lists(EDIT, max_size=3 * FLATTEN_DEPTH))
def test_a_chain_of_layers_reads_as_the_table_its_edits_make(start: dict[str, int], edits: list) -> None:
    expected = dict(start)
    current: dict[str, int] | LayeredMap[str, int] = dict(start)
    versions: list[tuple[object, dict[str, int]]] = []
    for updates, drops in edits:
        for key in drops:
            expected.pop(key, None)
        expected.update(updates)
        current = LayeredMap.changed(current, updates.items(), drops)
        versions.append((current, dict(expected)))
        assert current == expected
        assert len(current) == len(expected)
        assert sorted(current) == sorted(expected)
        for key in (f"k{i}" for i in range(12)):
            assert (key in current) == (key in expected)
            assert current.get(key) == expected.get(key)
            assert current.get(key, -1) == expected.get(key, -1)
    # every earlier version still reads as it did when it was made
    for version, table in versions:
        assert version == table


def test_a_dropped_key_is_missing() -> None:
    layered = LayeredMap.changed({"a": 1, "b": 2}, [("c", 3)], ["a"])
    assert "a" not in layered
    assert layered.get("a") is None
    try:
        layered["a"]
    except KeyError:
        pass
    else:
        raise AssertionError("a dropped key was found")
    assert dict(layered) == {"b": 2, "c": 3}


def test_a_long_chain_is_flattened_into_one_table() -> None:
    current: dict[str, int] | LayeredMap[str, int] = {"a": 0}
    for i in range(FLATTEN_DEPTH + 1):
        current = LayeredMap.changed(current, [("a", i + 1)])
    assert isinstance(current, LayeredMap)
    assert current._depth == 0
    assert isinstance(current._base, dict)
    assert current["a"] == FLATTEN_DEPTH + 1
