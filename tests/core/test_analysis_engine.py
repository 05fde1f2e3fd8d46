"""The analysis engine on purpose-built models and rules: crossings, conditions, explanations,
risk (likelihood × impact) and provisional findings, decisions and orphans, custom threats."""

from __future__ import annotations

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import combine, parse_rule_file
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Crossing, Topology

RULES = b"""
stride_tui_rules = 1

[rules.flow-plain]
target = "flow"
category = "information_disclosure"
severity = "medium"
title = "{element} from {source} to {target} is readable"
description = "Crosses {boundaries}; carries {data} over {protocol}."
mitigations = ["Encrypt it."]
references = ["CWE-319"]
when.all = [
  { crosses_boundary = true },
  { fact = "encrypted", not_equals = true },
]

[rules.proc-audit]
target = "process"
category = "repudiation"
severity = "low"
title = "{element} acts without an audit trail"
description = "d"
mitigations = ["Log it."]
raise_severity = false
when = { all = [ { fact = "privileged", equals = true }, { fact = "audit_log", not_equals = true } ] }

[rules.ee-spoof]
target = "external_entity"
category = "spoofing"
severity = "medium"
title = "{element} can be impersonated"
description = "d"
mitigations = ["Authenticate it."]

[rules.queue-writer]
target = "flow"
category = "tampering"
severity = "medium"
title = "t"
description = "d"
mitigations = ["m"]
when.all = [
  { fact = "target.is_queue", equals = true },
  { any = [ { fact = "signed", not_equals = true }, { fact = "target.restricted_access", not_equals = true } ] },
]

[rules.sql]
target = ["data_store"]
category = "tampering"
severity = "high"
title = "t"
description = "d"
mitigations = ["m"]
when = { fact = "technology", contains_any = ["postgres", "mysql"] }

[rules.tagged]
target = "process"
category = "elevation_of_privilege"
severity = "low"
title = "t"
description = "d"
mitigations = ["m"]
when = { all = [ { fact = "tags", contains_any = ["admin"] }, { fact = "secrets", in = ["plaintext", "environment"] } ] }
"""


@pytest.fixture(scope="module")
def ruleset():
    return combine([parse_rule_file(RULES, "test-rules.toml")])


def model(**sections) -> ThreatModel:
    return ThreatModel.model_validate({"stride_tui": 1, "model": {"title": "T"}, **sections})


NESTED = {
    "boundaries": {
        "internet": {"name": "Internet", "internet": True},
        "vpc": {"name": "VPC"},
        "cluster": {"name": "Cluster", "parent": "vpc"},
        "ns": {"name": "Namespace", "parent": "cluster"},
        "data": {"name": "Data subnet", "parent": "vpc"},
    },
    "components": {
        "user": {"kind": "external_entity", "name": "User", "boundary": "internet"},
        "api": {"kind": "process", "name": "API", "boundary": "ns"},
        "worker": {"kind": "process", "name": "Worker", "boundary": "cluster"},
        "db": {"kind": "data_store", "name": "DB", "boundary": "data", "technology": "PostgreSQL 16"},
        "loose": {"kind": "process", "name": "Loose"},
    },
    "flows": {
        "user-api": {"from": "user", "to": "api", "data": "card token", "protocol": "https"},
        "api-worker": {"from": "api", "to": "worker"},
        "worker-db": {"from": "worker", "to": "db", "encrypted": True},
        "api-loose": {"from": "api", "to": "loose"},
        "worker-api": {"from": "worker", "to": "api", "encrypted": False},
    },
}


def test_crossings_through_nested_boundaries():
    topology = Topology(model(**NESTED))
    assert topology.crossings["user-api"] == (
        Crossing("internet", "leaving"),
        Crossing("vpc", "entering"),
        Crossing("cluster", "entering"),
        Crossing("ns", "entering"),
    )
    assert topology.crossings["api-worker"] == (Crossing("ns", "leaving"),)
    assert topology.crossings["worker-db"] == (Crossing("cluster", "leaving"), Crossing("data", "entering"))
    assert topology.crossings["api-loose"] == (
        Crossing("ns", "leaving"),
        Crossing("cluster", "leaving"),
        Crossing("vpc", "leaving"),
    )
    assert topology.flows_crossing("cluster") == ["user-api", "worker-db", "api-loose"]
    assert topology.flows_crossing("vpc") == ["user-api", "api-loose"]


