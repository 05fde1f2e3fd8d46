"""The line-per-item JSON writer: ordinary JSON, one item of each top-level list per line."""

from __future__ import annotations

import json

from stride_tui.core.outputs.json_document import Items, document_json, document_lines


def test_it_is_ordinary_json_with_one_item_per_line():
    document = {
        "model": 'Shop \u202e\n"quoted"',
        "threats": Items({"id": f"t{i}", "n": i} for i in range(3)),
        "empty": Items(iter(())),
        "plain": [],
        "summary": {"total": 3},
    }
    text = document_json(document)
    assert json.loads(text) == {
        "model": 'Shop \u202e\n"quoted"',
        "threats": [{"id": "t0", "n": 0}, {"id": "t1", "n": 1}, {"id": "t2", "n": 2}],
        "empty": [],
        "plain": [],
        "summary": {"total": 3},
    }
    lines = text.splitlines()
    assert lines[3] == '    {"id": "t0", "n": 0},' and lines[5] == '    {"id": "t2", "n": 2}'
    assert all(line.endswith("\n") for line in document_lines({"a": 1}))


def test_non_finite_numbers_are_refused():
    import pytest

    with pytest.raises(ValueError):
        document_json({"x": float("nan")})
