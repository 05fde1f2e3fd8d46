"""Precision and recall of the analysis on the evaluation corpus (bench/corpus, labelled by hand).

For every corpus model: findings, threats (findings grouped by missing control on one element),
stories, and precision / recall of those threats against the reviewer's expected threats
(`expected.toml`). A produced threat matches an expected one when both name the same remedy on
the same element. Expectations are never edited to match the output; see bench/corpus/README.md.

The rules of today's engine do not name their remedies yet (DESIGN §8). For them this script
uses `RULE_REMEDIES` below: for each rule, the control whose absence makes it fire and the
element that owns that control (the flow itself, its source or its target, or the element the
rule targets). The mapping was written from what each rule checks, not from the corpus.

Run: .venv/bin/python bench/bench_corpus.py [--details]
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from stride_tui.core.analysis.engine import Analysis, Finding, analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.outputs.stories import build_stories

CORPUS = Path(__file__).resolve().parent / "corpus"
SEVERE = ("high", "critical")
RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}

# rule id -> (remedy, where the control lives: "element" | "source" | "target")
RULE_REMEDIES: dict[str, tuple[str, str]] = {
    "external-entity-spoofing": ("caller-authentication", "element"),
    "process-spoofing": ("service-identity", "element"),
    "entity-call-unauthenticated": ("caller-authentication", "element"),
    "entity-auth-static-key": ("credential-rotation", "element"),
    "entity-credential-stuffing": ("rate-limiting", "target"),
    "service-call-unauthenticated": ("service-identity", "element"),
    "service-auth-static-secret": ("credential-rotation", "element"),
    "service-spoofing-no-mtls": ("service-identity", "element"),
    "external-destination-spoofing": ("tls-in-transit", "element"),
    "process-input-not-validated": ("input-validation", "element"),
    "process-xss": ("output-encoding", "element"),
    "flow-sql-injection": ("input-validation", "source"),
    "flow-nosql-injection": ("input-validation", "source"),
    "flow-ldap-injection": ("input-validation", "source"),
    "flow-untrusted-deserialization": ("input-validation", "target"),
    "flow-tampering-in-transit": ("tls-in-transit", "element"),
    "flow-unvalidated-input-crossing": ("input-validation", "target"),
    "flow-store-write-unauthenticated": ("data-store-authentication", "target"),
    "queue-unsigned-message": ("message-signing", "element"),
    "queue-consumer-unvalidated": ("input-validation", "target"),
    "entity-message-unsigned": ("message-signing", "element"),
    "queue-broad-write-access": ("queue-access-control", "element"),
    "datastore-unrestricted-write": ("data-store-authentication", "element"),
    "log-store-tampering": ("log-protection", "element"),
    "flow-log-injection": ("input-validation", "source"),
    "external-entity-repudiation": ("audit-trail", "element"),
    "process-no-audit-log": ("audit-trail", "element"),
    "process-actions-not-audited": ("audit-trail", "element"),
    "flow-no-correlation-id": ("correlation-ids", "element"),
    "log-store-repudiation": ("log-protection", "element"),
    "flow-log-writer-unauthenticated": ("data-store-authentication", "target"),
    "flow-entity-repudiation-crossing": ("audit-trail", "target"),
    "external-destination-repudiation": ("audit-trail", "source"),
    "flow-unencrypted-crossing": ("tls-in-transit", "element"),
    "flow-sensitive-unencrypted": ("tls-in-transit", "element"),
    "flow-credentials-unencrypted": ("tls-in-transit", "element"),
    "process-verbose-errors": ("error-sanitising", "element"),
    "process-secrets-plaintext": ("secrets-management", "element"),
    "process-secrets-unmanaged": ("secrets-management", "element"),
    "datastore-unencrypted-at-rest": ("encryption-at-rest", "element"),
    "datastore-credentials-exposed": ("encryption-at-rest", "element"),
    "datastore-unrestricted-read": ("data-store-authentication", "element"),
    "log-sensitive-data": ("sensitive-data-in-logs", "element"),
    "flow-sensitive-data-to-log": ("sensitive-data-in-logs", "source"),
    "flow-ssrf": ("ssrf-protection", "source"),
    "flow-weak-tls": ("tls-in-transit", "element"),
    "flow-xml-external-entity": ("input-validation", "target"),
    "flow-path-traversal": ("input-validation", "source"),
    "process-no-rate-limit": ("rate-limiting", "element"),
    "flow-no-timeout": ("timeouts", "element"),
    "datastore-call-no-timeout": ("timeouts", "element"),
    "flow-no-circuit-breaker": ("circuit-breaker", "element"),
    "flow-flooding-crossing": ("rate-limiting", "target"),
    "datastore-flooding": ("rate-limiting", "element"),
    "process-broad-permissions": ("least-privilege", "element"),
    "process-privileged-unvalidated-input": ("input-validation", "element"),
    "flow-remote-code-execution": ("input-validation", "target"),
    "flow-untrusted-to-privileged": ("authorization", "target"),
    "flow-csrf": ("csrf-protection", "target"),
    "datastore-direct-external-access": ("network-segmentation", "target"),
    "flow-confused-deputy": ("authorization", "target"),
}


@dataclass
class Scores:
    """What the analysis produced for one corpus model, against what the reviewer expected."""

    name: str
    elements: int
    findings: int
    threats: dict[tuple[str, str], str]  # (remedy, element) -> highest severity
    stories: int
    expected: dict[tuple[str, str], str]  # (remedy, element) -> reviewer's risk

    @property
    def matched(self) -> set[tuple[str, str]]:
        return set(self.threats) & set(self.expected)

    @property
    def precision(self) -> float:
        return len(self.matched) / len(self.threats) if self.threats else 0.0

    @property
    def severe_precision(self) -> float:
        severe = {key for key, severity in self.threats.items() if severity in SEVERE}
        return len(severe & set(self.expected)) / len(severe) if severe else 0.0

    @property
    def recall(self) -> float:
        return len(self.matched) / len(self.expected) if self.expected else 0.0


def threat_key(finding: Finding, analysis: Analysis) -> tuple[str, str] | None:
    """The (remedy, element) a finding belongs to, or None for a hand-written threat."""
    if finding.custom:
        return None
    remedy, where = RULE_REMEDIES.get(finding.rule_id, (finding.rule_id, "element"))
    element = finding.element_id
    if where != "element":
        flow = analysis.model.flows[element]
        element = flow.source if where == "source" else flow.target
    return remedy, element


def score(folder: Path) -> Scores:
    model = load_model(folder / "model.toml").model
    analysis = analyse(model, builtin_rules())
    threats: dict[tuple[str, str], str] = {}
    for finding in analysis.findings:
        key = threat_key(finding, analysis)
        if key is not None and RANK[finding.severity] >= RANK.get(threats.get(key, "low"), 0):
            threats[key] = finding.severity
    expected_data = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
    expected = {(t["remedy"], t["element"]): t["risk"] for t in expected_data.get("threat", [])}
    return Scores(
        name=folder.name,
        elements=len(model.components) + len(model.flows),
        findings=len(analysis.findings),
        threats=threats,
        stories=len(build_stories(analysis)),
        expected=expected,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list the misses and the unexpected threats")
    args = parser.parse_args()
    rows = [score(folder) for folder in sorted(p for p in CORPUS.iterdir() if (p / "expected.toml").exists())]
    header = (
        f"{'model':<22}{'elements':>9}{'findings':>9}{'threats':>8}{'per el.':>8}{'stories':>8}"
        f"{'expected':>9}{'matched':>8}{'precision':>10}{'prec. h/c':>10}{'recall':>8}"
    )
    print(header)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        severe = sum(1 for severity in row.threats.values() if severity in SEVERE)
        print(
            f"{row.name:<22}{row.elements:>9}{row.findings:>9}{len(row.threats):>8}"
            f"{len(row.threats) / row.elements:>8.2f}{row.stories:>8}{len(row.expected):>9}{len(row.matched):>8}"
            f"{row.precision:>10.0%}{row.severe_precision:>10.0%}{row.recall:>8.2f}"
        )
        totals["threats"] += len(row.threats)
        totals["expected"] += len(row.expected)
        totals["matched"] += len(row.matched)
        totals["severe"] += severe
        totals["severe_matched"] += len({k for k, s in row.threats.items() if s in SEVERE} & set(row.expected))
    print(
        f"{'all':<22}{'':>9}{'':>9}{totals['threats']:>8}{'':>8}{'':>8}{totals['expected']:>9}"
        f"{totals['matched']:>8}{totals['matched'] / max(totals['threats'], 1):>10.0%}"
        f"{totals['severe_matched'] / max(totals['severe'], 1):>10.0%}"
        f"{totals['matched'] / max(totals['expected'], 1):>8.2f}"
    )
    if args.details:
        for row in rows:
            print(f"\n## {row.name}")
            for remedy, element in sorted(set(row.expected) - row.matched):
                print(f"  missed      {remedy}@{element} ({row.expected[remedy, element]})")
            for remedy, element in sorted(set(row.threats) - row.matched):
                print(f"  unexpected  {remedy}@{element} ({row.threats[remedy, element]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
