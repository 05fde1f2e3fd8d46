"""One Threat Dragon diagram read into the import: its cells sorted, then elements, boundaries, flows."""

from __future__ import annotations

from dataclasses import dataclass, field

from stride_tui.core.interop.threat_dragon.cells import (
    dict_of,
    embed_of,
    label_of,
    point_of,
    rect_of,
    threat_title,
    threats_of,
    vertices_of,
)
from stride_tui.core.interop.threat_dragon.import_boundaries import place_boundaries
from stride_tui.core.interop.threat_dragon.import_elements import Flow, Node, read_flow, read_node
from stride_tui.core.interop.threat_dragon.import_state import FLOW_ORDER, ImportState, PendingThreat, ordered
from stride_tui.core.interop.threat_dragon.layout_file import CURVE_KEYS, FLOW_KEYS, NODE_KEYS, keep
from stride_tui.core.interop.threat_dragon.mapping import (
    BOX_SHAPES,
    CURVE_SHAPES,
    DATA_KEYS_DERIVED,
    DATA_KEYS_READ,
    FLOW_SHAPES,
    NODE_SHAPES,
    SIMILAR_NODE_SHAPES,
    TEXT_SHAPES,
)
from stride_tui.core.interop.threat_dragon.text import as_text, clean_line, clean_text, short
from stride_tui.core.interop.threat_dragon.zones import BoxInfo, CurveInfo

_KNOWN_SHAPES = NODE_SHAPES.keys() | SIMILAR_NODE_SHAPES.keys() | FLOW_SHAPES | BOX_SHAPES | CURVE_SHAPES
_OWN_THREATS = NODE_SHAPES.keys() | SIMILAR_NODE_SHAPES.keys() | FLOW_SHAPES | {"edge"}


@dataclass
class _Cells:
    """A diagram's cells, sorted by what they become."""

    nodes: dict[str, Node] = field(default_factory=dict)
    boxes: list[BoxInfo] = field(default_factory=list)
    box_cells: dict[str, dict] = field(default_factory=dict)
    curves: list[CurveInfo] = field(default_factory=list)
    edge_cells: list[dict] = field(default_factory=list)
    other_cells: dict[str, str] = field(
        default_factory=dict
    )  # cell id -> what it is (for messages about flows attached to it)
    by_id: dict[str, dict] = field(default_factory=dict)  # every cell read, by cell id
    extras: list[dict] = field(default_factory=list)  # text blocks and shapes we do not read


def import_diagram(title: str, cells: list, state: ImportState) -> None:
    """Add the components, boundaries, flows and threats of one diagram to ``state``."""
    read = _read_cells(title, cells, state)
    nodes = read.nodes
    for node in nodes.values():  # ids in file order
        node.id = state.element_id(node.embed_id, node.name, node.kind)
        if node.embed_id and node.embed_id != node.id:
            state.renamed[node.embed_id] = node.id
        state.components[node.id] = node.body
        for threat in node.threats:
            state.pending.append(PendingThreat(node.id, node.name, threat, repr(short(node.name))))

    flows = [f for f in (read_flow(c, nodes, read.other_cells, title, state) for c in read.edge_cells) if f]
    for flow in flows:
        flow.body = {"from": flow.source.id, "to": flow.target.id, **flow.body}
    zone_ids = place_boundaries(nodes, flows, read.boxes, read.box_cells, read.curves, state)
    _add_flows(flows, state, read.by_id)
    _keep_drawing(read, nodes, flows, zone_ids, state)


def _keep_drawing(
    read: _Cells, nodes: dict[str, Node], flows: list[Flow], zone_ids: dict[str, str], state: ImportState
) -> None:
    """What only the drawing knows, for the layout file (see ``layout_file``)."""
    elements = state.layout.elements
    for node in nodes.values():
        elements[node.id] = {"diagram": state.diagram, "cell": keep(read.by_id[node.key], NODE_KEYS)}
    for key, bid in zone_ids.items():
        cell = read.by_id[key]
        is_curve = as_text(cell.get("shape")) in CURVE_SHAPES
        elements[bid] = {"diagram": state.diagram, "cell": keep(cell, CURVE_KEYS if is_curve else NODE_KEYS)}
    placed = set(zone_ids)
    for curve in read.curves:  # a curve no zone could express is drawn again as it was
        if curve.key not in placed:
            read.extras.append(read.by_id[curve.key])
    for flow in flows:
        entry: dict = {"diagram": state.diagram, "cell": keep(read.by_id[flow.key], FLOW_KEYS)}
        if flow.bidirectional and flow.response_id:
            entry["response"] = flow.response_id
        elements[flow.id] = entry
    for cell in read.extras:
        state.layout.extras.append({"diagram": state.diagram, "cell": cell})


