"""The box-drawing diagram: every element drawn once, frames around members, arrows for flows,
highlighting by tag, both layouts, hostile names kept to one clean line."""

from __future__ import annotations

import itertools

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.outputs.text_diagram import draw, graphviz_ranks, layered_ranks

from ..shared import SAMPLES, needs_graphviz


def small() -> ThreatModel:
    return ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "T"},
            "boundaries": {"net": {"name": "Internet", "internet": True}, "dc": {"name": "Data centre"}},
            "components": {
                "user": {"kind": "external_entity", "name": "User", "boundary": "net"},
                "api": {"kind": "process", "name": "API", "technology": "go", "boundary": "dc"},
                "db": {"kind": "data_store", "name": "DB", "boundary": "dc"},
            },
            "flows": {"f1": {"from": "user", "to": "api"}, "f2": {"from": "api", "to": "db"}},
        }
    )


def test_layered_layout_ranks_follow_flows():
    ranks = layered_ranks(small())
    assert ranks["user"][0] < ranks["api"][0] < ranks["db"][0]


def test_layered_layout_survives_cycles():
    model = ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "T"},
            "components": {"a": {"kind": "process"}, "b": {"kind": "process"}},
            "flows": {"ab": {"from": "a", "to": "b"}, "ba": {"from": "b", "to": "a"}},
        }
    )
    ranks = layered_ranks(model)
    assert {ranks["a"][0], ranks["b"][0]} == {0, 1}


def test_every_component_is_a_box_with_its_name_and_shape():
    diagram = draw(small())
    text = "\n".join(diagram.lines)
    assert text.count("│ User") == 1 and text.count("│ API") == 1 and text.count("│ DB") == 1
    assert "╭" in text and "╒" in text and "┌───" in text  # process, data store, external entity
    assert "Internet" in text and "Data centre" in text
    assert text.count("▼") == 2  # both flows go down to their targets


def test_frames_enclose_their_members():
    diagram = draw(small())
    api, db = diagram.boxes["api"], diagram.boxes["db"]
    row = diagram.lines[api.row]
    left = row.rfind("┆", 0, api.col)
    assert left != -1 and diagram.tags[api.row][left] == "frame"
    assert diagram.lines[db.row + db.height].count("┆") >= 1  # the frame continues below the DB


def test_selected_boundary_and_crossing_flows_are_tagged():
    model = small()
    diagram = draw(model, analyse(model, builtin_rules()), selected_boundary="dc")
    tags = {tag for row in diagram.tags for tag in row if tag}
    assert "selected-frame" in tags and "selected-crossing" in tags and "flow" in tags
    assert any(t.startswith("node-") for t in tags)  # filled by worst open finding


def test_runs_split_a_row_by_tag():
    diagram = draw(small())
    row = diagram.boxes["api"].row + 1
    runs = diagram.runs(row)
    assert "".join(text for text, _ in runs) == diagram.lines[row]
    assert any(tag and tag.startswith("node") for _, tag in runs)


def test_hostile_names_stay_on_one_line():
    model = ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "T"},
            "components": {"x": {"kind": "process", "name": "[/] [@click=app.quit]x[/] " + "long" * 20}},
        }
    )
    diagram = draw(model)
    assert len(diagram.lines) == 4 + 1  # the box and the top margin
    assert "│ [/] [@click=app.quit]… │" in diagram.lines[diagram.boxes["x"].row + 1]  # literal, cut at 22


def test_bidi_and_zero_width_characters_are_shown_never_obeyed():
    model = small()
    api = model.components["api"].model_copy(update={"name": "Admin \u202egnp.exe\u202c panel"})
    dc = model.boundaries["dc"].model_copy(update={"name": "Data\u200b centre"})
    model = model.model_copy(
        update={"components": {**model.components, "api": api}, "boundaries": {**model.boundaries, "dc": dc}}
    )
    diagram = draw(model)
    text = "\n".join(diagram.lines)
    assert "\u202e" not in text and "\u202c" not in text and "\u200b" not in text
    assert "│ Admin <U+202E>gnp.exe… │" in diagram.lines[diagram.boxes["api"].row + 1]
    assert "Data<U+200B> centre" in text


def test_output_is_deterministic():
    model = load_model(SAMPLES / "platform.toml").model
    assert draw(model).lines == draw(model).lines


@needs_graphviz()
@pytest.mark.parametrize("name", ["checkout", "three-tier", "platform"])
def test_graphviz_layout_places_every_component(name):
    model = load_model(SAMPLES / f"{name}.toml").model
    ranks = graphviz_ranks(model)
    assert ranks is not None and set(ranks) == set(model.components)
    diagram = draw(model, ranks=ranks)
    assert diagram.layout_source == "graphviz"
    boxes = sorted(diagram.boxes.values(), key=lambda b: (b.row, b.col))
    for a, b in itertools.pairwise(boxes):  # no two boxes overlap
        assert a.row != b.row or a.col + a.width <= b.col


def test_without_graphviz_ranks_fall_back(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert graphviz_ranks(small()) is None
    assert draw(small()).layout_source == "layered"
