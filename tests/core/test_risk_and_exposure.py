"""Analysis v2 on purpose-built models (DESIGN §8): risk = likelihood × impact, exposure computed
through forwarders, provisional findings and their questions, flip tests on single facts."""

from __future__ import annotations

import copy

import pytest

from stride_tui.core import editing
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.questions import questions
from stride_tui.core.analysis.risk import combine
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import count_threats, group_threats
from stride_tui.core.model.elements import ThreatModel

RULES = builtin_rules()


def model(components: dict, flows: dict, boundaries: dict | None = None) -> ThreatModel:
    return ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "t"},
            "boundaries": boundaries or {},
            "components": components,
            "flows": flows,
        }
    )


EDGE = {
    "boundaries": {"internet": {"name": "Internet", "internet": True}, "cluster": {"name": "Cluster"}},
    "components": {
        "user": {"kind": "external_entity", "name": "User", "boundary": "internet"},
        "gateway": {"kind": "process", "name": "Gateway", "boundary": "cluster"},
        "admin": {"kind": "process", "name": "Admin API", "boundary": "cluster", "privileged": True},
        "catalog": {"kind": "process", "name": "Catalog", "boundary": "cluster", "privileged": False},
    },
    "flows": {
        "user-to-gateway": {"from": "user", "to": "gateway", "encrypted": True, "authentication": "none"},
        "gateway-to-admin": {"from": "gateway", "to": "admin", "encrypted": True, "authentication": "none"},
        "gateway-to-catalog": {"from": "gateway", "to": "catalog", "encrypted": True, "authentication": "none"},
    },
}


def edge(**changes: dict) -> ThreatModel:
    data = copy.deepcopy(EDGE)
    for path, value in changes.items():
        section, element, key = path.split("__")
        data[section][element.replace("_", "-")][key] = value
    return model(data["components"], data["flows"], data["boundaries"])


def threats_of(m: ThreatModel) -> dict:
    return {t.id: t for t in group_threats(analyse(m, RULES))}


def test_owasp_matrix():
    assert combine("high", "high") == "critical"
    assert combine("low", "high") == "medium"
    assert combine("medium", "medium") == "medium"
    assert combine("low", "low") == "low"  # OWASP's "note"
    assert combine("high", "low") == "medium"


def test_internet_unauthenticated_caller_reaching_a_privileged_target_is_critical():
    data = copy.deepcopy(EDGE)
    data["flows"]["user-to-admin"] = {"from": "user", "to": "admin", "encrypted": True, "authentication": "none"}
    m = model(data["components"], data["flows"], data["boundaries"])
    threat = threats_of(m)["caller-authentication@user-to-admin"]
    assert (threat.likelihood, threat.impact, threat.severity) == ("high", "high", "critical")
    assert threat.risk_reasons == (
        "likelihood high: the sender is untrusted (on the internet or outside the team's control)",
        "impact high: its target performs privileged actions",
    )


def test_through_a_forwarder_the_internet_is_one_step_removed():
    # the gateway forwards: the internet reaches the admin API through it, with no authentication
    threat = threats_of(edge(components__gateway__forwards=True))["service-identity@gateway-to-admin"]
    assert (threat.likelihood, threat.impact, threat.severity) == ("medium", "high", "high")
    assert threat.risk_reasons[0] == "likelihood medium: the sender forwards requests that come from the internet"


def test_reading_a_forwarded_hop_needs_a_place_on_its_network_not_the_internet():
    # spoofing or flooding the admin API works from the internet through the gateway; reading the
    # gateway -> admin hop needs a foothold on the cluster's network, wherever requests come from
    m = edge(
        components__gateway__forwards=True,
        flows__gateway_to_admin__encrypted=False,
        flows__gateway_to_admin__classification="confidential",
    )
    tls = threats_of(m)["tls-in-transit@gateway-to-admin"]
    sniffing = [f for f in tls.findings if f.category == "information_disclosure"]
    assert sniffing and all(f.likelihood == "low" for f in sniffing)
    assert all("forwards" not in f.risk_reasons[0] for f in sniffing)
    spoofing = threats_of(m)["service-identity@gateway-to-admin"]
    assert spoofing.risk_reasons[0] == "likelihood medium: the sender forwards requests that come from the internet"


