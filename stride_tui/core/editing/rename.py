"""Renaming an element or threat, carrying every reference to it along."""

from __future__ import annotations

from stride_tui.core.editing.base import ELEMENT_SECTIONS, GENERAL, EditError, put_entry, rehome_boundary
from stride_tui.core.editing.checks import id_error
from stride_tui.core.model.elements import Flow, ThreatModel


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
    elif section == "flows":
        refs += [f"flows.{f}.response_to" for f, x in model.flows.items() if x.response_to == element_id]
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
    update: dict[str, dict] = {section: put_entry(table, new_id, table[old_id], old_id)}
    if section == "boundaries":
        update.update(rehome_boundary(model.components, update["boundaries"], old_id, new_id))
    elif section in ("components", "flows"):
        if section == "components":
            update["flows"] = {fid: _renamed_ends(f, old_id, new_id) for fid, f in model.flows.items()}
        else:
            update["flows"] = {
                fid: f.model_copy(update={"response_to": new_id}) if f.response_to == old_id else f
                for fid, f in update["flows"].items()
            }
        update["threats"] = {
            tid: t.model_copy(update={"target": new_id}) if t.target == old_id else t
            for tid, t in model.threats.items()
        }
        suffix = "@" + old_id
        update["decisions"] = {
            (k[: -len(suffix)] + "@" + new_id if k.endswith(suffix) else k): d for k, d in model.decisions.items()
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
