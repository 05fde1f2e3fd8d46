"""The DOT diagram: conventions, determinism, hostile names, and real Graphviz runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.outputs import graphviz
from stride_tui.core.outputs.dot import DiagramOptions, build_dot, html_label, quoted

from ..shared import SAMPLES, needs_graphviz

GOLDEN = SAMPLES.parent / "tests" / "golden"
HOSTILE_NAMES = [
    'x"]; evil [shape=box URL="javascript:alert(1)"]; y [z="w',
    "abc\\",
    "Graph \\G node \\N \\l",
    "<b>html</b> & <img src=x onerror=alert(1)>",
    "host:port:thing",
    "}; digraph g { a -> b",
    "[/] [@click=app.quit]x[/]",
    "<<>>",
    '"quoted"',
]


def hostile_model() -> ThreatModel:
    components = {
        f"c{i}": {
            "kind": ("process", "data_store", "external_entity")[i % 3],
            "name": name,
            "boundary": "zone",
            "description": name + "\nsecond line \\n",
            "technology": name,
        }
        for i, name in enumerate(HOSTILE_NAMES)
    }
    flows = {
        f"f{i}": {"from": f"c{i}", "to": f"c{(i + 1) % len(HOSTILE_NAMES)}", "data": name, "protocol": name}
        for i, name in enumerate(HOSTILE_NAMES)
    }
    return ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": 'Title "with" <tags> \\ and :'},
            "boundaries": {"zone": {"name": '"; } subgraph x { '}, "inner": {"name": "a\\b", "parent": "zone"}},
            "components": components,
            "flows": flows,
        }
    )


def test_labels_and_tooltips_escape_everything():
    assert html_label('a<b>&"c\\') == "<a&lt;b&gt;&amp;&quot;c\\\\>"
    assert quoted('say "hi" \\N\nnext') == '"say \\"hi\\" \\\\\\\\N\\nnext"'


def test_node_ids_are_generated_never_user_text():
    dot = build_dot(hostile_model())
    node_ids = re.findall(r"^(\w+) \[", dot, flags=re.MULTILINE)
    assert node_ids == ["node", "edge"] + [f"n{i}" for i in range(len(HOSTILE_NAMES))] + ["legend"]
    attribute_names = set(re.findall(r"[,\[] ?(\w+)=", re.sub(r'"(\\.|[^"\\])*"|<[^\n]*>(?=[,\]])', "", dot)))
    assert attribute_names <= {
        "shape",
        "label",
        "tooltip",
        "style",
        "fillcolor",
        "margin",
        "color",
        "fontcolor",
        "penwidth",
        "fontname",
        "fontsize",
    }


@needs_graphviz()
def test_hostile_names_render_literally_through_dot():
    dot = build_dot(hostile_model())
    result = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    svg = result.stdout.decode()
    assert svg.count('class="node"') == len(HOSTILE_NAMES) + 1  # + the legend
    assert svg.count('class="edge"') == len(HOSTILE_NAMES)
    assert "<img" not in svg and "href=" not in svg
    assert svg.count(">Graph \\G node \\N \\l</text>") == 4  # name, technology, data, protocol: literal
    assert 'xlink:title="Graph \\G node \\N \\l&#10;second line \\n"' in svg  # tooltip too
    assert "host:port:thing" in svg


def test_output_is_deterministic():
    model = load_model(SAMPLES / "checkout.toml").model
    rules = builtin_rules()
    assert build_dot(model, analyse(model, rules)) == build_dot(model, analyse(model, rules))


def test_shapes_clusters_and_crossing_edges():
    model = load_model(SAMPLES / "checkout.toml").model
    dot = build_dot(model, analyse(model, builtin_rules()))
    assert dot.count("subgraph cluster_b") == len(model.boundaries)
    assert dot.count("shape=cylinder") == sum(c.kind == "data_store" for c in model.components.values())
    assert dot.count("shape=box") == sum(c.kind == "external_entity" for c in model.components.values())
    assert "newrank=true" not in dot  # small models lay out better without it
    crossing_edges = len(re.findall(r"-> n\d+ \[[^\]]*penwidth=2\.0", dot))
    analysis = analyse(model, builtin_rules())
    assert crossing_edges == sum(bool(c) for c in analysis.topology.crossings.values())
    assert 'style="filled,dashed"' in dot  # the out-of-scope fraud service


def test_nested_boundaries_nest_clusters():
    dot = build_dot(
        ThreatModel.model_validate(
            {
                "stride_tui": 1,
                "model": {"title": "T"},
                "boundaries": {"outer": {"name": "Outer"}, "inner": {"name": "Inner", "parent": "outer"}},
                "components": {"a": {"kind": "process", "boundary": "inner"}},
            }
        ),
        options=DiagramOptions(legend=False),
    )
    outer = dot.index("subgraph cluster_b0")
    inner = dot.index("subgraph cluster_b1")
    node = dot.index("n0 [")
    assert outer < inner < node
    assert dot[inner:].index("}") > dot[inner:].index("n0 [")


def test_one_boundary_view_keeps_neighbours():
    model = load_model(SAMPLES / "checkout.toml").model
    dot = build_dot(model, options=DiagramOptions(boundary="payments-ns", legend=False))
    assert "Payment service" in dot and "Secrets store" in dot
    assert "Customer browser" not in dot  # not touching the namespace


def test_missing_graphviz_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(graphviz.RenderError, match="not found: install Graphviz"):
        graphviz.run_dot("digraph {}", "svg")


def test_render_command_without_graphviz_exits_2(monkeypatch, run_cli, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, _, err = run_cli("render", SAMPLES / "checkout.toml", "-o", tmp_path / "x.svg")
    assert code == 2 and "apt-get install graphviz" in err
    assert not (tmp_path / "x.svg").exists()


def test_timeout_and_crash_are_clear_errors(tmp_path, monkeypatch):
    slow = tmp_path / "dot"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(graphviz.RenderError, match=r"timed out after 0\.5 s"):
        graphviz.run_dot("digraph {}", "svg", timeout=0.5)
    slow.write_text("#!/bin/sh\nkill -SEGV $$\n")
    with pytest.raises(graphviz.RenderError, match=r"crashed \(signal 11, SIGSEGV\)"):
        graphviz.run_dot("digraph {}", "svg")


def test_output_cap(tmp_path, monkeypatch):
    big = tmp_path / "dot"
    big.write_text("#!/bin/sh\nhead -c 3000000 /dev/zero\n")
    big.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    monkeypatch.setattr(graphviz, "MAX_OUTPUT_BYTES", 1_000_000)
    with pytest.raises(graphviz.RenderError, match="larger than"):
        graphviz.run_dot("digraph {}", "svg")


def test_render_dot_to_stdout_by_default(run_cli):
    code, out, _ = run_cli("render", SAMPLES / "three-tier.toml", "--no-color")
    assert code == 0 and out.startswith("digraph dfd {")


@needs_graphviz()
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_render_svg_and_png_files(run_cli, tmp_path, fmt):
    out = tmp_path / f"d.{fmt}"
    code, _, err = run_cli("render", SAMPLES / "checkout.toml", "-o", out)
    assert code == 0, err
    head = out.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in out.read_bytes()[:2000]


def test_the_dot_writer_writes_what_pydot_writes():
    """The DOT text is written without building pydot objects: for the same graph, clusters,
    nodes, edges and values of every kind pydot quotes differently, it is pydot's text."""
    import pydot

    from stride_tui.core.outputs import dot

    values = ["", "0.05", "12", "graph", "Edge", "filled,dashed", "#c0392b", '"a \\" b"', "<<B>x</B>>", "é", "a b", "x"]
    reference = pydot.Dot("dfd", graph_type="digraph", rankdir="TB", label="<t>")
    reference.set_node_defaults(style="filled", fillcolor="#ffffff")
    ours = dot._Graph("digraph dfd", {"rankdir": "TB", "label": "<t>"})
    ours.add_node(dot._id("node", ("graph", "node", "edge")), {"style": "filled", "fillcolor": "#ffffff"})
    outer, inner = pydot.Cluster("b0", label="<Outer>"), pydot.Cluster("b1", style="dashed")
    our_outer, our_inner = dot._cluster("b0", {"label": "<Outer>"}), dot._cluster("b1", {"style": "dashed"})
    reference.add_subgraph(outer)  # type: ignore[arg-type]
    outer.add_subgraph(inner)  # type: ignore[arg-type]
    ours.children.append(our_outer)
    our_outer.children.append(our_inner)
    for i, value in enumerate(values):
        attrs = {"label": value, "tooltip": value, "shape": "box"}
        (inner if i % 2 else outer).add_node(pydot.Node(f"n{i}", obj_dict=None, **attrs))
        (our_inner if i % 2 else our_outer).add_node(dot._id(f"n{i}"), attrs)
        reference.add_edge(pydot.Edge(f"n{i}", f"n{(i + 1) % len(values)}", obj_dict=None, color=value))
        ours.add_edge(dot._id(f"n{i}"), dot._id(f"n{(i + 1) % len(values)}"), {"color": value})
    ours.add_node(dot._id("bare"), {})
    reference.add_node(pydot.Node("bare"))
    out: list[str] = []
    ours.write(out)
    assert "".join(out) == reference.to_string()
