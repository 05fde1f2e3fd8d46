"""Options for the forms' choice fields: model elements by name and id, and enum values."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from stride_tui.core.analysis.engine import flow_display_name
from stride_tui.core.model.elements import ThreatModel
from widgets import safe_text

_LABEL_LIMIT = 60


def _label(name: str | None, element_id: str) -> Text:
    if not name or name == element_id:
        return safe_text(element_id)
    label = safe_text(name, limit=_LABEL_LIMIT)
    label.append("  ")
    label.append_text(safe_text(element_id, style="dim"))
    return label


def component_choices(model: ThreatModel) -> list[tuple[Text, str]]:
    """Every component, as "Name  id"."""
    return [(_label(c.name, cid), cid) for cid, c in model.components.items()]


def boundary_choices(model: ThreatModel, exclude: Iterable[str] = ()) -> list[tuple[Text, str]]:
    """Every boundary but those in ``exclude``, as "Name  id"."""
    skip = set(exclude)
    return [(_label(b.name, bid), bid) for bid, b in model.boundaries.items() if bid not in skip]


def target_choices(model: ThreatModel) -> list[tuple[Text, str]]:
    """Components, then flows: what a hand-written threat can be about."""
    flows = [(Text("flow ").append_text(_label(flow_display_name(model, fid), fid)), fid) for fid in model.flows]
    return [(Text("component ").append_text(label), cid) for label, cid in component_choices(model)] + flows


def request_choices(model: ThreatModel, exclude: str | None) -> list[tuple[Text, str]]:
    """Every flow that is a request (not itself a response), but ``exclude``: what a flow can answer."""
    return [
        (_label(flow_display_name(model, fid), fid), fid)
        for fid, flow in model.flows.items()
        if fid != exclude and flow.response_to is None
    ]


def enum_choices(values: Iterable[str]) -> list[tuple[Text, str]]:
    """Enum values, labelled as the file spells them."""
    return [(Text(value), value) for value in values]


def descendants(model: ThreatModel, boundary_id: str) -> set[str]:
    """The boundaries nested (at any depth) inside ``boundary_id``."""
    children: dict[str, list[str]] = {}
    for bid, boundary in model.boundaries.items():
        if boundary.parent is not None:
            children.setdefault(boundary.parent, []).append(bid)
    found: set[str] = set()
    stack = [boundary_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found
