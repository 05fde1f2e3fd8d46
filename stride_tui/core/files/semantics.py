"""Checks that span tables: references resolve, ids are unique, boundaries form a forest.

They run on the raw parsed TOML, not on the validated model, so they still report when other
keys of the same file fail schema validation: one run shows every problem.
"""

from __future__ import annotations

from stride_tui.core.files.diagnostics import Diagnostic
from stride_tui.core.files.key_positions import SourceMap
from stride_tui.core.model.ids import is_id

MAX_BOUNDARY_DEPTH = 32


def _table(data: dict, section: str) -> dict:
    value = data.get(section)
    return value if isinstance(value, dict) else {}


def _ref(value: object) -> str | None:
    """A reference worth resolving: a well-formed id (schema errors already cover the rest)."""
    return value if isinstance(value, str) and is_id(value) else None


def check_references(data: dict, file: str, source_map: SourceMap) -> list[Diagnostic]:
    """Every cross-table problem of a parsed model file."""
    out: list[Diagnostic] = []

    def report(path: tuple[str, ...], message: str) -> None:
        line, col = source_map.position(path) or (None, None)
        out.append(Diagnostic(file, message, line, col, field=path))

    boundaries = _table(data, "boundaries")
    components = _table(data, "components")
    flows = _table(data, "flows")

    seen: dict[str, str] = {}
    for section, table in (("boundaries", boundaries), ("components", components), ("flows", flows)):
        for element_id in table:
            if element_id in seen:
                first = seen[element_id]
                line = (source_map.position((first, element_id)) or (None, None))[0]
                where = f" (line {line})" if line else ""
                report(
                    (section, element_id),
                    f"id `{element_id}` is used by both [{first}]{where} and [{section}]; "
                    "ids must be unique across boundaries, components and flows",
                )
            else:
                seen[element_id] = section

    for bid, boundary in boundaries.items():
        if isinstance(boundary, dict) and boundary.get("kind") == "internet" and boundary.get("internet") is False:
            report(
                ("boundaries", bid, "internet"),
                f'boundary `{bid}` has kind = "internet" but internet = false: remove one of them',
            )
        parent = _ref(boundary.get("parent")) if isinstance(boundary, dict) else None
        if parent is None:
            continue
        if parent == bid:
            report(("boundaries", bid, "parent"), f"boundary `{bid}` cannot be its own parent")
        elif parent not in boundaries:
            report(
                ("boundaries", bid, "parent"),
                f"`boundaries.{bid}.parent` names unknown boundary `{parent}`" + _known(boundaries),
            )
    cycles = _parent_cycles(boundaries)
    for cycle in cycles:
        path = " → ".join([*cycle, cycle[0]])
        report(("boundaries", cycle[0], "parent"), f"boundaries nest in a cycle: {path}")
    if not cycles:
        for bid, depth in _too_deep_boundaries(boundaries):
            report(
                ("boundaries", bid, "parent"),
                f"boundary `{bid}` is nested {depth} levels deep; at most {MAX_BOUNDARY_DEPTH} are allowed",
            )

    for cid, component in components.items():
        if not isinstance(component, dict):
            continue
        boundary = _ref(component.get("boundary"))
        if boundary is not None and boundary not in boundaries:
            report(
                ("components", cid, "boundary"),
                f"`components.{cid}.boundary` names unknown boundary `{boundary}`" + _known(boundaries),
            )

    for fid, flow in flows.items():
        if not isinstance(flow, dict):
            continue
        for key in ("from", "to"):
            end = _ref(flow.get(key))
            if end is not None and end not in components:
                report(
                    ("flows", fid, key),
                    f"`flows.{fid}.{key}` names unknown component `{end}`" + _known(components),
                )
        if flow.get("from") is not None and flow.get("from") == flow.get("to"):
            report(("flows", fid, "to"), f"flow `{fid}` goes from `{flow['to']}` to itself")
        request_id = _ref(flow.get("response_to"))
        if request_id is not None:
            problem = _response_problem(fid, flow, request_id, flows)
            if problem:
                report(("flows", fid, "response_to"), problem)

    for tid, threat in _table(data, "threats").items():
        target = _ref(threat.get("target")) if isinstance(threat, dict) else None
        if target is not None and target not in components and target not in flows:
            report(
                ("threats", tid, "target"),
                f"`threats.{tid}.target` names `{target}`, which is no component or flow",
            )
    return out


def _response_problem(fid: str, flow: dict, request_id: str, flows: dict) -> str | None:
    """Why ``flow`` cannot answer ``request_id``: it must name another flow, going the other way,
    that is itself a request."""
    request = flows.get(request_id)
    if request_id == fid:
        return f"flow `{fid}` cannot be the response to itself"
    if not isinstance(request, dict):
        return f"`flows.{fid}.response_to` names unknown flow `{request_id}`" + _known(flows)
    if (request.get("from"), request.get("to")) != (flow.get("to"), flow.get("from")):
        return (
            f"flow `{fid}` ({flow.get('from')} → {flow.get('to')}) cannot answer `{request_id}` "
            f"({request.get('from')} → {request.get('to')}): a response goes back the other way"
        )
    if request.get("response_to") is not None:
        return f"flow `{fid}` answers `{request_id}`, which is itself a response; answer the request"
    return None


def _too_deep_boundaries(boundaries: dict) -> list[tuple[str, int]]:
    """The first boundary found beyond the depth limit (one report is enough to act on)."""
    depth: dict[str, int] = {}
    for start in boundaries:
        pending = []
        node = start
        while isinstance(node, str) and node in boundaries and node not in depth and node not in pending:
            pending.append(node)
            parent = boundaries[node].get("parent") if isinstance(boundaries[node], dict) else None
            node = parent if isinstance(parent, str) else None
        level = depth.get(node, 0) if isinstance(node, str) else 0
        for bid in reversed(pending):
            level += 1
            depth[bid] = level
            if level > MAX_BOUNDARY_DEPTH:
                return [(bid, level)]
    return []


def _parent_cycles(boundaries: dict) -> list[list[str]]:
    """Each cycle of ``parent`` links once, starting from its first boundary in file order."""
    parent_of = {
        bid: b.get("parent")
        for bid, b in boundaries.items()
        if isinstance(b, dict) and isinstance(b.get("parent"), str) and b.get("parent") != bid
    }
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in boundaries:
        path: list[str] = []
        node = start
        while node in parent_of and node not in done and node not in path:
            path.append(node)
            node = parent_of[node]
        if node in path:
            cycle = path[path.index(node) :]
            first = min(cycle, key=list(boundaries).index)
            i = cycle.index(first)
            cycles.append(cycle[i:] + cycle[:i])
        done.update(path)
    return cycles


def _known(table: dict) -> str:
    names = list(table)
    if not names:
        return " (none are defined)"
    shown = ", ".join(f"`{n}`" for n in names[:8])
    return f" (known: {shown}{', …' if len(names) > 8 else ''})"
