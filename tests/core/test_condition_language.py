"""The condition language's ordered comparisons (`at_least`, `at_most`, `above`) and model-wide
existence (`model_has`): parsed strictly with FILE:LINE errors, evaluated and explained."""

from __future__ import annotations

import pytest

from stride_tui.core.analysis.conditions import evaluate, explain
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import combine, parse_rule_file
from stride_tui.core.model.elements import ThreatModel

from .test_rule_files import GOOD, errors, with_when

FLOW_RULE = GOOD.replace('target = "process"', 'target = "flow"')


def condition(when: str, rule: str = GOOD):
    (parsed,) = parse_rule_file((rule + f"when = {when}\n").encode(), "r.toml").rules
    return parsed.condition


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ('{ fact = "privileged", at_least = 2 }', "`at_least` needs an ordered fact"),
        ('{ fact = "zone_members", at_least = "many" }', "needs a whole number"),
        ('{ fact = "integrity", at_most = "severe" }', "needs one of low, medium, high"),
        ('{ fact = "zone_trust", above = "integrity" }', "`above` compares two facts of one scale"),
        ('{ model_has = { kind = "router", when = { fact = "privileged", equals = true } } }', "`kind` must be one of"),
        ('{ model_has = { when = { fact = "encrypted", equals = true } } }', "`encrypted` is not a fact of"),
        ('{ model_has = { kind = "data_store", when = { fact = "privileged", equals = true } } }', "not a fact of"),
        (
            '{ model_has = { when = { model_has = { when = { fact = "kind", equals = "process" } } } } }',
            "`model_has` cannot be used here",
        ),
        ('{ model_has = { where = { fact = "kind", equals = "process" } } }', "`model_has` needs a table"),
    ],
)
def test_bad_comparisons_and_existence_tests_are_errors_with_file_and_line(when: str, message: str) -> None:
    (error,) = errors(with_when(when))
    assert error.startswith("r.toml:10:1: error: rule my-rule: ") and message in error, error


def test_ordered_facts_compare_by_rank_and_never_when_unknown() -> None:
    at_least = condition('{ fact = "integrity", at_least = "medium" }')
    assert evaluate(at_least, {"integrity": "high"}) and evaluate(at_least, {"integrity": "medium"})
    assert not evaluate(at_least, {"integrity": "low"}) and not evaluate(at_least, {})
    count = condition('{ fact = "zone_members", at_most = 1 }')
    assert evaluate(count, {"zone_members": 0}) and not evaluate(count, {"zone_members": 2})
    above = condition('{ fact = "target.zone_trust", above = "source.zone_trust" }', FLOW_RULE)
    assert evaluate(above, {"target.zone_trust": "internal", "source.zone_trust": "dmz"})
    assert not evaluate(above, {"target.zone_trust": "dmz", "source.zone_trust": "dmz"})
    assert not evaluate(above, {"target.zone_trust": "internal"})
    assert explain(above, {"target.zone_trust": "internal", "source.zone_trust": "internet"}, "") == [
        '`target.zone_trust` is "internal"',
        '`source.zone_trust` is "internet"',
    ]


def model(components: dict, boundaries: dict | None = None, flows: dict | None = None) -> ThreatModel:
    data = {"model": {"title": "T"}, "components": components, "boundaries": boundaries or {}, "flows": flows or {}}
    return ThreatModel.model_validate(data)


def test_model_has_asks_the_whole_model_once_and_explains_itself() -> None:
    rules = combine(
        [
            parse_rule_file(
                with_when(
                    '{ not = { model_has = { kind = "process", when = { fact = "technology", contains_any = ["vault"] } } } }'
                ).encode(),
                "r.toml",
            )
        ]
    )
    without = model({"a": {"kind": "process"}, "b": {"kind": "process"}})
    fired = [f for f in analyse(without, rules).findings if f.rule_id == "my-rule"]
    assert [f.element_id for f in fired] == ["a", "b"]
    assert fired[0].explanation == ('no process in the model where `technology` names "vault"',)
    vault = {"kind": "process", "technology": "HashiCorp Vault"}
    assert not analyse(model({**without.model_dump()["components"], "v": vault}), rules).findings
    # an out-of-scope component is not part of the model the question is about
    hidden = {**vault, "out_of_scope": True, "out_of_scope_reason": "elsewhere"}
    assert {f.element_id for f in analyse(model({"a": {"kind": "process"}, "v": hidden}), rules).findings} == {"a"}


def test_derived_zone_facts_count_members_rank_trust_and_read_boundaries() -> None:
    from stride_tui.core.analysis.facts import FactBase
    from stride_tui.core.model.topology import Topology

    m = model(
        {
            "user": {"kind": "external_entity", "boundary": "internet"},
            "web": {"kind": "process", "boundary": "dmz"},
            "api": {"kind": "process", "boundary": "cluster"},
            "worker": {"kind": "process", "boundary": "cluster"},
            "q": {"kind": "data_store", "boundary": "cluster", "is_queue": True},
        },
        {
            "internet": {"internet": True},
            "dmz": {"kind": "dmz", "enforced_by": "WAF and security groups"},
            "cluster": {"kind": "cluster"},
        },
        {
            "u-w": {"from": "user", "to": "web"},
            "w-a": {"from": "web", "to": "api"},
            "a-q": {"from": "api", "to": "q", "signed": True},
            "q-k": {"from": "q", "to": "worker"},
        },
    )
    facts = FactBase(m, Topology(m))
    c, f = facts.components, facts.flows
    assert [c[x]["zone_trust"] for x in ("user", "web", "api")] == ["internet", "dmz", "internal"]
    assert c["web"]["zone_enforced"] is True and "zone_enforced" not in c["api"]
    assert (c["api"]["zone_members"], c["web"]["zone_members"], c["api"]["callers"]) == (2, 0, 1)
    assert c["q"]["producers_signed"] is True and c["q"]["producers_untrusted"] is False
    assert f["w-a"]["enters_kinds"] == ("cluster",) and f["w-a"]["enters_unenforced"] is True
    assert f["u-w"]["enters_kinds"] == ("dmz",) and f["u-w"]["enters_unenforced"] is False
    assert f["q-k"]["source.producers_signed"] is True
