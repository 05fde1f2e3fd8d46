"""A team's Mermaid flowchart → our model: nodes become components, links flows, subgraphs
boundaries (nesting from subgraphs inside subgraphs). docs/mermaid.md has the whole mapping.

A flowchart says less than a data-flow diagram: the kind of a node comes from its class when
it has one of ours (``class n0 external_entity``, which ``render --format mermaid`` writes), else
from its shape (cylinder = data store; rectangle = external entity or process by its name), and
every guess is reported. What cannot be mapped (links to a subgraph, undirected links, lines
that cannot be read) is reported, one message each, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import MAX_FILE_BYTES
from stride_tui.core.interop.mermaid.parse import Chart, NotAFlowchart, parse
from stride_tui.core.interop.threat_dragon.import_model import validate_imported
from stride_tui.core.interop.threat_dragon.text import clean_line, clean_text, short
from stride_tui.core.model.elements import FORMAT_VERSION, ThreatModel
from stride_tui.core.model.ids import unique_id
from stride_tui.core.outputs.mermaid import KIND_CLASSES

STORE_SHAPES = {"cylinder"}
PROCESS_SHAPES = {"rounded", "circle", "double-circle", "stadium", "subroutine", "hexagon", "rhombus"}
_ENTITY_WORDS = re.compile(
    r"\b(user|users|customer|customers|client|browser|admin|administrator|operator|partner|"
    r"third[- ]party|external|actor|person|people|visitor|mobile app|device|provider|psp|idp)\b",
    re.IGNORECASE,
)
_STORE_WORDS = re.compile(
    r"\b(db|database|datastore|data store|store|storage|queue|topic|bucket|cache|redis|postgres|"
    r"postgresql|mysql|mongo|mongodb|dynamodb|kafka|s3|blob|table|log|logs|warehouse|ledger)\b",
    re.IGNORECASE,
)
_PROTOCOLS = {
    "http",
    "https",
    "grpc",
    "grpcs",
    "amqp",
    "amqps",
    "mqtt",
    "kafka",
    "tcp",
    "tls",
    "mtls",
    "sql",
    "jdbc",
    "smtp",
    "ssh",
    "sftp",
    "ws",
    "wss",
    "websocket",
    "graphql",
    "rest",
    "soap",
}


@dataclass
class MermaidImport:
    """The imported model and everything reported while importing."""

    model: ThreatModel
    warnings: list[str]
    counts: dict[str, int]


def import_mermaid(raw: bytes, file: str) -> MermaidImport:
    """Read a Mermaid flowchart (a ``.mmd`` file, or Markdown holding one ```mermaid block)."""
    if len(raw) > MAX_FILE_BYTES:
        raise ModelError([Diagnostic(file, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")])
    if not raw.strip():
        raise ModelError([Diagnostic(file, "file is empty; expected a Mermaid flowchart")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError([Diagnostic(file, f"invalid UTF-8 at byte {exc.start}")]) from None
    text, offset, blocks = _from_markdown(text)
    try:
        chart = parse(text)
    except NotAFlowchart as exc:
        line = None if exc.line is None else exc.line + offset
        raise ModelError([Diagnostic(file, str(exc), line)]) from None
    warnings: list[str] = []
    if blocks > 1:
        warnings.append(f"the file holds {blocks} mermaid blocks; only the first flowchart is imported")
    data = _model_data(chart, file, warnings, offset)
    model = validate_imported(data, file)
    counts = {"components": len(model.components), "flows": len(model.flows), "boundaries": len(model.boundaries)}
    return MermaidImport(model, warnings, counts)


_FENCE = re.compile(r"^(```|~~~)\s*mermaid\s*$", re.MULTILINE)


def _from_markdown(text: str) -> tuple[str, int, int]:
    """The first ```mermaid block of a Markdown file, its line offset and the number of blocks;
    the text itself when it has no such block."""
    blocks = list(_FENCE.finditer(text))
    if not blocks:
        return text, 0, 0
    first = blocks[0]
    start = first.end() + 1
    end = text.find("\n" + first.group(1), start)
    body = text[start:] if end < 0 else text[start : end + 1]
    return body, text.count("\n", 0, start), len(blocks)


