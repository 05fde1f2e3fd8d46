"""The data-flow diagram drawn with box-drawing characters, for the editor's diagram view.

Layout comes from Graphviz when it is installed (``dot -Tplain``: node ranks and horizontal
order) and from a simple layered layout otherwise (longest-path ranks, barycentre ordering).
Drawing is ours: boxes per element (square = external entity, rounded = process, double lines
= data store, dashed = out of scope), dashed frames for trust boundaries around their members,
orthogonal arrows for flows. A frame holds only its boundary's members: when the layout's own
positions would put another box inside one, every boundary gets a band of columns of its own.
Every cell carries a *tag* (``"frame"``, ``"crossing"``…) so the
widget can style it without this module knowing about terminals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Topology
from stride_tui.core.outputs.dot import DiagramOptions, build_dot, worst_open_severity
from stride_tui.core.outputs.graphviz import RenderError, run_dot
from stride_tui.core.text_safety import replace_controls, show_invisible

BOX_HEIGHT = 4  # top border, name, technology, bottom border
RANK_GAP = 5  # rows between ranks, room for edge channels
COLUMN_GAP = 4
MAX_LABEL = 22
COLUMNS_PER_INCH = 11.0

_BORDERS = {  # top-left, top-right, bottom-left, bottom-right, horizontal, vertical
    "external_entity": "┌┐└┘─│",
    "process": "╭╮╰╯─│",
    "data_store": "╒╕╘╛═│",
    "out_of_scope": "┌┐└┘┄┆",
}


@dataclass
class Box:
    """Where one component is drawn."""

    id: str
    row: int
    col: int
    width: int
    height: int = BOX_HEIGHT

    @property
    def center(self) -> int:
        return self.col + self.width // 2


@dataclass
class TextDiagram:
    """A drawn diagram: lines of text and, per cell, a style tag (or None)."""

    lines: list[str]
    tags: list[list[str | None]]
    boxes: dict[str, Box] = field(default_factory=dict)
    layout_source: str = "layered"
    frames: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    """Each drawn boundary frame: top row, left column, bottom row, right column (its borders)."""

    @property
    def width(self) -> int:
        return max((len(line) for line in self.lines), default=0)

    @property
    def height(self) -> int:
        return len(self.lines)

    def runs(self, row: int) -> list[tuple[str, str | None]]:
        """The row as (text, tag) runs, for styling."""
        line, tags = self.lines[row], self.tags[row]
        runs: list[tuple[str, str | None]] = []
        start = 0
        for i in range(1, len(line) + 1):
            if i == len(line) or tags[i] != tags[start]:
                runs.append((line[start:i], tags[start]))
                start = i
        return runs


def clean(text: str, limit: int = MAX_LABEL) -> str:
    """One line of user text, at most ``limit`` characters: no control character, and each bidi
    or zero-width one shown as ``<U+202E>`` (as the panes show it) instead of being obeyed."""
    text = show_invisible(replace_controls(text, " ", one_line=True)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def graphviz_ranks(model: ThreatModel, timeout: float = 5.0) -> dict[str, tuple[int, float]] | None:
    """Rank and horizontal position of each component from ``dot -Tplain``; None if unavailable."""
    ids = list(model.components)
    if not ids:
        return {}
    dot_source = build_dot(model, None, DiagramOptions(color_by_findings=False, legend=False))
    try:
        plain = run_dot(dot_source, "plain", timeout=timeout).decode("utf-8", "replace")
    except RenderError:
        return None
    positions: dict[str, tuple[float, float]] = {}
    ratios = [COLUMNS_PER_INCH]
    for line in plain.splitlines():
        parts = line.split(" ")
        if parts[0] == "node" and len(parts) > 4 and parts[1].startswith("n"):
            index = parts[1][1:]
            if index.isdigit() and int(index) < len(ids):
                cid = ids[int(index)]
                x, y, width = float(parts[2]), float(parts[3]), float(parts[4])
                positions[cid] = (x, y)
                if width > 0:
                    ratios.append((_box_width(model, cid) + COLUMN_GAP) / width)
    if len(positions) != len(ids):
        return None
    # columns per inch so that a typical box is as wide as dot's node: dot's spacing (which keeps
    # boundary frames apart) mostly survives the move to a text grid; packing fixes the rest
    scale = sorted(ratios)[len(ratios) // 2]
    ys = sorted({round(y, 2) for _, y in positions.values()}, reverse=True)  # top rank first
    rank_of = {y: i for i, y in enumerate(ys)}
    return {cid: (rank_of[round(y, 2)], x * scale / COLUMNS_PER_INCH) for cid, (x, y) in positions.items()}


def _box_width(model: ThreatModel, cid: str) -> int:
    component = model.components[cid]
    return max(len(clean(component.name or cid)), len(clean(component.technology or component.kind))) + 4


def layered_ranks(model: ThreatModel) -> dict[str, tuple[int, float]]:
    """A layout without Graphviz: longest-path ranks over flows, then barycentre ordering."""
    ids = list(model.components)
    successors: dict[str, list[str]] = {cid: [] for cid in ids}
    for flow in model.flows.values():
        if flow.source in successors and flow.target in successors:
            successors[flow.source].append(flow.target)
    # break cycles with a depth-first search: back edges are ignored for ranking
    state: dict[str, int] = {}
    order: list[str] = []
    forward: dict[str, list[str]] = {cid: [] for cid in ids}
    for root in ids:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                order.append(node)
                stack.pop()
            elif state.get(child) is None:
                forward[node].append(child)
                state[child] = 1
                stack.append((child, iter(successors[child])))
            elif state[child] == 2:
                forward[node].append(child)
    rank: dict[str, int] = dict.fromkeys(ids, 0)
    for node in reversed(order):  # topological order of the acyclic part
        for child in forward[node]:
            rank[child] = max(rank[child], rank[node] + 1)
    layers: dict[int, list[str]] = {}
    for cid in ids:
        layers.setdefault(rank[cid], []).append(cid)
    position = {cid: float(i) for layer in layers.values() for i, cid in enumerate(layer)}
    predecessors: dict[str, list[str]] = {cid: [] for cid in ids}
    for node, targets in successors.items():
        for child in targets:
            predecessors[child].append(node)
    chain = Topology(model).component_chain
    for _ in range(2):  # barycentre passes; keep members of one boundary together
        for r in sorted(layers):
            layer = layers[r]

            def key(cid: str) -> tuple:
                near = [position[p] for p in predecessors[cid] + successors[cid]]
                return (tuple(reversed(chain[cid])), sum(near) / len(near) if near else position[cid])

            layer.sort(key=key)
            for i, cid in enumerate(layer):
                position[cid] = float(i)
    return {cid: (rank[cid], position[cid] * 2.5) for cid in ids}


def draw(
    model: ThreatModel,
    analysis: Analysis | None = None,
    selected_boundary: str | None = None,
    ranks: dict[str, tuple[int, float]] | None = None,
) -> TextDiagram:
    """Draw ``model``; pass ``ranks`` from :func:`graphviz_ranks` to use Graphviz's layout."""
    source = "graphviz"
    if ranks is None:
        ranks, source = layered_ranks(model), "layered"
    topology = analysis.topology if analysis is not None else Topology(model)
    worst = worst_open_severity(analysis)
    boxes = _place(model, ranks, topology)
    frames = _frames(model, boxes, topology)
    if not frames_fit(boxes, frames, topology):
        # the free placement put a box inside a frame it does not belong to (or two frames
        # overlap): give every boundary a band of columns of its own, which cannot
        boxes = _place_in_bands(model, ranks, topology)
        frames = _frames(model, boxes, topology)
    height = max([b.row + b.height for b in boxes.values()] + [f[1] + f[3] for f in frames.values()] + [0]) + 2
    width = max([b.col + b.width for b in boxes.values()] + [f[2] + f[4] for f in frames.values()] + [0]) + 2
    canvas = _Canvas(width, height)
    selected_chain = set()
    if selected_boundary is not None:
        selected_chain = {bid for bid in model.boundaries if selected_boundary in topology.chains.get(bid, ())}
    ordered_frames = sorted(frames.items(), key=lambda item: item[1][0])  # outer frames first
    frame_tag = {bid: "selected-frame" if bid == selected_boundary else "frame" for bid in frames}
    for bid, (_, row, col, h, w) in ordered_frames:
        canvas.frame(row, col, h, w, frame_tag[bid])
    for index, (fid, flow) in enumerate(model.flows.items()):
        a, b = boxes.get(flow.source), boxes.get(flow.target)
        if a is None or b is None:
            continue
        crossings = topology.crossings.get(fid, ())
        if selected_boundary is not None and any(c.boundary == selected_boundary for c in crossings):
            tag = "selected-crossing"
        elif crossings:
            tag = "crossing"
        else:
            tag = "flow"
        canvas.edge(a, b, index, tag, dashed=bool(flow.out_of_scope))
    for cid, box in boxes.items():
        component = model.components[cid]
        kind = "out_of_scope" if component.out_of_scope else component.kind
        severity = worst.get(cid)
        tag = f"node-{severity}" if severity else "node"
        if (
            selected_boundary is not None
            and topology.component_chain[cid]
            and selected_chain & set(topology.component_chain[cid])
        ):
            tag += " selected"
        canvas.box(
            box,
            _BORDERS[kind],
            clean(component.name or cid, box.width - 4),
            clean(component.technology or component.kind.replace("_", " "), box.width - 4),
            tag,
        )
    for bid, (_, row, col, _, w) in ordered_frames:  # titles last, so no line crosses them
        canvas.text(row, col + 2, f" {clean(model.boundaries[bid].name or bid, w - 4)} ", frame_tag[bid])
    lines, tags = canvas.result()
    drawn = {bid: (row, col, row + h, col + w) for bid, (_, row, col, h, w) in frames.items()}
    return TextDiagram(lines, tags, boxes, source, drawn)


