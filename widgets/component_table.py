"""The components pane: one row per component with its key facts."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message

from stride_tui.core import ThreatModel

from ._element_table import ElementTable
from .safe_text import safe_text
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
        self.border_title = "Components"

    def show(self, model: ThreatModel) -> None:
        """Fill the table from ``model``, keeping the cursor on the same component if it remains."""
        rows = []
        for component_id, component in model.components.items():
            style = "dim italic" if component.out_of_scope else ""
            rows.append(
                TableRow(
                    component_id,
                    (
                        safe_text(component_id, style=style),
                        Text(_KIND_LABELS.get(component.kind, component.kind), style=style),
                        safe_text(component.name or "", limit=_CELL_LIMIT, style=style),
                        safe_text(component.boundary or "", style=style),
                        safe_text(component.technology or "", limit=_CELL_LIMIT, style=style),
                    ),
                )
            )
        self.set_rows(rows, keep=self.selected_id)
        self.border_title = f"Components · {len(model.components)}"

    def _selected_message(self, element_id: str) -> Message:
        return self.Selected(self, element_id)
