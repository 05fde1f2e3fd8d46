"""The components pane: one row per component with its key facts.

Each row is kept with the component it was made from: a refill makes rows only for components
that are not the very objects shown before (an edit copies only what it changes).
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.message import Message

from stride_tui.core import ThreatModel
from stride_tui.core.model.elements import Component

from ._element_table import ElementTable
from .border_text import set_border_title
from .model_diff import diff_table
from .safe_text import safe_text, safe_width
from .virtual_table import Column, TableRow

_KIND_LABELS = {"external_entity": "external", "process": "process", "data_store": "store"}
_CELL_LIMIT = 80
_COLUMNS = (
    Column("id", "id", max_width=24, priority=5),
    Column("kind", "kind", max_width=8, priority=3),
    Column("name", "name", flex=True, min_width=8),
    Column("boundary", "boundary", max_width=20, priority=2),
    Column("technology", "technology", max_width=20, priority=1),
)


class ComponentTable(ElementTable):
    """The model's components: id, kind, name, boundary and technology.

    The component under the cursor of the focused table is the selected one: moving the
    cursor, or focusing the table, posts `ComponentTable.Selected`. Out-of-scope components
    are dimmed.
    """

    class Selected(Message):
        """Posted when a component becomes the selected one."""

        def __init__(self, table: ComponentTable, component_id: str) -> None:
            super().__init__()
            self.table: ComponentTable = table
            """The table that posted the message."""
            self.component_id: str = component_id
            """The id of the selected component."""

        @property
        def control(self) -> ComponentTable:
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
            empty_text="No components yet: press c to add one.",
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )
        set_border_title(self, "Components")
        self._shown: dict[str, Component] = {}
        self._made: dict[str, TableRow] = {}

    def show(self, model: ThreatModel) -> None:
        """Fill the table from ``model``, keeping the cursor on the same component if it remains.

        Only the components that changed since the last call get new rows."""
        components = model.components
        diff = diff_table(self._shown, components)
        if diff.empty and self._shown:
            return
        made = self._made
        for component_id in diff.changed:
            component = components.get(component_id)
            if component is None:
                made.pop(component_id, None)
            else:
                made[component_id] = _row(component_id, component)
        self._shown = components
        if diff.reordered or len(made) != self.row_count:
            self.set_rows([made[cid] for cid in components], keep=self.selected_id)
        else:
            self.replace_rows({cid: made[cid] for cid in diff.changed})
        set_border_title(self, f"Components · {len(components)}")

    def _selected_message(self, element_id: str) -> Message:
        return self.Selected(self, element_id)


def _row(component_id: str, component: Component) -> TableRow:
    # Lazy: the widths come from cached text measures, the cells are made when the row is drawn
    # (opening a 5,000-component model makes a screenful of them, not 25,000).
    kind = _KIND_LABELS.get(component.kind, component.kind)
    widths = (
        safe_width(component_id),
        len(kind),
        safe_width(component.name or "", limit=_CELL_LIMIT),
        safe_width(component.boundary or ""),
        safe_width(component.technology or "", limit=_CELL_LIMIT),
    )
    return TableRow.lazy(component_id, widths, partial(_cells, component_id, component))


def _cells(component_id: str, component: Component) -> tuple[Text, ...]:
    style = "dim italic" if component.out_of_scope else ""
    return (
        safe_text(component_id, style=style),
        Text(_KIND_LABELS.get(component.kind, component.kind), style=style),
        safe_text(component.name or "", limit=_CELL_LIMIT, style=style),
        safe_text(component.boundary or "", style=style),
        safe_text(component.technology or "", limit=_CELL_LIMIT, style=style),
    )