def _place(model: ThreatModel, ranks: dict[str, tuple[int, float]], topology: Topology) -> dict[str, Box]:
    """Boxes on a grid: one row band per rank, packed left to right without overlap."""
    depth = {cid: len(chain) for cid, chain in topology.component_chain.items()}
    max_depth = max(depth.values(), default=0)
    by_rank: dict[int, list[tuple[float, str]]] = {}
    for cid, (rank, x) in ranks.items():
        by_rank.setdefault(rank, []).append((x, cid))
    boxes: dict[str, Box] = {}
    top = 2 * max_depth + 1  # room above for the frames' borders and titles
    for rank in sorted(by_rank):
        row = top + rank * (BOX_HEIGHT + RANK_GAP + 2 * max_depth)
        next_col = 2 * max_depth + 1
        previous_chain: tuple[str, ...] = ()
        for x, cid in sorted(by_rank[rank]):
            width = _box_width(model, cid)
            chain = topology.component_chain[cid]
            # leave room for the frames that close and open between two neighbours
            changed = len(set(chain) ^ set(previous_chain))
            col = max(int(x * COLUMNS_PER_INCH), next_col + COLUMN_GAP + 2 * changed)
            boxes[cid] = Box(cid, row, col, width)
            next_col = col + width
            previous_chain = chain
    return boxes


