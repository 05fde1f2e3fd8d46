"""The imported model's ``[model]`` table, and its validation exactly as a model file is validated."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import parse_model
from stride_tui.core.files.storage import SaveError, encode_model
from stride_tui.core.interop.threat_dragon.import_state import ImportState
from stride_tui.core.interop.threat_dragon.text import clean_line, clean_text
from stride_tui.core.model.elements import ThreatModel


def model_meta(summary: dict, detail: dict, file: str, state: ImportState) -> dict:
    """Title, description (with reviewer, contributors and diagram notes) and owner."""
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
    people = _people(detail)
    if people:
        parts.append(people)
    if state.notes:
        parts.append(
            "Notes from the Threat Dragon diagram:\n" + "\n".join("- " + n.replace("\n", "\n  ") for n in state.notes)
        )
    text, cut = clean_text("\n\n".join(parts))
    if cut:
        state.report("the model description is longer than 20,000 characters; truncated")
    if text:
        meta["description"] = text
    owner, _ = clean_line(summary.get("owner"))
    if owner:
        meta["owner"] = owner
    return meta


def _people(detail: dict) -> str:
    """``Reviewer: …. Contributors: ….`` from the file's detail; empty when it names nobody."""
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
    return " ".join(people)


def validate_imported(data: dict, file: str) -> ThreatModel:
    """Validate exactly as a model file is validated (schema, references, semantics)."""
    try:
        model = ThreatModel.model_validate(data)
        raw = encode_model(model)
    except (ValidationError, SaveError) as exc:
        raise ModelError(
            [Diagnostic(file, f"internal error: the imported model is not valid ({exc}); please report it")]
        ) from None
    try:
        return parse_model(raw, file).model
    except ModelError as exc:
        raise ModelError(
            [
                Diagnostic(file, f"internal error: the imported model is not valid: {d.message}; please report it")
                for d in exc.diagnostics
            ]
        ) from None
