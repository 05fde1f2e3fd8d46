"""The bytes of each editor export, rendered without Textual (Graphviz only where marked)."""

from __future__ import annotations

import pytest

from stride_tui.core.analysis.engine import Analysis, analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.outputs.exports import render_export
from stride_tui.core.outputs.graphviz import RenderError

from ..shared import SAMPLES, needs_graphviz


def checkout_analysis() -> Analysis:
    return analyse(load_model(SAMPLES / "checkout.toml").model, builtin_rules())


@pytest.mark.parametrize(
    ("kind", "fmt", "start"),
    [
        ("diagram", "dot", b"digraph"),
        ("report", "markdown", b"# "),
        ("report", "json", b"{"),
        ("stories", "markdown", b"# "),
        ("stories", "csv", b"Summary,"),
        ("stories", "json", b"{"),
    ],
)
def test_render_export_without_graphviz(kind: str, fmt: str, start: bytes) -> None:
    data, note = render_export(kind, fmt, checkout_analysis())
    assert data.lstrip().startswith(start) and note is None


def test_the_html_report_says_when_the_diagram_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args, **kwargs):
        raise RenderError("Graphviz `dot` not found")

    monkeypatch.setattr("stride_tui.core.outputs.exports.run_dot", missing)
    data, note = render_export("report", "html", checkout_analysis())
    assert data.startswith(b"<!DOCTYPE html>") or b"<html" in data[:200]
    assert note is not None and "not found" in note


@needs_graphviz()
@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<svg"), ("png", b"\x89PNG")])
def test_render_export_with_graphviz(fmt: str, magic: bytes) -> None:
    data, _ = render_export("diagram", fmt, checkout_analysis())
    assert magic in data[:400]


def test_an_unknown_export_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown export"):
        render_export("slides", "pptx", checkout_analysis())
