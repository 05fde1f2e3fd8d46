"""The editor recipe: the shipped `.taplo.toml` formats a model exactly as `stride-tui fmt` does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomli

from ..shared import ROOT, SAMPLES

TAPLO_CONFIG = ROOT / ".taplo.toml"

# A model that exercises what fmt writes beyond the samples: multi-line strings, arrays of
# several items and of one, quoted decision keys, non-ASCII text, every section.
VARIED = '''\
stride_tui = 1

[model]
title = "Varied — ünïcödé"
description = """First line.
Second line with "quotes" and a backslash \\\\ here."""
owner = "team"

[boundaries.internet]
name = "Internet"
internet = true

[components.user]
kind = "external_entity"
name = "User"
boundary = "internet"
tags = ["a", "b", "a-longer-tag-for-a-line-past-eighty-columns", "and-one-more-to-be-sure"]

[components.api]
kind = "process"
name = "API"
tags = ["one"]

[components.db]
kind = "data_store"
name = "DB"
classification = "confidential"

[flows.user-to-api]
from = "user"
to = "api"
protocol = "https"

[decisions."process-input-not-validated@api"]
status = "accepted"
note = """Two
lines."""

[threats.skim]
category = "information_disclosure"
target = "api"
title = "Skimming"
severity = "high"
'''


def _taplo() -> str | None:
    beside_python = Path(sys.executable).with_name("taplo")
    return str(beside_python) if beside_python.exists() else shutil.which("taplo")


def _canonical_models(tmp_path: Path, run_cli) -> list[Path]:
    """Every sample model and VARIED, each written by `stride-tui fmt` as threat-model-*.toml."""
    sources = {path.stem: path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.toml"))}
    sources["varied"] = VARIED
    paths = []
    for stem, text in sources.items():
        path = tmp_path / f"threat-model-{stem}.toml"
        path.write_text(text, encoding="utf-8")
        code, _, err = run_cli("fmt", path)
        assert code == 0, err
        assert run_cli("fmt", "--check", path)[0] == 0
        paths.append(path)
    return paths


@pytest.mark.skipif(_taplo() is None and not os.environ.get("CI"), reason="taplo not installed (pip install taplo)")
def test_taplo_with_the_shipped_config_leaves_fmt_output_unchanged(tmp_path: Path, run_cli) -> None:
    shutil.copy(TAPLO_CONFIG, tmp_path / ".taplo.toml")
    models = _canonical_models(tmp_path, run_cli)
    before = {path: path.read_bytes() for path in models}
    taplo = _taplo()
    assert taplo is not None, "CI must have taplo (the [test] extra installs it)"
    result = subprocess.run(
        [taplo, "fmt", *[p.name for p in models]], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for path in models:
        assert path.read_bytes() == before[path], f"taplo reformatted {path.name}"
        assert run_cli("fmt", "--check", path)[0] == 0
    # without the shipped config, taplo's defaults do change fmt's output: the config is what works
    (tmp_path / ".taplo.toml").unlink()
    subprocess.run([taplo, "fmt", models[0].name], cwd=tmp_path, capture_output=True, timeout=120)
    assert models[0].read_bytes() != before[models[0]]
    assert run_cli("fmt", "--check", models[0])[0] == 1


def test_the_documented_options_match_what_fmt_writes(tmp_path: Path, run_cli) -> None:
    """Each option in .taplo.toml, read against fmt's output (so the file stays right even
    where taplo is not installed)."""
    config = tomli.loads(TAPLO_CONFIG.read_text(encoding="utf-8"))
    (rule,) = config["rule"]
    assert "**/threat-model*.toml" in rule["include"]
    options = rule["formatting"]
    texts = [path.read_text(encoding="utf-8") for path in _canonical_models(tmp_path, run_cli)]
    varied = texts[-1]
    # one-item arrays stay expanded, four spaces in, with a trailing comma
    assert options["array_auto_collapse"] is False and options["array_auto_expand"] is True
    assert 'tags = [\n    "one",\n]\n' in varied
    assert options["indent_string"] == "    " and options["array_trailing_comma"] is True
    for text in texts:
        assert all(indent == options["indent_string"] for indent in re.findall(r"^( +)\S", text, re.MULTILINE))
        assert all(line.endswith(",") for line in re.findall(r"^ +\S.*$", text, re.MULTILINE))
        # keys and tables start at column 0, one space either side of `=`
        assert options["indent_entries"] is False and options["indent_tables"] is False
        assert options["align_entries"] is False and not re.search(r"^\w[\w-]*  +=", text, re.MULTILINE)
        # LF line ends, one newline at the end
        assert options["crlf"] is False and "\r" not in text
        assert options["trailing_newline"] is True and text.endswith("\n") and not text.endswith("\n\n")
    assert sum(len(re.findall(r"^ +\S", text, re.MULTILINE)) for text in texts) > 10  # array items were seen
    # fmt orders keys by the format, not alphabetically: taplo must not reorder them
    assert options["reorder_keys"] is False and options["reorder_arrays"] is False
    user = varied.split("[components.user]\n", 1)[1].split("\n\n", 1)[0].splitlines()
    keys = [line.split(" = ")[0] for line in user if " = " in line]
    assert keys[0] == "kind" and keys != sorted(keys)


@pytest.mark.skipif(_taplo() is None and not os.environ.get("CI"), reason="taplo not installed (pip install taplo)")
def test_taplo_validates_with_the_schema_lines_uncommented(tmp_path: Path, run_cli) -> None:
    """The README's schema recipe, as the comment in .taplo.toml says: write the schema, uncomment."""
    config = TAPLO_CONFIG.read_text(encoding="utf-8")
    assert "# [rule.schema]\n# path = " in config
    (tmp_path / ".taplo.toml").write_text(config.replace("# [rule.schema]\n# path = ", "[rule.schema]\npath = "))
    assert run_cli("schema", "-o", tmp_path / "stride-tui.schema.json")[0] == 0
    models = _canonical_models(tmp_path, run_cli)
    taplo = _taplo()
    assert taplo is not None

    def lint(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([taplo, "lint", name], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    for path in models:
        assert lint(path.name).returncode == 0, path.name
    bad = tmp_path / "threat-model-bad.toml"
    text = VARIED.replace('[components.api]\nkind = "process"', '[components.Api]\nkind = "proces"')
    bad.write_text(text.replace('to = "api"', 'to = "api"\nprotocl = "https"'), encoding="utf-8")
    result = lint(bad.name)
    assert result.returncode == 1
    errors = {line for line in result.stderr.splitlines() if line.startswith("error:")}
    assert errors == {
        'error: "Api" does not match "^[a-z][a-z0-9_-]{0,63}$"',
        'error: "proces" is not one of ["external_entity","process","data_store"]',
        "error: Additional properties are not allowed ('protocl' was unexpected)",
    }
