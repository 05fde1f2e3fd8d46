"""Editing a threat model: each operation returns a new, checked ``ThreatModel``.

Models are values: no operation changes the model it is given, so an editor can keep earlier
models for undo. What an operation adds is validated twice over — the element by pydantic, and
its links by the checks here (ids unique and well formed, references that resolve, boundaries
that nest without a cycle) — and a problem raises ``EditError`` with one message per field,
ready to show next to a form field. A rename carries every reference along: flow ends,
component boundaries, boundary parents, decision keys ``<rule>@<id>`` and threat targets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from .ids import is_id, slugify, unique_id
from .locate import SourceMap
from .model import (
    COMPONENT_CLASSES,
    DECISION_KEY_PATTERN,
    Boundary,
    Component,
    Decision,
    Flow,
    ModelMeta,
    Threat,
    ThreatModel,
)
from .schema_errors import translate_errors
from .semantics import MAX_BOUNDARY_DEPTH

ELEMENT_SECTIONS: tuple[str, ...] = ("boundaries", "components", "flows")
"""Sections whose ids share one namespace (a flow and a component may not both be ``api``)."""
GENERAL = "_"
"""The key of an ``EditError`` message that belongs to no single field."""

_NOUNS = {
    "boundaries": "boundary",
    "components": "component",
    "flows": "flow",
    "threats": "threat",
}
_DECISION_KEY_RE = re.compile(DECISION_KEY_PATTERN)


class EditError(ValueError):
    """An edit that would leave the model invalid.

    Attributes:
        errors: Why, per field: the key as the file spells it (``name``, ``from``, ``id``), or
            ``GENERAL`` for a problem of the whole edit.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k != GENERAL else v for k, v in self.errors.items()))


# ------------------------------------------------------------------------------------ ids


def element_ids(model: ThreatModel) -> set[str]:
    """Every id used by a boundary, component or flow."""
    return set(model.boundaries) | set(model.components) | set(model.flows)


def propose_id(
    model: ThreatModel, name: str, section: str, *, current: str | None = None
) -> str:
    """A fresh id for an item of ``section`` named ``name`` ("Checkout API" → ``checkout-api``).

    Args:
        model: The model the id must be unique in.
        name: The human name to derive the id from.
        section: ``components``, ``flows``, ``boundaries`` or ``threats``.
        current: The item's id now, when it is being edited (it may keep its own id).
    """
    taken = set(model.threats) if section == "threats" else element_ids(model)
    taken |= {key.split("@", 1)[1] for key in model.decisions if section != "threats"}
    taken.discard(current)  # type: ignore[arg-type]
    return unique_id(name, taken, fallback=_NOUNS.get(section, "item"))


def id_error(model: ThreatModel, section: str, new_id: str, old_id: str | None = None) -> str | None:
    """Why ``new_id`` cannot be the id of an item of ``section`` (``old_id`` renamed), or None."""
    if not new_id:
        return "required"
    if not is_id(new_id):
        hint = slugify(new_id)
        return (
            "lowercase letters, digits, `-` and `_`, starting with a letter, at most 64"
            + (f" (try `{hint}`)" if hint and hint != new_id else "")
        )
    if new_id == old_id:
        return None
    if section == "threats":
        if new_id in model.threats:
            return f"`{new_id}` is already the id of a threat"
        return None
    for other in ELEMENT_SECTIONS:
        if new_id in getattr(model, other):
            return f"`{new_id}` is already the id of a {_NOUNS[other]}"
    orphans = [key for key in model.decisions if key.endswith("@" + new_id)]
    if orphans:
        return (
            f"{len(orphans)} decision(s) are still recorded for `{new_id}` "
            f"(e.g. {orphans[0]}); delete them first or choose another id"
        )
    return None


# ------------------------------------------------------------------- building elements


def _clean(data: Mapping[str, object]) -> dict[str, object]:
    """Form values as a table: unset, blank and empty values mean *unknown* and are left out."""
    out: dict[str, object] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        if isinstance(value, (list, tuple)):
            value = [item for item in value if not (isinstance(item, str) and not item.strip())]
            if not value:
                continue
        out[key] = value
    return out


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for diagnostic in translate_errors(exc, {}, "<form>", SourceMap("")):
        key = str(diagnostic.field[0]) if diagnostic.field else GENERAL
        message = diagnostic.message
        if message.startswith("missing required key"):
            message = "required"
        errors.setdefault(key, message)
    return errors