def test_same_boundary_flow_crosses_nothing():
    m = model(
        components={"a": {"kind": "process", "boundary": "z"}, "b": {"kind": "process", "boundary": "z"}},
        boundaries={"z": {}},
        flows={"f": {"from": "a", "to": "b"}},
    )
    assert Topology(m).crossings["f"] == ()


def test_flow_rule_fires_with_explanation_and_filled_text(ruleset):
    analysis = analyse(model(**NESTED), ruleset)
    finding = next(f for f in analysis.findings if f.id == "flow-plain@user-api")
    assert finding.title == "User → API from User to API is readable"
    assert finding.description == "Crosses Internet, VPC, Cluster, Namespace; carries card token over https."
    assert finding.explanation == (
        "crosses Internet (leaving), VPC (entering), Cluster (entering), Namespace (entering)",
        "`encrypted` is unknown (not shown to be mitigated)",
    )
    assert finding.boundaries == ("internet", "vpc", "cluster", "ns")
    # the sender is on the internet, but encryption is only unknown: provisional, so unlikely
    # until the question is answered (the gate still rates it as if the answer were bad)
    assert finding.rests_on == (("user-api", "encrypted"),) and finding.provisional
    # "card token" says what is at stake while `classification` is not recorded
    assert (finding.likelihood, finding.impact, finding.severity) == ("low", "high", "medium")
    assert finding.confirmed_severity == "critical"
    assert finding.risk_reasons == (
        (
            "likelihood low: the sender is untrusted (on the internet or outside the team's control); "
            "it rests only on unknown facts"
        ),
        "impact high: the data mentions secrets (classification not recorded)",
    )


def test_known_mitigation_silences_and_known_weakness_is_named(ruleset):
    ids = {f.id: f for f in analyse(model(**NESTED), ruleset).findings}
    assert "flow-plain@worker-db" not in ids  # encrypted = true
    assert ids["flow-plain@worker-api"].explanation[-1] == "`encrypted` is false"
    assert ids["flow-plain@worker-api"].severity == "medium"


def test_internet_sender_and_restricted_data_on_a_known_weakness_is_critical(ruleset):
    flow = {"from": "user", "to": "api", "classification": "restricted", "encrypted": False}
    sections = {**NESTED, "flows": {"user-api": flow}}
    (finding,) = [f for f in analyse(model(**sections), ruleset).findings if f.rule_id == "flow-plain"]
    assert finding.base_severity == "medium" and not finding.provisional
    assert (finding.likelihood, finding.impact, finding.severity) == ("high", "high", "critical")
    assert finding.risk_reasons[1] == "impact high: the data is restricted"


def test_the_same_gap_unknown_instead_of_known_is_rated_unlikely_until_answered(ruleset):
    flow = {"from": "user", "to": "api", "classification": "restricted"}
    sections = {**NESTED, "flows": {"user-api": flow}}
    (finding,) = [f for f in analyse(model(**sections), ruleset).findings if f.rule_id == "flow-plain"]
    assert finding.provisional and (finding.likelihood, finding.severity) == ("low", "medium")
    assert finding.confirmed_severity == "critical"  # what the known weakness rates above


def test_raise_severity_false_keeps_base(ruleset):
    m = model(
        components={"p": {"kind": "process", "privileged": True, "audit_log": False, "boundary": "i"}},
        boundaries={"i": {"internet": True}},
    )
    (finding,) = [f for f in analyse(m, ruleset).findings if f.rule_id == "proc-audit"]
    assert (finding.likelihood, finding.impact) == ("high", "medium")  # high × medium, capped at low
    assert finding.severity == "low" and finding.risk_reasons[-1].startswith("kept at its rule's low")
    assert finding.explanation == ("`privileged` is true", "`audit_log` is false")


def test_rule_without_condition_applies_per_element(ruleset):
    findings = [f for f in analyse(model(**NESTED), ruleset).findings if f.rule_id == "ee-spoof"]
    assert [f.id for f in findings] == ["ee-spoof@user"]
    assert findings[0].explanation == ("applies to every external entity (STRIDE per element)",)


