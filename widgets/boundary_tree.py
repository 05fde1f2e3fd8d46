"""The boundaries pane: trust boundaries nested by ``parent``, with their member components.

After an edit the tree changes only where the model did (found by identity, `model_diff`): a
renamed element gets a new label, a component added, removed or moved has the member list of
its boundary laid out again; a change to the boundaries' nesting rebuilds the tree.
"""

from __future__ import annotations

from typing import ClassVar, Literal, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from stride_tui.core import ThreatModel

from .border_text import set_border_title
from .model_diff import ModelDiff
from .safe_text import safe_text
from .steady_scroll import SteadyScrollView

NodeKind = Literal["boundary", "component", "unbounded"]
_LABEL_LIMIT = 48
# Tree builds its lines recursively and draws a guide per level: deeper boundaries are shown
# at this depth, labelled with their real parent, instead of exhausting the stack.
_MAX_DEPTH = 24
_UNBOUNDED = "outside any boundary"
_MOST_REGROUPED = 8
"""An edit that changes the members of more boundaries than this rebuilds the whole tree."""


class TreeEntry(NamedTuple):
    """What a node of the tree stands for."""

    kind: NodeKind
    element_id: str | None


class BoundaryTree(Tree[TreeEntry], SteadyScrollView):
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
        set_border_title(self, "Boundaries")
        self._model: ThreatModel | None = None
        self._entry_nodes: dict[TreeEntry, TreeNode[TreeEntry]] = {}
        self._folded: set[str | None] = set()
        self._previous_entry: TreeEntry | None = None

    @property
    def selected_entry(self) -> TreeEntry | None:
        """What the node under the cursor stands for, or None when nothing is under it."""
        node = self.cursor_node
        return node.data if node is not None else None

    def show(self, model: ThreatModel) -> None:
        """Show ``model``, keeping the cursor on the same entry if it remains: in place where
        only labels or member lists changed since the last call, else by a rebuild."""
        previous, self._model = self._model, model
        if previous is not None:
            diff = ModelDiff.between(previous, model)
            if diff.components.empty and diff.boundaries.empty:
                return
            if self._update(previous, model, diff):
                set_border_title(self, f"Boundaries · {len(model.boundaries)}")
                return
        self._rebuild(model)

    def _rebuild(self, model: ThreatModel) -> None:
        """Clear the tree and add every node again."""
        # Tree.add invalidates the whole tree (and asks for a layout) after every node; 5,500
        # nodes need it once, at the end
        self._invalidate = _nothing  # type: ignore[method-assign]
        try:
            self._fill(model)
        finally:
            del self._invalidate
        self._invalidate()
        self._keep_cursor_on(self._previous_entry)

    def _fill(self, model: ThreatModel) -> None:
        self._previous_entry = self.selected_entry
        self._folded = {
            node.data.element_id
            for node in self._tree_nodes_in_order()
            if node.data is not None and node.allow_expand and not node.is_expanded
        }
        self.clear()
        self._entry_nodes = {}
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
            entry = TreeEntry("unbounded", None)
            node = self.root.add(Text(_UNBOUNDED, style="italic"), data=entry, expand=True)
            self._entry_nodes[entry] = node
            for component_id in members[None]:
                self._add_component(node, model, component_id)

        set_border_title(self, f"Boundaries · {len(model.boundaries)}")

    def _update(self, previous: ThreatModel, model: ThreatModel, diff: ModelDiff) -> bool:
        """Bring the tree from ``previous`` to ``model`` in place; False when only a rebuild can
        (the nesting changed, or too much did)."""
        if diff.boundaries.reordered:
            return False
        relabel: list[TreeEntry] = []
        for boundary_id in diff.boundaries.changed:
            old, new = previous.boundaries.get(boundary_id), model.boundaries.get(boundary_id)
            if old is None or new is None or old.parent != new.parent:
                return False
            relabel.append(TreeEntry("boundary", boundary_id))
        regroup: set[str | None] = set()
        for component_id in diff.components.changed:
            old_c, new_c = previous.components.get(component_id), model.components.get(component_id)
            was = _inside(previous, old_c.boundary) if old_c is not None else None
            now = _inside(model, new_c.boundary) if new_c is not None else None
            if old_c is not None and new_c is not None and was == now:
                relabel.append(TreeEntry("component", component_id))
                continue
            if old_c is not None:
                regroup.add(was)
            if new_c is not None:
                regroup.add(now)
        if len(regroup) > _MOST_REGROUPED:
            return False
        members: dict[str | None, list[str]] = {where: [] for where in regroup}
        if regroup:
            for component_id, component in model.components.items():
                where = _inside(model, component.boundary)
                if where in members:
                    members[where].append(component_id)
        unbounded = TreeEntry("unbounded", None)
        if None in members and bool(members[None]) != (unbounded in self._entry_nodes):
            return False  # the "outside any boundary" node comes or goes: rare, rebuild
        for entry in relabel:
            node = self._entry_nodes.get(entry)
            if node is None:
                return False
            assert entry.element_id is not None
            if entry.kind == "boundary":
                label = self._boundary_label(model, entry.element_id, node.parent)
            else:
                label = _component_label(model, entry.element_id)
            # the same label (most edits change a fact, not a name) is not set again: setting
            # it repaints its line once the screen is idle, a frame after the edit's own
            if label != node.label:
                node.set_label(label)
        if not regroup:
            return True
        before = self.selected_entry
        for where in regroup:
            holder = self._entry_nodes.get(unbounded if where is None else TreeEntry("boundary", where))
            if holder is None:
                return False
            for child in list(holder.children):
                if child.data is not None and child.data.kind == "component":
                    child._remove()
                    self._entry_nodes.pop(child.data, None)
            for position, component_id in enumerate(members[where]):
                self._add_component(holder, model, component_id, before=position)
        self._invalidate()
        self._keep_cursor_on(before)
        return True

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
            label = self._boundary_label(model, boundary_id, parent)
            expand = boundary_id not in self._folded
            entry = TreeEntry("boundary", boundary_id)
            node = parent.add(label, data=entry, expand=expand)
            self._entry_nodes[entry] = node
            for component_id in members.get(boundary_id, []):
                self._add_component(node, model, component_id)
            if depth < _MAX_DEPTH:
                below, below_depth = node, depth + 1
            else:
                below, below_depth = parent, depth
            nested = reversed(children.get(boundary_id, []))
            stack.extend((below, child_id, below_depth) for child_id in nested)

    @staticmethod
    def _boundary_label(model: ThreatModel, boundary_id: str, parent: TreeNode[TreeEntry] | None) -> Text:
        boundary = model.boundaries[boundary_id]
        label = safe_text(boundary.name or boundary_id, limit=_LABEL_LIMIT, style="bold")
        if boundary.name:
            label.append(" ")
            label.append_text(safe_text(boundary_id, style="dim"))
        if parent is not None and parent.data is not None and parent.data.element_id != boundary.parent:
            label.append_text(safe_text(f" (in {boundary.parent})", style="dim italic"))
        return label

    def _add_component(
        self, parent: TreeNode[TreeEntry], model: ThreatModel, component_id: str, before: int | None = None
    ) -> None:
        entry = TreeEntry("component", component_id)
        self._entry_nodes[entry] = parent.add_leaf(_component_label(model, component_id), data=entry, before=before)

    def process_label(self, label: str | Text) -> Text:
        # Tree keeps a label's first line (splitting every label); the labels made here are one
        # line already (names are one line, ids have no spaces)
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def get_label_width(self, node: TreeNode[TreeEntry]) -> int:
        # The tree measures every line whenever it changes; Tree's own way renders each label.
        # This is what `render_label` gives: the label after an expand icon where there is one.
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        return cell_len(icon) + node.label.cell_len if isinstance(node.label, Text) else super().get_label_width(node)

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


def _inside(model: ThreatModel, boundary_id: str | None) -> str | None:
    """The boundary a component with ``boundary`` hangs under (None: outside any boundary)."""
    return boundary_id if boundary_id in model.boundaries else None


def _component_label(model: ThreatModel, component_id: str) -> Text:
    component = model.components[component_id]
    label = safe_text(component.name or component_id, limit=_LABEL_LIMIT)
    if component.name:
        label.append(" ")
        label.append_text(safe_text(component_id, style="dim"))
    return label


def _nothing() -> None:
    """Stands in for `Tree._invalidate` while the tree is filled."""
