"""Boundary scope (DESIGN §8): walking every boundary and "outside any boundary" visits every
threat exactly once, in the section its element belongs to."""

from __future__ import annotations

import random

import pytest

from bench.generate import generate_data
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.scope import OUTSIDE, all_scopes, boundary_scope, place, walked_elsewhere
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.model.elements import ThreatModel

RULES = builtin_rules()


def generated(seed: int) -> ThreatModel:
    """A random model with nesting, components in no boundary, responses and hand-written threats."""
    rng = random.Random(seed)
    data = generate_data(rng.randrange(5, 40), rng.randrange(5, 60), rng.randrange(0, 14), seed=seed)
    for component in data["components"].values():
        if rng.random() < 0.2:
            component.pop("boundary", None)
        if component["kind"] == "process" and rng.random() < 0.2:
            component["forwards"] = True
    flows = list(data["flows"].items())
    for fid, flow in flows:
        if rng.random() < 0.15:  # an answer, going back
            data["flows"][f"{fid}-response"] = {"from": flow["to"], "to": flow["from"], "response_to": fid}
    if flows and rng.random() < 0.5:
        data["threats"] = {"hand": {"title": "By hand", "category": "tampering", "target": flows[0][0]}}
    return ThreatModel.model_validate(data)


@pytest.mark.parametrize("seed", range(30))
def test_walking_every_boundary_visits_every_threat_once(seed):
    model = generated(seed)
    analysis = analyse(model, RULES)
    threats = group_threats(analysis)
    walked = [t.id for scope in all_scopes(analysis, threats) for t in scope.threats]
    assert sorted(walked) == sorted(t.id for t in threats)
    assert len(walked) == len(set(walked))
    # one boundary at a time gives the same walk as all at once
    one_by_one = [t.id for b in [*model.boundaries, OUTSIDE] for t in boundary_scope(analysis, threats, b).threats]
    assert sorted(one_by_one) == sorted(walked)


@pytest.mark.parametrize("seed", range(30))
def test_a_threat_is_walked_where_its_element_is(seed):
    model = generated(seed)
    analysis = analyse(model, RULES)
    topology = analysis.topology
    for scope in all_scopes(analysis, group_threats(analysis)):
        for threat in scope.crossing:
            flow_id = threat.findings[0].element_id
            flow = model.flows[flow_id]
            request = flow.response_to or flow_id
            # a crossing threat sits at a boundary its flow (or its request) crosses
            assert scope.boundary_id in {c.boundary for c in topology.crossings[request]}
        for threat in scope.inside:
            element = threat.findings[0].element_id
            if element in model.components:
                chain = topology.component_chain[element]
                assert (chain[0] if chain else OUTSIDE) == scope.boundary_id
            else:
                request = model.flows[element].response_to or element
                assert topology.crossings[request] == ()


def test_a_flow_is_walked_at_the_innermost_boundary_it_enters():
    model = ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "t"},
            "boundaries": {"internet": {"internet": True}, "vpc": {}, "cluster": {"parent": "vpc"}},
            "components": {
                "user": {"kind": "external_entity", "boundary": "internet"},
                "api": {"kind": "process", "boundary": "cluster"},
                "job": {"kind": "process"},
            },
            "flows": {
                "in": {"from": "user", "to": "api"},
                "back": {"from": "api", "to": "user", "response_to": "in"},
                "out": {"from": "api", "to": "job"},
            },
        }
    )
    analysis = analyse(model, RULES)
    assert place(analysis, "in") == ("cluster", True)  # enters VPC and Cluster: the innermost
    assert place(analysis, "back") == ("cluster", True)  # a response is walked with its request
    assert place(analysis, "out") == ("cluster", True)  # leaves only: the boundary it leaves
    assert place(analysis, "job") == (OUTSIDE, False)
    assert place(analysis, "api") == ("cluster", False)


@pytest.mark.parametrize("seed", range(30))
def test_every_flow_crossing_a_boundary_is_walked_there_or_counted_where_it_is(seed):
    model = generated(seed)
    analysis = analyse(model, RULES)
    for boundary in model.boundaries:
        crossing = analysis.topology.flows_crossing(boundary)
        here = [fid for fid in crossing if place(analysis, fid)[0] == boundary]
        elsewhere = walked_elsewhere(analysis, boundary)
        assert boundary not in dict(elsewhere)
        assert len(here) + sum(n for _, n in elsewhere) == len(crossing)


def test_a_boundary_that_only_wraps_others_says_where_its_crossings_are_walked(run_cli):
    """checkout.toml's VPC holds no component of its own: the flows into it are walked at the
    cluster and the provider's zone they enter, and `threats --boundary` says so."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "sample_models" / "checkout.toml"
    code, out, _ = run_cli("threats", sample, "--boundary", "aws-vpc")
    assert code == 0
    assert "== Flows crossing AWS production VPC (eu-west-1) (0)" in out
    assert (
        "Crossing it: 3 flows, each walked once, at the boundary it enters (or leaves): "
        "Production EKS cluster (2), Payment provider (third party) (1)"
    ) in out
    code, out, _ = run_cli("threats", sample, "--boundary", "payments-ns", "--format", "markdown")
    assert code == 0
    assert "## Flows crossing payments namespace (4)" in out
    assert "Also crossing it: 3 flows, each walked once, at the boundary it enters (or leaves): Private data" in out