def test_any_explains_only_the_branches_that_hold(ruleset):
    m = model(
        components={"p": {"kind": "process"}, "q": {"kind": "data_store", "is_queue": True, "restricted_access": True}},
        flows={"f": {"from": "p", "to": "q"}, "g": {"from": "p", "to": "q", "signed": True}},
    )
    findings = {f.id: f for f in analyse(m, ruleset).findings}
    assert findings["queue-writer@f"].explanation == (
        "`target.is_queue` is true",
        "`signed` is unknown (not shown to be mitigated)",
    )
    assert "queue-writer@g" not in findings


def test_contains_any_and_in(ruleset):
    m = model(
        components={
            "db": {"kind": "data_store", "technology": "PostgreSQL"},
            "kv": {"kind": "data_store", "technology": "redis"},
            "admin": {"kind": "process", "tags": ["Admin-UI"], "secrets": "environment"},
            "svc": {"kind": "process", "tags": ["admin"], "secrets": "secrets_manager"},
        }
    )
    ids = {f.id for f in analyse(m, ruleset).findings}
    assert {"sql@db", "tagged@admin"} <= ids
    assert not {"sql@kv", "tagged@svc"} & ids


def test_out_of_scope_elements_produce_no_findings(ruleset):
    sections = {
        **NESTED,
        "components": {**NESTED["components"], "user": {**NESTED["components"]["user"], "out_of_scope": True}},
    }
    sections["flows"] = {**NESTED["flows"], "user-api": {**NESTED["flows"]["user-api"], "out_of_scope": True}}
    ids = {f.element_id for f in analyse(model(**sections), ruleset).findings}
    assert "user" not in ids and "user-api" not in ids


def test_decisions_merge_and_orphans_are_kept(ruleset):
    sections = {
        **NESTED,
        "decisions": {
            "flow-plain@user-api": {"status": "mitigated", "note": "TLS at ingress", "ticket": "SEC-1"},
            "flow-plain@worker-db": {"status": "accepted"},
            "gone-rule@api": {"status": "open"},
        },
    }
    analysis = analyse(model(**sections), ruleset)
    finding = next(f for f in analysis.findings if f.id == "flow-plain@user-api")
    assert (finding.status, finding.note, finding.ticket) == ("mitigated", "TLS at ingress", "SEC-1")
    assert next(f for f in analysis.findings if f.id == "flow-plain@worker-api").status == "open"
    assert analysis.orphans == ["flow-plain@worker-db", "gone-rule@api"]


def test_custom_threats_join_findings(ruleset):
    sections = {
        **NESTED,
        "threats": {
            "skim": {
                "title": "Skimming",
                "category": "information_disclosure",
                "target": "user-api",
                "severity": "critical",
                "status": "investigating",
                "mitigation": "CSP",
            }
        },
    }
    analysis = analyse(model(**sections), ruleset)
    custom = next(f for f in analysis.findings if f.custom)
    assert (custom.id, custom.element_id, custom.status, custom.severity) == (
        "skim",
        "user-api",
        "investigating",
        "critical",
    )
    assert custom.boundaries == ("internet", "vpc", "cluster", "ns")
    assert custom.mitigations == ("CSP",)
    assert custom in analysis.for_boundary("cluster")


def test_boundary_view_holds_only_crossing_flows(ruleset):
    analysis = analyse(model(**NESTED), ruleset)
    assert {f.element_id for f in analysis.for_boundary("ns")} == {"user-api", "api-worker", "api-loose", "worker-api"}
    assert {f.element_id for f in analysis.for_boundary("data")} == set()  # worker-db is encrypted


def test_analysis_is_deterministic(ruleset):
    first = analyse(model(**NESTED), ruleset).findings
    second = analyse(model(**NESTED), ruleset).findings
    assert first == second and [f.id for f in first] == [f.id for f in second]


def _test_values(cond: object) -> list[object]:
    """Every value a condition compares a fact with, to build facts that hit and miss it."""
    from stride_tui.core.analysis.conditions import All, AnyOf, FactTest, Not

    if isinstance(cond, FactTest):
        return list(cond.value) if isinstance(cond.value, tuple) else [cond.value]
    if isinstance(cond, All | AnyOf):
        return [v for item in cond.items for v in _test_values(item)]
    if isinstance(cond, Not):
        return _test_values(cond.item)
    return []


