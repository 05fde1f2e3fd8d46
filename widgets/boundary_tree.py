"""The boundaries pane: trust boundaries nested by ``parent``, with their member components."""

from __future__ import annotations

from typing import ClassVar, Literal, NamedTuple

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from stride_tui.core import ThreatModel

from .safe_text import safe_text

NodeKind = Literal["boundary", "component", "unbounded"]
_LABEL_LIMIT = 48
# Tree builds its lines recursively and draws a guide per level: deeper boundaries are shown
# at this depth, labelled with their real parent, instead of exhausting the stack.
_MAX_DEPTH = 24
_UNBOUNDED = "outside any boundary"


class TreeEntry(NamedTuple):
    """What a node of the tree stands for."""

    kind: NodeKind
    element_id: str | None


class BoundaryTree(Tree[TreeEntry]):
    """Trust boundaries as a forest: each boundary lists its components, then the boundaries
    nested in it.

    Components that sit in no boundary hang under a final "outside any boundary" node (its
    STRIDE scope is what no boundary walks). The node under
    the cursor of the focused tree is the selected one: moving the cursor, or focusing the tree,
    posts `BoundaryTree.Selected`; enter or a double click posts `BoundaryTree.Activated`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "activate", "Open", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Open (edit) the boundary or component under the cursor. |
    | space | Fold or unfold the boundary under the cursor. |
    """

    DEFAULT_CSS = """
    BoundaryTree {
        border: round $panel-lighten-2;
        border-title-color: $foreground-muted;
        &:focus {
            border: round $accent;
            border-title-color: $accent;
            border-title-style: bold;
        }
    }
    """

    class Selected(Message):
        """Posted when a boundary, a component or the "outside any boundary" node becomes selected."""

        def __init__(self, tree: BoundaryTree, entry: TreeEntry) -> None:
            super().__init__()
            self.tree: BoundaryTree = tree
            """The tree that posted the message."""
            self.entry: TreeEntry = entry
            """What the selected node stands for."""

        @property
        def control(self) -> BoundaryTree:
            """The tree that posted the message (for the `on` decorator)."""
            return self.tree

    class Activated(Message):
        """Posted when the user opens a node (enter, or a double click)."""

        def __init__(self, tree: BoundaryTree, entry: TreeEntry) -> None:
            super().__init__()
            self.tree: BoundaryTree = tree
            """The tree that posted the message."""
            self.entry: TreeEntry = entry
            """What the opened node stands for."""

        @property
        def control(self) -> BoundaryTree:
            """The tree that posted the message (for the `on` decorator)."""
            return self.tree

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(Text("boundaries"), name=name, id=id, classes=classes, disabled=disabled)
        self.auto_expand = False
        self.show_root = False
        self.guide_depth = 3
        self.border_title = "Boundaries"

    @property
    def selected_entry(self) -> TreeEntry | None:
        """What the node under the cursor stands for, or None when nothing is under it."""
        node = self.cursor_node
        return node.data if node is not None else None

    def show(self, model: ThreatModel) -> None:
        """Rebuild the tree from ``model``, keeping the cursor on the same entry if it remains."""
        previous = self.selected_entry
        folded = {
            node.data.element_id
            for node in self._tree_nodes_in_order()
            if node.data is not None and node.allow_expand and not node.is_expanded
        }
        self._folded = folded
        self.clear()
        children: dict[str | None, list[str]] = {}
        for boundary_id, boundary in model.boundaries.items():
            parent = boundary.parent if boundary.parent in model.boundaries else None
            children.setdefault(parent, []).append(boundary_id)
        members: dict[str | None, list[str]] = {}
        for component_id, component in model.components.items():
            inside = component.boundary if component.boundary in model.boundaries else None
            members.setdefault(inside, []).append(component_id)

        placed: set[str] = set()
        roots = children.get(None, [])
        # A parent cycle leaves boundaries unreachable from any root: show them, do not lose them.
        for boundary_id in [*roots, *model.boundaries]:
            if boundary_id not in placed:
                self._add_boundaries(model, boundary_id, children, members, placed)
        if members.get(None):
            node = self.root.add(Text(_UNBOUNDED, style="italic"), data=TreeEntry("unbounded", None), expand=True)
            for component_id in members[None]:
                self._add_component(node, model, component_id)

        self.border_title = f"Boundaries · {len(model.boundaries)}"
        self._keep_cursor_on(previous)

    def _add_boundaries(
        self,
        model: ThreatModel,
        top_id: str,
        children: dict[str | None, list[str]],
        members: dict[str | None, list[str]],
        placed: set[str],
    ) -> None:
        """Add boundary ``top_id`` under the root, with everything nested in it.

        Iterative, so a deep (or hostile) chain of parents cannot exhaust the Python stack.
        """
        stack: list[tuple[TreeNode[TreeEntry], str, int]] = [(self.root, top_id, 1)]
        while stack:
            parent, boundary_id, depth = stack.pop()
            if boundary_id in placed:
                continue
            placed.add(boundary_id)
            boundary = model.boundaries[boundary_id]
            label = safe_text(boundary.name or boundary_id, limit=_LABEL_LIMIT, style="bold")
            if boundary.name:
                label.append(" ")
                label.append_text(safe_text(boundary_id, style="dim"))
            if parent.data is not None and parent.data.element_id != boundary.parent:
                label.append_text(safe_text(f" (in {boundary.parent})", style="dim italic"))
            expand = boundary_id not in getattr(self, "_folded", ())
            node = parent.add(label, data=TreeEntry("boundary", boundary_id), expand=expand)
            for component_id in members.get(boundary_id, []):
                self._add_component(node, model, component_id)
            if depth < _MAX_DEPTH:
                below, below_depth = node, depth + 1
            else:
                below, below_depth = parent, depth
            nested = reversed(children.get(boundary_id, []))
            stack.extend((below, child_id, below_depth) for child_id in nested)

    def _add_component(self, parent: TreeNode[TreeEntry], model: ThreatModel, component_id: str) -> None:
        component = model.components[component_id]
        label = safe_text(component.name or component_id, limit=_LABEL_LIMIT)
        if component.name:
            label.append(" ")
            label.append_text(safe_text(component_id, style="dim"))
        parent.add_leaf(label, data=TreeEntry("component", component_id))

    def _keep_cursor_on(self, entry: TreeEntry | None) -> None:
        nodes = self._tree_nodes_in_order(visible=True)
        for line, node in enumerate(nodes):
            if entry is not None and node.data == entry:
                self.cursor_line = line
                return
        # Setting the line again makes the tree look up the (new) node under the cursor.
        self.cursor_line = min(self.cursor_line, len(nodes) - 1)

    def _tree_nodes_in_order(self, *, visible: bool = False) -> list[TreeNode[TreeEntry]]:
        """Every node top to bottom, or (``visible``) only those not hidden in a folded one."""
        ordered: list[TreeNode[TreeEntry]] = []
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            ordered.append(node)
            if node.is_expanded or not visible:
                stack.extend(reversed(node.children))
        return ordered

    def select(self, entry: TreeEntry) -> bool:
        """Put the cursor on ``entry`` (unfolding its boundaries) and say so."""
        for node in self._tree_nodes_in_order():
            if node.data == entry:
                parent = node.parent
                while parent is not None:
                    parent.expand()
                    parent = parent.parent
                self._keep_cursor_on(entry)
                self.scroll_to_line(self.cursor_line, animate=False)
                self._post_selected()
                return True
        return False

    def action_activate(self) -> None:
        entry = self.selected_entry
        if entry is not None:
            self.post_message(self.Activated(self, entry))

    async def _on_click(self, event: events.Click) -> None:
        await super()._on_click(event)
        if event.chain >= 2:
            self.action_activate()

    def on_focus(self) -> None:
        if self.cursor_node is None and self.root.children:
            self.cursor_line = 0
        self._post_selected()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeEntry]) -> None:
        event.stop()
        # Rebuilds move the cursor too; only the focused pane speaks for the selection.
        if self.has_focus:
            self._post_selected()

    def _post_selected(self) -> None:
        entry = self.selected_entry
        if entry is not None:
            self.post_message(self.Selected(self, entry))