def test_the_same_call_without_the_forwarder_is_an_internal_risk():
    # the gateway is not marked as forwarding: the admin API is a neighbour's call
    threat = threats_of(edge(components__gateway__forwards=False))["service-identity@gateway-to-admin"]
    assert (threat.likelihood, threat.impact, threat.severity) == ("low", "high", "medium")


def test_internal_read_only_call_rates_low():
    threat = threats_of(edge(components__gateway__forwards=False))["service-identity@gateway-to-catalog"]
    assert (threat.likelihood, threat.impact, threat.severity) == ("low", "medium", "low")


def test_strong_authentication_on_the_path_lowers_likelihood():
    m = edge(components__gateway__forwards=True, flows__gateway_to_admin__authentication="mtls")
    assert "service-identity@gateway-to-admin" not in threats_of(m)  # mTLS settles service identity
    facts = analyse(m, RULES)
    admin = next(f for f in facts.findings if f.element_id == "admin" and f.rule_id == "process-spoofing")
    # reached from the internet, but every path into it authenticates: medium, not high
    assert admin.likelihood == "medium" and "after authentication" in admin.risk_reasons[0]


def test_exposure_passes_only_through_forwarders_and_only_over_calls():
    from stride_tui.core.analysis.facts import FactBase
    from stride_tui.core.model.topology import Topology

    data = copy.deepcopy(EDGE)
    data["components"]["gateway"]["forwards"] = True
    data["components"]["db"] = {"kind": "data_store", "name": "DB", "boundary": "cluster"}
    data["flows"]["catalog-to-db"] = {"from": "catalog", "to": "db"}  # catalog does not forward
    data["flows"]["admin-to-user"] = {"from": "admin", "to": "user", "response_to": "user-to-gateway"}
    m = model(data["components"], data["flows"], data["boundaries"])
    facts = FactBase(m, Topology(m)).components
    assert facts["gateway"]["reachable_from_internet"] and facts["gateway"]["internet_facing"]
    assert facts["catalog"]["reachable_from_internet"] and not facts["catalog"]["internet_facing"]
    assert not facts["db"]["reachable_from_internet"]  # behind a component that does not forward
    assert facts["admin"]["reachable_unauthenticated"]
    authenticated = copy.deepcopy(data)
    authenticated["flows"]["user-to-gateway"]["authentication"] = "jwt"
    m = model(authenticated["components"], authenticated["flows"], authenticated["boundaries"])
    facts = FactBase(m, Topology(m)).components
    assert facts["admin"]["reachable_from_internet"] and not facts["admin"]["reachable_unauthenticated"]


def test_a_finding_resting_on_an_unknown_fact_is_provisional_and_asks_once():
    data = copy.deepcopy(EDGE)
    del data["flows"]["user-to-gateway"]["encrypted"]
    m = model(data["components"], data["flows"], data["boundaries"])
    analysis = analyse(m, RULES)
    threats = group_threats(analysis)
    tls = next(t for t in threats if t.id == "tls-in-transit@user-to-gateway")
    assert len(tls.findings) > 1  # several rules, one threat
    assert tls.provisional and all(("user-to-gateway", "encrypted") in f.rests_on for f in tls.findings)
    asked = [q for q in questions(analysis, threats) if q.fact == "encrypted"]
    assert len(asked) == 1  # one question however many findings rest on it
    (question,) = asked
    assert question.id == "encrypted@user-to-gateway"
    assert question.text == "Is User → Gateway encrypted in transit (TLS)?"
    assert "tls-in-transit@user-to-gateway" in question.threat_ids
    assert question.answers == {"y": True, "n": False}
    # answering yes settles it: the threat leaves
    answered = editing.set_fact(m, question.element_id, question.fact, question.answers["y"])
    assert "tls-in-transit@user-to-gateway" not in threats_of(answered)
    # answering no confirms it: the threat stays, no longer provisional, and likely (an internet
    # sender); until then nothing recorded said the weakness was there
    confirmed = threats_of(editing.set_fact(m, question.element_id, question.fact, question.answers["n"]))
    after = confirmed["tls-in-transit@user-to-gateway"]
    assert not after.provisional and (tls.likelihood, after.likelihood) == ("low", "high")
    assert after.severity == tls.confirmed_severity  # the gate's rating was the confirmed one


