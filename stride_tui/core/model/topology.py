"""Where flows cross trust boundaries: boundary ancestry, and each flow's crossings with direction.

A flow crosses boundary B when exactly one of its endpoints is inside B, directly or through
nesting (DESIGN §2). Leaving B means the source is inside; entering means the target is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.identity import changed_keys

Direction = Literal["entering", "leaving"]


@dataclass(frozen=True)
class Crossing:
    """One boundary a flow crosses, and whether it goes in or out."""

    boundary: str
    direction: Direction


@functools.lru_cache(maxsize=65_536)
def _crossing(boundary: str, direction: Direction) -> Crossing:
    # one value per boundary and direction, shared by every flow that crosses it that way
    return Crossing(boundary, direction)


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

    def updated(
        self, model: ThreatModel, components: set[str], flows: set[str], flows_of: Callable[[set[str]], set[str]]
    ) -> tuple[Topology, set[str], set[str]]:
        """The topology of ``model``, an edit of this one's model in which ``components`` and
        ``flows`` changed (added, removed or replaced), computed again only where it can differ
        (all chains when a boundary changed). ``flows_of`` gives the flows touching components.

        Returns the new topology, the components whose chain changed and the flows whose
        crossings changed (this one is left as it was: analyses made with it stay valid)."""
        new = Topology.__new__(Topology)
        new.model = model
        if not changed_keys(self.model.boundaries, model.boundaries):
            new.chains = chains = self.chains
            new.component_chain = dict(self.component_chain)
            for cid in components:
                component = model.components.get(cid)
                if component is None:
                    new.component_chain.pop(cid, None)
                else:
                    new.component_chain[cid] = chains.get(component.boundary, ())
            candidates = components
        else:
            new.chains = chains = all_boundary_chains(model)
            new.component_chain = {cid: chains.get(c.boundary, ()) for cid, c in model.components.items()}
            candidates = components | new.component_chain.keys() | self.component_chain.keys()
        moved = {c for c in candidates if new.component_chain.get(c) != self.component_chain.get(c)}
        new.crossings = dict(self.crossings)
        crossed: set[str] = set()
        for fid in flows | flows_of(moved):
            flow = model.flows.get(fid)
            if flow is None:
                new.crossings.pop(fid, None)
                continue
            crossings = new._crossings_of(flow.source, flow.target)
            if crossings != self.crossings.get(fid):
                crossed.add(fid)
            new.crossings[fid] = crossings
        return new, moved, crossed

    def _crossings_of(self, source: str, target: str) -> tuple[Crossing, ...]:
        src = self.component_chain.get(source, ())
        dst = self.component_chain.get(target, ())
        if src == dst:
            return ()
        dst_set, src_set = set(dst), set(src)
        leaving = [_crossing(b, "leaving") for b in src if b not in dst_set]
        entering = [_crossing(b, "entering") for b in reversed(dst) if b not in src_set]
        return tuple(leaving + entering)

    def flows_crossing(self, boundary_id: str) -> list[str]:
        """Ids of the flows that cross ``boundary_id``, in model order."""
        return [fid for fid, cs in self.crossings.items() if any(c.boundary == boundary_id for c in cs)]
