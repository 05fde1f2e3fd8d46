"""Putting elements, threats, the ``[model]`` table and decisions into a model (each returns a
new, checked model and raises ``EditError`` with one message per field)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from pydantic import ValidationError

from stride_tui.core.editing.base import (
    GENERAL,
    NOUNS,
    EditError,
    put_entry,
    raise_if,
    require_existing,
    without,
)
from stride_tui.core.editing.build import (
    build_decision,
)
from stride_tui.core.editing.checks import (
    boundary_errors,
    component_errors,
    flow_errors,
    threat_errors,
)
from stride_tui.core.editing.rename import rename_id
from stride_tui.core.model.elements import (
    DECISION_KEY_PATTERN,
    Boundary,
    Component,
    Flow,
    ModelMeta,
    Threat,
    ThreatModel,
)

_DECISION_KEY_RE = re.compile(DECISION_KEY_PATTERN)


def _put_element(
    model: ThreatModel,
    section: str,
    errors_of: Callable[..., dict[str, str]],
    element_id: str,
    element: object,
    old_id: str | None,
) -> ThreatModel:
    """Check ``element`` and put it at ``element_id`` of ``section``, renaming ``old_id`` first."""
    require_existing(model, section, old_id)
    raise_if(errors_of(model, element_id, element, old_id))
    if old_id is not None and old_id != element_id:
        model = rename_id(model, old_id, element_id)
        old_id = element_id
    return model.model_copy(update={section: put_entry(getattr(model, section), element_id, element, old_id)})


def put_component(
    model: ThreatModel, component_id: str, component: Component, old_id: str | None = None
) -> ThreatModel:
    """Add ``component``, or replace ``old_id`` with it (renaming every reference)."""
    return _put_element(model, "components", component_errors, component_id, component, old_id)


def put_flow(model: ThreatModel, flow_id: str, flow: Flow, old_id: str | None = None) -> ThreatModel:
    """Add ``flow``, or replace ``old_id`` with it (renaming every reference)."""
    return _put_element(model, "flows", flow_errors, flow_id, flow, old_id)


def put_boundary(model: ThreatModel, boundary_id: str, boundary: Boundary, old_id: str | None = None) -> ThreatModel:
    """Add ``boundary``, or replace ``old_id`` with it (renaming every reference)."""
    return _put_element(model, "boundaries", boundary_errors, boundary_id, boundary, old_id)


def put_threat(model: ThreatModel, threat_id: str, threat: Threat, old_id: str | None = None) -> ThreatModel:
    """Add a hand-written threat, or replace ``old_id`` with it."""
    require_existing(model, "threats", old_id)
    raise_if(threat_errors(model, threat_id, threat, old_id))
    return model.model_copy(update={"threats": put_entry(model.threats, threat_id, threat, old_id)})


def set_meta(model: ThreatModel, meta: ModelMeta) -> ThreatModel:
    """Replace the ``[model]`` table (title, description, owner, rule files)."""
    if not meta.title.strip():
        raise EditError({"title": "required"})
    return model.model_copy(update={"model": meta})


class _Keep:
    """The value of an argument that leaves what the model has as it is."""


KEEP = _Keep()


def set_decision(
    model: ThreatModel,
    finding_id: str,
    status: str,
    note: str | None = None,
    ticket: str | None = None,
    expires: datetime.date | _Keep | None = KEEP,
) -> ThreatModel:
    """Record the team's decision on a finding (or, with a ``remedy@element``, ``rule@*`` or
    ``*@element`` key, on what that key covers).

    A rule finding's decision goes to ``[decisions."<key>"]``; "open" with no note and no
    ticket is the same as no decision, so it removes the entry. A hand-written threat (its
    finding id is the threat id) keeps its decision in its own status, note and ticket. The
    decision's ``expires`` date is kept unless one is given.
    """
    existing = model.decisions.get(finding_id)
    if isinstance(expires, _Keep):
        expires = existing.expires if existing is not None else None
    decision = build_decision({"status": status, "note": note, "ticket": ticket, "expires": expires})
    if "@" not in finding_id:
        threat = model.threats.get(finding_id)
        if threat is None:
            raise EditError({GENERAL: f"no finding or threat `{finding_id}`"})
        updated = threat.model_copy(
            update={"status": decision.status, "note": decision.note, "ticket": decision.ticket}
        )
        return model.model_copy(update={"threats": put_entry(model.threats, finding_id, updated, finding_id)})
    if not _DECISION_KEY_RE.match(finding_id):
        raise EditError({GENERAL: f"`{finding_id}` is not a finding id (`<rule-id>@<element-id>`)"})
    if decision.status == "open" and decision.note is None and decision.ticket is None and decision.expires is None:
        return delete_decision(model, finding_id) if finding_id in model.decisions else model
    return model.model_copy(update={"decisions": put_entry(model.decisions, finding_id, decision, finding_id)})


def delete_decision(model: ThreatModel, key: str) -> ThreatModel:
    """Remove the decision recorded under ``key`` (e.g. an orphan)."""
    if key not in model.decisions:
        raise EditError({GENERAL: f"no decision `{key}`"})
    return model.model_copy(update={"decisions": without(model.decisions, {key})})


def set_fact(model: ThreatModel, element_id: str, fact: str, value: object) -> ThreatModel:
    """Set one fact of a component or flow (the answer to a question): a new, checked model.

    ``value`` None makes the fact unknown again. Raises ``EditError`` for an element that does
    not exist, a key its kind does not have, or a value the key does not take.
    """
    for section, put in (("components", put_component), ("flows", put_flow)):
        element = getattr(model, section).get(element_id)
        if element is None:
            continue
        if fact not in type(element).model_fields or fact in ("kind", "source", "target"):
            raise EditError({GENERAL: f"a {NOUNS[section]} has no fact `{fact}`"})
        data = element.model_dump(by_alias=True, exclude_none=True)
        if value is None:
            data.pop(fact, None)
        else:
            data[fact] = value
        try:
            changed = type(element).model_validate(data)
        except ValidationError as exc:
            raise EditError({fact: exc.errors()[0]["msg"]}) from None
        return put(model, element_id, changed, element_id)
    raise EditError({GENERAL: f"there is no component or flow `{element_id}`"})
