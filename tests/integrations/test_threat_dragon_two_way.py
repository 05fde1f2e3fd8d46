"""Threat Dragon both ways: the drawing kept in the layout file and written back, edits made in
Threat Dragon merged and reported, export filters, every grain of decision carried, TM-BOM, v1
and empty files refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model, parse_model
from stride_tui.core.files.storage import encode_model
from stride_tui.core.interop.threat_dragon import export_threat_dragon, import_threat_dragon
from stride_tui.core.interop.threat_dragon.layout_file import layout_path, read_layout, write_layout
from stride_tui.core.interop.threat_dragon.mapping import EMBED_KEY

from ..shared import MINIMAL, SAMPLES

FIXTURES = Path(__file__).resolve().parents[1] / "threat_dragon"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))
DRAWING = ("position", "size", "vertices", "zIndex")


def _cells(document: dict) -> dict[str, dict]:
    return {c["id"]: c for d in document["detail"]["diagrams"] for c in d["cells"]}


def _round(path: Path, tmp_path: Path, run_cli) -> tuple[Path, Path, dict]:
    """Import ``path``, export it again; (model, layout file, exported document)."""
    model = tmp_path / "model.toml"
    code, _, err = run_cli("import", path, "--from", "threat-dragon", "-o", model)
    assert code == 0, err
    out = tmp_path / "back.json"
    code, _, err = run_cli("export", model, "--to", "threat-dragon", "-o", out)
    assert code == 0, err
    assert "layout from" in err
    return model, layout_path(model), json.loads(out.read_text())


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_the_drawing_comes_back_as_it_was(path, tmp_path, run_cli):
    original = json.loads(path.read_text())
    _model, layout, back = _round(path, tmp_path, run_cli)
    assert layout.exists() and layout.name == "model.td-layout.json"
    before, after = _cells(original), _cells(back)
    assert set(after) == set(before)  # the same cells, by id: nothing added, nothing lost
    for cell_id, cell in before.items():
        twin = after[cell_id]
        assert twin["shape"] == cell["shape"], cell_id  # curves stay curves, text blocks come back
        for key in DRAWING:
            if key in cell:
                assert twin.get(key) == cell[key], (cell_id, key)
        if cell["shape"] == "flow":
            for end in ("source", "target"):
                if isinstance(cell[end], dict) and "cell" in cell[end]:
                    assert twin[end]["cell"] == cell[end]["cell"]
                    assert twin[end].get("port") == cell[end].get("port")
            assert twin["data"]["isBidirectional"] == bool(cell["data"].get("isBidirectional"))
        if cell["shape"] == "td-text-block":
            assert twin == cell
    assert [d["title"] for d in back["detail"]["diagrams"]] == [d["title"] for d in original["detail"]["diagrams"]]
    assert back["summary"]["description"] == original["summary"].get("description", "")
    assert back["detail"]["reviewer"] == original["detail"].get("reviewer", "")


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_import_export_import_is_stable(path, tmp_path, run_cli):
    model, layout, _back = _round(path, tmp_path, run_cli)
    again = tmp_path / "again"
    again.mkdir()
    second = again / "model.toml"
    code, _, err = run_cli("import", tmp_path / "back.json", "--from", "threat-dragon", "-o", second)
    assert code == 0, err
    assert second.read_bytes() == model.read_bytes()
    assert layout_path(second).read_bytes() == layout.read_bytes()


def test_the_layout_file_is_diff_friendly_and_deterministic(tmp_path, run_cli):
    model, layout, _ = _round(FIXTURES / "v2-threat-model.json", tmp_path, run_cli)
    text = layout.read_text()
    document = json.loads(text)
    assert document["stride_tui_layout"] == 1
    assert set(document["elements"]) == set(load_model(model).model.components) | set(
        load_model(model).model.flows
    ) | set(load_model(model).model.boundaries) - {
        fid for fid, f in load_model(model).model.flows.items() if f.response_to
    }
    # one value per line, keys sorted: moving one shape changes only its x/y lines
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert write_layout(read_layout(layout)) == layout.read_bytes()
    # and the model itself holds no coordinate
    assert "position" not in model.read_text() and "zIndex" not in model.read_text()


def test_a_new_element_is_placed_and_reported(tmp_path, run_cli):
    model, _, _ = _round(FIXTURES / "generic-cms.json", tmp_path, run_cli)
    code, _, err = run_cli("add", model, "Brand new service > Some other service : https")
    assert code == 0, err
    out = tmp_path / "new.json"
    code, _, err = run_cli("export", model, "--to", "threat-dragon", "-o", out)
    assert code == 0
    assert "placed automatically to the right of the kept drawing" in err
    kept = [c for c in _cells(json.loads((FIXTURES / "generic-cms.json").read_text())).values() if "position" in c]
    right = max(c["position"]["x"] + c["size"]["width"] for c in kept if "size" in c)
    new = [
        c for c in _cells(json.loads(out.read_text())).values() if c.get("data", {}).get("name") == "Brand new service"
    ]
    assert new and new[0]["position"]["x"] > right


def test_layout_options_and_bad_layout_files(tmp_path, run_cli):
    model = tmp_path / "m.toml"
    code, stdout, _ = run_cli(
        "import", FIXTURES / "generic-cms.json", "--from", "threat-dragon", "-o", model, "--layout", "none"
    )
    assert code == 0 and not layout_path(model).exists() and "layout kept" not in stdout
    code, _, err = run_cli("import", FIXTURES / "generic-cms.json", "--from", "threat-dragon", "-o", "-")
    assert code == 0 and "layout is not kept" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"stride_tui_layout": 7}')
    code, _, err = run_cli("export", model, "--to", "threat-dragon", "-o", tmp_path / "x.json", "--layout", bad)
    assert code == 2 and f"{bad}: error: not a stride-tui layout file" in err
    bad.write_text("{")
    code, _, err = run_cli("export", model, "--to", "threat-dragon", "-o", tmp_path / "x.json", "--layout", bad)
    assert code == 2 and f"{bad}:1:2: error: invalid JSON" in err
    code, _, err = run_cli(
        "import", FIXTURES / "generic-cms.json", "--from", "mermaid", "-o", tmp_path / "y.toml", "--layout", bad
    )
    assert code == 2 and "--layout is for --from threat-dragon" in err


# ---------------------------------------------------------------------------------------------
# Edits made in Threat Dragon


def _exported(model_text: str = "") -> tuple[object, dict]:
    model = (
        load_model(SAMPLES / "checkout.toml").model if not model_text else parse_model(model_text.encode(), "m").model
    )
    return model, copy.deepcopy(export_threat_dragon(model, analyse(model, builtin_rules())).document)


def _threats(document: dict):
    for cell in _cells(document).values():
        yield from cell.get("data", {}).get("threats", [])


def _reimport(document: dict):
    return import_threat_dragon(json.dumps(document).encode(), "td.json", builtin_rules())


def test_edits_to_exported_findings_are_merged_and_each_reported():
    _, document = _exported()
    findings = [t for t in _threats(document) if "finding" in t[EMBED_KEY] and t["status"] == "Open"]
    status_edit, text_edit = findings[0], findings[1]
    status_edit["status"] = "Mitigated"
    text_edit["severity"] = "Critical" if text_edit["severity"] != "Critical" else "Low"
    text_edit["title"] = "Retitled in Threat Dragon"
    text_edit["mitigation"] = "Our own mitigation"
    result = _reimport(document)
    first = status_edit[EMBED_KEY]["finding"]
    second = text_edit[EMBED_KEY]["finding"]
    assert result.model.decisions[first].status == "mitigated"
    note = result.model.decisions[second].note or ""
    assert "Edited in Threat Dragon" in note and "Retitled in Threat Dragon" in note and "Our own mitigation" in note
    assert result.model.decisions[second].status == "open"
    joined = "\n".join(result.warnings)
    assert f"finding `{first}`: status Open → Mitigated" in joined
    for field in ("title", "severity", "mitigation"):
        assert f"finding `{second}`: {field} edited in Threat Dragon" in joined


def test_edits_to_an_exported_custom_threat_are_taken_and_reported():
    model, document = _exported()
    custom = next(t for t in _threats(document) if "threat" in t[EMBED_KEY])
    tid = custom[EMBED_KEY]["id"]
    custom["title"] = "Skimming, as the team now calls it"
    custom["status"] = "Transferred"
    result = _reimport(document)
    assert result.model.threats[tid].title == "Skimming, as the team now calls it"
    assert result.model.threats[tid].status == "transferred"
    assert result.model.threats[tid].description == model.threats[tid].description
    joined = "\n".join(result.warnings)
    assert f"threat `{tid}`" in joined and "title edited in Threat Dragon" in joined
    assert "status edited in Threat Dragon" in joined


GRAINS = (
    MINIMAL
    + """
