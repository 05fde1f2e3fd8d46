"""The GitHub Action (action.yml) and the example workflow: their structure, checked against the
schemas editors use for them, and the action's scripts run for real in bash."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from stride_tui.cli import build_parser

from ..shared import MINIMAL, ROOT, SAMPLES

ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "docs" / "examples" / "github-actions-threat-model.yml"
# the current major versions on 2026-12-01 (checkout v7 and setup-python v7 run on Node 24;
# codeql-action v3 is deprecated in December 2026)
CURRENT = {"actions/checkout": "v7", "actions/setup-python": "v7", "github/codeql-action/upload-sarif": "v4"}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _vendored_schema(name: str) -> dict:
    """SchemaStore's schema as check-jsonschema ships it (`--builtin-schema vendor.NAME`)."""
    return json.loads((resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / f"{name}.json").read_text())


def _steps(document: dict) -> list[dict]:
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize(("path", "schema"), [(ACTION, "github-actions"), (WORKFLOW, "github-workflows")])
def test_valid_against_the_schemastore_schema(path: Path, schema: str) -> None:
    document = _yaml(path)
    validator_class = jsonschema.validators.validator_for(_vendored_schema(schema))
    errors = [e.message for e in validator_class(_vendored_schema(schema)).iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("path", [ACTION, WORKFLOW])
def test_no_expression_inside_a_script_and_current_actions(path: Path) -> None:
    """Script injection: `${{ }}` only in `env:`, `with:` and `if:` values, never pasted into a
    `run:` script. Every action it calls is at its current major version."""
    steps = _steps(_yaml(path))
    for step in steps:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            if path == ACTION:
                assert step["shell"] == "bash"  # a composite action must say which shell
        if "uses" in step and not step["uses"].startswith("<owner>/"):
            action, _, version = step["uses"].partition("@")
            assert CURRENT[action] == version, step["uses"]


def test_the_action_installs_from_its_checkout_and_uploads_only_what_it_wrote() -> None:
    action = _yaml(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"models", "fail-on", "check-args", "upload", "python-version"}
    assert action["inputs"]["models"]["default"] == "threat-model.toml"
    assert action["inputs"]["upload"]["default"] == "true"
    steps = {step["name"]: step for step in action["runs"]["steps"]}
    install = steps["Install stride-tui from the action's checkout"]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert re.search(r'pip install .*"\$ACTION_PATH"$', install["run"])
    upload = steps["Upload SARIF to code scanning"]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["if"] == "inputs.upload == 'true' && steps.check.outputs.sarif-files != '0'"
    assert upload["with"] == {"sarif_file": "${{ steps.check.outputs.sarif-dir }}"}
    # the gate fails last, after the upload
    assert list(steps)[-1] == "Gate" and list(steps).index("Gate") > list(steps).index(upload["name"])


def _run_step(step: dict, values: dict[str, str], tmp_path: Path, cwd: Path) -> tuple[int, str, dict[str, str]]:
    """Run one `run:` step as the runner would: its `env:` with expressions filled from
    ``values``, bash with the runner's options, GITHUB_OUTPUT collected."""
    output = tmp_path / "github-output"
    output.write_text("")
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output)}
    for key, value in step.get("env", {}).items():
        env[key] = EXPRESSION.sub(lambda m: values[m.group(1)], str(value))
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in order, as the runner's log has it
        text=True,
        timeout=300,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result.returncode, result.stdout, outputs


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)
    shutil.copy(SAMPLES / "checkout.toml", work / "threat-model.toml")
    (work / "broken.toml").write_text(MINIMAL.replace('to = "api"', 'to = "ghost"'))
    (work / "ok.toml").write_text(MINIMAL)
    return work


def _check(workspace: Path, tmp_path: Path, models: str, fail_on: str = "high") -> tuple[int, str, dict[str, str]]:
    step = next(s for s in _yaml(ACTION)["runs"]["steps"] if s.get("id") == "check")
    values = {
        "inputs.models": models,
        "inputs.fail-on": fail_on,
        "inputs.check-args": "",
        "runner.temp": str(tmp_path / "runner-temp"),
    }
    return _run_step(step, values, tmp_path, workspace)


def _gate(exit_code: str, tmp_path: Path) -> int:
    step = next(s for s in _yaml(ACTION)["runs"]["steps"] if s["name"] == "Gate")
    return _run_step(step, {"steps.check.outputs.exit-code": exit_code}, tmp_path, tmp_path)[0]