def _model_data(chart: Chart, file: str, warnings: list[str], offset: int) -> dict:
    def at(message: str) -> str:
        # line numbers in the messages are the file's, also inside a Markdown file
        return re.sub(r"^line (\d+)", lambda m: f"line {int(m.group(1)) + offset}", message)

    warnings.extend(at(p) for p in chart.problems)
    if chart.skipped:
        counted = ", ".join(f"{n} {kind}" for kind, n in sorted(chart.skipped.items()))
        warnings.append(f"styling and interaction lines ignored (the model has no place for them): {counted}")
    taken: set[str] = set()
    boundaries: dict[str, dict] = {}
    boundary_id: dict[str, str] = {}
    for key, sub in chart.subgraphs.items():
        name = clean_line(sub.title)[0] or key
        bid = unique_id(name, taken, "boundary")
        taken.add(bid)
        boundary_id[key] = bid
    for key, sub in chart.subgraphs.items():
        body: dict = {"name": clean_line(sub.title)[0] or key}
        if sub.parent is not None:
            body["parent"] = boundary_id[sub.parent]
        boundaries[boundary_id[key]] = body

    components: dict[str, dict] = {}
    component_id: dict[str, str] = {}
    guessed: dict[str, list[str]] = {}
    for key, node in chart.nodes.items():
        if key in chart.subgraphs:
            continue  # a subgraph named in a link or a class line; reported with the link
        label = node.label if node.label is not None else key
        name_part, _, technology = label.partition("\n")
        name = clean_line(name_part)[0] or key
        cid = unique_id(name, taken, "component")
        taken.add(cid)
        component_id[key] = cid
        kind, how = _kind(node.shape, node.classes, name)
        if how:
            guessed.setdefault(how, []).append(name)
        body = {"kind": kind, "name": name}
        tech = clean_line(technology)[0]
        if tech:
            body["technology"] = tech
        if node.subgraph is not None:
            body["boundary"] = boundary_id[node.subgraph]
        components[cid] = body
    for how, names in guessed.items():
        listed = ", ".join(repr(short(n)) for n in names[:5]) + (
            f" and {len(names) - 5} more" if len(names) > 5 else ""
        )
        warnings.append(f"{how}: {listed}; check their `kind`")
    for key in chart.moved:
        if key in component_id:
            warnings.append(
                f"node `{short(key)}` is mentioned in more than one subgraph; it is put in the first "
                "(a component sits in one boundary)"
            )

    flows: dict[str, dict] = {}
    for link in chart.links:
        where = f"line {link.line + offset}"
        ends = [e for e in (link.source, link.target) if e in chart.subgraphs]
        if ends:
            warnings.append(
                f"{where}: link `{short(link.source)}` → `{short(link.target)}` touches subgraph "
                f"`{short(ends[0])}`; a flow joins two components, so it is skipped"
            )
            continue
        if link.invisible:
            warnings.append(f"{where}: invisible link `~~~` (layout only) skipped")
            continue
        source, target = link.source, link.target
        if link.reversed:
            source, target = target, source
        if source == target:
            warnings.append(f"{where}: link from `{short(source)}` to itself skipped")
            continue
        if not link.directed:
            warnings.append(
                f"{where}: link `{short(source)}` — `{short(target)}` has no arrow; imported as a flow from "
                f"`{short(source)}` to `{short(target)}`"
            )
        name, protocol = _flow_text(link.text)
        body = {"from": component_id[source], "to": component_id[target]}
        if name:
            body["name"] = name
        if protocol:
            body["protocol"] = protocol
        fid = unique_id(name or f"{body['from']}-to-{body['to']}", taken, "flow")
        taken.add(fid)
        flows[fid] = body
        if link.both:
            response = {"from": body["to"], "to": body["from"], "response_to": fid}
            if name:
                response["name"] = clean_line(f"{name} (response)")[0]
            rid = unique_id(f"{fid}-response", taken, "flow")
            taken.add(rid)
            flows[rid] = response
            warnings.append(f"{where}: two-way link imported as `{fid}` and its response `{rid}`")
    if not components:
        raise ModelError([Diagnostic(file, "the flowchart has no nodes: nothing to import")])
    meta: dict = {"title": _title(file)}
    description, _ = clean_text(f"Imported from the Mermaid flowchart {file}.")
    meta["description"] = description
    return {
        "stride_tui": FORMAT_VERSION,
        "model": meta,
        "boundaries": boundaries,
        "components": components,
        "flows": flows,
        "decisions": {},
        "threats": {},
    }


def _kind(shape: str | None, classes: list[str], name: str) -> tuple[str, str | None]:
    """The component kind, and how it was guessed (None when the chart said it)."""
    for cls in classes:
        normal = cls.replace("-", "_").lower()
        if normal in KIND_CLASSES:
            return normal, None
    if shape in STORE_SHAPES:
        return "data_store", None
    if shape in PROCESS_SHAPES:
        if _STORE_WORDS.search(name):
            return "data_store", "named like data stores, read as data stores (shape says process)"
        return "process", None
    # a rectangle (or no shape) is the DFD's external entity, but in most flowcharts it is
    # just a box: the name decides, and the guess is reported
    if _ENTITY_WORDS.search(name):
        return "external_entity", "boxes named like people or outside systems, read as external entities"
    if _STORE_WORDS.search(name):
        return "data_store", "boxes named like data stores, read as data stores"
    return "process", "boxes read as processes"


def _flow_text(text: str) -> tuple[str, str]:
    """A link's text as (name, protocol): ``Orders · https`` (how render writes it), or a lone
    protocol word (``https``) as the protocol."""
    one = clean_line(text)[0]
    if " · " in one:
        name, _, protocol = one.rpartition(" · ")
        return name.strip(), protocol.strip()
    if one.lower() in _PROTOCOLS:
        return "", one
    return one, ""


def _title(file: str) -> str:
    stem = Path(file).stem.replace("-", " ").replace("_", " ").strip()
    return clean_line(stem)[0] or "Imported flowchart"