def test_a_known_weakness_is_not_provisional():
    threat = threats_of(edge())["service-identity@gateway-to-admin"]  # authentication = "none"
    assert not threat.provisional


def test_a_rule_without_condition_is_never_provisional():
    analysis = analyse(edge(), RULES)
    spoof = next(f for f in analysis.findings if f.rule_id == "process-spoofing")
    assert not spoof.provisional and spoof.rests_on == ()


def test_questions_of_decided_threats_are_not_asked():
    data = copy.deepcopy(EDGE)
    del data["flows"]["gateway-to-admin"]["encrypted"]
    del data["flows"]["user-to-gateway"]["encrypted"]
    m = model(data["components"], data["flows"], data["boundaries"])
    analysis = analyse(m, RULES)
    assert any("tls-in-transit@user-to-gateway" in q.threat_ids for q in questions(analysis, group_threats(analysis)))
    decided = editing.set_decision(m, "tls-in-transit@user-to-gateway", "accepted", "internal only")
    analysis = analyse(decided, RULES)
    asked = questions(analysis, group_threats(analysis))
    assert all("tls-in-transit@user-to-gateway" not in q.threat_ids for q in asked)


def test_authentication_question_has_a_one_key_no_and_choices():
    data = copy.deepcopy(EDGE)
    del data["flows"]["gateway-to-admin"]["authentication"]
    m = model(data["components"], data["flows"], data["boundaries"])
    analysis = analyse(m, RULES)
    (question,) = [q for q in questions(analysis, group_threats(analysis)) if q.id == "authentication@gateway-to-admin"]
    assert question.text == "How does Gateway authenticate to Admin API?"
    assert question.answers == {"n": "none"} and "mtls" in question.choices


@pytest.mark.parametrize(
    ("path", "value", "gone", "appears"),
    [
        # one fact, exactly the threats it should: TLS on the flow settles only that flow's TLS threat
        ("flows__user_to_gateway__encrypted", False, set(), {"tls-in-transit@user-to-gateway"}),
        ("flows__gateway_to_admin__authentication", "mtls", {"service-identity@gateway-to-admin"}, set()),
        ("components__admin__audit_log", True, {"audit-trail@admin"}, set()),
    ],
)
def test_flipping_one_fact_changes_exactly_its_threats(path, value, gone, appears):
    base = {"components__admin__audit_log": False}
    before = set(threats_of(edge(**base)))
    after = set(threats_of(edge(**{**base, path: value})))
    assert before - after == gone
    assert after - before == appears


def test_counts_use_the_same_words_everywhere():
    analysis = analyse(edge(), RULES)
    counts = count_threats(group_threats(analysis))
    assert counts.undecided == counts.total
    assert counts.line().startswith(f"{counts.total} threats from {counts.findings} findings: {counts.total} open")


def test_the_gate_rates_a_provisional_threat_as_if_confirmed():
    from stride_tui.core.analysis.threats import blocks

    data = copy.deepcopy(EDGE)
    del data["flows"]["user-to-gateway"]["encrypted"]
    m = model(data["components"], data["flows"], data["boundaries"])
    tls = threats_of(m)["tls-in-transit@user-to-gateway"]
    assert tls.provisional and (tls.severity, tls.confirmed_severity) == ("low", "high")
    assert blocks(tls, "high")  # unknown is not safe: the gate trips until someone answers
    answered = threats_of(editing.set_fact(m, "user-to-gateway", "encrypted", True))
    assert "tls-in-transit@user-to-gateway" not in answered


def test_a_waf_lowers_the_likelihood_of_input_threats_only():
    def findings(behind_waf: bool) -> dict:
        m = edge(components__gateway__validates_input=False, components__gateway__behind_waf=behind_waf)
        return {f.id: f for f in analyse(m, RULES).findings if f.element_id in ("gateway", "user-to-gateway")}

    open_, filtered = findings(False), findings(True)
    injection = [fid for fid, f in open_.items() if f.remedy in ("input-validation", "output-encoding")]
    assert injection
    for fid in injection:  # a step lower, and the reason says why
        assert LIKELIHOODS.index(filtered[fid].likelihood) == LIKELIHOODS.index(open_[fid].likelihood) - 1
        assert any("web application firewall" in r for r in filtered[fid].risk_reasons)
    for fid, finding in open_.items():
        if fid not in injection:  # a WAF does nothing for the rest
            assert filtered[fid].likelihood == finding.likelihood, fid


