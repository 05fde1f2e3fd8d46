"""The bytes of one export from the editor: the diagram (DOT, SVG, PNG), the report or the stories."""

from __future__ import annotations

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.outputs.dot import DiagramOptions, build_dot
from stride_tui.core.outputs.graphviz import RenderError, run_dot
from stride_tui.core.outputs.report import report_json, report_markdown
from stride_tui.core.outputs.report_html import report_html
from stride_tui.core.outputs.stories import build_stories, stories_csv, stories_json, stories_markdown, top_stories

RENDER_TIMEOUT = 60.0
"""Seconds Graphviz may take for one export."""


def render_export(kind: str, fmt: str, analysis: Analysis, timeout: float = RENDER_TIMEOUT) -> tuple[bytes, str | None]:
    """The bytes of an export, and a note for the user (e.g. the report has no diagram).

    Args:
        kind: ``diagram``, ``report`` or ``stories``.
        fmt: The format, as the export dialog names it (``svg``, ``markdown``, ``csv``…).
        analysis: The analysis of the model to export.
        timeout: Seconds Graphviz may take.

    Raises:
        RenderError: Graphviz is missing, timed out or failed (diagram SVG/PNG only).
        ValueError: ``kind`` or ``fmt`` is not an export.
    """
    model = analysis.model
    if kind == "diagram":
        dot_text = build_dot(model, analysis, DiagramOptions())
        if fmt == "dot":
            return dot_text.encode("utf-8"), None
        return run_dot(dot_text, fmt, timeout=timeout), None
    if kind == "report":
        if fmt == "json":
            return report_json(analysis).encode("utf-8"), None
        dot_text = build_dot(model, analysis)
        if fmt == "markdown":
            return report_markdown(analysis, dot_text).encode("utf-8"), None
        try:
            svg: str | None = run_dot(dot_text, "svg", timeout=timeout).decode("utf-8")
            note = None
        except RenderError as error:
            svg, note = None, f"diagram not included: {error}"
        return report_html(analysis, svg, note).encode("utf-8"), note
    if kind == "stories":
        # the same top stories as `stride-tui stories`, saying how many more there are
        stories, more = top_stories(build_stories(analysis))
        title = model.model.title
        if fmt == "csv":
            return stories_csv(stories).encode("utf-8"), None
        if fmt == "json":
            return stories_json(title, stories, more).encode("utf-8"), None
        return stories_markdown(title, stories, more).encode("utf-8"), None
    raise ValueError(f"unknown export {kind}/{fmt}")