def _read_cells(title: str, cells: list, state: ImportState) -> _Cells:
    read = _Cells()
    seen_ids: set[str] = set()
    for position, cell in enumerate(cells):
        if not isinstance(cell, dict):
            state.report(f"cell {position + 1} of diagram {title!r} is not an object; skipped")
            continue
        cell_id = as_text(cell.get("id")) or f"(cell {position + 1})"
        if cell_id in seen_ids:
            state.report(f"cell id {short(cell_id)!r} appears twice in diagram {title!r}; the second one is skipped")
            continue
        seen_ids.add(cell_id)
        cell = dict(cell, id=cell_id)
        read.by_id[cell_id] = cell
        shape = as_text(cell.get("shape"))
        data = dict_of(cell, "data")
        carried = dict_of(embed_of(data) or {}, "decisions")
        state.carried_decisions.update({k: v for k, v in carried.items() if isinstance(v, dict)})
        if shape in _KNOWN_SHAPES:
            for key in data:
                if key not in DATA_KEYS_READ and key not in DATA_KEYS_DERIVED:
                    state.unknown_data_keys[key] += 1
        if shape in NODE_SHAPES or shape in SIMILAR_NODE_SHAPES:
            read.nodes[cell_id] = read_node(cell, shape, data, state)
        elif shape in BOX_SHAPES:
            name = clean_line(label_of(cell))[0] or f"Trust boundary {len(read.boxes) + 1}"
            contained = data.get("containedElements")
            listed = {as_text(x) for x in contained} if isinstance(contained, list) else None
            read.boxes.append(BoxInfo(cell_id, name, rect_of(cell), listed))
            read.box_cells[cell_id] = cell
            read.other_cells[cell_id] = f"trust-boundary box {name!r}"
        elif shape in CURVE_SHAPES:
            name = clean_line(label_of(cell))[0] or f"Trust boundary curve {len(read.curves) + 1}"
            vertices = vertices_of(cell)
            ends = [
                point_of(cell.get("source")),
                *(vertices if vertices is not None else [None]),
                point_of(cell.get("target")),
            ]
            points = None if any(p is None for p in ends) else ends
            crossing = data.get("crossingFlows")
            listed = {as_text(x) for x in crossing} if isinstance(crossing, list) else None
            read.curves.append(CurveInfo(cell_id, name, points, listed))
            read.other_cells[cell_id] = f"trust-boundary curve {name!r}"
        elif shape in FLOW_SHAPES or shape == "edge":
            if shape == "edge":
                state.report(f"an unformatted edge in diagram {title!r} (shape 'edge') is read as a data flow")
            read.edge_cells.append(cell)
        elif shape in TEXT_SHAPES:
            text = clean_text(label_of(cell))[0]
            if text:
                state.notes.append(text)
            read.other_cells[cell_id] = "text block"
            read.extras.append(cell)
        else:
            state.unknown_shapes[shape or "(none)"] += 1
            read.other_cells[cell_id] = f"{shape or 'unknown'} cell"
            read.extras.append(cell)
        if shape not in _OWN_THREATS:
            for threat in threats_of(cell, data, state.unknown_threat_keys):
                state.report(
                    f"threat {threat_title(threat)!r} is on a {read.other_cells.get(cell_id, 'cell')}; only "
                    "components and flows own threats here, so it is not imported (move it to a flow that crosses the boundary)"
                )
    return read


def _add_flows(flows: list[Flow], state: ImportState, by_id: dict[str, dict]) -> None:
    """Flow ids, threats and bidirectional copies, in file order."""
    for flow in flows:
        fallback = f"{flow.source.id}-to-{flow.target.id}"
        flow.id = state.element_id(flow.embed_id, flow.name or fallback, "flow")
        if flow.embed_id and flow.embed_id != flow.id:
            state.renamed[flow.embed_id] = flow.id
        state.flows[flow.id] = ordered(flow.body, FLOW_ORDER)
        label = repr(short(flow.name)) if flow.name else f"`{flow.id}`"
        for threat in flow.threats:
            state.pending.append(PendingThreat(flow.id, flow.name or flow.id, threat, label))
        if flow.bidirectional:
            # a request and its response: the response is analysed for what it carries, and
            # takes the request's transport facts
            # the response stride-tui exported inside this two-way edge, else a fresh one
            kept = dict_of(embed_of(dict_of(by_id.get(flow.key, {}), "data")) or {}, "response")
            kept_body = kept.get("element") if isinstance(kept.get("element"), dict) else None
            response = {"from": flow.body["to"], "to": flow.body["from"], "response_to": flow.id}
            if kept_body is not None:
                response = {**response, **{k: v for k, v in kept_body.items() if k != "response_to"}}
            elif flow.body.get("name"):
                response["name"] = clean_line(f"{flow.body['name']} (response)")[0]
            kept_id = kept.get("id") if kept_body is not None else None
            response_id = state.element_id(kept_id, f"{flow.id}-response", "flow")
            if isinstance(kept_id, str) and kept_id != response_id:
                state.renamed[kept_id] = response_id
            flow.response_id = response_id
            state.flows[response_id] = ordered(response, FLOW_ORDER)
            state.report(
                f"flow {label} is bidirectional: imported as `{flow.id}` and its response `{response_id}` "
                "(its threats stay on the request)"
            )
