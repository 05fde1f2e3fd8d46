"""Reading a Mermaid flowchart: its nodes, links, subgraphs and classes, line by line.

A small reader for the part of Mermaid's flowchart grammar that a data-flow diagram uses: node
shapes, the usual links (with text in either place), chains (``A --> B --> C``), ``&`` groups,
nested ``subgraph … end``, ``class`` and ``:::class``, and ``%%`` comments. Styling lines
(``classDef``, ``style``, ``linkStyle``, ``click``, ``direction``) are skipped; anything else
it cannot read is kept as a message with its line number, never guessed at.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# node shapes: opener -> (closer, shape name), longest opener first
SHAPES = (
    ("(((", ")))", "double-circle"),
    ("((", "))", "circle"),
    ("([", "])", "stadium"),
    ("[[", "]]", "subroutine"),
    ("[(", ")]", "cylinder"),
    ("[/", "/]", "parallelogram"),
    ("[\\", "\\]", "parallelogram-alt"),
    ("[/", "\\]", "trapezoid"),
    ("[\\", "/]", "trapezoid-alt"),
    ("{{", "}}", "hexagon"),
    ("(", ")", "rounded"),
    ("[", "]", "rectangle"),
    ("{", "}", "rhombus"),
    (">", "]", "asymmetric"),
)
# an id may hold `-` or `.` between word characters, so `web-client-->api` is web-client → api
_ID = re.compile(r"[A-Za-z0-9_\u00c0-\uffff]+(?:[.-][A-Za-z0-9_\u00c0-\uffff]+)*")
_CLASS_SUFFIX = re.compile(r":::([A-Za-z0-9_-]+)")
# a link: optional left head, the line, optional right head, optional |text|
_LINK = re.compile(
    r"\s*(?P<left>[<xo])?(?P<line>-{2,}|={2,}|-\.+-|~{3,})(?P<right>[>xo])?(?=[\s|A-Za-z0-9_\"\u00c0-\uffff])"
)
# a link with its text in the middle: -- text -->, == text ==>, -. text .->
_TEXT_LINK = re.compile(
    r"\s*(?P<left><)?(?P<open>--|==|-\.)\s+(?P<text>[^|]+?)\s+(?P<close>-{2,}>|={2,}>|\.-+>|-{3,}|={3,}|\.-+)"
)
_PIPE_TEXT = re.compile(r"\s*\|(?P<text>[^|]*)\|")
_ENTITY = re.compile(r"#(\d+|[a-zA-Z]+);")
_TAG = re.compile(r"<\s*/?\s*([a-zA-Z]+)[^>]*>")
_SKIPPED_STATEMENTS = ("classdef", "style", "linkstyle", "click", "direction", "accTitle", "accDescr")
_SHAPE_ALIASES = {
    "cyl": "cylinder",
    "cylinder": "cylinder",
    "database": "cylinder",
    "db": "cylinder",
    "lin-cyl": "cylinder",
    "h-cyl": "cylinder",
    "das": "cylinder",
    "rect": "rectangle",
    "rectangle": "rectangle",
    "rounded": "rounded",
    "circle": "circle",
    "circ": "circle",
    "stadium": "stadium",
    "subproc": "subroutine",
    "subroutine": "subroutine",
    "hex": "hexagon",
    "diam": "rhombus",
    "diamond": "rhombus",
}


@dataclass
class Node:
    key: str  # the Mermaid id
    label: str | None = None
    shape: str | None = None
    classes: list[str] = field(default_factory=list)
    subgraph: str | None = None  # innermost subgraph it was first mentioned in
    line: int = 0


@dataclass
class Link:
    source: str
    target: str
    text: str
    directed: bool  # False for ---, ===
    both: bool  # <-->
    reversed: bool  # <-- only
    invisible: bool  # ~~~
    dotted: bool
    line: int


@dataclass
class Subgraph:
    key: str
    title: str
    parent: str | None
    line: int


@dataclass
class Chart:
    direction: str = "TB"
    nodes: dict[str, Node] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    subgraphs: dict[str, Subgraph] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "line N: …"
    skipped: dict[str, int] = field(default_factory=dict)  # statement kind -> count
    moved: list[str] = field(default_factory=list)  # nodes mentioned in two subgraphs


class NotAFlowchart(ValueError):
    """The text is not a Mermaid flowchart (another diagram type, or no header)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def decode(text: str) -> str:
    """A label's text: Mermaid entities (``#35;``, ``#quot;``) decoded, ``<br>`` as a line break,
    other HTML tags removed, Markdown-string backticks dropped."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "`":
        text = text[1:-1]

    def entity(match: re.Match) -> str:
        value = match.group(1)
        if value.isdigit():
            code = int(value)
            return chr(code) if 0 < code < 0x110000 else ""
        return html.unescape(f"&{value};") if html.unescape(f"&{value};") != f"&{value};" else match.group(0)

    text = _TAG.sub(lambda m: "\n" if m.group(1).lower() == "br" else "", text)
    return _ENTITY.sub(entity, text)


def parse(text: str) -> Chart:
    """Read a flowchart; raise ``NotAFlowchart`` when ``text`` is some other thing."""
    chart = Chart()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    # front matter (--- … ---) may precede the header
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() == "---":
                index = end + 1
                break
    header_seen = False
    stack: list[str] = []
    for number in range(index, len(lines)):
        raw = lines[number]
        line_no = number + 1
        for statement in _statements(_strip_comment(raw)):
            if not header_seen:
                match = re.match(r"^(flowchart|graph)(?:\s+(TB|TD|BT|RL|LR))?\s*$", statement, re.IGNORECASE)
                if not match:
                    word = statement.split()[0] if statement.split() else statement
                    raise NotAFlowchart(
                        f"not a Mermaid flowchart: it starts with `{word[:40]}`; only `flowchart` and "
                        "`graph` diagrams describe data flows",
                        line_no,
                    )
                header_seen = True
                chart.direction = (match.group(2) or "TB").upper().replace("TD", "TB")
                continue
            _statement(statement, line_no, chart, stack)
    if not header_seen:
        raise NotAFlowchart("no `flowchart` or `graph` line: the file holds no Mermaid flowchart")
    if stack:
        chart.problems.append(f"{len(stack)} subgraph(s) not closed with `end` by the end of the file")
    return chart


def _strip_comment(line: str) -> str:
    """The line without a ``%%`` comment (directives ``%%{…}%%`` included)."""
    position = _outside_quotes(line, "%%")
    return (line if position < 0 else line[:position]).strip()


def _outside_quotes(text: str, needle: str) -> int:
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and text.startswith(needle, i):
            return i
    return -1


def _statements(line: str) -> list[str]:
    """A line split at the ``;`` that end statements (not those inside quotes or entities)."""
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted and not re.search(r"#\w+$", line[:i]):
            out.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    out.append("".join(current).strip())
    return [s for s in out if s]


def _statement(statement: str, line_no: int, chart: Chart, stack: list[str]) -> None:
    word = statement.split()[0]
    lower = word.lower()
    if lower == "subgraph":
        _open_subgraph(statement[len(word) :].strip(), line_no, chart, stack)
        return
    if lower == "end" and statement.strip().lower() == "end":
        if stack:
            stack.pop()
        else:
            chart.problems.append(f"line {line_no}: `end` without a subgraph; ignored")
        return
    if lower == "class" and len(statement.split()) >= 3:
        parts = statement.split()
        for key in parts[1].split(","):
            node = _node(chart, key.strip(), line_no, stack)
            node.classes.append(parts[2])
        return
    if lower.rstrip(":") in {s.lower() for s in _SKIPPED_STATEMENTS}:
        chart.skipped[lower.rstrip(":")] = chart.skipped.get(lower.rstrip(":"), 0) + 1
        return
    known, links = set(chart.nodes), len(chart.links)
    if not _chain(statement, line_no, chart, stack):
        # nothing of a line that cannot be read is kept, not even the nodes read before the error
        for key in set(chart.nodes) - known:
            del chart.nodes[key]
        del chart.links[links:]
        chart.problems.append(f"line {line_no}: cannot read `{statement[:80]}`; skipped")


def _open_subgraph(rest: str, line_no: int, chart: Chart, stack: list[str]) -> None:
    match = re.match(r"^([A-Za-z0-9_.-]+)\s*\[\s*(.*?)\s*\]\s*$", rest)
    if match:
        key, title = match.group(1), match.group(2)
    elif rest.startswith('"'):
        key = title = rest
    else:
        key, title = rest, rest
    title = title[1:-1] if len(title) >= 2 and title[0] == title[-1] == '"' else title
    key = key.strip('"') or f"subgraph-{line_no}"
    if key in chart.subgraphs:
        chart.problems.append(f"line {line_no}: subgraph `{key}` opened a second time; its nodes join the first one")
    else:
        chart.subgraphs[key] = Subgraph(key, decode(title) or key, stack[-1] if stack else None, line_no)
    stack.append(key)


def _node(chart: Chart, key: str, line_no: int, stack: list[str]) -> Node:
    node = chart.nodes.get(key)
    here = stack[-1] if stack else None
    if node is None:
        node = chart.nodes[key] = Node(key, subgraph=here, line=line_no)
    elif here is not None and node.subgraph is None:
        node.subgraph = here
    elif here is not None and node.subgraph != here and key not in chart.moved:
        chart.moved.append(key)
    return node


def _read_node(text: str, pos: int, line_no: int, chart: Chart, stack: list[str]) -> tuple[str, int] | None:
    """One node reference at ``pos`` (id, shape and label, class suffix); (id, new position)."""
    match = _ID.match(text, pos)
    if not match:
        return None
    key = match.group(0)
    pos = match.end()
    node = _node(chart, key, line_no, stack)
    if text.startswith("@{", pos):
        end = text.find("}", pos)
        if end < 0:
            return None
        _read_shape_data(text[pos + 2 : end], node)
        pos = end + 1
    else:
        for opener, closer, shape in SHAPES:
            if not text.startswith(opener, pos):
                continue
            start = pos + len(opener)
            if text.startswith('"', start):
                close_quote = text.find('"', start + 1)
                if close_quote < 0 or not text.startswith(closer, close_quote + 1):
                    continue
                label, pos = text[start + 1 : close_quote], close_quote + 1 + len(closer)
            else:
                end = text.find(closer, start)
                if end < 0:
                    continue
                label, pos = text[start:end], end + len(closer)
            node.label, node.shape = decode(label), shape
            break
    suffix = _CLASS_SUFFIX.match(text, pos)
    if suffix:
        node.classes.append(suffix.group(1))
        pos = suffix.end()
    return key, pos


def _read_shape_data(body: str, node: Node) -> None:
    """The v11 form ``A@{ shape: cyl, label: "Orders" }``."""
    for key, value in re.findall(r'(\w+)\s*:\s*("[^"]*"|[^,]+)', body):
        value = value.strip().strip('"')
        if key == "shape":
            node.shape = _SHAPE_ALIASES.get(value.lower(), value.lower())
        elif key == "label":
            node.label = decode(value)


def _read_group(text: str, pos: int, line_no: int, chart: Chart, stack: list[str]) -> tuple[list[str], int] | None:
    keys = []
    while True:
        while pos < len(text) and text[pos] == " ":
            pos += 1
        read = _read_node(text, pos, line_no, chart, stack)
        if read is None:
            return None
        keys.append(read[0])
        pos = read[1]
        amp = re.match(r"\s*&\s*", text[pos:])
        if not amp:
            return keys, pos
        pos += amp.end()


def _chain(statement: str, line_no: int, chart: Chart, stack: list[str]) -> bool:
    """A node statement or a chain of links; False when it is neither."""
    first = _read_group(statement, 0, line_no, chart, stack)
    if first is None:
        return False
    left, pos = first
    while pos < len(statement) and statement[pos:].strip():
        link = _TEXT_LINK.match(statement, pos)
        text = ""
        if link:
            text = link.group("text")
            left_head = link.group("left") or ""
            closing = link.group("close")
            right_head = ">" if closing.endswith(">") else ""
            line = link.group("open")
            pos = link.end()
        else:
            link = _LINK.match(statement, pos)
            if not link:
                return False
            left_head, right_head, line = link.group("left") or "", link.group("right") or "", link.group("line")
            pos = link.end()
            pipe = _PIPE_TEXT.match(statement, pos)
            if pipe:
                text = pipe.group("text")
                pos = pipe.end()
        right = _read_group(statement, pos, line_no, chart, stack)
        if right is None:
            return False
        targets, pos = right
        for source in left:
            for target in targets:
                chart.links.append(
                    Link(
                        source=source,
                        target=target,
                        text=decode(text.strip('"')),
                        directed=bool(left_head or right_head),
                        both=bool(left_head) and bool(right_head),
                        reversed=bool(left_head) and not right_head,
                        invisible=line.startswith("~"),
                        dotted="." in line,
                        line=line_no,
                    )
                )
        left = targets
    return True