def test_the_check_step_writes_sarif_for_a_valid_model(workspace: Path, tmp_path: Path) -> None:
    code, out, outputs = _check(workspace, tmp_path, "threat-model.toml")
    assert code == 0, out  # the step itself never fails: the gate step does, after the upload
    assert outputs["exit-code"] == "1" and outputs["sarif-files"] == "1"
    (sarif,) = Path(outputs["sarif-dir"]).iterdir()
    log = json.loads(sarif.read_text())
    assert log["runs"][0]["automationDetails"]["id"] == "stride-tui/threat-model.toml/"
    assert log["runs"][0]["results"]
    assert _gate(outputs["exit-code"], tmp_path) == 1
    code, out, outputs = _check(workspace, tmp_path, "threat-model.toml", fail_on="critical")
    assert outputs["exit-code"] in ("0", "1") and outputs["sarif-files"] == "1"


def test_an_invalid_model_gets_no_sarif_and_fails_the_gate(workspace: Path, tmp_path: Path) -> None:
    code, out, outputs = _check(workspace, tmp_path, "ok.toml\nbroken.toml\n")
    assert code == 0, out
    assert outputs["exit-code"] == "2" and outputs["sarif-files"] == "1"
    assert [p.name for p in Path(outputs["sarif-dir"]).iterdir()] == ["model-1.sarif"]  # no empty file for broken
    assert "::error file=broken.toml::stride-tui: broken.toml is not a valid model (no SARIF written for it)" in out
    assert "ghost" in out  # the validation error itself is printed
    assert _gate(outputs["exit-code"], tmp_path) == 2
    _, _, outputs = _check(workspace, tmp_path, "broken.toml")
    assert outputs["sarif-files"] == "0"  # so the upload step does not run
    _, out, outputs = _check(workspace, tmp_path, "  ")
    assert outputs["exit-code"] == "2" and "no model given" in out
    assert _gate("0", tmp_path) == 0


def test_model_text_cannot_issue_workflow_commands(workspace: Path, tmp_path: Path) -> None:
    """The runner obeys `::command::` lines in a step's output: stride-tui prints names from the
    model, so the step stops commands while it runs (resumed with a token nobody can guess)."""
    _, out, _ = _check(workspace, tmp_path, "threat-model.toml broken.toml")
    lines = out.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].removeprefix("::stop-commands::")
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    resume = lines.index(f"::{token}::")
    printed = [i for i, line in enumerate(lines) if "threat-model.toml" in line or "ghost" in line]
    assert printed and all(stop < i < resume for i in printed if not lines[i].startswith("::error"))
    _, again, _ = _check(workspace, tmp_path, "ok.toml")
    assert token not in again  # a new token every run


@pytest.mark.skipif(
    shutil.which("shellcheck") is None and not os.environ.get("CI"),
    reason="shellcheck not installed (apt-get install shellcheck)",
)
def test_the_scripts_pass_shellcheck(tmp_path: Path) -> None:
    for step in _steps(_yaml(ACTION)) + _steps(_yaml(WORKFLOW)):
        if "run" not in step:
            continue
        script = tmp_path / "step.sh"
        script.write_text("#!/usr/bin/env bash\n" + step["run"])
        result = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, (step.get("name"), result.stdout)


def test_the_example_workflow_uses_the_action_with_the_permissions_it_needs() -> None:
    assert not (ROOT / ".github" / "workflows" / WORKFLOW.name).exists()  # an example, not this repo's CI
    workflow = _yaml(WORKFLOW)
    assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    steps = _steps(workflow)
    ours = [step for step in steps if step.get("uses", "").startswith("<owner>/stride-tui@")]
    assert len(ours) == 1 and ours[0]["uses"] == "<owner>/stride-tui@<commit-sha>"
    assert set(ours[0]["with"]) <= set(_yaml(ACTION)["inputs"])
    assert "pip install" not in WORKFLOW.read_text()  # nothing from a package index
    # every stride-tui command line in the example is one the CLI accepts
    commands = [
        line.strip()
        for step in steps
        if "run" in step
        for line in step["run"].splitlines()
        if line.strip().startswith("stride-tui ")
    ]
    assert {c.split()[1] for c in commands} >= {"fmt", "diff"}
    parser = build_parser()
    for command in commands:
        command = (
            command.split(">>")[0].replace('"$MODEL"', "threat-model.toml").replace("${MODEL}", "threat-model.toml")
        )
        argv = [a.replace("origin/${BASE_REF}:", "origin/main:") for a in shlex.split(command)[1:]]
        parser.parse_args(argv)


def test_docs_list_every_input_and_output_of_the_action() -> None:
    action = _yaml(ACTION)
    doc = (ROOT / "docs" / "git.md").read_text(encoding="utf-8")
    section = doc.split("## GitHub Actions", 1)[1]
    for name, spec in action["inputs"].items():
        default = spec.get("default") or "(none)"
        assert f"| `{name}` | `{default}` |" in section or f"| `{name}` | {default} |" in section, name
    for name in action["outputs"]:
        assert f"`{name}`" in section, name
