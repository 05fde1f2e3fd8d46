"""Options for the forms' choice fields: model elements by name and id, A to Z, and enum values.

Elements are sorted by name (then id), so the one wanted is found where the alphabet says, not
where it was added; enum values keep their own order (low before critical, none before mtls).
"""

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


def _by_name(named: Iterable[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """(name, id) pairs A to Z by what is shown (the name, else the id), ignoring case."""
    return sorted(named, key=lambda pair: ((pair[0] or pair[1]).casefold(), pair[1]))


def component_choices(model: ThreatModel) -> list[tuple[Text, str]]:
    """Every component, as "Name  id", A to Z."""
    return [(_label(name, cid), cid) for name, cid in _by_name((c.name, cid) for cid, c in model.components.items())]


def boundary_choices(model: ThreatModel, exclude: Iterable[str] = ()) -> list[tuple[Text, str]]:
    """Every boundary but those in ``exclude``, as "Name  id", A to Z."""
    skip = set(exclude)
    named = _by_name((b.name, bid) for bid, b in model.boundaries.items() if bid not in skip)
    return [(_label(name, bid), bid) for name, bid in named]


def target_choices(model: ThreatModel) -> list[tuple[Text, str]]:
    """Components, then flows, each A to Z: what a hand-written threat can be about."""
    named_flows = _by_name((flow_display_name(model, fid), fid) for fid in model.flows)
    flows = [(Text("flow ").append_text(_label(name, fid)), fid) for name, fid in named_flows]
    return [(Text("component ").append_text(label), cid) for label, cid in component_choices(model)] + flows


def request_choices(model: ThreatModel, exclude: str | None) -> list[tuple[Text, str]]:
    """Every flow that is a request (not itself a response), but ``exclude``, A to Z: what a flow can answer."""
    named = _by_name(
        (flow_display_name(model, fid), fid)
        for fid, flow in model.flows.items()
        if fid != exclude and flow.response_to is None
    )
    return [(_label(name, fid), fid) for name, fid in named]


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
