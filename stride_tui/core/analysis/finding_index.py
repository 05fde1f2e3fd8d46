"""The findings of one analysis by element: what the STRIDE panel shows for a selection, at once."""

from __future__ import annotations

from stride_tui.core.analysis.engine import Analysis, Finding


class FindingIndex:
    """Findings of ``analysis`` looked up by element (a model of thousands of findings is
    re-selected on every cursor move, so the panel must not scan them all)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis: Analysis = analysis
        """What is indexed."""
        self._by_element: dict[str, list[Finding]] = {}
        for finding in analysis.findings:
            self._by_element.setdefault(finding.element_id, []).append(finding)

    def for_element(self, element_id: str) -> list[Finding]:
        """The findings on one component or flow."""
        return list(self._by_element.get(element_id, ()))

    def for_boundary(self, boundary_id: str) -> list[Finding]:
        """The findings on the flows that cross the boundary, flow by flow."""
        flows = self.analysis.topology.flows_crossing(boundary_id)
        return [finding for flow in flows for finding in self._by_element.get(flow, ())]

    def for_selection(self, kind: str | None, element_id: str = "") -> list[Finding]:
        """The findings for a selection: the whole model (``kind`` None), a boundary, or an element."""
        if kind is None:
            return self.analysis.findings
        if kind == "boundary":
            return self.for_boundary(element_id)
        return self.for_element(element_id)
