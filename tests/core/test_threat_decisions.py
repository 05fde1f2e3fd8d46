"""Deciding whole threats in one edit, and adding a flow's response (the editor's one-key actions)."""

from __future__ import annotations

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.editing import EditError, set_decision
from stride_tui.core.editing.responses import add_response, can_have_response
from stride_tui.core.editing.threat_decisions import decide_threats
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import ThreatModel

from ..shared import SAMPLES


def _checkout() -> ThreatModel:
    return load_model(SAMPLES / "checkout.toml").model


def _threat(model: ThreatModel, threat_id: str):
    return next(t for t in group_threats(analyse(model, builtin_rules())) if t.id == threat_id)


def _multi(model: ThreatModel):
    return next(t for t in group_threats(analyse(model, builtin_rules())) if len(t.findings) > 1 and t.undecided)


def test_a_whole_threat_is_decided_under_its_own_key() -> None:
    model = _checkout()
    threat = _multi(model)
    decided = decide_threats(model, [threat], "accepted", note="risk owner: payments")
    assert decided.decisions[threat.id].status == "accepted"
    after = _threat(decided, threat.id)
    assert after.status == "accepted" and {f.status for f in after.findings} == {"accepted"}
    assert model.decisions == _checkout().decisions  # the model given is never changed


def test_an_undecided_finding_decision_does_not_keep_the_threat_open() -> None:
    model = _checkout()
    threat = _multi(model)
    first, second = threat.findings[0].id, threat.findings[1].id
    model = set_decision(model, first, "investigating", note="looking")
    model = set_decision(model, second, "mitigated", note="fixed in SEC-9")
    decided = decide_threats(model, [threat], "accepted")
    assert first not in decided.decisions  # it would win over the threat's and keep it open
    assert decided.decisions[second].status == "mitigated"  # a real decision is kept
    statuses = {f.id: f.status for f in _threat(decided, threat.id).findings}
    assert statuses[first] == "accepted" and statuses[second] == "mitigated"


def test_deciding_again_keeps_the_note_and_ticket_unless_given() -> None:
    model = _checkout()
    threat = _multi(model)
    model = decide_threats(model, [threat], "investigating", note="why", ticket="SEC-1")
    model = decide_threats(model, [threat], "mitigated")
    decision = model.decisions[threat.id]
    assert (decision.status, decision.note, decision.ticket) == ("mitigated", "why", "SEC-1")
    with pytest.raises(EditError):
        decide_threats(model, [threat], "done")


def test_a_response_goes_back_and_answers_its_request() -> None:
    model = _checkout()
    request_id = next(fid for fid, f in model.flows.items() if f.response_to is None)
    request = model.flows[request_id]
    assert can_have_response(model, request_id)
    changed, response_id = add_response(model, request_id)
    response = changed.flows[response_id]
    assert (response.source, response.target, response.response_to) == (request.target, request.source, request_id)
    assert response.encrypted is None and response.authentication is None  # inherited, not copied
    assert not can_have_response(changed, request_id) and not can_have_response(changed, response_id)
