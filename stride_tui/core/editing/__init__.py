"""Editing a threat model: each operation returns a new, checked ``ThreatModel``.

Every edit is importable from here; ``put`` puts elements, threats, the ``[model]`` table
and decisions, the other modules build, check, rename and delete.
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
    "set_meta",
    "threat_errors",
    "without",
]
