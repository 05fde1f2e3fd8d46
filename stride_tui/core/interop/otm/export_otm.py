"""Our model → an Open Threat Model (OTM 0.2.0) JSON file, valid against the OTM schema.

Boundaries become trust zones, components and flows keep their ids, and each threat of the
analysis (one missing control on one element) becomes an OTM threat, instantiated on its element
with a state from the team's decision and the remedy as its mitigation. OTM has no field for
most of our facts, so each zone, component and dataflow carries its whole stride-tui table in
``attributes["stride-tui"]``, and the project carries the decisions and hand-written threats:
importing the file gives back the same model. docs/otm.md has the mapping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis, flow_display_name
from stride_tui.core.analysis.threats import Threat, group_threats
from stride_tui.core.files.storage import model_to_data
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.ids import slugify
from stride_tui.core.stride import CATEGORY_LABELS

OTM_VERSION = "0.2.0"
ATTRIBUTE_KEY = "stride-tui"
OUTSIDE_ZONE = "stride-tui-outside"
"""The trust zone of components in no boundary (OTM requires every component to have a parent)."""
STATE_EXPORT = {
    "open": "exposed",
    "investigating": "investigating",
    "mitigated": "mitigated",
    "accepted": "accepted",
    "transferred": "transferred",
    "not_applicable": "not-applicable",
}
MITIGATION_STATE = {"mitigated": "implemented"}  # any other status: "required"
LEVEL_SCORE = {"low": 25, "medium": 50, "high": 75, "critical": 100}
ZONE_TYPE = {True: "internet", False: "trust-boundary"}


@dataclass
class OtmExport:
    document: dict
    text: str
    warnings: list[str]
    counts: dict[str, int]


def _trust_rating(model: ThreatModel, bid: str) -> int:
    """0–100, higher is more trusted: the internet 10, other zones 50 and +10 per nesting level."""
    boundary = model.boundaries[bid]
    if boundary.internet:
        return 10
    depth, parent = 0, boundary.parent
    while parent is not None and parent in model.boundaries and depth < 4:
        depth += 1
        parent = model.boundaries[parent].parent
    return 50 + 10 * depth


def export_otm(model: ThreatModel, analysis: Analysis) -> OtmExport:
    """The OTM document for ``model`` with ``analysis``'s threats."""
    data = model_to_data(model)
    warnings: list[str] = []
    threats = group_threats(analysis)
    instances: dict[str, list[dict]] = {}
    for threat in threats:
        instances.setdefault(threat.element_id, []).append(_instance(threat))

    zones = []
    for bid, body in data.get("boundaries", {}).items():
        boundary = model.boundaries[bid]
        zone: dict = {
            "id": bid,
            "name": boundary.name or bid,
            "type": ZONE_TYPE[bool(boundary.internet)],
            "description": boundary.description,
            "risk": {"trustRating": _trust_rating(model, bid)},
            "attributes": {ATTRIBUTE_KEY: body},
        }
        if boundary.parent is not None:
            zone["parent"] = {"trustZone": boundary.parent}
        zones.append(_without_none(zone))
    if any(c.boundary is None for c in model.components.values()):
        zones.append(
            {
                "id": OUTSIDE_ZONE,
                "name": "Outside any trust boundary",
                "type": "stride-tui-outside",
                "description": "Components that sit in no trust boundary in the stride-tui model.",
                "risk": {"trustRating": 50},
                "attributes": {ATTRIBUTE_KEY: {"outside": True}},
            }
        )

    components = []
    for cid, body in data.get("components", {}).items():
        component = model.components[cid]
        item: dict = {
            "id": cid,
            "name": component.name or cid,
            "type": component.kind,
            "description": component.description,
            "parent": {"trustZone": component.boundary or OUTSIDE_ZONE},
            "tags": list(component.tags) if component.tags else None,
            "threats": instances.get(cid),
            "attributes": {ATTRIBUTE_KEY: body},
        }
        components.append(_without_none(item))

    dataflows = []
    for fid, body in data.get("flows", {}).items():
        flow = model.flows[fid]
        item = {
            "id": fid,
            "name": flow.name or flow_display_name(model, fid),
            "description": flow.description,
            "bidirectional": False,
            "source": flow.source,
            "destination": flow.target,
            "tags": list(flow.tags) if flow.tags else None,
            "threats": instances.get(fid),
            "attributes": {ATTRIBUTE_KEY: body},
        }
        dataflows.append(_without_none(item))

    project_attributes: dict = {"format": 1}
    for key in ("decisions", "threats"):
        if data.get(key):
            project_attributes[key] = data[key]
    if model.model.rule_files:
        project_attributes["rule_files"] = list(model.model.rule_files)
    document = {
        "otmVersion": OTM_VERSION,
        "project": _without_none(
            {
                "name": model.model.title,
                "id": slugify(model.model.title) or "threat-model",
                "description": model.model.description,
                "owner": model.model.owner,
                "attributes": {ATTRIBUTE_KEY: project_attributes},
            }
        ),
        "representations": [],
        "trustZones": zones,
        "components": components,
        "dataflows": dataflows,
        "threats": [_threat(t) for t in threats],
        "mitigations": _mitigations(threats),
    }
    if analysis.orphans:
        warnings.append(
            f"{len(analysis.orphans)} orphan decision(s) carried in the project's attributes only (their "
            "findings no longer fire): " + ", ".join(analysis.orphans[:5])
        )
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    counts = {
        "boundaries": len(model.boundaries),
        "components": len(model.components),
        "flows": len(model.flows),
        "threats": len(threats),
    }
    return OtmExport(document, text, warnings, counts)


def _without_none(item: dict) -> dict:
    return {k: v for k, v in item.items() if v is not None}


def _instance(threat: Threat) -> dict:
    """The threat on its element: its state, and its remedy as the mitigation it needs."""
    return {
        "threat": threat.id,
        "state": STATE_EXPORT[threat.status],
        "mitigations": [{"mitigation": threat.remedy, "state": MITIGATION_STATE.get(threat.status, "required")}],
    }


def _threat(threat: Threat) -> dict:
    findings = threat.findings
    cwes = sorted({r for f in findings for r in f.references if r.upper().startswith("CWE-")})
    description = "\n\n".join(dict.fromkeys(f.description for f in findings if f.description))
    return _without_none(
        {
            "id": threat.id,
            "name": threat.title,
            "description": description or None,
            "categories": [CATEGORY_LABELS[c] for c in threat.categories],
            "cwes": cwes or None,
            "risk": {
                "likelihood": LEVEL_SCORE.get(threat.likelihood),
                "likelihoodComment": threat.likelihood,
                "impact": LEVEL_SCORE.get(threat.impact, LEVEL_SCORE[threat.severity]),
                "impactComment": f"{threat.impact}; risk {threat.severity}",
            },
            "attributes": {
                ATTRIBUTE_KEY: {
                    "remedy": threat.remedy,
                    "severity": threat.severity,
                    "finding_ids": list(threat.finding_ids),
                    "custom": findings[0].custom,
                }
            },
        }
    )


def _mitigations(threats: list[Threat]) -> list[dict]:
    """One OTM mitigation per remedy: its control, and the mitigations its rules list."""
    out: dict[str, dict] = {}
    for threat in threats:
        if threat.remedy in out:
            continue
        steps = list(dict.fromkeys(m for f in threat.findings for m in f.mitigations))
        out[threat.remedy] = _without_none(
            {
                "id": threat.remedy,
                "name": threat.control or threat.title,
                "description": "\n".join(f"- {s}" for s in steps) or None,
                "riskReduction": 100,
            }
        )
    return list(out.values())
