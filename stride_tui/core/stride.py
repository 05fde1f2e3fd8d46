"""The six STRIDE categories, in the model's order: id, letter, label, and the help text
(what each threatens, an example in services, the usual mitigations). Every label shown in
a report, a diagram, the editor or an export comes from this one table."""

from __future__ import annotations

from typing import NamedTuple


class StrideCategory(NamedTuple):
    """One STRIDE category: what it threatens and how it shows up in services."""

    id: str
    letter: str
    label: str
    violates: str
    threat: str
    example: str
    mitigations: str


STRIDE: tuple[StrideCategory, ...] = (
    StrideCategory(
        "spoofing",
        "S",
        "Spoofing",
        "authentication",
        "pretending to be another user, service or machine",
        "a service calls the payments API with a static shared key that leaked from a config repo "
        "and was never rotated",
        "mTLS between services, short-lived service-scoped JWTs, a workload identity per service",
    ),
    StrideCategory(
        "tampering",
        "T",
        "Tampering",
        "integrity",
        "changing data in transit, in a queue or at rest",
        "an order event on Kafka is rewritten by any service that can write to the topic",
        "TLS, producer signing with consumer verification, queue and topic ACLs, input validation",
    ),
    StrideCategory(
        "repudiation",
        "R",
        "Repudiation",
        "non-repudiation",
        "doing something and denying it, because nothing proves who did it",
        "a refund is issued through an admin endpoint; no audit record, no correlation id across "
        "the three services involved",
        "an immutable audit log of privileged actions, correlation ids propagated on every call "
        "and written to every audit record",
    ),
    StrideCategory(
        "information_disclosure",
        "I",
        "Information disclosure",
        "confidentiality",
        "reading data one is not meant to see",
        "an error response carries a stack trace with internal URLs; card data sits unencrypted in "
        "a cache; a DB password is in plain config",
        "sanitised errors, a secrets manager, TLS everywhere, field-level encryption at rest",
    ),
    StrideCategory(
        "denial_of_service",
        "D",
        "Denial of service",
        "availability",
        "making the service unavailable or too slow to use",
        "a slow downstream with no timeout exhausts every worker thread; one noisy client floods the public API",
        "timeouts on every call, circuit breakers, rate limits, bulkheads, autoscaling limits",
    ),
    StrideCategory(
        "elevation_of_privilege",
        "E",
        "Elevation of privilege",
        "authorization",
        "gaining rights one should not have",
        "a batch job's broad IAM token can delete every bucket; a compromised pod reaches the cluster admin API",
        "least privilege, scoped tokens, no shared admin credentials, regular IAM review",
    ),
)


CATEGORY_LABELS: dict[str, str] = {category.id: category.label for category in STRIDE}
"""Category id (``information_disclosure``) → label (``Information disclosure``)."""
