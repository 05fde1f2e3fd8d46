"""The data-flow diagram as a Mermaid flowchart, which GitHub and GitLab draw in Markdown.

The same conventions as the DOT diagram: external entity = rectangle, process = rounded box,
data store = cylinder, trust boundary = subgraph (nested as the model nests them), crossing
flows red and thicker, out-of-scope elements dashed, fill = worst open finding. Every element
also gets a class named after its kind, so ``import --from mermaid`` reads the kinds back.

User text never becomes Mermaid syntax: node ids are generated (``n0``, ``b0``), and every
label is a double-quoted string in which anything but letters, digits, spaces and plain
punctuation is written as a Mermaid entity (``#35;``), so quotes, brackets, pipes, ``%%``,
Markdown backticks and HTML cannot end the string, start a comment, a link or markup.
"""

from __future__ import annotations

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Topology

# the selection rules are the DOT diagram's: the same elements for the same --boundary
from stride_tui.core.outputs.dot import SEVERITY_FILL, DiagramOptions, _selection, worst_open_severity
from stride_tui.core.text_safety import REPLACEMENT_CHARACTER, replace_controls, show_invisible

MAX_LABEL = 120
CROSSING_STYLE = "stroke:#c0392b,stroke-width:2px,color:#c0392b"
_SAFE_PUNCTUATION = set(" .,:/()-_'+=?!@$*")
_SHAPES = {"external_entity": ('["', '"]'), "process": ('("', '")'), "data_store": ('[("', '")]')}
_KIND_STYLE = {
    "external_entity": "stroke:#1f2d3d,stroke-width:1px",
    "process": "stroke:#1f2d3d,stroke-width:1px",
    "data_store": "stroke:#1f2d3d,stroke-width:1px",
}
KIND_CLASSES = tuple(_SHAPES)
"""Class names that mark each node's kind (``class n0 external_entity``)."""


def label(text: str) -> str:
    """The content of a Mermaid ``"…"`` string that shows exactly ``text`` (entity-encoded)."""
    text = show_invisible(replace_controls(text, REPLACEMENT_CHARACTER)).replace("\n", " ")
    if len(text) > MAX_LABEL:
        text = text[: MAX_LABEL - 1] + "…"
    return "".join(ch if ch.isalnum() or ch in _SAFE_PUNCTUATION else f"#{ord(ch)};" for ch in text)


_DEFAULT_OPTIONS = DiagramOptions()


def build_mermaid(
    model: ThreatModel, analysis: Analysis | None = None, options: DiagramOptions = _DEFAULT_OPTIONS
) -> str:
    """Mermaid flowchart text of the model's data-flow diagram; same model, same bytes."""
    components, flows, boundaries = _selection(model, analysis, options.boundary)
    worst = worst_open_severity(analysis) if options.color_by_findings else {}
    node = {cid: f"n{i}" for i, cid in enumerate(components)}
    box = {bid: f"b{i}" for i, bid in enumerate(boundaries)}
    children: dict[str | None, list[str]] = {}
    for bid in boundaries:
        parent = model.boundaries[bid].parent
        children.setdefault(parent if parent in box else None, []).append(bid)
    members: dict[str | None, list[str]] = {}
    for cid in components:
        where = model.components[cid].boundary
        members.setdefault(where if where in box else None, []).append(cid)

    lines = [f"flowchart {options.direction}"]

    def node_line(cid: str, indent: str) -> str:
        component = model.components[cid]
        text = label(component.name or cid)
        if component.technology:
            text += "<br/>" + label(component.technology)
        start, end = _SHAPES[component.kind]
        return f"{indent}{node[cid]}{start}{text}{end}"

    def container(bid: str | None, depth: int) -> None:
        indent = "    " * depth
        for cid in members.get(bid, []):
            lines.append(node_line(cid, indent))
        for child in children.get(bid, []):
            boundary = model.boundaries[child]
            lines.append(f'{indent}subgraph {box[child]}["{label(boundary.name or child)}"]')
            container(child, depth + 1)
            lines.append(f"{indent}end")

    container(None, 1)

    crossing = (analysis.topology if analysis is not None else Topology(model)).crossings
    crossing_links: list[int] = []
    for index, fid in enumerate(flows):
        flow = model.flows[fid]
        text = " · ".join(label(part) for part in (flow.name or flow.data or "", flow.protocol or "") if part)
        arrow = "-.->" if flow.out_of_scope else "-->"
        link = f'{arrow}|"{text}"|' if text else arrow
        lines.append(f"    {node[flow.source]} {link} {node[flow.target]}")
        if crossing.get(fid):
            crossing_links.append(index)

    for kind in KIND_CLASSES:
        lines.append(f"    classDef {kind} {_KIND_STYLE[kind]}")
    for severity, fill in SEVERITY_FILL.items():
        lines.append(f"    classDef severity-{severity} fill:{fill}")
    lines.append("    classDef out-of-scope stroke-dasharray:5 5,fill:#f2f3f4")
    for kind in KIND_CLASSES:
        ids = [node[c] for c in components if model.components[c].kind == kind]
        if ids:
            lines.append(f"    class {','.join(ids)} {kind}")
    for severity in SEVERITY_FILL:
        ids = [node[c] for c in components if worst.get(c) == severity and not model.components[c].out_of_scope]
        if ids:
            lines.append(f"    class {','.join(ids)} severity-{severity}")
    out_of_scope = [node[c] for c in components if model.components[c].out_of_scope]
    if out_of_scope:
        lines.append(f"    class {','.join(out_of_scope)} out-of-scope")
    for bid in boundaries:
        lines.append(f"    style {box[bid]} stroke:#c0392b,stroke-dasharray:6 3,fill:none")
    if crossing_links:
        lines.append(f"    linkStyle {','.join(map(str, crossing_links))} {CROSSING_STYLE}")
    return "\n".join(lines) + "\n"
