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


def test_indented_json_is_json_dumps_with_indent_2():
    import random

    from stride_tui.core.outputs.json_document import indented_json

    rng = random.Random(2)
    leaves = [
        "",
        "a",
        'q"uote\\',
        "\u202e→ é\n\t\x00",
        0,
        -7,
        10**20,
        1.5,
        1e-9,
        float("nan"),
        float("inf"),
        True,
        False,
        None,
    ]

    def value(depth: int) -> object:
        if depth == 0 or rng.random() < 0.3:
            return rng.choice(leaves)
        if rng.random() < 0.5:
            return [value(depth - 1) for _ in range(rng.randint(0, 3))]
        keys = ["k", "", "é", 3, 2.5, True, None]
        return {rng.choice(keys): value(depth - 1) for _ in range(rng.randint(0, 3))}

    for _ in range(500):
        item = value(5)
        assert indented_json(item) == json.dumps(item, indent=2, ensure_ascii=False)
    assert indented_json(("tuple", [])) == json.dumps(("tuple", []), indent=2, ensure_ascii=False)
    for bad in ({"x": object()}, {(1, 2): "tuple key"}):
        try:
            json.dumps(bad, indent=2)
        except TypeError as expected:
            message = str(expected)
        else:  # pragma: no cover - json refuses both
            raise AssertionError
        import pytest

        with pytest.raises(TypeError, match=message.split(",")[0]):
            indented_json(bad)
