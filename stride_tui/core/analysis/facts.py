"""The facts rules read: each element's own keys plus derived ones (exposure, crossings).

Facts are flat dicts. A component's are its set keys; a flow's add ``source.*`` and
``target.*`` copies of its endpoints' facts. A key that is absent is *unknown*.

Exposure is computed, never typed (DESIGN §8): a component is ``reachable_from_internet`` when
an untrusted caller's requests get to it directly or through components that ``forwards``
(gateways, load balancers, proxies), and ``reachable_unauthenticated`` when that path has a hop
with no authentication (an unknown method counts as none: fail closed). Responses are answers,
not calls, so they expose nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel

from stride_tui.core.analysis.stakes import stakes_in
from stride_tui.core.analysis.technologies import Catalogue, builtin_catalogue
from stride_tui.core.model.elements import COMPONENT_CLASSES, Flow, ThreatModel
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
)
FLOW_DERIVED = ("crosses_boundary", "from_internet", "is_response", "enters", "enters_more_trusted", "stakes")
STRONG_AUTHENTICATION = ("jwt", "oauth2", "mtls", "session")
"""Methods that prove a caller's identity per request (a shared static key does not)."""
_AUTHENTICATED = ("api_key", "static_secret", *STRONG_AUTHENTICATION)
RESPONSE_INHERITS = ("protocol", "encrypted", "signed")
"""Transport facts a response takes from its request when it does not set them itself."""
_NOT_FACTS = {"name", "description", "out_of_scope", "out_of_scope_reason"}

COMPONENT_FACTS: dict[str, frozenset[str]] = {
    kind: frozenset(set(cls.model_fields) - _NOT_FACTS) | set(COMPONENT_DERIVED)
    for kind, cls in COMPONENT_CLASSES.items()
}
ALL_COMPONENT_FACTS = frozenset().union(*COMPONENT_FACTS.values())
FLOW_FACTS = frozenset(set(Flow.model_fields) - _NOT_FACTS - {"source", "target"}) | set(FLOW_DERIVED)


def _set_fields(obj: BaseModel) -> dict[str, object]:
    # only the keys the file (or an edit) set: most facts of most elements are unknown; sorted,
    # because a set's order may differ between two equal elements (the cache key is ordered)
    values = obj.__dict__
    return {k: v for k in sorted(obj.model_fields_set) if (v := values[k]) is not None and k not in _NOT_FACTS}


class FactBase:
    """Facts of every element of one model."""

    def __init__(
        self,
        model: ThreatModel,
        topology: Topology,
        endpoint_keys: frozenset[str] | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        """
        Args:
            endpoint_keys: The ``source.*`` / ``target.*`` facts anything reads (rules, risk);
                None copies every one. Copying only those keeps each flow's facts, and the
                cache key made of them, small.
            catalogue: The technologies to recognise (default: the built-in catalogue).
        """
        self.topology = topology
        catalogue = catalogue or builtin_catalogue()
        internet = {bid for bid, b in model.boundaries.items() if b.internet or b.kind == "internet"}
        components: dict[str, dict[str, object]] = {}
        for cid, component in model.components.items():
            facts = _set_fields(component)
            in_internet = any(b in internet for b in topology.component_chain[cid])
            facts["in_internet"] = in_internet
            facts["untrusted"] = in_internet or (component.kind == "external_entity" and component.trusted is not True)
            facts["internet_facing"] = False
            # the name says what it is; a description mentions neighbours too ("keys for payments")
            facts["stakes"] = stakes_in(component.name)
            facts["family"] = catalogue.families_of(
                component.technology, " ".join(component.tags or ()), component.name
            )
            components[cid] = facts
        calls = {
            fid: f
            for fid, f in model.flows.items()
            # an out-of-scope flow exposes nothing the analysis should count; an answer is no call
            if not f.out_of_scope and f.response_to is None and f.source in components and f.target in components
        }
        for fid, flow in calls.items():
            if topology.crossings[fid]:
                components[flow.target]["entered_across_boundary"] = True
            if components[flow.target]["kind"] == "data_store":
                components[flow.source]["calls_data_store"] = True
        for flow in calls.values():
            if components[flow.source]["untrusted"]:
                components[flow.target]["internet_facing"] = True
        reachable = _reach(components, calls.values(), lambda flow: True)
        unauthenticated = _reach(components, calls.values(), lambda flow: flow.authentication not in _AUTHENTICATED)
        for cid, facts in components.items():
            facts["reachable_from_internet"] = cid in reachable
            facts["reachable_unauthenticated"] = cid in unauthenticated
            facts.setdefault("entered_across_boundary", False)
            facts.setdefault("calls_data_store", False)
        self.components = components

        def copies(prefix: str) -> dict[str, dict[str, object]]:
            keys = {k.removeprefix(prefix) for k in endpoint_keys if k.startswith(prefix)} if endpoint_keys else None
            return {
                cid: {prefix + k: v for k, v in f.items() if keys is None or k in keys} for cid, f in components.items()
            }

        as_source, as_target = copies("source."), copies("target.")
        self.flows: dict[str, dict[str, object]] = {}
        for fid, flow in model.flows.items():
            facts = _set_fields(flow)
            del facts["source"], facts["target"]
            request = model.flows.get(flow.response_to) if flow.response_to else None
            facts["is_response"] = request is not None
            if request is not None:
                for key in RESPONSE_INHERITS:
                    if facts.get(key) is None and getattr(request, key) is not None:
                        facts[key] = getattr(request, key)
            crossings = topology.crossings[fid]
            facts["stakes"] = stakes_in(flow.name, flow.data)
            facts["crosses_boundary"] = bool(crossings)
            facts["enters"] = tuple(c.boundary for c in crossings if c.direction == "entering")
            facts["enters_more_trusted"] = bool(facts["enters"]) and not components.get(flow.target, {}).get(
                "in_internet", False
            )
            facts["from_internet"] = bool(components.get(flow.source, {}).get("untrusted"))
            facts.update(as_source.get(flow.source, {}))
            facts.update(as_target.get(flow.target, {}))
            self.flows[fid] = facts


def _reach(components: dict[str, dict[str, object]], calls: Iterable[Flow], passes: Callable[[Flow], bool]) -> set[str]:
    """Components an untrusted caller's requests reach over flows that ``passes`` admits: the
    targets of calls from untrusted components, and onwards through components that forward."""
    onward: dict[str, list[Flow]] = {}
    for flow in calls:
        onward.setdefault(flow.source, []).append(flow)
    reached = {cid for cid, facts in components.items() if facts["untrusted"]}
    pending = list(reached)
    expanded: set[str] = set()
    while pending:
        cid = pending.pop()
        if cid in expanded:
            continue
        expanded.add(cid)
        # an untrusted caller reaches its targets; a reached forwarder passes requests on
        if not (components[cid]["untrusted"] or components[cid].get("forwards") is True):
            continue
        for flow in onward.get(cid, ()):
            if passes(flow) and flow.target not in reached:
                reached.add(flow.target)
                pending.append(flow.target)
    return reached
