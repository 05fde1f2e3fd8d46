"""Editing a threat model: each operation returns a new, checked ``ThreatModel``.

Models are values: no operation changes the model it is given, so an editor can keep earlier
models for undo. What an operation adds is validated twice over — the element by pydantic
(``build``), and its links by ``checks`` (ids unique and well formed, references that resolve,
boundaries that nest without a cycle, responses that answer a request) — and a problem raises
``EditError`` with one message per field, ready to show next to a form field. A rename
(``rename``) carries every reference along: flow ends, component boundaries, boundary parents,
responses, decision keys and threat targets; a delete (``delete``) says first what goes with
it. ``put`` puts elements, threats, the ``[model]`` table and decisions; ``sketch`` turns one
typed line into one edit. Every edit is importable from here.
"""

from __future__ import annotations

from .base import (
    ELEMENT_SECTIONS,
    GENERAL,
    EditError,
    put_entry,
    raise_if,
    require_existing,
    without,
)
from .build import (
    build_boundary,
    build_component,
    build_decision,
    build_flow,
    build_meta,
    build_threat,
)
from .checks import (
    boundary_errors,
    component_errors,
    element_ids,
    flow_errors,
    id_error,
    propose_id,
    threat_errors,
)
from .delete import (
    DeleteImpact,
    delete,
    delete_impact,
)
from .put import (
    delete_decision,
    put_boundary,
    put_component,
    put_flow,
    put_threat,
    set_decision,
    set_fact,
    set_meta,
)
from .rename import (
    references_to,
    rename_id,
    section_of,
)

__all__ = [
    "ELEMENT_SECTIONS",
    "GENERAL",
    "DeleteImpact",
    "EditError",
    "boundary_errors",
    "build_boundary",
    "build_component",
    "build_decision",
    "build_flow",
    "build_meta",
    "build_threat",
    "component_errors",
    "delete",
    "delete_decision",
    "delete_impact",
    "element_ids",
    "flow_errors",
    "id_error",
    "propose_id",
    "put_boundary",
    "put_component",
    "put_entry",
    "put_flow",
    "put_threat",
    "raise_if",
    "references_to",
    "rename_id",
    "require_existing",
    "section_of",
    "set_decision",
    "set_fact",
    "set_meta",
    "threat_errors",
    "without",
]
