"""The scope of a trust boundary: where each threat is walked, exactly once (DESIGN §8).

A squad applies STRIDE at every trust boundary. Each threat is placed in one boundary: a flow's
threats in the boundary it enters (the innermost one), or else the one it leaves; a response's
where its request is; a component's threats, and those of a flow that crosses nothing, in the
innermost boundary the component (or both ends) sit in. What sits in no boundary is "outside any
boundary". A boundary's scope then has two sections: the threats of the flows that cross into or
out of it, and those of its own members and the flows between them. Walking every boundary and
the outside visits every threat once.
"""

from __future__ import annotations

from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.analysis.threats import Threat

OUTSIDE = None
"""The place of what sits in no boundary."""


@dataclass(frozen=True)
class Scope:
    """The threats walked at one boundary (or outside every boundary), in two sections."""

    boundary_id: str | None
    crossing: tuple[Threat, ...]
    """Threats of the flows that cross the boundary."""
    inside: tuple[Threat, ...]
    """Threats of its members and of the flows between them."""

    @property
    def threats(self) -> tuple[Threat, ...]:
        return self.crossing + self.inside


def place(analysis: Analysis, element_id: str) -> tuple[str | None, bool]:
    """Where an element's threats are walked: (boundary or None, whether as a crossing)."""
    model, topology = analysis.model, analysis.topology
    flow = model.flows.get(element_id)
    if flow is None:
        chain = topology.component_chain.get(element_id, ())
        return (chain[0] if chain else OUTSIDE), False
    if flow.response_to in model.flows:
        return place(analysis, flow.response_to)
    crossings = topology.crossings.get(element_id, ())
    if crossings:
        entering = [c.boundary for c in crossings if c.direction == "entering"]
        return (entering[-1] if entering else crossings[0].boundary), True  # entering lists innermost last
    chain = topology.component_chain.get(flow.source, ())
    return (chain[0] if chain else OUTSIDE), False


def threat_place(analysis: Analysis, threat: Threat) -> tuple[str | None, bool]:
    """Where a threat is walked: at the element of its first finding (the fix may live in the
    flow's source, but the squad meets the threat on the flow)."""
    return place(analysis, threat.findings[0].element_id)


def boundary_scope(analysis: Analysis, threats: list[Threat], boundary_id: str | None) -> Scope:
    """The threats walked at ``boundary_id`` (None: outside any boundary), in threat order."""
    crossing: list[Threat] = []
    inside: list[Threat] = []
    for threat in threats:
        where, crosses = threat_place(analysis, threat)
        if where == boundary_id:
            (crossing if crosses else inside).append(threat)
    return Scope(boundary_id, tuple(crossing), tuple(inside))


def all_scopes(analysis: Analysis, threats: list[Threat]) -> list[Scope]:
    """Every boundary's scope in model order, then the outside: the walk of a whole session."""
    placed: dict[str | None, tuple[list[Threat], list[Threat]]] = {b: ([], []) for b in analysis.model.boundaries}
    placed[OUTSIDE] = ([], [])
    for threat in threats:
        where, crosses = threat_place(analysis, threat)
        placed.setdefault(where, ([], []))[0 if crosses else 1].append(threat)
    return [Scope(b, tuple(c), tuple(i)) for b, (c, i) in placed.items()]


def walked_elsewhere(analysis: Analysis, boundary_id: str) -> list[tuple[str | None, int]]:
    """The flows that cross ``boundary_id`` but are walked at another boundary (the one they
    enter innermost, or their request's), counted by that boundary, in model order: a boundary
    an outer one only wraps shows no crossing threats of its own, and says where they went."""
    counts: dict[str | None, int] = {}
    for fid in analysis.topology.flows_crossing(boundary_id):
        where, _ = place(analysis, fid)
        if where != boundary_id:
            counts[where] = counts.get(where, 0) + 1
    order: dict[str | None, int] = {b: i for i, b in enumerate(analysis.model.boundaries)}
    return sorted(counts.items(), key=lambda item: order.get(item[0], len(order)))


def walked_elsewhere_places(analysis: Analysis, boundary_id: str) -> tuple[int, str] | None:
    """How many flows cross ``boundary_id`` but are walked elsewhere, and where, as text:
    ``(3, "Production cluster (2), outside any boundary (1)")``; None when there are none."""
    elsewhere = walked_elsewhere(analysis, boundary_id)
    if not elsewhere:
        return None
    model = analysis.model
    places = ", ".join(f"{model.display_name(b) if b else 'outside any boundary'} ({n})" for b, n in elsewhere)
    return sum(n for _, n in elsewhere), places