def test_rules_narrowed_by_guard_facts_fire_exactly_as_their_conditions():
    """The dispatch that skips rules by a few guard facts, and then tests only the rest of each
    condition (skipping it when none of the facts it needs set is), finds what every rule's
    whole condition finds, in rule order — on facts mixing
    the values the rules test with absent facts, other values, and 1 / 0 where rules test
    true / false (equal in a dict key, never in a condition)."""
    import random

    from stride_tui.core.analysis.engine import Analyzer
    from stride_tui.core.analysis.rules import builtin_rules

    analyzer = Analyzer(builtin_rules())
    rng = random.Random(16)
    for kind, dispatch in analyzer._dispatch.items():
        rules = dispatch.rules
        keys = sorted({k for rule in rules for k in rule.facts_read})
        pool = [None, True, False, 1, 0, "other", *{v for r in rules for v in _test_values(r.condition)}]
        narrowed = skipped = 0
        for _ in range(3000):
            facts = {k: v for k in keys if (v := rng.choice(pool)) is not None}
            expected = [r.id for r in rules if r.predicate is None or r.predicate(facts)]
            candidates = dispatch.candidates(facts)
            needs = [() if need is None else (need, *(more or ())) for _, need, more, _ in candidates]
            held = [
                fires[0].id
                for (rest, _, _, fires), need in zip(candidates, needs, strict=True)
                if (not need or any(facts.get(k) for k in need)) and (rest is None or rest(facts))
            ]
            assert held == expected, kind
            narrowed += len(candidates) < len(rules)
            skipped += any(need and not any(facts.get(k) for k in need) for need in needs)
        assert not dispatch.keys or narrowed, f"{kind}: the guards never left a rule out"
        assert not any(dispatch._needs) or skipped, f"{kind}: no rule was skipped for lack of a fact it needs"


def test_a_rule_whose_guard_test_breaks_still_reports_its_error(monkeypatch):
    """A guard test that raises leaves its rule to run whole, so the error is reported on the
    element (fail closed) instead of the rule being skipped as if it could not hold."""
    from stride_tui.core.analysis import conditions, engine, rules

    original = conditions.compile_condition

    def compile_breaking_crosses(cond):
        if isinstance(cond, conditions.Crosses):

            def fail(facts):
                raise RuntimeError("broken test")

            return fail
        return original(cond)

    monkeypatch.setattr(conditions, "compile_condition", compile_breaking_crosses)
    monkeypatch.setattr(rules, "compile_condition", compile_breaking_crosses)
    monkeypatch.setattr(engine, "compile_condition", compile_breaking_crosses)
    text = RULES + RULES.split(b"[rules.proc-audit]")[0].split(b"[rules.flow-plain]")[1].join(
        [b"\n[rules.flow-plain-2]", b""]
    )
    ruleset = combine([parse_rule_file(text, "r.toml")])
    analyzer = engine.Analyzer(ruleset)
    assert "crosses_boundary" in analyzer._dispatch["flow"].keys
    model = ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "t"},
            "components": {"a": {"kind": "process"}, "b": {"kind": "process"}},
            "flows": {"f": {"from": "a", "to": "b"}},
        }
    )
    analysis = analyzer.analyse(model)
    assert sorted(e.rule_id for e in analysis.errors) == ["flow-plain", "flow-plain-2"]
    assert all("broken test" in e.message for e in analysis.errors)


def test_every_field_of_a_rule_finding_is_set_and_its_texts_are_filled_once_read(ruleset):
    """The engine builds a rule's finding field by field (no `__init__` call) and leaves its
    texts to be filled when read: every slot is set, the texts read the same as a finding built
    whole from the same values, and equal findings compare equal whether or not they were read."""
    from stride_tui.core.analysis.engine import _FIELDS, Finding

    first = analyse(model(**NESTED), ruleset).findings
    second = analyse(model(**NESTED), ruleset).findings
    for finding in first:
        for slot in Finding.__slots__:
            getattr(finding, slot)  # raises AttributeError on a slot the engine forgot
    flow = next(f for f in first if f.id == "flow-plain@user-api")
    assert flow._title is None and flow._on is not None  # not filled before it is read
    assert first == second  # compares every text: both sides are filled by the comparison
    whole = Finding(**dict(zip(_FIELDS, flow.fields(), strict=True)))
    assert whole == flow and repr(whole) == repr(flow)
    assert flow.title == "User → API from User to API is readable"
    decided = flow.replace(status="accepted", note="n")
    assert (decided.status, decided.note, decided.title) == ("accepted", "n", flow.title)
    assert decided != flow


