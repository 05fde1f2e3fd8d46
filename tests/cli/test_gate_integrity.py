"""The gate cannot be switched off quietly: a disabled rule needs a reason and is reported by
check, threats, reports and SARIF; diff --fail-on trips on rules newly disabled and findings
newly decided away; CI can refuse model-supplied rule files or any disable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..shared import MINIMAL

QUIET = 'stride_tui_rules = 1\n\n[disable]\nentity-call-unauthenticated = "the API is public by design"\n'


@pytest.fixture
def quieted(tmp_path: Path) -> Path:
    """A model whose own rule file disables a built-in rule that fires on it."""
    (tmp_path / "quiet.toml").write_text(QUIET, encoding="utf-8")
    model = tmp_path / "model.toml"
    model.write_text(MINIMAL.replace('title = "Minimal"', 'title = "Minimal"\nrule_files = ["quiet.toml"]'))
    return model


def test_check_names_the_disabled_rule_its_file_and_the_reason(quieted: Path, run_cli) -> None:
    code, out, _ = run_cli("check", quieted, "--fail-on", "critical")
    assert code == 0
    assert (
        f"  disabled rule: entity-call-unauthenticated (disabled by {quieted.parent / 'quiet.toml'}: the API is public by design)"
        in out
    )
    assert out.rstrip().endswith("passed (1 rule(s) disabled, listed above)")


@pytest.mark.parametrize("option", ["--refuse-disabled-rules", "--refuse-model-rules"])
def test_ci_can_refuse_model_rules_and_disables(quieted: Path, run_cli, option: str) -> None:
    code, out, _ = run_cli("check", quieted, "--fail-on", "critical", option)
    assert code == 1 and f"and this gate runs with {option}" in out


def test_every_output_reports_the_disabled_rule(quieted: Path, run_cli) -> None:
    text = run_cli("threats", quieted)[1]
    assert "disabled rule: entity-call-unauthenticated (disabled by" in text
    document = json.loads(run_cli("threats", quieted, "--format", "json")[1])
    assert [d["rule_id"] for d in document["disabled_rules"]] == ["entity-call-unauthenticated"]
    assert document["disabled_rules"][0]["reason"] == "the API is public by design"
    sarif = json.loads(run_cli("threats", quieted, "--format", "sarif")[1])
    (notification,) = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert notification["descriptor"]["id"] == "entity-call-unauthenticated"
    assert "the API is public by design" in notification["message"]["text"]
    for fmt, marker in (("markdown", "## Disabled rules"), ("html", "<h2>Disabled rules</h2>")):
        report = run_cli("report", quieted, "--format", fmt)[1]
        assert marker in report and "entity-call-unauthenticated" in report.split(marker)[1]
    rules = run_cli("rules", "--model", quieted)[1]
    assert "(disabled by" in rules and "the API is public by design" in rules


def test_diff_fail_on_trips_on_a_newly_disabled_rule(tmp_path: Path, quieted: Path, run_cli) -> None:
    old = tmp_path / "old.toml"
    old.write_text(MINIMAL)
    code, out, _ = run_cli("diff", old, quieted, "--fail-on", "critical")
    assert code == 1
    assert "FAILED --fail-on critical: 1 change that quiet the gate" in out
    assert "rule disabled: entity-call-unauthenticated" in out
    gate = json.loads(run_cli("diff", old, quieted, "--fail-on", "critical", "--format", "json")[1])["gate"]
    assert gate["failed"] and gate["rules_disabled"][0]["rule_id"] == "entity-call-unauthenticated"


def test_diff_fail_on_trips_on_a_decision_that_takes_a_finding_off_the_open_list(tmp_path: Path, run_cli) -> None:
    old = tmp_path / "old.toml"
    old.write_text(MINIMAL)
    finding = "entity-call-unauthenticated@user-to-api"
    new = tmp_path / "new.toml"
    new.write_text(MINIMAL + f'\n[decisions."{finding}"]\nstatus = "accepted"\nnote = "fine"\n')
    code, out, _ = run_cli("diff", old, new, "--fail-on", "critical")
    assert code == 1 and f"decided: {finding}" in out
    investigating = tmp_path / "investigating.toml"
    investigating.write_text(MINIMAL + f'\n[decisions."{finding}"]\nstatus = "investigating"\n')
    assert run_cli("diff", old, investigating, "--fail-on", "critical")[0] == 0  # still undecided


def test_rules_json_says_how_each_rule_is_reached(run_cli) -> None:
    # a rule author checks that the library reads their rule as they meant it
    rules = {r["id"]: r for r in json.loads(run_cli("rules", "--format", "json")[1])["rules"]}
    assert rules["process-runs-as-root"]["attack"] == "foothold"
    assert rules["component-unpinned-supply-chain"]["attack"] == "build"
    assert rules["process-broad-permissions"]["attack"] == "callers"
    assert rules["entity-call-unauthenticated"]["caller"] is True
