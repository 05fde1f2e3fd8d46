"""What the STRIDE panel says above its threats: whose they are, what an empty list means, notes."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.analysis.scope import walked_elsewhere_places
from widgets import safe_text


class StrideHeading(NamedTuple):
    """The STRIDE panel's title, its text when there are no threats, and its notes (text, action)."""

    title: Text
    empty: str
    notes: list[tuple[str, str]]

    @classmethod
    def of(cls, analysis: Analysis, kind: str | None, element_id: str, rules_problem: str | None) -> StrideHeading:
        """The heading for the whole model (``kind`` None), "outside any boundary" (``outside``)
        or one element of ``analysis.model``."""
        model = analysis.model
        if kind is None:
            title, empty = Text("whole model"), "No threats: add components and flows (c, f, or a sketch line: a)."
        elif kind == "outside":
            title, empty = Text("outside any boundary"), "Nothing outside the trust boundaries has threats."
        else:
            title = Text(f"{kind} ").append_text(safe_text(model.display_name(element_id), limit=40))
            if kind == "boundary":
                crossing = len(analysis.topology.flows_crossing(element_id))
                title.append(f" · {crossing} flow{'s' if crossing != 1 else ''} cross")
                empty = _empty_boundary(analysis, element_id)
            else:
                element = model.components.get(element_id) or model.flows.get(element_id)
                out = element is not None and element.out_of_scope
                empty = "Out of scope: not analysed." if out else "No threats."
        notes = []
        if analysis.orphans:
            count = len(analysis.orphans)
            notes.append((f"⚠ {count} orphan decision{'s' if count != 1 else ''} (o)", "orphans"))
        if analysis.errors:
            notes.append((f"⚠ {len(analysis.errors)} rule error(s) (o)", "orphans"))
        if analysis.disabled:
            notes.append((f"⚠ {len(analysis.disabled)} rule(s) disabled (o)", "orphans"))
        if rules_problem:
            notes.append(("⚠ rule files not used (o)", "orphans"))
        return cls(title, empty, notes)


def _empty_boundary(analysis: Analysis, boundary_id: str) -> str:
    """Why a boundary has no threats: a crossing flow's threats are walked once, at the
    innermost boundary it enters, so say where this boundary's crossings went."""
    elsewhere = walked_elsewhere_places(analysis, boundary_id)
    if elsewhere is None:
        return "No threats here: nothing in this boundary or crossing it has any."
    total, places = elsewhere
    flows = "1 flow crosses it" if total == 1 else f"{total} flows cross it"
    return f"No threats here: {flows}, each walked at the boundary it enters (or leaves): {places}."
