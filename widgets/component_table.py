"""The components pane: one row per component with its key facts."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message

from stride_tui.core import ThreatModel

from ._element_table import ElementTable
from .safe_text import safe_text

_KIND_LABELS = {"external_entity": "external", "process": "process", "data_store": "store"}
_CELL_LIMIT = 40


class ComponentTable(ElementTable):
    """The model's components: id, kind, name, boundary and technology.

    The component under the cursor of the focused table is the selected one: moving the
    cursor, or focusing the table, posts `ComponentTable.Selected`.
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
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.add_column("id", key="id")
        self.add_column("kind", key="kind")
        self.add_column("name", key="name")
        self.add_column("boundary", key="boundary")
        self.add_column("technology", key="technology")
        self.border_title = "Components"

    def show(self, model: ThreatModel) -> None:
        """Fill the table from ``model``, keeping the cursor on the same component if it remains."""
        previous = self.selected_id
        self.clear()
        for component_id, component in model.components.items():
            self.add_row(
                safe_text(component_id),
                Text(_KIND_LABELS.get(component.kind, component.kind)),
                safe_text(component.name or "", limit=_CELL_LIMIT),
                safe_text(component.boundary or "", limit=_CELL_LIMIT),
                safe_text(component.technology or "", limit=_CELL_LIMIT),
                key=component_id,
            )
        self.border_title = f"Components · {len(model.components)}"
        self._keep_cursor_on(previous)

    def _selected_message(self, element_id: str) -> Message:
        return self.Selected(self, element_id)
