"""Responses: a flow that answers another is analysed for what it carries, never as a call;
it takes its request's transport facts, and its findings join the request's threats."""

from __future__ import annotations

import pytest

from stride_tui.core import editing
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.editing import EditError
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import parse_model

MODEL = """stride_tui = 1

[model]
title = "Shop"

[boundaries.internet]
name = "Internet"
internet = true

[components.browser]
kind = "external_entity"
name = "Shopper browser"
boundary = "internet"

[components.frontend]
kind = "process"
name = "Frontend"

[flows.page-request]
from = "browser"
to = "frontend"
data = "search terms, session cookie"

[flows.page]
from = "frontend"
to = "browser"
response_to = "page-request"
data = "product page"
"""


def load(text: str = MODEL):
    return parse_model(text.encode(), "shop.toml").model


def test_a_response_never_carries_caller_threats() -> None:
    ruleset = builtin_rules()
    analysis = analyse(load(), ruleset)
    on_response = {f.rule_id for f in analysis.findings if f.element_id == "page"}
    caller_rules = {r.id for r in ruleset.rules.values() if r.caller}
    assert on_response, "the response is still analysed for what it carries"
    assert not on_response & caller_rules
    assert "flow-no-timeout" not in on_response and "flow-ssrf" not in on_response
    # the same flow, not marked as a response, is analysed as a call
    as_call = analyse(load(MODEL.replace('response_to = "page-request"\n', "")), ruleset)
    assert {f.rule_id for f in as_call.findings if f.element_id == "page"} & caller_rules


def test_a_response_takes_its_requests_transport_facts() -> None:
    encrypted = MODEL.replace(
        'data = "search terms, session cookie"', 'data = "search terms"\nprotocol = "https"\nencrypted = true'
    )
    analysis = analyse(load(encrypted), builtin_rules())
    assert not [f for f in analysis.findings if f.element_id == "page" and f.rule_id.startswith("flow-unencrypted")]
    plain = analyse(load(), builtin_rules())
    assert [f for f in plain.findings if f.element_id == "page" and f.rule_id == "flow-unencrypted-crossing"]


def test_a_responses_findings_join_the_requests_threat() -> None:
    ruleset = builtin_rules()
    analysis = analyse(load(), ruleset)
    threats = {t.id: t for t in group_threats(analysis)}
    tls = threats["tls-in-transit@page-request"]
    assert {f.element_id for f in tls.findings} == {"page-request", "page"}
    assert not [t for t in threats if t.endswith("@page")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('response_to = "ghost"', "`flows.page.response_to` names unknown flow `ghost`"),
        ('response_to = "page"', "flow `page` cannot be the response to itself"),
    ],
)
def test_a_response_must_answer_a_request_going_the_other_way(change: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        load(MODEL.replace('response_to = "page-request"', change))
    same_way = MODEL.replace('from = "frontend"\nto = "browser"', 'from = "browser"\nto = "frontend"')
    with pytest.raises(ModelError, match="a response goes back the other way"):
        load(same_way)


def test_edits_keep_responses_consistent() -> None:
    model = load()
    renamed = editing.rename_id(model, "page-request", "search")
    assert renamed.flows["page"].response_to == "search"
    assert "flows.page.response_to" in editing.references_to(model, "page-request")
    impact = editing.delete_impact(model, "flows", "page-request")
    assert impact.flows == ("page",) and impact.consequences()[0].startswith("1 flow (its responses: page)")
    assert editing.delete(model, "flows", "page-request").flows == {}
    swapped = model.flows["page-request"].model_copy(update={"source": "frontend", "target": "browser"})
    with pytest.raises(EditError) as caught:
        editing.put_flow(model, "page-request", swapped, "page-request")
    assert "page answer this flow" in caught.value.errors["from"]
    bad = model.flows["page"].model_copy(update={"response_to": "page"})
    assert "cannot answer itself" in editing.flow_errors(model, "page", bad, "page")["response_to"]
