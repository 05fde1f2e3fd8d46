"""Open Threat Model 0.2.0: export valid against the official schema, the spec's example imports,
a round trip through our model gives the same model, a state changed in another tool comes back."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import model_to_data
from stride_tui.core.interop.otm import export_otm, import_otm

from ..shared import SAMPLES

HERE = Path(__file__).resolve().parent / "otm"
SCHEMA = json.loads((HERE / "otm_schema.json").read_text())
SAMPLE_FILES = sorted(SAMPLES.glob("*.toml"))


def _export(model):
    return export_otm(model, analyse(model, builtin_rules()))


def _import(document: dict | bytes, name: str = "m.otm.json"):
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return import_otm(raw, name, builtin_rules())


def _errors(document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_schema_accepts_the_specs_own_example():
    assert _errors(json.loads((HERE / "EXAMPLE.json").read_text())) == []


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_export_is_valid_otm_and_deterministic(path):
    model = load_model(path).model
    result = _export(model)
    assert _errors(result.document) == []
    assert result.document["otmVersion"] == "0.2.0"
    assert _export(model).text == result.text
    assert {z["id"] for z in result.document["trustZones"]} >= set(model.boundaries)
    assert [c["id"] for c in result.document["components"]] == list(model.components)
    assert [f["id"] for f in result.document["dataflows"]] == list(model.flows)
    threats = group_threats(analyse(model, builtin_rules()))
    assert len(result.document["threats"]) == len(threats)
    instances = [i for c in result.document["components"] + result.document["dataflows"] for i in c.get("threats", [])]
    catalogue = {t["id"] for t in result.document["threats"]}
    assert instances and all(i["threat"] in catalogue for i in instances)
    assert {m["id"] for m in result.document["mitigations"]} == {t.remedy for t in threats}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_round_trip_gives_back_the_same_model(path):
    model = load_model(path).model
    back = _import(_export(model).document).model
    original, returned = model_to_data(model), model_to_data(back)
    assert returned == original
    # same tables in the same order except decisions and threats, which OTM holds elsewhere
    assert list(returned) == list(original)


def test_a_state_changed_in_another_tool_becomes_a_decision_and_is_reported():
    model = load_model(SAMPLES / "checkout.toml").model
    document = copy.deepcopy(_export(model).document)
    component = next(c for c in document["components"] if any(i["state"] == "exposed" for i in c.get("threats", [])))
    instance = next(i for i in component["threats"] if i["state"] == "exposed")
    instance["state"] = "mitigated"
    component["name"] = "Renamed in IriusRisk"
    result = _import(document)
    assert result.model.decisions[instance["threat"]].status == "mitigated"
    assert result.model.components[component["id"]].name == "Renamed in IriusRisk"
    assert any(instance["threat"] in w and "open → mitigated" in w for w in result.warnings)
    statuses = {t.id: t.status for t in group_threats(analyse(result.model, builtin_rules()))}
    assert statuses[instance["threat"]] == "mitigated"


def test_the_specs_example_imports_with_everything_unmappable_reported(run_cli, tmp_path):
    out = tmp_path / "m.toml"
    code, _stdout, err = run_cli("import", HERE / "EXAMPLE.json", "--from", "otm", "-o", out)
    assert code == 0, err
    model = load_model(out).model
    assert model.model.title == "Test project" and model.model.owner == "John Doe"
    names = {c.name: c for c in model.components.values()}
    assert names["Web Client"].kind == "external_entity"
    assert names["Customer Database"].kind == "data_store"
    assert names["Web Service"].kind == "process"
    internet = next(b for b in model.boundaries.values() if b.name == "Internet")
    assert internet.internet is True  # its OTM type is "internet"
    # UUID zone ids give way to the zone's name
    assert "internet" in model.boundaries
    assert names["Web Client"].boundary == "internet"
    # bidirectional dataflows are a flow and its response
    assert model.flows["webclient-to-webservice-response"].response_to == "webclient-to-webservice"
    # the example's threat is foreign: a hand-written threat on each element it is on
    assert {t.target for t in model.threats.values()} == {"web-service", "cc-store-in-db"}
    assert "kinds read from OTM component types" in err
    assert "bidirectional dataflow" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"{", "invalid JSON"),
        (b"otmVersion: 0.2.0\nproject: {}\n", "OTM in YAML is not read"),
        (b'{"summary": {}, "detail": {"diagrams": []}}', "looks like a Threat Dragon file"),
        (b'{"otmVersion": "0.2.0"}', "`project` is missing"),
        (b'{"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"}, "components": {}}', "must be a list"),
    ],
)
def test_bad_files_are_refused_with_exit_2(content, message, tmp_path, run_cli):
    with pytest.raises(ModelError) as info:
        import_otm(content, "f.json")
    assert message in str(info.value.diagnostics[0])
    source = tmp_path / "f.json"
    source.write_bytes(content)
    code, _, err = run_cli("import", source, "--from", "otm", "-o", tmp_path / "m.toml")
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "m.toml").exists()


def test_cli_export_otm(run_cli, tmp_path):
    out = tmp_path / "m.otm.json"
    code, _stdout, err = run_cli("export", SAMPLES / "checkout.toml", "--to", "otm", "-o", out)
    assert code == 0, err
    assert _errors(json.loads(out.read_text())) == []
    code, _, err = run_cli("export", SAMPLES / "checkout.toml", "--to", "otm", "-o", out, "--status", "open")
    assert code == 2 and "for --to threat-dragon" in err
    back = tmp_path / "back.toml"
    code, _, err = run_cli("import", out, "--from", "otm", "-o", back)
    assert code == 0, err
    assert model_to_data(load_model(back).model) == model_to_data(load_model(SAMPLES / "checkout.toml").model)
