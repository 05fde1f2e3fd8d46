"""Where flows cross trust boundaries: boundary ancestry, and each flow's crossings with direction.

A flow crosses boundary B when exactly one of its endpoints is inside B, directly or through
nesting (DESIGN §2). Leaving B means the source is inside; entering means the target is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stride_tui.core.model.elements import ThreatModel

Direction = Literal["entering", "leaving"]


@dataclass(frozen=True)
class Crossing:
    """One boundary a flow crosses, and whether it goes in or out."""

    boundary: str
    direction: Direction


def boundary_chain(model: ThreatModel, boundary_id: str | None) -> tuple[str, ...]:
    """The boundary and its ancestors, innermost first (a valid model has no cycles)."""
    chain: list[str] = []
    seen: set[str] = set()
    while boundary_id is not None and boundary_id not in seen:
        chain.append(boundary_id)
        seen.add(boundary_id)
        boundary = model.boundaries.get(boundary_id)
        boundary_id = boundary.parent if boundary is not None else None
    return tuple(chain)


def all_boundary_chains(model: ThreatModel) -> dict[str | None, tuple[str, ...]]:
    """Every boundary's chain, each built once from its parent's (linear in the model size)."""
    chains: dict[str | None, tuple[str, ...]] = {None: ()}
    for start in model.boundaries:
        pending: list[str] = []
        node: str | None = start
        while node is not None and node not in chains and node not in pending:
            pending.append(node)
            boundary = model.boundaries.get(node)
            node = boundary.parent if boundary is not None else None
        base = chains.get(node, ())  # () also when a cycle was cut (invalid models only)
        for bid in reversed(pending):
            base = (bid, *base)
            chains[bid] = base
    return chains


class Topology:
    """Boundary chains of every component and crossings of every flow, computed once per model."""

    def __init__(self, model: ThreatModel) -> None:
        self.model = model
        chains = all_boundary_chains(model)
        self.chains = chains
        self.component_chain: dict[str, tuple[str, ...]] = {
            cid: chains.get(c.boundary, ()) for cid, c in model.components.items()
        }
        self.crossings: dict[str, tuple[Crossing, ...]] = {
            fid: self._crossings_of(f.source, f.target) for fid, f in model.flows.items()
        }

    def _crossings_of(self, source: str, target: str) -> tuple[Crossing, ...]:
        src = self.component_chain.get(source, ())
        dst = self.component_chain.get(target, ())
        if src == dst:
            return ()
        dst_set, src_set = set(dst), set(src)
        leaving = [Crossing(b, "leaving") for b in src if b not in dst_set]
        entering = [Crossing(b, "entering") for b in reversed(dst) if b not in src_set]
        return tuple(leaving + entering)

    def flows_crossing(self, boundary_id: str) -> list[str]:
        """Ids of the flows that cross ``boundary_id``, in model order."""
        return [fid for fid, cs in self.crossings.items() if any(c.boundary == boundary_id for c in cs)]
