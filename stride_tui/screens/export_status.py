"""Exports from the editor: the file dialog, then the work in a thread with a spinner in the status line.

The user picks what and where in `ExportScreen`; an existing file is only replaced after asking.
The work (Graphviz can take seconds) runs in a thread, so the editor keeps answering keys; a
failure is a notification, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import work
from textual.message import Message

from stride_tui.core.analysis.engine import Analysis
from stride_tui.core.files.storage import SaveError, atomic_write
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.outputs.exports import render_export
from stride_tui.core.outputs.graphviz import RenderError
from stride_tui.core.outputs.stories import (
    DEFAULT_LIMIT,
    Story,
    build_stories,
    stories_csv,
    stories_json,
    stories_markdown,
)
from widgets import StatusLine, safe_text

from .choice_screen import Choice, ChoiceScreen
from .export_screen import EXPORTS, ExportRequest, ExportScreen, select_stories

Analyse = Callable[[ThreatModel], Analysis]


def stories_export(request: ExportRequest, analysis: Analysis) -> bytes:
    """The stories ``request`` asks for (how many, how severe), as `stride-tui stories` writes them."""
    stories, more = select_stories(build_stories(analysis), request.limit, request.min_severity)
    title = analysis.model.model.title
    if request.fmt == "csv":
        return stories_csv(stories).encode("utf-8")
    if request.fmt == "json":
        return stories_json(title, stories, more).encode("utf-8")
    return stories_markdown(title, stories, more).encode("utf-8")


class ExportStatus(StatusLine):
    """The status line that shows exports under way; it runs them and reports how they went."""

    class Requested(Message):
        """The user chose what to export and where (the screen starts it with the current model)."""

        def __init__(self, request: ExportRequest) -> None:
            super().__init__()
            self.request: ExportRequest = request
            """What to export, in which format, to which file."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.running: int = 0
        """Exports under way."""

    def ask(self, model_path: Path, kind: str, fmt: str | None, analysis: Analysis | None = None) -> None:
        """Ask what to export and where (``kind`` and ``fmt`` picked), then post `Requested`.

        The dialog is pushed at once, not from a worker: keys typed right after ctrl+e (enter)
        must reach it, not the screen under it. With ``analysis`` (the current one, when ready)
        it says how many stories an export leaves out.
        """
        if kind not in EXPORTS:
            kind = "diagram"
        stories = build_stories(analysis) if analysis is not None else None
        self.app.push_screen(ExportScreen(model_path, kind, fmt, stories), partial(self._chosen, stories))

    def _chosen(self, stories: list[Story] | None, request: ExportRequest | None) -> None:
        if request is None:
            return
        if request.path.exists():
            self._confirm_overwrite(request, stories)
        else:
            self.post_message(self.Requested(request))

    @work(group="export-dialog", description="confirm overwrite")
    async def _confirm_overwrite(self, request: ExportRequest | None, stories: list[Story] | None) -> None:
        """The file exists: replace it, choose another (the dialog again), or cancel."""
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
            request = await self.app.push_screen_wait(ExportScreen(request.path, request.kind, request.fmt, stories))
        if request is not None:
            self.post_message(self.Requested(request))

    def start(self, request: ExportRequest, model: ThreatModel, analysis: Analysis | None, analyse: Analyse) -> None:
        """Write ``request`` in a worker thread; the line shows it until it is done.

        Args:
            request: What to export and where.
            model: The model to export.
            analysis: Its analysis, when it is ready; else the worker runs ``analyse`` on it.
            analyse: How to analyse a model (the screen's rules).
        """
        self.running += 1
        label = EXPORTS[request.kind][0].lower()
        self.show(safe_text(f"Exporting the {label} ({request.fmt}) to {request.path.name}…"), busy=True)
        self._export(request, model, analysis, analyse)

    @work(thread=True, group="export", exit_on_error=False, description="export")
    def _export(self, request: ExportRequest, model: ThreatModel, analysis: Analysis | None, analyse: Analyse) -> None:
        try:
            if analysis is None:
                analysis = analyse(model)
            if request.kind == "stories" and (request.limit, request.min_severity) != (DEFAULT_LIMIT, "low"):
                # the default is core's own stories export; other choices pick the stories here
                data, note = stories_export(request, analysis), None
            else:
                data, note = render_export(request.kind, request.fmt, analysis)
            atomic_write(request.path, data)
        except (RenderError, SaveError, OSError) as error:
            self.app.call_from_thread(self._done, request, None, f"Export failed: {error}")
        except Exception as error:  # an export bug must not end the editor
            self.app.call_from_thread(
                self._done, request, None, f"Export failed (internal error): {type(error).__name__}: {error}"
            )
        else:
            self.app.call_from_thread(self._done, request, note, None)

    def _done(self, request: ExportRequest, note: str | None, error: str | None) -> None:
        self.running = max(self.running - 1, 0)
        if self.running == 0:
            self.clear()
        if error is not None:
            self.notify(error, title="Not exported", severity="error", timeout=15, markup=False)
            return
        message = f"Exported {request.path}"
        if note:
            self.notify(f"{message} ({note})", severity="warning", timeout=10, markup=False)
        else:
            self.notify(message, timeout=5, markup=False)
