"""The data-flow diagram as Graphviz DOT, in pydot's layout and quoting.

DFD conventions (DESIGN §6): external entity = box, process = ellipse, data store = cylinder,
trust boundary = dashed red cluster (nested for nested boundaries), flows = labelled edges,
boundary-crossing flows drawn bold red, out-of-scope elements dashed, fill colour = worst open
finding. User text never becomes DOT syntax: node ids are generated (``n0``, ``c0``), labels are
HTML-like labels built from escaped text, and tooltips are quoted strings with every backslash
and quote escaped (pydot passes quoted and ``<…>`` values through verbatim).

The text is written here, statement by statement, exactly as ``pydot.Dot.to_string`` writes the
same graph (one statement a line, a graph's attributes, then its children in the order they were
added), and every other value and id is quoted by pydot's own functions: building pydot objects
only to print them spent most of the time in pydot's per-character quoting checks of labels and
tooltips that are quoted already (a third of a second at 1,000 components).
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass

import pydot

from stride_tui.core.analysis.engine import Analysis, flow_display_name
from stride_tui.core.model.elements import SEVERITIES, ThreatModel
from stride_tui.core.model.topology import Topology, boundary_chain
from stride_tui.core.text_safety import REPLACEMENT_CHARACTER, replace_controls, show_invisible

SHAPES = {"external_entity": "box", "process": "ellipse", "data_store": "cylinder"}
SEVERITY_FILL = {"critical": "#f1948a", "high": "#f8c471", "medium": "#f7dc6f", "low": "#aed6f1"}
NO_FINDING_FILL = "#ffffff"
CROSSING_COLOR = "#c0392b"
BOUNDARY_COLOR = "#c0392b"
FLOW_COLOR = "#566573"
MAX_LABEL = 120
NEWRANK_FROM = 150
MAX_TOOLTIP = 500


def html_label(*lines: str, bold_first: bool = False, small_rest: bool = True) -> str:
    """An HTML-like DOT label: each line escaped (HTML entities, and backslashes doubled so
    Graphviz escString sequences such as ``\\N`` stay literal; checked against dot 2.43)."""
    parts = []
    for i, line in enumerate(lines):
        text = show_invisible(replace_controls(line, REPLACEMENT_CHARACTER))
        if len(text) > MAX_LABEL:
            text = text[: MAX_LABEL - 1] + "…"
        escaped = html.escape(text, quote=True).replace("\\", "\\\\").replace("\n", "<BR/>")
        if i == 0 and bold_first:
            escaped = f"<B>{escaped}</B>"
        elif i > 0 and small_rest:
            escaped = f'<FONT POINT-SIZE="9">{escaped}</FONT>'
        parts.append(escaped)
    return "<" + "<BR/>".join(parts) + ">"


def quoted(text: str, limit: int = MAX_TOOLTIP) -> str:
    """A DOT double-quoted string whose content is exactly ``text`` (escString-safe)."""
    text = show_invisible(replace_controls(text, REPLACEMENT_CHARACTER))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    # the DOT parser and then escString expansion each halve backslashes: quadruple them
    body = text.replace("\\", "\\" * 4).replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"'


@dataclass(frozen=True)
class DiagramOptions:
    """How to draw: layout direction, one boundary only, colouring by findings, legend."""

    direction: str = "TB"
    boundary: str | None = None
    color_by_findings: bool = True
    legend: bool = True


def worst_open_severity(analysis: Analysis | None) -> dict[str, str]:
    """Element id → the highest severity among its findings that are still open."""
    worst: dict[str, str] = {}
    if analysis is None:
        return worst
    for finding in analysis.findings:
        if finding.status != "open":
            continue
        current = worst.get(finding.element_id)
        if current is None or SEVERITIES.index(finding.severity) > SEVERITIES.index(current):
            worst[finding.element_id] = finding.severity
    return worst


def build_dot(model: ThreatModel, analysis: Analysis | None = None, options: DiagramOptions = DiagramOptions()) -> str:
    """DOT text of the model's data-flow diagram; the same model gives the same bytes."""
    components, flows, boundaries = _selection(model, analysis, options.boundary)
    worst = worst_open_severity(analysis) if options.color_by_findings else {}

    layout = {"rankdir": options.direction}
    if len(components) >= NEWRANK_FROM:
        # Graphviz 2.43 fails on large nested clusters without it ("trouble in init_rank"); on
        # small models it lets clusters overlap, so it is only used where it is needed
        layout["newrank"] = "true"
    graph = _Graph(
        "digraph dfd",
        {
            **layout,
            "fontname": "Helvetica",
            "fontsize": "11",
            "labelloc": "t",
            "label": html_label(model.model.title, bold_first=True),
            "nodesep": "0.35",
            "ranksep": "0.6",
        },
    )
    graph.add_node(
        _id("node", ("graph", "node", "edge")),
        {"fontname": "Helvetica", "fontsize": "10", "style": "filled", "fillcolor": NO_FINDING_FILL},
    )
    graph.add_node(
        _id("edge", ("graph", "node", "edge")),
        {"fontname": "Helvetica", "fontsize": "8", "color": FLOW_COLOR, "fontcolor": FLOW_COLOR},
    )

    node_ids = {cid: _id(f"n{i}") for i, cid in enumerate(components)}
    cluster_of: dict[str | None, _Graph] = {None: graph}
    for index, bid in enumerate(boundaries):
        boundary = model.boundaries[bid]
        cluster = _cluster(
            f"b{index}",
            {
                "label": html_label(boundary.name or bid, bold_first=False),
                "style": "dashed",
                "color": BOUNDARY_COLOR,
                "fontcolor": BOUNDARY_COLOR,
                "penwidth": "1.4",
                "tooltip": quoted(boundary.description or boundary.name or bid),
            },
        )
        cluster_of[bid] = cluster
    for bid in boundaries:  # attach children to parents after all clusters exist
        parent = model.boundaries[bid].parent
        cluster_of[parent if parent in cluster_of else None].children.append(cluster_of[bid])

    for cid in components:
        component = model.components[cid]
        lines = [component.name or cid]
        if component.technology:
            lines.append(component.technology)
        attrs = {
            "shape": SHAPES[component.kind],
            "label": html_label(*lines, bold_first=False),
            "tooltip": quoted(component.description or component.name or cid),
        }
        severity = worst.get(cid)
        if severity:
            attrs["fillcolor"] = SEVERITY_FILL[severity]
        if component.out_of_scope:
            attrs["style"] = "filled,dashed"
            attrs["fillcolor"] = "#f2f3f4"
        if component.kind == "process":
            attrs["margin"] = "0.05"
        parent = component.boundary if component.boundary in cluster_of else None
        cluster_of[parent].add_node(node_ids[cid], attrs)

    crossing = (analysis.topology if analysis is not None else Topology(model)).crossings
    for fid in flows:
        flow = model.flows[fid]
        label_lines = [flow.name or flow.data or ""]
        if flow.protocol:
            label_lines.append(flow.protocol)
        label_lines = [line for line in label_lines if line]
        attrs = {"tooltip": quoted(flow.description or flow_display_name(model, fid))}
        if label_lines:
            attrs["label"] = html_label(*label_lines)
        crosses = bool(crossing[fid])
        if crosses:
            attrs.update(color=CROSSING_COLOR, fontcolor=CROSSING_COLOR, penwidth="2.0")
        if flow.out_of_scope:
            attrs["style"] = "dashed"
        graph.add_edge(node_ids[flow.source], node_ids[flow.target], attrs)

    if options.legend:
        graph.children.append(_legend(options.color_by_findings and analysis is not None))
    out: list[str] = []
    graph.write(out)
    return "".join(out)


