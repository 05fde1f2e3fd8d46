"""Our model → a Threat Dragon v2 JSON file that Threat Dragon 2.x opens.

The structure is the one Threat Dragon writes (``version``/``summary``/``detail`` with one
STRIDE diagram of X6 cells), valid against its v2 JSON schema. Boundaries become
trust-boundary boxes sized to hold their members, laid out automatically; the findings of the
analysis (rules and custom threats, with the team's decisions as statuses) become the threats of
each cell. Each cell and threat also carries our own data under ``strideTui`` so that importing
the file again gives back the same model, while whatever was edited in Threat Dragon wins.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis, Finding, flow_display_name
from stride_tui.core.analysis.risk import risk_line
from stride_tui.core.files.storage import model_to_data
from stride_tui.core.interop.threat_dragon.layout import Layout as AutoLayout
from stride_tui.core.interop.threat_dragon.layout import layout_model
from stride_tui.core.interop.threat_dragon.layout_file import Layout
from stride_tui.core.interop.threat_dragon.mapping import (
    CURVE_SHAPES,
    EMBED_KEY,
    FORMAT_VERSION,
    RULE_ID_PREFIX,
    SEVERITY_EXPORT,
    SHAPE_OF_KIND,
    STATUS_EXPORT,
    TYPE_OF_KIND,
)
from stride_tui.core.interop.threat_dragon.properties import td_properties
from stride_tui.core.model.elements import SEVERITIES, ThreatModel
from stride_tui.core.stride import CATEGORY_LABELS

_NAMESPACE = uuid.UUID("5d3c4e0a-6f0b-4d61-9a57-7d7a1c1e2f10")
THUMBNAIL = "./public/content/images/thumbnail.stride.jpg"
DEFAULT_STROKE, OPEN_STROKE = "#333333", "red"
PORT_ATTRS = {
    "circle": {
        "r": 4,
        "magnet": True,
        "stroke": "#5F95FF",
        "strokeWidth": 1,
        "fill": "#fff",
        "style": {"visibility": "hidden"},
    }
}


@dataclass
class ExportResult:
    """The Threat Dragon document, its text, and what could not be carried over."""

    document: dict
    text: str
    warnings: list[str]
    counts: dict[str, int]


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\0".join(parts)))


def export_threat_dragon(
    model: ThreatModel,
    analysis: Analysis,
    statuses: tuple[str, ...] | None = None,
    min_severity: str | None = None,
    layout: Layout | None = None,
) -> ExportResult:
    """The Threat Dragon file for ``model``, with ``analysis``'s findings as threats.

    ``statuses`` and ``min_severity`` choose which findings become threats; the decisions of the
    others still travel in the cells (``strideTui.decisions``), so importing the file back loses
    none. ``layout`` is the drawing kept at import (see ``layout_file``).
    """
    warnings: list[str] = []
    data = model_to_data(model)
    auto = layout_model(model)
    kept = layout.elements if layout is not None else {}
    cell_id = {
        eid: _kept_id(kept.get(eid)) or _uuid("element", eid)
        for eid in (*model.boundaries, *model.components, *model.flows)
    }
    merged_responses = _merged_responses(model, kept)

    floor = SEVERITIES.index(min_severity) if min_severity else 0
    by_element: dict[str, list[Finding]] = {}
    total = 0
    for finding in analysis.findings:
        total += 1
        if statuses is not None and finding.status not in statuses:
            continue
        if SEVERITIES.index(finding.severity) < floor:
            continue
        # a response drawn as one two-way edge with its request carries its threats there
        element = merged_responses.get(finding.element_id, finding.element_id)
        by_element.setdefault(element, []).append(finding)
    number = 0
    threats_of: dict[str, list[dict]] = {}
    for element_id, findings in by_element.items():
        out = []
        for finding in findings:
            number += 1
            out.append(_threat(finding, number, model))
        threats_of[element_id] = out
    carried, lost = _carried_decisions(model, set(analysis.orphans))

    cells_of: dict[int, list[dict]] = {}

    def place(element_id: str, cell: dict) -> None:
        entry = kept.get(element_id)
        diagram = entry.get("diagram") if isinstance(entry, dict) else 0
        index = diagram if isinstance(diagram, int) and 0 <= diagram < 1000 else 0
        cells_of.setdefault(index, []).append(cell)

    # boxes: outer first, so inner boxes are drawn above them
    inside: dict[str, list[str]] = {bid: [] for bid in model.boundaries}
    for cid in model.components:
        for bid in analysis.topology.component_chain.get(cid, ()):
            inside[bid].append(cell_id[cid])
    for bid in model.boundaries:
        parent = model.boundaries[bid].parent
        while parent is not None and parent in inside:
            inside[parent].append(cell_id[bid])
            parent = model.boundaries[parent].parent
    crossing_flows: dict[str, list[str]] = {bid: [] for bid in model.boundaries}
    for fid, crossings in analysis.topology.crossings.items():
        if fid in merged_responses:
            continue
        for c in crossings:
            crossing_flows[c.boundary].append(cell_id[fid])
    new_elements: list[str] = []
    offset = _offset_for_new(kept)
    for bid in sorted(model.boundaries, key=lambda b: (auto.depth.get(b, 0), list(model.boundaries).index(b))):
        cell = _box(bid, data["boundaries"][bid], auto, cell_id, inside[bid], crossing_flows[bid], offset)
        if bid in kept:
            cell = _drawn_as_kept(cell, kept[bid]["cell"])
        else:
            new_elements.append(bid)
        cell["data"][EMBED_KEY]["decisions"] = carried.get(bid) or None
        place(bid, _drop_empty_decisions(cell))
    for z, (cid, body) in enumerate(data.get("components", {}).items(), start=1):
        cell = _node(cid, body, auto, cell_id, threats_of.get(cid, []), z, offset)
        if cid in kept:
            cell = _drawn_as_kept(cell, kept[cid]["cell"])
        else:
            new_elements.append(cid)
        cell["data"][EMBED_KEY]["decisions"] = carried.get(cid) or None
        place(cid, _drop_empty_decisions(cell))
    for fid, body in data.get("flows", {}).items():
        if fid in merged_responses:
            continue
        boundary_ids = [cell_id[c.boundary] for c in analysis.topology.crossings.get(fid, ())]
        response = next((r for r, request in merged_responses.items() if request == fid), None)
        cell = _edge(fid, body, model, cell_id, threats_of.get(fid, []), boundary_ids, data, response)
        if fid in kept:
            cell = _drawn_as_kept(cell, kept[fid]["cell"])
        decisions = {**(carried.get(fid) or {}), **((carried.get(response) or {}) if response else {})}
        cell["data"][EMBED_KEY]["decisions"] = decisions or None
        place(fid, _drop_empty_decisions(cell))
    if layout is not None:
        for extra in layout.extras:
            diagram = extra.get("diagram")
            index = diagram if isinstance(diagram, int) and 0 <= diagram < 1000 else 0
            cells_of.setdefault(index, []).append(extra["cell"])
        if new_elements:
            warnings.append(
                f"{len(new_elements)} element(s) not in the layout file placed automatically to the right of the "
                "kept drawing: " + ", ".join(new_elements[:5]) + (" …" if len(new_elements) > 5 else "")
            )

    if analysis.orphans:
        warnings.append(
            f"{len(analysis.orphans)} orphan decision(s) not exported (their findings no longer fire): "
            + ", ".join(analysis.orphans[:5])
            + (" …" if len(analysis.orphans) > 5 else "")
        )
    if lost:
        warnings.append(
            f"{len(lost)} decision(s) not exported (they name an element the model no longer has): "
            + ", ".join(lost[:5])
            + (" …" if len(lost) > 5 else "")
        )
    if model.model.rule_files:
        warnings.append(
            "model.rule_files is not carried into Threat Dragon (their findings are exported as threats; "
            "add the rule files again after an import)"
        )
    if number < total:
        warnings.append(f"{total - number} of {total} findings left out by --status / --min-severity")
    description = model.model.description or ""
    reviewer, contributors = "", []
    if layout is not None and description == layout.model_description:
        # unedited since import: the notes and people import added go back where they came from
        description = layout.summary_description
        reviewer, contributors = layout.reviewer, layout.contributors
    diagrams = _diagrams(model, cells_of, layout)
    document = {
        "version": FORMAT_VERSION,
        "summary": {
            "title": model.model.title,
            "owner": model.model.owner or "",
            "description": description,
            "id": 0,
        },
        "detail": {
            "contributors": contributors,
            "diagrams": diagrams,
            "diagramTop": len(diagrams),
            "reviewer": reviewer,
            "threatTop": number,
        },
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    counts = {
        "boundaries": len(model.boundaries),
        "components": len(model.components),
        "flows": len(model.flows),
        "threats": number,
        "all_threats": total,
    }
    return ExportResult(document, text, warnings, counts)


def _kept_id(entry: object) -> str | None:
    if isinstance(entry, dict) and isinstance(entry.get("cell"), dict):
        value = entry["cell"].get("id")
        return value if isinstance(value, str) and value else None
    return None


def _merged_responses(model: ThreatModel, kept: dict[str, dict]) -> dict[str, str]:
    """Response id -> request id, for each request drawn as one two-way edge in Threat Dragon
    (the layout says so, and the response still answers it, end for end)."""
    out: dict[str, str] = {}
    for fid, entry in kept.items():
        response = entry.get("response") if isinstance(entry, dict) else None
        if not isinstance(response, str) or fid not in model.flows or response not in model.flows:
            continue
        request, answer = model.flows[fid], model.flows[response]
        if answer.response_to == fid and (answer.source, answer.target) == (request.target, request.source):
            out[response] = fid
    return out


def _carried_decisions(model: ThreatModel, orphans: set[str]) -> tuple[dict[str, dict[str, dict]], list[str]]:
    """The decisions each element's cell carries (a rule everywhere, ``rule@*``, rides on the
    first element), and the keys of those whose element is gone. Orphans stay behind (reported)."""
    carried: dict[str, dict[str, dict]] = {}
    lost: list[str] = []
    elements = [*model.components, *model.flows, *model.boundaries]
    for key, decision in model.decisions.items():
        if key in orphans:
            continue
        element = key.rpartition("@")[2]
        if element == "*":
            element = elements[0] if elements else ""
        if element not in model.components and element not in model.flows and element not in model.boundaries:
            lost.append(key)
            continue
        carried.setdefault(element, {})[key] = decision.model_dump(mode="json", exclude_none=True)
    return carried, lost


def _drop_empty_decisions(cell: dict) -> dict:
    embed = cell["data"][EMBED_KEY]
    if embed.get("decisions") is None:
        embed.pop("decisions", None)
    return cell


def _offset_for_new(kept: dict[str, dict]) -> float:
    """How far right of the kept drawing new elements go (0 without a layout)."""
    right = 0.0
    for entry in kept.values():
        cell = entry.get("cell", {}) if isinstance(entry, dict) else {}
        position, size = cell.get("position"), cell.get("size")
        if isinstance(position, dict) and isinstance(size, dict):
            try:
                right = max(right, float(position.get("x", 0)) + float(size.get("width", 0)))
            except (TypeError, ValueError):
                continue
    return right + 120 if right else 0.0


def _drawn_as_kept(cell: dict, drawing: dict) -> dict:
    """``cell`` where the kept drawing says how it looked: its id, place, size, ports and bends;
    a boundary that was a curve is a curve again."""
    out = dict(cell)
    if drawing.get("shape") in CURVE_SHAPES:
        curve = {k: v for k, v in drawing.items() if k != "ports"}
        curve["data"] = {
            **{k: v for k, v in cell["data"].items() if k not in ("containedElements",)},
            "type": "tm.Boundary",
        }
        curve["visible"] = True
        return curve
    for key in ("id", "position", "size", "angle", "zIndex", "vertices", "connector", "router"):
        if key in drawing:
            out[key] = drawing[key]
    if isinstance(drawing.get("labels"), list) and "labels" in out:
        # the kept label position, with the text of the model
        kept_labels = [dict(label) for label in drawing["labels"] if isinstance(label, dict)]
        if kept_labels and isinstance(out["labels"], list) and out["labels"]:
            first = dict(out["labels"][0])
            if "position" in kept_labels[0]:
                first["position"] = kept_labels[0]["position"]
            out["labels"] = [first]
    if isinstance(drawing.get("ports"), list) and "ports" in out:
        groups = out["ports"]["groups"]
        items = [p for p in drawing["ports"] if p.get("group") in groups]
        if items:
            out["ports"] = {"groups": groups, "items": items}
    for end in ("source", "target"):
        port = drawing.get(f"{end}Port")
        if isinstance(port, str) and isinstance(out.get(end), dict):
            out[end] = {**out[end], "port": port}
    return out


def _diagrams(model: ThreatModel, cells_of: dict[int, list[dict]], layout: Layout | None) -> list[dict]:
    metas = layout.diagrams if layout is not None and layout.diagrams else [{}]
    count = max([len(metas), *(i + 1 for i in cells_of)])
    out = []
    for index in range(count):
        meta = metas[index] if index < len(metas) else {}
        diagram = {
            "id": meta.get("id", index),
            "title": meta.get("title") or (model.model.title if index == 0 else f"Diagram {index + 1}"),
            "diagramType": meta.get("diagramType") or "STRIDE",
            "placeholder": meta.get("placeholder") or "New STRIDE diagram description",
            "thumbnail": meta.get("thumbnail") or THUMBNAIL,
            "version": meta.get("version") or FORMAT_VERSION,
            "description": meta.get("description") or "",
            "cells": cells_of.get(index, []),
        }
        for key in ("placeholder", "description"):
            if meta and key not in meta:
                del diagram[key]  # the imported diagram had none: write it back as it was
        out.append(diagram)
    return out


def _embed(element_id: str, body: dict, written: dict) -> dict:
    return {"id": element_id, "element": body, "written": written}


def _box(
    bid: str,
    body: dict,
    layout: AutoLayout,
    cell_id: dict[str, str],
    contained: list[str],
    crossing: list[str],
    offset: float = 0.0,
) -> dict:
    place = layout.boxes[bid]
    name = body.get("name") or bid
    description = body.get("description") or ""
    return {
        "id": cell_id[bid],
        "shape": "trust-boundary-box",
        "zIndex": -20 + layout.depth.get(bid, 0),
        "visible": True,
        "position": {"x": place.x + offset, "y": place.y},
        "size": {"width": place.width, "height": place.height},
        "attrs": {"label": {"text": name}, "headerText": {"text": name}},
        "data": {
            "type": "tm.BoundaryBox",
            "name": name,
            "description": description,
            "isTrustBoundary": True,
            "hasOpenThreats": False,
            "containedElements": contained,
            "crossingFlows": crossing,
            EMBED_KEY: _embed(
                bid, {k: v for k, v in body.items() if k != "parent"}, {"name": name, "description": description}
            ),
        },
    }


def _style(has_open: bool, out_of_scope: bool) -> dict:
    return {
        "stroke": OPEN_STROKE if has_open else DEFAULT_STROKE,
        "strokeWidth": 3.0 if has_open else 1.0,
        "strokeDasharray": "2 2" if out_of_scope else None,
    }


def _node(
    cid: str,
    body: dict,
    layout: AutoLayout,
    cell_id: dict[str, str],
    threats: list[dict],
    z: int,
    offset: float = 0.0,
) -> dict:
    kind = body["kind"]
    shape = SHAPE_OF_KIND[kind]
    place = layout.nodes[cid]
    name = body.get("name") or cid
    props = td_properties(shape, body)
    has_open = any(t["status"] == "Open" for t in threats)
    style = _style(has_open, bool(body.get("out_of_scope")))
    if shape == "store":
        attrs = {"text": {"text": name}, "topLine": dict(style), "bottomLine": dict(style)}
    else:
        attrs = {"text": {"text": name}, "body": style}
    written = {"name": name, **props}
    return {
        "id": cell_id[cid],
        "shape": shape,
        "zIndex": z,
        "visible": True,
        "position": {"x": place.x + offset, "y": place.y},
        "size": {"width": place.width, "height": place.height},
        "attrs": attrs,
        "ports": {
            "groups": {side: {"position": side, "attrs": PORT_ATTRS} for side in ("top", "right", "bottom", "left")},
            "items": [{"group": side, "id": _uuid("port", cid, side)} for side in ("top", "right", "bottom", "left")],
        },
        "data": {
            "type": TYPE_OF_KIND[kind],
            "name": name,
            **props,
            "isTrustBoundary": False,
            "hasOpenThreats": has_open,
            "threats": threats,
            EMBED_KEY: _embed(cid, {k: v for k, v in body.items() if k != "boundary"}, written),
        },
    }


def _edge(
    fid: str,
    body: dict,
    model: ThreatModel,
    cell_id: dict[str, str],
    threats: list[dict],
    boundary_ids: list[str],
    data: dict | None = None,
    response: str | None = None,
) -> dict:
    name = body.get("name") or flow_display_name(model, fid)
    props = td_properties("flow", body)
    has_open = any(t["status"] == "Open" for t in threats)
    style = _style(has_open, bool(body.get("out_of_scope")))
    two_way = response is not None
    written = {"name": name, **props, "isBidirectional": two_way}
    embed = _embed(fid, {k: v for k, v in body.items() if k not in ("from", "to")}, written)
    if response is not None and data is not None:
        answer = data["flows"][response]
        embed["response"] = {"id": response, "element": {k: v for k, v in answer.items() if k not in ("from", "to")}}
    return {
        "id": cell_id[fid],
        "shape": "flow",
        "zIndex": 10,
        "width": 200,
        "height": 100,
        "connector": "smooth",
        "source": {"cell": cell_id[body["from"]]},
        "target": {"cell": cell_id[body["to"]]},
        "vertices": [],
        "attrs": {
            "line": {
                **style,
                "targetMarker": {"name": "block"},
                "sourceMarker": {"name": "block" if two_way else ""},
            }
        },
        "labels": [
            {
                "markup": [
                    {"tagName": "ellipse", "selector": "labelBody"},
                    {"tagName": "text", "selector": "labelText"},
                ],
                "attrs": {
                    "labelText": {"text": name, "textAnchor": "middle", "textVerticalAnchor": "middle"},
                    "labelBody": {"ref": "labelText", "refRx": "50%", "refRy": "60%", "fill": "#fff", "strokeWidth": 0},
                },
                "position": {"distance": 0.5, "args": {"keepGradient": True, "ensureLegibility": True}},
            }
        ],
        "data": {
            "type": "tm.Flow",
            "name": name,
            **props,
            "isBidirectional": two_way,
            "isTrustBoundary": False,
            "hasOpenThreats": has_open,
            "threats": threats,
            "trustBoundaryIds": boundary_ids,
            EMBED_KEY: embed,
        },
    }


def _threat(finding: Finding, number: int, model: ThreatModel) -> dict:
    status = STATUS_EXPORT[finding.status]
    severity = SEVERITY_EXPORT[finding.severity]
    if finding.custom:
        threat = model.threats[finding.id]
        description = threat.description or ""
        extra = []
        if threat.note:
            extra.append(f"Note: {threat.note}")
        if threat.ticket:
            extra.append(f"Ticket: {threat.ticket}")
        if finding.status == "investigating":
            extra.append("Status in stride-tui: investigating")
        if extra:
            description = "\n\n".join(x for x in (description, "\n".join(extra)) if x)
        mitigation = threat.mitigation or ""
    else:
        parts = [finding.description, "Why it fired: " + "; ".join(finding.explanation)]
        parts.append(f"Risk: {risk_line(finding.severity, finding.risk_reasons)}.")
        if finding.references:
            parts.append("References: " + ", ".join(finding.references))
        decision = model.decisions.get(finding.id)
        if decision is not None:
            line = f"Decision: {decision.status.replace('_', ' ')}"
            if decision.ticket:
                line += f" ({decision.ticket})"
            if decision.note:
                line += f" — {decision.note}"
            parts.append(line)
        parts.append(f"stride-tui finding {finding.id}")
        description = "\n\n".join(parts)
        mitigation = "\n".join(f"- {m}" for m in finding.mitigations)
    written = {
        "title": finding.title,
        "type": CATEGORY_LABELS[finding.category],  # Threat Dragon types are our labels
        "status": status,
        "severity": severity,
        "description": description,
        "mitigation": mitigation,
        "score": "",
    }
    out: dict = {
        "id": _uuid("threat", finding.id),
        **written,
        "modelType": "STRIDE",
        "number": number,
        "new": False,
    }
    if finding.custom:
        body = model.threats[finding.id].model_dump(mode="json", exclude_none=True)
        out[EMBED_KEY] = {"id": finding.id, "threat": body, "written": written}
    else:
        out["ruleId"] = RULE_ID_PREFIX + finding.rule_id
        decision = model.decisions.get(finding.id)
        out[EMBED_KEY] = {
            "finding": finding.id,
            "decision": decision.model_dump(mode="json", exclude_none=True) if decision else None,
            "written": written,
        }
    return out
