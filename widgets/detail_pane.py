"""The details pane: a scrolling `DetailView` of the selection, or of the threat or question under the cursor.

Showing the selection it already shows, of the same model, does nothing: the screen asks again
after every edit and cursor move, and each new text lays the screen out again.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll

from stride_tui.core.analysis.engine import Finding
from stride_tui.core.analysis.questions import Question
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Topology

from .detail_view import DetailView


class DetailPane(VerticalScroll):
    """Details of what is selected; the screen says what that is."""

    _showing: tuple[object, ...] | None = None
    """What `show_selection` last showed (None after anything else was shown)."""

    def compose(self) -> ComposeResult:
        self.border_title = "Details"
        yield DetailView(id="detail")

    def show_selection(self, model: ThreatModel, kind: str | None, element_id: str, topology: Topology | None) -> None:
        """Show a component, flow or boundary of ``model``; with ``kind`` None, say what the panel shows."""
        # a flow's details name its crossings (the topology); nothing else shown depends on it
        showing = (model, kind, element_id, topology if kind == "flow" else None)
        last = self._showing
        if last is not None and last[0] is model and last[1:3] == showing[1:3] and last[3] is showing[3]:
            return
        self._showing = showing
        detail = self.query_one(DetailView)
        if kind is None and not (model.components or model.flows or model.boundaries):
            detail.show_message(
                "This model is empty: no components, flows or boundaries yet. "
                "Press c to add a component, b a trust boundary, ? for help."
            )
        elif kind is None:
            detail.show_message("Nothing selected: the STRIDE panel shows the whole model.")
        elif kind == "component":
            detail.show_component(model, element_id)
        elif kind == "outside":
            detail.show_message(
                "Outside any boundary: the threats of components that sit in no trust boundary, "
                "and of the flows between them. Walking every boundary and this visits every threat once."
            )
        elif kind == "flow":
            detail.show_flow(model, element_id, topology)
        else:
            detail.show_boundary(model, element_id)

    def show_finding(self, model: ThreatModel, finding: Finding) -> None:
        """Show why ``finding`` fired and its decision."""
        self._showing = None
        self.query_one(DetailView).show_finding(model, finding)

    def show_threat(self, model: ThreatModel, threat: Threat, questions: Sequence[Question] = ()) -> None:
        """Show ``threat`` whole, with the questions that could settle it."""
        self._showing = None
        self.query_one(DetailView).show_threat(model, threat, questions)
        self.scroll_home(animate=False)

    def show_question(self, model: ThreatModel, question: Question, threats: Sequence[Threat]) -> None:
        """Show ``question`` and the threats its answer settles."""
        self._showing = None
        self.query_one(DetailView).show_question(model, question, threats)
        self.scroll_home(animate=False)

    def show_message(self, message: str) -> None:
        """Show a line of help instead of an element."""
        self._showing = None
        self.query_one(DetailView).show_message(message)
