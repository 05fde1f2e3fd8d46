"""A diagram's trust-boundary boxes and curves turned into nested boundaries, through ``zones``."""

from __future__ import annotations

import re

from stride_tui.core.interop.threat_dragon.cells import dict_of
from stride_tui.core.interop.threat_dragon.import_elements import Flow, Node, boundary_body, canonical_component
from stride_tui.core.interop.threat_dragon.import_state import BOUNDARY_ORDER, ImportState, ordered
from stride_tui.core.interop.threat_dragon.text import clean_line, clean_text, short
from stride_tui.core.interop.threat_dragon.zones import BoxInfo, CurveInfo, FlowInfo, NodeInfo, ZoneResult, build_zones

INTERNET_NAME = re.compile(r"\b(internet|public network|www)\b", re.IGNORECASE)


def place_boundaries(
    nodes: dict[str, Node],
    flows: list[Flow],
    boxes: list[BoxInfo],
    box_cells: dict[str, dict],
    curves: list[CurveInfo],
    state: ImportState,
) -> dict[str, str]:
    """Add the diagram's boundaries to ``state`` and put each component in its innermost one;
    returns box or curve cell id -> boundary id."""
    zone_result = build_zones(
        [NodeInfo(n.key, n.name, n.kind, n.rect) for n in nodes.values()],
        boxes,
        curves,
        [FlowInfo(f.key, f.display_name, f.source.key, f.target.key, f.path, f.boundary_ids) for f in flows],
        state.report,
    )
    zone_ids = _add_zones(zone_result, box_cells, state)
    for node_key, zone_key in zone_result.member_of.items():
        body = state.components[nodes[node_key].id]
        body["boundary"] = zone_ids[zone_key]
        state.components[nodes[node_key].id] = canonical_component(body)
    by_key = {f.key: f for f in flows}
    _describe_curve_zones(zone_result, zone_ids, nodes, by_key, state)
    _tag_unplaced_curves(zone_result, curves, by_key, state)
    return zone_ids


def _add_zones(zone_result: ZoneResult, box_cells: dict[str, dict], state: ImportState) -> dict[str, str]:
    """One boundary per zone, parents first; returns zone key -> boundary id."""
    zone_ids: dict[str, str] = {}
    for zone in zone_result.zones:
        if zone.origin == "box":
            body, embed_id = boundary_body(dict_of(box_cells[zone.key], "data"), zone.name)
            zone_ids[zone.key] = state.element_id(embed_id, zone.name, "boundary")
            if "internet" not in body and INTERNET_NAME.search(zone.name):
                state.report(
                    f"boundary `{zone_ids[zone.key]}` ({zone.name!r}) is named like the public internet; if it is, "
                    "set `internet = true` on it (not inferred: it raises the severity of everything inside)"
                )
        else:
            zone_ids[zone.key] = state.element_id(None, zone.name, "boundary")
            body = {"name": zone.name}
        if zone.parent is not None:
            body["parent"] = zone_ids[zone.parent]
        state.boundaries[zone_ids[zone.key]] = ordered(body, BOUNDARY_ORDER)
    return zone_ids


def _describe_curve_zones(
    zone_result: ZoneResult,
    zone_ids: dict[str, str],
    nodes: dict[str, Node],
    by_key: dict[str, Flow],
    state: ImportState,
) -> None:
    """Say in each curve zone's description, and to the user, what it holds and what crosses it."""
    for zone in zone_result.zones:
        if zone.origin != "curve":
            continue
        bid = zone_ids[zone.key]
        inside = _members_deep(zone.key, zone_result)
        members = [n.name for n in nodes.values() if n.key in inside]
        crossing = [by_key[k].display_name for k in zone.crossing_flows if k in by_key]
        described = (
            "Made from a Threat Dragon trust-boundary curve, which has no inside: this zone holds the components "
            f"on one side of it ({zone.inside_label}). Flows crossing the curve: {', '.join(crossing) or 'none'}."
        )
        state.boundaries[bid] = ordered(
            dict(state.boundaries[bid], description=clean_text(described)[0]), BOUNDARY_ORDER
        )
        if members:
            state.report(
                f"trust-boundary curve {zone.name!r} became boundary `{bid}` holding {_names(members)} "
                f"({zone.inside_label}); flows crossing it: {_names(crossing) if crossing else 'none'}"
            )
        else:
            state.report(
                f"trust-boundary curve {zone.name!r} separates no components; imported as empty boundary `{bid}`"
            )


def _tag_unplaced_curves(
    zone_result: ZoneResult, curves: list[CurveInfo], by_key: dict[str, Flow], state: ImportState
) -> None:
    """A curve no zone can express still marks the flows that cross it, with a tag."""
    for curve in curves:
        if curve.key not in zone_result.unplaced_curves:
            continue
        crossing_keys = zone_result.unplaced_curves[curve.key]
        tag = clean_line(f"td-boundary:{curve.name}", 64)[0]
        for key in crossing_keys:
            body = by_key[key].body
            tags = list(body.get("tags", []))
            if tag not in tags:
                body["tags"] = [*tags, tag]
        state.report(
            f"trust-boundary curve {curve.name!r} cannot become a zone that nests with the other boundaries; "
            f"no boundary made for it; the {len(crossing_keys)} flow(s) crossing it are tagged `{tag}`"
        )


def _members_deep(zone_key: str, result: ZoneResult) -> set[str]:
    keys = {zone_key}
    changed = True
    while changed:
        changed = False
        for z in result.zones:
            if z.parent in keys and z.key not in keys:
                keys.add(z.key)
                changed = True
    return {node for node, z in result.member_of.items() if z in keys}


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(short(n, 40)) for n in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")
