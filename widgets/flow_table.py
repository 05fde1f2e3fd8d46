"""The flows pane: one row per data flow, marking those that cross a trust boundary.

Crossings come from ``stride_tui.core.model.topology`` (its boundary chains, and its rule: a flow
crosses when its endpoints' chains hold different boundaries), so the table marks exactly the
flows that the analysis engine treats as crossing. A refill makes rows only for flows that are
not the very objects shown before or whose crossing changed (a moved component or boundary).
"""

from __future__ import annotations

from collections.abc import KeysView
from functools import partial

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message

from stride_tui.core import ThreatModel
from stride_tui.core.model.elements import Flow
from stride_tui.core.model.topology import all_boundary_chains

from ._element_table import ElementTable
from .border_text import set_border_title
from .model_diff import ModelDiff
from .safe_text import safe_text, safe_width
from .virtual_table import Column, TableRow

_CELL_LIMIT = 80
_CROSSING = "⇄"
_CROSSING_WIDTH = cell_len(_CROSSING)
_ARROW = " → "
_ARROW_WIDTH = cell_len(_ARROW)
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
        set_border_title(self, "Flows")
        self._model: ThreatModel | None = None
        self._chains: dict[str | None, tuple[str, ...]] = {}
        self._component_chain: dict[str, tuple[str, ...]] = {}
        self._crosses: dict[str, bool] = {}
        self._made: dict[str, tuple[Flow, TableRow]] = {}

    def show(self, model: ThreatModel) -> None:
        """Fill the table from ``model``, keeping the cursor on the same flow if it remains.

        Only the flows that changed since the last call, or whose crossing did, get new rows."""
        previous = self._model
        self._model = model
        diff = ModelDiff.between(previous, model) if previous is not None else None
        if diff is not None and diff.flows.empty and diff.components.empty and diff.boundaries.empty:
            return
        if diff is None or not diff.boundaries.empty:
            self._chains = all_boundary_chains(model)
            self._component_chain = {}
        chains, component_chain = self._chains, self._component_chain
        moved = False
        if diff is None or not diff.boundaries.empty:
            moved = True
            component_chain.update((cid, chains.get(c.boundary, ())) for cid, c in model.components.items())
        else:
            for cid in diff.components.changed:
                component = model.components.get(cid)
                chain = chains.get(component.boundary, ()) if component is not None else None
                if component_chain.get(cid) != chain:
                    moved = True
                    if chain is None:
                        del component_chain[cid]
                    else:
                        component_chain[cid] = chain
        if diff is None:
            self._crosses, self._made = {}, {}
        flows, crosses, made = model.flows, self._crosses, self._made
        check: set[str] | KeysView[str] = set(diff.flows.changed) if diff is not None else flows.keys()
        if moved and diff is not None:
            check |= flows.keys()  # a component or boundary moved: any flow may cross or not now
        changed: dict[str, TableRow] = {}
        for flow_id in check:
            flow = flows.get(flow_id)
            if flow is None:
                crosses.pop(flow_id, None)
                made.pop(flow_id, None)
                continue
            src = component_chain.get(flow.source, ())
            dst = component_chain.get(flow.target, ())
            now = src != dst and set(src) != set(dst)
            if crosses.get(flow_id) is not now or made.get(flow_id, (None,))[0] is not flow:
                crosses[flow_id] = now
                made[flow_id] = (flow, _row(flow_id, flow, now))
                changed[flow_id] = made[flow_id][1]
        if diff is None or diff.flows.reordered or len(made) != self.row_count:
            self.set_rows([made[fid][1] for fid in flows], keep=self.selected_id)
        elif changed:
            self.replace_rows(changed)
        set_border_title(self, f"Flows · {len(flows)}, {sum(crosses.values())} crossing")

    def _selected_message(self, element_id: str) -> Message:
        return self.Selected(self, element_id)


def _row(flow_id: str, flow: Flow, crosses: bool) -> TableRow:
    # Lazy: the widths come from cached text measures, the cells are made when the row is drawn.
    widths = (
        _CROSSING_WIDTH if crosses else 0,
        safe_width(flow_id),
        safe_width(flow.source) + _ARROW_WIDTH + safe_width(flow.target),
        safe_width(flow.protocol or "", limit=_CELL_LIMIT),
    )
    return TableRow.lazy(flow_id, widths, partial(_cells, flow_id, flow, crosses))


def _cells(flow_id: str, flow: Flow, crosses: bool) -> tuple[Text, ...]:
    style = "dim italic" if flow.out_of_scope else ""
    route = safe_text(flow.source, style=style)
    route.append(_ARROW, style=style)
    route.append_text(safe_text(flow.target, style=style))
    return (
        Text(_CROSSING, style="bold red") if crosses else Text(""),
        safe_text(flow_id, style=style),
        route,
        safe_text(flow.protocol or "", limit=_CELL_LIMIT, style=style),
    )
