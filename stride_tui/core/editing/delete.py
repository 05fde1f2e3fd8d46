"""Deleting an item with what depends on it, and telling the user first what that will be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from stride_tui.core.editing.base import GENERAL, NOUNS, EditError, rehome_boundary, require_existing, without
from stride_tui.core.model.elements import ThreatModel


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
            what = "its flows" if self.section == "components" else "its responses"
            lines.append(_counted(self.flows, "flow", "flows", what) + " will be deleted")
        if self.threats:
            lines.append(
                _counted(self.threats, "hand-written threat", "hand-written threats", "on it") + " will be deleted"
            )
        if self.decisions:
            lines.append(_counted(self.decisions, "decision", "decisions", "on its findings") + " will be deleted")
        where = f"boundary `{self.new_parent}`" if self.new_parent else "no boundary"
        if self.moved_components:
            lines.append(
                _counted(self.moved_components, "component", "components", "inside it") + f" will move to {where}"
            )
        if self.moved_boundaries:
            lines.append(
                _counted(self.moved_boundaries, "boundary", "boundaries", "nested in it") + f" will move to {where}"
            )
        return lines


def _counted(ids: tuple[str, ...], noun: str, plural: str, what: str) -> str:
    shown = ", ".join(ids[:6]) + (f", … ({len(ids) - 6} more)" if len(ids) > 6 else "")
    return f"{len(ids)} {noun if len(ids) == 1 else plural} ({what}: {shown})"


def delete_impact(model: ThreatModel, section: str, element_id: str) -> DeleteImpact:
    """What ``delete(model, section, element_id)`` would remove or move."""
    if section not in NOUNS:
        raise EditError({GENERAL: f"cannot delete from [{section}]"})
    require_existing(model, section, element_id)
    if section == "components":
        flows = tuple(f for f, x in model.flows.items() if element_id in (x.source, x.target))
        gone = {element_id, *flows}
        return DeleteImpact(section, element_id, flows=flows, **_attached(model, gone))
    if section == "flows":
        # a response means nothing without its request: it goes too
        responses = tuple(f for f, x in model.flows.items() if x.response_to == element_id)
        return DeleteImpact(section, element_id, flows=responses, **_attached(model, {element_id, *responses}))
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


class _Attached(TypedDict):
    threats: tuple[str, ...]
    decisions: tuple[str, ...]


def _attached(model: ThreatModel, gone: set[str]) -> _Attached:
    return {
        "threats": tuple(t for t, x in model.threats.items() if x.target in gone),
        "decisions": tuple(k for k in model.decisions if k.split("@", 1)[1] in gone),
    }


def delete(model: ThreatModel, section: str, element_id: str) -> ThreatModel:
    """Delete one item and what depends on it (see ``delete_impact``).

    A component goes with its flows, a flow with its responses, and a component or flow with the threats and decisions on
    them; a boundary's components and nested boundaries move up to its parent.
    """
    impact = delete_impact(model, section, element_id)
    update: dict[str, dict] = {section: without(getattr(model, section), {element_id})}
    if section in ("components", "flows"):
        if impact.flows:
            update["flows"] = without(update.get("flows", model.flows), set(impact.flows))
        update["threats"] = without(model.threats, set(impact.threats))
        update["decisions"] = without(model.decisions, set(impact.decisions))
    elif section == "boundaries":
        update.update(rehome_boundary(model.components, update["boundaries"], element_id, impact.new_parent))
    return model.model_copy(update=update)
