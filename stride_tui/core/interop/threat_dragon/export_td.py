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
from stride_tui.core.interop.threat_dragon.layout import Layout, layout_model
from stride_tui.core.interop.threat_dragon.mapping import (
    EMBED_KEY,
    FORMAT_VERSION,
    RULE_ID_PREFIX,
    SEVERITY_EXPORT,
    SHAPE_OF_KIND,
    STATUS_EXPORT,
    TYPE_OF_KIND,
)
from stride_tui.core.interop.threat_dragon.properties import td_properties
from stride_tui.core.model.elements import ThreatModel
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


def export_threat_dragon(model: ThreatModel, analysis: Analysis) -> ExportResult:
    """The Threat Dragon file for ``model``, with ``analysis``'s findings as threats."""
    warnings: list[str] = []
    data = model_to_data(model)
    layout = layout_model(model)
    cell_id = {eid: _uuid("element", eid) for eid in (*model.boundaries, *model.components, *model.flows)}

    by_element: dict[str, list[Finding]] = {}
    for finding in analysis.findings:
        by_element.setdefault(finding.element_id, []).append(finding)
    number = 0
    threats_of: dict[str, list[dict]] = {}
    for element_id, findings in by_element.items():
        out = []
        for finding in findings:
            number += 1
            out.append(_threat(finding, number, model))
        threats_of[element_id] = out

    cells: list[dict] = []
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
        for c in crossings:
            crossing_flows[c.boundary].append(cell_id[fid])
    for bid in sorted(model.boundaries, key=lambda b: (layout.depth.get(b, 0), list(model.boundaries).index(b))):
        cells.append(_box(bid, data["boundaries"][bid], layout, cell_id, inside[bid], crossing_flows[bid]))
    for z, (cid, body) in enumerate(data.get("components", {}).items(), start=1):
        cells.append(_node(cid, body, layout, cell_id, threats_of.get(cid, []), z))
    for fid, body in data.get("flows", {}).items():
        boundary_ids = [cell_id[c.boundary] for c in analysis.topology.crossings.get(fid, ())]
        cells.append(_edge(fid, body, model, cell_id, threats_of.get(fid, []), boundary_ids))

    if analysis.orphans:
        warnings.append(
            f"{len(analysis.orphans)} orphan decision(s) not exported (their findings no longer fire): "
            + ", ".join(analysis.orphans[:5])
            + (" …" if len(analysis.orphans) > 5 else "")
        )
    if model.model.rule_files:
        warnings.append(
            "model.rule_files is not carried into Threat Dragon (their findings are exported as threats; "
            "add the rule files again after an import)"
        )
    document = {
        "version": FORMAT_VERSION,
        "summary": {
            "title": model.model.title,
            "owner": model.model.owner or "",
            "description": model.model.description or "",
            "id": 0,
        },
        "detail": {
            "contributors": [],
            "diagrams": [
                {
                    "id": 0,
                    "title": model.model.title,
                    "diagramType": "STRIDE",
                    "placeholder": "New STRIDE diagram description",
                    "thumbnail": THUMBNAIL,
                    "version": FORMAT_VERSION,
                    "description": "",
                    "cells": cells,
                }
            ],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": number,
        },
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    counts = {
        "boundaries": len(model.boundaries),
        "components": len(model.components),
        "flows": len(model.flows),
        "threats": number,
    }
    return ExportResult(document, text, warnings, counts)


def _embed(element_id: str, body: dict, written: dict) -> dict:
    return {"id": element_id, "element": body, "written": written}


def _box(
    bid: str, body: dict, layout: Layout, cell_id: dict[str, str], contained: list[str], crossing: list[str]
) -> dict:
    place = layout.boxes[bid]
    name = body.get("name") or bid
    description = body.get("description") or ""
    return {
        "id": cell_id[bid],
        "shape": "trust-boundary-box",
        "zIndex": -20 + layout.depth.get(bid, 0),
        "visible": True,
        "position": {"x": place.x, "y": place.y},
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


def _node(cid: str, body: dict, layout: Layout, cell_id: dict[str, str], threats: list[dict], z: int) -> dict:
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
        "position": {"x": place.x, "y": place.y},
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
    fid: str, body: dict, model: ThreatModel, cell_id: dict[str, str], threats: list[dict], boundary_ids: list[str]
) -> dict:
    name = body.get("name") or flow_display_name(model, fid)
    props = td_properties("flow", body)
    has_open = any(t["status"] == "Open" for t in threats)
    style = _style(has_open, bool(body.get("out_of_scope")))
    written = {"name": name, **props, "isBidirectional": False}
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
                "sourceMarker": {"name": ""},
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
            "isBidirectional": False,
            "isTrustBoundary": False,
            "hasOpenThreats": has_open,
            "threats": threats,
            "trustBoundaryIds": boundary_ids,
            EMBED_KEY: _embed(fid, {k: v for k, v in body.items() if k not in ("from", "to")}, written),
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
