"""The facts rules read: each element's own keys plus derived ones (exposure, crossings).

Facts are flat dicts. A component's are its set keys; a flow's add ``source.*`` and
``target.*`` copies of its endpoints' facts. A key that is absent is *unknown*.

Exposure is computed, never typed (DESIGN §8): a component is ``reachable_from_internet`` when
an untrusted caller's requests get to it directly or through components that ``forwards``
(gateways, load balancers, proxies), and ``reachable_unauthenticated`` when that path has a hop
with no authentication (an unknown method counts as none: fail closed). Responses are answers,
not calls, so they expose nothing.

A fact base is built once per model, then *updated* after an edit: only the edited elements,
the components whose derived exposure changed, and the flows touching either are derived again.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import TypeVar

from pydantic import BaseModel

from stride_tui.core.analysis.conditions import ModelHas, compile_condition
from stride_tui.core.analysis.stakes import stakes_in
from stride_tui.core.analysis.technologies import Catalogue, builtin_catalogue
from stride_tui.core.model.elements import COMPONENT_CLASSES, Boundary, Component, Flow, ThreatModel
from stride_tui.core.model.topology import Topology

COMPONENT_DERIVED = (
    "in_internet",
    "untrusted",
    "internet_facing",
    "reachable_from_internet",
    "reachable_unauthenticated",
    "entered_across_boundary",
    "stakes",
    "family",
    "calls_data_store",
    "calls_with_secret",
    "callers",
    "zone_kind",
    "zone_enforced",
    "zone_members",
    "zone_trust",
    "producers_signed",
    "producers_untrusted",
)
FLOW_DERIVED = (
    "crosses_boundary",
    "from_internet",
    "is_response",
    "enters",
    "enters_kinds",
    "enters_unenforced",
    "enters_more_trusted",
    "stakes",
)
STRONG_AUTHENTICATION = ("jwt", "oauth2", "mtls", "session")
"""Methods that prove a caller's identity per request (a shared static key does not)."""
_AUTHENTICATED = ("api_key", "static_secret", *STRONG_AUTHENTICATION)
RESPONSE_INHERITS = ("protocol", "encrypted", "signed")
"""Transport facts a response takes from its request when it does not set them itself."""
_NOT_FACTS = {"name", "description", "out_of_scope", "out_of_scope_reason"}
_NOT_FLOW_FACTS = frozenset({*_NOT_FACTS, "source", "target"})

COMPONENT_FACTS: dict[str, frozenset[str]] = {
    kind: frozenset(set(cls.model_fields) - _NOT_FACTS) | set(COMPONENT_DERIVED)
    for kind, cls in COMPONENT_CLASSES.items()
}
ALL_COMPONENT_FACTS = frozenset().union(*COMPONENT_FACTS.values())
FLOW_FACTS = frozenset(set(Flow.model_fields) - _NOT_FACTS - {"source", "target"}) | set(FLOW_DERIVED)

_Call = tuple[str, str, bool, bool, bool | None, bool]
"""What exposure reads of a call: source, target, authenticated, crosses a boundary, signed,
authenticated with a secret the caller keeps (an API key or static secret)."""
_Node = tuple[bool, bool, bool, object]
"""What exposure reads of a component: untrusted, forwards, is a data store, its boundary."""


def _set_fields(obj: BaseModel) -> dict[str, object]:
    # only the keys the file (or an edit) set: most facts of most elements are unknown; sorted,
    # because a set's order may differ between two equal elements (the cache key is ordered)
    # a list (tags) becomes a tuple: every fact value is hashable, so facts can key caches
    values = obj.__dict__
    return {
        k: tuple(v) if type(v) is list else v
        for k in sorted(obj.model_fields_set)
        if (v := values[k]) is not None and k not in _NOT_FACTS
    }