class _Graph:
    """A graph or cluster, written as ``pydot.Dot.to_string`` writes one (no indentation)."""

    def __init__(self, head: str, attrs: dict[str, str]) -> None:
        self.head, self.attrs = head, attrs
        self.children: list[_Graph | str] = []
        """Statements and clusters in the order they were added (pydot's sequence)."""

    def add_node(self, node: str, attrs: dict[str, str]) -> None:
        """A node statement; ``node`` is its id as DOT text (`_id`)."""
        self.children.append(f"{node}{_attr_list(attrs)};")

    def add_edge(self, source: str, target: str, attrs: dict[str, str]) -> None:
        """An edge statement between two node ids as DOT text (`_id`)."""
        self.children.append(f"{source} -> {target}{_attr_list(attrs)};")

    def write(self, out: list[str]) -> None:
        out.append(f"{self.head} {{\n")
        out.extend(f"{key}={_value(value)};\n" for key, value in self.attrs.items())
        for child in self.children:
            if isinstance(child, str):
                out.append(child + "\n")
            else:
                child.write(out)
        out.append("}\n")


def _cluster(name: str, attrs: dict[str, str]) -> _Graph:
    return _Graph(f"subgraph {_id('cluster_' + name)}", attrs)


def _id(name: str, unquoted: tuple[str, ...] = ()) -> str:
    """A node or graph id as pydot writes it (ours are generated: ``n12``, ``cluster_b3``)."""
    return str(pydot.quote_id_if_necessary(name, unquoted))


