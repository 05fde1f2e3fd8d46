"""The JSON Schema as editors and CI validators use it: bad ids and unknown keys are refused in
every table, and a wrong `kind` is one clear error, not a dump of every `oneOf` branch."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import tomli
import tomli_w

from ..shared import SAMPLES

FULL = """\
stride_tui = 1

[model]
title = "Every table"

[boundaries.internet]
name = "Internet"
internet = true

[components.user]
kind = "external_entity"
name = "User"
boundary = "internet"

[components.api]
kind = "process"
name = "API"

[components.db]
kind = "data_store"
name = "DB"

[flows.user-to-api]
from = "user"
to = "api"

[decisions."process-input-not-validated@api"]
status = "accepted"

[threats.skim]
category = "information_disclosure"
target = "api"
title = "Skimming"
"""

# every table of the format, as a path into the parsed file
TABLES = [
    (),
    ("model",),
    ("boundaries", "internet"),
    ("components", "user"),
    ("components", "api"),
    ("components", "db"),
    ("flows", "user-to-api"),
    ("decisions", "process-input-not-validated@api"),
    ("threats", "skim"),
]
SECTIONS = ["boundaries", "components", "flows", "decisions", "threats"]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    from stride_tui.core.model.json_schema import json_schema

    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: jsonschema.Draft202012Validator, data: dict) -> list[jsonschema.ValidationError]:
    return sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))


def test_the_full_model_and_every_sample_are_valid(validator) -> None:
    assert _errors(validator, tomli.loads(FULL)) == []
    for path in sorted(SAMPLES.glob("*.toml")):
        assert _errors(validator, tomli.loads(path.read_text(encoding="utf-8"))) == [], path


@pytest.mark.parametrize("table", TABLES, ids=lambda t: ".".join(t) or "top")
def test_an_unknown_key_is_refused_in_every_table(validator, table: tuple[str, ...]) -> None:
    data = tomli.loads(FULL)
    node = data
    for part in table:
        node = node[part]
    node["protocl"] = "https"
    (error,) = _errors(validator, data)
    assert tuple(error.absolute_path) == table
    assert error.message == "Additional properties are not allowed ('protocl' was unexpected)"


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("bad", ["Api", "9lives", "with space", "x" * 65, "ünï"])
def test_a_bad_id_is_refused_in_every_section(validator, section: str, bad: str) -> None:
    data = tomli.loads(FULL)
    first = next(iter(data[section]))
    bad_key = f"rule@{bad}" if section == "decisions" else bad
    data[section][bad_key] = copy.deepcopy(data[section][first])
    errors = _errors(validator, data)
    assert errors, f"{section}.{bad_key} was accepted"
    assert all(tuple(e.absolute_path) == (section,) and e.validator == "pattern" for e in errors)
    assert any(repr(bad_key) in e.message and "does not match" in e.message for e in errors)


def test_a_bad_reference_id_is_refused(validator) -> None:
    data = tomli.loads(FULL)
    data["components"]["api"]["boundary"] = "Not An Id"
    (error,) = _errors(validator, data)
    assert tuple(error.absolute_path) == ("components", "api", "boundary") and error.validator == "pattern"


def test_a_wrong_kind_is_one_error_on_kind(validator) -> None:
    data = tomli.loads(FULL)
    data["components"]["api"]["kind"] = "proces"
    (error,) = _errors(validator, data)
    assert tuple(error.absolute_path) == ("components", "api", "kind")
    assert error.message == "'proces' is not one of ['external_entity', 'process', 'data_store']"
    assert error.validator == "enum" and not error.context  # no branch errors underneath
    data["components"]["api"]["kind"] = "process"
    del data["components"]["api"]["kind"]
    (error,) = _errors(validator, data)
    assert error.message == "'kind' is a required property"


def test_a_fact_of_another_kind_is_named(validator) -> None:
    """`trusted` belongs to external entities: on a process it is an unknown key of the process."""
    data = tomli.loads(FULL)
    data["components"]["api"]["trusted"] = True
    (error,) = _errors(validator, data)
    assert tuple(error.absolute_path) == ("components", "api")
    assert error.message == "Additional properties are not allowed ('trusted' was unexpected)"


def _check_jsonschema() -> list[str] | None:
    beside_python = Path(sys.executable).with_name("check-jsonschema")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("check-jsonschema")
    return [found] if found else None


@pytest.mark.skipif(_check_jsonschema() is None and not os.environ.get("CI"), reason="check-jsonschema not installed")
def test_check_jsonschema_on_a_toml_model(tmp_path: Path, run_cli) -> None:
    """The CI recipe: `stride-tui schema -o FILE`, then check-jsonschema reads the TOML itself."""
    command = _check_jsonschema()
    assert command is not None
    schema = tmp_path / "stride-tui.schema.json"
    assert run_cli("schema", "-o", schema)[0] == 0
    good = tmp_path / "threat-model.toml"
    good.write_text(FULL)
    data = tomli.loads(FULL)
    data["components"]["Api2"] = data["components"]["api"]
    data["components"]["db"]["kind"] = "data-store"
    data["flows"]["user-to-api"]["protocl"] = "https"
    bad = tmp_path / "threat-model-bad.toml"
    bad.write_text(tomli_w.dumps(data))

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, "--schemafile", str(schema), str(path)], capture_output=True, text=True, timeout=120
        )

    assert run(good).returncode == 0
    result = run(bad)
    assert result.returncode == 1
    out = result.stdout
    assert "$.components: 'Api2' does not match" in out
    assert "$.components.db.kind: 'data-store' is not one of ['external_entity', 'process', 'data_store']" in out
    assert "$.flows['user-to-api']: Additional properties are not allowed ('protocl' was unexpected)" in out
    assert "oneOf" not in out and "not valid under any of the given schemas" not in out
    assert "Best Match" not in out  # nothing to pick among: each error is the one that matters
    assert json.loads(schema.read_text())["$schema"] == "https://json-schema.org/draft/2020-12/schema"
