"""Mermaid: render --format mermaid (escaping, subgraphs, determinism) and import --from mermaid
(a team's flowchart, what cannot be mapped reported, round trip of our own rendering)."""

from __future__ import annotations

import re

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import load_model, parse_model
from stride_tui.core.interop.mermaid import import_mermaid
from stride_tui.core.interop.mermaid.parse import parse
from stride_tui.core.outputs.dot import DiagramOptions
from stride_tui.core.outputs.mermaid import build_mermaid, label

from ..shared import MINIMAL, SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*.toml"))


def _render(model, **options) -> str:
    return build_mermaid(model, analyse(model, builtin_rules()), DiagramOptions(**options))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_render_is_a_deterministic_flowchart_with_a_subgraph_per_boundary(path):
    model = load_model(path).model
    text = _render(model)
    assert text == _render(model)
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    assert sum(1 for line in lines if line.strip().startswith("subgraph ")) == len(model.boundaries)
    assert sum(1 for line in lines if line.strip() == "end") == len(model.boundaries)
    edges = [line for line in lines if re.match(r"^\s+n\d+ (-->|-\.->)", line)]
    assert len(edges) == len(model.flows)
    # every node id is generated: no user text is ever an id
    assert not [
        line
        for line in lines
        if re.match(r"^\s+[a-z]", line)
        and not re.match(r"^\s+(n\d+|subgraph b\d+|end$|classDef |class |style b\d+ |linkStyle )", line)
    ]


def test_render_follows_direction_and_boundary_options():
    model = load_model(SAMPLES / "checkout.toml").model
    assert _render(model, direction="LR").startswith("flowchart LR\n")
    one = _render(model, boundary=next(iter(model.boundaries)))
    assert one.count("subgraph ") < len(model.boundaries)


def test_hostile_names_cannot_become_mermaid_syntax():
    hostile = 'x"] --> evil[("pwn")] %% <img src=x onerror=alert(1)> `**md**` #35; | end \u202e;click'
    text = MINIMAL.replace('name = "API"', 'name = "' + hostile.replace('"', '\\"') + '"')
    model = parse_model(text.encode(), "m.toml").model
    out = _render(model)
    api_line = next(line for line in out.splitlines() if line.strip().startswith("n1"))
    # one quoted string, no quote, bracket, pipe, percent, angle bracket, backtick or # inside it
    inner = re.match(r'^\s+n1\("(.*)"\)$', api_line)
    assert inner, api_line
    assert not re.search(r'["\[\]|%<>`;#]', re.sub(r"#\d+;", "", inner.group(1)))
    assert "\u202e" not in out and "U+202E" in out
    assert "click" not in [w for line in out.splitlines() for w in line.split()[:1]]
    # and reading it back gives the name exactly as it was shown
    back = parse(out)
    assert back.nodes["n1"].label == hostile.replace("\u202e", "<U+202E>")


def test_label_encodes_everything_but_plain_text():
    assert label("Orders API (v2): read/write") == "Orders API (v2): read/write"
    assert label('a"b') == "a#34;b"
    assert label("Zürich-DB") == "Zürich-DB"
    assert label("x" * 300) == "x" * 119 + "#8230;"  # cut at 120 characters, with an ellipsis


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_our_rendering_imports_back_with_the_same_structure(path):
    model = load_model(path).model
    result = import_mermaid(_render(model).encode(), "diagram.mmd")
    back = result.model
    assert len(back.components) == len(model.components)
    assert len(back.flows) == len(model.flows)
    assert len(back.boundaries) == len(model.boundaries)
    by_name = {c.name: c for c in back.components.values()}
    for component in model.components.values():
        twin = by_name[component.name]
        assert twin.kind == component.kind  # read from the classes render writes
        assert twin.technology == component.technology
    named = {(f.name, f.protocol) for f in back.flows.values()}
    for flow in model.flows.values():
        if flow.name:
            assert (flow.name, flow.protocol) in named
    # nesting survives: every boundary's parent has the parent's name
    names = {b.name: b for b in back.boundaries.values()}
    for boundary in model.boundaries.values():
        parent = model.boundaries[boundary.parent].name if boundary.parent else None
        got = names[boundary.name].parent
        assert (back.boundaries[got].name if got else None) == parent
    assert not [w for w in result.warnings if "cannot read" in w]


