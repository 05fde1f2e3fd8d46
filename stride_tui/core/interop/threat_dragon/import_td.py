"""Threat Dragon v2 JSON → our model.

Actors, processes and stores become components; flows become flows (a bidirectional flow
becomes two); trust-boundary boxes become boundaries (nesting and membership from geometry
unless the file lists them); trust-boundary curves become synthesised zones (see ``zones``);
threats become custom threats, or decisions when they are our own exported findings. Names
become unique slug ids. Whatever cannot be carried over is reported, never dropped silently.

This module runs the import: ``document`` checks the file, ``import_diagram`` reads each
diagram (with ``import_elements`` and ``import_boundaries``), ``import_threats`` places the
threats, and ``import_model`` writes the ``[model]`` table and validates the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from stride_tui.core.analysis.rules import RuleSet
from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.interop.threat_dragon.cells import dict_of
from stride_tui.core.interop.threat_dragon.document import check_document, parse_json
from stride_tui.core.interop.threat_dragon.import_diagram import import_diagram
from stride_tui.core.interop.threat_dragon.import_model import model_meta, validate_imported
from stride_tui.core.interop.threat_dragon.import_state import ImportState
from stride_tui.core.interop.threat_dragon.import_threats import place_threats
from stride_tui.core.interop.threat_dragon.layout_file import Layout
from stride_tui.core.interop.threat_dragon.text import as_text, clean_line, clean_text
from stride_tui.core.model.elements import FORMAT_VERSION as MODEL_FORMAT
from stride_tui.core.model.elements import ThreatModel

__all__ = ["ImportResult", "import_threat_dragon"]


@dataclass
class ImportResult:
    """The imported model and everything reported while importing."""

    model: ThreatModel
    warnings: list[str]
    counts: dict[str, int]
    layout: Layout | None = None
    """The drawing (positions, sizes, curves, text blocks), for the layout file."""


def import_threat_dragon(raw: bytes, file: str, ruleset: RuleSet | None = None) -> ImportResult:
    """Read a Threat Dragon v2 file; raise ``ModelError`` when it is not one."""
    document = parse_json(raw, file)
    diagrams = check_document(document, file)
    state = ImportState()
    summary = dict_of(document, "summary")  # type: ignore[arg-type]
    detail = document["detail"]  # type: ignore[index]
    if not any(isinstance(d, dict) and isinstance(d.get("cells"), list) and d["cells"] for d in diagrams):
        raise ModelError(
            [
                Diagnostic(
                    file,
                    "the model has no diagram with any element: nothing to import (draw it in Threat Dragon first)",
                )
            ]
        )
    for index, diagram in enumerate(diagrams):
        state.diagram = index
        _read_diagram(index, diagram, state)
    if len(diagrams) > 1:
        state.report(f"{len(diagrams)} diagrams merged into one model (element names are kept; ids made unique)")
    for shape, n in sorted(state.unknown_shapes.items()):
        state.report(f"{_counted(n, 'cell')} of unknown shape {shape!r} ignored")
    for key, n in sorted(state.unknown_data_keys.items()):
        state.report(f"property {key!r} ({_counted(n, 'cell')}) has no equivalent; ignored")
    for key, n in sorted(state.unknown_threat_keys.items()):
        state.report(f"threat property {key!r} ({_counted(n, 'threat')}) has no equivalent; ignored")

    data = {
        "stride_tui": MODEL_FORMAT,
        "model": model_meta(summary, detail, file, state),
        "boundaries": state.boundaries,
        "components": state.components,
        "flows": state.flows,
        "decisions": {},
        "threats": {},
    }
    place_threats(data, ruleset, state)
    model = validate_imported(data, file)
    state.layout.summary_description = as_text(summary.get("description"))
    state.layout.model_description = model.model.description or ""
    state.layout.reviewer = as_text(detail.get("reviewer"))
    contributors = detail.get("contributors")
    state.layout.contributors = (
        [c for c in contributors if isinstance(c, (dict, str))] if isinstance(contributors, list) else []
    )
    counts = {
        "components": len(model.components),
        "flows": len(model.flows),
        "boundaries": len(model.boundaries),
        "threats": len(model.threats),
        "decisions": len(model.decisions),
    }
    return ImportResult(model, state.warnings, counts, state.layout)


def _read_diagram(index: int, diagram: object, state: ImportState) -> None:
    """One entry of ``detail.diagrams``: skipped (reported) unless it has a list of cells."""
    if not isinstance(diagram, dict):
        state.layout.diagrams.append({})  # keeps the layout's diagram numbers those of the file
        state.report(f"diagram {index + 1} is not an object; skipped")
        return
    title = clean_line(diagram.get("title"))[0] or f"diagram {index + 1}"
    state.layout.diagrams.append(
        {
            k: diagram[k]
            for k in ("id", "title", "diagramType", "version", "thumbnail", "description", "placeholder")
            if k in diagram
        }
    )
    cells = diagram.get("cells")
    if not isinstance(cells, list):
        state.report(f"diagram {title!r} has no list of cells; skipped")
        return
    diagram_description = clean_text(diagram.get("description"))[0]
    if diagram_description:
        state.notes.append(f"{title}: {diagram_description}")
    diagram_type = as_text(diagram.get("diagramType"))
    if diagram_type and diagram_type.upper() not in ("STRIDE", "GENERIC"):
        state.report(
            f"diagram {title!r} is a {diagram_type} diagram; its elements are imported, and its threat "
            "types are mapped to the nearest STRIDE category (see each threat's note)"
        )
    import_diagram(title, cells, state)


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"
