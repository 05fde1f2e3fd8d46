"""Run rules over a model: findings with explanations, raised severities, decisions merged.

A finding is one rule firing on one element, with the stable id ``<rule-id>@<element-id>``.
Custom threats from the model join the findings; decisions whose finding no longer fires are
kept as orphans. Analysis never changes the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .conditions import evaluate, explain
from .crossings import Crossing, Topology
from .facts import FactBase
from .model import SEVERITIES, ThreatModel
from .rules import Rule, RuleSet

CATEGORY_LABELS = {
    "spoofing": "Spoofing",
    "tampering": "Tampering",
    "repudiation": "Repudiation",
    "information_disclosure": "Information disclosure",
    "denial_of_service": "Denial of service",
    "elevation_of_privilege": "Elevation of privilege",
}
KIND_LABELS = {
    "external_entity": "external entity",
    "process": "process",
    "data_store": "data store",
    "flow": "data flow",
}
_PLACEHOLDER = re.compile(r"\{(element|source|target|boundaries|data|protocol)\}")


@dataclass(frozen=True)
class Finding:
    """A threat on one element: from a rule (``custom`` False) or written by hand."""

    id: str
    rule_id: str
    category: str
    severity: str
    base_severity: str
    severity_reasons: tuple[str, ...]
    element_id: str
    element_kind: str
    element_name: str
    boundaries: tuple[str, ...]
    crossings: tuple[Crossing, ...]
    title: str
    description: str
    explanation: tuple[str, ...]
    mitigations: tuple[str, ...]
    references: tuple[str, ...]
    status: str = "open"
    note: str | None = None
    ticket: str | None = None
    custom: bool = False


@dataclass
class RuleError:
    """A rule that failed on an element: shown, never taken as "no threat"."""

    rule_id: str
    element_id: str
    message: str


@dataclass
class Analysis:
    """Everything the analysis found for one model."""

    model: ThreatModel
    topology: Topology
    findings: list[Finding] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)

    def for_element(self, element_id: str) -> list[Finding]:
        """Findings on one component or flow."""
        return [f for f in self.findings if f.element_id == element_id]

    def for_boundary(self, boundary_id: str) -> list[Finding]:
        """Findings on every flow that crosses the boundary (boundaries own no threats)."""
        flows = set(self.topology.flows_crossing(boundary_id))
        return [f for f in self.findings if f.element_id in flows]


def analyse(model: ThreatModel, ruleset: RuleSet) -> Analysis:
    """Run every enabled rule on every in-scope element of ``model``."""
    topology = Topology(model)
    facts = FactBase(model, topology)
    analysis = Analysis(model, topology)
    by_kind = {kind: ruleset.for_kind(kind) for kind in ("flow", "process", "data_store", "external_entity")}
    custom_by_target: dict[str, list[str]] = {}
    for tid, threat in model.threats.items():
        custom_by_target.setdefault(threat.target, []).append(tid)

    for cid, component in model.components.items():
        if not component.out_of_scope:
            element = _Element(cid, component.kind, component.name or cid, facts.components[cid],
                               topology.component_chain[cid], (), model)
            _run(by_kind[component.kind], element, analysis)
        _add_custom(custom_by_target.get(cid, []), cid, component.kind, analysis)
    for fid, flow in model.flows.items():
        if not flow.out_of_scope:
            crossings = topology.crossings[fid]
            element = _Element(fid, "flow", flow_display_name(model, fid), facts.flows[fid],
                               tuple(c.boundary for c in crossings), crossings, model)
            _run(by_kind["flow"], element, analysis)
        _add_custom(custom_by_target.get(fid, []), fid, "flow", analysis)

    fired = {f.id for f in analysis.findings}
    analysis.orphans = [key for key in model.decisions if key not in fired]
    return analysis


def flow_display_name(model: ThreatModel, flow_id: str) -> str:
    """A flow's name, or "Source → Target" when it has none."""
    flow = model.flows[flow_id]
    if flow.name:
        return flow.name
    return f"{model.display_name(flow.source)} → {model.display_name(flow.target)}"


@dataclass
class _Element:
    id: str
    kind: str
    name: str
    facts: dict[str, object]
    boundaries: tuple[str, ...]
    crossings: tuple[Crossing, ...]
    model: ThreatModel


