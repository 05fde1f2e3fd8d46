"""The built-in rule library (stride_tui/rules/*.toml): coverage, quality, and every rule's trigger.

Each rule has a purpose-built pair of small models: a weak one where it fires and a variant
where the fact that records the mitigation silences it. The table of cases is keyed by rule id
and must match the library exactly, so a new rule without a test fails here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import CATEGORIES, ThreatModel

SAMPLES = Path(__file__).resolve().parents[2] / "sample_models"
RULES = builtin_rules()
LIBRARY = {rule.id: rule for rule in RULES.enabled()}

# The classic STRIDE-per-element table (DESIGN §2). Data stores get R only when they hold logs.
STRIDE_PER_ELEMENT = {
    "external_entity": {"spoofing", "repudiation"},
    "process": set(CATEGORIES),
    "data_store": {"tampering", "repudiation", "information_disclosure", "denial_of_service"},
    "flow": {"tampering", "information_disclosure", "denial_of_service"},
}
# Rules with no condition: inherent per-element threats that only `out_of_scope` silences. None
# today: the per-element spoofing and repudiation rules fire where they matter (a trusted entity,
# a privileged process), and flows carry the rest (docs/rules.md, "Where rules fire").
INHERENT: set[str] = set()
# Rules allowed to have no CAPEC or CWE reference (none today).
NO_REFERENCE_OK: set[str] = set()

AUTH_SET = ["api_key", "static_secret", "session", "jwt", "oauth2", "mtls"]


# --- model builders ------------------------------------------------------------------------------

BOUNDARIES = {
    "internet": {"name": "Internet", "internet": True},
    "zone-a": {"name": "Zone A"},
    "zone-b": {"name": "Zone B"},
    "host-a": {"name": "Host A", "kind": "host"},
    "saas": {"name": "A SaaS provider", "kind": "third_party"},
}


def build(components: dict, flows: dict | None = None) -> ThreatModel:
    """A model over the standard boundaries from component and flow tables."""
    return ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "Rule test"},
            "boundaries": BOUNDARIES,
            "components": components,
            "flows": flows or {},
        }
    )


def _component(spec: dict, default_zone: str | None) -> dict:
    spec = dict(spec)
    spec.setdefault("boundary", default_zone)
    if spec["boundary"] is None:
        del spec["boundary"]
    return spec


def solo(kind: str, **facts) -> ThreatModel:
    """One component ``a``."""
    return build({"a": _component({"kind": kind, **facts}, "zone-a")})


def pair(a: dict, b: dict, f: dict | None = None, *, cross: bool = True) -> ThreatModel:
    """Components ``a`` and ``b`` with flow ``f`` from a to b, crossing a boundary unless told."""
    a_zone = "internet" if a.get("kind") == "external_entity" else "zone-a"
    b_zone = "zone-b" if cross else a_zone
    components = {"a": _component(a, a_zone), "b": _component(b, b_zone)}
    return build(components, {"f": {"from": "a", "to": "b", **(f or {})}})


EE = {"kind": "external_entity"}
PARTNER = {"kind": "external_entity", "trusted": True, "boundary": None}
PERSON = {"kind": "external_entity", "name": "Customer"}
P = {"kind": "process"}
DS = {"kind": "data_store"}


def with_(base: dict, **facts) -> dict:
    return {**base, **facts}


def ssrf_model(**source_facts) -> ThreatModel:
    """An internet user calls a service that calls out to a partner over HTTPS."""
    return build(
        {
            "user": {"kind": "external_entity", "boundary": "internet"},
            "a": {"kind": "process", "boundary": "zone-a", **source_facts},
            "b": {"kind": "external_entity", "trusted": True},
        },
        {
            "in": {"from": "user", "to": "a", "authentication": "session", "encrypted": True},
            "f": {"from": "a", "to": "b", "protocol": "https", "encrypted": True},
        },
    )


# rule id -> (model where it fires, models where it must not (the mitigation, or where the rule
# does not apply), element id)
CASES: dict[str, tuple[ThreatModel, ThreatModel, str]] = {
    # spoofing
    "external-entity-spoofing": (
        pair(with_(EE, trusted=True), P, {"authentication": "session"}),
        pair(with_(EE, trusted=False), P, {"authentication": "session"}),
        pair(with_(EE, trusted=True, out_of_scope=True), P, {"authentication": "session"}),
        "a",
    ),
    "process-spoofing": (
        solo("process", privileged=True),
        solo("process", privileged=False),
        solo("process", privileged=True, out_of_scope=True),
        "a",
    ),
    "entity-call-unauthenticated": (
        pair(EE, P),
        pair(EE, P, {"authentication": "session"}),
        "f",
    ),
    "entity-auth-static-key": (
        pair(PARTNER, P, {"authentication": "api_key"}),
        pair(PARTNER, P, {"authentication": "oauth2"}),
        "f",
    ),
    "entity-credential-stuffing": (
        pair(EE, P, {"authentication": "session"}),
        pair(EE, with_(P, rate_limited=True), {"authentication": "session"}),
        "f",
    ),
    "service-call-unauthenticated": (
        pair(P, P),
        pair(P, P, {"authentication": "mtls"}),
        pair(with_(P, boundary="internet"), P),  # a page on the user's device holds no service identity
        "f",
    ),
    "service-auth-static-secret": (
        pair(P, P, {"authentication": "static_secret"}),
        pair(P, P, {"authentication": "mtls"}),
        "f",
    ),
    "service-spoofing-no-mtls": (
        pair(P, P, {"authentication": "jwt"}),
        pair(P, P, {"authentication": "jwt", "encrypted": True}),
        "f",
    ),
    "external-destination-spoofing": (
        pair(P, EE),
        pair(P, EE, {"encrypted": True}),
        "f",
    ),
    # tampering
    "process-input-not-validated": (
        pair(EE, P),
        pair(EE, with_(P, validates_input=True)),
        pair(EE, with_(P, forwards=True)),  # a forwarder passes input on
        "b",
    ),
    "process-xss": (
        solo("process", technology="python/django"),
        solo("process", technology="python/django", encodes_output=True),
        solo("process", technology="python/fastapi"),  # an API renders no pages
        "a",
    ),
    "flow-sql-injection": (
        pair(P, with_(DS, technology="aws rds postgresql 15")),
        pair(with_(P, validates_input=True), with_(DS, technology="aws rds postgresql 15")),
        "f",
    ),
    "flow-nosql-injection": (
        pair(P, with_(DS, technology="mongodb atlas")),
        pair(with_(P, validates_input=True), with_(DS, technology="mongodb atlas")),
        pair(with_(EE, trusted=True), with_(DS, technology="mongodb atlas")),  # no process builds it
        "f",
    ),
    "flow-ldap-injection": (
        pair(P, with_(DS, technology="openldap")),
        pair(with_(P, validates_input=True), with_(DS, technology="openldap")),
        "f",
    ),
    "flow-untrusted-deserialization": (
        pair(P, P, {"protocol": "java rmi"}),
        pair(P, with_(P, validates_input=True), {"protocol": "java rmi"}),
        "f",
    ),
    "flow-tampering-in-transit": (
        pair(P, P),
        pair(P, P, {"signed": True}),
        "f",
    ),
    "flow-unvalidated-input-crossing": (
        pair(P, P),
        pair(P, with_(P, validates_input=True)),
        "f",
    ),
    "flow-store-write-unauthenticated": (
        pair(P, DS, {"authentication": "none"}),
        pair(P, DS, {"authentication": "jwt"}),
        "f",
    ),
    "queue-unsigned-message": (
        pair(P, with_(DS, is_queue=True)),
        pair(P, with_(DS, is_queue=True), {"signed": True}),
        "f",
    ),
    "queue-consumer-unvalidated": (
        pair(with_(DS, is_queue=True), P),
        pair(with_(DS, is_queue=True), with_(P, validates_input=True)),
        "f",
    ),
    "entity-message-unsigned": (
        pair(PARTNER, P, {"authentication": "static_secret"}),
        pair(PARTNER, P, {"authentication": "static_secret", "signed": True}),
        pair(
            with_(PARTNER, trusted=None), P, {"authentication": "static_secret"}
        ),  # an anonymous outsider: caller authentication
        "f",
    ),
    "queue-broad-write-access": (
        solo("data_store", is_queue=True),
        solo("data_store", is_queue=True, restricted_access=True),
        "a",
    ),
    "datastore-unrestricted-write": (
        solo("data_store"),
        solo("data_store", restricted_access=True),
        "a",
    ),
    "log-store-tampering": (
        solo("data_store", is_log=True),
        solo("data_store", is_log=True, restricted_access=True),
        "a",
    ),
    "flow-log-injection": (
        pair(P, with_(DS, is_log=True)),
        pair(with_(P, validates_input=True), with_(DS, is_log=True)),
        "f",
    ),
    # repudiation
    "external-entity-repudiation": (
        pair(with_(EE, trusted=True), P, {"authentication": "session"}),
        pair(EE, P, {"authentication": "session"}),
        "a",
    ),
    "process-no-audit-log": (
        solo("process", privileged=True),
        solo("process", privileged=True, audit_log=True),
        "a",
    ),
    "process-actions-not-audited": (
        solo("process", name="Refund service"),
        solo("process", name="Refund service", audit_log=True),
        solo("process", name="Thumbnailer"),  # nothing it does is named for money or admin
        solo("process", integrity="low"),
        "a",
    ),
    "flow-no-correlation-id": (
        pair(P, with_(P, privileged=True)),
        pair(P, with_(P, privileged=True), {"correlation_id": True}),
        pair(P, with_(P, privileged=False)),  # nothing to prove, no queue hop
        "f",
    ),
    "log-store-repudiation": (
        solo("data_store", is_log=True),
        solo("data_store", is_log=True, tags=["append-only"]),
        "a",
    ),
    "flow-log-writer-unauthenticated": (
        pair(P, with_(DS, is_log=True)),
        pair(P, with_(DS, is_log=True), {"authentication": "mtls"}),
        "f",
    ),
    "flow-entity-repudiation-crossing": (
        pair(EE, with_(P, privileged=True), {"authentication": "session"}),
        pair(EE, with_(P, privileged=True, audit_log=True), {"authentication": "session"}),
        pair(EE, P, {"authentication": "session"}),  # nothing there worth denying
        "f",
    ),
    "external-destination-repudiation": (
        pair(P, EE),
        pair(with_(P, audit_log=True), EE),
        "f",
    ),
    # information disclosure
    "flow-unencrypted-crossing": (
        pair(P, P),
        pair(P, P, {"encrypted": True}),
        "f",
    ),
    "flow-sensitive-unencrypted": (
        pair(P, P, {"classification": "confidential"}, cross=False),
        pair(P, P, {"classification": "confidential", "encrypted": True}, cross=False),
        "f",
    ),
    "flow-known-plaintext-inside-zone": (
        pair(P, P, {"encrypted": False}, cross=False),
        pair(P, P, {"encrypted": True}, cross=False),
        pair(P, P, cross=False),  # unknown inside a zone: not flagged
        pair(P, P, {"encrypted": False}),  # crossing: flow-unencrypted-crossing says it
        "f",
    ),
    "flow-credentials-unencrypted": (
        pair(P, P, {"data": "username and password"}),
        pair(P, P, {"data": "username and password", "encrypted": True}),
        "f",
    ),
    "process-verbose-errors": (
        pair(EE, P),
        pair(EE, with_(P, sanitizes_errors=True)),
        pair(P, P),  # no untrusted caller receives its errors
        pair(EE, P, {"authentication": "oauth2"}),  # only signed-in callers do
        "b",
    ),
    "process-secrets-plaintext": (
        solo("process", secrets="plaintext"),
        solo("process", secrets="secrets_manager"),
        "a",
    ),
    "datastore-unencrypted-at-rest": (
        solo("data_store", classification="confidential"),
        solo("data_store", classification="confidential", encrypted_at_rest=True),
        "a",
    ),
    "datastore-credentials-exposed": (
        solo("data_store", stores_credentials=True, encrypted_at_rest=True),
        solo("data_store", stores_credentials=True, encrypted_at_rest=True, restricted_access=True),
        "a",
    ),
    "datastore-unrestricted-read": (
        solo("data_store", classification="restricted"),
        solo("data_store", classification="restricted", restricted_access=True),
        "a",
    ),
    "log-sensitive-data": (
        solo("data_store", is_log=True),
        solo("data_store", is_log=True, classification="internal"),
        "a",
    ),
    "flow-sensitive-data-to-log": (
        pair(P, with_(DS, is_log=True), {"classification": "confidential"}),
        pair(P, with_(DS, is_log=True), {"classification": "internal"}),
        "f",
    ),
    "flow-ssrf": (
        ssrf_model(),
        ssrf_model(validates_input=True),
        ssrf_model(egress_restricted=True),
        "f",
    ),
    "flow-weak-tls": (
        pair(P, P, {"protocol": "https (TLS 1.0)", "encrypted": True}),
        pair(P, P, {"protocol": "https (TLS 1.3)", "encrypted": True}),
        "f",
    ),
    "flow-xml-external-entity": (
        pair(P, P, {"protocol": "SOAP over https"}),
        pair(P, with_(P, validates_input=True), {"protocol": "SOAP over https"}),
        "f",
    ),
    "flow-path-traversal": (
        pair(P, with_(DS, technology="aws s3")),
        pair(with_(P, validates_input=True), with_(DS, technology="aws s3")),
        "f",
    ),
    # denial of service
    "process-no-rate-limit": (
        pair(EE, P),
        pair(EE, with_(P, rate_limited=True)),
        "b",
    ),
    "flow-no-timeout": (
        pair(P, P),
        pair(P, P, {"timeout": True}),
        pair(P, P, cross=False),  # a neighbour in the same zone
        "f",
    ),
    "datastore-call-no-timeout": (
        pair(with_(P, availability="high"), DS),
        pair(with_(P, availability="high"), DS, {"timeout": True}),
        pair(with_(P, availability="high"), DS, cross=False),
        pair(P, DS),  # the caller's availability is not rated
        "f",
    ),
    "flow-no-circuit-breaker": (
        pair(P, EE),
        pair(P, EE, {"circuit_breaker": True}),
        "f",
    ),
    "flow-flooding-crossing": (
        pair(P, P),
        pair(P, with_(P, rate_limited=True)),
        "f",
    ),
    "datastore-flooding": (
        solo("data_store", is_queue=True),
        solo("data_store", is_queue=True, restricted_access=True),
        solo("data_store", is_log=True),  # a log has a rule of its own
        "a",
    ),
    "log-store-flooding": (
        solo("data_store", is_log=True),
        solo("data_store", is_log=True, restricted_access=True),
        solo("data_store", is_queue=True),
        "a",
    ),
    # elevation of privilege
    "process-broad-permissions": (
        solo("process", privileged=True),
        solo("process", privileged=True, least_privilege=True),
        solo("process"),  # nothing powerful held
        "a",
    ),
    "process-privileged-unvalidated-input": (
        solo("process", privileged=True),
        solo("process", privileged=True, validates_input=True),
        "a",
    ),
    "flow-remote-code-execution": (
        pair(EE, with_(P, validates_input=False)),
        pair(EE, with_(P, validates_input=True)),
        pair(EE, P),  # unknown: the generic process-input-not-validated says it
        "f",
    ),
    "flow-untrusted-to-privileged": (
        pair(EE, with_(P, privileged=True)),
        pair(EE, with_(P, privileged=True, least_privilege=True)),
        "f",
    ),
    "flow-csrf": (
        pair(EE, P, {"authentication": "session"}),
        pair(EE, P, {"authentication": "session", "tags": ["csrf-protected"]}),
        pair(EE, with_(P, csrf_protected=True), {"authentication": "session"}),
        pair(EE, with_(P, forwards=True), {"authentication": "session"}),  # a load balancer holds no session
        "f",
    ),
    # vocabulary of the rule library (issue 14): authorisation, MFA, replay, supply chain, LLMs
    "process-object-authorization": (
        pair(EE, with_(P, privileged=True)),
        pair(EE, with_(P, privileged=True, authorization="end_user")),
        pair(P, with_(P, privileged=True), cross=False),  # no internet caller reaches it
        pair(EE, with_(P, privileged=True, technology="keycloak")),  # the identity provider itself
        "b",
    ),
    "process-runs-as-root": (
        solo("process", runs_as_root=True),
        solo("process", runs_as_root=False),
        solo("process"),  # only what is known
        "a",
    ),
    "flow-privileged-access-without-mfa": (
        pair(PERSON, with_(P, privileged=True), {"authentication": "session"}),
        pair(PERSON, with_(P, privileged=True), {"authentication": "session", "mfa": True}),
        pair(PERSON, with_(P, privileged=False), {"authentication": "session"}),
        pair(PERSON, with_(P, privileged=True), {"authentication": "none"}),  # no sign-in: caller authentication first
        pair(with_(EE, name="Package registry"), with_(P, privileged=True), {"authentication": "session"}),  # a system
        "f",
    ),
    "flow-shared-credential": (
        pair(P, P, {"authentication": "api_key", "credential_shared": True}),
        pair(P, P, {"authentication": "api_key", "credential_shared": False}),
        "f",
    ),
    "flow-replayable": (
        pair(EE, with_(P, name="Refund service")),
        pair(EE, with_(P, name="Refund service"), {"replay_protected": True}),
        pair(EE, with_(P, name="Notifier", privileged=False), {"data": "payment events"}),  # it moves no money
        "f",
    ),
    "component-unpinned-supply-chain": (
        solo("data_store", technology="postgres:latest"),
        solo("data_store", technology="postgres:latest", image_pinned=True),
        solo("data_store", technology="postgres 16"),
        "a",
    ),
    "process-llm-prompt-injection": (
        solo("process", technology="openai gpt-4o"),
        solo("process", technology="python/fastapi"),
        solo("process", technology="python/fastapi", llm=False),
        "a",
    ),
    "flow-llm-output-unchecked": (
        pair(with_(P, llm=True), P),
        pair(with_(P, llm=True), with_(P, validates_input=True)),
        pair(P, P),
        pair(with_(P, llm=True), with_(EE, technology="openai api")),  # a prompt into a model is no output
        "f",
    ),
    "flow-sensitive-data-to-llm": (
        pair(P, with_(EE, technology="openai api"), {"data": "customer email and address"}),
        pair(P, with_(EE, technology="openai api"), {"data": "product descriptions"}),
        pair(P, with_(EE, technology="payment provider"), {"data": "customer email and address"}),
        pair(P, with_(P, llm=True), {"data": "customer email and address"}),  # a model the team runs itself
        "f",
    ),
    "datastore-no-backup": (
        solo("data_store", name="Ledger"),
        solo("data_store", name="Ledger", backed_up=True),
        solo("data_store", name="Ledger", is_queue=True),
        solo("data_store", name="Thumbnails"),
        "a",
    ),
    "datastore-direct-external-access": (
        pair(PARTNER, DS, {"authentication": "none"}),
        pair(PARTNER, with_(DS, restricted_access=True), {"authentication": "oauth2"}),
        "f",
    ),
    "flow-confused-deputy": (
        pair(P, with_(P, privileged=True), {"authentication": "mtls"}),
        pair(P, with_(P, privileged=True), {"authentication": "mtls", "tags": ["identity-propagated"]}),
        "f",
    ),
}


def enforced(model: ThreatModel, *zones: str) -> ThreatModel:
    """``model`` with ``enforced_by`` recorded on ``zones``."""
    boundaries = {
        bid: b.model_copy(update={"enforced_by": "NetworkPolicy"}) if bid in zones else b
        for bid, b in model.boundaries.items()
    }
    return model.model_copy(update={"boundaries": boundaries})


def queue_pipeline(
    producer_flow: dict, consumer: dict, consumer_flow: dict | None = None, *, writes: bool = False
) -> ThreatModel:
    """Producer ``p`` → queue ``q`` → consumer ``c``, all in zone A (``f`` is the consumer's
    flow); with ``writes``, the consumer writes to store ``s``."""
    components = {
        "p": _component(P, "zone-a"),
        "q": _component(with_(DS, is_queue=True), "zone-a"),
        "c": _component(consumer, "zone-a"),
    }
    flows = {"in": {"from": "p", "to": "q", **producer_flow}, "f": {"from": "q", "to": "c", **(consumer_flow or {})}}
    if writes:
        components["s"] = _component(DS, "zone-a")
        flows["w"] = {"from": "c", "to": "s"}
    return build(components, flows)


def queue_fed_by(producers: int, **queue: object) -> ThreatModel:
    """``producers`` processes in zone A write to queue ``q``."""
    components = {f"p{i}": _component(P, "zone-a") for i in range(producers)}
    components["q"] = _component(with_(DS, is_queue=True, **queue), "zone-a")
    return build(components, {f"f{i}": {"from": f"p{i}", "to": "q"} for i in range(producers)})


def exposed_zone(members: int, *, zone: str = "zone-a", exposed: bool = True) -> ThreatModel:
    """An internet user calls ``a`` in ``zone`` (one neighbour calls it instead unless
    ``exposed``), which holds ``members`` other processes."""
    components = {"user": {"kind": "external_entity", "boundary": "internet"}, "a": _component(P, zone)}
    components.update({f"n{i}": _component(P, zone) for i in range(members)})
    return build(components, {"f": {"from": "user" if exposed else "n0", "to": "a"}})


VAULT = {"kind": "process", "technology": "HashiCorp Vault"}


def store_client(secrets: dict | None = None, *extra: dict) -> ThreatModel:
    """Process ``a`` calls data store ``b``; ``extra`` components join the model."""
    components = {"a": _component(with_(P, **(secrets or {})), "zone-a"), "b": _component(DS, "zone-a")}
    components.update({f"x{i}": _component(c, "zone-a") for i, c in enumerate(extra)})
    return build(components, {"f": {"from": "a", "to": "b"}})


CASES.update(
    {
        # the condition language of issue 14: the producer → queue → consumer relation, counts,
        # comparisons of ordered facts, boundary facts and crossing direction, model-wide existence
        "queue-consumer-unverified": (
            queue_pipeline({"signed": True}, P),
            queue_pipeline({"signed": True}, with_(P, verifies_signatures=True)),
            queue_pipeline({}, P),  # nothing is signed: the unsigned-message rule speaks instead
            queue_pipeline({"signed": False}, P),
            "f",
        ),
        "zone-flat-lateral-movement": (
            exposed_zone(2),
            enforced(exposed_zone(2), "zone-a"),
            exposed_zone(1),  # one neighbour is below the rule's count
            "a",
        ),
        "boundary-entered-unenforced": (
            pair(EE, P),
            enforced(pair(EE, P), "zone-b"),
            pair(P, P),  # zone A to zone B: no more trusted than where it comes from
            "f",
        ),
        "datastore-spoofing": (
            pair(P, DS),
            pair(P, DS, {"encrypted": True}),
            pair(P, DS, cross=False),  # inside the zone: the segmentation and TLS rules speak
            pair(EE, DS),  # an outside caller reaching a store directly has a rule of its own
            "f",
        ),
        "process-push-deployment": (
            solo("process", deployment="push"),
            solo("process", deployment="pull"),
            solo("process"),  # unknown: asked about, never assumed to be push
            "a",
        ),
        "queue-shared-read-write": (
            queue_fed_by(2, restricted_access=True),
            queue_fed_by(2, restricted_access=True, separate_read_write=True),
            queue_fed_by(1, restricted_access=True),  # one client has nothing to be split from
            queue_fed_by(2),  # unrestricted: the broad-write rule speaks instead
            "q",
        ),
        "queue-no-dead-letter": (
            solo("data_store", is_queue=True, availability="high"),
            solo("data_store", is_queue=True, availability="high", dead_letter_queue=True),
            solo("data_store", is_queue=True, availability="low"),
            solo("data_store", availability="high"),
            "a",
        ),
        "process-secrets-unmanaged": (
            store_client({"secrets": "environment"}, VAULT),
            store_client({"secrets": "secrets_manager"}, VAULT),
            solo("process", secrets="environment"),  # it calls nothing that needs a credential
            store_client({"secrets": "repository"}, VAULT),  # in the repository: a rule of its own
            "a",
        ),
        "process-logs-card-or-secret-data": (
            pair(P, P, {"data": "card number and expiry"}),
            pair(P, P, {"data": "order ids"}),
            pair(P, with_(P, forwards=True), {"data": "card number and expiry"}),  # a forwarder logs nothing of its own
            pair(P, DS, {"data": "card number and expiry"}),  # a store's logs are the log rules' concern
            "f",
        ),
        "credentials-without-secrets-manager": (
            store_client(),
            store_client(None, {"kind": "process", "technology": "HashiCorp Vault"}),
            store_client({"secrets": "secrets_manager"}),
            "a",
        ),
    }
)


CASES.update(
    {
        "flow-money-tampering-in-zone": (
            pair(P, P, {"data": "refund amount"}, cross=False),
            pair(P, P, {"data": "refund amount", "encrypted": True}, cross=False),
            pair(P, P, {"data": "product ids"}, cross=False),  # nothing a change would harm
            pair(P, P, {"data": "refund amount"}),  # across a boundary the crossing rules speak
            "f",
        ),
        "process-csrf-unprotected": (
            solo("process", csrf_protected=False),
            solo("process", csrf_protected=True),
            solo("process"),  # unknown: the flow rule asks where a session makes it likely
            "a",
        ),
        "process-secrets-in-repository": (
            solo("process", secrets="repository"),
            solo("process", secrets="secrets_manager"),
            solo("process"),  # unknown: asked about, never assumed to be in the repository
            "a",
        ),
        "process-not-hardened": (
            solo("process", hardened=False),
            solo("process", hardened=True),
            solo("process"),
            "a",
        ),
        "process-shares-host": (
            exposed_zone(1, zone="host-a"),
            exposed_zone(0, zone="host-a"),  # alone on its host
            exposed_zone(1),  # a network zone, not one host: the segmentation rules speak
            exposed_zone(1, zone="host-a", exposed=False),
            "a",
        ),
        "queue-consumer-not-idempotent": (
            queue_pipeline({}, P, writes=True),
            queue_pipeline({}, P, {"replay_protected": True}, writes=True),
            queue_pipeline({}, P),  # a consumer that stores nothing writes no duplicate
            "f",
        ),
    }
)


def model_behind(*, called_from_internet: bool = True, **caller: object) -> ThreatModel:
    """A service ``a`` (facts ``caller``) that calls a hosted language model ``m``, and that an
    internet user calls unless told."""
    flows = {"f": {"from": "a", "to": "m", "protocol": "https", "encrypted": True}}
    if called_from_internet:
        flows["in"] = {"from": "user", "to": "a", "encrypted": True}
    return build(
        {
            "user": {"kind": "external_entity", "boundary": "internet"},
            "a": {"kind": "process", "boundary": "zone-a", **caller},
            "m": {"kind": "external_entity", "technology": "openai api"},
        },
        flows,
    )


CASES.update(
    {
        "process-llm-prompts-logged": (
            solo("process", llm=True),
            solo("process", llm=True, logs_prompts=False),
            solo("process"),  # drives no model
            "a",
        ),
        "flow-llm-prompts-logged": (
            model_behind(),
            model_behind(logs_prompts=False),
            pair(P, with_(EE, technology="payment provider")),  # not a model
            "f",
        ),
        "flow-payment-call-not-idempotent": (
            pair(P, with_(EE, name="Payment provider"), {"data": "charge requests"}),
            pair(P, with_(EE, name="Payment provider"), {"data": "charge requests", "replay_protected": True}),
            pair(P, with_(EE, name="Maps API"), {"data": "addresses"}),  # no money moves
            pair(P, with_(P, name="Payment provider"), {"data": "charge requests"}),  # the team's own service
            "f",
        ),
        "flow-llm-unbounded-consumption": (
            model_behind(),
            model_behind(rate_limited=True),
            model_behind(called_from_internet=False),  # no internet caller spends its calls
            "f",
        ),
    }
)


def fired(model: ThreatModel, rule_id: str, element: str) -> bool:
    analysis = analyse(model, RULES)
    assert not analysis.errors
    return f"{rule_id}@{element}" in {f.id for f in analysis.findings}


def test_every_rule_has_a_case():
    assert set(CASES) == set(LIBRARY)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_and_its_mitigation_silences_it(rule_id):
    weak, *fixed, element = CASES[rule_id]
    assert fired(weak, rule_id, element), f"{rule_id} should fire on the weak model"
    for n, variant in enumerate(fixed, start=1):
        assert not fired(variant, rule_id, element), f"{rule_id} should be silent on variant {n}"


# --- library shape -------------------------------------------------------------------------------


def test_library_size_and_categories():
    assert len(LIBRARY) >= 60
    by_category = Counter(rule.category for rule in LIBRARY.values())
    assert set(by_category) == set(CATEGORIES)
    assert min(by_category.values()) >= 5


@pytest.mark.parametrize(
    ("kind", "category"),
    sorted((kind, cat) for kind, cats in STRIDE_PER_ELEMENT.items() for cat in cats),
)
def test_every_stride_per_element_cell_has_a_rule(kind, category):
    assert any(kind in r.targets and r.category == category for r in LIBRARY.values())


def test_component_rules_stay_inside_the_stride_per_element_table():
    for rule in LIBRARY.values():
        for kind in rule.targets:
            if kind != "flow":
                assert rule.category in STRIDE_PER_ELEMENT[kind], rule.id


def test_data_store_repudiation_only_for_log_stores():
    weak_store = {"encrypted_at_rest": False, "restricted_access": False, "classification": "restricted"}
    plain = analyse(solo("data_store", **weak_store), RULES).findings
    log = analyse(solo("data_store", is_log=True, **weak_store), RULES).findings
    assert not [f for f in plain if f.category == "repudiation"]
    assert [f for f in log if f.category == "repudiation"]


def test_only_the_inherent_rules_have_no_condition():
    assert {r.id for r in LIBRARY.values() if r.condition is None} == INHERENT
    for rule_id in INHERENT:
        assert LIBRARY[rule_id].severity == "low" and not LIBRARY[rule_id].raise_severity


@pytest.mark.parametrize("rule_id", sorted(LIBRARY))
def test_rule_text_quality(rule_id):
    rule = LIBRARY[rule_id]
    assert 2 <= len(rule.mitigations) <= 4
    for mitigation in rule.mitigations:
        assert mitigation.endswith("."), mitigation
        assert "{" not in mitigation, "placeholders are not filled in mitigations"
    if rule_id not in NO_REFERENCE_OK:
        assert any(re.fullmatch(r"(CAPEC|CWE)-\d+", ref) for ref in rule.references)
    if rule.targets != ("flow",):
        for text in (rule.title, rule.description):
            for name in ("source", "target", "data", "protocol"):
                assert "{" + name + "}" not in text, f"{{{name}}} means nothing for components"
    else:
        assert re.search(r"\{(element|source|target)\}", rule.title)


def test_severities_are_calibrated():
    severities = Counter(rule.severity for rule in LIBRARY.values())
    assert "critical" not in severities  # only raised findings reach critical
    assert severities["high"] <= len(LIBRARY) // 4
    assert severities["low"] >= 10


def test_rule_ids_used_by_sample_decisions_exist():
    for path in sorted(SAMPLES.glob("*.toml")):
        model = load_model(path).model
        for key in model.decisions:
            assert key.split("@")[0] in LIBRARY, f"{path.name}: {key}"


# --- whole-model behaviour -----------------------------------------------------------------------

WEAK_FACTS: dict[str, dict] = {"process": {}, "data_store": {}, "flow": {}}
HARD_PROCESS = {
    "privileged": False,
    "audit_log": True,
    "least_privilege": True,
    "validates_input": True,
    "sanitizes_errors": True,
    "rate_limited": True,
    "secrets": "secrets_manager",
    "verifies_signatures": True,
    "deployment": "pull",
}
HARD_STORE = {"encrypted_at_rest": True, "restricted_access": True, "classification": "internal"}
HARD_FLOW = {
    "encrypted": True,
    "authentication": "mtls",
    "signed": True,
    "timeout": True,
    "circuit_breaker": True,
    "correlation_id": True,
}


def checkout_like(hardened: bool) -> ThreatModel:
    """Shopper → gateway → checkout → {orders db, order queue → worker, audit log, PSP}."""
    proc = HARD_PROCESS if hardened else {}
    store = HARD_STORE if hardened else {}
    flow = HARD_FLOW if hardened else {}
    edge = {"encrypted": True, "authentication": "oauth2", "tags": ["csrf-protected"]} if hardened else {}
    return ThreatModel.model_validate(
        {
            "model": {"title": "Checkout-like"},
            "boundaries": {
                "internet": {"internet": True},
                "cluster": {"enforced_by": "NetworkPolicy"} if hardened else {},
                "data": {"enforced_by": "security groups"} if hardened else {},
                "psp-zone": {},
            },
            "components": {
                "shopper": {"kind": "external_entity", "boundary": "internet"},
                "gateway": {"kind": "process", "boundary": "cluster", **proc},
                "checkout": {"kind": "process", "boundary": "cluster", **proc},
                "worker": {"kind": "process", "boundary": "cluster", **proc},
                "orders-db": {"kind": "data_store", "boundary": "data", "technology": "postgresql", **store},
                "events": {"kind": "data_store", "boundary": "data", "is_queue": True, **store},
                "audit": {
                    "kind": "data_store",
                    "boundary": "data",
                    "is_log": True,
                    "technology": "s3 object lock" if hardened else "s3",
                    **store,
                },
                "psp": {"kind": "external_entity", "boundary": "psp-zone", "trusted": True},
            },
            "flows": {
                "shopper-to-gateway": {
                    "from": "shopper",
                    "to": "gateway",
                    "data": "basket, login",
                    **edge,
                    "classification": "confidential",
                },
                "gateway-to-checkout": {"from": "gateway", "to": "checkout", **flow},
                "checkout-to-db": {"from": "checkout", "to": "orders-db", **flow},
                "checkout-to-events": {"from": "checkout", "to": "events", **flow},
                "events-to-worker": {"from": "events", "to": "worker", **flow},
                "checkout-to-audit": {"from": "checkout", "to": "audit", **flow},
                "checkout-to-psp": {"from": "checkout", "to": "psp", **flow, "authentication": "oauth2"},
            },
        }
    )


def test_hardened_service_gets_far_fewer_findings_than_a_weak_one():
    weak = analyse(checkout_like(False), RULES).findings
    hard = analyse(checkout_like(True), RULES).findings
    assert len(hard) * 4 <= len(weak)
    assert not [f for f in hard if f.severity in ("high", "critical")], [f.id for f in hard]
    # what remains on the hardened model is inherent, or per-interaction and low
    assert {f.rule_id for f in hard if f.severity != "low"} <= {"flow-entity-repudiation-crossing"}


def test_unknown_facts_fire_and_known_mitigations_silence():
    # an internet-facing process with nothing recorded: the unknowns fire (fail closed)
    exposed = pair(EE, P, {"authentication": "none"})
    unknown = {f.rule_id for f in analyse(exposed, RULES).findings if f.element_id == "b"}
    assert {"process-input-not-validated", "process-no-rate-limit", "process-verbose-errors"} <= unknown
    hardened = pair(EE, with_(P, **HARD_PROCESS), {"authentication": "none"})
    assert {f.rule_id for f in analyse(hardened, RULES).findings if f.element_id == "b"} == set()


def test_sample_checkout_findings_are_sensible():
    analysis = analyse(load_model(SAMPLES / "checkout.toml").model, RULES)
    assert not analysis.errors
    by_element = Counter(f.element_id for f in analysis.findings if not f.custom)
    # the fully hardened service-to-service call gets far fewer findings than the legacy one
    # (what no flow fact settles stays: its payment-method token must not reach the payment logs)
    assert by_element["checkout-to-payment"] <= 3 < 8 <= by_element["checkout-to-order"]
    assert by_element["checkout-to-vault"] == 0 and by_element["vault"] == 0
    # decisions written against built-in rule ids attach to live findings
    statuses = {f.id: f.status for f in analysis.findings}
    assert statuses["flow-unencrypted-crossing@checkout-to-order"] == "accepted"
    assert statuses["process-no-audit-log@order-service"] == "open"
    assert statuses["service-auth-static-secret@order-to-events"] == "investigating"


def test_a_queue_anonymous_callers_can_feed_needs_a_dead_letter_queue_whatever_its_rating():
    fed = build(
        {
            "user": {"kind": "external_entity", "boundary": "internet"},
            "q": _component(with_(DS, is_queue=True), "zone-a"),
        },
        {"f": {"from": "user", "to": "q"}},
    )
    assert fired(fed, "queue-no-dead-letter", "q")
    assert not fired(queue_fed_by(1), "queue-no-dead-letter", "q")  # internal producers, unrated queue


# --- what the facts of a model say about where a rule applies --------------------------------


@pytest.mark.parametrize(
    ("rule_id", "facts"),
    [
        ("process-broad-permissions", {"least_privilege": False}),
        ("process-verbose-errors", {"sanitizes_errors": False}),
        ("component-unpinned-supply-chain", {"image_pinned": False}),
        ("process-xss", {"encodes_output": False}),
        ("process-object-authorization", {"authorization": "none"}),
        ("process-object-authorization", {"authorization": "none", "llm": True}),  # an agent's tools too
    ],
)
def test_a_control_recorded_as_missing_always_raises_its_threat(rule_id, facts):
    # an ordinary internal service: none of the scoping conditions (privilege, exposure, technology) hold
    assert not fired(solo("process"), rule_id, "a")
    assert fired(solo("process", **facts), rule_id, "a")


def test_a_store_recorded_without_backups_always_raises_its_threat():
    # a key-value store with nothing rated: unknown backups are asked about only where loss would hurt
    assert not fired(solo("data_store", technology="mongodb"), "datastore-no-backup", "a")
    assert fired(solo("data_store", technology="mongodb", backed_up=False), "datastore-no-backup", "a")


def behind_balancer(call: dict, **app: object) -> ThreatModel:
    """A user reaches ``app`` through load balancer ``lb`` (flows ``in`` and ``f``, both ``call``)."""
    return build(
        {
            "user": {"kind": "external_entity", "boundary": "internet"},
            "lb": {"kind": "process", "boundary": "zone-a", "forwards": True},
            "app": {"kind": "process", "boundary": "zone-a", **app},
        },
        {"in": {"from": "user", "to": "lb", **call}, "f": {"from": "lb", "to": "app", **call}},
    )


@pytest.mark.parametrize(
    ("rule_id", "call", "weak", "fixed"),
    [
        ("flow-csrf", {"authentication": "session"}, {}, {"csrf_protected": True}),
        ("flow-remote-code-execution", {}, {"validates_input": False}, {"validates_input": True}),
    ],
)
def test_what_a_load_balancer_passes_on_is_checked_by_the_application_behind_it(rule_id, call, weak, fixed):
    # the balancer holds no session and parses nothing; inside one zone, the request crossed already
    assert not fired(behind_balancer(call, **weak), rule_id, "in")
    assert fired(behind_balancer(call, **weak), rule_id, "f")
    assert not fired(behind_balancer(call, **fixed), rule_id, "f")


def test_a_call_recorded_without_a_timeout_always_raises_its_threat():
    inside = pair(P, P, cross=False)  # inside one zone: not a dependency the rule guesses at
    assert not fired(inside, "flow-no-timeout", "f")
    assert fired(pair(P, P, {"timeout": False}, cross=False), "flow-no-timeout", "f")


def page_on_the_users_device(zone: str, **call: object) -> ThreatModel:
    """A customer uses page ``a`` (in ``zone``), which calls server ``b`` (flow ``f``, with
    ``call``'s facts) and a partner API over HTTP."""
    return build(
        {
            "customer": {"kind": "external_entity", "boundary": "internet"},
            "a": _component(with_(P, secrets="environment"), zone),
            "b": _component(P, "zone-b"),
            "api": {"kind": "external_entity", "boundary": "saas"},
        },
        {
            "use": {"from": "customer", "to": "a", "data": "card number"},
            "f": {"from": "a", "to": "b", "data": "card number", **call},
            "out": {"from": "a", "to": "api", "protocol": "https", "authentication": "api_key"},
        },
    )


def test_code_on_the_users_device_gets_no_server_side_threats():
    server_side = {
        ("service-call-unauthenticated", "f"),
        ("flow-ssrf", "out"),
        ("process-no-rate-limit", "a"),
        ("process-input-not-validated", "a"),
        ("process-logs-card-or-secret-data", "use"),
        ("service-auth-static-secret", "out"),
    }
    on_server = {f.id for f in analyse(page_on_the_users_device("zone-a"), RULES).findings}
    on_device = {f.id for f in analyse(page_on_the_users_device("internet"), RULES).findings}
    wanted = {f"{rule}@{element}" for rule, element in server_side}
    assert wanted <= on_server  # the same component on a server gets every one of them
    assert not wanted & on_device


def test_a_person_moving_money_needs_a_second_factor_like_an_administrator():
    plain = {"authentication": "session", "data": "account balance"}
    payment = {"authentication": "session", "data": "payment orders"}
    assert not fired(pair(PERSON, with_(P, privileged=False), plain), "flow-privileged-access-without-mfa", "f")
    assert fired(pair(PERSON, with_(P, privileged=False), payment), "flow-privileged-access-without-mfa", "f")


def test_a_sign_in_recorded_without_a_second_factor_raises_it_from_the_users_device_too():
    # the page on the user's device signs the person in; nothing privileged is recorded behind it
    def mfa_fired(zone: str, **flow: object) -> bool:
        model = page_on_the_users_device(zone, authentication="session", data="account details", **flow)
        return fired(model, "flow-privileged-access-without-mfa", "f")

    assert not mfa_fired("internet")  # unknown, and nothing at stake: not asked
    assert mfa_fired("internet", mfa=False)  # recorded as missing: raised
    assert not mfa_fired("internet", mfa=True)
    assert not mfa_fired("zone-a", mfa=False)  # a server calling a server has no second factor


def test_the_user_is_authenticated_where_their_device_calls_the_server():
    # a page on the user's device calling the server is the edge: the customer's own use of the
    # page is not where anyone could check who they are
    on_device = {f.id for f in analyse(page_on_the_users_device("internet"), RULES).findings}
    assert "entity-call-unauthenticated@f" in on_device
    assert "entity-call-unauthenticated@use" not in on_device
    on_server = {f.id for f in analyse(page_on_the_users_device("zone-a"), RULES).findings}
    assert "entity-call-unauthenticated@use" in on_server and "entity-call-unauthenticated@f" not in on_server


def test_a_flow_out_of_a_registry_is_a_download_not_a_call():
    registry = {"kind": "external_entity", "name": "Public package registries", "boundary": "internet"}
    model = build(
        {"r": registry, "a": _component(P, "zone-a")}, {"f": {"from": "r", "to": "a", "data": "npm packages"}}
    )
    caller_model = build(
        {"r": EE | {"boundary": "internet"}, "a": _component(P, "zone-a")}, {"f": {"from": "r", "to": "a"}}
    )
    pulled, called = analyse(model, RULES), analyse(caller_model, RULES)
    called_ids = {f.id for f in called.findings}
    assert "entity-call-unauthenticated@f" in called_ids
    assert "process-input-not-validated@a" in called_ids  # internet-reachable
    pulled_ids = {f.id for f in pulled.findings}
    assert not {"entity-call-unauthenticated@f", "process-input-not-validated@a"} & pulled_ids


def test_a_third_partys_pushed_message_needs_signing_not_caller_authentication():
    webhook = build(
        {"stripe": {"kind": "external_entity", "boundary": "saas"}, "a": _component(P, "zone-a")},
        {"f": {"from": "stripe", "to": "a", "protocol": "https", "encrypted": True}},
    )
    ids = {f.id for f in analyse(webhook, RULES).findings}
    assert "entity-message-unsigned@f" in ids
    assert "entity-call-unauthenticated@f" not in ids