def _validate(cls: type[BaseModel], data: Mapping[str, object]) -> BaseModel:
    try:
        return cls.model_validate(_clean(data))
    except ValidationError as exc:
        raise EditError(_field_errors(exc)) from None


def build_component(data: Mapping[str, object]) -> Component:
    """A component from form values (``kind`` picks the class); raise ``EditError``."""
    cls = COMPONENT_CLASSES.get(data.get("kind"))  # type: ignore[arg-type]
    if cls is None:
        raise EditError({"kind": "choose external_entity, process or data_store"})
    allowed = set(cls.model_fields)
    return _validate(cls, {k: v for k, v in data.items() if k in allowed})  # type: ignore[return-value]


def build_flow(data: Mapping[str, object]) -> Flow:
    """A flow from form values keyed as in the file (``from``, ``to``); raise ``EditError``."""
    return _validate(Flow, data)  # type: ignore[return-value]


def build_boundary(data: Mapping[str, object]) -> Boundary:
    """A boundary from form values; raise ``EditError``."""
    return _validate(Boundary, data)  # type: ignore[return-value]


def build_threat(data: Mapping[str, object]) -> Threat:
    """A hand-written threat from form values; raise ``EditError``."""
    return _validate(Threat, data)  # type: ignore[return-value]


def build_meta(data: Mapping[str, object]) -> ModelMeta:
    """The ``[model]`` table from form values; the title may not be blank."""
    return _validate(ModelMeta, data)  # type: ignore[return-value]


def build_decision(data: Mapping[str, object]) -> Decision:
    """A decision (status, note, ticket) from form values; raise ``EditError``."""
    return _validate(Decision, data)  # type: ignore[return-value]


# ------------------------------------------------------------ checks against the model


def component_errors(
    model: ThreatModel, component_id: str, component: Component, old_id: str | None = None
) -> dict[str, str]:
    """What is wrong with putting ``component`` at ``component_id`` (empty when nothing)."""
    errors: dict[str, str] = {}
    if (problem := id_error(model, "components", component_id, old_id)) is not None:
        errors["id"] = problem
    if component.boundary is not None and component.boundary not in model.boundaries:
        errors["boundary"] = f"no boundary `{component.boundary}`"
    return errors


def flow_errors(
    model: ThreatModel, flow_id: str, flow: Flow, old_id: str | None = None
) -> dict[str, str]:
    """What is wrong with putting ``flow`` at ``flow_id`` (empty when nothing)."""
    errors: dict[str, str] = {}
    if (problem := id_error(model, "flows", flow_id, old_id)) is not None:
        errors["id"] = problem
    for key, end in (("from", flow.source), ("to", flow.target)):
        if end not in model.components:
            errors[key] = f"no component `{end}`"
    if flow.source == flow.target and "to" not in errors:
        errors["to"] = "a flow goes from one component to another, not to itself"
    return errors


def boundary_errors(
    model: ThreatModel, boundary_id: str, boundary: Boundary, old_id: str | None = None
) -> dict[str, str]:
    """What is wrong with putting ``boundary`` at ``boundary_id``: ids, parent, cycles, depth."""
    errors: dict[str, str] = {}
    if (problem := id_error(model, "boundaries", boundary_id, old_id)) is not None:
        errors["id"] = problem
    parent = boundary.parent
    if parent is None:
        return errors
    if parent in (boundary_id, old_id):
        errors["parent"] = "a boundary cannot be its own parent"
        return errors
    if parent not in model.boundaries:
        errors["parent"] = f"no boundary `{parent}`"
        return errors
    chain = [parent]
    node = model.boundaries[parent].parent
    while node is not None and node in model.boundaries and node not in chain:
        if node in (boundary_id, old_id):
            path = " → ".join([old_id or boundary_id, *chain, node])
            errors["parent"] = f"that would nest boundaries in a cycle: {path}"
            return errors
        chain.append(node)
        node = model.boundaries[node].parent
    below = _subtree_height(model, old_id) if old_id is not None else 0
    depth = len(chain) + 1 + below
    if depth > MAX_BOUNDARY_DEPTH:
        errors["parent"] = f"that would nest boundaries {depth} deep; at most {MAX_BOUNDARY_DEPTH}"
    return errors


