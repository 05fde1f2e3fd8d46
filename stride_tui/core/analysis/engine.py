"""Run rules over a model: findings with explanations, raised severities, decisions merged.

A finding is one rule firing on one element, with the stable id ``<rule-id>@<element-id>``.
Custom threats from the model join the findings; decisions whose finding no longer fires are
kept as orphans. Analysis never changes the model.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from stride_tui.core.analysis.conditions import explain
from stride_tui.core.analysis.facts import FactBase
from stride_tui.core.analysis.risk import Risk, assess
from stride_tui.core.analysis.rules import DisabledRule, Rule, RuleSet
from stride_tui.core.analysis.technologies import Catalogue
from stride_tui.core.analysis.unknowns import owner_of, settling_facts
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Crossing, Topology

KIND_LABELS = {
    "external_entity": "external entity",
    "process": "process",
    "data_store": "data store",
    "flow": "data flow",
}


@dataclass(slots=True)
class Finding:
    """A threat on one element: from a rule (``custom`` False) or written by hand.

    Treat it as a value (never mutate one): it is not frozen only because frozen dataclasses
    are several times slower to create, and analysis creates tens of thousands.
    """

    id: str
    rule_id: str
    category: str
    severity: str
    """The risk: likelihood × impact (DESIGN §8)."""
    base_severity: str
    """The rule's own severity, where the rating starts."""
    confirmed_severity: str
    """The risk if its unknown facts turn out bad: the same as ``severity`` unless provisional.
    Gates use it, so a model nobody answered questions on does not pass for safe."""
    likelihood: str
    impact: str
    risk_reasons: tuple[str, ...]
    """Why the likelihood and the impact are what they are, in words."""
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
    remedy: str = ""
    """The fix its rule names (a hand-written threat: its own id)."""
    threat_id: str = ""
    """The threat it belongs to: ``<remedy>@<element that owns the control>``."""
    control: str = ""
    """The missing control, in words (the threat's title)."""
    rests_on: tuple[tuple[str, str], ...] = ()
    """``(element id, fact)`` of each unknown fact whose answer could switch this finding off;
    a finding that rests on any is *provisional*."""

    @property
    def provisional(self) -> bool:
        return bool(self.rests_on)


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
    disabled: tuple[DisabledRule, ...] = ()
    """Rules a rule file switched off, with who and why: every output that reports the
    analysis says so, because a disabled rule is a finding nobody will see."""
    catalogue: Catalogue | None = None
    """The technologies the analysis recognised (stories take their fixes from it)."""

    def for_element(self, element_id: str) -> list[Finding]:
        """Findings on one component or flow."""
        return [f for f in self.findings if f.element_id == element_id]

    def for_boundary(self, boundary_id: str) -> list[Finding]:
        """Findings on every flow that crosses the boundary (boundaries own no threats)."""
        flows = set(self.topology.flows_crossing(boundary_id))
        return [f for f in self.findings if f.element_id in flows]


