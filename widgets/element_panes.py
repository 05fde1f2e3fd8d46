"""The element panes: components, flows and trust boundaries, one above the other.

The focused pane speaks for the selection: its cursor is what edit and delete act on. The
panes' own ``Selected`` messages come out of this column as one `ElementPanes.Selected`.
"""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from stride_tui.core.model.elements import ThreatModel

from .boundary_tree import BoundaryTree, TreeEntry
from .component_table import ComponentTable
from .flow_table import FlowTable
from .virtual_table import VirtualTable

ElementPane = ComponentTable | FlowTable | BoundaryTree
ElementKind = Literal["component", "flow", "boundary", "outside"]
"""``outside``: the "outside any boundary" entry of the boundary tree."""


class ElementPanes(Vertical):
    """The components table, the flows table and the boundary tree."""

    class Selected(Message):
        """The focused pane's cursor moved to an element (``kind`` None: to no element)."""

        def __init__(self, kind: ElementKind | None, element_id: str = "", note: str | None = None) -> None:
            super().__init__()
            self.kind: ElementKind | None = kind
            """``component``, ``flow``, ``boundary``, ``outside`` (no boundary), or None."""
            self.element_id: str = element_id
            """The element's id (empty with no element)."""
            self.note: str | None = note
            """What to say instead of details, when the cursor is on no element."""

    class EditRequested(Message):
        """The user activated (enter, double click) an element in a pane."""

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()
        self.post_message(self.EditRequested())

    def on_boundary_tree_activated(self, event: BoundaryTree.Activated) -> None:
        event.stop()
        if event.entry.element_id is not None:
            self.post_message(self.EditRequested())

    def on_component_table_selected(self, message: ComponentTable.Selected) -> None:
        message.stop()
        self.post_message(self.Selected("component", message.component_id))

    def on_flow_table_selected(self, message: FlowTable.Selected) -> None:
        message.stop()
        self.post_message(self.Selected("flow", message.flow_id))

    def on_boundary_tree_selected(self, message: BoundaryTree.Selected) -> None:
        message.stop()
        entry = message.entry
        if entry.kind != "unbounded" and entry.element_id is not None:
            self.post_message(self.Selected(entry.kind, entry.element_id))
        else:
            self.post_message(self.Selected("outside"))

    def compose(self) -> ComposeResult:
        yield ComponentTable(id="components")
        yield FlowTable(id="flows")
        yield BoundaryTree(id="boundaries")

    def show(self, model: ThreatModel) -> None:
        """Fill the three panes from ``model`` (each keeps its cursor on the same element)."""
        self.query_one(ComponentTable).show(model)
        self.query_one(FlowTable).show(model)
        self.query_one(BoundaryTree).show(model)

    @property
    def focused_pane(self) -> ElementPane | None:
        """The pane with the focus, if one of these has it."""
        focused = self.screen.focused
        return focused if isinstance(focused, (ComponentTable, FlowTable, BoundaryTree)) else None

    def target(self) -> tuple[str, str] | None:
        """(section, id) under the focused pane's cursor; None when it has none (or none has focus)."""
        pane = self.focused_pane
        if isinstance(pane, BoundaryTree):
            entry = pane.selected_entry
            if entry is None or entry.element_id is None:
                return None
            return ("boundaries" if entry.kind == "boundary" else "components", entry.element_id)
        if pane is not None and pane.selected_id:
            return ("components" if isinstance(pane, ComponentTable) else "flows", pane.selected_id)
        return None

    def current(self) -> tuple[ElementKind, str] | None:
        """(kind, id) the focused pane's cursor is on, as its ``Selected`` would say (without
        saying it); None when no pane has the focus or its cursor is on nothing."""
        pane = self.focused_pane
        if isinstance(pane, BoundaryTree):
            entry = pane.selected_entry
            if entry is None:
                return None
            if entry.kind != "unbounded" and entry.element_id is not None:
                return (entry.kind, entry.element_id)
            return ("outside", "")
        if pane is not None and pane.selected_id:
            return ("component" if isinstance(pane, ComponentTable) else "flow", pane.selected_id)
        return None

    def reveal(self, section: str, element_id: str) -> None:
        """Put a cursor on ``element_id``: the focused pane's when it lists that kind, else its own pane's."""
        pane = self.focused_pane
        if section == "components" and isinstance(pane, BoundaryTree):
            pane.select(TreeEntry("component", element_id))
        elif section == "components":
            self.query_one(ComponentTable).select(element_id)
        elif section == "flows":
            self.query_one(FlowTable).select(element_id)
        elif section == "boundaries":
            self.query_one(BoundaryTree).select(TreeEntry("boundary", element_id))

    def repost_selection(self) -> None:
        """Have the focused pane say its selection again (after a refill or a delete)."""
        pane = self.focused_pane
        if pane is not None:
            pane._post_selected()
