"""Threats: one missing control on one element, made of the findings of every rule it settles.

A flow without TLS fires several rules (sniffing, tampering in transit, credentials in clear);
reviewers count that as one threat with one fix. Each rule names its remedy and which element
owns the control (the element, or a flow's source or target: parameterised queries live in the
process that sends them); each finding knows its threat (``Finding.threat_id``), and findings
that share one are one `Threat`, id ``<remedy>@<element>``,
covering every STRIDE category of its findings (DESIGN §8). A hand-written threat stays one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis, Finding, without_gc
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES, UNDECIDED
from stride_tui.core.wording import counted


@dataclass(slots=True)
class Threat:
    """One missing control on one element, with the findings it groups.

    Treat it as a value (never mutate one): it is not frozen only because frozen dataclasses
    are several times slower to create, and a large model has tens of thousands."""

    id: str
    remedy: str
    element_id: str
    control: str
    headline: Finding
    """Its most severe finding (the first of them): the threat shows its title, read only when
    shown (a finding fills its texts when read)."""
    categories: tuple[str, ...]
    severity: str
    """The risk of its most severe finding, whose likelihood, impact and reasons it shows."""
    confirmed_severity: str
    """The risk if the unknown facts it rests on turn out bad (gates use it: fail closed)."""
    likelihood: str
    impact: str
    risk_reasons: tuple[str, ...]
    status: str
    findings: tuple[Finding, ...]

    @property
    def title(self) -> str:
        """The title of its most severe finding."""
        return self.headline.title

    @property
    def finding_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.findings)

    @property
    def elements(self) -> tuple[str, ...]:
        """The components and flows its findings are on, in order."""
        return tuple(dict.fromkeys(f.element_id for f in self.findings))

    @property
    def provisional(self) -> bool:
        """Every finding rests on an unknown fact: answering the questions may settle it."""
        return all(f.provisional for f in self.findings)

    @property
    def undecided(self) -> bool:
        return self.status in UNDECIDED


def group_threats(analysis: Analysis) -> list[Threat]:
    """The threats of an analysis, highest risk first, then by id (a new list each call; the
    threats are computed once per analysis, which never changes)."""
    cached = analysis.__dict__.get("_threats")
    if cached is None:
        with without_gc(kept=True):
            groups: dict[str, list[Finding]] = {}
            for finding in analysis.findings:
                groups.setdefault(finding.threat_id, []).append(finding)
            cached = sorted((_threat(f) for f in groups.values()), key=threat_order)
        analysis.__dict__["_threats"] = cached
    return list(cached)


_RANK = {severity: i for i, severity in enumerate(SEVERITIES)}
_CATEGORY_SET = frozenset(CATEGORIES)


def threat_order(threat: Threat) -> tuple[int, int, str]:
    """Where a threat goes in a list of threats: highest risk first, then the riskiest if its
    questions are answered badly (a provisional threat is rated low-likelihood), then by id."""
    return (-_RANK[threat.severity], -_RANK[threat.confirmed_severity], threat.id)


def _threat(findings: list[Finding]) -> Threat:
    first = findings[0]
    if len(findings) == 1 and not first.custom and first.category in _CATEGORY_SET:
        # most threats have one finding: the same values as below, without the passes over them
        return Threat(
            first.threat_id,
            first.remedy,
            first.threat_id.rpartition("@")[2],
            first.control,
            first,
            (first.category,),
            first.severity,
            first.confirmed_severity,
            first.likelihood,
            first.impact,
            first.risk_reasons,
            first.status,
            (first,),
        )
    worst = first
    for finding in findings:  # the first of the worst
        if _RANK[finding.severity] > _RANK[worst.severity]:
            worst = finding
    present = {f.category for f in findings}
    statuses = [f.status for f in findings]
    return Threat(
        id=first.threat_id,
        remedy=first.remedy,
        element_id=first.threat_id.rpartition("@")[2] if not first.custom else first.element_id,
        control=first.control,
        headline=worst,
        categories=tuple(c for c in CATEGORIES if c in present),
        severity=worst.severity,
        confirmed_severity=max((f.confirmed_severity for f in findings), key=_RANK.__getitem__),
        likelihood=worst.likelihood,
        impact=worst.impact,
        risk_reasons=worst.risk_reasons,
        status=statuses[0] if len(set(statuses)) == 1 else threat_status(statuses),
        findings=tuple(findings),
    )


def blocks(threat: Threat, fail_on: str) -> bool:
    """Whether ``threat`` trips a gate at ``fail_on``: open, and rated at or above it — a
    provisional one as if its questions were answered badly (fail closed)."""
    return threat.status == "open" and _RANK[threat.confirmed_severity] >= _RANK[fail_on]


def threat_status(statuses: list[str]) -> str:
    """One status for a threat's findings: undecided while any finding is (open before
    investigating); otherwise the decision most of them have (ties in the file format's order)."""
    for undecided in UNDECIDED:
        if undecided in statuses:
            return undecided
    counts = Counter(statuses)
    return max(STATUSES, key=lambda s: (counts[s], -STATUSES.index(s)))


@dataclass(frozen=True)
class ThreatCounts:
    """How many threats there are and where they stand: the same words and numbers everywhere
    (panel, ``check``, reports, stories)."""

    total: int
    by_status: dict[str, int]
    undecided: int
    """Open or investigating."""
    provisional: int
    """Undecided threats that rest only on unanswered questions."""
    findings: int

    def line(self) -> str:
        """ "12 threats from 29 findings: 9 undecided (8 open, 1 investigating), 4 of them
        resting only on unanswered questions; 3 decided" ("9 open" when all are open)."""
        if not self.total:
            return "no threats"
        text = f"{counted(self.total, 'threat')} from {counted(self.findings, 'finding')}: "
        undecided = [f"{self.by_status[s]} {s}" for s in UNDECIDED if self.by_status[s]]
        if len(undecided) == 1:
            text += undecided[0]
        else:
            text += f"{self.undecided} undecided" + (f" ({', '.join(undecided)})" if undecided else "")
        if self.provisional:
            text += f", {self.provisional} of them resting only on unanswered questions"
        decided = self.total - self.undecided
        if decided:
            text += f"; {decided} decided"
        return text


def count_threats(threats: list[Threat]) -> ThreatCounts:
    """Counts of ``threats`` by status, undecided and provisional."""
    statuses = Counter(t.status for t in threats)
    by_status = {s: statuses[s] for s in STATUSES}
    undecided = [t for t in threats if t.undecided]
    return ThreatCounts(
        total=len(threats),
        by_status=by_status,
        undecided=len(undecided),
        provisional=sum(t.provisional for t in undecided),
        findings=sum(len(t.findings) for t in threats),
    )