def _attr_list(attrs: dict[str, str]) -> str:
    """`` [key=value, …]`` as pydot writes a node's or edge's attributes (nothing for none)."""
    if not attrs:
        return ""
    return " [" + ", ".join(f"{key}={_value(value)}" for key, value in attrs.items()) + "]"


def _value(value: str) -> str:
    """An attribute value as pydot quotes it. Labels and tooltips are ``<…>`` or ``"…"`` already,
    which pydot passes through unchanged (after scanning them character by character): they skip
    the scan; every other value goes through pydot's own rule."""
    if value == "":
        return '""'
    if len(value) >= 2 and (value[0], value[-1]) in _VERBATIM:
        return value
    return _quoted_token(value)


@functools.lru_cache(maxsize=1024)
def _quoted_token(value: str) -> str:
    # the other values are a few tokens (shapes, colours, widths) repeated on every element
    return str(pydot.quote_attr_if_necessary(value))


_VERBATIM = {("<", ">"), ('"', '"')}


def _selection(
    model: ThreatModel, analysis: Analysis | None, boundary: str | None
) -> tuple[list[str], list[str], list[str]]:
    """Components, flows and boundaries to draw, in model order."""
    if boundary is None:
        return list(model.components), list(model.flows), list(model.boundaries)
    inside = {bid for bid in model.boundaries if boundary in boundary_chain(model, bid)}
    members = {cid for cid, c in model.components.items() if c.boundary in inside}
    flows = [fid for fid, f in model.flows.items() if f.source in members or f.target in members]
    touched = members | {model.flows[f].source for f in flows} | {model.flows[f].target for f in flows}
    keep_boundaries = set(inside)
    for cid in touched:  # keep the frames of outside neighbours so crossings stay visible
        keep_boundaries.update(boundary_chain(model, model.components[cid].boundary))
    return (
        [cid for cid in model.components if cid in touched],
        flows,
        [bid for bid in model.boundaries if bid in keep_boundaries],
    )


def _legend(with_severity: bool) -> _Graph:
    rows = [
        ("box", "External entity"),
        ("ellipse", "Process"),
        ("cylinder", "Data store"),
    ]
    cells = "".join(
        f'<TR><TD ALIGN="LEFT">{shape}</TD><TD ALIGN="LEFT">{html.escape(text)}</TD></TR>' for shape, text in rows
    )
    cells += f'<TR><TD ALIGN="LEFT"><FONT COLOR="{CROSSING_COLOR}">bold red arrow</FONT></TD><TD ALIGN="LEFT">crosses a trust boundary</TD></TR>'
    cells += f'<TR><TD ALIGN="LEFT"><FONT COLOR="{BOUNDARY_COLOR}">dashed red frame</FONT></TD><TD ALIGN="LEFT">trust boundary</TD></TR>'
    cells += '<TR><TD ALIGN="LEFT">dashed</TD><TD ALIGN="LEFT">out of scope</TD></TR>'
    if with_severity:
        for severity in reversed(SEVERITIES):
            cells += f'<TR><TD BGCOLOR="{SEVERITY_FILL[severity]}"> </TD><TD ALIGN="LEFT">worst open finding: {severity}</TD></TR>'
    legend = _cluster("legend", {"label": "", "style": "invis"})
    legend.add_node(
        _id("legend"),
        {
            "shape": "plaintext",
            "style": "",
            "label": f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD COLSPAN="2"><B>Legend</B></TD></TR>{cells}</TABLE>>',
        },
    )
    return legend
