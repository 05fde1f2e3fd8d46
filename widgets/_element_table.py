"""What the components and flows tables share: a row cursor that names the selected element."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


class ElementTable(DataTable[Text]):
    """A table with one row per model element, keyed by the element's id.

    The element under the cursor of the focused table is the *selected* one: moving the cursor,
    or focusing the table, posts the message built by `_selected_message`.
    """

    DEFAULT_CSS = """
    ElementTable {
        border: round $panel-lighten-2;
        border-title-color: $foreground-muted;
        &:focus {
            border: round $accent;
            border-title-color: $accent;
            border-title-style: bold;
        }
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
            cursor_type="row",
            zebra_stripes=True,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )

    @property
    def selected_id(self) -> str | None:
        """The id of the element under the cursor, or None when the table is empty."""
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def _keep_cursor_on(self, element_id: str | None) -> None:
        """Put the cursor back on ``element_id`` after a refill, if it is still there."""
        if element_id is None:
            return
        try:
            row = self.get_row_index(element_id)
        except RowDoesNotExist:
            return
        self.move_cursor(row=row)

    def on_focus(self) -> None:
        self._post_selected()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        # Refills move the cursor too; only the focused pane speaks for the selection.
        if self.has_focus:
            self._post_selected()

    def _post_selected(self) -> None:
        element_id = self.selected_id
        if element_id is not None:
            self.post_message(self._selected_message(element_id))

    def _selected_message(self, element_id: str) -> Message:
        raise NotImplementedError