def _margin_below(model: ThreatModel, topology: Topology) -> dict[str, int]:
    """How many frame levels nest inside each boundary (its frame keeps that much room)."""
    below = dict.fromkeys(model.boundaries, 0)
    for boundary, chain in topology.chains.items():
        if boundary is None:
            continue
        for depth, ancestor in enumerate(chain):
            if ancestor in below:
                below[ancestor] = max(below[ancestor], depth)
    return below


def _place_in_bands(model: ThreatModel, ranks: dict[str, tuple[int, float]], topology: Topology) -> dict[str, Box]:
    """Boxes in nested bands of columns: each boundary owns a band of columns over the ranks its
    members span, holding only its members and its inner boundaries' bands, so its frame
    encloses nothing else. Bands whose ranks do not overlap share columns (one above the other:
    frames of different ranks never touch), so a deep model does not grow ever wider.

    The order of the bands (and of boxes in a band) follows the layout's horizontal positions.
    """
    depth = max((len(chain) for chain in topology.component_chain.values()), default=0)
    below = _margin_below(model, topology)
    children: dict[str | None, list[str]] = {}
    for bid in model.boundaries:
        chain = topology.chains.get(bid, ())
        children.setdefault(chain[1] if len(chain) > 1 else None, []).append(bid)
    direct: dict[str | None, list[str]] = {}
    for cid in ranks:
        chain = topology.component_chain[cid]
        direct.setdefault(chain[0] if chain else None, []).append(cid)
    xs: dict[str | None, list[float]] = {}
    spans: dict[str | None, tuple[int, int]] = {}
    for cid, (rank, x) in ranks.items():
        zones: tuple[str | None, ...] = (*topology.component_chain[cid], None)
        for zone in zones:
            xs.setdefault(zone, []).append(x)
            low, high = spans.get(zone, (rank, rank))
            spans[zone] = (min(low, rank), max(high, rank))
    widths = {cid: _box_width(model, cid) for cid in ranks}

    # a part of a band: its own members (key ``("own", bid)``) or an inner boundary's band
    Part = tuple[str, str | None]

    def pad(bid: str | None) -> int:
        return 2 * (1 + below[bid]) if bid is not None else 0

    def parts(bid: str | None) -> list[Part]:
        found: list[tuple[float, int, Part]] = []
        if bid in direct:
            cids = direct[bid]
            found.append((sum(ranks[c][1] for c in cids) / len(cids), 0, ("own", bid)))
        for i, child in enumerate(children.get(bid, [])):
            if child in xs:
                found.append((sum(xs[child]) / len(xs[child]), i + 1, ("band", child)))
        return [part for _, _, part in sorted(found, key=lambda item: (item[0], item[1]))]

    def own_span(bid: str | None) -> tuple[int, int]:
        rows = [ranks[c][0] for c in direct[bid]]
        return min(rows), max(rows)

    def own_width(bid: str | None) -> int:
        per_rank: dict[int, int] = {}
        for cid in direct[bid]:
            rank = ranks[cid][0]
            per_rank[rank] = per_rank.get(rank, -COLUMN_GAP) + widths[cid] + COLUMN_GAP
        return max(per_rank.values())

    # lanes: columns shared by parts whose ranks do not overlap; (width, parts with their spans)
    lanes_of: dict[str | None, list[tuple[int, list[tuple[Part, tuple[int, int]]]]]] = {}
    band_width: dict[str | None, int] = {}

    def measure(bid: str | None) -> int:
        lanes: list[tuple[int, list[tuple[Part, tuple[int, int]]]]] = []
        for part in parts(bid):
            kind, key = part
            width = own_width(key) if kind == "own" else measure(key)
            span = own_span(key) if kind == "own" else spans[key]
            for i, (lane_width, placed) in enumerate(lanes):
                if all(span[1] < s[0] or s[1] < span[0] for _, s in placed):
                    lanes[i] = (max(lane_width, width), [*placed, (part, span)])
                    break
            else:
                lanes.append((width, [(part, span)]))
        lanes_of[bid] = lanes
        inner = sum(w for w, _ in lanes) + COLUMN_GAP * max(len(lanes) - 1, 0)
        band_width[bid] = inner + 2 * pad(bid)
        return band_width[bid]

    boxes: dict[str, Box] = {}
    top = 2 * depth + 1  # room above for the frames' borders and titles

    def place(bid: str | None, start: int) -> None:
        col = start + pad(bid)
        for lane_width, placed in lanes_of[bid]:
            for (kind, key), _ in placed:
                if kind == "band":
                    place(key, col)
                    continue
                next_col: dict[int, int] = {}
                for cid in sorted(direct[key], key=lambda c: (ranks[c][1], c)):
                    rank = ranks[cid][0]
                    at = next_col.get(rank, col)
                    boxes[cid] = Box(cid, top + rank * (BOX_HEIGHT + RANK_GAP + 2 * depth), at, widths[cid])
                    next_col[rank] = at + widths[cid] + COLUMN_GAP
            col += lane_width + COLUMN_GAP

    measure(None)
    place(None, COLUMN_GAP)
    return boxes


