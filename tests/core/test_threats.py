"""Threats: findings that share a remedy on one element are one threat (DESIGN §8)."""

from __future__ import annotations

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules, combine, parse_rule_file
from stride_tui.core.analysis.threats import group_threats, threat_status
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import parse_model

EDGE = b"""stride_tui = 1

[model]
title = "Edge"

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
name = "Orders DB"
technology = "postgres"

[flows.login]
from = "user"
to = "api"
data = "password, session token"
encrypted = false
classification = "confidential"

[flows.query]
from = "api"
to = "db"
data = "customer rows"
"""


@pytest.fixture(scope="module")
def threats():
    ruleset = builtin_rules()
    analysis = analyse(parse_model(EDGE, "edge.toml").model, ruleset)
    return analysis, {t.id: t for t in group_threats(analysis)}


def test_every_built_in_rule_names_a_remedy_outside_the_rule_namespace() -> None:
    ruleset = builtin_rules()
    for rule in ruleset.rules.values():
        assert rule.remedy != rule.id, rule.id
        assert rule.remedy not in ruleset.rules, rule.id
        assert rule.control and rule.remedy_on in ("element", "source", "target")
        if rule.remedy_on != "element":
            assert rule.targets == ("flow",), rule.id


def test_one_missing_tls_is_one_threat_with_several_categories(threats) -> None:
    analysis, by_id = threats
    tls = by_id["tls-in-transit@login"]
    rules = {f.rule_id for f in tls.findings}
    assert len(rules) >= 2  # several rules fired, one threat
    assert {f.element_id for f in tls.findings} == {"login"}
    assert set(tls.categories) >= {"information_disclosure", "tampering"}
    assert tls.severity == max((f.severity for f in tls.findings), key=("low", "medium", "high", "critical").index)
    flow_findings = [f for f in analysis.findings if f.element_id == "login"]
    assert len(flow_findings) > len([t for t in by_id.values() if t.element_id == "login"])


def test_a_control_owned_by_the_source_is_a_threat_on_the_source(threats) -> None:
    analysis, by_id = threats
    sql = [f for f in analysis.findings if f.rule_id == "flow-sql-injection"]
    assert sql and sql[0].element_id == "query"
    threat = by_id["input-validation@api"]  # parameterised queries live in the API, not on the flow
    assert any(f.rule_id == "flow-sql-injection" for f in threat.findings)


def test_every_finding_is_in_exactly_one_threat(threats) -> None:
    analysis, by_id = threats
    grouped = [fid for t in by_id.values() for fid in t.finding_ids]
    assert sorted(grouped) == sorted(f.id for f in analysis.findings)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["mitigated", "open"], "open"),
        (["investigating", "accepted"], "investigating"),
        (["open", "investigating"], "open"),
        (["mitigated", "mitigated", "accepted"], "mitigated"),
        (["accepted", "mitigated"], "mitigated"),  # a tie goes to the first in the file format's order
    ],
)
def test_a_threat_is_undecided_while_any_finding_is(statuses, expected) -> None:
    assert threat_status(statuses) == expected


def test_a_remedy_may_not_take_another_rule_id() -> None:
    rules = parse_rule_file(
        b"""stride_tui_rules = 1
[rules.first]
target = "process"
category = "tampering"
severity = "low"
title = "t"
description = "d"
mitigations = ["m"]

[rules.second]
target = "process"
category = "spoofing"
severity = "low"
remedy = "first"
title = "t"
description = "d"
mitigations = ["m"]
""",
        "r.toml",
    )
    with pytest.raises(
        ModelError, match="remedy `first` is the id of rule first; remedy ids and rule ids share one namespace"
    ):
        combine([rules])
