"""Which threats the STRIDE panel shows for a selection, and under which headings.

A component or flow shows the threats with a finding on it or whose control it owns; a
boundary shows its scope in two sections (the flows crossing it, then its members and the
flows between them) and "outside any boundary" the rest, so walking them all visits every
threat once (`core.analysis.scope`); the whole model shows every threat. Each comes with the
questions of the threats it shows.

After an edit the index is made from the previous one (`ThreatIndex(analysis, previous)`): the
analysis says which elements' findings may differ (``Analysis.changed``), only the threats with a
finding on them are grouped again, and the rest are the previous index's own threats. Views are
made when first asked for (the screen asks for the selection's in the analysis thread).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import NamedTuple

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.analysis.questions import Question, questions
from stride_tui.core.analysis.scope import OUTSIDE, Scope, all_scopes
from stride_tui.core.analysis.threats import Threat, group_threats, threat_order
from stride_tui.core.layered_map import LayeredMap
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
    move, so it must not regroup thousands of findings each time). Built in the analysis
    thread for a large model; a view, once asked for, is kept (treat it as a value)."""

    def __init__(self, analysis: Analysis, previous: ThreatIndex | None = None) -> None:
        """
        Args:
            analysis: What to index.
            previous: The index of the analysis the same analyzer made just before ``analysis``
                (then only the threats of the elements it says changed are grouped again).
        """
        self.analysis: Analysis = analysis
        """What is indexed."""
        changed = analysis.changed
        self._views: dict[tuple[str | None, str], ThreatView] = {}
        self._scope_cache: dict[str | None, Scope] | None = None
        if previous is None or changed is None:
            self.threats: list[Threat] = group_threats(analysis)
            """Every threat, riskiest first."""
            self.by_id: Mapping[str, Threat] = {t.id: t for t in self.threats}
            """Threats by id."""
            by_element: dict[str, list[Threat]] = {}
            for threat in self.threats:
                for element_id in dict.fromkeys((threat.element_id, *threat.elements)):
                    by_element.setdefault(element_id, []).append(threat)
            self._by_element: Mapping[str, list[Threat]] = by_element
        else:
            self._update(previous, changed)

    def _update(self, previous: ThreatIndex, changed: frozenset[str]) -> None:
        """Index ``self.analysis`` from ``previous``: regroup only the threats with a finding on
        a ``changed`` element (before or now), keep the other threats as they were."""
        analysis = self.analysis
        on = analysis.findings_on
        affected = {t.id for element_id in changed for t in previous._by_element.get(element_id, ())}
        affected.update(f.threat_id for element_id in changed for f in on(element_id))
        # the findings of those threats are on the changed elements, or on the elements they
        # had findings on before (an element that did not change has the same findings)
        holders = set(changed)
        for threat_id in affected:
            old = previous.by_id.get(threat_id)
            if old is not None:
                holders.update(f.element_id for f in old.findings)
        # grouped from the analysis' own findings in its order, so each is what a full grouping makes
        findings = [f for e in analysis.in_model_order(holders) for f in on(e) if f.threat_id in affected]
        part = Analysis(analysis.model, analysis.topology, findings)
        regrouped = group_threats(part)
        self.threats = _replaced(previous, affected, regrouped)
        # the previous index's tables are shared, not copied (the screen may still show it)
        self.by_id = LayeredMap.changed(previous.by_id, ((t.id, t) for t in regrouped), affected)
        touched: set[str] = set()
        for threat_id in affected:
            old = previous.by_id.get(threat_id)
            if old is not None:
                touched.update((old.element_id, *old.elements))
        additions: dict[str, list[Threat]] = {}
        for threat in regrouped:
            for element_id in dict.fromkeys((threat.element_id, *threat.elements)):
                additions.setdefault(element_id, []).append(threat)
        touched.update(additions)
        listed_again: dict[str, list[Threat]] = {}
        for element_id in touched:
            listed = [t for t in previous._by_element.get(element_id, ()) if t.id not in affected]
            listed.extend(additions.get(element_id, ()))
            if listed:
                listed_again[element_id] = sorted(listed, key=threat_order)
        self._by_element = LayeredMap.changed(previous._by_element, listed_again.items(), touched - listed_again.keys())

    @property
    def _scopes(self) -> dict[str | None, Scope]:
        # every boundary's scope at once, when first needed: a cursor move must not place
        # every threat again
        if self._scope_cache is None:
            self._scope_cache = {s.boundary_id: s for s in all_scopes(self.analysis, self.threats)}
        return self._scope_cache

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
        (kind ``outside``) or a component or flow (kept: the panel asks again on every refill,
        and the questions of the whole model take a pass over every threat)."""
        key = (kind, element_id)
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = self._view(kind, element_id)
        return view

    def _view(self, kind: str | None, element_id: str) -> ThreatView:
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


def _replaced(previous: ThreatIndex, affected: set[str], regrouped: list[Threat]) -> list[Threat]:
    """``previous.threats`` without the ``affected`` ones and with ``regrouped``, in threat
    order: each found and placed by bisection (an edit touches a few of tens of thousands of
    threats, and a merge of the whole list called its key on every one)."""
    threats = list(previous.threats)
    for threat_id in affected:
        old = previous.by_id.get(threat_id)
        if old is None:
            continue
        at = bisect.bisect_left(threats, threat_order(old), key=threat_order)
        if at < len(threats) and threats[at] is old:  # keys (risk, id) are unique
            del threats[at]
        else:  # not where its key says: the list is not in threat order, so rebuild it whole
            kept = [t for t in previous.threats if t.id not in affected]
            return sorted([*kept, *regrouped], key=threat_order)
    for threat in regrouped:
        bisect.insort(threats, threat, key=threat_order)
    return threats
