"""Threat Dragon nodes and flows read into component and flow bodies, ends attached to their shapes."""

from __future__ import annotations

from dataclasses import dataclass

from stride_tui.core.interop.threat_dragon.cells import (
    dict_of,
    embedded,
    label_of,
    point_of,
    rect_of,
    threat_title,
    threats_of,
    vertices_of,
)
from stride_tui.core.interop.threat_dragon.geometry import Point, Rect
from stride_tui.core.interop.threat_dragon.import_state import COMPONENT_ORDER, ImportState, ordered
from stride_tui.core.interop.threat_dragon.mapping import NODE_SHAPES, SIMILAR_NODE_SHAPES
from stride_tui.core.interop.threat_dragon.properties import SHAPE_PROPERTIES, apply_property
from stride_tui.core.interop.threat_dragon.text import as_text, clean_line, clean_text, short

ATTACH_DISTANCE = 50.0  # px: a flow end left loose this close to a shape is attached to it
KIND_NAMES = {"external_entity": "Actor", "process": "Process", "data_store": "Store"}


@dataclass
class Node:
    """An actor, process or store cell, read; its id is given once every node is read."""

    key: str  # cell id
    id: str
    kind: str
    body: dict
    rect: Rect | None
    threats: list[dict]
    name: str
    embed_id: str | None


@dataclass
class Flow:
    """A flow cell whose ends are nodes; its id is given once the boundaries are placed."""

    key: str  # cell id
    id: str
    source: Node
    target: Node
    body: dict
    threats: list[dict]
    name: str
    bidirectional: bool
    path: list[Point] | None
    boundary_ids: set[str] | None
    embed_id: str | None
    response_id: str | None = None  # the response flow made for a bidirectional flow

    @property
    def display_name(self) -> str:
        """The flow's name, or its ends when it has none."""
        return self.name or f"{self.source.name} → {self.target.name}"


def _name_of(cell: dict, state: ImportState) -> str:
    raw_name = label_of(cell)
    name, cut = clean_line(raw_name)
    if cut:
        state.report(f"name {short(raw_name)!r} is longer than 200 characters; truncated")
    return name


def canonical_component(body: dict) -> dict:
    """A component body with its keys in the order a hand-written file has them."""
    return ordered(body, COMPONENT_ORDER)


def read_node(cell: dict, shape: str, data: dict, state: ImportState) -> Node:
    """An actor, process or store (or a shape read as one) with its threats."""
    td_shape = shape
    if shape in SIMILAR_NODE_SHAPES:
        kind = SIMILAR_NODE_SHAPES[shape]
        td_shape = "process"
        state.report(f"shape {shape!r} ({short(label_of(cell)) or 'unnamed'!r}) imported as a process")
    else:
        kind = NODE_SHAPES[shape]
    name = _name_of(cell, state) or KIND_NAMES[kind]
    element, written, embed_id = embedded(data)
    if element is not None and element.get("kind") != kind:
        state.report(f"stride-tui data on {name!r} is for a {element.get('kind')}, but the shape is a {shape}; ignored")
        element, written, embed_id = None, {}, None
    if element is not None:
        body = {k: v for k, v in element.items() if k != "boundary"}
        if "name" in written and written["name"] == data.get("name"):
            body.pop("name", None)
            if element.get("name") is not None:
                body["name"] = element["name"]
        else:
            body["name"] = name
    else:
        body = {"kind": kind, "name": name}
    body["kind"] = kind
    where = repr(short(name))
    for key in SHAPE_PROPERTIES[td_shape]:
        if key in data and (key not in written or written[key] != data[key]):
            apply_property(td_shape, key, data[key], body, where, state.report)
    return Node(
        as_text(cell["id"]),
        "",
        kind,
        canonical_component(body),
        rect_of(cell),
        threats_of(cell, data, state.unknown_threat_keys),
        name,
        embed_id,
    )


