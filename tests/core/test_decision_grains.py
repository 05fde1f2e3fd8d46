"""Decisions at every grain: one finding, one threat, one rule everywhere, one element; the
most specific wins; an expired decision no longer holds; one that covers nothing is an orphan."""

from __future__ import annotations

import datetime

import pytest

from stride_tui.core.analysis.engine import Analyzer
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import parse_model
from stride_tui.core.files.storage import dump_model

BASE = """stride_tui = 1

[model]
title = "Grains"

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

[flows.login]
from = "user"
to = "api"
data = "password"
encrypted = false
"""
TODAY = datetime.date(2026, 12, 1)


def analysed(decisions: str):
    model = parse_model((BASE + decisions).encode(), "m.toml").model
    return model, Analyzer(builtin_rules(), today=TODAY).analyse(model)


def status_of(analysis, finding_id: str) -> str:
    return next(f.status for f in analysis.findings if f.id == finding_id)


TLS_FINDINGS = (
    "flow-unencrypted-crossing@login",
    "flow-tampering-in-transit@login",
    "flow-credentials-unencrypted@login",
)


def test_a_threat_decision_covers_every_finding_of_its_remedy() -> None:
    _, analysis = analysed('\n[decisions."tls-in-transit@login"]\nstatus = "mitigated"\nnote = "TLS at the ingress"\n')
    for finding_id in TLS_FINDINGS:
        assert status_of(analysis, finding_id) == "mitigated"
    assert status_of(analysis, "entity-call-unauthenticated@login") == "open"  # another remedy
    assert analysis.orphans == []


def test_the_most_specific_decision_wins() -> None:
    _, analysis = analysed(
        '\n[decisions."*@login"]\nstatus = "accepted"\n'
        '\n[decisions."flow-tampering-in-transit@*"]\nstatus = "transferred"\n'
        '\n[decisions."tls-in-transit@login"]\nstatus = "investigating"\n'
        '\n[decisions."flow-unencrypted-crossing@login"]\nstatus = "mitigated"\n'
    )
    assert status_of(analysis, "flow-unencrypted-crossing@login") == "mitigated"  # rule@element
    assert status_of(analysis, "flow-tampering-in-transit@login") == "investigating"  # remedy@element beats rule@*
    assert status_of(analysis, "entity-call-unauthenticated@login") == "accepted"  # only *@element covers it
    assert analysis.orphans == []  # each covers something, even where a more specific one wins


def test_a_rule_everywhere() -> None:
    _, analysis = analysed('\n[decisions."process-verbose-errors@*"]\nstatus = "not_applicable"\n')
    assert status_of(analysis, "process-verbose-errors@api") == "not_applicable"


def test_an_expired_decision_opens_the_finding_again_and_says_so() -> None:
    _, analysis = analysed('\n[decisions."tls-in-transit@login"]\nstatus = "accepted"\nexpires = 2026-11-30\n')
    finding = next(f for f in analysis.findings if f.id == TLS_FINDINGS[0])
    assert finding.status == "open"
    assert finding.note == "decision tls-in-transit@login (accepted) expired on 2026-11-30"
    _, later = analysed('\n[decisions."tls-in-transit@login"]\nstatus = "accepted"\nexpires = 2026-12-01\n')
    assert status_of(later, TLS_FINDINGS[0]) == "accepted"  # holds through its last day


@pytest.mark.parametrize("key", ["tls-in-transit@api", "nope@*", "*@ghost", "flow-ssrf@login"])
def test_a_decision_that_covers_nothing_is_an_orphan(key: str) -> None:
    _, analysis = analysed(f'\n[decisions."{key}"]\nstatus = "accepted"\n')
    assert analysis.orphans == [key]


def test_grained_decisions_and_dates_round_trip_byte_identically() -> None:
    text = (
        BASE
        + '\n[decisions."tls-in-transit@login"]\nstatus = "accepted"\nexpires = 2027-01-31\n\n[decisions."*@api"]\nstatus = "mitigated"\n'
    )
    model = parse_model(text.encode(), "m.toml").model
    assert model.decisions["tls-in-transit@login"].expires == datetime.date(2027, 1, 31)
    assert dump_model(model) == text
