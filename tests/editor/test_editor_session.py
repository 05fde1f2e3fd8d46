"""The 30-minute session: phases in the status bar, notices, pause, stop, and the summary."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from stride_tui.app import StrideApp
from stride_tui.screens import ChoiceScreen
from stride_tui.screens.session_form import SessionForm
from stride_tui.screens.story_picker import StoryPicker
from widgets import StatusLine

from ..shared import SAMPLES
from .harness import add_component, main_screen, settle, wait_for, wait_workers, write


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(path: Path, scenario, size=(120, 40)) -> StrideApp:
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def bar(app: StrideApp) -> str:
    return main_screen(app).query_one("#session-bar", StatusLine).text


def test_a_session_walks_the_phases_and_ends_with_the_stories(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        clock = FakeClock()
        screen.session_bar.clock = clock
        assert not screen.query_one("#session-bar").display
        await pilot.press("ctrl+t")
        await wait_for(app, pilot, SessionForm)
        for index in range(3):
            field = app.screen.query_one(f"#session-minutes-{index}", Input)
            field.value = "1"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.session_bar.session is not None
        assert "1/3 Draw the data flow 01:00 left · 03:00 in all" in bar(app)
        await add_component(app, pilot, "Web")
        clock.now += 61
        screen.session_bar.tick()
        await pilot.pause()
        assert "2/3 STRIDE the boundaries 00:59 left · 01:59 in all" in bar(app)
        assert any("Phase 2/3" in n.message for n in app._notifications)
        await pilot.press("ctrl+t")  # pause
        clock.now += 500
        screen.session_bar.tick()
        await pilot.pause()
        assert "(paused)" in bar(app) and "00:59 left" in bar(app)
        await pilot.press("ctrl+t")  # resume
        clock.now += 60
        screen.session_bar.tick()
        assert "3/3 Capture stories" in bar(app)
        clock.now += 60
        screen.session_bar.tick()
        await wait_for(app, pilot, StoryPicker)  # phase 3 ends with picking the stories
        await pilot.press("m")
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "Session finished"
        text = "\n".join(line.plain for line in app.screen.lines)
        assert "1 element added" in text and "for the backlog" in text
        assert "kept, exported to" in text and (tmp_path / "model-stories.md").exists()
        assert screen.session_bar.session is None and not screen.query_one("#session-bar").display
        await pilot.press("p")  # pick again
        await wait_for(app, pilot, StoryPicker)

    run(path, scenario)


def test_stop_ends_the_session_now(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        screen.session_bar.clock = FakeClock()
        screen.session_bar.start((10, 10, 10), screen.model)
        await pilot.press("T")
        await wait_for(app, pilot, StoryPicker)
        await pilot.press("escape")  # no pick: the summary says so
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "Session finished"
        assert "no stories picked yet" in "\n".join(line.plain for line in app.screen.lines)
        await pilot.press("c")
        await pilot.press("T")  # none running: says so
        assert any("No session" in n.message for n in app._notifications)

    run(path, scenario)


def test_the_palette_starts_a_session(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"start session")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(app, pilot, SessionForm)
        await pilot.press("enter")  # 10/10/10
        await pilot.pause()
        assert (
            main_screen(app).session_bar.session is not None
            and main_screen(app).session_bar.session.lengths == (600.0,) * 3
        )

    run(path, scenario)


def test_session_status_bar_snapshot(snap_compare, tmp_path: Path, monkeypatch) -> None:
    shutil.copy(SAMPLES / "checkout.toml", tmp_path / "checkout.toml")
    monkeypatch.chdir(tmp_path)

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await wait_workers(app)
        await pilot.pause()
        screen = main_screen(app)
        clock = FakeClock()
        screen.session_bar.clock = clock
        screen.session_bar.start((10, 10, 10), screen.model)
        clock.now += 95
        screen.session_bar.tick()
        if screen.session_bar.timer is not None:
            screen.session_bar.timer.pause()  # frozen clock: nothing changes while the snapshot is taken
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(StrideApp(Path("checkout.toml")), terminal_size=(120, 40), run_before=run_before)
