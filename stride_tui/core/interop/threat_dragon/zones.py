"""Trust zones from a Threat Dragon diagram: box nesting, box membership, and zones for curves.

Our model has zones (a component sits in at most one innermost boundary; boundaries nest),
Threat Dragon has boxes (zones) and curves (lines with no inside). A curve becomes a zone this
way: the flows it crosses are found (from ``crossingFlows`` / ``trustBoundaryIds`` when the
file lists them, else by intersecting polylines); components are split into its two sides so
that exactly those flows join the two sides (geometry breaks ties and places components no flow
constrains); then the side holding fewer external entities (then fewer components) becomes the
zone, unless only the other side nests with the boxes and earlier zones. Because a flow crosses a
zone when exactly one end is inside it, either side gives the same crossings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from stride_tui.core.interop.threat_dragon.geometry import Point, Rect, crosses, side_of

Report = Callable[[str], None]


@dataclass
class NodeInfo:
    key: str  # cell id
    name: str
    kind: str
    rect: Rect | None


@dataclass
class BoxInfo:
    key: str
    name: str
    rect: Rect | None
    contained: set[str] | None  # ``containedElements`` when the file lists it


@dataclass
class CurveInfo:
    key: str
    name: str
    points: list[Point] | None
    crossing: set[str] | None  # ``crossingFlows`` when the file lists it


@dataclass
class FlowInfo:
    key: str
    name: str
    source: str
    target: str
    path: list[Point] | None
    boundary_ids: set[str] | None  # ``trustBoundaryIds`` when the file lists it


@dataclass
class Zone:
    """One boundary of the result: a box or a curve's synthesised zone."""

    key: str
    name: str
    origin: str  # "box" | "curve"
    parent: str | None = None
    members: list[str] = field(default_factory=list)  # node keys directly inside
    crossing_flows: list[str] = field(default_factory=list)  # curves: flow keys it crosses
    inside_label: str = ""


@dataclass
class ZoneResult:
    zones: list[Zone]  # parents before children
    member_of: dict[str, str]  # node key -> innermost zone key
    unplaced_curves: dict[str, list[str]]  # curve key -> flows it crosses (no zone could be made)


def build_zones(
    nodes: list[NodeInfo],
    boxes: list[BoxInfo],
    curves: list[CurveInfo],
    flows: list[FlowInfo],
    report: Report,
) -> ZoneResult:
    """Boundaries and membership for one diagram."""
    parent: dict[str, str | None] = {}
    index = {b.key: i for i, b in enumerate(boxes)}
    for box in boxes:
        if box.rect is None and box.contained is None:
            report(f"trust-boundary box {box.name!r} has no position or size; imported without members")
        candidates = []
        for other in boxes:
            if other.key == box.key:
                continue
            if other.contained is not None:
                inside = box.key in other.contained
            else:
                inside = other.rect is not None and box.rect is not None and other.rect.contains_rect(box.rect, 2.0)
            if not inside:
                continue
            bigger = (other.rect.area if other.rect else float("inf"), -index[other.key])
            mine = (box.rect.area if box.rect else float("inf"), -index[box.key])
            if bigger > mine:
                candidates.append(other)
        parent[box.key] = (
            min(candidates, key=lambda b: (b.rect.area if b.rect else float("inf"), -index[b.key])).key
            if candidates
            else None
        )

    def chain(key: str | None) -> list[str]:
        out = []
        while key is not None and key not in out:
            out.append(key)
            key = parent.get(key)
        return out

    depth = {b.key: len(chain(b.key)) for b in boxes}
    member_of: dict[str, str] = {}
    for node in nodes:
        candidates = []
        for box in boxes:
            if box.contained is not None:
                inside = node.key in box.contained
            else:
                inside = box.rect is not None and node.rect is not None and box.rect.contains_point(node.rect.centre)
            if inside:
                candidates.append(box)
        if not candidates:
            continue
        best = max(candidates, key=lambda b: (depth[b.key], -(b.rect.area if b.rect else float("inf")), index[b.key]))
        best_chain = chain(best.key)
        strays = [b.name for b in candidates if b.key not in best_chain]
        if strays:
            report(
                f"{node.name!r} lies in overlapping trust-boundary boxes {best.name!r} and "
                + ", ".join(repr(s) for s in strays)
                + f"; placed in {best.name!r} only (a component sits in one innermost boundary)"
            )
        member_of[node.key] = best.key

    zones = {b.key: Zone(b.key, b.name, "box", parent[b.key]) for b in boxes}
    for node in nodes:
        if node.key in member_of:
            zones[member_of[node.key]].members.append(node.key)

    all_nodes = [n.key for n in nodes]
    order = {n.key: i for i, n in enumerate(nodes)}
    kinds = {n.key: n.kind for n in nodes}
    unplaced: dict[str, list[str]] = {}
    lists_on_flows = any(f.boundary_ids is not None for f in flows)
    for curve in curves:
        if curve.crossing is not None:
            crossing = {f.key for f in flows if f.key in curve.crossing}
        elif lists_on_flows:
            crossing = {f.key for f in flows if f.boundary_ids is not None and curve.key in f.boundary_ids}
        elif curve.points is not None:
            crossing = {f.key for f in flows if f.path is not None and crosses(f.path, curve.points)}
        else:
            crossing = set()
            report(f"trust-boundary curve {curve.name!r} has no points; no flow can be found crossing it")
        sides, conflicts = _sides(nodes, flows, crossing, curve.points)
        plus = [k for k in all_nodes if sides[k] > 0]
        minus = [k for k in all_nodes if sides[k] <= 0]
        if conflicts:
            report(
                f"trust-boundary curve {curve.name!r}: the flows crossing it do not split the diagram into two "
                f"sides ({', '.join(repr(c) for c in conflicts[:5])} conflict); sides taken from the drawing"
            )

        def preference(side: list[str]) -> tuple:
            entities = sum(kinds[k] == "external_entity" for k in side)
            return (entities, len(side), -min((order[k] for k in side), default=len(order)))

        options = sorted([plus, minus], key=preference)
        chosen = None
        for side in options:
            if _laminar(set(side), zones):
                chosen = side
                break
        crossing_sorted = sorted(crossing, key=[f.key for f in flows].index)
        if chosen is None:
            unplaced[curve.key] = crossing_sorted
            continue
        zone = Zone(curve.key, curve.name, "curve", crossing_flows=crossing_sorted)
        if chosen is not options[0]:
            zone.inside_label = "the side that nests with the other boundaries"
        elif not any(kinds[k] == "external_entity" for k in chosen):
            zone.inside_label = "the side with no external entity"
        else:
            zone.inside_label = "the side with fewer external entities"
        _insert(zone, chosen, zones, member_of)
        zones[curve.key] = zone
    ordered = _preorder(zones, [b.key for b in boxes] + [c.key for c in curves])
    return ZoneResult(ordered, member_of, unplaced)


