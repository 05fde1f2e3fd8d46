"""Outputs of `threats` and `check`: JSON shape, CSV, Markdown escaping (SARIF: test_sarif.py)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from stride_tui.commands import common as commands_common
from stride_tui.core.analysis import rules as rules_module
from tests.shared import SAMPLES

HOSTILE = """\
stride_tui = 1

[model]
title = "Hostile | names"

[boundaries.internet]
name = "Internet"
internet = true

[components.user]
kind = "external_entity"
name = "=HYPERLINK(\\"http://x\\")"
boundary = "internet"

[components.api]
kind = "process"
name = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> | pipe"

[flows.user-to-api]
from = "user"
to = "api"

[decisions."flow-plain@user-to-api"]
status = "accepted"
note = "risk owner: [me](http://evil)"
"""

RULES = """\
stride_tui_rules = 1

[rules.flow-plain]
target = "flow"
category = "information_disclosure"
severity = "medium"
title = "{source} talks to {target} in clear"
description = "d"
mitigations = ["Encrypt."]
references = ["CAPEC-157", "CWE-319"]
when = { fact = "encrypted", not_equals = true }

[rules.proc-any]
target = "process"
category = "spoofing"
severity = "high"
title = "{element} spoofable"
description = "d"
mitigations = ["Authenticate."]
"""


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    # only the rules below: these tests are about output formats, not the built-in library
    monkeypatch.setattr(rules_module, "_builtin_files", lambda: ())
    (tmp_path / ".git").mkdir()
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.toml"
    model.write_text(HOSTILE)
    rules = tmp_path / "r.toml"
    rules.write_text(RULES)
    return model, rules


def test_json_has_the_documented_fields(hostile, run_cli):
    model, rules = hostile
    code, out, _ = run_cli("threats", model, "--rules", rules, "--format", "json")
    document = json.loads(out)
    assert code == 0 and set(document) >= {"findings", "orphans", "summary"}
    first = document["findings"][0]
    for key in ("id", "rule_id", "category", "severity", "element_id", "boundaries", "status", "explanation"):
        assert key in first
    assert [f["id"] for f in document["findings"]] == ["proc-any@api", "flow-plain@user-to-api"]
    assert document["findings"][1]["status"] == "accepted"
    assert document["summary"]["by_status"]["accepted"] == 1


def test_csv_neutralises_formulas(hostile, run_cli):
    model, rules = hostile
    out = run_cli("threats", model, "--rules", rules, "--format", "csv")[1]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[1]["element_name"].startswith("'=HYPERLINK")  # an unnamed flow is "Source → Target"
    titles = [r["title"] for r in rows]
    assert all(not t.startswith("=") for t in titles)
    assert (
        titles[1]
        == '\'=HYPERLINK("http://x") talks to [click](javascript:alert(1)) <img src=x onerror=alert(1)> | pipe in clear'
    )


def test_markdown_escapes_links_html_and_pipes(hostile, run_cli):
    model, rules = hostile
    out = run_cli("threats", model, "--rules", rules, "--format", "markdown")[1]
    assert not re.search(r"(?<!\\)\]\(javascript", out) and not re.search(r"(?<!\\)<img", out)
    assert "\\[click\\](javascript:alert(1)) \\<img src=x onerror=alert(1)\\> \\| pipe" in out
    for line in out.splitlines():
        if line.startswith("| ") and "spoofable" in line:
            assert line.count(" | ") == 5  # the user's pipe did not add a column


def test_filters(hostile, run_cli):
    model, rules = hostile

    def ids(*a):
        return [
            f["id"]
            for f in json.loads(run_cli("threats", model, "--rules", rules, "--format", "json", *a)[1])["findings"]
        ]

    assert ids("--element", "api") == ["proc-any@api"]
    assert ids("--boundary", "internet") == ["flow-plain@user-to-api"]
    assert ids("--status", "open") == ["proc-any@api"]
    assert ids("--status", "open,accepted") == ["proc-any@api", "flow-plain@user-to-api"]
    assert run_cli("threats", model, "--boundary", "nope")[0] == 2
    assert run_cli("threats", model, "--element", "nope")[0] == 2
    assert run_cli("threats", model, "--status", "done")[0] == 2


def test_check_gate_levels_and_orphans(hostile, run_cli):
    model, rules = hostile
    code, out, _ = run_cli("check", model, "--rules", rules)
    # internet callers reach the API unauthenticated (likely), nothing privileged at stake (medium impact)
    assert code == 1 and "[high] proc-any@api" in out and out.rstrip().endswith("gate is --fail-on high")
    assert "2 threats from 2 findings: 1 open; 1 decided; 1 open at or above high" in out
    text = model.read_text().replace('status = "accepted"', 'status = "open"')
    model.write_text(
        text + '\n[decisions."proc-any@api"]\nstatus = "mitigated"\n\n[decisions."old@api"]\nstatus = "open"\n'
    )
    code, out, _ = run_cli("check", model, "--rules", rules, "--fail-on", "critical")
    assert code == 0 and "orphan decision: old@api" in out and out.endswith("passed\n")
    # the flow's encryption is only unknown: rated low, but gated as if confirmed (fail closed)
    code, out, _ = run_cli("check", model, "--rules", rules, "--fail-on", "high")
    assert code == 1 and "[low, high if confirmed] flow-plain@user-to-api" in out
    assert "provisional: answer its questions" in out and "1 of them resting only on unanswered questions" in out
    # every listing shows both ratings the same way
    out = run_cli("threats", model, "--rules", rules, "--include-decided")[1]
    assert "[low, high if confirmed] flow-plain@user-to-api  (open, provisional)" in out
    out = run_cli("threats", model, "--rules", rules, "--include-decided", "--format", "markdown")[1]
    assert "| low, high if confirmed (provisional) | open |" in out
    model.write_text(model.read_text().replace('to = "api"', 'to = "api"\nencrypted = false'))
    code, out, _ = run_cli("check", model, "--rules", rules, "--fail-on", "high")
    assert code == 1 and "[high] flow-plain@user-to-api" in out  # answered badly: confirmed


def test_check_invalid_model_exits_2(tmp_path, run_cli):
    bad = tmp_path / "bad.toml"
    bad.write_text("stride_tui = 1\n")
    assert run_cli("check", bad)[0] == 2


def test_a_rule_that_errors_fails_closed(hostile, run_cli, monkeypatch):
    model, rules = hostile
    real_rules_for = commands_common.rules_for

    def with_a_broken_rule(*args):
        ruleset = real_rules_for(*args)

        def broken(facts):
            raise KeyError("boom")

        object.__setattr__(ruleset.rules["flow-plain"], "predicate", broken)
        return ruleset

    monkeypatch.setattr(commands_common, "rules_for", with_a_broken_rule)
    code, _, err = run_cli("check", model, "--rules", rules)
    assert code == 2 and "rule error: flow-plain (user-to-api): KeyError" in err


def test_threats_json_contract(run_cli):
    """DESIGN §8: {"threats", "findings", "questions"}, with the fields each must have."""
    document = json.loads(run_cli("threats", SAMPLES / "checkout.toml", "--format", "json")[1])
    assert {"threats", "findings", "questions"} <= set(document)
    threat_keys = {"id", "remedy", "title", "categories", "severity", "likelihood", "impact", "risk_reasons"}
    threat_keys |= {"elements", "finding_ids", "status", "provisional"}
    findings = {f["id"]: f for f in document["findings"]}
    for threat in document["threats"]:
        assert threat_keys <= set(threat)
        # every finding of a threat is listed, and knows its threat
        assert all(findings[fid]["threat_id"] == threat["id"] for fid in threat["finding_ids"])
    assert sum(len(t["finding_ids"]) for t in document["threats"]) == len(document["findings"])
    threat_ids = {t["id"] for t in document["threats"]}
    assert document["questions"], "checkout leaves facts unknown: it has questions"
    for question in document["questions"]:
        assert {"element_id", "fact", "text", "threat_ids"} <= set(question)
        assert set(question["threat_ids"]) <= threat_ids
    assert document["summary"]["total"] == len(document["threats"])


def test_threats_of_a_boundary_come_in_two_sections(run_cli):
    out = run_cli("threats", SAMPLES / "checkout.toml", "--boundary", "prod-cluster")[1]
    crossing, inside = out.index("== Flows crossing"), out.index("== Inside")
    assert crossing < inside
    document = json.loads(
        run_cli("threats", SAMPLES / "checkout.toml", "--boundary", "prod-cluster", "--format", "json")[1]
    )
    assert {t["boundary"] for t in document["threats"]} == {"prod-cluster"}
    assert {t["section"] for t in document["threats"]} == {"crossing", "inside"}


def test_sarif_leaves_decided_findings_out_unless_asked(run_cli):
    def results(*extra: str) -> list[dict]:
        out = run_cli("threats", SAMPLES / "checkout.toml", "--format", "sarif", *extra)[1]
        return json.loads(out)["runs"][0]["results"]

    default, kept = results(), results("--include-decided")
    assert all("suppressions" not in r for r in default)
    suppressed = [r for r in kept if "suppressions" in r]
    assert suppressed and len(kept) == len(default) + len(suppressed)


ODD = """\
stride_tui = 1