def _subtree_height(model: ThreatModel, boundary_id: str) -> int:
    children: dict[str, list[str]] = {}
    for bid, boundary in model.boundaries.items():
        if boundary.parent is not None:
            children.setdefault(boundary.parent, []).append(bid)
    height, level, seen = 0, [boundary_id], {boundary_id}
    while True:
        level = [c for b in level for c in children.get(b, ()) if c not in seen]
        if not level:
            return height
        seen.update(level)
        height += 1


def threat_errors(
    model: ThreatModel, threat_id: str, threat: Threat, old_id: str | None = None
) -> dict[str, str]:
    """What is wrong with putting ``threat`` at ``threat_id`` (its target must exist)."""
    errors: dict[str, str] = {}
    if (problem := id_error(model, "threats", threat_id, old_id)) is not None:
        errors["id"] = problem
    if threat.target not in model.components and threat.target not in model.flows:
        errors["target"] = f"no component or flow `{threat.target}`"
    return errors


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise EditError(errors)


# ------------------------------------------------------------------- putting elements


def _put(table: dict, key: str, value: object, old_key: str | None) -> dict:
    """A copy of ``table`` with ``value`` at ``key``: in place of ``old_key``, or appended."""
    if old_key is None or old_key not in table:
        out = dict(table)
        out[key] = value
        return out
    return {(key if k == old_key else k): (value if k == old_key else v) for k, v in table.items()}


def _without(table: dict, keys: set[str]) -> dict:
    return {k: v for k, v in table.items() if k not in keys}


def _existing(model: ThreatModel, section: str, element_id: str | None) -> None:
    if element_id is not None and element_id not in getattr(model, section):
        raise EditError({GENERAL: f"there is no {_NOUNS[section]} `{element_id}`"})


def put_component(
    model: ThreatModel, component_id: str, component: Component, old_id: str | None = None
) -> ThreatModel:
    """Add ``component``, or replace ``old_id`` with it (renaming every reference)."""
    _existing(model, "components", old_id)
    _raise_if(component_errors(model, component_id, component, old_id))
    if old_id is not None and old_id != component_id:
        model = rename_id(model, old_id, component_id)
        old_id = component_id
    return model.model_copy(
        update={"components": _put(model.components, component_id, component, old_id)}
    )


def put_flow(
    model: ThreatModel, flow_id: str, flow: Flow, old_id: str | None = None
) -> ThreatModel:
    """Add ``flow``, or replace ``old_id`` with it (renaming every reference)."""
    _existing(model, "flows", old_id)
    _raise_if(flow_errors(model, flow_id, flow, old_id))
    if old_id is not None and old_id != flow_id:
        model = rename_id(model, old_id, flow_id)
        old_id = flow_id
    return model.model_copy(update={"flows": _put(model.flows, flow_id, flow, old_id)})


def put_boundary(
    model: ThreatModel, boundary_id: str, boundary: Boundary, old_id: str | None = None
) -> ThreatModel:
    """Add ``boundary``, or replace ``old_id`` with it (renaming every reference)."""
    _existing(model, "boundaries", old_id)
    _raise_if(boundary_errors(model, boundary_id, boundary, old_id))
    if old_id is not None and old_id != boundary_id:
        model = rename_id(model, old_id, boundary_id)
        old_id = boundary_id
    return model.model_copy(
        update={"boundaries": _put(model.boundaries, boundary_id, boundary, old_id)}
    )


def put_threat(
    model: ThreatModel, threat_id: str, threat: Threat, old_id: str | None = None
) -> ThreatModel:
    """Add a hand-written threat, or replace ``old_id`` with it."""
    _existing(model, "threats", old_id)
    _raise_if(threat_errors(model, threat_id, threat, old_id))
    return model.model_copy(update={"threats": _put(model.threats, threat_id, threat, old_id)})


def set_meta(model: ThreatModel, meta: ModelMeta) -> ThreatModel:
    """Replace the ``[model]`` table (title, description, owner, rule files)."""
    if not meta.title.strip():
        raise EditError({"title": "required"})
    return model.model_copy(update={"model": meta})


# --------------------------------------------------------------------------- decisions