def _run(rules: list[Rule], element: _Element, analysis: Analysis) -> None:
    for rule in rules:
        try:
            if rule.condition is not None and not evaluate(rule.condition, element.facts):
                continue
            analysis.findings.append(_finding(rule, element))
        except Exception as exc:  # fail closed: a broken rule is reported, never "no threat"
            analysis.errors.append(RuleError(rule.id, element.id, f"{type(exc).__name__}: {exc}"))


def _finding(rule: Rule, element: _Element) -> Finding:
    model = element.model
    finding_id = f"{rule.id}@{element.id}"
    if rule.condition is None:
        explanation = (f"applies to every {KIND_LABELS[element.kind]} (STRIDE per element)",)
    else:
        explanation = tuple(
            explain(rule.condition, element.facts, lambda: describe_crossings(model, element.crossings))
        )
    reasons = _raise_reasons(element) if rule.raise_severity else ()
    severity = SEVERITIES[min(SEVERITIES.index(rule.severity) + len(reasons), len(SEVERITIES) - 1)]
    decision = model.decisions.get(finding_id)
    values = _placeholders(element)
    return Finding(
        id=finding_id,
        rule_id=rule.id,
        category=rule.category,
        severity=severity,
        base_severity=rule.severity,
        severity_reasons=reasons,
        element_id=element.id,
        element_kind=element.kind,
        element_name=element.name,
        boundaries=element.boundaries,
        crossings=element.crossings,
        title=_fill(rule.title, values),
        description=_fill(rule.description, values),
        explanation=explanation,
        mitigations=rule.mitigations,
        references=rule.references,
        status=decision.status if decision else "open",
        note=decision.note if decision else None,
        ticket=decision.ticket if decision else None,
    )


def _raise_reasons(element: _Element) -> tuple[str, ...]:
    facts = element.facts
    reasons = []
    classification = facts.get("classification")
    if classification == "restricted":
        reasons.append("restricted data")
    elif classification == "confidential" and facts.get("crosses_boundary"):
        reasons.append("confidential data crossing a boundary")
    if element.kind == "flow":
        if facts.get("from_internet"):
            reasons.append("comes from an untrusted or internet source")
    elif facts.get("internet_facing"):
        reasons.append("internet-facing")
    elif facts.get("in_internet"):
        reasons.append("sits in the internet zone")
    return tuple(reasons)


def describe_crossings(model: ThreatModel, crossings: tuple[Crossing, ...]) -> str:
    """"crosses Internet (leaving), Production cluster (entering)" — or that it crosses none."""
    if not crossings:
        return "crosses no trust boundary"
    parts = [f"{model.display_name(c.boundary)} ({c.direction})" for c in crossings]
    return "crosses " + ", ".join(parts)


def _placeholders(element: _Element) -> dict[str, str]:
    model = element.model
    values = {
        "element": element.name,
        "boundaries": ", ".join(model.display_name(b) for b in element.boundaries) or "no boundary",
        "source": element.name,
        "target": element.name,
        "data": "its data",
        "protocol": "its protocol",
    }
    if element.kind == "flow":
        flow = model.flows[element.id]
        values["source"] = model.display_name(flow.source)
        values["target"] = model.display_name(flow.target)
        values["data"] = flow.data or "its data"
        values["protocol"] = flow.protocol or "an unstated protocol"
    return values


def _fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _add_custom(threat_ids: list[str], element_id: str, kind: str, analysis: Analysis) -> None:
    model = analysis.model
    for tid in threat_ids:
        threat = model.threats[tid]
        boundaries = (
            tuple(c.boundary for c in analysis.topology.crossings.get(element_id, ()))
            if kind == "flow"
            else analysis.topology.component_chain.get(element_id, ())
        )
        severity = threat.severity or "medium"
        analysis.findings.append(
            Finding(
                id=tid,
                rule_id="custom",
                category=threat.category,
                severity=severity,
                base_severity=severity,
                severity_reasons=(),
                element_id=element_id,
                element_kind=kind,
                element_name=(
                    flow_display_name(model, element_id) if kind == "flow" else model.display_name(element_id)
                ),
                boundaries=boundaries,
                crossings=analysis.topology.crossings.get(element_id, ()) if kind == "flow" else (),
                title=threat.title,
                description=threat.description or "",
                explanation=("written by hand in the model's [threats] table",),
                mitigations=(threat.mitigation,) if threat.mitigation else (),
                references=(),
                status=threat.status or "open",
                note=threat.note,
                ticket=threat.ticket,
                custom=True,
            )
        )