class Neighbours:
    """Which flows touch each component and which responses answer each flow: what an edit of
    one element can reach. Kept up to date by the analyzer that owns it (never shared)."""

    def __init__(self, model: ThreatModel) -> None:
        self.flows_of: dict[str, set[str]] = {}
        self.responses_of: dict[str, set[str]] = {}
        for fid, flow in model.flows.items():
            self.add(fid, flow)

    def add(self, fid: str, flow: Flow) -> None:
        self.flows_of.setdefault(flow.source, set()).add(fid)
        self.flows_of.setdefault(flow.target, set()).add(fid)
        if flow.response_to is not None:
            self.responses_of.setdefault(flow.response_to, set()).add(fid)

    def remove(self, fid: str, flow: Flow) -> None:
        for end in (flow.source, flow.target):
            self.flows_of.get(end, set()).discard(fid)
        if flow.response_to is not None:
            self.responses_of.get(flow.response_to, set()).discard(fid)

    def flows_touching(self, components: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for cid in components:
            out |= self.flows_of.get(cid, set())
        return out

    def responses_to(self, flows: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for fid in flows:
            out |= self.responses_of.get(fid, set())
        return out


class _FlowFacts(dict[str, dict[str, object]]):
    """A fact base's flows' facts, each derived when first read: a first analysis shows the
    selected element's threats before it reads the rest of the model (`Analyzer.preview`);
    a flow whose facts were not read before an edit is derived from the edited model."""

    def __init__(self, base: FactBase, known: Mapping[str, dict[str, object]] | None = None) -> None:
        super().__init__(known or {})
        self._base = base

    def __missing__(self, fid: str) -> dict[str, object]:
        base = self._base
        facts = self[fid] = base._flow_facts(fid, base.model.flows[fid])
        return facts


class FactBase:
    """Facts of every element of one model."""

    def __init__(
        self,
        model: ThreatModel,
        topology: Topology,
        endpoint_keys: frozenset[str] | None = None,
        catalogue: Catalogue | None = None,
        queries: tuple[ModelHas, ...] = (),
    ) -> None:
        """
        Args:
            endpoint_keys: The ``source.*`` / ``target.*`` facts anything reads (rules, risk);
                None copies every one. Copying only those keeps each flow's facts small.
            catalogue: The technologies to recognise (default: the built-in catalogue).
            queries: The ``model_has`` conditions rules ask: answered once for the model, and
                the answers given to every element as facts.
        """
        self.model, self.topology = model, topology
        self._queries = [(q, compile_condition(q.item)) for q in queries]
        self._catalogue = catalogue or builtin_catalogue()
        self._keys = {
            prefix: ({k.removeprefix(prefix) for k in endpoint_keys if k.startswith(prefix)} if endpoint_keys else None)
            for prefix in ("source.", "target.")
        }
        self._names = {prefix: _Prefixed(prefix) for prefix in ("source.", "target.")}
        self._internet = _internet_boundaries(model)
        # boundary chains and entered zones repeat: each is read once (see `_zone`, `_entering`)
        self._zones: dict[tuple[str, ...], tuple[bool, str | None, bool, frozenset[str | None]]] = {}
        self._entered: dict[tuple[str, ...], tuple[tuple[str, ...], bool]] = {}
        self._own = {cid: self._own_facts(c, topology.component_chain[cid]) for cid, c in model.components.items()}
        self._calls = {fid: call for fid, f in model.flows.items() if (call := self._call(fid, f)) is not None}
        self._graph = _exposure(self._own, self._calls)
        self.components: dict[str, dict[str, object]] = {
            cid: {**own, **self._graph[cid]} for cid, own in self._own.items()
        }
        # the in-scope components satisfying each ``model_has`` condition: an edit re-tests only
        # the components whose facts it derived again, instead of the whole model
        self._holders: dict[str, set[str]] = {}
        self.model_facts = self._answer_queries(self.components)
        """The answers to the rules' ``model_has`` conditions, by key (every element has them)."""
        if self.model_facts:
            for facts in self.components.values():
                facts.update(self.model_facts)
        self._copies: dict[str, dict[str, dict[str, object]]] = {"source.": {}, "target.": {}}
        self.flows: dict[str, dict[str, object]] = _FlowFacts(self)
        """Each flow's facts, derived when first read (a whole analysis reads them all)."""

    def updated(
        self, model: ThreatModel, topology: Topology, components: set[str], flows: set[str], neighbours: Neighbours
    ) -> tuple[FactBase, set[str], set[str]]:
        """The facts of ``model``, an edit of this base's model, derived again only where they can
        differ: ``components`` and ``flows`` are the elements the edit touched (changed, added,
        removed, moved, or crossing differently); ``neighbours`` already describes ``model``.

        Returns the new base, the components whose facts were derived again, and the flows."""
        new = FactBase.__new__(FactBase)
        new.model, new.topology, new._catalogue, new._keys = model, topology, self._catalogue, self._keys
        new._names = self._names
        new._queries = self._queries
        if model.boundaries is not self.model.boundaries:
            new._internet, new._zones, new._entered = _internet_boundaries(model), {}, {}
        else:
            new._internet, new._zones, new._entered = self._internet, self._zones, self._entered
        new._own, new._calls = dict(self._own), dict(self._calls)
        for cid in components:
            component = model.components.get(cid)
            if component is None:
                new._own.pop(cid, None)
            else:
                new._own[cid] = new._own_facts(component, topology.component_chain[cid])
        # a call's endpoint facts count too (a target that became untrusted is no call)
        calls_again = flows | neighbours.flows_touching(components)
        for fid in calls_again:
            flow = model.flows.get(fid)
            call = new._call(fid, flow) if flow is not None else None
            if call is None:
                new._calls.pop(fid, None)
            else:
                new._calls[fid] = call
        # only these calls can differ from the last base's (comparing every call was a pass over them all)
        graph_changed = any(new._calls.get(fid) != self._calls.get(fid) for fid in calls_again)
        graph_changed = graph_changed or any(_node(new._own.get(c)) != _node(self._own.get(c)) for c in components)
        new._graph = _exposure(new._own, new._calls) if graph_changed else self._graph
        rederived = {c for c in components if c in new._own}
        if graph_changed:
            rederived |= {c for c, g in new._graph.items() if self._graph.get(c) != g}
        new.components = dict(self.components)
        for cid in components - new._own.keys():
            new.components.pop(cid, None)
        for cid in rederived:
            new.components[cid] = {**new._own[cid], **new._graph[cid], **self.model_facts}
        # a removed component changes the answers too, though nothing is derived again for it
        if rederived or components:
            new._holders = self._holders
            new.model_facts = new._answer_again(rederived | components)
        else:
            new._holders, new.model_facts = self._holders, self.model_facts
        answers_changed = new.model_facts != self.model_facts
        if answers_changed:  # a model-wide answer changed: every element
            rederived = set(new._own)
            new.components = {cid: {**new._own[cid], **new._graph[cid], **new.model_facts} for cid in new._own}
        new._copies = {p: without_keys(copies, rederived) for p, copies in self._copies.items()}
        if answers_changed:
            flows_again = set(model.flows)
        else:
            flows_again = (flows | neighbours.flows_touching(rederived | components)) & model.flows.keys()
        flows_again |= neighbours.responses_to(flows_again)
        new.flows = _FlowFacts(new, self.flows)
        for fid in flows - model.flows.keys():
            new.flows.pop(fid, None)
        for fid in flows_again:
            new.flows[fid] = new._flow_facts(fid, model.flows[fid])
        return new, rederived, flows_again

    def _own_facts(self, component: Component, chain: tuple[str, ...]) -> dict[str, object]:
        facts = _set_fields(component)
        zone = self._zones.get(chain)
        if zone is None:
            zone = self._zones[chain] = self._zone(chain)
        in_internet, zone_kind, enforced, kinds = zone
        facts["in_internet"] = in_internet
        untrusted = facts["untrusted"] = in_internet or (
            component.kind == "external_entity" and component.trusted is not True
        )
        # the name says what it is; a description mentions neighbours too ("keys for payments")
        facts["stakes"] = stakes_in(component.name)
        facts["family"] = self._catalogue.families_of(
            component.technology, " ".join(component.tags or ()), component.name
        )
        if zone_kind is not None:
            facts["zone_kind"] = zone_kind
        if enforced:
            facts["zone_enforced"] = True
        facts["zone_trust"] = (
            "internet"
            if untrusted
            else "third_party"
            if "third_party" in kinds or component.kind == "external_entity"
            else "dmz"
            if "dmz" in kinds
            else "internal"
        )
        return facts

    def _zone(self, chain: tuple[str, ...]) -> tuple[bool, str | None, bool, frozenset[str | None]]:
        """What a component's facts owe to its boundary chain: whether it is in the internet,
        its zone's kind, whether the zone is enforced, and the kinds of every zone around it."""
        boundaries = self.model.boundaries
        zone = boundaries.get(chain[0]) if chain else None
        return (
            any(b in self._internet for b in chain),
            _zone_kind(zone) if zone is not None else None,
            zone is not None and bool(zone.enforced_by),
            frozenset(_zone_kind(b) for b in map(boundaries.get, chain) if b is not None),
        )

    def _entering(self, enters: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        """The kinds of the zones a flow enters, and whether none of them is enforced."""
        found = self._entered.get(enters)
        if found is None:
            boundaries = self.model.boundaries
            entered = [boundaries[b] for b in enters if b in boundaries]
            found = self._entered[enters] = (
                tuple(dict.fromkeys(k for b in entered if (k := _zone_kind(b)))),
                # nothing on the way in enforces a zone: no boundary it enters names its enforcement
                bool(entered) and not any(b.enforced_by for b in entered),
            )
        return found

    def _call(self, fid: str, flow: Flow) -> _Call | None:
        """What exposure reads of ``flow``, or None when it is no call: an out-of-scope flow
        exposes nothing the analysis should count; an answer is no call."""
        if flow.out_of_scope or flow.response_to is not None:
            return None
        if flow.source not in self._own or flow.target not in self._own:
            return None
        if _pulled(self._own[flow.source]):
            return None
        authenticated = flow.authentication in _AUTHENTICATED
        secret = flow.authentication in ("api_key", "static_secret")
        return (flow.source, flow.target, authenticated, bool(self.topology.crossings[fid]), flow.signed, secret)

    def _copy(self, prefix: str, cid: str) -> dict[str, object]:
        copies = self._copies[prefix]
        copy = copies.get(cid)
        if copy is None:
            keys, facts, names = self._keys[prefix], self.components.get(cid, {}), self._names[prefix]
            copy = {names[k]: v for k, v in facts.items() if keys is None or k in keys}
            copies[cid] = copy
        return copy

    def _flow_facts(self, fid: str, flow: Flow) -> dict[str, object]:
        components = self.components
        source, target = flow.source, flow.target
        # the ends' copies first: a dict is copied in one block, and the flow's own facts then
        # go into a table already near its size (the order of a flow's facts means nothing)
        facts = {**self._copy("source.", source), **self._copy("target.", target)}
        values = flow.__dict__
        for k in sorted(flow.model_fields_set):
            if (v := values[k]) is not None and k not in _NOT_FLOW_FACTS:
                facts[k] = tuple(v) if type(v) is list else v
        source_facts = components.get(source, _NONE)
        request = self.model.flows.get(flow.response_to) if flow.response_to else None
        # a download from a registry is the answer to a request its target makes, drawn without it
        facts["is_response"] = request is not None or _pulled(source_facts)
        if request is not None:
            for key in RESPONSE_INHERITS:
                if facts.get(key) is None and getattr(request, key) is not None:
                    facts[key] = getattr(request, key)
        crossings = self.topology.crossings[fid]
        facts["stakes"] = stakes_in(flow.name, flow.data)
        if crossings:
            facts["crosses_boundary"] = True
            enters = tuple([c.boundary for c in crossings if c.direction == "entering"])
            facts["enters"] = enters
            facts["enters_kinds"], facts["enters_unenforced"] = self._entering(enters)
            facts["enters_more_trusted"] = bool(enters) and not components.get(target, _NONE).get("in_internet", False)
        else:  # a flow inside one zone enters nothing (the same values as above, without the work)
            facts["crosses_boundary"] = False
            facts.update(_ENTERS_NOTHING)
        facts["from_internet"] = bool(source_facts.get("untrusted"))
        if self.model_facts:
            facts.update(self.model_facts)
        return facts

    def _answer_queries(self, components: dict[str, dict[str, object]]) -> dict[str, bool]:
        """Each ``model_has`` condition: does some in-scope component of its kind satisfy it?"""
        if not self._queries:
            return {}
        model = self.model.components
        in_scope = [(cid, facts) for cid, facts in components.items() if not model[cid].out_of_scope]
        self._holders = {
            q.key: {cid for cid, facts in in_scope if q.kind in (None, facts["kind"]) and predicate(facts)}
            for q, predicate in self._queries
        }
        return {key: bool(holders) for key, holders in self._holders.items()}

    def _answer_again(self, dirty: set[str]) -> dict[str, bool]:
        """`_answer_queries` after an edit: only the ``dirty`` components (facts derived again,
        changed or removed) are tested again; the others hold what they held (same facts)."""
        if not self._queries:
            return {}
        model, components = self.model.components, self.components
        holders = self._holders
        copied = False
        for q, predicate in self._queries:
            members = holders[q.key]
            for cid in dirty:
                facts = components.get(cid)
                component = model.get(cid)
                holds = (
                    facts is not None
                    and component is not None
                    and not component.out_of_scope
                    and q.kind in (None, facts["kind"])
                    and bool(predicate(facts))
                )
                if holds == (cid in members):
                    continue
                if not copied:  # the last base keeps its own holders
                    holders, copied = {key: set(m) for key, m in holders.items()}, True
                    members = holders[q.key]
                (members.add if holds else members.discard)(cid)
        self._holders = holders
        return {key: bool(members) for key, members in holders.items()}


class _Prefixed(dict[str, str]):
    """``prefix + key`` for each key, the same string object every time: the flows' facts share
    their ``source.*`` / ``target.*`` keys instead of each holding new copies, and a rule's
    lookup of one finds it by identity, without comparing the text."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, key: str) -> str:
        name = self[key] = sys.intern(self.prefix + key)
        return name


def without_keys(table: dict[str, _T], keys: set[str]) -> dict[str, _T]:
    """A copy of ``table`` without ``keys`` (copied whole, then the few keys dropped)."""
    out = dict(table)
    for key in keys:
        out.pop(key, None)
    return out


def _pulled(source: dict[str, object]) -> bool:
    """Whether a flow out of ``source`` is a download: registries never call anyone, they are pulled from."""
    return "package-registry" in source.get("family", ())  # type: ignore[operator]


_T = TypeVar("_T")
_NONE: dict[str, object] = {}
"""The facts of a component the model does not have (never written to)."""
_ENTERS_NOTHING: dict[str, object] = {
    "enters": (),
    "enters_kinds": (),
    "enters_unenforced": False,
    "enters_more_trusted": False,
}


def _zone_kind(boundary: Boundary) -> str | None:
    """What a boundary separates; one marked ``internet = true`` is the internet."""
    return "internet" if boundary.internet else boundary.kind


def _internet_boundaries(model: ThreatModel) -> set[str]:
    return {bid for bid, b in model.boundaries.items() if _zone_kind(b) == "internet"}


def _node(own: dict[str, object] | None) -> _Node | None:
    if own is None:
        return None
    return (bool(own["untrusted"]), own.get("forwards") is True, own.get("kind") == "data_store", own.get("boundary"))


def _exposure(own: dict[str, dict[str, object]], calls: dict[str, _Call]) -> dict[str, dict[str, object]]:
    """The facts each component owes to its neighbours: who calls it, across what, from where,
    who shares its zone, and (for a store) what its producers send."""
    graph: dict[str, dict[str, object]] = {
        cid: {
            "internet_facing": False,
            "entered_across_boundary": False,
            "calls_data_store": False,
            "calls_with_secret": False,
        }
        for cid in own
    }
    callers: dict[str, set[str]] = {cid: set() for cid in own}
    produced: dict[str, list[tuple[bool | None, str]]] = {}
    for source, target, _, crosses, signed, secret in calls.values():
        callers[target].add(source)
        if secret:
            graph[source]["calls_with_secret"] = True
        if crosses:
            graph[target]["entered_across_boundary"] = True
        if own[target]["kind"] == "data_store":
            graph[source]["calls_data_store"] = True
            produced.setdefault(target, []).append((signed, source))
        if own[source]["untrusted"]:
            graph[target]["internet_facing"] = True
    reachable = _reach(own, calls.values(), authenticated_only=False)
    unauthenticated = _reach(own, calls.values(), authenticated_only=True)
    members: dict[object, int] = {}
    for facts in own.values():
        if facts.get("boundary") is not None:
            members[facts["boundary"]] = members.get(facts["boundary"], 0) + 1
    for cid, facts in graph.items():
        facts["reachable_from_internet"] = cid in reachable
        facts["reachable_unauthenticated"] = cid in unauthenticated
        facts["callers"] = len(callers[cid])
        zone = own[cid].get("boundary")
        facts["zone_members"] = members[zone] - 1 if zone is not None else 0
        sent = produced.get(cid)
        if sent:
            # signed when every producer signs, not when one is known not to; else unknown
            if all(signed is True for signed, _ in sent):
                facts["producers_signed"] = True
            elif any(signed is False for signed, _ in sent):
                facts["producers_signed"] = False
            # an event an anonymous caller can cause: from an untrusted producer, or one it reaches
            facts["producers_untrusted"] = any(
                own[source]["untrusted"] or source in unauthenticated for _, source in sent
            )
    return graph


def _reach(own: dict[str, dict[str, object]], calls: Iterable[_Call], authenticated_only: bool) -> set[str]:
    """Components an untrusted caller's requests reach (over unauthenticated hops only, when
    ``authenticated_only`` — the path an anonymous caller can take): the targets of calls from
    untrusted components, and onwards through components that forward."""
    onward: dict[str, list[str]] = {}
    for source, target, authenticated, _, _, _ in calls:
        if not (authenticated_only and authenticated):
            onward.setdefault(source, []).append(target)
    reached = {cid for cid, facts in own.items() if facts["untrusted"]}
    pending = list(reached)
    expanded: set[str] = set()
    while pending:
        cid = pending.pop()
        if cid in expanded:
            continue
        expanded.add(cid)
        # an untrusted caller reaches its targets; a reached forwarder passes requests on
        if not (own[cid]["untrusted"] or own[cid].get("forwards") is True):
            continue
        for target in onward.get(cid, ()):
            if target not in reached:
                reached.add(target)
                pending.append(target)
    return reached