def test_a_flow_whose_end_has_no_component_reports_its_rules_errors_as_before():
    """A model that failed its checks (a flow to a component it does not have) still gets
    every firing rule's error from the texts that cannot be filled (fail closed), not a
    finding whose title would fail when read."""
    from stride_tui.core.analysis.rules import builtin_rules

    broken = model(
        boundaries={"z": {"name": "Z"}},
        components={"a": {"kind": "process", "name": "A", "boundary": "z"}},
        flows={"f": {"from": "a", "to": "ghost", "encrypted": False}},
    )
    analysis = analyse(broken, builtin_rules())
    assert not [f for f in analysis.findings if f.element_id == "f"]
    assert sorted((e.rule_id, e.element_id, e.message) for e in analysis.errors) == [
        ("flow-tampering-in-transit", "f", "KeyError: 'ghost'"),
        ("flow-unencrypted-crossing", "f", "KeyError: 'ghost'"),
    ]


def test_analyzers_of_one_rule_set_share_what_they_compile_of_each_rule():
    """A rule's dispatch parts are compiled once and kept with the rule: a second analyzer of
    the rule set runs the very same tests and finds the same; a changed copy of a rule is
    compiled anew (its condition may differ)."""
    import dataclasses

    from stride_tui.core.analysis.conditions import FactTest
    from stride_tui.core.analysis.engine import Analyzer
    from stride_tui.core.analysis.rules import RuleSet, builtin_rules

    rules = builtin_rules()
    first, second = Analyzer(rules), Analyzer(rules)
    for kind, dispatch in first._dispatch.items():
        other = second._dispatch[kind]
        assert dispatch.keys == other.keys
        assert all(a is b for a, b in zip(dispatch._rest, other._rest, strict=True)), kind
    sample = model(**NESTED)
    assert first.analyse(sample).findings == second.analyse(sample).findings

    rule = rules.rules["flow-unencrypted-crossing"]
    changed = dataclasses.replace(rule, condition=FactTest("encrypted", "equals", False))
    assert changed.compiled == {} and rule.compiled
    only = RuleSet(rules={changed.id: changed}, catalogue=rules.catalogue)
    plain = model(
        components={"a": {"kind": "process"}, "b": {"kind": "process"}},
        flows={"a-b": {"from": "a", "to": "b", "encrypted": False}},
    )
    assert [f.rule_id for f in Analyzer(only).analyse(plain).findings] == [changed.id]


def test_an_analyzer_past_its_memo_bound_drops_its_ratings_and_still_finds_the_same():
    """Past its bound the analyzer drops the ratings its dispatches' candidates hold (and the risk
    ids that key them) all together: the next analysis, of an edit, is what a fresh one finds."""
    from pathlib import Path

    from stride_tui.core.analysis.engine import Analyzer
    from stride_tui.core.analysis.rules import builtin_rules
    from stride_tui.core.editing import set_fact
    from stride_tui.core.files.loader import load_model

    platform = load_model(Path(__file__).parents[2] / "sample_models" / "platform.toml").model
    analyzer = Analyzer(builtin_rules())
    analyzer.analyse(platform)
    analyzer._rated_count = 10**6  # as if it had rated that many
    analyzer.analyse(platform)
    assert analyzer._rated_count == 0 and not analyzer._risk_ids
    assert all(not dispatch._memo for dispatch in analyzer._dispatch.values())
    flow = next(fid for fid, f in platform.flows.items() if not f.encrypted)
    edited = set_fact(platform, flow, "encrypted", True)
    assert analyzer.analyse(edited).findings == analyse(edited, builtin_rules()).findings
    assert analyzer._rated_count > 0
