"""What the components and flows tables share: a row cursor that names the selected element."""

from __future__ import annotations

from textual.message import Message

from .virtual_table import VirtualTable


class ElementTable(VirtualTable):
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

    @property
    def selected_id(self) -> str | None:
        """The id of the element under the cursor, or None when the table is empty."""
        return self.cursor_key

    def select(self, element_id: str) -> bool:
        """Put the cursor on ``element_id`` and say so, as if the user had moved there."""
        if not self.move_cursor_to_key(element_id):
            return False
        self._post_selected()
        return True

    def on_focus(self) -> None:
        self._post_selected()

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
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
