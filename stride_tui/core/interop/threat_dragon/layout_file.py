"""The Threat Dragon layout file: the drawing of an imported diagram, kept beside the model.

Our model holds no coordinates, and should not: a moved box in Threat Dragon would otherwise
change the model file, and its diff would drown in numbers. So import writes what only the
drawing knows — each element's cell id, position, size, ports and bends, the trust-boundary
curves, the text blocks and any shapes we do not read, and each diagram's title and type — to
``<model stem>.td-layout.json`` next to the model, one element per key, keys sorted, so a change
in the drawing is a small diff of its own. Export reads it back: kept elements go where they
were, curves stay curves, text blocks come back, and only new elements are placed automatically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from stride_tui.core.files.diagnostics import Diagnostic, ModelError

LAYOUT_VERSION = 1
SUFFIX = ".td-layout.json"
# what a node, box, curve or flow cell keeps in the layout file (the rest is rebuilt from the model)
NODE_KEYS = ("id", "shape", "position", "size", "angle", "zIndex")
CURVE_KEYS = ("id", "shape", "source", "target", "vertices", "connector", "router", "zIndex", "attrs", "labels")
FLOW_KEYS = ("id", "vertices", "connector", "router", "zIndex", "labels")


@dataclass
class Layout:
    """The drawing of an imported Threat Dragon file."""

    diagrams: list[dict] = field(default_factory=list)  # title, diagramType, version, thumbnail, description, id
    elements: dict[str, dict] = field(default_factory=dict)  # element id -> {"diagram": n, "cell": {...}}
    extras: list[dict] = field(default_factory=list)  # {"diagram": n, "cell": {...}}: text blocks, other shapes
    summary_description: str = ""
    model_description: str = ""  # the description import wrote, to know whether it was edited since
    reviewer: str = ""
    contributors: list = field(default_factory=list)


def layout_path(model_path: Path) -> Path:
    """``threat-model.toml`` → ``threat-model.td-layout.json`` in the same folder."""
    return model_path.with_name(model_path.stem + SUFFIX)


def keep(cell: dict, keys: tuple[str, ...]) -> dict:
    """The drawing part of ``cell``."""
    out = {k: cell[k] for k in keys if k in cell}
    ports = cell.get("ports")
    if isinstance(ports, dict) and isinstance(ports.get("items"), list):
        out["ports"] = [
            {"group": p.get("group"), "id": p.get("id")}
            for p in ports["items"]
            if isinstance(p, dict) and isinstance(p.get("id"), str)
        ]
    if keys is FLOW_KEYS and isinstance(cell.get("labels"), list):
        # where the label sits; its text is the flow's name, which the model holds
        out["labels"] = [
            {"position": label["position"]}
            for label in cell["labels"]
            if isinstance(label, dict) and "position" in label
        ]
        if not out["labels"]:
            del out["labels"]
    for end in ("source", "target"):
        value = cell.get(end)
        if keys is FLOW_KEYS and isinstance(value, dict) and isinstance(value.get("port"), str):
            out[f"{end}Port"] = value["port"]
    return out


def write_layout(layout: Layout) -> bytes:
    """The layout file's bytes: the same layout always gives the same bytes."""
    document = {
        "stride_tui_layout": LAYOUT_VERSION,
        "about": "Threat Dragon drawing of the model next to this file (stride-tui export reads it)",
        "diagrams": layout.diagrams,
        "summary_description": layout.summary_description,
        "model_description": layout.model_description,
        "reviewer": layout.reviewer,
        "contributors": layout.contributors,
        "elements": layout.elements,
        "extras": layout.extras,
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode()


def read_layout(path: Path) -> Layout:
    """Read a layout file; raise ``ModelError`` (naming the file) when it is not one."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelError([Diagnostic(file, "no such layout file")]) from None
    except OSError as exc:
        raise ModelError([Diagnostic(file, f"cannot read: {exc.strerror or exc}")]) from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ModelError([Diagnostic(file, f"invalid UTF-8 at byte {exc.start}")]) from None
    except json.JSONDecodeError as exc:
        raise ModelError([Diagnostic(file, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]) from None
    if not isinstance(document, dict) or document.get("stride_tui_layout") != LAYOUT_VERSION:
        raise ModelError(
            [Diagnostic(file, f"not a stride-tui layout file (`stride_tui_layout = {LAYOUT_VERSION}` is missing)")]
        )
    diagrams = document.get("diagrams")
    elements = document.get("elements")
    extras = document.get("extras")
    if not isinstance(diagrams, list) or not isinstance(elements, dict) or not isinstance(extras, list):
        raise ModelError([Diagnostic(file, "layout file: `diagrams`, `elements` and `extras` must be present")])
    for key, entry in elements.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("cell"), dict):
            raise ModelError([Diagnostic(file, f"layout file: element `{key}` has no cell")])
    return Layout(
        diagrams=[d for d in diagrams if isinstance(d, dict)] or [{}],
        elements=elements,
        extras=[e for e in extras if isinstance(e, dict) and isinstance(e.get("cell"), dict)],
        summary_description=str(document.get("summary_description") or ""),
        model_description=str(document.get("model_description") or ""),
        reviewer=str(document.get("reviewer") or ""),
        contributors=[c for c in document.get("contributors") or [] if isinstance(c, (dict, str))],
    )
