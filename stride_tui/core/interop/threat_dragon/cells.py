"""Reading values out of Threat Dragon cells, trusting none of their types."""

from __future__ import annotations

import json
import math
from collections import Counter

from stride_tui.core.interop.threat_dragon.geometry import Point, Rect
from stride_tui.core.interop.threat_dragon.mapping import EMBED_KEY, THREAT_KEYS_DERIVED, THREAT_KEYS_READ
from stride_tui.core.interop.threat_dragon.text import as_text, short


def dict_of(value: dict, key: str) -> dict:
    """``value[key]`` when it is an object, else an empty one."""
    item = value.get(key)
    return item if isinstance(item, dict) else {}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def rect_of(cell: dict) -> Rect | None:
    """The cell's box from ``position`` and ``size``; None unless both are sound."""
    position, size = cell.get("position"), cell.get("size")
    if not isinstance(position, dict) or not isinstance(size, dict):
        return None
    x, y = _number(position.get("x")), _number(position.get("y"))
    w, h = _number(size.get("width")), _number(size.get("height"))
    if None in (x, y, w, h) or w <= 0 or h <= 0:  # type: ignore[operator]
        return None
    return Rect(x, y, w, h)  # type: ignore[arg-type]


def point_of(value: object) -> Point | None:
    """An ``{x, y}`` object as a point; None unless both are finite numbers."""
    if not isinstance(value, dict):
        return None
    x, y = _number(value.get("x")), _number(value.get("y"))
    return None if x is None or y is None else (x, y)


def vertices_of(cell: dict) -> list[Point] | None:
    """The bends of an edge; None when any of them is not a point."""
    vertices = cell.get("vertices", [])
    if not isinstance(vertices, list):
        return None
    points = [point_of(v) for v in vertices]
    return None if any(p is None for p in points) else points  # type: ignore[return-value]


def _attrs_text(attrs: dict, selectors: tuple[str, ...]) -> str:
    for selector in selectors:
        part = attrs.get(selector)
        if isinstance(part, dict) and as_text(part.get("text")).strip():
            return as_text(part["text"])
    return ""


def label_of(cell: dict) -> str:
    """The text a cell shows: ``data.name``, else its label in attrs or labels."""
    data = dict_of(cell, "data")
    if as_text(data.get("name")).strip():
        return as_text(data["name"])
    text = _attrs_text(dict_of(cell, "attrs"), ("text", "label", "headerText"))
    if text:
        return text
    labels = cell.get("labels")
    if isinstance(labels, list) and labels:
        first = labels[0]
        if isinstance(first, str):
            return first
        if isinstance(first, dict):
            return _attrs_text(dict_of(first, "attrs"), ("labelText", "text", "label"))
    return ""


def embed_of(data: dict) -> dict | None:
    """Our own data that export wrote into a cell's data or a threat, if there is any."""
    value = data.get(EMBED_KEY)
    return value if isinstance(value, dict) else None


def embed_id_of(embed: dict) -> str | None:
    """The stride-tui id that export recorded in ``embed``."""
    return embed.get("id") if isinstance(embed.get("id"), str) else None


def embedded(data: dict) -> tuple[dict | None, dict, str | None]:
    """(our element as export wrote it, the Threat Dragon values export wrote, our id)."""
    embed = embed_of(data)
    if embed is None or not isinstance(embed.get("element"), dict):
        return None, {}, None
    return embed["element"], dict_of(embed, "written"), embed_id_of(embed)


def threat_title(threat: dict) -> str:
    """A threat's title, shortened for a message."""
    return short(as_text(threat.get("title")))


def threats_of(cell: dict, data: dict, unknown: Counter) -> list[dict]:
    """Threats from ``cell.data.threats`` (what the app writes) and ``cell.threats`` (the schema), once each."""
    out: list[dict] = []
    seen: set[str] = set()
    for source in (data.get("threats"), cell.get("threats")):
        if not isinstance(source, list):
            continue
        for threat in source:
            if not isinstance(threat, dict):
                continue
            ident = as_text(threat.get("id")) or as_text(threat.get("threatId"))
            key = ident or json.dumps([threat.get("title"), threat.get("type"), threat.get("description")], default=str)
            if key in seen:
                continue
            seen.add(key)
            for k in threat:
                if k not in THREAT_KEYS_READ and k not in THREAT_KEYS_DERIVED:
                    unknown[k] += 1
            out.append(threat)
    return out
