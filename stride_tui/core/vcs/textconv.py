"""A stable, readable rendering of a model for ``git diff`` (a git textconv filter).

One line per fact, grouped under a header line per element (``component checkout-api …``), so
a change to one fact is a one-line change in ``git diff`` and the hunk header can name the
element (see docs/git.md for the ``xfuncname`` pattern). Derived information a reviewer cares
about is spelled out: the boundaries each flow crosses, and the findings of the built-in rules
with their status. The same model always renders to the same text.
"""

from __future__ import annotations

import json

from stride_tui.core.analysis.engine import KIND_LABELS, Analysis, flow_display_name
from stride_tui.core.files.storage import model_to_data
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.stride import CATEGORY_LABELS

_SKIP = {
    "boundaries": {"name", "parent"},
    "components": {"kind", "name", "boundary"},
    "flows": {"from", "to", "name"},
}


def render_readable(
    model: ThreatModel, analysis: Analysis | None, rules_note: str = "built-in rules", findings: bool = True
) -> str:
    """The text ``git diff`` shows for a model file (crossings and findings need ``analysis``)."""
    data = model_to_data(model)
    out = [f"stride-tui model (format {model.stride_tui}): readable rendering for review; the file itself is TOML", ""]
    out.append(f"model {_q(model.model.title)}")
    out += _facts({k: v for k, v in data["model"].items() if k != "title"})

    if model.boundaries:
        out.append("")
        for bid, body in data.get("boundaries", {}).items():
            head = f"boundary {bid}" + _name_part(body.get("name"), bid)
            if body.get("parent"):
                head += f"  inside {body['parent']}"
            out.append(head)
            out += _facts({k: v for k, v in body.items() if k not in _SKIP["boundaries"]})

    if model.components:
        out.append("")
        for cid, body in data.get("components", {}).items():
            head = f"component {cid}" + _name_part(body.get("name"), cid) + f"  {KIND_LABELS[body['kind']]}"
            head += f"  in {body['boundary']}" if body.get("boundary") else "  outside every boundary"
            out.append(head)
            out += _facts({k: v for k, v in body.items() if k not in _SKIP["components"]})

    if model.flows:
        out.append("")
        for fid, body in data.get("flows", {}).items():
            out.append(f"flow {fid}" + _name_part(body.get("name"), fid) + f"  {body['from']} → {body['to']}")
            if analysis is not None:
                crossings = analysis.topology.crossings.get(fid, ())
                text = ", ".join(f"{c.boundary} ({c.direction})" for c in crossings) or "no boundary"
                out.append(f"    crosses: {text}")
            out += _facts({k: v for k, v in body.items() if k not in _SKIP["flows"]})

    if model.decisions:
        out.append("")
        for key, body in data.get("decisions", {}).items():
            out.append(f"decision {key}: {body['status'].replace('_', ' ')}")
            out += _facts({k: v for k, v in body.items() if k != "status"})

    if model.threats:
        out.append("")
        for tid, body in data.get("threats", {}).items():
            severity = body.get("severity", "medium")
            status = body.get("status", "open").replace("_", " ")
            out.append(f"threat {tid} on {body['target']}: {CATEGORY_LABELS[body['category']]} [{severity}, {status}]")
            out += _facts({k: v for k, v in body.items() if k not in {"target", "category", "severity", "status"}})

    if analysis is not None and findings:
        out.append("")
        open_count = sum(f.status == "open" for f in analysis.findings)
        out.append(f"findings ({rules_note} and custom threats): {len(analysis.findings)}, {open_count} open")
        for f in analysis.findings:
            name = (
                model.display_name(f.element_id) if f.element_kind != "flow" else flow_display_name(model, f.element_id)
            )
            out.append(f"    [{f.severity}] {f.status.replace('_', ' ')}  {f.id}  {f.title}  ({name})")
        for key in analysis.orphans:
            out.append(f"    orphan decision {key}: its finding no longer fires")
    return "\n".join(out) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _name_part(name: str | None, element_id: str) -> str:
    return f" {_q(name)}" if name and name != element_id else ""


def _facts(body: dict) -> list[str]:
    lines = []
    for key, value in body.items():
        if isinstance(value, str) and "\n" in value:
            lines.append(f"    {key}:")
            lines += [f"      | {line}" for line in value.split("\n")]
        elif isinstance(value, bool):
            lines.append(f"    {key} = {'true' if value else 'false'}")
        else:
            lines.append(f"    {key} = {json.dumps(value, ensure_ascii=False)}")
    return lines
