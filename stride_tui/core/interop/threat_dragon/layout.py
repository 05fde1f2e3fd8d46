"""A simple automatic layout for export: boxes per boundary, components in rows by kind.

Every boundary becomes a box sized to hold its components and its child boundaries; inside a
box (and at the top level) external entities come first, then processes, then data stores, a
few to a row, with child boxes in rows below. Top-level boxes sit side by side, left to right.
The same model always gets the same coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stride_tui.core.model.elements import ThreatModel

GAP_X, GAP_Y = 60, 70
PAD_X, PAD_TOP, PAD_BOTTOM = 30, 50, 30
MARGIN = 40
PER_ROW = 4
BOXES_PER_ROW = 3
MAX_TOP_ROW_WIDTH = 3000  # top-level boxes sit side by side until a row is this wide
KIND_ORDER = ("external_entity", "process", "data_store")


@dataclass
class Placement:
    x: float
    y: float
    width: float
    height: float


@dataclass
class Layout:
    nodes: dict[str, Placement] = field(default_factory=dict)  # component id -> placement
    boxes: dict[str, Placement] = field(default_factory=dict)  # boundary id -> placement
    depth: dict[str, int] = field(default_factory=dict)  # boundary id -> nesting depth (0 = top)


def node_size(kind: str, name: str) -> tuple[float, float]:
    """Roughly fits the name on one line (Threat Dragon does not wrap labels)."""
    length = len(name)
    if kind == "process":
        side = min(max(100, 7 * length + 30), 160)
        return side, side
    return min(max(160, 8 * length + 30), 300), 80


# (what, id, x, y, w, h) of a node or box inside its container; a measured box: (id, w, h, items)
_Item = tuple[str, str, float, float, float, float]
_Measured = tuple[str, float, float, list[_Item]]


def layout_model(model: ThreatModel) -> Layout:
    """Positions for every component and boundary of ``model``."""
    children: dict[str | None, list[str]] = {None: []}
    for bid, boundary in model.boundaries.items():
        children.setdefault(bid, [])
        parent = boundary.parent if boundary.parent in model.boundaries else None
        children.setdefault(parent, []).append(bid)
    members: dict[str | None, list[str]] = {}
    for cid, component in model.components.items():
        where = component.boundary if component.boundary in model.boundaries else None
        members.setdefault(where, []).append(cid)
    result = Layout()

    def measure(container: str | None, depth: int) -> tuple[float, float, list[_Item]]:
        """Size of a container and the relative placement of what it holds."""
        items: list[_Item] = []
        y = 0.0
        width = 0.0
        for kind in KIND_ORDER:
            of_kind = [c for c in members.get(container, []) if model.components[c].kind == kind]
            for start in range(0, len(of_kind), PER_ROW):
                row = of_kind[start : start + PER_ROW]
                sizes = [node_size(kind, model.components[c].name or c) for c in row]
                row_height = max(h for _, h in sizes)
                x = 0.0
                for cid, (w, h) in zip(row, sizes, strict=False):
                    items.append(("node", cid, x, y + (row_height - h) / 2, w, h))
                    x += w + GAP_X
                width = max(width, x - GAP_X)
                y += row_height + GAP_Y
        kids = children.get(container, [])
        measured_all: list[_Measured] = [(bid, *measure(bid, depth + 1)) for bid in kids]
        rows: list[list[_Measured]] = []
        for entry in measured_all:
            if rows:
                last = rows[-1]
                if container is not None:
                    full = len(last) >= BOXES_PER_ROW
                else:
                    full = sum(w + GAP_X for _, w, _, _ in last) + entry[1] > MAX_TOP_ROW_WIDTH
                if not full:
                    last.append(entry)
                    continue
            rows.append([entry])
        for measured in rows:
            row_height = max(h for _, _, h, _ in measured)
            x = 0.0
            for bid, w, h, inner in measured:
                items.append(("box", bid, x, y, w, h))
                items.extend(
                    (what, ident, x + PAD_X + ix, y + PAD_TOP + iy, iw, ih) for what, ident, ix, iy, iw, ih in inner
                )
                result.depth[bid] = depth
                x += w + GAP_X
            width = max(width, x - GAP_X)
            y += row_height + GAP_Y
        height = max(y - GAP_Y, 0.0)
        if container is not None:
            width = max(width + 2 * PAD_X, 200.0)
            height = max(height + PAD_TOP + PAD_BOTTOM, 120.0)
        return width, height, items

    _, _, items = measure(None, 0)
    for what, ident, x, y, w, h in items:
        placement = Placement(round(x + MARGIN, 1), round(y + MARGIN, 1), round(w, 1), round(h, 1))
        if what == "node":
            result.nodes[ident] = placement
        else:
            result.boxes[ident] = placement
    return result
