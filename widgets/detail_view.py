"""The detail pane: every key of the selected element, with unknown facts spelled out; or a
threat, a finding or a question in full."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from stride_tui.core import ThreatModel
from stride_tui.core.analysis.engine import Finding
from stride_tui.core.analysis.questions import Question
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.model.topology import Topology, boundary_chain

from .finding_text import finding_details
from .safe_text import safe_text
from .threat_text import question_details, threat_details

# Keys that describe an element rather than state a fact about its security. They are shown
# only when set; every other optional key is a fact that rules read, so it is always listed
# and a missing one reads "unknown".
_DESCRIPTIVE = frozenset(
    {
        "kind",
        "name",
        "description",
        "technology",
        "tags",
        "boundary",
        "parent",
        "source",
        "target",
        "data",
        "protocol",
        "out_of_scope",
        "out_of_scope_reason",
    }
)
_KIND_TITLES = {
    "external_entity": "External entity",
    "process": "Process",
    "data_store": "Data store",
}


def _unknown() -> Text:
    return Text("unknown", style="dim italic")


def _value(value: object) -> Text:
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, list):
        return safe_text(", ".join(str(item) for item in value))
    return safe_text(str(value))


def _heading(title: str, element_id: str) -> Text:
    heading = Text(title, style="bold")
    heading.append("  ")
    heading.append_text(safe_text(element_id, style="bold"))
    return heading


def _grid() -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


class DetailView(Static):
    """Shows one element's keys (descriptive ones when set, facts always: "unknown" when unset),
    or one finding.

    The screen calls one of the ``show_*`` methods when the selection changes.
    """

    DEFAULT_CSS = """
    DetailView {
        width: 100%;
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            Text("Nothing selected.", style="dim"),
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
            markup=False,
        )
        self._shown: RenderableType = Text("Nothing selected.", style="dim")

    @property
    def shown(self) -> RenderableType:
        """What the view shows now, whole (the pane around it may scroll)."""
        return self._shown

    def update(self, content: RenderableType = "", **kwargs: object) -> None:  # type: ignore[override]
        self._shown = content
        super().update(content)

    def show_component(self, model: ThreatModel, component_id: str) -> None:
        """Show the component ``component_id`` of ``model``."""
        component = model.components.get(component_id)
        if component is None:
            self.show_message(f"No component {component_id!r}.")
            return
        keys, facts = self._fields(component)
        if component.boundary:
            chain = boundary_chain(model, component.boundary)
            keys.add_row("inside", safe_text(" ⊂ ".join(chain) or component.boundary))
        title = _KIND_TITLES.get(component.kind, component.kind)
        self._show_parts(_heading(title, component_id), keys, facts)

    def show_flow(self, model: ThreatModel, flow_id: str, topology: Topology | None = None) -> None:
        """Show the flow ``flow_id`` of ``model``, with the boundaries it crosses.

        Args:
            model: The model.
            flow_id: The flow to show.
            topology: The model's crossings, when the caller has them already.
        """
        flow = model.flows.get(flow_id)
        if flow is None:
            self.show_message(f"No flow {flow_id!r}.")
            return
        keys, facts = self._fields(flow)
        crossings = (topology or Topology(model)).crossings.get(flow_id, ())
        described = "\n".join(f"{c.direction} {c.boundary}" for c in crossings)
        keys.add_row("crosses", safe_text(described) if crossings else Text("no boundary"))
        self._show_parts(_heading("Flow", flow_id), keys, facts)

    def show_boundary(self, model: ThreatModel, boundary_id: str) -> None:
        """Show the boundary ``boundary_id`` of ``model`` and what it holds."""
        boundary = model.boundaries.get(boundary_id)
        if boundary is None:
            self.show_message(f"No boundary {boundary_id!r}.")
            return
        keys, facts = self._fields(boundary)
        inner = [b for b, other in model.boundaries.items() if other.parent == boundary_id]
        members = [c for c, comp in model.components.items() if comp.boundary == boundary_id]
        keys.add_row("boundaries", safe_text(", ".join(inner)) if inner else Text("none"))
        keys.add_row("components", safe_text(", ".join(members)) if members else Text("none"))
        self._show_parts(_heading("Trust boundary", boundary_id), keys, facts)

    def show_finding(self, model: ThreatModel, finding: Finding) -> None:
        """Show a finding: why it fired, mitigations, references and the decision."""
        self.update(finding_details(finding, model))

    def show_threat(self, model: ThreatModel, threat: Threat, questions: Sequence[Question] = ()) -> None:
        """Show a threat whole: its risk and why, the questions that settle it, each finding."""
        self.update(threat_details(threat, model, questions))

    def show_question(self, model: ThreatModel, question: Question, threats: Sequence[Threat]) -> None:
        """Show a question: what each key answers, and the threats its answer settles."""
        self.update(question_details(question, model, threats))

    def show_message(self, message: str) -> None:
        """Show a plain note instead of an element."""
        self.update(safe_text(message, style="dim"))

    def _show_parts(self, heading: Text, keys: Table, facts: list[tuple[str, Text]]) -> None:
        if facts:
            keys.add_row("", "")
            keys.add_row(Text("facts", style="bold underline"), "")
            for key, value in facts:
                keys.add_row(key, value)
        self.update(Group(heading, keys))

    @staticmethod
    def _fields(element: BaseModel) -> tuple[Table, list[tuple[str, Text]]]:
        """The element's keys, named as the file spells them: a grid of the descriptive keys
        that are set, and every fact (a fact that is not set reads "unknown")."""
        keys: Table = _grid()
        facts: list[tuple[str, Text]] = []
        for field_name, info in type(element).model_fields.items():
            if field_name == "kind":
                continue
            key = info.alias or field_name
            value = getattr(element, field_name)
            if field_name in _DESCRIPTIVE:
                if value is not None:
                    keys.add_row(key, _value(value))
            else:
                facts.append((key, _unknown() if value is None else _value(value)))
        return keys, facts
