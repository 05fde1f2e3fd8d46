"""The response of a flow: the flow back from its target, marked ``response_to`` (DESIGN §8).

A request/response pair is two flows; the response is analysed for what it carries, never as a
call. The editor offers to add it right after a flow is added, in one key.
"""

from __future__ import annotations

from stride_tui.core.model.elements import Flow, ThreatModel

from .checks import propose_id
from .put import put_flow


def has_response(model: ThreatModel, flow_id: str) -> bool:
    """Whether some flow answers ``flow_id`` already."""
    return any(flow.response_to == flow_id for flow in model.flows.values())


def can_have_response(model: ThreatModel, flow_id: str) -> bool:
    """A flow that exists, is a request (not a response itself) and has no response yet."""
    flow = model.flows.get(flow_id)
    return flow is not None and flow.response_to is None and not has_response(model, flow_id)


def add_response(model: ThreatModel, flow_id: str) -> tuple[ThreatModel, str]:
    """``model`` with the response of ``flow_id`` added, and the response's id (``<flow>-response``
    unless taken). It goes from the request's target to its source and inherits its transport
    facts through ``response_to``, so it states none of its own. Raises ``EditError``."""
    request = model.flows[flow_id]
    response_id = propose_id(model, f"{flow_id}-response", "flows")
    response = Flow.model_validate({"from": request.target, "to": request.source, "response_to": flow_id})
    return put_flow(model, response_id, response), response_id