[decisions."caller-authentication@user-to-api"]
status = "accepted"
note = "finding grain"

[decisions."*@api"]
status = "not_applicable"
note = "element grain"
ticket = "SEC-1"
"""
)


def test_decisions_of_every_grain_survive_a_round_trip():
    model = parse_model(GRAINS.encode(), "m.toml").model
    analysis = analyse(model, builtin_rules())
    rules = {f.rule_id for f in analysis.findings if f.element_id == "api"}
    rule = sorted(rules)[0]
    threat = next(f.threat_id for f in analysis.findings if f.element_id == "api")
    text = (
        GRAINS + f'\n[decisions."{rule}@*"]\nstatus = "mitigated"\n\n[decisions."{threat}"]\nstatus = "investigating"\n'
    )
    model = parse_model(text.encode(), "m.toml").model
    document = export_threat_dragon(model, analyse(model, builtin_rules())).document
    back = _reimport(document).model
    assert {k: v.model_dump() for k, v in back.decisions.items()} == {
        k: v.model_dump() for k, v in model.decisions.items()
    }


# ---------------------------------------------------------------------------------------------
# Export filters


def test_export_filters_keep_the_other_decisions(run_cli, tmp_path):
    out = tmp_path / "open.json"
    code, stdout, err = run_cli(
        "export",
        SAMPLES / "checkout.toml",
        "--to",
        "threat-dragon",
        "-o",
        out,
        "--status",
        "open",
        "--min-severity",
        "high",
    )
    assert code == 0, err
    threats = list(_threats(json.loads(out.read_text())))
    assert threats and all(t["status"] == "Open" and t["severity"] in ("High", "Critical") for t in threats)
    model = load_model(SAMPLES / "checkout.toml").model
    findings = analyse(model, builtin_rules()).findings
    expected = [f for f in findings if f.status == "open" and f.severity in ("high", "critical")]
    assert len(threats) == len(expected)
    assert f"{len(threats)} threats (of {len(findings)})" in stdout
    assert f"{len(findings) - len(threats)} of {len(findings)} findings left out" in err
    # importing the filtered file loses no decision
    back = tmp_path / "back.toml"
    code, _, err = run_cli("import", out, "--from", "threat-dragon", "-o", back)
    assert code == 0, err
    orphans = set(analyse(model, builtin_rules()).orphans)
    kept = {k: v for k, v in model.decisions.items() if k not in orphans}
    assert {k: v.model_dump() for k, v in load_model(back).model.decisions.items()} == {
        k: v.model_dump() for k, v in kept.items()
    }


def test_export_filter_errors(run_cli, tmp_path):
    code, _, err = run_cli(
        "export", SAMPLES / "checkout.toml", "--to", "threat-dragon", "-o", tmp_path / "x.json", "--status", "closed"
    )
    assert code == 2 and "unknown status closed" in err
    assert not (tmp_path / "x.json").exists()


# ---------------------------------------------------------------------------------------------
# Files that are not Threat Dragon v2 models


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ((FIXTURES / "tmbom" / "tmbom-otm-example.cdx.json").read_bytes(), "Threat Model Bill of Materials (TM-BOM"),
        (
            b'{"summary": {"title": "Empty"}, "detail": {"contributors": [], "diagrams": [], "reviewer": ""}}',
            "Threat Dragon v1 model",
        ),
        (b'{"version": "2.3.0", "summary": {"title": "E"}, "detail": {"diagrams": []}}', "nothing to import"),
        (
            b'{"version": "2.3.0", "summary": {"title": "E"}, "detail": {"diagrams": [{"title": "d", "cells": []}]}}',
            "nothing to import",
        ),
    ],
    ids=["tm-bom", "empty-v1", "no-diagram", "empty-diagram"],
)
def test_tm_bom_v1_and_empty_files_are_refused(content, message, tmp_path, run_cli):
    source = tmp_path / "in.json"
    source.write_bytes(content)
    out = tmp_path / "m.toml"
    code, _, err = run_cli("import", source, "--from", "threat-dragon", "-o", out)
    assert code == 2, err
    assert f"{source}: error: " in err and message in err and "Traceback" not in err
    assert not out.exists() and not layout_path(out).exists()


def test_the_exported_file_is_stable_bytes(tmp_path, run_cli):
    model, _, _back = _round(FIXTURES / "online-game.json", tmp_path, run_cli)
    out2 = tmp_path / "back2.json"
    code, _, _ = run_cli("export", model, "--to", "threat-dragon", "-o", out2)
    assert code == 0
    assert out2.read_bytes() == (tmp_path / "back.json").read_bytes()
    assert encode_model(load_model(model).model) == model.read_bytes()