# stands for the element's crossings in a cached explanation (they differ from flow to flow)
_CROSSINGS = "\x00crossings\x00"


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """Pause the cyclic GC: building tens of thousands of small values, it would only scan the
    whole model again and again (none of them form cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Analyzer:
    """Runs one rule set over successive versions of a model.

    Findings depend only on an element's facts, names and crossings, so an element that did not
    change between two versions gets its findings back from a cache: after one edit, only the
    edited element (and the neighbours whose derived facts changed) is evaluated again.
    """

    def __init__(self, ruleset: RuleSet, today: datetime.date | None = None) -> None:
        self.ruleset = ruleset
        self.catalogue = ruleset.catalogue
        """The technologies the facts recognise (built in, plus what rule files add)."""
        self.today = today or datetime.date.today()
        """The day decisions' ``expires`` dates are compared with."""
        self._by_kind = {kind: ruleset.for_kind(kind) for kind in KIND_LABELS}
        # a response is analysed for what it carries, never as a call
        self._by_kind["response"] = [rule for rule in self._by_kind["flow"] if not rule.caller]
        # the facts of a flow's ends that anything reads: rules, risk, and which questions apply
        read = {k for rule in self._by_kind["flow"] for k in rule.facts_read}
        self._endpoint_keys = frozenset(
            k for k in read | set(_RISK_FACTS) | {"source.kind", "target.kind"} if k.startswith(("source.", "target."))
        )
        self._cache: dict[tuple, tuple[tuple[Finding, ...], tuple[RuleError, ...]]] = {}
        # the same rule on the same fact values explains and rates itself the same way: once
        self._explanations: dict[tuple, tuple[str, ...]] = {}
        self._settling: dict[tuple, tuple[str, ...]] = {}
        self._risks: dict[tuple, Risk] = {}

    def analyse(self, model: ThreatModel) -> Analysis:
        """Every finding of ``model``, with its decisions merged and orphans listed."""
        with without_gc():
            return self._analyse(model)

    def _analyse(self, model: ThreatModel) -> Analysis:
        topology = Topology(model)
        facts = FactBase(model, topology, self._endpoint_keys, self.catalogue)
        analysis = Analysis(model, topology, disabled=tuple(self.ruleset.disabled.values()), catalogue=self.catalogue)
        custom_by_target: dict[str, list[str]] = {}
        for tid, threat in model.threats.items():
            custom_by_target.setdefault(threat.target, []).append(tid)
        cache: dict[tuple, tuple[tuple[Finding, ...], tuple[RuleError, ...]]] = {}
        names = {bid: b.name or bid for bid, b in model.boundaries.items()}
        names.update({cid: c.name or cid for cid, c in model.components.items()})
        decide = _Decider(model, self.today)

        def run(element: _Element) -> None:
            key = element.cache_key()
            result = cache.get(key) or self._cache.get(key)
            if result is None:
                rules = self._by_kind["response" if element.facts.get("is_response") else element.kind]
                result = _evaluate(rules, element, self)
            cache[key] = result
            findings, errors = result
            analysis.findings.extend(decide(f) for f in findings)
            analysis.errors.extend(errors)

        for cid, component in model.components.items():
            if not component.out_of_scope:
                run(
                    _Element(
                        cid,
                        component.kind,
                        component.name or cid,
                        facts.components[cid],
                        topology.component_chain[cid],
                        (),
                        model,
                        names,
                    )
                )
            _add_custom(custom_by_target.get(cid, []), cid, component.kind, analysis)
        for fid, flow in model.flows.items():
            if not flow.out_of_scope:
                crossings = topology.crossings[fid]
                run(
                    _Element(
                        fid,
                        "flow",
                        flow_display_name(model, fid),
                        facts.flows[fid],
                        tuple(c.boundary for c in crossings),
                        crossings,
                        model,
                        names,
                    )
                )
            _add_custom(custom_by_target.get(fid, []), fid, "flow", analysis)
        self._cache = cache  # keep only what the current version uses
        for memo in (self._explanations, self._settling, self._risks):
            if len(memo) > 50_000:
                memo.clear()

        analysis.orphans = [key for key in model.decisions if key not in decide.covering]
        return analysis


def analyse(model: ThreatModel, ruleset: RuleSet) -> Analysis:
    """Run every enabled rule on every in-scope element of ``model``."""
    return Analyzer(ruleset).analyse(model)


def flow_display_name(model: ThreatModel, flow_id: str) -> str:
    """A flow's name, or "Source → Target" when it has none."""
    flow = model.flows[flow_id]
    if flow.name:
        return flow.name
    return f"{model.display_name(flow.source)} → {model.display_name(flow.target)}"