def frames_fit(boxes: dict[str, Box], frames: dict[str, tuple[int, int, int, int, int]], topology: Topology) -> bool:
    """Whether every frame holds exactly its members: no other box touches it, and two frames
    either nest (the inner one strictly inside) or stay apart."""

    def rect(frame: tuple[int, int, int, int, int]) -> tuple[int, int, int, int]:
        _, row, col, height, width = frame
        return row, col, row + height, col + width  # borders included

    def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
        return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]

    rects = {bid: rect(frame) for bid, frame in frames.items()}
    for cid, box in boxes.items():
        chain = set(topology.component_chain[cid])
        area = (box.row, box.col, box.row + box.height - 1, box.col + box.width - 1)
        for bid, r in rects.items():
            if bid not in chain and overlaps(area, r):
                return False
    ids = list(rects)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ra, rb = rects[a], rects[b]
            if a in topology.chains.get(b, ()):
                ra, rb = rb, ra  # ra: the inner one
            elif b not in topology.chains.get(a, ()):
                if overlaps(ra, rb):
                    return False
                continue
            if not (rb[0] < ra[0] and rb[1] < ra[1] and ra[2] < rb[2] and ra[3] < rb[3]):
                return False
    return True


def _frames(model: ThreatModel, boxes: dict[str, Box], topology: Topology) -> dict[str, tuple[int, int, int, int, int]]:
    """Each boundary's frame (depth, row, col, height, width) around its members and sub-frames."""
    members: dict[str, list[Box]] = {bid: [] for bid in model.boundaries}
    for cid, box in boxes.items():
        for bid in topology.component_chain[cid]:
            members[bid].append(box)
    levels = {bid: len(topology.chains.get(bid, ())) for bid in model.boundaries}
    below = _margin_below(model, topology)
    frames = {}
    for bid, inside in members.items():
        if not inside:
            continue
        margin = 1 + below[bid]
        row = min(b.row for b in inside) - margin - 1
        col = min(b.col for b in inside) - 2 * margin
        bottom = max(b.row + b.height for b in inside) + margin
        right = max(b.col + b.width for b in inside) + 2 * margin
        frames[bid] = (levels[bid], max(row, 0), max(col, 0), bottom - max(row, 0), right - max(col, 0))
    return frames