LIKELIHOODS = ["low", "medium", "high"]


def test_an_unpinned_image_is_as_likely_backdoored_however_its_callers_reach_it():
    # the attacker comes through the registry, not through the callers: internet exposure does not
    # make it likelier than medium; an internal component stays low
    def supply_chain(m: ThreatModel, element: str):
        return threats_of(m)[f"supply-chain@{element}"]

    exposed = supply_chain(edge(components__gateway__image_pinned=False), "gateway")
    assert (exposed.likelihood, exposed.severity) == ("medium", "medium")
    assert "built from" in exposed.risk_reasons[0] and "without authentication" in exposed.risk_reasons[0]
    internal = supply_chain(edge(components__catalog__image_pinned=False), "catalog")
    assert internal.likelihood == "low"


def test_running_as_root_matters_after_a_first_compromise():
    # root is a second step: one step less likely than reaching the process at all
    exposed = threats_of(edge(components__gateway__runs_as_root=True))["least-privilege@gateway"]
    assert (exposed.likelihood, exposed.impact, exposed.severity) == ("medium", "medium", "medium")
    assert exposed.risk_reasons[0].endswith("and an attacker must first run code in it")
    internal = threats_of(edge(components__catalog__runs_as_root=True))["least-privilege@catalog"]
    assert internal.likelihood == "low"


def test_every_question_is_worded_as_its_text_with_the_names_put_in():
    """Questions are worded by a function made once per fact from its text: for every fact it
    gives what `str.format_map` of the text gives, names with braces, backslashes and percent
    signs put in as they are."""
    from stride_tui.core.analysis import questions as q

    names = {"element": "Cache {tier} \\ 100%", "source": "Gateway {0}", "target": "Store }{"}
    texts = {fact: text for fact, (text, *_) in (*q._BOOLEAN.items(), *q._CHOICE.items())}
    assert set(q._FILLS) == set(texts)
    for fact, text in texts.items():
        assert q._FILLS[fact](names) == text.format_map(names), fact


def test_a_sensitive_word_is_said_to_come_from_a_name_or_from_the_data_it_came_from():
    m = model(
        {
            "api": {"kind": "process", "name": "Gift card API"},
            "vault": {"kind": "data_store", "name": "Password vault", "boundary": "data"},
        },
        {  # crossing into the data zone: the flow rules look at them
            "to-vault": {"from": "api", "to": "vault"},
            "cards": {"from": "api", "to": "vault", "name": "Sync", "data": "card numbers"},
        },
        {"data": {"name": "Data zone"}},
    )
    impacts: dict[str, str] = {}  # each element's impact reasons, joined
    for f in analyse(m, RULES).findings:
        impacts[f.element_id] = impacts.get(f.element_id, "") + " | " + f.risk_reasons[-1]
    assert "it is named for card data (classification not recorded)" in impacts["api"]
    assert "its target is named for secrets (classification not recorded)" in impacts["to-vault"]
    assert "the data mentions card data (classification not recorded)" in impacts["cards"]
    assert "the data mentions" not in impacts["api"] + impacts["to-vault"]


@pytest.mark.parametrize(
    ("statuses", "findings", "line"),
    [
        ((), 0, "no threats"),
        (("open",), 1, "1 threat from 1 finding: 1 open"),
        (
            ("open", "investigating", "accepted"),
            4,
            "3 threats from 4 findings: 2 undecided (1 open, 1 investigating); 1 decided",
        ),
        (("mitigated",), 2, "1 threat from 2 findings: 0 undecided; 1 decided"),
    ],
)
def test_the_count_line_says_each_number_once_in_words_that_agree_with_it(statuses, findings, line):
    from stride_tui.core.analysis.threats import ThreatCounts
    from stride_tui.core.model.elements import STATUSES

    counts = ThreatCounts(
        total=len(statuses),
        by_status={s: statuses.count(s) for s in STATUSES},
        undecided=sum(s in ("open", "investigating") for s in statuses),
        provisional=0,
        findings=findings,
    )
    assert counts.line() == line
