"""Checks of an edit against the model: ids fresh and well formed, references that resolve, sane nesting."""

from __future__ import annotations

from stride_tui.core.editing.base import ELEMENT_SECTIONS, NOUNS
from stride_tui.core.files.semantics import MAX_BOUNDARY_DEPTH
from stride_tui.core.model.elements import Boundary, Component, Flow, Threat, ThreatModel
from stride_tui.core.model.ids import is_id, slugify, unique_id


def element_ids(model: ThreatModel) -> set[str]:
    """Every id used by a boundary, component or flow."""
    return set(model.boundaries) | set(model.components) | set(model.flows)


def propose_id(model: ThreatModel, name: str, section: str, *, current: str | None = None) -> str:
    """A fresh id for an item of ``section`` named ``name`` ("Checkout API" → ``checkout-api``).

    Args:
        model: The model the id must be unique in.
        name: The human name to derive the id from.
        section: ``components``, ``flows``, ``boundaries`` or ``threats``.
        current: The item's id now, when it is being edited (it may keep its own id).
    """
    taken = set(model.threats) if section == "threats" else element_ids(model)
    taken |= {key.split("@", 1)[1] for key in model.decisions if section != "threats"}
    if current is not None:
        taken.discard(current)
    return unique_id(name, taken, fallback=NOUNS.get(section, "item"))


def id_error(model: ThreatModel, section: str, new_id: str, old_id: str | None = None) -> str | None:
    """Why ``new_id`` cannot be the id of an item of ``section`` (``old_id`` renamed), or None."""
    if not new_id:
        return "required"
    if not is_id(new_id):
        hint = slugify(new_id)
        return "lowercase letters, digits, `-` and `_`, starting with a letter, at most 64" + (
            f" (try `{hint}`)" if hint and hint != new_id else ""
        )
    if new_id == old_id:
        return None
    if section == "threats":
        if new_id in model.threats:
            return f"`{new_id}` is already the id of a threat"
        return None
    for other in ELEMENT_SECTIONS:
        if new_id in getattr(model, other):
            return f"`{new_id}` is already the id of a {NOUNS[other]}"
    orphans = [key for key in model.decisions if key.endswith("@" + new_id)]
    if orphans:
        return (
            f"{len(orphans)} decision(s) are still recorded for `{new_id}` "
            f"(e.g. {orphans[0]}); delete them first or choose another id"
        )
    return None


def _id_errors(model: ThreatModel, section: str, new_id: str, old_id: str | None) -> dict[str, str]:
    """The errors dict every check starts from: the id's problem, if it has one."""
    problem = id_error(model, section, new_id, old_id)
    return {} if problem is None else {"id": problem}


def component_errors(
    model: ThreatModel, component_id: str, component: Component, old_id: str | None = None
) -> dict[str, str]:
    """What is wrong with putting ``component`` at ``component_id`` (empty when nothing)."""
    errors = _id_errors(model, "components", component_id, old_id)
    if component.boundary is not None and component.boundary not in model.boundaries:
        errors["boundary"] = f"no boundary `{component.boundary}`"
    return errors


def flow_errors(model: ThreatModel, flow_id: str, flow: Flow, old_id: str | None = None) -> dict[str, str]:
    """What is wrong with putting ``flow`` at ``flow_id`` (empty when nothing)."""
    errors = _id_errors(model, "flows", flow_id, old_id)
    for key, end in (("from", flow.source), ("to", flow.target)):
        if end not in model.components:
            errors[key] = f"no component `{end}`"
    if flow.source == flow.target and "to" not in errors:
        errors["to"] = "a flow goes from one component to another, not to itself"
    if flow.response_to is not None:
        request = model.flows.get(flow.response_to)
        if flow.response_to in (flow_id, old_id):
            errors["response_to"] = "a flow cannot answer itself"
        elif request is None:
            errors["response_to"] = f"no flow `{flow.response_to}`"
        elif (request.source, request.target) != (flow.target, flow.source):
            errors["response_to"] = f"a response goes back the other way: {request.target} → {request.source}"
        elif request.response_to is not None:
            errors["response_to"] = f"`{flow.response_to}` is itself a response; answer the request"
    answered_by = [fid for fid, f in model.flows.items() if old_id is not None and f.response_to == old_id]
    old = model.flows.get(old_id) if old_id is not None else None
    if answered_by and old is not None and (old.source, old.target) != (flow.source, flow.target):
        errors.setdefault("from", f"{', '.join(answered_by)} answer this flow: keep its ends, or change them first")
    return errors


def boundary_errors(
    model: ThreatModel, boundary_id: str, boundary: Boundary, old_id: str | None = None
) -> dict[str, str]:
    """What is wrong with putting ``boundary`` at ``boundary_id``: ids, parent, cycles, depth."""
    errors = _id_errors(model, "boundaries", boundary_id, old_id)
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


def threat_errors(model: ThreatModel, threat_id: str, threat: Threat, old_id: str | None = None) -> dict[str, str]:
    """What is wrong with putting ``threat`` at ``threat_id`` (its target must exist)."""
    errors = _id_errors(model, "threats", threat_id, old_id)
    if threat.target not in model.components and threat.target not in model.flows:
        errors["target"] = f"no component or flow `{threat.target}`"
    return errors
