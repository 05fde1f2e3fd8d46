"""The flows pane: one row per data flow, marking those that cross a trust boundary.

Crossings come from ``stride_tui.core.crossings``, so the table marks exactly the flows that
the analysis engine treats as crossing.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message

from stride_tui.core import ThreatModel
from stride_tui.core.crossings import Topology

from ._element_table import ElementTable
from .safe_text import safe_text

_CELL_LIMIT = 40
_CROSSING = "⇄"


class FlowTable(ElementTable):
    """The model's flows: a crossing marker, id, source → target and protocol.

    The flow under the cursor of the focused table is the selected one: moving the cursor,
    or focusing the table, posts `FlowTable.Selected`.
    """

    class Selected(Message):
        """Posted when a flow becomes the selected one."""

        def __init__(self, table: FlowTable, flow_id: str) -> None:
            super().__init__()
            self.table: FlowTable = table
            """The table that posted the message."""
            self.flow_id: str = flow_id
            """The id of the selected flow."""

        @property
        def control(self) -> FlowTable:
            """The table that posted the message (for the `on` decorator)."""
            return self.table

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.add_column(_CROSSING, key="crosses")
        self.add_column("id", key="id")
        self.add_column("from → to", key="route")
        self.add_column("protocol", key="protocol")
        self.border_title = "Flows"

    def show(self, model: ThreatModel) -> None:
        """Fill the table from ``model``, keeping the cursor on the same flow if it remains."""
        previous = self.selected_id
        self.clear()
        topology = Topology(model)
        crossing = 0
        for flow_id, flow in model.flows.items():
            crosses = bool(topology.crossings.get(flow_id))
            crossing += crosses
            route = safe_text(flow.source)
            route.append(" → ")
            route.append_text(safe_text(flow.target))
            self.add_row(
                Text(_CROSSING, style="bold red") if crosses else Text(""),
                safe_text(flow_id),
                route,
                safe_text(flow.protocol or "", limit=_CELL_LIMIT),
                key=flow_id,
            )
        self.border_title = f"Flows · {len(model.flows)}, {crossing} crossing"
        self._keep_cursor_on(previous)

    def _selected_message(self, element_id: str) -> Message:
        return self.Selected(self, element_id)
