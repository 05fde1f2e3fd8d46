"""The flows pane: one row per data flow, marking those that cross a trust boundary.

Crossings come from ``stride_tui.core.model.topology``, so the table marks exactly the flows that
the analysis engine treats as crossing.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message

from stride_tui.core import ThreatModel
from stride_tui.core.model.topology import Topology

from ._element_table import ElementTable
from .safe_text import safe_text
from .virtual_table import Column, TableRow

_CELL_LIMIT = 80
_CROSSING = "⇄"
_COLUMNS = (
    Column("crosses", _CROSSING, max_width=1, min_width=1, priority=9),
    Column("id", "id", max_width=24, priority=4),
    Column("route", "from → to", flex=True, min_width=10),
    Column("protocol", "protocol", max_width=24, priority=2),
)


class FlowTable(ElementTable):
    """The model's flows: a crossing marker, id, source → target and protocol.

    The flow under the cursor of the focused table is the selected one: moving the cursor,
    or focusing the table, posts `FlowTable.Selected`. Out-of-scope flows are dimmed.
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
        super().__init__(
            _COLUMNS,
            empty_text="No flows yet: press f to connect two components.",
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )
        self.border_title = "Flows"

    def show(self, model: ThreatModel, topology: Topology | None = None) -> None:
        """Fill the table from ``model``, keeping the cursor on the same flow if it remains."""
        topology = topology or Topology(model)
        crossing = 0
        rows = []
        for flow_id, flow in model.flows.items():
            crosses = bool(topology.crossings.get(flow_id))
            crossing += crosses
            style = "dim italic" if flow.out_of_scope else ""
            route = safe_text(flow.source, style=style)
            route.append(" → ", style=style)
            route.append_text(safe_text(flow.target, style=style))
            rows.append(
                TableRow(
                    flow_id,
                    (
                        Text(_CROSSING, style="bold red") if crosses else Text(""),
                        safe_text(flow_id, style=style),
                        route,
                        safe_text(flow.protocol or "", limit=_CELL_LIMIT, style=style),
                    ),
                )
            )
        self.set_rows(rows, keep=self.selected_id)
        self.border_title = f"Flows · {len(model.flows)}, {crossing} crossing"

    def _selected_message(self, element_id: str) -> Message:
        return self.Selected(self, element_id)
