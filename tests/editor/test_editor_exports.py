"""Exports from the editor: the diagram, the report and the stories, through a file dialog and
a worker thread that never blocks typing; failures are messages, existing files are asked about."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from stride_tui.app import StrideApp
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.outputs.exports import render_export
from stride_tui.core.outputs.graphviz import RenderError
from stride_tui.screens import ChoiceScreen
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.export_screen import EXPORTS, ExportScreen, default_path
from widgets import StatusLine

from ..shared import SAMPLES
from .harness import main_screen, settle, wait_for, wait_workers, write


def run(path: Path, scenario) -> StrideApp:
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def checkout_analysis():
    return analyse(load_model(SAMPLES / "checkout.toml").model, builtin_rules())


def test_default_paths_sit_next_to_the_model() -> None:
    model = Path("/repo/threat-model.toml")
    assert default_path(model, "diagram", "svg") == Path("/repo/threat-model.svg")
    assert default_path(model, "report", "html") == Path("/repo/threat-model-report.html")
    assert default_path(model, "stories", "csv") == Path("/repo/threat-model-stories.csv")
    assert set(EXPORTS) == {"diagram", "report", "stories"}


def test_export_the_report_then_confirm_overwrite(tmp_path: Path) -> None:
    path = write(tmp_path)
    target = tmp_path / "model-report.json"

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("ctrl+e")
        await wait_for(app, pilot, ExportScreen)
        app.screen.query_one("#export-kind").value = "report"
        await pilot.pause()
        app.screen.query_one("#export-format").value = "json"
        await pilot.pause()
        assert app.screen.query_one("#export-path", Input).value == str(target)
        await pilot.press("enter")
        await pilot.pause()
        await wait_workers(app)
        await pilot.pause()
        assert json.loads(target.read_text())["model"]["model"]["title"] == "Shop"
        assert any("Exported" in n.message for n in app._notifications)
        target.write_text("old")
        main_screen(app).action_export("report", "json")
        await wait_for(app, pilot, ExportScreen)
        await pilot.press("enter")
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "The file exists"
        await pilot.press("c")
        await pilot.pause()
        assert target.read_text() == "old"
        main_screen(app).action_export("report", "json")
        await wait_for(app, pilot, ExportScreen)
        await pilot.press("enter")
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("o")
        await pilot.pause()
        await wait_workers(app)
        await pilot.pause()
        assert target.read_text().startswith("{")

    run(path, scenario)


def test_a_failed_render_is_a_message_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)

    def timed_out(*args, **kwargs):
        raise RenderError("Graphviz timed out after 60 s [/] [bold]")

    monkeypatch.setattr("stride_tui.core.outputs.exports.run_dot", timed_out)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        main_screen(app).action_export("diagram", "svg")
        await wait_for(app, pilot, ExportScreen)
        await pilot.press("enter")
        await pilot.pause()
        await wait_workers(app)
        await pilot.pause()
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "timed out" in errors[0].message and "[/]" in errors[0].message
        assert app.return_code is None

    run(path, scenario)
    assert not (tmp_path / "model.svg").exists()


def test_an_export_never_blocks_typing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)
    release = threading.Event()
    real = render_export

    def slow(*args, **kwargs):
        release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr("stride_tui.screens.export_status.render_export", slow)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        screen.action_export("stories", "markdown")
        await wait_for(app, pilot, ExportScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert "Exporting" in screen.query_one("#activity", StatusLine).text
        await pilot.press("c")  # the editor answers while the export runs
        await wait_for(app, pilot, ComponentForm)
        await pilot.press("escape")
        release.set()
        await wait_workers(app)
        await pilot.pause()
        assert not screen.query_one("#activity").display
        assert (tmp_path / "model-stories.md").read_text().startswith("#")

    run(path, scenario)