def set_decision(
    model: ThreatModel,
    finding_id: str,
    status: str,
    note: str | None = None,
    ticket: str | None = None,
) -> ThreatModel:
    """Record the team's decision on a finding.

    A rule finding's decision goes to ``[decisions."<finding-id>"]``; "open" with no note and no
    ticket is the same as no decision, so it removes the entry. A hand-written threat (its
    finding id is the threat id) keeps its decision in its own status, note and ticket.
    """
    decision = build_decision({"status": status, "note": note, "ticket": ticket})
    if "@" not in finding_id:
        threat = model.threats.get(finding_id)
        if threat is None:
            raise EditError({GENERAL: f"no finding or threat `{finding_id}`"})
        updated = threat.model_copy(
            update={"status": decision.status, "note": decision.note, "ticket": decision.ticket}
        )
        return model.model_copy(update={"threats": _put(model.threats, finding_id, updated, finding_id)})
    if not _DECISION_KEY_RE.match(finding_id):
        raise EditError({GENERAL: f"`{finding_id}` is not a finding id (`<rule-id>@<element-id>`)"})
    if decision.status == "open" and decision.note is None and decision.ticket is None:
        return delete_decision(model, finding_id) if finding_id in model.decisions else model
    return model.model_copy(
        update={"decisions": _put(model.decisions, finding_id, decision, finding_id)}
    )


def delete_decision(model: ThreatModel, key: str) -> ThreatModel:
    """Remove the decision recorded under ``key`` (e.g. an orphan)."""
    if key not in model.decisions:
        raise EditError({GENERAL: f"no decision `{key}`"})
    return model.model_copy(update={"decisions": _without(model.decisions, {key})})


# ---------------------------------------------------------------------------- renaming


def section_of(model: ThreatModel, element_id: str) -> str | None:
    """``boundaries``, ``components`` or ``flows``: where ``element_id`` lives, if anywhere."""
    for section in ELEMENT_SECTIONS:
        if element_id in getattr(model, section):
            return section
    return None


def references_to(model: ThreatModel, element_id: str) -> list[str]:
    """Where the model points at ``element_id``: what a rename of it updates, as ``table.key``."""
    refs: list[str] = []
    section = section_of(model, element_id)
    if section == "boundaries":
        refs += [f"components.{c}.boundary" for c, x in model.components.items() if x.boundary == element_id]
        refs += [f"boundaries.{b}.parent" for b, x in model.boundaries.items() if x.parent == element_id]
    elif section == "components":
        for fid, flow in model.flows.items():
            if flow.source == element_id:
                refs.append(f"flows.{fid}.from")
            if flow.target == element_id:
                refs.append(f"flows.{fid}.to")
    if section in ("components", "flows"):
        refs += [f"threats.{t}.target" for t, x in model.threats.items() if x.target == element_id]
        refs += [f'decisions."{k}"' for k in model.decisions if k.endswith("@" + element_id)]
    return refs


def rename_id(model: ThreatModel, old_id: str, new_id: str) -> ThreatModel:
    """Rename a boundary, component, flow or threat, updating every reference to it."""
    section = section_of(model, old_id) or ("threats" if old_id in model.threats else None)
    if section is None:
        raise EditError({GENERAL: f"nothing has the id `{old_id}`"})
    if old_id == new_id:
        return model
    if (problem := id_error(model, section, new_id, old_id)) is not None:
        raise EditError({"id": problem})
    table = getattr(model, section)
    update: dict[str, dict] = {section: _put(table, new_id, table[old_id], old_id)}
    if section == "boundaries":
        update["components"] = {
            cid: c.model_copy(update={"boundary": new_id}) if c.boundary == old_id else c
            for cid, c in model.components.items()
        }
        update["boundaries"] = {
            bid: b.model_copy(update={"parent": new_id}) if b.parent == old_id else b
            for bid, b in update["boundaries"].items()
        }
    elif section in ("components", "flows"):
        if section == "components":
            update["flows"] = {fid: _renamed_ends(f, old_id, new_id) for fid, f in model.flows.items()}
        update["threats"] = {
            tid: t.model_copy(update={"target": new_id}) if t.target == old_id else t
            for tid, t in model.threats.items()
        }
        suffix = "@" + old_id
        update["decisions"] = {
            (k[: -len(suffix)] + "@" + new_id if k.endswith(suffix) else k): d
            for k, d in model.decisions.items()
        }
    return model.model_copy(update=update)