class _Element:
    """One component or flow as the rules see it: facts, names for texts, crossings.

    An element whose findings come from the cache needs only its cache key, so the texts rules
    fill in (``values``, ``crossing_text``) are built on first use, on a miss."""

    def __init__(
        self,
        element_id: str,
        kind: str,
        name: str,
        facts: dict[str, object],
        boundaries: tuple[str, ...],
        crossings: tuple[Crossing, ...],
        model: ThreatModel,
        names: dict[str, str],
    ) -> None:
        self.id, self.kind, self.name, self.facts = element_id, kind, name, facts
        self.boundaries, self.crossings, self.model = boundaries, crossings, model
        self._names = names
        flow = model.flows[element_id] if kind == "flow" else None
        self.ends = (flow.source, flow.target) if flow is not None else None
        self.risk_values: tuple | None = None
        """The facts risk reads, taken once for all the element's findings."""

    @functools.cached_property
    def crossing_text(self) -> str:
        names = self._names
        if not self.crossings:
            return "crosses no trust boundary"
        return "crosses " + ", ".join(f"{names[c.boundary]} ({c.direction})" for c in self.crossings)

    @functools.cached_property
    def values(self) -> dict[str, str]:
        names, name = self._names, self.name
        values = {
            "element": name,
            "boundaries": ", ".join(names[b] for b in self.boundaries) or "no boundary",
            "source": name,
            "target": name,
            "data": "its data",
            "protocol": "its protocol",
        }
        if self.ends is not None:
            flow = self.model.flows[self.id]
            values.update(
                source=names[flow.source],
                target=names[flow.target],
                data=flow.data or "its data",
                protocol=flow.protocol or "an unstated protocol",
            )
        return values

    def cache_key(self) -> tuple:
        """Everything findings of this element are computed from: facts, the names its texts use,
        its boundaries and crossings, and (for a flow) its ends, which own some controls."""
        facts = tuple(self.facts.items())
        try:
            hash(facts)
        except TypeError:  # a list fact (tags)
            facts = tuple((k, _hashable(v)) for k, v in facts)
        names = self._names
        boundary_names = tuple(names[b] for b in self.boundaries)
        if self.ends is None:
            return (self.id, self.kind, facts, self.name, boundary_names)
        ends = self.ends
        # plain strings, not Crossing values: their dataclass hash runs in Python, per lookup
        crossings = tuple((c.boundary, c.direction, names[c.boundary]) for c in self.crossings)
        return (self.id, facts, self.name, boundary_names, crossings, ends, names[ends[0]], names[ends[1]])


def _evaluate(
    rules: list[Rule], element: _Element, memo: Analyzer
) -> tuple[tuple[Finding, ...], tuple[RuleError, ...]]:
    findings: list[Finding] = []
    errors: list[RuleError] = []
    facts = element.facts
    for rule in rules:
        try:
            predicate = rule.predicate
            if predicate is not None and not predicate(facts):
                continue
            findings.append(_finding(rule, element, memo))
        except Exception as exc:  # fail closed: a broken rule is reported, never "no threat"
            errors.append(RuleError(rule.id, element.id, f"{type(exc).__name__}: {exc}"))
    return tuple(findings), tuple(errors)


class _Decider:
    """Puts on each finding the decision that covers it, the most specific first: the finding
    (``rule@element``), its threat (``remedy@owner``), its rule everywhere (``rule@*``), its
    element (``*@element``). A decision past its ``expires`` date covers nothing: the finding is
    open again and says why. Remembers which decisions covered something (the rest are orphans)."""

    def __init__(self, model: ThreatModel, today: datetime.date) -> None:
        self.model = model
        self.today = today
        self.covering: set[str] = set()
        """Keys of the decisions that cover at least one finding."""

    def __call__(self, finding: Finding) -> Finding:
        decisions = self.model.decisions
        if not decisions:
            return finding
        chosen = None
        for key in self._keys(finding):
            decision = decisions.get(key)
            if decision is None:
                continue
            self.covering.add(key)
            if chosen is None:
                chosen = (key, decision)
        if chosen is None:
            return finding
        key, decision = chosen
        if decision.expires is not None and decision.expires < self.today:
            note = f"decision {key} ({decision.status}) expired on {decision.expires.isoformat()}"
            return replace(finding, note=note, ticket=decision.ticket)
        return replace(finding, status=decision.status, note=decision.note, ticket=decision.ticket)

    def _keys(self, finding: Finding) -> list[str]:
        """Decision keys that could cover ``finding``, the most specific first."""
        if finding.custom:
            return [finding.id]
        return [finding.id, finding.threat_id, f"{finding.rule_id}@*", f"*@{finding.element_id}"]


def control_owner(model: ThreatModel, element_id: str, remedy_on: str) -> str:
    """The element that owns the control a rule asks for on ``element_id``: the element, or a
    flow's source or target; a response's own findings belong to its request (one threat)."""
    flow = model.flows.get(element_id)
    if flow is None:
        return element_id
    if remedy_on == "source":
        return flow.source
    if remedy_on == "target":
        return flow.target
    return flow.response_to if flow.response_to in model.flows else element_id


