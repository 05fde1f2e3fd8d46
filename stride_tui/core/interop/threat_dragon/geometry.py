"""Plane geometry for Threat Dragon diagrams: boxes, polylines, crossings and sides.

Threat Dragon stores boundary membership as geometry: a node is inside a trust-boundary box
when its centre is (the rule Threat Dragon's own containment helper uses), and a data flow
crosses a trust-boundary curve when their polylines intersect. Curves are drawn smoothed by
the app; we use the polyline through their points, which is what the file stores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]
_EPS = 1e-9


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle: top-left corner and size."""

    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)

    @property
    def area(self) -> float:
        return self.width * self.height

    def contains_point(self, p: Point) -> bool:
        """Strictly inside (an edge is not inside), as Threat Dragon decides."""
        return self.x < p[0] < self.x + self.width and self.y < p[1] < self.y + self.height

    def contains_rect(self, other: Rect, tolerance: float = 0.0) -> bool:
        """``other`` lies within this rectangle (edges may touch), allowing ``tolerance`` px of overhang."""
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.x + other.width <= self.x + self.width + tolerance
            and other.y + other.height <= self.y + self.height + tolerance
        )

    def distance_to(self, p: Point) -> float:
        """0 inside, else the distance from ``p`` to the nearest edge."""
        dx = max(self.x - p[0], 0.0, p[0] - (self.x + self.width))
        dy = max(self.y - p[1], 0.0, p[1] - (self.y + self.height))
        return math.hypot(dx, dy)


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def segments_intersect(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """True when segment p1–p2 and segment q1–q2 share a point (touching counts)."""
    d1 = _orient(q1, q2, p1)
    d2 = _orient(q1, q2, p2)
    d3 = _orient(p1, p2, q1)
    d4 = _orient(p1, p2, q2)
    if ((d1 > _EPS and d2 < -_EPS) or (d1 < -_EPS and d2 > _EPS)) and (
        (d3 > _EPS and d4 < -_EPS) or (d3 < -_EPS and d4 > _EPS)
    ):
        return True

    def on_segment(a: Point, b: Point, c: Point) -> bool:
        return (
            min(a[0], b[0]) - _EPS <= c[0] <= max(a[0], b[0]) + _EPS
            and min(a[1], b[1]) - _EPS <= c[1] <= max(a[1], b[1]) + _EPS
        )

    return (
        (abs(d1) <= _EPS and on_segment(q1, q2, p1))
        or (abs(d2) <= _EPS and on_segment(q1, q2, p2))
        or (abs(d3) <= _EPS and on_segment(p1, p2, q1))
        or (abs(d4) <= _EPS and on_segment(p1, p2, q2))
    )


def crossing_count(path: list[Point], curve: list[Point]) -> int:
    """How many times ``path`` passes from one side of ``curve`` to the other.

    Each pair of segments that properly intersect counts once; a path that only touches the
    curve at a vertex is counted by the side test instead of twice.
    """
    count = 0
    for i in range(len(path) - 1):
        p1, p2 = path[i], path[i + 1]
        for j in range(len(curve) - 1):
            q1, q2 = curve[j], curve[j + 1]
            if not segments_intersect(p1, p2, q1, q2):
                continue
            # count a hit at the start of a curve segment only once (it is also the end of the previous one)
            if j > 0 and abs(_orient(p1, p2, q1)) <= _EPS:
                continue
            # likewise a hit at the start of a path segment
            if i > 0 and abs(_orient(q1, q2, p1)) <= _EPS:
                continue
            count += 1
    return count


def crosses(path: list[Point], curve: list[Point]) -> bool:
    """A flow crosses a curve when it passes it an odd number of times (it ends on the other side)."""
    return len(path) >= 2 and len(curve) >= 2 and crossing_count(path, curve) % 2 == 1


def side_of(p: Point, curve: list[Point]) -> int:
    """Which side of an open curve ``p`` lies on: +1 or -1 (0 only on the curve itself).

    The side is the sign of the cross product with the nearest segment of the curve; beyond an
    end of the curve, the end segment's line is extended. Near the curve this is exact; far
    away it is a reasonable guess, which callers refine with the flows that cross.
    """
    best: tuple[float, float] | None = None  # (distance, signed orientation)
    n = len(curve)
    for j in range(n - 1):
        a, b = curve[j], curve[j + 1]
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        if length2 <= _EPS:
            continue
        t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
        if (j == 0 and t < 0) or (j == n - 2 and t > 1):
            clamped = t  # extend the end segments
        else:
            clamped = min(1.0, max(0.0, t))
        cx, cy = a[0] + clamped * dx, a[1] + clamped * dy
        distance = math.hypot(p[0] - cx, p[1] - cy)
        orientation = _orient(a, b, p)
        if best is None or distance < best[0] - _EPS:
            best = (distance, orientation)
    if best is None or abs(best[1]) <= _EPS:
        return 0
    return 1 if best[1] > 0 else -1