[model]
title = "Odd \\u202e texts"

[boundaries.internet]
name = "Internet \\"quoted\\""
internet = true

[components.user]
kind = "external_entity"
name = "Zoë → \\\\ back \\u200b"
boundary = "internet"

[components.api]
kind = "process"
name = "API </script> \\u2028"

[flows.user-to-api]
from = "user"
to = "api"
data = "card numbers"

[threats.hand]
target = "api"
category = "tampering"
title = "Written by hand"
mitigation = "Fix it."

[decisions."caller-authentication@user-to-api"]
status = "accepted"
note = "line\\nbreak"
ticket = "SEC-1"

[decisions."*@api"]
status = "investigating"
expires = 2000-01-01
"""


@pytest.mark.parametrize("model", [*sorted(SAMPLES.glob("*.toml")), "odd"])
def test_json_lines_are_the_dicts_encoded(model, tmp_path):
    """The hand-written JSON of each threat, finding and question is byte for byte what the
    encoder makes of its dict (the documented shape)."""
    from stride_tui.core.analysis.engine import analyse
    from stride_tui.core.analysis.questions import questions
    from stride_tui.core.analysis.rules import builtin_rules
    from stride_tui.core.analysis.threats import group_threats
    from stride_tui.core.files.loader import load_model
    from stride_tui.core.outputs import finding_formats as formats
    from stride_tui.core.outputs.json_document import encode_value

    if model == "odd":
        model = tmp_path / "odd.toml"
        model.write_text(ODD, encoding="utf-8")
    analysis = analyse(load_model(model).model, builtin_rules())
    threats = group_threats(analysis)
    asked = questions(analysis, threats)
    by_threat = formats.questions_by_threat(asked)
    findings = [f for t in threats for f in t.findings]
    assert findings and asked
    assert list(map("".join, formats.finding_lines(findings))) == [
        encode_value(formats.finding_dict(f)) for f in findings
    ]
    assert list(map("".join, formats.threat_lines(analysis, threats, by_threat))) == [
        encode_value(formats.threat_dict(analysis, t, by_threat)) for t in threats
    ]
    assert list(map("".join, formats.question_lines(asked))) == [encode_value(formats.question_dict(q)) for q in asked]
    if model.name == "odd.toml":  # the texts and decisions above all reached the output
        assert any(f.custom for f in findings) and any(f.ticket == "SEC-1" for f in findings)
        assert any(f.note and "expired" in f.note for f in findings)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("  =1+1", "'  =1+1"),  # some spreadsheets drop the spaces first
        (" @SUM(A1)", "' @SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("a = b", "a = b"),
        ("Payments - card", "Payments - card"),
        ("", ""),
    ],
)
def test_a_csv_cell_never_starts_a_formula_even_after_spaces(text, cell):
    from stride_tui.core.outputs.escape import csv_cell

    assert csv_cell(text) == cell
