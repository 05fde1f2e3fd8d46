"""Run rules over a model: findings with explanations, raised severities, decisions merged.

A finding is one rule firing on one element, with the stable id ``<rule-id>@<element-id>``.
Custom threats from the model join the findings; decisions whose finding no longer fires are
kept as orphans. Analysis never changes the model.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import gc
import operator
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from stride_tui.core.analysis.conditions import (
    All,
    AnyOf,
    Condition,
    Crosses,
    FactTest,
    ModelHas,
    Predicate,
    compile_condition,
    explain,
    facts_read,
    model_queries,
)
from stride_tui.core.analysis.facts import COMPONENT_DERIVED, FLOW_DERIVED, FactBase, Neighbours, without_keys
from stride_tui.core.analysis.risk import COMPONENT_RISK_FACTS, FLOW_RISK_FACTS, WAF_REMEDIES, Risk, assess
from stride_tui.core.analysis.rules import DisabledRule, Rule, RuleSet
from stride_tui.core.analysis.technologies import Catalogue
from stride_tui.core.analysis.unknowns import owner_of, settling_facts
from stride_tui.core.model.elements import Component, Flow, ThreatModel
from stride_tui.core.model.identity import changed_keys
from stride_tui.core.model.topology import Crossing, Topology

KIND_LABELS = {
    "external_entity": "external entity",
    "process": "process",
    "data_store": "data store",
    "flow": "data flow",
}


_FIELDS = (
    "id",
    "rule_id",
    "category",
    "severity",
    "base_severity",
    "confirmed_severity",
    "likelihood",
    "impact",
    "risk_reasons",
    "element_id",
    "element_kind",
    "element_name",
    "boundaries",
    "crossings",
    "title",
    "description",
    "explanation",
    "mitigations",
    "references",
    "status",
    "note",
    "ticket",
    "custom",
    "remedy",
    "threat_id",
    "control",
    "rests_on",
)


_TEXTS = ("title", "description", "explanation")
_field_values = operator.attrgetter(*_FIELDS)


class Finding:
    """A threat on one element: from a rule (``custom`` False) or written by hand.

    Treat it as a value (never mutate one). Its fields, in this order, are the constructor's
    arguments; equality compares them all, as a dataclass's would.

    A rule's finding fills its texts (``title``, ``description``, and an ``explanation`` that
    names the crossings) on first use: an analysis makes tens of thousands of findings, and
    most callers read the texts of a few (the editor shows one element's, ``check`` counts).
    The texts are the same whenever they are read: they come from the element as it was
    analysed (its names, crossings, data and protocol), kept with the finding until then.
    """

    # the fields, the texts behind their properties, and what fills them
    __slots__ = (*(f for f in _FIELDS if f not in _TEXTS), *(f"_{t}" for t in _TEXTS), "_on", "_rule")
    __hash__ = None  # type: ignore[assignment]  # a value compared by its fields, like an unfrozen dataclass

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
    _title: str | None
    _description: str | None
    _explanation: tuple[str, ...]
    """(The texts: see the properties.)"""
    mitigations: tuple[str, ...]
    references: tuple[str, ...]
    status: str
    note: str | None
    ticket: str | None
    custom: bool
    remedy: str
    """The fix its rule names (a hand-written threat: its own id)."""
    threat_id: str
    """The threat it belongs to: ``<remedy>@<element that owns the control>``."""
    control: str
    """The missing control, in words (the threat's title)."""
    rests_on: tuple[tuple[str, str], ...]
    """``(element id, fact)`` of each unknown fact whose answer could switch this finding off;
    a finding that rests on any is *provisional*."""
    _on: _Element | None
    """The element a rule's finding fills its texts from (None once they are filled, and on a
    hand-written threat)."""
    _rule: Rule | None

    def __init__(
        self,
        id: str,
        rule_id: str,
        category: str,
        severity: str,
        base_severity: str,
        confirmed_severity: str,
        likelihood: str,
        impact: str,
        risk_reasons: tuple[str, ...],
        element_id: str,
        element_kind: str,
        element_name: str,
        boundaries: tuple[str, ...],
        crossings: tuple[Crossing, ...],
        title: str,
        description: str,
        explanation: tuple[str, ...],
        mitigations: tuple[str, ...],
        references: tuple[str, ...],
        status: str = "open",
        note: str | None = None,
        ticket: str | None = None,
        custom: bool = False,
        remedy: str = "",
        threat_id: str = "",
        control: str = "",
        rests_on: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.id = id
        self.rule_id = rule_id
        self.category = category
        self.severity = severity
        self.base_severity = base_severity
        self.confirmed_severity = confirmed_severity
        self.likelihood = likelihood
        self.impact = impact
        self.risk_reasons = risk_reasons
        self.element_id = element_id
        self.element_kind = element_kind
        self.element_name = element_name
        self.boundaries = boundaries
        self.crossings = crossings
        self._title = title
        self._description = description
        self._explanation = explanation
        self.mitigations = mitigations
        self.references = references
        self.status = status
        self.note = note
        self.ticket = ticket
        self.custom = custom
        self.remedy = remedy
        self.threat_id = threat_id
        self.control = control
        self.rests_on = rests_on
        self._on: _Element | None = None
        self._rule: Rule | None = None

    @property
    def title(self) -> str:
        title = self._title
        if title is None:
            title = self._title = self._rule.title_template.fill(self._on.values())  # type: ignore[union-attr]
        return title

    @property
    def description(self) -> str:
        description = self._description
        if description is None:
            rule, on = self._rule, self._on
            description = self._description = rule.description_template.fill(on.values())  # type: ignore[union-attr]
        return description

    @property
    def explanation(self) -> tuple[str, ...]:
        explanation = self._explanation
        if _CROSSINGS in explanation:  # the rule's cached explanation: this element's crossings go in
            explanation = self._explanation = self._on.with_crossings(explanation)  # type: ignore[union-attr]
        return explanation

    @property
    def provisional(self) -> bool:
        return bool(self.rests_on)

    def fields(self) -> tuple[object, ...]:
        """Every field's value, in order (the texts filled in)."""
        return _field_values(self)

    def replace(self, **changes: object) -> Finding:
        """A copy with ``changes`` to some fields (``dataclasses.replace`` for a finding); the
        texts are filled when read, as this one's are."""
        new = copy.copy(self)
        for name, value in changes.items():
            setattr(new, f"_{name}" if name in _TEXTS else name, value)
        return new

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Finding:
            return NotImplemented
        return self is other or self.fields() == other.fields()

    def __repr__(self) -> str:
        pairs = zip(_FIELDS, self.fields(), strict=True)
        return "Finding(" + ", ".join(f"{name}={value!r}" for name, value in pairs) + ")"


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
    changed: frozenset[str] | None = None
    """Components and flows whose findings may differ from the analysis before this one by the
    same analyzer (None: any may, as after a first analysis)."""
    unrecognised: list[dict[str, str] | None] = field(default_factory=lambda: [None], repr=False, compare=False)
    """Holds `unrecognised_components` of the model once worked out (`questions` does): the
    analyzer shares the cell with its next analysis, which updates it for an edit's components."""
    element_results: Mapping[str, _Result] | None = field(default=None, repr=False, compare=False)
    """Each component's and flow's part of `findings`, by id (see `findings_on`)."""
    positions: Mapping[str, int] | None = field(default=None, repr=False, compare=False)
    """Where each component and flow is in model order (see `in_model_order`)."""
    partial: bool = False
    """Only some elements' findings (`Analyzer.preview`): enough to show one element's threats
    before the whole model is analysed, never a report of the model."""

    def for_element(self, element_id: str) -> list[Finding]:
        """Findings on one component or flow."""
        return [f for f in self.findings if f.element_id == element_id]

    def findings_on(self, element_id: str) -> tuple[Finding, ...]:
        """`for_element` as the analyzer laid it out: looked up, not a pass over every finding."""
        results = self.element_results
        if results is None:
            return tuple(self.for_element(element_id))
        result = results.get(element_id)
        return result.findings if result is not None else ()

    def in_model_order(self, element_ids: Iterable[str]) -> list[str]:
        """The components and flows among ``element_ids``, in model order."""
        positions = self.positions
        if positions is None:
            positions = {eid: i for i, eid in enumerate((*self.model.components, *self.model.flows))}
        return sorted((e for e in element_ids if e in positions), key=positions.__getitem__)

    def for_boundary(self, boundary_id: str) -> list[Finding]:
        """Findings on every flow that crosses the boundary (boundaries own no threats)."""
        flows = set(self.topology.flows_crossing(boundary_id))
        return [f for f in self.findings if f.element_id in flows]


# stands for the element's crossings in a cached explanation (they differ from flow to flow)
_CROSSINGS = "\x00crossings\x00"


@contextlib.contextmanager
def without_gc(kept: bool = False) -> Iterator[None]:
    """Pause the cyclic GC: building tens of thousands of small values, it would only scan the
    whole model again and again (none of them form cycles).

    ``kept``: what the block builds lives on (an analysis lives until the next one). It is moved
    straight to the oldest generation (`gc.freeze` then `gc.unfreeze`), where full collections
    still see it, instead of being scanned all at once by the next young collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if kept:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


class Analyzer:
    """Runs one rule set over successive versions of a model, incrementally.

    Findings depend only on an element's facts, names and crossings. After the first analysis
    the analyzer keeps what it derived; the next model is compared with the last one by
    identity (edits copy only the entries they change), and only what the change can reach is
    derived again: the edited elements, the flows touching an edited component, the members of
    an edited boundary, the components whose derived exposure changed, and the elements a
    changed decision or hand-written threat names. The rest keeps its findings as they were.
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
        self._dispatch = {kind: _Dispatch(rules) for kind, rules in self._by_kind.items()}
        # the facts of a flow's ends that anything reads: rules, risk, and which questions apply
        read = {k for rule in self._by_kind["flow"] for k in rule.facts_read}
        self._endpoint_keys = frozenset(
            k
            for k in read | set(FLOW_RISK_FACTS) | {"source.kind", "target.kind"}
            if k.startswith(("source.", "target."))
        )
        # the model-wide questions rules ask (`model_has`), each answered once per model
        asked = [q for rules in self._by_kind.values() for rule in rules for q in model_queries(rule.condition)]
        self._queries = tuple({q.key: q for q in asked}.values())
        self._state: _State | None = None
        self._begun: _State | None = None
        """A first analysis `preview` began (the previewed elements' results in it): the next
        `analyse` of the same model goes on from it instead of starting again."""
        # one analysis at a time: the editor may start one while the last is still running
        self._lock = threading.Lock()
        # the same rule on the same fact values explains and rates itself the same way: once
        self._explanations: dict[tuple, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._risks: dict[tuple, tuple[Risk, str]] = {}
        self._risk_ids: dict[tuple, int] = {}
        # how many `_Rated` the dispatches' candidates hold (each keeps its own, see `_Candidate`)
        self._rated_count = 0
        # what risk.assess reads of a rule: rules alike share their ratings on one element
        self._risk_parts = {
            rule.id: (rule.category, rule.severity, rule.caller, rule.raise_severity, rule.remedy in WAF_REMEDIES)
            for rules in self._by_kind.values()
            for rule in rules
        }

    def analyse(self, model: ThreatModel) -> Analysis:
        """Every finding of ``model``, with its decisions merged and orphans listed."""
        with self._lock, without_gc(kept=True):
            last, begun = self._state, self._begun
            self._state = self._begun = None  # a failure below must not leave a half-updated state behind
            if last is None:
                state, changed = self._build(model, begun), None
            else:
                state, changed = self._update(last, model)
            self._state = state
            if len(self._risk_ids) > 50_000 or self._rated_count > 50_000:  # the ids key the ratings
                self._risk_ids.clear()
                self._risks.clear()
                self._rated_count = 0
                for dispatch in self._dispatch.values():  # the candidates hold the ratings
                    dispatch.forget()
            for memo in (self._explanations, self._risks):
                if len(memo) > 50_000:
                    memo.clear()
            return state.analysis(self.ruleset, self.catalogue, changed)

    def preview(self, model: ThreatModel, element_id: str) -> Analysis | None:
        """The findings the STRIDE panel needs to show the component or flow ``element_id``
        before the rest of ``model`` is analysed: its own and those of every element its
        threats gather findings from (`preview_elements`), an analysis marked ``partial``.
        The next `analyse` of ``model`` goes on from here. None once a first analysis is done
        (an edit is analysed incrementally, at once) or for an element not in ``model``."""
        with self._lock, without_gc(kept=True):
            if self._state is not None or (element_id not in model.components and element_id not in model.flows):
                return None
            begun, self._begun = self._begun, None  # as in analyse: no half-made state left on failure
            state = begun if begun is not None and begun.model is model else self._new_state(model)
            wanted = preview_elements(model, state.neighbours, element_id)
            run = _Run(self, state)
            for eid in wanted:
                if eid not in state.results:
                    run.element(eid, None)
            self._begun = state
            return state.part(self.ruleset, wanted)

    def _new_state(self, model: ThreatModel) -> _State:
        """The state of a first analysis of ``model``, before any element's findings."""
        topology = Topology(model)
        facts = FactBase(model, topology, self._endpoint_keys, self.catalogue, self._queries)
        return _State(model, topology, facts, Neighbours(model), _names(model))

    def _build(self, model: ThreatModel, begun: _State | None) -> _State:
        """A first analysis of ``model``, from what `preview` began of it if it did."""
        state = begun if begun is not None and begun.model is model else self._new_state(model)
        _Run(self, state).all()
        return state

    def _update(self, last: _State, model: ThreatModel) -> tuple[_State, frozenset[str]]:
        before = last.model
        components = changed_keys(before.components, model.components)
        flows = changed_keys(before.flows, model.flows)
        boundaries = changed_keys(before.boundaries, model.boundaries)
        neighbours = last.neighbours  # the analyzer's own: updated in place
        for fid in flows:
            if fid in before.flows:
                neighbours.remove(fid, before.flows[fid])
            if fid in model.flows:
                neighbours.add(fid, model.flows[fid])
        topology, moved, crossed = last.topology.updated(model, components, flows, neighbours.flows_touching)
        touched = components | moved
        if boundaries:  # boundary names are in their members' texts and their flows'
            for chains in (last.topology.component_chain, topology.component_chain):
                touched |= {cid for cid, chain in chains.items() if not boundaries.isdisjoint(chain)}
        facts, components_again, flows_again = last.facts.updated(model, topology, touched, flows | crossed, neighbours)
        names = last.names
        if components or boundaries:
            names = dict(names)
            for eid in components | boundaries:
                element = model.components.get(eid) or model.boundaries.get(eid)
                if element is None:
                    names.pop(eid, None)
                else:
                    names[eid] = element.name or eid
        again = components_again | flows_again | (touched & model.components.keys())
        decided = self._decided_again(last, model, neighbours) - again
        state = _State(model, topology, facts, neighbours, names, dict(last.results), last.covered.copy())
        state.spliced_from = last
        unrecognised = last.unrecognised[0]
        if unrecognised is not None and components:
            unrecognised = without_keys(unrecognised, components)
            unrecognised.update(unrecognised_components(self.catalogue, model.components, components))
        state.unrecognised = [unrecognised]
        run = _Run(self, state)
        mc, mf = model.components, model.flows
        removed = {eid for eid in (*components, *flows) if eid not in mc and eid not in mf}
        for eid in removed:
            run.forget(eid)
        changed = {eid for eid in again if (eid in mc or eid in mf) and run.element(eid, last)}
        changed |= {eid for eid in decided if (eid in mc or eid in mf) and run.element(eid, last, evaluate=False)}
        return state, frozenset(changed | removed)

    def _decided_again(self, last: _State, model: ThreatModel, neighbours: Neighbours) -> set[str]:
        """Elements whose decisions or hand-written threats may differ between the two models."""
        before = last.model
        out: set[str] = set()
        for tid in changed_keys(before.threats, model.threats):
            out |= {t.target for t in (before.threats.get(tid), model.threats.get(tid)) if t is not None}
        for key in changed_keys(before.decisions, model.decisions):
            element = key.partition("@")[2]
            if element == "*":  # a rule decided everywhere
                return set(model.components) | set(model.flows)
            # a threat's key names its owner: a flow's end, or the request of a response
            out |= {element} | neighbours.flows_touching({element}) | neighbours.responses_to({element})
        return out


@dataclass(slots=True)
class _Result:
    """One element's part of an analysis."""

    raw: tuple[Finding, ...]
    """Its rule findings before decisions."""
    errors: tuple[RuleError, ...]
    findings: tuple[Finding, ...]
    """Its rule findings with their decisions, then its hand-written threats."""
    covering: tuple[str, ...]
    """The decision keys that cover one of its findings."""


@dataclass
class _State:
    """What the analyzer keeps of the last model it analysed, to update instead of rebuild."""

    model: ThreatModel
    topology: Topology
    facts: FactBase
    neighbours: Neighbours
    names: dict[str, str]
    """Display names of components and boundaries (texts use them)."""
    results: dict[str, _Result] = field(default_factory=dict)
    covered: Counter[str] = field(default_factory=Counter)
    """How many findings each decision key covers (a key covering none is an orphan)."""
    spliced_from: _State | None = None
    """The state this one was updated from, until its findings are listed (then dropped)."""
    order: list[str] = field(default_factory=list)
    """Every component and flow, in model order: how `findings` is laid out."""
    counts: list[int] = field(default_factory=list)
    """How many findings each element of `order` has in `findings`."""
    position: dict[str, int] = field(default_factory=dict)
    """Where each element is in `order`."""
    findings: list[Finding] = field(default_factory=list)
    """Every finding in model order (each analysis lists a copy)."""
    with_errors: set[str] = field(default_factory=set)
    """The elements with rule errors."""
    unrecognised: list[dict[str, str] | None] = field(default_factory=lambda: [None])
    """`unrecognised_components` of the model, once its analysis' questions asked for it (the
    analysis holds this cell): the next state updates it for the edited components alone."""

    def analysis(self, ruleset: RuleSet, catalogue: Catalogue, changed: frozenset[str] | None) -> Analysis:
        model, results = self.model, self.results
        last, self.spliced_from = self.spliced_from, None
        order = [*model.components, *model.flows]
        if last is None or changed is None or order != last.order or 8 * len(changed) > len(order):
            self._list_all(order)
        else:
            self._splice(last, changed)
        errors: list[RuleError] = []
        if self.with_errors:  # in model order
            for eid in sorted(self.with_errors, key=self.position.__getitem__):
                errors.extend(results[eid].errors)
        findings = list(self.findings)
        covered = self.covered
        return Analysis(
            model,
            self.topology,
            findings,
            orphans=[key for key in model.decisions if not covered[key]],
            errors=errors,
            disabled=tuple(ruleset.disabled.values()),
            catalogue=catalogue,
            changed=changed,
            unrecognised=self.unrecognised,
            element_results=results,
            positions=self.position,
        )

    def part(self, ruleset: RuleSet, wanted: set[str]) -> Analysis:
        """The findings of the ``wanted`` elements alone, in model order (`Analyzer.preview`):
        which decisions are orphans is not known until every element is analysed."""
        model, results = self.model, self.results
        order = [eid for eid in (*model.components, *model.flows) if eid in wanted]
        return Analysis(
            model,
            self.topology,
            [f for eid in order for f in results[eid].findings],
            errors=[e for eid in order for e in results[eid].errors],
            disabled=tuple(ruleset.disabled.values()),
            catalogue=ruleset.catalogue,
            unrecognised=self.unrecognised,
            partial=True,
        )

    def _list_all(self, order: list[str]) -> None:
        """Lay out every element's findings in model order."""
        results = self.results
        findings: list[Finding] = []
        counts: list[int] = []
        with_errors: set[str] = set()
        for eid in order:
            result = results[eid]
            findings.extend(result.findings)
            counts.append(len(result.findings))
            if result.errors:
                with_errors.add(eid)
        self.order, self.counts, self.findings, self.with_errors = order, counts, findings, with_errors
        self.position = {eid: i for i, eid in enumerate(order)}

    def _splice(self, last: _State, changed: frozenset[str]) -> None:
        """`_list_all` from the last state's layout (the same elements in the same order): only
        the ``changed`` elements' findings are put in place of theirs (an edit changes a few of
        tens of thousands of elements; listing them all was most of a re-analysis)."""
        results, order = self.results, last.order
        findings, counts = list(last.findings), list(last.counts)
        with_errors = set(last.with_errors)
        at = {eid: last.position[eid] for eid in changed}
        for eid in sorted(changed, key=at.__getitem__, reverse=True):  # later slices first: starts stay put
            i = at[eid]
            result = results[eid]
            start = sum(counts[:i])
            findings[start : start + counts[i]] = result.findings
            counts[i] = len(result.findings)
            if result.errors:
                with_errors.add(eid)
            else:
                with_errors.discard(eid)
        self.order, self.counts, self.findings, self.with_errors = order, counts, findings, with_errors
        self.position = last.position


class _Run:
    """Computes elements' results into a state (one analysis, full or incremental)."""

    def __init__(self, analyzer: Analyzer, state: _State) -> None:
        self.analyzer, self.state = analyzer, state
        model = state.model
        self.decide = _Decider(model, analyzer.today)
        self.decisions = bool(model.decisions)
        self.custom: dict[str, list[str]] = {}
        for tid, threat in model.threats.items():
            self.custom.setdefault(threat.target, []).append(tid)

    def all(self) -> None:
        """Compute every element's result into a new state (but those `Analyzer.preview` did):
        `element` for each, in one loop that takes what every element reads once (a first
        analysis is thousands of them)."""
        state, analyzer = self.state, self.analyzer
        model, results, names = state.model, state.results, state.names
        dispatch, decide, custom = analyzer._dispatch, self.decide.all if self.decisions else None, self.custom
        chains, crossings_of = state.topology.component_chain, state.topology.crossings
        facts_of, covered = state.facts.components, state.covered
        flows = model.flows
        for eid, component in model.components.items():
            if eid in results:
                continue
            if component.out_of_scope:
                raw: tuple[Finding, ...] = ()
                errors: tuple[RuleError, ...] = ()
            else:
                kind, facts = component.kind, facts_of[eid]
                element = _Element(eid, kind, facts, names, component.name or eid, chains[eid])
                raw, errors = _evaluate(dispatch[kind].candidates(facts), element, analyzer)
            self._put(eid, raw, errors, decide, custom, results, covered)
        facts_of = state.facts.flows
        for eid, flow in flows.items():
            if eid in results:
                continue
            if flow.out_of_scope:
                raw, errors = (), ()
            else:
                facts = facts_of[eid]
                # a response's findings belong to its request (`control_owner`)
                owner = flow.response_to if flow.response_to in flows else eid
                element = _Element(eid, "flow", facts, names, "", (), flow, crossings_of[eid], owner)
                rules = dispatch["response" if facts.get("is_response") else "flow"].candidates(facts)
                raw, errors = _evaluate(rules, element, analyzer)
            self._put(eid, raw, errors, decide, custom, results, covered)

    def _put(
        self,
        eid: str,
        raw: tuple[Finding, ...],
        errors: tuple[RuleError, ...],
        decide: Callable[[tuple[Finding, ...]], tuple[tuple[Finding, ...], tuple[str, ...]]] | None,
        custom: dict[str, list[str]],
        results: dict[str, _Result],
        covered: Counter[str],
    ) -> None:
        """`element`'s result of a first analysis (no last result to compare with)."""
        decided, covering = decide(raw) if decide is not None else (raw, ())
        threats = custom.get(eid) if custom else None
        if threats:
            model = self.state.model
            kind = model.components[eid].kind if eid in model.components else "flow"
            decided = (*decided, *_custom_findings(threats, eid, kind, model, self.state.topology))
        if covering:
            covered.update(covering)
        results[eid] = _Result(raw, errors, decided, covering)

    def forget(self, eid: str) -> None:
        """Drop a removed element's result."""
        result = self.state.results.pop(eid, None)
        if result is not None:
            self.state.covered.subtract(result.covering)

    def element(self, eid: str, last: _State | None, evaluate: bool = True) -> bool:
        """Compute ``eid``'s result; True when it differs from its result in ``last``.
        ``evaluate`` False keeps its rule findings from ``last`` (only decisions changed)."""
        state, analyzer = self.state, self.analyzer
        model = state.model
        before = last.results.get(eid) if last is not None else None
        if before is not None and not evaluate:
            raw, errors = before.raw, before.errors
        else:
            element = self._element(eid)
            if element is None:
                raw, errors = (), ()
            else:
                dispatch = analyzer._dispatch["response" if element.facts.get("is_response") else element.kind]
                raw, errors = _evaluate(dispatch.candidates(element.facts), element, analyzer)
        decided, covering = self.decide.all(raw) if self.decisions else (raw, ())
        custom = self.custom.get(eid) if self.custom else None
        if custom:
            kind = model.components[eid].kind if eid in model.components else "flow"
            decided = (*decided, *_custom_findings(custom, eid, kind, model, state.topology))
        if (
            before is not None
            and before.findings == decided
            and before.covering == covering
            and before.errors == errors
        ):
            state.results[eid] = _Result(raw, errors, before.findings, covering)
            return False
        if last is not None:  # kept across edits: the texts are filled now, from this model's names
            _fill_texts(decided)
        if before is not None and before.covering:
            state.covered.subtract(before.covering)
        if covering:  # most elements have no decision: Counter.update costs even when empty
            state.covered.update(covering)
        state.results[eid] = _Result(raw, errors, decided, covering)
        return True

    def _element(self, eid: str) -> _Element | None:
        state = self.state
        model = state.model
        component = model.components.get(eid)
        if component is not None:
            if component.out_of_scope:
                return None
            chain = state.topology.component_chain[eid]
            return _Element(eid, component.kind, state.facts.components[eid], state.names, component.name or eid, chain)
        flow = model.flows[eid]
        if flow.out_of_scope:
            return None
        owner = control_owner(model, eid, "element")  # a response's findings belong to its request
        crossings = state.topology.crossings[eid]
        return _Element(eid, "flow", state.facts.flows[eid], state.names, "", (), flow, crossings, owner)


def unrecognised_components(
    catalogue: Catalogue | None, components: Mapping[str, Component], only: Iterable[str] | None = None
) -> dict[str, str]:
    """The processes and stores (of ``only``, or all) whose technology ``catalogue`` does not
    recognise, each with what to ask: "What is X built with?" (questions ask it)."""
    found: dict[str, str] = {}
    if catalogue is None:
        return found
    for element_id in components if only is None else only:
        component = components.get(element_id)
        if component is None or component.kind == "external_entity":
            continue
        # "User service" names a person, not what the service is built with
        families = catalogue.families_of(component.technology, " ".join(component.tags or ()), component.name)
        if set(families) - {"person"}:
            continue
        name = component.name or element_id
        found[element_id] = f"What is {name} built with?" + (
            f" (`{component.technology}` is not in the catalogue)" if component.technology else ""
        )
    return found


def preview_elements(model: ThreatModel, neighbours: Neighbours, element_id: str) -> set[str]:
    """The elements whose findings make up the threats the STRIDE panel shows for the component
    or flow ``element_id``. A threat gathers the findings whose control one element owns (a
    component, or a request for its responses): a component's threats are its own and its
    flows'; a flow's are those of its request and responses and of its two ends'."""
    component = model.components.get(element_id)
    if component is not None:
        return {element_id, *neighbours.flows_touching((element_id,))}
    flow = model.flows[element_id]
    requests = {element_id, *([flow.response_to] if flow.response_to in model.flows else [])}
    ends = {flow.source, flow.target} & model.components.keys()
    return {*requests, *neighbours.responses_to(requests), *ends, *neighbours.flows_touching(ends)}


def _names(model: ThreatModel) -> dict[str, str]:
    names = {bid: b.name or bid for bid, b in model.boundaries.items()}
    names.update({cid: c.name or cid for cid, c in model.components.items()})
    return names


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

    What its findings share (`settle`) is worked out when a rule first fires on it, and the
    texts rules fill in (`values`, `crossing_text`) when a finding's texts are first read: an
    element on which no rule fires needs neither."""

    __slots__ = (
        "_crossing_text",
        "_names",
        "_owner",
        "_values",
        "boundaries",
        "crossings",
        "ends",
        "facts",
        "flow",
        "id",
        "kind",
        "name",
        "owners",
        "risk_id",
    )

    def __init__(
        self,
        element_id: str,
        kind: str,
        facts: dict[str, object],
        names: dict[str, str],
        name: str = "",
        chain: tuple[str, ...] = (),
        flow: Flow | None = None,
        crossings: tuple[Crossing, ...] = (),
        owner: str = "",
    ) -> None:
        self.id, self.kind, self.facts, self._names = element_id, kind, facts, names
        self.name = name
        """Its display name (a flow's: once settled)."""
        self.boundaries = chain
        """A component's boundary chain; the boundaries a flow crosses (once settled)."""
        self.flow, self.crossings, self._owner = flow, crossings, owner
        self.ends: tuple[str, str] | None = None
        """A flow's source and target (once settled; None: a component)."""
        self.owners: tuple[str, str, str] | None = None
        """A flow's `control_owner` by a rule's `_REMEDY_AT` (once settled): the flow (its
        request, for a response), its source, its target."""
        self.risk_id: int | None = None
        """The analyzer's id of the facts risk reads here, taken once for all the element's findings."""
        self._values: dict[str, str] | None = None
        self._crossing_text: str | None = None

    def settle(self) -> None:
        """Work out what a flow's findings share: its name, the boundaries it crosses, its ends."""
        flow = self.flow
        if flow is not None:
            names, crossings, source, target = self._names, self.crossings, flow.source, flow.target
            # `flow_display_name`, from the names the state keeps
            self.name = flow.name or f"{names.get(source, source)} → {names.get(target, target)}"
            self.boundaries = tuple([c.boundary for c in crossings]) if crossings else ()
            self.ends = (source, target)
            self.owners = (self._owner, source, target)

    def texts_resolve(self) -> bool:
        """Whether every name its texts read is known (a model that passed its checks)."""
        names, flow = self._names, self.flow
        if flow is not None and (flow.source not in names or flow.target not in names):
            return False
        return all(map(names.__contains__, self.boundaries))

    def with_crossings(self, explanation: tuple[str, ...]) -> tuple[str, ...]:
        """A cached explanation with this element's crossings in place of their placeholder."""
        text = self.crossing_text()
        return tuple([text if e is _CROSSINGS else e for e in explanation])

    def crossing_text(self) -> str:
        """Which boundaries it crosses, which way, in words."""
        text = self._crossing_text
        if text is None:
            names = self._names
            if not self.crossings:
                text = "crosses no trust boundary"
            else:
                text = "crosses " + ", ".join([f"{names[c.boundary]} ({c.direction})" for c in self.crossings])
            self._crossing_text = text
        return text

    def values(self) -> dict[str, str]:
        """What a rule's text fills its placeholders with."""
        values = self._values
        if values is None:
            values = self._values = self._fill_values()
        return values

    def _fill_values(self) -> dict[str, str]:
        names, name, flow = self._names, self.name, self.flow
        boundaries = ", ".join([names[b] for b in self.boundaries]) or "no boundary"
        if flow is None:
            return {
                "element": name,
                "boundaries": boundaries,
                "source": name,
                "target": name,
                "data": "its data",
                "protocol": "its protocol",
            }
        return {
            "element": name,
            "boundaries": boundaries,
            "source": names[flow.source],
            "target": names[flow.target],
            "data": flow.data or "its data",
            "protocol": flow.protocol or "an unstated protocol",
        }


_new_finding = object.__new__
_REMEDY_AT = {"source": 1, "target": 2}
"""Where in `_Element.owners` a rule's ``remedy_on`` finds the control's owner (any other value: 0,
the flow or its request)."""


_GUARD_KEYS = 4
"""How many facts narrow a kind's rules down before their conditions run."""
_GUARD_OPS = frozenset({"equals", "not_equals", "in", "not_in", "unknown"})
_DERIVED = frozenset({*COMPONENT_DERIVED, *FLOW_DERIVED, "kind"})


class _Dispatch:
    """The rules of one kind of element, narrowed down by a few facts before any condition runs.

    Most conditions are a conjunction whose first parts test one fact each against a value
    (``source.kind`` is a process, ``target.kind`` a data store, the flow crosses a boundary).
    The facts that most rules test that way are the guard keys; for each combination of their
    values an element has, which rules can still hold is worked out once (each rule's tests of
    those facts alone, run on those values alone), and every element with the same combination
    runs only those rules, and of each only the parts that test other facts. A rule left out is
    one whose conjunction is certainly false: the findings are the same, in the same order."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        # each rule's parts and their guard keys are the rule's own: worked out once per rule
        # (`Rule.compiled`), not by every analyzer of the rules
        split = [_parts(rule) for rule in rules]
        counts: Counter[str] = Counter()
        for _, part_keys in split:
            counts.update({key for key in part_keys if key is not None})
        self.keys = tuple(key for key, n in counts.most_common(_GUARD_KEYS) if n >= 2)
        self._guards: list[list[tuple[int, Predicate]]] = []
        """Per rule: (index of a guard key, the test of that fact alone) of each guarded part."""
        self._rest: list[Predicate | None] = []
        """Per rule: its other parts, what runs on an element once its guards passed."""
        self._needs: list[tuple[str, ...] | None] = []
        """Per rule: facts of which its other parts need one with a true value to hold (None: none)."""
        for rule, (items, keys) in zip(rules, split, strict=True):
            # compiled once per rule and guard keys: a compiled word test keeps the values it has
            # searched, as the rule's own predicate does, for the rule set's next analyzer
            compiled = rule.compiled.get(self.keys)
            if compiled is None:
                compiled = rule.compiled[self.keys] = self._compile(rule, items, keys)
            guards, rest, need = compiled
            self._guards.append(guards)
            self._rest.append(rest)
            self._needs.append(need)
        self._entries: list[tuple[Rule, Predicate | None, str | None, tuple[str, ...] | None]] = [
            (rule, rest, *((need[0], need[1:] or None) if need else (None, None)))
            for rule, rest, need in zip(rules, self._rest, self._needs, strict=True)
        ]
        """Per rule: what is left to test once its guards pass, and the facts that needs."""
        self._made = [_made_with(rule, self.keys) for rule in rules]
        """Per rule: what its `_Fires` takes from it (each combination adds its own ratings)."""
        # (values, their types) → the rules that may hold: True equals 1 in a dict key, not in a rule
        self._memo: dict[tuple[tuple[object, ...], tuple[type, ...]], list[_Candidate]] = {}
        self._outcomes: list[dict[tuple[object, type], tuple[int, int]]] = [{} for _ in self.keys]
        """Per guard key: (value, its type) → the rules whose tests of that key alone pass on it
        (a rule testing other keys only passes), and those whose tests of it raised, as bits."""

    def _compile(
        self, rule: Rule, items: tuple[Condition, ...], keys: tuple[str | None, ...]
    ) -> tuple[list[tuple[int, Predicate]], Predicate | None, tuple[str, ...] | None]:
        """A rule's tests of the guard keys, its other parts, and the facts those need."""
        guards = [
            (self.keys.index(k), compile_condition(p)) for p, k in zip(items, keys, strict=True) if k in self.keys
        ]
        if not guards:
            return guards, rule.predicate, _needed(rule.condition) if rule.condition is not None else None
        rest = tuple(p for p, k in zip(items, keys, strict=True) if k not in self.keys)
        return guards, compile_condition(All(rest)) if rest else None, _needed(All(rest)) if rest else None

    def candidates(self, facts: dict[str, object]) -> list[_Candidate]:
        """The rules whose conditions may hold on an element with these facts, in rule order,
        each with what is left to test (None: nothing, it holds), the facts of which that
        needs one with a true value (None: none; see `_needed`), and what its findings are
        made with (`_Candidate`): the same list for every element with these guard values."""
        values = tuple(map(facts.get, self.keys))
        key = (values, tuple(map(type, values)))
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > 10_000:  # free-text guard values: never an unbounded memo
                self.forget()
            found = self._memo[key] = self._narrow(values)
        return found

    def forget(self) -> None:
        """Drop what was worked out for the values seen so far (and the ratings it holds)."""
        self._memo.clear()
        for outcomes in self._outcomes:
            outcomes.clear()

    def _narrow(self, values: tuple[object, ...]) -> list[_Candidate]:
        # each guard key's tests are run once per value it takes, for every rule at once: a
        # rule holds where all its keys' tests pass
        held, raised = (1 << len(self.rules)) - 1, 0
        for i, value in enumerate(values):
            outcomes = self._outcomes[i]
            found = outcomes.get((value, type(value)))
            if found is None:
                found = outcomes[(value, type(value))] = self._outcome(i, value)
            held &= found[0]
            raised |= found[1]
        out: list[_Candidate] = []
        for index, entry in enumerate(self._entries):
            if raised >> index & 1:  # its tests in order, as its condition runs them
                rule = entry[0]
                try:
                    holds = all(
                        test({self.keys[i]: v} if (v := values[i]) is not None else {})
                        for i, test in self._guards[index]
                    )
                except Exception:  # a broken test: the whole rule runs, and its error is reported there
                    out.append((rule.predicate, None, None, (rule, {}, *self._made[index])))
                    continue
                if holds:
                    out.append((*entry[1:], (rule, {}, *self._made[index])))
            elif held >> index & 1:
                out.append((*entry[1:], (entry[0], {}, *self._made[index])))
        return out

    def _outcome(self, i: int, value: object) -> tuple[int, int]:
        """Which rules' tests of guard key ``i`` pass on ``value`` (or raise), as bits."""
        probe = {self.keys[i]: value} if value is not None else {}
        passed = raised = 0
        for index, guards in enumerate(self._guards):
            try:
                if all(test(probe) for k, test in guards if k == i):
                    passed |= 1 << index
            except Exception:
                raised |= 1 << index
        return passed, raised


_Candidate = tuple[Predicate | None, str | None, tuple[str, ...] | None, "_Fires"]
"""A rule that may hold on an element with one combination of guard values: what is left to test
of it, the facts of which that needs one with a true value: the first, and any others (None: no
more; both None: none), and what its findings are made with (`_Fires`)."""

_Made = tuple[tuple[str, ...], str, str, str, tuple[str, ...], tuple[str, ...], str, str, int]
_Fires = tuple[
    Rule, dict[object, "_Rated"], tuple[str, ...], str, str, str, tuple[str, ...], tuple[str, ...], str, str, int
]
"""The rule; its ratings on the elements of the combination, by risk id and the values of the
next item: the facts its explanation reads that are not guard keys (the guard keys' values are
the combination's); then what each of its findings copies from the rule: id, category,
severity, mitigations, references, remedy, control, and where in `_Element.owners` the
control's owner is."""


def _made_with(rule: Rule, guarded: tuple[str, ...]) -> _Made:
    """What `_Fires` takes from ``rule`` (all but the ratings), in a dispatch on ``guarded``."""
    keys = tuple(k for k in rule.explain_keys if k not in guarded)
    at = _REMEDY_AT.get(rule.remedy_on, 0)
    return keys, rule.id, rule.category, rule.severity, rule.mitigations, rule.references, rule.remedy, rule.control, at


def _parts(rule: Rule) -> tuple[tuple[Condition, ...], tuple[str | None, ...]]:
    """The parts of a rule's condition (a conjunction's items, or the condition) and the
    `_guard_key` of each."""
    found = rule.compiled.get("parts")
    if found is None:
        cond = rule.condition
        items = (cond.items if isinstance(cond, All) else (cond,)) if cond is not None else ()
        found = rule.compiled["parts"] = (items, tuple([_guard_key(part) for part in items]))
    return found


def _needed(cond: Condition) -> tuple[str, ...] | None:
    """Facts of which one must be set to a true value (not false, zero, empty or unknown) for
    ``cond`` to hold: an element with none of them skips the rule without running its test."""
    keys = _requires(cond)
    return tuple(sorted(keys)) if keys else None


def _requires(cond: Condition) -> frozenset[str] | None:
    """Facts of which ``cond`` needs one with a true value to hold (None: it may hold on none).
    A test that a fact equals, or is one of, true values, or names words, or the boundary
    test, is false on a false, empty or unknown value; a negative test may hold on one."""
    if isinstance(cond, FactTest):
        if cond.op == "contains_any" or (cond.op == "equals" and cond.value):
            return frozenset((cond.fact,))
        if cond.op == "in" and isinstance(cond.value, tuple) and all(cond.value):
            return frozenset((cond.fact,))
        return None
    if isinstance(cond, Crosses):
        return frozenset(("crosses_boundary",)) if cond.value else None
    if isinstance(cond, ModelHas):
        return frozenset((cond.key,))
    if isinstance(cond, All):
        # one part's facts will do: the fewest, of those a model may leave out if any (they are
        # unset on most elements, so the rule is skipped most often)
        found = [r for item in cond.items if (r := _requires(item))]
        own = [r for r in found if all(_optional(k) for k in r)]
        return min(own or found, key=len) if found else None
    if isinstance(cond, AnyOf):
        parts = [_requires(item) for item in cond.items]
        if not parts or any(not p for p in parts):
            return None
        return frozenset().union(*[p for p in parts if p])
    return None


def _optional(key: str) -> bool:
    """A fact the model sets or leaves out (not one the analysis derives for every element)."""
    base = key.partition(".")[2] if key.startswith(("source.", "target.")) else key
    return base not in _DERIVED and not key.startswith("model_has:")


def _guard_key(part: Condition) -> str | None:
    """The one fact a part of a conjunction tests against fixed values, if it is such a test."""
    if isinstance(part, Crosses):
        return "crosses_boundary"
    if isinstance(part, FactTest) and part.op in _GUARD_OPS:
        read = facts_read(part)
        return read[0] if len(read) == 1 else None
    return None


def _evaluate(
    rules: list[_Candidate], element: _Element, memo: Analyzer
) -> tuple[tuple[Finding, ...], tuple[RuleError, ...]]:
    """The findings of ``rules`` (`_Dispatch.candidates`) on ``element``."""
    findings: list[Finding] = []
    errors: list[RuleError] = []
    facts = element.facts
    get = facts.get
    # what every finding of the element shares, taken once (a finding is made for every rule
    # that fires on every element: this loop is most of an analysis)
    eid, kind, crossings = element.id, element.kind, element.crossings
    risk_id: int | None = None
    lazy: bool | None = None
    for predicate, need, more, fires in rules:
        try:
            # none of the facts it needs is set to a true value: it cannot hold
            if need is not None and not get(need) and (more is None or not any(map(get, more))):
                continue
            if predicate is not None and not predicate(facts):
                continue
            # most candidates do not hold: what a finding takes from its rule is unpacked only here
            rule, rated_memo, keys, rule_id, category, base_severity, mitigations, references, remedy, control, at = (
                fires
            )
            # everything but the element's own texts depends on the rule and a few fact values:
            # a model of thousands of elements has a few hundred combinations, each rated once
            if risk_id is None:  # the first finding: what they all share
                element.settle()
                name, boundaries, owners = element.name, element.boundaries, element.owners
                ids = (eid, *element.ends) if element.ends is not None else (eid,)
                risk_id = _risk_id(memo, element)
                lazy = element.texts_resolve()
            # the risk id holds the kind and risk facts; the guard facts are the same for every
            # element this list of candidates is for, so only the rule's other facts are read
            key = (risk_id, *map(get, keys)) if keys else risk_id
            rated = rated_memo.get(key)
            if rated is None:
                rated = rated_memo[key] = _rate(rule, element, memo)
                memo._rated_count += 1
            explanation, crosses, settling, severity, confirmed, likelihood, impact, reasons = rated
            if not settling:
                rests_on: tuple[tuple[str, str], ...] = ()
            elif len(settling) == 1:
                ((on, fact),) = settling
                rests_on = ((ids[on], fact),)
            else:
                rests_on = tuple([(ids[on], fact) for on, fact in settling])
            if lazy:  # filled when read (see `Finding`)
                title = description = None
            else:  # a name it needs is missing (a broken model): the error is the rule's, here
                if crosses:
                    explanation = element.with_crossings(explanation)
                values = element.values()
                title, description = rule.title_template.fill(values), rule.description_template.fill(values)
            # `Finding.__init__`'s stores, made here: the call itself was a tenth of the loop
            finding = _new_finding(Finding)
            finding.id = f"{rule_id}@{eid}"
            finding.rule_id = rule_id
            finding.category = category
            finding.severity = severity
            finding.base_severity = base_severity
            finding.confirmed_severity = confirmed
            finding.likelihood = likelihood
            finding.impact = impact
            finding.risk_reasons = reasons
            finding.element_id = eid
            finding.element_kind = kind
            finding.element_name = name
            finding.boundaries = boundaries
            finding.crossings = crossings
            finding._title = title
            finding._description = description
            finding._explanation = explanation
            finding.mitigations = mitigations
            finding.references = references
            finding.status = "open"
            finding.note = finding.ticket = None
            finding.custom = False
            finding.remedy = remedy
            finding.threat_id = f"{remedy}@{owners[at] if owners is not None else eid}"
            finding.control = control
            finding.rests_on = rests_on
            finding._on, finding._rule = element, rule
            findings.append(finding)
        except Exception as exc:  # fail closed: a broken rule is reported, never "no threat"
            errors.append(RuleError(fires[0].id, eid, f"{type(exc).__name__}: {exc}"))
    return tuple(findings), tuple(errors)


def _fill_texts(findings: tuple[Finding, ...]) -> None:
    """Fill in the texts of findings an analyzer keeps across edits: they then hold no element
    (nor the names of the model it came from)."""
    for finding in findings:
        if finding._on is not None:
            finding.title, finding.description, finding.explanation  # noqa: B018  (filled when read)
            finding._on = finding._rule = None


class _Decider:
    """Puts on each finding the decision that covers it, the most specific first: the finding
    (``rule@element``), its threat (``remedy@owner``), its rule everywhere (``rule@*``), its
    element (``*@element``). A decision past its ``expires`` date covers nothing: the finding is
    open again and says why."""

    def __init__(self, model: ThreatModel, today: datetime.date) -> None:
        self.model = model
        self.today = today

    def all(self, findings: tuple[Finding, ...]) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
        """The findings with their decisions, and the keys of the decisions that cover any."""
        decisions = self.model.decisions
        if not decisions or not findings:
            return findings, ()
        covering: list[str] = []
        decided = tuple(self._decide(f, decisions, covering) for f in findings)
        return decided, tuple(dict.fromkeys(covering))

    def _decide(self, finding: Finding, decisions: dict, covering: list[str]) -> Finding:
        chosen = None
        for key in (finding.id, finding.threat_id, f"{finding.rule_id}@*", f"*@{finding.element_id}"):
            decision = decisions.get(key)
            if decision is None:
                continue
            covering.append(key)
            if chosen is None:
                chosen = (key, decision)
        if chosen is None:
            return finding
        key, decision = chosen
        if decision.expires is not None and decision.expires < self.today:
            note = f"decision {key} ({decision.status}) expired on {decision.expires.isoformat()}"
            return finding.replace(note=note, ticket=decision.ticket)
        return finding.replace(status=decision.status, note=decision.note, ticket=decision.ticket)


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


def _risk(memo: Analyzer, rule: Rule, element: _Element, provisional: bool) -> tuple[Risk, str]:
    """The finding's risk, and its severity if its unknown facts turn out bad (the gate's)."""
    # a risk depends on what assess reads of the rule and on the element's risk facts: rules
    # alike (category, base, caller, raise) on one element share one rating
    key = (memo._risk_parts[rule.id], element.kind, provisional, _risk_id(memo, element))
    rated = memo._risks.get(key)
    if rated is None:
        risk = assess(rule, element.facts, element.kind, provisional)
        # fail closed: the gate rates a provisional finding as if its questions were answered badly
        confirmed = assess(rule, element.facts, element.kind, False).severity if provisional else risk.severity
        rated = memo._risks[key] = (risk, confirmed)
    return rated


def _risk_id(memo: Analyzer, element: _Element) -> int:
    """The element's kind and risk facts, taken once for all its findings, as a small id."""
    risk_id = element.risk_id
    if risk_id is None:
        keys = FLOW_RISK_FACTS if element.kind == "flow" else COMPONENT_RISK_FACTS
        values = (element.kind, *map(element.facts.get, keys))
        risk_id = element.risk_id = memo._risk_ids.setdefault(values, len(memo._risk_ids))
    return risk_id


_Rated = tuple[tuple[str, ...], bool, tuple[tuple[int, str], ...], str, str, str, str, tuple[str, ...]]
"""What a finding owes to its rule and its element's fact values alone: the explanation (the
crossings as a placeholder), whether it names the crossings, whose each settling fact is
(`_ENDS`: 0 the element, 1 a flow's source, 2 its target) and its key there, then the
severity, the confirmed severity, likelihood, impact and their reasons."""

_ENDS = (1, 2)
"""A flow's source and target by position in ``(element, source, target)``."""


def _rate(rule: Rule, element: _Element, memo: Analyzer) -> _Rated:
    if rule.condition is None:
        explanation: tuple[str, ...] = (f"applies to every {KIND_LABELS[element.kind]} (STRIDE per element)",)
        settling: tuple[str, ...] = ()
    else:
        # what the explanation and the settling facts read: the rule's facts and the ends' kinds
        facts = element.facts
        key = (rule.id, element.kind, *map(facts.get, rule.explain_keys))
        cached = memo._explanations.get(key)
        if cached is None:
            cached = memo._explanations[key] = (
                tuple(explain(rule.condition, facts, _CROSSINGS)),
                settling_facts(rule, facts, element.kind),
            )
        explanation, settling = cached
    risk, confirmed = _risk(memo, rule, element, bool(settling))
    # by position, not id: the rating is shared by elements alike
    ends = _ENDS if element.ends is not None else None
    return (
        explanation,
        _CROSSINGS in explanation,
        tuple(owner_of(fact, 0, ends) for fact in settling),
        risk.severity,
        confirmed,
        risk.likelihood,
        risk.impact,
        risk.reasons,
    )


def describe_crossings(model: ThreatModel, crossings: tuple[Crossing, ...]) -> str:
    """ "crosses Internet (leaving), Production cluster (entering)" — or that it crosses none."""
    if not crossings:
        return "crosses no trust boundary"
    parts = [f"{model.display_name(c.boundary)} ({c.direction})" for c in crossings]
    return "crosses " + ", ".join(parts)


def _custom_findings(
    threat_ids: list[str], element_id: str, kind: str, model: ThreatModel, topology: Topology
) -> list[Finding]:
    """The threats written by hand in the model's ``[threats]`` table on one element."""
    out = []
    crossings = topology.crossings.get(element_id, ()) if kind == "flow" else ()
    boundaries = (
        tuple(c.boundary for c in crossings) if kind == "flow" else topology.component_chain.get(element_id, ())
    )
    element_name = flow_display_name(model, element_id) if kind == "flow" else model.display_name(element_id)
    for tid in threat_ids:
        threat = model.threats[tid]
        severity = threat.severity or "medium"
        out.append(
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
                element_name=element_name,
                boundaries=boundaries,
                crossings=crossings,
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
    return out
