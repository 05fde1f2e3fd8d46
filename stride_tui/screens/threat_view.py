"""Which threats the STRIDE panel shows for a selection, and under which headings.

A component or flow shows the threats with a finding on it or whose control it owns; a
boundary shows its scope in two sections (the flows crossing it, then its members and the
flows between them) and "outside any boundary" the rest, so walking them all visits every
threat once (`core.analysis.scope`); the whole model shows every threat. Each comes with the
questions of the threats it shows.
"""

from __future__ import annotations

from typing import NamedTuple

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.analysis.questions import Question, questions
from stride_tui.core.analysis.scope import OUTSIDE, Scope, all_scopes
from stride_tui.core.analysis.threats import Threat, group_threats
from widgets.stride_panel import PanelSection

CROSSING_LABEL = "Crossing flows"
INSIDE_LABEL = "Inside: members and the flows between them"
OUTSIDE_LABEL = "Outside any boundary"


class ThreatView(NamedTuple):
    """What the panel shows for one selection."""

    threats: list[Threat]
    sections: list[PanelSection] | None
    questions: list[Question]


class ThreatIndex:
    """The threats of one analysis, looked up by element (the panel is refilled on every cursor
    move, so it must not regroup thousands of findings each time)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis: Analysis = analysis
        """What is indexed."""
        self.threats: list[Threat] = group_threats(analysis)
        """Every threat, riskiest first."""
        self.by_id: dict[str, Threat] = {t.id: t for t in self.threats}
        """Threats by id."""
        # every boundary's scope at once: a cursor move must not place every threat again
        self._scopes: dict[str | None, Scope] = {s.boundary_id: s for s in all_scopes(analysis, self.threats)}
        self._by_element: dict[str, list[Threat]] = {}
        for threat in self.threats:
            for element_id in dict.fromkeys((threat.element_id, *threat.elements)):
                self._by_element.setdefault(element_id, []).append(threat)

    def for_element(self, element_id: str) -> list[Threat]:
        """Threats with a finding on ``element_id``, or whose control it owns."""
        return list(self._by_element.get(element_id, ()))

    def threat_of(self, finding_id: str) -> Threat | None:
        """The threat a finding (or a threat id) belongs to."""
        if finding_id in self.by_id:
            return self.by_id[finding_id]
        return next((t for t in self.threats if finding_id in t.finding_ids), None)

    def view(self, kind: str | None, element_id: str = "") -> ThreatView:
        """What the panel shows for the whole model (``kind`` None), a boundary, "outside"
        (kind ``outside``) or a component or flow."""
        if kind is None:
            shown = self.threats
            return ThreatView(shown, None, questions(self.analysis, shown))
        if kind in ("boundary", "outside"):
            where = element_id if kind == "boundary" else OUTSIDE
            scope = self._scopes.get(where) or Scope(where, (), ())
            if kind == "outside":
                sections = [PanelSection("inside", OUTSIDE_LABEL, scope.threats)]
            else:
                sections = [
                    PanelSection("crossing", CROSSING_LABEL, scope.crossing),
                    PanelSection("inside", INSIDE_LABEL, scope.inside),
                ]
            shown = list(scope.threats)
            return ThreatView(shown, sections, questions(self.analysis, shown))
        shown = self.for_element(element_id)
        return ThreatView(shown, None, questions(self.analysis, shown))