class _Canvas:
    """A character grid with a tag per cell; later drawing wins."""

    _JOIN: ClassVar[dict[frozenset[str], str]] = {frozenset("│─"): "┼", frozenset("│┄"): "┼", frozenset("┆─"): "┼"}

    def __init__(self, width: int, height: int) -> None:
        self.chars = [[" "] * width for _ in range(height)]
        self.tags: list[list[str | None]] = [[None] * width for _ in range(height)]

    def put(self, row: int, col: int, char: str, tag: str | None, merge: bool = False) -> None:
        if 0 <= row < len(self.chars) and 0 <= col < len(self.chars[0]):
            if merge:
                char = self._JOIN.get(frozenset((self.chars[row][col], char)), char)
            self.chars[row][col] = char
            self.tags[row][col] = tag

    def text(self, row: int, col: int, text: str, tag: str | None) -> None:
        for i, char in enumerate(text):
            self.put(row, col + i, char, tag)

    def frame(self, row: int, col: int, height: int, width: int, tag: str) -> None:
        bottom, right = row + height, col + width
        for c in range(col + 1, right):
            self.put(row, c, "┄", tag)
            self.put(bottom, c, "┄", tag)
        for r in range(row + 1, bottom):
            self.put(r, col, "┆", tag)
            self.put(r, right, "┆", tag)
        for r, c, char in ((row, col, "┌"), (row, right, "┐"), (bottom, col, "└"), (bottom, right, "┘")):
            self.put(r, c, char, tag)

    def box(self, box: Box, borders: str, name: str, detail: str, tag: str) -> None:
        tl, tr, bl, br, horizontal, vertical = tuple(borders)  # six characters
        right, bottom = box.col + box.width - 1, box.row + box.height - 1
        for r in range(box.row, bottom + 1):
            for c in range(box.col, right + 1):
                self.put(r, c, " ", tag)
        for c in range(box.col + 1, right):
            self.put(box.row, c, horizontal, tag)
            self.put(bottom, c, horizontal, tag)
        for r in range(box.row + 1, bottom):
            self.put(r, box.col, vertical, tag)
            self.put(r, right, vertical, tag)
        for r, c, char in ((box.row, box.col, tl), (box.row, right, tr), (bottom, box.col, bl), (bottom, right, br)):
            self.put(r, c, char, tag)
        self.text(box.row + 1, box.col + 2, name, tag)
        self.text(box.row + 2, box.col + 2, detail, tag + "-detail")

    def edge(self, a: Box, b: Box, index: int, tag: str, dashed: bool) -> None:
        vertical, horizontal = ("┆", "┄") if dashed else ("│", "─")
        lane = index % 3  # spread parallel channels over the gap between ranks
        if b.row > a.row:  # downwards: leave at the bottom, enter at the top
            start_row, end_row = a.row + a.height, b.row - 1
            channel = min(start_row + 1 + lane, end_row - 1)
            start_col, end_col, arrow = a.center + (lane - 1), b.center + (lane - 1), "▼"
        else:  # upwards or same rank: leave at the top, enter at the bottom
            start_row, end_row = a.row - 1, b.row + b.height
            channel = (min(a.row, b.row) - 2 - lane) if b.row == a.row else max(end_row + 1 + lane, 0)
            start_col, end_col, arrow = a.center + (lane - 1), b.center + (lane - 1), "▲"
        step = 1 if channel >= start_row else -1
        for r in range(start_row, channel, step):
            self.put(r, start_col, vertical, tag, merge=True)
        lo, hi = sorted((start_col, end_col))
        for c in range(lo, hi + 1):
            self.put(channel, c, horizontal, tag, merge=True)
        if start_col != end_col:
            self.put(channel, start_col, _corner(step > 0, end_col > start_col, first=True), tag)
            self.put(channel, end_col, _corner(end_row > channel, end_col > start_col, first=False), tag)
        step = 1 if end_row >= channel else -1
        for r in range(channel + step, end_row, step):
            self.put(r, end_col, vertical, tag, merge=True)
        self.put(end_row, end_col, arrow, tag)

    def result(self) -> tuple[list[str], list[list[str | None]]]:
        lines = ["".join(row).rstrip() for row in self.chars]
        tags = [row[: len(line)] for row, line in zip(self.tags, lines, strict=False)]
        while lines and not lines[-1]:
            lines.pop()
            tags.pop()
        return lines, tags


def _corner(coming_down: bool, going_right: bool, first: bool) -> str:
    """The corner where a vertical run meets the horizontal channel."""
    if first:  # vertical from the source ends here and turns sideways
        if coming_down:
            return "└" if going_right else "┘"
        return "┌" if going_right else "┐"
    # the horizontal run turns into the vertical towards the target
    if coming_down:
        return "┐" if going_right else "┌"
    return "┘" if going_right else "└"
