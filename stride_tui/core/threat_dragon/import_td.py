"""Threat Dragon v2 JSON → our model.

Actors, processes and stores become components; flows become flows (a bidirectional flow
becomes two); trust-boundary boxes become boundaries (nesting and membership from geometry
unless the file lists them); trust-boundary curves become synthesised zones (see ``zones``);
threats become custom threats, or decisions when they are our own exported findings. Names
become unique slug ids. Whatever cannot be carried over is reported, never dropped silently.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..analysis import analyse
from ..diagnostics import Diagnostic, ModelError
from ..ids import is_id, unique_id
from ..loader import MAX_FILE_BYTES, parse_model
from ..model import FORMAT_VERSION as MODEL_FORMAT, STATUSES, ThreatModel
from ..rules import RuleSet
from ..storage import SaveError, encode_model
from .geometry import Point, Rect
from .mapping import (
    BOX_SHAPES,
    CURVE_SHAPES,
    DATA_KEYS_DERIVED,
    DATA_KEYS_READ,
    EMBED_KEY,
    FLOW_SHAPES,
    NODE_SHAPES,
    RULE_ID_PREFIX,
    SEVERITY_IMPORT,
    SEVERITY_UNSET,
    SIMILAR_NODE_SHAPES,
    STATUS_IMPORT,
    STATUS_NEAREST,
    TEXT_SHAPES,
    THREAT_KEYS_DERIVED,
    THREAT_KEYS_READ,
    category_of,
)
from .properties import SHAPE_PROPERTIES, apply_property
from .text import as_text, clean_line, clean_text, short
from .zones import BoxInfo, CurveInfo, FlowInfo, NodeInfo, build_zones

ATTACH_DISTANCE = 50.0  # px: a flow end left loose this close to a shape is attached to it
KIND_NAMES = {"external_entity": "Actor", "process": "Process", "data_store": "Store"}
INTERNET_NAME = re.compile(r"\b(internet|public network|www)\b", re.IGNORECASE)


@dataclass
class ImportResult:
    """The imported model and everything reported while importing."""

    model: ThreatModel
    warnings: list[str]
    counts: dict[str, int]


@dataclass
class _Node:
    key: str  # cell id
    id: str
    kind: str
    body: dict
    rect: Rect | None
    threats: list[dict]
    name: str
    embed_id: str | None


@dataclass
class _Flow:
    key: str  # cell id
    id: str
    source: _Node
    target: _Node
    body: dict
    threats: list[dict]
    name: str
    bidirectional: bool
    path: list[Point] | None
    boundary_ids: set[str] | None
    embed_id: str | None


@dataclass
class _PendingThreat:
    element_id: str
    element_name: str
    threat: dict
    origin: str  # where the threat came from, for messages


@dataclass
class _State:
    warnings: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # element ids (one namespace for all three tables)
    threat_ids: set[str] = field(default_factory=set)

    def report(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def import_threat_dragon(raw: bytes, file: str, ruleset: RuleSet | None = None) -> ImportResult:
    """Read a Threat Dragon v2 file; raise ``ModelError`` when it is not one."""
    document = _parse_json(raw, file)
    diagrams = _check_document(document, file)
    state = _State()
    summary = document.get("summary") if isinstance(document.get("summary"), dict) else {}
    detail = document["detail"]

    boundaries: dict[str, dict] = {}
    components: dict[str, dict] = {}
    flows: dict[str, dict] = {}
    pending: list[_PendingThreat] = []
    notes: list[str] = []
    unknown_shapes: Counter = Counter()
    unknown_data_keys: Counter = Counter()
    unknown_threat_keys: Counter = Counter()

    for index, diagram in enumerate(diagrams):
        if not isinstance(diagram, dict):
            state.report(f"diagram {index + 1} is not an object; skipped")
            continue
        title = clean_line(diagram.get("title"))[0] or f"diagram {index + 1}"
        cells = diagram.get("cells")
        if not isinstance(cells, list):
            state.report(f"diagram {title!r} has no list of cells; skipped")
            continue
        diagram_description = clean_text(diagram.get("description"))[0]
        if diagram_description:
            notes.append(f"{title}: {diagram_description}")
        diagram_type = as_text(diagram.get("diagramType"))
        if diagram_type and diagram_type.upper() not in ("STRIDE", "GENERIC"):
            state.report(
                f"diagram {title!r} is a {diagram_type} diagram; its elements are imported, and its threat "
                "types are mapped to the nearest STRIDE category (see each threat's note)"
            )
        _import_diagram(
            index, title, cells, state, boundaries, components, flows, pending, notes,
            unknown_shapes, unknown_data_keys, unknown_threat_keys,
        )
    if len(diagrams) > 1:
        state.report(f"{len(diagrams)} diagrams merged into one model (element names are kept; ids made unique)")
    for shape, n in sorted(unknown_shapes.items()):
        state.report(f"{n} cell{'s' if n != 1 else ''} of unknown shape {shape!r} ignored")
    for key, n in sorted(unknown_data_keys.items()):
        state.report(f"property {key!r} ({n} cell{'s' if n != 1 else ''}) has no equivalent; ignored")
    for key, n in sorted(unknown_threat_keys.items()):
        state.report(f"threat property {key!r} ({n} threat{'s' if n != 1 else ''}) has no equivalent; ignored")

    meta = _meta(summary, detail, notes, file, state)
    data = {
        "stride_tui": MODEL_FORMAT,
        "model": meta,
        "boundaries": boundaries,
        "components": components,
        "flows": flows,
        "decisions": {},
        "threats": {},
    }
    _place_threats(data, pending, ruleset, state)
    model = _validate(data, file)
    counts = {
        "components": len(model.components),
        "flows": len(model.flows),
        "boundaries": len(model.boundaries),
        "threats": len(model.threats),
        "decisions": len(model.decisions),
    }
    return ImportResult(model, state.warnings, counts)


# ---------------------------------------------------------------------------------------------
# Reading the file


def _parse_json(raw: bytes, file: str) -> object:
    if len(raw) > MAX_FILE_BYTES:
        raise ModelError([Diagnostic(file, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")])
    if not raw.strip():
        raise ModelError([Diagnostic(file, "file is empty; expected a Threat Dragon JSON model")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError([Diagnostic(file, f"invalid UTF-8 at byte {exc.start}; a Threat Dragon file is UTF-8 JSON")]) from None

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not valid JSON")

    try:
        return json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        hint = ""
        if text.lstrip().startswith(("stride_tui", "[model]", "#")):
            hint = " (this looks like a stride-tui TOML model, not a Threat Dragon file)"
        raise ModelError([Diagnostic(file, f"invalid JSON: {exc.msg}{hint}", exc.lineno, exc.colno)]) from None
    except ValueError as exc:
        raise ModelError([Diagnostic(file, f"invalid JSON: {exc}")]) from None
    except RecursionError:
        raise ModelError([Diagnostic(file, "invalid JSON: values nested too deeply")]) from None


def _check_document(document: object, file: str) -> list:
    if not isinstance(document, dict):
        raise ModelError([Diagnostic(file, "not a Threat Dragon model: the file is not a JSON object")])
    if "otmVersion" in document:
        raise ModelError(
            [Diagnostic(file, "this is an Open Threat Model (OTM) file, not Threat Dragon JSON; open it in Threat Dragon and save it, then import that")]
        )
    detail = document.get("detail")
    if not isinstance(detail, dict) or not isinstance(detail.get("diagrams"), list):
        raise ModelError([Diagnostic(file, "not a Threat Dragon v2 model: `detail.diagrams` is missing")])
    diagrams = detail["diagrams"]
    if any(isinstance(d, dict) and "diagramJson" in d for d in diagrams):
        version = as_text(document.get("version")) or "1.x"
        raise ModelError(
            [
                Diagnostic(
                    file,
                    f"this is a Threat Dragon v1 model (version {version}); open it in Threat Dragon 2.x, "
                    "which upgrades it, save it, then import the saved file",
                )
            ]
        )
    return diagrams


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _rect(cell: dict) -> Rect | None:
    position, size = cell.get("position"), cell.get("size")
    if not isinstance(position, dict) or not isinstance(size, dict):
        return None
    x, y = _number(position.get("x")), _number(position.get("y"))
    w, h = _number(size.get("width")), _number(size.get("height"))
    if None in (x, y, w, h) or w <= 0 or h <= 0:  # type: ignore[operator]
        return None
    return Rect(x, y, w, h)  # type: ignore[arg-type]


def _point(value: object) -> Point | None:
    if not isinstance(value, dict):
        return None
    x, y = _number(value.get("x")), _number(value.get("y"))
    return None if x is None or y is None else (x, y)


def _vertices(cell: dict) -> list[Point] | None:
    vertices = cell.get("vertices", [])
    if not isinstance(vertices, list):
        return None
    points = [_point(v) for v in vertices]
    return None if any(p is None for p in points) else points  # type: ignore[return-value]


def _label(cell: dict) -> str:
    """The text a cell shows: ``data.name``, else its label in attrs or labels."""
    data = cell.get("data") if isinstance(cell.get("data"), dict) else {}
    if as_text(data.get("name")).strip():
        return as_text(data["name"])
    attrs = cell.get("attrs") if isinstance(cell.get("attrs"), dict) else {}
    for selector in ("text", "label", "headerText"):
        part = attrs.get(selector)
        if isinstance(part, dict) and as_text(part.get("text")).strip():
            return as_text(part["text"])
    labels = cell.get("labels")
    if isinstance(labels, list) and labels:
        first = labels[0]
        if isinstance(first, str):
            return first
        if isinstance(first, dict):
            label_attrs = first.get("attrs") if isinstance(first.get("attrs"), dict) else {}
            for selector in ("labelText", "text", "label"):
                part = label_attrs.get(selector)
                if isinstance(part, dict) and as_text(part.get("text")).strip():
                    return as_text(part["text"])
    return ""


def _embed(data: dict) -> dict | None:
    value = data.get(EMBED_KEY)
    return value if isinstance(value, dict) else None


def _threats_of(cell: dict, data: dict, unknown: Counter) -> list[dict]:
    """Threats from ``cell.data.threats`` (what the app writes) and ``cell.threats`` (the schema), once each."""
    out: list[dict] = []
    seen: set[str] = set()
    for source in (data.get("threats"), cell.get("threats")):
        if not isinstance(source, list):
            continue
        for threat in source:
            if not isinstance(threat, dict):
                continue
            ident = as_text(threat.get("id")) or as_text(threat.get("threatId"))
            key = ident or json.dumps([threat.get("title"), threat.get("type"), threat.get("description")], default=str)
            if key in seen:
                continue
            seen.add(key)
            for k in threat:
                if k not in THREAT_KEYS_READ and k not in THREAT_KEYS_DERIVED:
                    unknown[k] += 1
            out.append(threat)
    return out


# ---------------------------------------------------------------------------------------------
# One diagram


def _import_diagram(
    index: int,
    title: str,
    cells: list,
    state: _State,
    boundaries: dict[str, dict],
    components: dict[str, dict],
    flows: dict[str, dict],
    pending: list[_PendingThreat],
    notes: list[str],
    unknown_shapes: Counter,
    unknown_data_keys: Counter,
    unknown_threat_keys: Counter,
) -> None:
    nodes: dict[str, _Node] = {}
    boxes: list[BoxInfo] = []
    box_cells: dict[str, dict] = {}
    curves: list[CurveInfo] = []
    edge_cells: list[dict] = []
    other_cells: dict[str, str] = {}  # cell id -> what it is (for messages about flows attached to it)
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
        shape = as_text(cell.get("shape"))
        data = cell.get("data") if isinstance(cell.get("data"), dict) else {}
        known = NODE_SHAPES.keys() | SIMILAR_NODE_SHAPES.keys() | FLOW_SHAPES | BOX_SHAPES | CURVE_SHAPES
        if shape in known:
            for key in data:
                if key not in DATA_KEYS_READ and key not in DATA_KEYS_DERIVED:
                    unknown_data_keys[key] += 1
        if shape in NODE_SHAPES or shape in SIMILAR_NODE_SHAPES:
            nodes[cell_id] = _read_node(cell, shape, data, state, unknown_threat_keys)
        elif shape in BOX_SHAPES:
            name = clean_line(_label(cell))[0] or f"Trust boundary {len(boxes) + 1}"
            contained = data.get("containedElements")
            listed = {as_text(x) for x in contained} if isinstance(contained, list) else None
            boxes.append(BoxInfo(cell_id, name, _rect(cell), listed))
            box_cells[cell_id] = cell
            other_cells[cell_id] = f"trust-boundary box {name!r}"
        elif shape in CURVE_SHAPES:
            name = clean_line(_label(cell))[0] or f"Trust boundary curve {len(curves) + 1}"
            vertices = _vertices(cell)
            ends = [_point(cell.get("source")), *(vertices if vertices is not None else [None]), _point(cell.get("target"))]
            points = None if any(p is None for p in ends) else ends
            crossing = data.get("crossingFlows")
            listed = {as_text(x) for x in crossing} if isinstance(crossing, list) else None
            curves.append(CurveInfo(cell_id, name, points, listed))  # type: ignore[arg-type]
            other_cells[cell_id] = f"trust-boundary curve {name!r}"
        elif shape in FLOW_SHAPES or shape == "edge":
            if shape == "edge":
                state.report(f"an unformatted edge in diagram {title!r} (shape 'edge') is read as a data flow")
            edge_cells.append(cell)
        elif shape in TEXT_SHAPES:
            text = clean_text(_label(cell))[0]
            if text:
                notes.append(text)
            other_cells[cell_id] = "text block"
        else:
            unknown_shapes[shape or "(none)"] += 1
            other_cells[cell_id] = f"{shape or 'unknown'} cell"
        if shape not in NODE_SHAPES and shape not in SIMILAR_NODE_SHAPES and shape not in FLOW_SHAPES and shape != "edge":
            for threat in _threats_of(cell, data, unknown_threat_keys):
                state.report(
                    f"threat {short(as_text(threat.get('title')))!r} is on a {other_cells.get(cell_id, 'cell')}; only "
                    "components and flows own threats here, so it is not imported (move it to a flow that crosses the boundary)"
                )

    for node in nodes.values():  # ids in file order
        node.id = _element_id(node.embed_id, node.name, node.kind, state)
        components[node.id] = node.body
        for threat in node.threats:
            pending.append(_PendingThreat(node.id, node.name, threat, repr(short(node.name))))

    flow_list = [f for f in (_read_flow(c, nodes, other_cells, title, state, unknown_threat_keys) for c in edge_cells) if f]
    for flow in flow_list:
        flow.body = {"from": flow.source.id, "to": flow.target.id, **flow.body}

    zone_result = build_zones(
        [NodeInfo(n.key, n.name, n.kind, n.rect) for n in nodes.values()],
        boxes,
        curves,
        [FlowInfo(f.key, f.name or f"{f.source.name} → {f.target.name}", f.source.key, f.target.key, f.path, f.boundary_ids) for f in flow_list],
        state.report,
    )
    zone_ids: dict[str, str] = {}
    for zone in zone_result.zones:
        if zone.origin == "box":
            data = box_cells[zone.key].get("data")
            body, embed_id = _boundary_body(data if isinstance(data, dict) else {}, zone.name)
            zone_ids[zone.key] = _element_id(embed_id, zone.name, "boundary", state)
            if "internet" not in body and INTERNET_NAME.search(zone.name):
                state.report(
                    f"boundary `{zone_ids[zone.key]}` ({zone.name!r}) is named like the public internet; if it is, "
                    "set `internet = true` on it (not inferred: it raises the severity of everything inside)"
                )
        else:
            zone_ids[zone.key] = _element_id(None, zone.name, "boundary", state)
            body = {"name": zone.name}
        if zone.parent is not None:
            body["parent"] = zone_ids[zone.parent]
        boundaries[zone_ids[zone.key]] = _ordered(body, ("name", "description", "parent", "internet"))
    for node_key, zone_key in zone_result.member_of.items():
        body = components[nodes[node_key].id]
        body["boundary"] = zone_ids[zone_key]
        components[nodes[node_key].id] = _canonical_component(body)

    by_key = {f.key: f for f in flow_list}
    for zone in zone_result.zones:
        if zone.origin != "curve":
            continue
        bid = zone_ids[zone.key]
        inside = _members_deep(zone.key, zone_result)
        members = [n.name for n in nodes.values() if n.key in inside]
        crossing = [by_key[k].name or f"{by_key[k].source.name} → {by_key[k].target.name}" for k in zone.crossing_flows if k in by_key]
        described = (
            "Made from a Threat Dragon trust-boundary curve, which has no inside: this zone holds the components "
            f"on one side of it ({zone.inside_label}). Flows crossing the curve: {', '.join(crossing) or 'none'}."
        )
        boundaries[bid] = _ordered(dict(boundaries[bid], description=clean_text(described)[0]), ("name", "description", "parent", "internet"))
        if members:
            state.report(
                f"trust-boundary curve {zone.name!r} became boundary `{bid}` holding {_names(members)} "
                f"({zone.inside_label}); flows crossing it: {_names(crossing) if crossing else 'none'}"
            )
        else:
            state.report(f"trust-boundary curve {zone.name!r} separates no components; imported as empty boundary `{bid}`")
    for curve in curves:
        if curve.key not in zone_result.unplaced_curves:
            continue
        crossing_keys = zone_result.unplaced_curves[curve.key]
        tag = clean_line(f"td-boundary:{curve.name}", 64)[0]
        for key in crossing_keys:
            body = by_key[key].body
            tags = list(body.get("tags", []))
            if tag not in tags:
                body["tags"] = tags + [tag]
        state.report(
            f"trust-boundary curve {curve.name!r} cannot become a zone that nests with the other boundaries; "
            f"no boundary made for it; the {len(crossing_keys)} flow(s) crossing it are tagged `{tag}`"
        )

    for flow in flow_list:  # ids, threats and bidirectional copies, in file order
        fallback = f"{flow.source.id}-to-{flow.target.id}"
        flow.id = _element_id(flow.embed_id, flow.name or fallback, "flow", state)
        flows[flow.id] = _ordered(flow.body, FLOW_ORDER)
        label = repr(short(flow.name)) if flow.name else f"`{flow.id}`"
        for threat in flow.threats:
            pending.append(_PendingThreat(flow.id, flow.name or flow.id, threat, label))
        if flow.bidirectional:
            reverse = dict(flow.body, **{"from": flow.body["to"], "to": flow.body["from"]})
            if reverse.get("name"):
                reverse["name"] = clean_line(f"{reverse['name']} (reverse)")[0]
            reverse_id = _element_id(None, f"{flow.id}-reverse", "flow", state)
            flows[reverse_id] = _ordered(reverse, FLOW_ORDER)
            state.report(
                f"flow {label} is bidirectional: imported as two flows, `{flow.id}` and `{reverse_id}` "
                "(its threats stay on the first)"
            )


FLOW_ORDER = ("from", "to", "name", "description", "data", "protocol")


def _ordered(body: dict, first: tuple[str, ...]) -> dict:
    return {**{k: body[k] for k in first if k in body}, **{k: v for k, v in body.items() if k not in first}}


def _members_deep(zone_key: str, result) -> set[str]:
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


def _element_id(embedded: object, name: str, fallback: str, state: _State) -> str:
    if isinstance(embedded, str) and is_id(embedded) and embedded not in state.taken:
        element_id = embedded
    else:
        element_id = unique_id(re.sub(r"['\u2019`]", "", name), state.taken, fallback.replace("_", "-"))
    state.taken.add(element_id)
    return element_id


def _embedded(data: dict) -> tuple[dict | None, dict, str | None]:
    """(our element as export wrote it, the Threat Dragon values export wrote, our id)."""
    embed = _embed(data)
    if embed is None or not isinstance(embed.get("element"), dict):
        return None, {}, None
    written = embed.get("written") if isinstance(embed.get("written"), dict) else {}
    embed_id = embed.get("id") if isinstance(embed.get("id"), str) else None
    return embed["element"], written, embed_id


def _read_node(cell: dict, shape: str, data: dict, state: _State, unknown: Counter) -> _Node:
    td_shape = shape
    if shape in SIMILAR_NODE_SHAPES:
        kind = SIMILAR_NODE_SHAPES[shape]
        td_shape = "process"
        state.report(f"shape {shape!r} ({short(_label(cell)) or 'unnamed'!r}) imported as a process")
    else:
        kind = NODE_SHAPES[shape]
    raw_name = _label(cell)
    name, cut = clean_line(raw_name)
    if cut:
        state.report(f"name {short(raw_name)!r} is longer than 200 characters; truncated")
    name = name or KIND_NAMES[kind]
    element, written, embed_id = _embedded(data)
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
    return _Node(
        as_text(cell["id"]), "", kind, _canonical_component(body), _rect(cell), _threats_of(cell, data, unknown), name, embed_id
    )


def _canonical_component(body: dict) -> dict:
    return _ordered(body, ("kind", "name", "description", "technology", "tags", "boundary", "out_of_scope", "out_of_scope_reason"))


def _boundary_body(data: dict, name: str) -> tuple[dict, str | None]:
    element, written, embed_id = _embedded(data)
    body: dict = {"name": name}
    if element is not None:
        body = {k: v for k, v in element.items() if k in ("name", "description", "internet")}
        if not ("name" in written and written["name"] == data.get("name")):
            body["name"] = name
        if "description" in written and written["description"] == data.get("description"):
            return body, embed_id
    text = clean_text(data.get("description"))[0]
    body.pop("description", None)
    if text:
        body["description"] = text
    return body, embed_id


def _read_flow(
    cell: dict,
    nodes: dict[str, _Node],
    other_cells: dict[str, str],
    title: str,
    state: _State,
    unknown: Counter,
) -> _Flow | None:
    data = cell.get("data") if isinstance(cell.get("data"), dict) else {}
    raw_name = _label(cell)
    name, cut = clean_line(raw_name)
    if cut:
        state.report(f"name {short(raw_name)!r} is longer than 200 characters; truncated")
    threats = _threats_of(cell, data, unknown)
    label = repr(short(name)) if name else "an unnamed flow"
    ends = []
    for end in ("source", "target"):
        node = _flow_end(cell.get(end), end, nodes, other_cells, label, title, state)
        if node is None:
            lost = (
                f"; its {len(threats)} threat(s) are not imported: "
                + ", ".join(repr(short(as_text(t.get("title")))) for t in threats)
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
    element, written, embed_id = _embedded(data)
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
    vertices = _vertices(cell)
    if start is not None and finish is not None and vertices is not None:
        path = [start, *vertices, finish]
    ids = data.get("trustBoundaryIds")
    return _Flow(
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


def _end_point(end: object, nodes: dict[str, _Node]) -> Point | None:
    if isinstance(end, dict) and isinstance(end.get("cell"), str) and end["cell"] in nodes:
        rect = nodes[end["cell"]].rect
        return rect.centre if rect is not None else None
    return _point(end)


def _flow_end(
    end: object, which: str, nodes: dict[str, _Node], other_cells: dict[str, str], label: str, title: str, state: _State
) -> _Node | None:
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
    point = _point(end)
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


# ---------------------------------------------------------------------------------------------
# Threats


def _place_threats(data: dict, pending: list[_PendingThreat], ruleset: RuleSet | None, state: _State) -> None:
    """Custom threats, and our own exported findings back as decisions where the rule still fires."""
    rule_threats: list[tuple[_PendingThreat, str]] = []
    for item in pending:
        rule_id = as_text(item.threat.get("ruleId"))
        if rule_id.startswith(RULE_ID_PREFIX):
            rule = rule_id[len(RULE_ID_PREFIX) :]
            if ruleset is not None and rule in ruleset.rules:
                rule_threats.append((item, rule))
                continue
            state.report(
                f"threat {short(as_text(item.threat.get('title')))!r} on {item.origin} came from stride-tui rule "
                f"`{rule}`, which is not loaded here; imported as a custom threat"
            )
        _add_custom(data, item, state)
    if not rule_threats:
        return
    model = _validate(data, "<import>")
    fired = {f.id for f in analyse(model, ruleset).findings} if ruleset is not None else set()
    for item, rule in rule_threats:
        key = f"{rule}@{item.element_id}"
        if key not in fired:
            state.report(
                f"finding `{key}` ({short(as_text(item.threat.get('title')))!r}) no longer fires on the imported "
                "model; kept as a custom threat"
            )
            _add_custom(data, item, state)
            continue
        decision = _decision_of(item, state)
        if decision is not None:
            data["decisions"][key] = decision


def _written(threat: dict) -> dict:
    embed = _embed(threat)
    written = embed.get("written") if embed else None
    return written if isinstance(written, dict) else {}


def _changed(threat: dict, key: str) -> bool:
    """True when the user changed ``key`` in Threat Dragon (or the threat was never ours)."""
    written = _written(threat)
    return key not in written or written[key] != threat.get(key)


def _decision_of(item: _PendingThreat, state: _State) -> dict | None:
    threat = item.threat
    embed = _embed(threat) or {}
    decision = embed.get("decision") if isinstance(embed.get("decision"), dict) else {}
    status = decision.get("status") if decision.get("status") in STATUSES else "open"
    if _changed(threat, "status"):
        status, _ = _status(threat, item, state)
    out: dict = {"status": status}
    note = clean_text(decision.get("note"))[0]
    ticket = clean_line(decision.get("ticket"))[0]
    if note:
        out["note"] = note
    if ticket:
        out["ticket"] = ticket
    if status == "open" and len(out) == 1:
        return None
    return out


def _status(threat: dict, item: _PendingThreat, state: _State) -> tuple[str, str | None]:
    text = as_text(threat.get("status")).strip()
    key = text.lower()
    if key in STATUS_IMPORT:
        return STATUS_IMPORT[key], None
    if key in STATUS_NEAREST:
        state.report(
            f"threat {short(as_text(threat.get('title')))!r} on {item.origin}: status {text!r} imported as "
            f"{STATUS_NEAREST[key]!r}"
        )
        return STATUS_NEAREST[key], f"Threat Dragon status: {text}"
    state.report(
        f"threat {short(as_text(threat.get('title')))!r} on {item.origin}: status {text or '(none)'!r} is not known; "
        "imported as 'open'"
    )
    return "open", (f"Threat Dragon status: {text}" if text else None)


def _add_custom(data: dict, item: _PendingThreat, state: _State) -> None:
    threat = item.threat
    embed = _embed(threat) or {}
    base = embed.get("threat") if isinstance(embed.get("threat"), dict) else None
    body: dict = dict(base) if base else {}
    notes: list[str] = []
    title_raw = as_text(threat.get("title"))
    if base is None or _changed(threat, "title"):
        title, cut = clean_line(title_raw)
        if cut:
            state.report(f"threat title {short(title_raw)!r} is longer than 200 characters; truncated")
        if not title:
            title = f"{as_text(threat.get('type')).strip() or 'Untitled'} threat"
            state.report(f"a threat on {item.origin} has no title; named {title!r}")
        body["title"] = title
    where = f"threat {body['title']!r} on {item.origin}"
    if base is None or _changed(threat, "type") or body.get("category") not in (
        "spoofing", "tampering", "repudiation", "information_disclosure", "denial_of_service", "elevation_of_privilege"
    ):
        type_text = clean_line(threat.get("type"))[0]
        model_type = clean_line(threat.get("modelType"))[0]
        category, exact = category_of(type_text)
        if not exact:
            shown = f"{model_type} / {type_text}" if model_type and model_type.upper() != "STRIDE" else type_text or "(none)"
            state.report(f"{where}: type {shown!r} is not a STRIDE category; imported as {category!r}")
            notes.append(f"Threat Dragon type: {shown}")
        body["category"] = category
    body["target"] = item.element_id
    if base is None or _changed(threat, "severity"):
        severity_text = as_text(threat.get("severity")).strip()
        if severity_text.lower() in SEVERITY_IMPORT:
            body["severity"] = SEVERITY_IMPORT[severity_text.lower()]
        else:
            body.pop("severity", None)
            state.report(
                f"{where}: severity {severity_text or '(none)'!r} "
                + ("is not set yet" if severity_text.lower() in SEVERITY_UNSET else "is not known")
                + "; left unset (read as medium)"
            )
            if severity_text and severity_text.lower() not in SEVERITY_UNSET:
                notes.append(f"Threat Dragon severity: {severity_text}")
    if base is None or _changed(threat, "status"):
        status, note = _status(threat, item, state)
        body["status"] = status
        if note:
            notes.append(note)
    for key in ("description", "mitigation"):
        if base is None or _changed(threat, key):
            text, cut = clean_text(threat.get(key))
            body.pop(key, None)
            if text:
                body[key] = text
            if cut:
                state.report(f"{where}: {key} is longer than 20,000 characters; truncated")
    score = clean_line(threat.get("score"))[0]
    if score and (base is None or _changed(threat, "score")):
        notes.append(f"Threat Dragon score: {score}")
    if notes:
        existing = body.get("note")
        body["note"] = clean_text("\n".join([existing, *notes] if existing else notes))[0]
    embed_id = embed.get("id") if isinstance(embed.get("id"), str) else None
    if isinstance(embed_id, str) and is_id(embed_id) and embed_id not in state.threat_ids and embed_id not in state.taken:
        tid = embed_id
    else:
        tid = unique_id(re.sub(r"['\u2019`]", "", body["title"]), state.threat_ids | state.taken, "threat")
    state.threat_ids.add(tid)
    order = ["title", "category", "target", "severity", "status", "description", "mitigation", "note", "ticket"]
    data["threats"][tid] = {k: body[k] for k in order if k in body and body[k] is not None}


# ---------------------------------------------------------------------------------------------
# Model


def _meta(summary: dict, detail: dict, notes: list[str], file: str, state: _State) -> dict:
    title, cut = clean_line(summary.get("title"))
    if cut:
        state.report("the model title is longer than 200 characters; truncated")
    if not title:
        title = clean_line(Path(file).stem.replace("-", " ").replace("_", " "))[0] or "Imported threat model"
        state.report(f"the file has no summary.title; the model is titled {title!r}")
    meta: dict = {"title": title}
    parts = []
    description = clean_text(summary.get("description"))[0]
    if description:
        parts.append(description)
    reviewer = clean_line(detail.get("reviewer"))[0]
    contributors = detail.get("contributors")
    names = []
    if isinstance(contributors, list):
        for c in contributors:
            n = clean_line(c.get("name") if isinstance(c, dict) else c)[0]
            if n:
                names.append(n)
    people = []
    if reviewer:
        people.append(f"Reviewer: {reviewer}.")
    if names:
        people.append(f"Contributors: {', '.join(names)}.")
    if people:
        parts.append(" ".join(people))
    if notes:
        parts.append("Notes from the Threat Dragon diagram:\n" + "\n".join("- " + n.replace("\n", "\n  ") for n in notes))
    text, cut = clean_text("\n\n".join(parts))
    if cut:
        state.report("the model description is longer than 20,000 characters; truncated")
    if text:
        meta["description"] = text
    owner, _ = clean_line(summary.get("owner"))
    if owner:
        meta["owner"] = owner
    return meta


def _validate(data: dict, file: str) -> ThreatModel:
    """Validate exactly as a model file is validated (schema, references, semantics)."""
    try:
        model = ThreatModel.model_validate(data)
        raw = encode_model(model)
    except (ValidationError, SaveError) as exc:
        raise ModelError([Diagnostic(file, f"internal error: the imported model is not valid ({exc}); please report it")]) from None
    try:
        return parse_model(raw, file).model
    except ModelError as exc:
        raise ModelError(
            [Diagnostic(file, f"internal error: the imported model is not valid: {d.message}; please report it") for d in exc.diagnostics]
        ) from None
