"""Shared ground of model edits: ``EditError``, the id namespaces, copy-on-write table helpers."""

from __future__ import annotations

from collections.abc import Mapping

from stride_tui.core.model.elements import ThreatModel

ELEMENT_SECTIONS: tuple[str, ...] = ("boundaries", "components", "flows")
"""Sections whose ids share one namespace (a flow and a component may not both be ``api``)."""
GENERAL = "_"
"""The key of an ``EditError`` message that belongs to no single field."""

NOUNS = {
    "boundaries": "boundary",
    "components": "component",
    "flows": "flow",
    "threats": "threat",
}
"""The sections an edit may touch, each with the noun messages use for one of its items."""


class EditError(ValueError):
    """An edit that would leave the model invalid.

    Attributes:
        errors: Why, per field: the key as the file spells it (``name``, ``from``, ``id``), or
            ``GENERAL`` for a problem of the whole edit.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k != GENERAL else v for k, v in self.errors.items()))


def raise_if(errors: dict[str, str]) -> None:
    """Raise ``EditError`` when ``errors`` holds any message."""
    if errors:
        raise EditError(errors)


def require_existing(model: ThreatModel, section: str, element_id: str | None) -> None:
    """Raise ``EditError`` unless ``element_id`` (when given) is an item of ``section``."""
    if element_id is not None and element_id not in getattr(model, section):
        raise EditError({GENERAL: f"there is no {NOUNS[section]} `{element_id}`"})


def put_entry(table: dict, key: str, value: object, old_key: str | None) -> dict:
    """A copy of ``table`` with ``value`` at ``key``: in place of ``old_key``, or appended."""
    if old_key is None or old_key not in table or old_key == key:
        # the same key keeps its place: a copy with one value replaced (C speed, not a pass in Python)
        out = dict(table)
        out[key] = value
        return out
    return {(key if k == old_key else k): (value if k == old_key else v) for k, v in table.items()}


def without(table: dict, keys: set[str]) -> dict:
    """A copy of ``table`` without ``keys``."""
    return {k: v for k, v in table.items() if k not in keys}


def rehome_boundary(components: dict, boundaries: dict, boundary_id: str, new_id: str | None) -> dict[str, dict]:
    """Copies of both tables with every pointer at boundary ``boundary_id`` moved to ``new_id``.

    Component ``boundary`` and boundary ``parent`` keys are the two places that name a boundary;
    a rename and a delete both have to carry them along.
    """
    return {
        "components": {
            cid: c.model_copy(update={"boundary": new_id}) if c.boundary == boundary_id else c
            for cid, c in components.items()
        },
        "boundaries": {
            bid: b.model_copy(update={"parent": new_id}) if b.parent == boundary_id else b
            for bid, b in boundaries.items()
        },
    }