def boundary_body(data: dict, name: str) -> tuple[dict, str | None]:
    """A trust-boundary box's body (and embedded id), preferring what export wrote where unchanged."""
    element, written, embed_id = embedded(data)
    body: dict = {"name": name}
    if element is not None:
        body = {k: v for k, v in element.items() if k in ("name", "description", "internet", "kind", "enforced_by")}
        if not ("name" in written and written["name"] == data.get("name")):
            body["name"] = name
        if "description" in written and written["description"] == data.get("description"):
            return body, embed_id
    text = clean_text(data.get("description"))[0]
    body.pop("description", None)
    if text:
        body["description"] = text
    return body, embed_id


def read_flow(
    cell: dict,
    nodes: dict[str, Node],
    other_cells: dict[str, str],
    title: str,
    state: ImportState,
) -> Flow | None:
    """A flow between two nodes; None (reported) when an end is missing or it loops on itself."""
    data = dict_of(cell, "data")
    name = _name_of(cell, state)
    threats = threats_of(cell, data, state.unknown_threat_keys)
    label = repr(short(name)) if name else "an unnamed flow"
    ends = []
    for end in ("source", "target"):
        node = _flow_end(cell.get(end), end, nodes, other_cells, label, title, state)
        if node is None:
            lost = (
                f"; its {len(threats)} threat(s) are not imported: " + ", ".join(repr(threat_title(t)) for t in threats)
                if threats
                else ""
            )
            state.report(f"flow {label} in diagram {title!r} is skipped{lost}")
            return None
        ends.append(node)
    source, target = ends
    if source.key == target.key:
        lost = f"; its {len(threats)} threat(s) are not imported" if threats else ""
        state.report(f"flow {label} goes from {source.name!r} to itself; skipped{lost}")
        return None
    element, written, embed_id = embedded(data)
    body: dict = {}
    if element is not None:
        body = {k: v for k, v in element.items() if k not in ("from", "to")}
        if "name" in written and written["name"] == data.get("name"):
            name = element.get("name") or ""
    body.pop("name", None)
    if name:
        body["name"] = name
    for key in SHAPE_PROPERTIES["flow"]:
        if key in data and (key not in written or written[key] != data[key]):
            apply_property("flow", key, data[key], body, label, state.report)
    path = None
    start, finish = _end_point(cell.get("source"), nodes), _end_point(cell.get("target"), nodes)
    vertices = vertices_of(cell)
    if start is not None and finish is not None and vertices is not None:
        path = [start, *vertices, finish]
    ids = data.get("trustBoundaryIds")
    return Flow(
        as_text(cell["id"]),
        "",
        source,
        target,
        body,
        threats,
        name,
        data.get("isBidirectional") is True,
        path,
        {as_text(x) for x in ids} if isinstance(ids, list) else None,
        embed_id,
    )


def _end_point(end: object, nodes: dict[str, Node]) -> Point | None:
    if isinstance(end, dict) and isinstance(end.get("cell"), str) and end["cell"] in nodes:
        rect = nodes[end["cell"]].rect
        return rect.centre if rect is not None else None
    return point_of(end)


def _flow_end(
    end: object,
    which: str,
    nodes: dict[str, Node],
    other_cells: dict[str, str],
    label: str,
    title: str,
    state: ImportState,
) -> Node | None:
    if not isinstance(end, dict):
        state.report(f"flow {label} in diagram {title!r} has no {which}")
        return None
    cell_id = end.get("cell")
    if isinstance(cell_id, str):
        if cell_id in nodes:
            return nodes[cell_id]
        if cell_id in other_cells:
            state.report(f"flow {label} has its {which} on a {other_cells[cell_id]}, which is not a component")
        else:
            state.report(f"flow {label} has its {which} on cell {short(cell_id)!r}, which does not exist")
        return None
    point = point_of(end)
    if point is None:
        state.report(f"flow {label} in diagram {title!r} has no {which}")
        return None
    candidates = [(n.rect.distance_to(point), i, n) for i, n in enumerate(nodes.values()) if n.rect is not None]
    if candidates:
        distance, _, nearest = min(candidates, key=lambda c: (c[0], c[1]))
        if distance <= ATTACH_DISTANCE:
            state.report(
                f"flow {label}: its {which} is not attached to a shape; attached to the nearest, "
                f"{nearest.name!r} ({distance:.0f} px away)"
            )
            return nearest
    state.report(f"flow {label}: its {which} is a loose point at ({point[0]:.0f}, {point[1]:.0f}), near no shape")
    return None
