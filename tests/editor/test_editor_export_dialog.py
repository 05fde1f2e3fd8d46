"""The export dialog opens on the choice of what to export, and offers the stories the command
line does (top 6 undecided by default, how many, minimum severity), saying how many more there are."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from stride_tui.app import StrideApp
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.outputs.stories import build_stories
from stride_tui.screens.export_screen import ExportScreen, parse_limit, select_stories

from ..shared import SAMPLES
from .harness import main_screen, settle, wait_for, wait_workers


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.toml"
    path.write_bytes((SAMPLES / "checkout.toml").read_bytes())
    return path


def _run(path: Path, scenario) -> None:
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())


def _all_stories(path: Path):
    return build_stories(analyse(load_model(path).model, builtin_rules()))


def test_limit_and_severity_pick_stories_as_the_command_line_does() -> None:
    stories = _all_stories(SAMPLES / "checkout.toml")
    assert len(stories) > 6
    assert parse_limit("6") == 6 and parse_limit(" all ") is None and parse_limit("") is None
    assert isinstance(parse_limit("0"), str) and isinstance(parse_limit("six"), str)
    shown, more = select_stories(stories, 6, "low")
    assert shown == stories[:6] and more == len(stories) - 6
    high, more_high = select_stories(stories, None, "high")
    assert more_high == 0 and high == [s for s in stories if s.severity in ("high", "critical")]


def test_ctrl_e_opens_on_the_choice_of_what_with_stories_picked_and_the_count(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    total = len(_all_stories(path))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("ctrl+e")
        await wait_for(app, pilot, ExportScreen)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert app.focused is dialog.query_one("#export-kind", OptionList)
        assert dialog.kind == "stories"
        assert dialog.query_one("#export-limit", Input).value == "6"
        count = str(dialog.query_one("#export-count", Static).content)
        assert f"6 of {total} undecided stories; {total - 6} more" in count
        await pilot.press("enter")  # enter on the choice exports what is picked, the stories
        await wait_workers(app)
        await pilot.pause()
        text = (tmp_path / "checkout-stories.md").read_text()
        assert text.count("\n## ") == 6 and f"{total - 6} more" in text

    _run(path, scenario)


def test_letters_pick_what_to_export_and_enter_exports_it(tmp_path: Path) -> None:
    path = _copy(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("ctrl+e")
        await wait_for(app, pilot, ExportScreen)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert dialog.kind == "report" and not dialog.query_one("#export-story-options").display
        assert dialog.query_one("#export-path", Input).value.endswith("checkout-report.md")
        await pilot.press("d", "s", "up")  # diagram, stories, then back up to the report
        await pilot.pause()
        assert dialog.kind == "report"
        await pilot.press("enter")
        await wait_workers(app)
        await pilot.pause()
        assert (tmp_path / "checkout-report.md").read_text().startswith("#")
        assert not (tmp_path / "checkout.svg").exists()

    _run(path, scenario)


def test_all_stories_at_a_minimum_severity_in_json(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    wanted = [s.id for s in _all_stories(path) if s.severity in ("high", "critical")]

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        main_screen(app).action_export("stories", "json")
        await wait_for(app, pilot, ExportScreen)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        await pilot.press("tab", "tab")  # format, then how many
        assert app.focused is dialog.query_one("#export-limit", Input)
        await pilot.press("backspace", *"all")
        dialog.query_one("#export-severity", Select).value = "high"
        await pilot.pause()
        count = str(dialog.query_one("#export-count", Static).content)
        assert count.startswith(f"{len(wanted)} of ") and "more" not in count
        dialog.query_one("#export-limit", Input).value = "0"
        await pilot.pause()
        assert dialog.query_one("#export-go").disabled  # a wrong number never exports
        dialog.query_one("#export-limit", Input).value = "all"
        await pilot.pause()
        await pilot.click("#export-go")
        await wait_workers(app)
        await pilot.pause()
        stories = json.loads((tmp_path / "checkout-stories.json").read_text())["stories"]
        assert [s["id"] for s in stories] == wanted

    _run(path, scenario)


def test_keys_typed_while_the_export_dialog_opens_pick_and_export(tmp_path: Path) -> None:
    """ctrl+e, r, enter in one burst: the report is exported, never the default."""
    path = _copy(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        app.post_message(events.Key("ctrl+e", None))
        for _ in range(10_000):
            if isinstance(app.screen, ExportScreen):
                break
            await asyncio.sleep(0)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen) and not dialog.is_mounted
        for key in ("r", "enter"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(app, pilot)
        await pilot.pause(0.3)
        await wait_workers(app)
        await pilot.pause()
        assert (tmp_path / "checkout-report.md").exists()
        assert not (tmp_path / "checkout-stories.md").exists()

    _run(path, scenario)
