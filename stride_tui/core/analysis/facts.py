"""The facts rules read: each element's own keys plus derived ones (exposure, crossings).

Facts are flat dicts. A component's are its set keys; a flow's add ``source.*`` and
``target.*`` copies of its endpoints' facts. A key that is absent is *unknown*.
"""

from __future__ import annotations

from stride_tui.core.model.elements import COMPONENT_CLASSES, Flow, ThreatModel
from stride_tui.core.model.topology import Topology

COMPONENT_DERIVED = ("in_internet", "untrusted", "internet_facing")
FLOW_DERIVED = ("crosses_boundary", "from_internet", "is_response")
RESPONSE_INHERITS = ("protocol", "encrypted", "signed")
"""Transport facts a response takes from its request when it does not set them itself."""
_NOT_FACTS = {"name", "description", "out_of_scope", "out_of_scope_reason"}

COMPONENT_FACTS: dict[str, frozenset[str]] = {
    kind: frozenset(set(cls.model_fields) - _NOT_FACTS) | set(COMPONENT_DERIVED)
    for kind, cls in COMPONENT_CLASSES.items()
}
ALL_COMPONENT_FACTS = frozenset().union(*COMPONENT_FACTS.values())
FLOW_FACTS = frozenset(set(Flow.model_fields) - _NOT_FACTS - {"source", "target"}) | set(FLOW_DERIVED)


def _set_fields(obj: object) -> dict[str, object]:
    return {k: v for k, v in obj.__dict__.items() if v is not None and k not in _NOT_FACTS}


class FactBase:
    """Facts of every element of one model."""

    def __init__(self, model: ThreatModel, topology: Topology) -> None:
        self.topology = topology
        internet = {bid for bid, b in model.boundaries.items() if b.internet}
        components: dict[str, dict[str, object]] = {}
        for cid, component in model.components.items():
            facts = _set_fields(component)
            in_internet = any(b in internet for b in topology.component_chain[cid])
            facts["in_internet"] = in_internet
            facts["untrusted"] = in_internet or (component.kind == "external_entity" and component.trusted is not True)
            facts["internet_facing"] = False
            components[cid] = facts
        for flow in model.flows.values():
            if flow.out_of_scope:
                continue  # an out-of-scope flow exposes nothing the analysis should count
            source = components.get(flow.source)
            target = components.get(flow.target)
            if source is not None and target is not None and source["untrusted"]:
                target["internet_facing"] = True
        self.components = components
        as_source = {cid: {f"source.{k}": v for k, v in f.items()} for cid, f in components.items()}
        as_target = {cid: {f"target.{k}": v for k, v in f.items()} for cid, f in components.items()}
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
            facts["crosses_boundary"] = bool(topology.crossings[fid])
            facts["from_internet"] = bool(components.get(flow.source, {}).get("untrusted"))
            facts.update(as_source.get(flow.source, {}))
            facts.update(as_target.get(flow.target, {}))
            self.flows[fid] = facts