TEAM = """# Architecture

```mermaid
flowchart LR
    %% our system
    U[Customer] -->|https| GW(API Gateway)
    GW --> S1[Orders service] & S2[Billing service]
    subgraph cluster [Kubernetes cluster]
      GW
      S1
      S2
      subgraph data [Data tier]
        DB[(Orders DB<br/>Postgres)]
      end
    end
    S1 -- writes orders --> DB
    S2 <--> DB
    S1 --- S2
    S1 -.-> cluster
    click U "https://example.com"
    S2 ~~~ DB
    this is not ((valid
```
"""


def test_a_team_flowchart_imports_and_reports_what_it_cannot_map():
    result = import_mermaid(TEAM.encode(), "arch.md")
    model = result.model
    names = {c.name: c for c in model.components.values()}
    assert set(names) == {"Customer", "API Gateway", "Orders service", "Billing service", "Orders DB"}
    assert names["Customer"].kind == "external_entity"
    assert names["Orders DB"].kind == "data_store" and names["Orders DB"].technology == "Postgres"
    assert names["API Gateway"].kind == "process"
    cluster = next(bid for bid, b in model.boundaries.items() if b.name == "Kubernetes cluster")
    data = next(bid for bid, b in model.boundaries.items() if b.name == "Data tier")
    assert model.boundaries[data].parent == cluster
    assert names["Orders DB"].boundary == data and names["Orders service"].boundary == cluster
    assert names["Customer"].boundary is None
    flows = {(model.components[f.source].name, model.components[f.target].name): f for f in model.flows.values()}
    assert flows[("Customer", "API Gateway")].protocol == "https"
    assert flows[("Orders service", "Orders DB")].name == "writes orders"
    assert flows[("Orders DB", "Billing service")].response_to is not None  # <--> is a flow and its response
    assert ("Orders service", "Billing service") in flows  # --- has no arrow: imported, reported
    joined = "\n".join(result.warnings)
    for expected in (
        "line 22: cannot read `this is not ((valid`",  # the file's line numbers, inside Markdown too
        "touches subgraph `cluster`",
        "has no arrow",
        "invisible link",
        "two-way link",
        "boxes read as processes",
        "1 click",
    ):
        assert expected in joined, expected
    assert "this" not in {c.name for c in model.components.values()}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"sequenceDiagram\n  A->>B: hi\n", "not a Mermaid flowchart"),
        (b"# notes\nno diagram here\n", "not a Mermaid flowchart"),
        (b"flowchart TB\n", "no nodes"),
        (b"\xff\xfe", "invalid UTF-8"),
    ],
)
def test_bad_files_are_refused_with_exit_2(content, message, tmp_path, run_cli):
    source = tmp_path / "in.mmd"
    source.write_bytes(content)
    with pytest.raises(ModelError) as info:
        import_mermaid(content, str(source))
    assert message in str(info.value.diagnostics[0])
    code, _, err = run_cli("import", source, "--from", "mermaid", "-o", tmp_path / "out.toml")
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out.toml").exists()


def test_cli_render_and_import(run_cli, tmp_path):
    out = tmp_path / "d.mmd"
    code, _, err = run_cli("render", SAMPLES / "checkout.toml", "-o", out)
    assert code == 0, err
    assert out.read_text().startswith("flowchart TB\n")
    model_out = tmp_path / "m.toml"
    code, stdout, err = run_cli("import", out, "--from", "mermaid", "-o", model_out)
    assert code == 0, err
    assert "13 components, 19 flows, 7 boundaries" in stdout
    code, _, _ = run_cli("validate", model_out)
    assert code == 0
