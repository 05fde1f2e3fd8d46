"""Threats: one missing control on one element, made of the findings of every rule it settles.

A flow without TLS fires several rules (sniffing, tampering in transit, credentials in clear);
reviewers count that as one threat with one fix. Each rule names its remedy and which element
owns the control (the element, or a flow's source or target: parameterised queries live in the
process that sends them); findings that share both are one `Threat`, id ``<remedy>@<element>``,
covering every STRIDE category of its findings (DESIGN §8). A hand-written threat stays one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis, Finding, control_owner
from stride_tui.core.analysis.rules import RuleSet
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES, UNDECIDED


@dataclass(frozen=True)
class Threat:
    """One missing control on one element, with the findings it groups."""

    id: str
    remedy: str
    element_id: str
    control: str
    categories: tuple[str, ...]
    severity: str
    status: str
    findings: tuple[Finding, ...]

    @property
    def finding_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.findings)


def group_threats(analysis: Analysis, ruleset: RuleSet) -> list[Threat]:
    """The threats of an analysis, highest severity first, then by id."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    controls: dict[tuple[str, str], str] = {}
    for finding in analysis.findings:
        rule = ruleset.rules.get(finding.rule_id) if not finding.custom else None
        if rule is None:  # a hand-written threat is a threat of its own
            key = (finding.id, finding.element_id)
            controls[key] = finding.title
        else:
            key = (rule.remedy, control_owner(analysis.model, finding.element_id, rule.remedy_on))
            controls.setdefault(key, rule.control)
        groups.setdefault(key, []).append(finding)
    threats = [_threat(key, controls[key], findings) for key, findings in groups.items()]
    return sorted(threats, key=lambda t: (-SEVERITIES.index(t.severity), t.id))


def _threat(key: tuple[str, str], control: str, findings: list[Finding]) -> Threat:
    remedy, element_id = key
    custom = len(findings) == 1 and findings[0].custom
    categories = tuple(c for c in CATEGORIES if any(f.category == c for f in findings))
    severity = max((f.severity for f in findings), key=SEVERITIES.index)
    return Threat(
        id=remedy if custom else f"{remedy}@{element_id}",
        remedy=remedy,
        element_id=element_id,
        control=control,
        categories=categories,
        severity=severity,
        status=threat_status([f.status for f in findings]),
        findings=tuple(findings),
    )


def threat_status(statuses: list[str]) -> str:
    """One status for a threat's findings: undecided while any finding is (open before
    investigating); otherwise the decision most of them have (ties in the file format's order)."""
    for undecided in UNDECIDED:
        if undecided in statuses:
            return undecided
    counts = Counter(statuses)
    return max(STATUSES, key=lambda s: (counts[s], -STATUSES.index(s)))
