"""Incremental analysis: after any sequence of edits, an analyzer that updates what it derived
gives exactly what a fresh analysis of the same model gives (findings with every field,
decisions, orphans, errors, crossings, and the questions asked of its threats)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride_tui.core.analysis.engine import Analysis, Analyzer
from stride_tui.core.analysis.questions import questions
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.editing.base import EditError
from stride_tui.core.editing.delete import delete
from stride_tui.core.editing.put import put_boundary, put_component, put_flow, put_threat, set_decision, set_fact
from stride_tui.core.editing.responses import add_response, can_have_response
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import Boundary, Flow, Threat, ThreatModel

from ..shared import SAMPLES

TODAY = datetime.date(2026, 12, 2)
RULES = builtin_rules()
FACTS = {
    "encrypted": [True, False, None],
    "authentication": ["none", "mtls", "api_key", None],
    "privileged": [True, False, None],
    "forwards": [True, False, None],
    "trusted": [True, False, None],
    "classification": ["public", "confidential", "restricted", None],
    "audit_log": [True, False, None],
    "out_of_scope": [True, None],
    "integrity": ["low", "high", None],
    "technology": ["postgres", "nginx", "vault", "npm registry", None],  # a registry is pulled from, never a caller
    "signed": [True, False, None],
    "verifies_signatures": [True, None],
    "is_queue": [True, None],
}


OPERATIONS = ["fact"] * 3 + ["rename", "move", "flow", "response", "delete", "boundary", "decide", "threat", "undo"]


def same(incremental: Analysis, fresh: Analysis) -> None:
    assert incremental.findings == fresh.findings
    assert incremental.orphans == fresh.orphans
    assert [(e.rule_id, e.element_id, e.message) for e in incremental.errors] == [
        (e.rule_id, e.element_id, e.message) for e in fresh.errors
    ]
    assert incremental.topology.crossings == fresh.topology.crossings
    assert incremental.topology.component_chain == fresh.topology.component_chain
    # the components asked what they are built with are carried across edits, not found again
    assert questions(incremental, group_threats(incremental)) == questions(fresh, group_threats(fresh))


def edit(model: ThreatModel, data: st.DataObject, history: list[ThreatModel]) -> ThreatModel:
    """One random edit of the kinds the editor and `add` make (an invalid one changes nothing)."""
    components, flows, boundaries = list(model.components), list(model.flows), list(model.boundaries)
    op = data.draw(st.sampled_from(OPERATIONS))
    pick = lambda items: data.draw(st.sampled_from(items))  # noqa: E731
    try:
        if op == "fact" and (components or flows):
            fact = pick(sorted(FACTS))
            return set_fact(model, pick(components + flows), fact, pick(FACTS[fact]))
        if op == "rename" and components:
            cid = pick(components)
            name = pick(["Payments API", "Admin console", "Ledger DB", "Worker"])
            return put_component(model, cid, model.components[cid].model_copy(update={"name": name}), cid)
        if op == "move" and components:
            cid = pick(components)
            boundary = pick([None, *boundaries])
            return put_component(model, cid, model.components[cid].model_copy(update={"boundary": boundary}), cid)
        if op == "flow" and len(components) > 1:
            source, target = pick(components), pick(components)
            flow = Flow.model_validate({"from": source, "to": target, "protocol": pick(["https", "grpc", None])})
            return put_flow(model, f"new-{len(flows)}-{source}-{target}", flow)
        if op == "response" and flows:
            fid = pick(flows)
            return add_response(model, fid)[0] if can_have_response(model, fid) else model
        if op == "delete" and (components or flows or boundaries):
            section = pick(
                [s for s, ids in (("components", components), ("flows", flows), ("boundaries", boundaries)) if ids]
            )
            return delete(model, section, pick(list(getattr(model, section))))
        if op == "boundary":
            if boundaries and data.draw(st.booleans()):
                bid = pick(boundaries)
                update = pick(
                    [
                        {"name": "Renamed zone"},
                        {"parent": pick([None, *boundaries])},
                        {"kind": pick(["internet", "dmz", "third_party"])},
                        {"enforced_by": pick(["NetworkPolicy", None])},
                    ]
                )
                return put_boundary(model, bid, model.boundaries[bid].model_copy(update=update), bid)
            return put_boundary(
                model, f"zone-{len(boundaries)}", Boundary(name="New zone", parent=pick([None, *boundaries]))
            )
        if op == "decide":
            analysis = Analyzer(RULES, TODAY).analyse(model)
            if not analysis.findings:
                return model
            finding = pick(analysis.findings)
            key = pick([finding.id, finding.threat_id, f"{finding.rule_id}@*", f"*@{finding.element_id}"])
            status = pick(["accepted", "mitigated", "open", "investigating"])
            return set_decision(model, key, status, expires=pick([None, datetime.date(2026, 1, 1)]))
        if op == "threat" and (components or flows):
            threat = Threat(title="Hand-written", category="tampering", target=pick(components + flows))
            return put_threat(model, f"t-{len(model.threats)}", threat)
        if op == "undo" and history:
            return pick(history)
    except EditError:
        pass
    return model


@pytest.mark.parametrize("sample", ["checkout.toml", "three-tier.toml"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_incremental_analysis_agrees_with_a_fresh_one_after_any_edits(sample: str, data: st.DataObject) -> None:
    model = load_model(SAMPLES / sample).model
    analyzer = Analyzer(RULES, TODAY)
    analyzer.analyse(model)
    edits_agree(analyzer, model, data, data.draw(st.integers(1, 8)))


def edits_agree(analyzer: Analyzer, model: ThreatModel, data: st.DataObject, count: int) -> None:
    """``count`` random edits of ``model``, each analysed by ``analyzer`` (which has analysed
    ``model``) as a fresh analyzer analyses it."""
    history = [model]
    for _ in range(count):
        model = edit(model, data, history)
        history.append(model)
        same(analyzer.analyse(model), Analyzer(RULES, TODAY).analyse(model))


def test_an_edit_reports_only_what_it_changed() -> None:
    model = load_model(SAMPLES / "checkout.toml").model
    analyzer = Analyzer(RULES, TODAY)
    assert analyzer.analyse(model).changed is None  # the first analysis: everything is new
    assert analyzer.analyse(model).changed == frozenset()
    flow_id = next(iter(model.flows))
    edited = set_fact(model, flow_id, "encrypted", not model.flows[flow_id].encrypted)
    changed = analyzer.analyse(edited).changed
    assert changed is not None and flow_id in changed
    assert changed <= set(model.flows) | set(model.components)
    assert len(changed) < len(model.flows) + len(model.components)


def test_a_failed_update_leaves_the_analyzer_able_to_start_again(monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_model(SAMPLES / "checkout.toml").model
    analyzer = Analyzer(RULES, TODAY)
    analyzer.analyse(model)
    flow_id = next(iter(model.flows))
    edited = set_fact(model, flow_id, "encrypted", not model.flows[flow_id].encrypted)
    monkeypatch.setattr(Analyzer, "_update", lambda *args: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        analyzer.analyse(edited)
    monkeypatch.undo()
    same(analyzer.analyse(edited), Analyzer(RULES, TODAY).analyse(edited))


def test_a_model_wide_answer_follows_the_component_that_gives_it() -> None:
    """``model_has``: adding the model's only secrets store, then taking it out of scope, flips
    the answer each time; the incremental analysis agrees with a fresh one at every step."""
    model = load_model(SAMPLES / "three-tier.toml").model  # it has no secrets store
    analyzer = Analyzer(RULES, TODAY)
    analyzer.analyse(model)
    cid = next(c for c, comp in model.components.items() if comp.kind == "data_store")
    steps = [
        set_fact(model, cid, "technology", "vault"),
        set_fact(set_fact(model, cid, "technology", "vault"), cid, "out_of_scope", True),
        model,
    ]
    answers = []
    for step in steps:
        incremental = analyzer.analyse(step)
        same(incremental, Analyzer(RULES, TODAY).analyse(step))
        answers.append(tuple(analyzer._state.facts.model_facts.values()))  # type: ignore[union-attr]
    assert answers == [(True,), (False,), (False,)]


def test_findings_stay_in_model_order_when_an_edit_changes_how_many_an_element_has() -> None:
    """An edit that gives one element more findings and another fewer: the findings of every
    element stay together, in model order, as a fresh analysis lists them."""
    model = load_model(SAMPLES / "checkout.toml").model
    analyzer = Analyzer(RULES, TODAY)
    before = analyzer.analyse(model)
    first, last = next(iter(model.flows)), list(model.flows)[-1]
    edited = set_fact(set_fact(model, first, "encrypted", False), last, "encrypted", True)
    after = analyzer.analyse(edited)
    same(after, Analyzer(RULES, TODAY).analyse(edited))
    assert [f.element_id for f in after.findings] != [f.element_id for f in before.findings]