def _sides(
    nodes: list[NodeInfo], flows: list[FlowInfo], crossing: set[str], points: list[Point] | None
) -> tuple[dict[str, int], list[str]]:
    """+1/-1 for every node: consistent with the crossing flows where possible, else geometric."""
    geometric = {n.key: (side_of(n.rect.centre, points) if (points and n.rect is not None) else 0) for n in nodes}
    edges: dict[str, list[tuple[str, int, str]]] = {n.key: [] for n in nodes}
    for f in flows:
        if f.source in edges and f.target in edges and f.source != f.target:
            parity = -1 if f.key in crossing else 1
            edges[f.source].append((f.target, parity, f.name))
            edges[f.target].append((f.source, parity, f.name))
    sides: dict[str, int] = {}
    conflicts: list[str] = []
    for start in (n.key for n in nodes):
        if start in sides:
            continue
        colour = {start: 1}
        queue = [start]
        bad: list[str] = []
        while queue:
            key = queue.pop()
            for other, parity, name in edges[key]:
                want = colour[key] * parity
                if other not in colour:
                    colour[other] = want
                    queue.append(other)
                elif colour[other] != want and name not in bad:
                    bad.append(name)
        if bad:
            conflicts += bad
            for key in colour:
                sides[key] = geometric[key] or -1
            continue
        agreement = sum(colour[k] * geometric[k] for k in colour)
        flip = -1 if agreement < 0 else 1
        if agreement == 0 and len(colour) == 1:
            flip = -1  # a lone component with no known side stays with the outside group
        for key in colour:
            sides[key] = colour[key] * flip
    return sides, conflicts


def _set_of(key: str, zones: dict[str, Zone]) -> set[str]:
    out = set(zones[key].members)
    for z in zones.values():
        if z.parent == key:
            out |= _set_of(z.key, zones)
    return out


def _laminar(candidate: set[str], zones: dict[str, Zone]) -> bool:
    for key in zones:
        existing = _set_of(key, zones)
        if existing and not (candidate <= existing or existing <= candidate or not (candidate & existing)):
            return False
    return True


def _insert(zone: Zone, ordered_members: list[str], zones: dict[str, Zone], member_of: dict[str, str]) -> None:
    """Put ``zone`` (holding ``members``) into the forest: below the deepest zone containing it all."""
    members = set(ordered_members)
    parent: str | None = None
    while True:
        deeper = [z.key for z in zones.values() if z.parent == parent and members and members <= _set_of(z.key, zones)]
        if not deeper:
            break
        parent = deeper[0]
    zone.parent = parent
    if not members:
        return
    for z in list(zones.values()):
        if z.parent == parent and z.key != zone.key:
            inner = _set_of(z.key, zones)
            if inner and inner <= members:
                z.parent = zone.key
    for key in ordered_members:
        current = member_of.get(key)
        if current == parent:
            if parent is not None:
                zones[parent].members.remove(key)
            zone.members.append(key)
            member_of[key] = zone.key


def _preorder(zones: dict[str, Zone], order: list[str]) -> list[Zone]:
    out: list[Zone] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        out.append(zones[key])
        for child in order:
            if child in zones and zones[child].parent == key:
                visit(child)

    for key in order:
        if key in zones and zones[key].parent is None:
            visit(key)
    for key in order:  # anything left (cannot happen in a forest, but never drop a zone)
        if key in zones and key not in seen:
            zones[key].parent = None
            visit(key)
    return out