_RISK_FACTS = (
    "from_internet",
    "crosses_boundary",
    "authentication",
    "classification",
    "integrity",
    "availability",
    "privileged",
    "stores_credentials",
    "untrusted",
    "reachable_from_internet",
    "reachable_unauthenticated",
    "entered_across_boundary",
    "source.reachable_from_internet",
    "source.forwards",
    "target.privileged",
    "target.stores_credentials",
    "target.classification",
    "target.integrity",
    "target.availability",
    "stakes",
    "target.stakes",
)
"""Every fact `risk.assess` reads: its result is memoised on their values."""


def _risk(memo: Analyzer, rule: Rule, element: _Element, provisional: bool) -> Risk:
    # a risk depends on what assess reads of the rule and on the element's risk facts: rules
    # alike (category, base, caller, raise) on one element share one rating
    risk_values = element.risk_values
    if risk_values is None:
        facts = element.facts
        risk_values = element.risk_values = tuple(facts.get(k) for k in _RISK_FACTS)
    key = (rule.category, rule.severity, rule.caller, rule.raise_severity, element.kind, provisional, risk_values)
    risk = memo._risks.get(key)
    if risk is None:
        risk = memo._risks[key] = assess(rule, element.facts, element.kind, provisional)
    return risk


def _finding(rule: Rule, element: _Element, memo: Analyzer) -> Finding:
    values = element.values
    facts = element.facts
    if rule.condition is None:
        explanation: tuple[str, ...] = (f"applies to every {KIND_LABELS[element.kind]} (STRIDE per element)",)
        settling: tuple[str, ...] = ()
    else:
        key = (rule.id, element.kind, *(_hashable(facts.get(k)) for k in rule.facts_read))
        cached = memo._explanations.get(key)
        if cached is None:
            cached = tuple(explain(rule.condition, facts, _CROSSINGS))
            memo._explanations[key] = cached
        explanation = (
            tuple(element.crossing_text if e is _CROSSINGS else e for e in cached) if _CROSSINGS in cached else cached
        )
        settle_key = (*key, facts.get("source.kind"), facts.get("target.kind"))
        settling_cached = memo._settling.get(settle_key)
        if settling_cached is None:
            settling_cached = settling_facts(rule, facts, element.kind)
            memo._settling[settle_key] = settling_cached
        settling = settling_cached
    risk = _risk(memo, rule, element, bool(settling))
    # fail closed: the gate rates a provisional finding as if its questions were answered badly
    confirmed = _risk(memo, rule, element, False).severity if settling else risk.severity
    return Finding(
        id=f"{rule.id}@{element.id}",
        rule_id=rule.id,
        category=rule.category,
        severity=risk.severity,
        base_severity=rule.severity,
        confirmed_severity=confirmed,
        likelihood=risk.likelihood,
        impact=risk.impact,
        risk_reasons=risk.reasons,
        element_id=element.id,
        element_kind=element.kind,
        element_name=element.name,
        boundaries=element.boundaries,
        crossings=element.crossings,
        title=rule.title_template.fill(values),
        description=rule.description_template.fill(values),
        explanation=explanation,
        mitigations=rule.mitigations,
        references=rule.references,
        remedy=rule.remedy,
        threat_id=f"{rule.remedy}@{control_owner(element.model, element.id, rule.remedy_on)}",
        control=rule.control,
        rests_on=tuple(owner_of(fact, element.id, element.ends) for fact in settling),
    )


def describe_crossings(model: ThreatModel, crossings: tuple[Crossing, ...]) -> str:
    """ "crosses Internet (leaving), Production cluster (entering)" — or that it crosses none."""
    if not crossings:
        return "crosses no trust boundary"
    parts = [f"{model.display_name(c.boundary)} ({c.direction})" for c in crossings]
    return "crosses " + ", ".join(parts)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


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
                confirmed_severity=severity,
                likelihood="",
                impact="",
                risk_reasons=(f"rated {severity} by hand in the model's [threats] table",),
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
                remedy=tid,
                threat_id=tid,
                control=threat.title,
            )
        )
