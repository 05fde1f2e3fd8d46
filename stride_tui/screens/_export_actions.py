"""The main screen's exports: the diagram (DOT, SVG, PNG), the report and the stories, to a file.

The user picks what and where in `ExportScreen`; an existing file is only replaced after asking.
The work (Graphviz can take seconds) runs in a thread with a spinner in the status line, so the
editor keeps answering keys; a failure is a notification, never a crash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.files.storage import SaveError, atomic_write
from stride_tui.core.outputs.dot import DiagramOptions, build_dot
from stride_tui.core.outputs.graphviz import RenderError, run_dot
from stride_tui.core.outputs.report import report_json, report_markdown
from stride_tui.core.outputs.report_html import report_html
from stride_tui.core.outputs.stories import build_stories, stories_csv, stories_json, stories_markdown
from widgets import StatusLine, safe_text

from .choice_screen import Choice, ChoiceScreen
from .export_screen import EXPORTS, ExportRequest, ExportScreen

if TYPE_CHECKING:
    from .main_screen import MainScreen

RENDER_TIMEOUT = 60.0
"""Seconds Graphviz may take for one export."""


def render_export(kind: str, fmt: str, analysis: Analysis, timeout: float = RENDER_TIMEOUT) -> tuple[bytes, str | None]:
    """The bytes of an export, and a note for the user (e.g. the report has no diagram).

    Raises:
        RenderError: Graphviz is missing, timed out or failed (diagram SVG/PNG only).
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
            svg = run_dot(dot_text, "svg", timeout=timeout).decode("utf-8")
            note = None
        except RenderError as error:
            svg, note = None, f"diagram not included: {error}"
        return report_html(analysis, svg, note).encode("utf-8"), note
    if kind == "stories":
        stories = build_stories(analysis)
        title = model.model.title
        if fmt == "csv":
            return stories_csv(stories).encode("utf-8"), None
        if fmt == "json":
            return stories_json(title, stories).encode("utf-8"), None
        return stories_markdown(title, stories).encode("utf-8"), None
    raise ValueError(f"unknown export {kind}/{fmt}")


class ExportActions:
    """Mixed into `MainScreen`: exporting through a file dialog and a worker thread."""

    def action_export(self: MainScreen, kind: str = "diagram", fmt: str = "") -> None:
        """Open the export dialog with ``kind`` (and ``fmt``) picked."""
        if kind not in EXPORTS:
            kind = "diagram"
        self._export_dialog(kind, fmt or None)

    @work(group="export-dialog")
    async def _export_dialog(self: MainScreen, kind: str, fmt: str | None) -> None:
        request = await self.app.push_screen_wait(ExportScreen(self.path, kind, fmt))
        while request is not None and request.path.exists():
            answer = await self.app.push_screen_wait(
                ChoiceScreen(
                    "The file exists",
                    [Text.assemble(safe_text(str(request.path), style="bold"), " exists already.")],
                    [
                        Choice("overwrite", "Replace it", "o", "warning"),
                        Choice("other", "Choose another file…", "a", "primary"),
                        Choice("cancel", "Cancel", "c"),
                    ],
                    default="other",
                )
            )
            if answer == "overwrite":
                break
            if answer != "other":
                return
            request = await self.app.push_screen_wait(ExportScreen(request.path, request.kind, request.fmt))
            if request is not None and not request.path.exists():
                break
        if request is None:
            return
        analysis = self.analysis
        if analysis is None or analysis.model is not self.model:
            analysis = None  # the worker analyses the current model itself
        self.start_export(request, analysis)

    def start_export(self: MainScreen, request: ExportRequest, analysis: Analysis | None = None) -> None:
        """Write ``request`` in a worker thread; the status line shows it until it is done."""
        self._exports_running += 1
        label = EXPORTS[request.kind][0].lower()
        self._show_activity(f"Exporting the {label} ({request.fmt}) to {request.path.name}…")
        self._export_worker(request, self.model, analysis)

    @work(thread=True, group="export", exit_on_error=False)
    def _export_worker(self: MainScreen, request: ExportRequest, model, analysis: Analysis | None) -> None:
        try:
            if analysis is None:
                analysis = self._analyzer(model, self.path).analyse(model)
            data, note = render_export(request.kind, request.fmt, analysis)
            atomic_write(request.path, data)
        except (RenderError, SaveError, OSError) as error:
            self.app.call_from_thread(self._export_done, request, None, f"Export failed: {error}")
        except Exception as error:  # an export bug must not end the editor
            self.app.call_from_thread(
                self._export_done, request, None, f"Export failed (internal error): {type(error).__name__}: {error}"
            )
        else:
            self.app.call_from_thread(self._export_done, request, note, None)

    def _export_done(self: MainScreen, request: ExportRequest, note: str | None, error: str | None) -> None:
        self._exports_running = max(self._exports_running - 1, 0)
        if self._exports_running == 0:
            self._show_activity(None)
        if error is not None:
            self.notify(error, title="Not exported", severity="error", timeout=15, markup=False)
            return
        message = f"Exported {request.path}"
        if note:
            self.notify(f"{message} ({note})", severity="warning", timeout=10, markup=False)
        else:
            self.notify(message, timeout=5, markup=False)

    def _show_activity(self: MainScreen, text: str | None) -> None:
        line = self.query_one("#activity", StatusLine)
        if text is None:
            line.clear()
        else:
            line.show(safe_text(text), busy=True)