def _renamed_ends(flow: Flow, old_id: str, new_id: str) -> Flow:
    if flow.source != old_id and flow.target != old_id:
        return flow
    return flow.model_copy(
        update={
            "source": new_id if flow.source == old_id else flow.source,
            "target": new_id if flow.target == old_id else flow.target,
        }
    )


# ---------------------------------------------------------------------------- deleting


@dataclass(frozen=True)
class DeleteImpact:
    """What deleting one item takes with it, or changes, so the user can be told first."""

    section: str
    element_id: str
    flows: tuple[str, ...] = ()
    threats: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    moved_components: tuple[str, ...] = ()
    moved_boundaries: tuple[str, ...] = ()
    new_parent: str | None = None

    def consequences(self) -> list[str]:
        """One plain sentence per consequence; empty when the item goes alone."""
        lines = []
        if self.flows:
            lines.append(_counted(self.flows, "flow", "flows", "its flows") + " will be deleted")
        if self.threats:
            lines.append(_counted(self.threats, "hand-written threat", "hand-written threats", "on it") + " will be deleted")
        if self.decisions:
            lines.append(_counted(self.decisions, "decision", "decisions", "on its findings") + " will be deleted")
        where = f"boundary `{self.new_parent}`" if self.new_parent else "no boundary"
        if self.moved_components:
            lines.append(_counted(self.moved_components, "component", "components", "inside it") + f" will move to {where}")
        if self.moved_boundaries:
            lines.append(_counted(self.moved_boundaries, "boundary", "boundaries", "nested in it") + f" will move to {where}")
        return lines


def _counted(ids: tuple[str, ...], noun: str, plural: str, what: str) -> str:
    shown = ", ".join(ids[:6]) + (f", … ({len(ids) - 6} more)" if len(ids) > 6 else "")
    return f"{len(ids)} {noun if len(ids) == 1 else plural} ({what}: {shown})"


def delete_impact(model: ThreatModel, section: str, element_id: str) -> DeleteImpact:
    """What ``delete(model, section, element_id)`` would remove or move."""
    if section not in _NOUNS:
        raise EditError({GENERAL: f"cannot delete from [{section}]"})
    _existing(model, section, element_id)
    if section == "components":
        flows = tuple(f for f, x in model.flows.items() if element_id in (x.source, x.target))
        gone = {element_id, *flows}
        return DeleteImpact(section, element_id, flows=flows, **_attached(model, gone))
    if section == "flows":
        return DeleteImpact(section, element_id, **_attached(model, {element_id}))
    if section == "boundaries":
        parent = model.boundaries[element_id].parent
        return DeleteImpact(
            section,
            element_id,
            moved_components=tuple(c for c, x in model.components.items() if x.boundary == element_id),
            moved_boundaries=tuple(b for b, x in model.boundaries.items() if x.parent == element_id),
            new_parent=parent,
        )
    return DeleteImpact(section, element_id)


def _attached(model: ThreatModel, gone: set[str]) -> dict[str, tuple[str, ...]]:
    return {
        "threats": tuple(t for t, x in model.threats.items() if x.target in gone),
        "decisions": tuple(k for k in model.decisions if k.split("@", 1)[1] in gone),
    }


def delete(model: ThreatModel, section: str, element_id: str) -> ThreatModel:
    """Delete one item and what depends on it (see ``delete_impact``).

    A component goes with its flows, and a component or flow with the threats and decisions on
    them; a boundary's components and nested boundaries move up to its parent.
    """
    impact = delete_impact(model, section, element_id)
    update: dict[str, dict] = {section: _without(getattr(model, section), {element_id})}
    if section in ("components", "flows"):
        if impact.flows:
            update["flows"] = _without(model.flows, set(impact.flows))
        update["threats"] = _without(model.threats, set(impact.threats))
        update["decisions"] = _without(model.decisions, set(impact.decisions))
    elif section == "boundaries":
        parent = impact.new_parent
        update["components"] = {
            cid: c.model_copy(update={"boundary": parent}) if c.boundary == element_id else c
            for cid, c in model.components.items()
        }
        update["boundaries"] = {
            bid: b.model_copy(update={"parent": parent}) if b.parent == element_id else b
            for bid, b in update["boundaries"].items()
        }
    return model.model_copy(update=update)
