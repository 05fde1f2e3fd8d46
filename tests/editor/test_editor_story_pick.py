"""Phase 3 picks the stories: the top stories by risk, each kept or dropped with one key, a
whole story decided with one more, the kept ones exported (Markdown, CSV, JSON), and the
session's summary says how many were kept."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model
from stride_tui.core.outputs.stories import DEFAULT_LIMIT, build_stories
from stride_tui.screens import ChoiceScreen
from stride_tui.screens.decide_dialog import DecideDialog
from stride_tui.screens.story_picker import StoryPicker

from ..shared import SAMPLES
from .harness import main_screen, settle, wait_for, write


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(path: Path, scenario) -> StrideApp:
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def _checkout(tmp_path: Path) -> Path:
    return write(tmp_path, (SAMPLES / "checkout.toml").read_text(encoding="utf-8"), name="shop.toml")


def test_pick_keep_drop_decide_and_export_the_kept_stories(tmp_path: Path) -> None:
    path = _checkout(tmp_path)
    stories = build_stories(analyse(load_model(path).model, builtin_rules()))
    assert len(stories) > DEFAULT_LIMIT  # more than the default pick: some start dropped

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("p")
        await wait_for(app, pilot, StoryPicker)
        picker = app.screen
        assert isinstance(picker, StoryPicker)
        assert [s.id for s in picker.kept_stories] == [s.id for s in stories[:DEFAULT_LIMIT]]
        await pilot.press("space")  # drop the first
        await pilot.press("down")
        await pilot.press("d")  # decide the second, whole
        await wait_for(app, pilot, DecideDialog)
        await pilot.press("a")
        await pilot.pause()
        second = stories[1]
        for threat_id in second.threat_ids:  # one decision per threat it covers
            assert screen.model.decisions[threat_id].status == "accepted"
        await pilot.press("down", "down", "down", "down", "down", "space")  # keep the seventh
        await pilot.pause()
        kept = [s.id for s in picker.kept_stories]
        assert kept == [s.id for s in [*stories[2:DEFAULT_LIMIT], stories[DEFAULT_LIMIT]]]
        await pilot.press("j")
        await settle(app, pilot)
        exported = json.loads((tmp_path / "shop-stories.json").read_text(encoding="utf-8"))
        assert [s["id"] for s in exported["stories"]] == kept
        await pilot.press("ctrl+z")  # the story's decision was one edit
        await settle(app, pilot)
        assert not any(t in screen.model.decisions for t in second.threat_ids)

    run(path, scenario)


def test_the_kept_stories_export_as_csv_and_markdown(tmp_path: Path) -> None:
    path = _checkout(tmp_path)
    stories = build_stories(analyse(load_model(path).model, builtin_rules()))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        for key, name in (("c", "shop-stories.csv"), ("m", "shop-stories.md")):
            await pilot.press("p")
            await wait_for(app, pilot, StoryPicker)
            await pilot.press("space", "down", "space")  # drop the first two
            await pilot.press(key)
            await settle(app, pilot)
            text = (tmp_path / name).read_text(encoding="utf-8")
            if key == "c":
                rows = list(csv.DictReader(io.StringIO(text)))
                assert len(rows) == DEFAULT_LIMIT - 2
            else:
                assert stories[2].title in text and stories[0].title not in text
        await pilot.press("p")  # the file is there now: replacing it asks first
        await wait_for(app, pilot, StoryPicker)
        await pilot.press("m")
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "The file exists"
        await pilot.press("c")

    run(path, scenario)


def test_phase_three_ends_with_the_pick_and_the_summary_says_how_many_were_kept(tmp_path: Path) -> None:
    path = _checkout(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        clock = FakeClock()
        screen.session_bar.clock = clock
        screen.session_bar.start((1, 1, 1), screen.model)
        clock.now += 121
        screen.session_bar.tick()
        await pilot.pause()
        assert any("Pick the stories (p)" in n.message for n in app._notifications)  # phase 3's hint
        clock.now += 60
        screen.session_bar.tick()
        await wait_for(app, pilot, StoryPicker)
        await pilot.press("space")  # keep 5 of them
        await pilot.press("m")
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "Session finished"
        text = "\n".join(line.plain for line in app.screen.lines)
        assert f"{DEFAULT_LIMIT - 1} of " in text and "kept, exported to" in text
        assert (tmp_path / "shop-stories.md").exists()

    run(path, scenario)


def test_hostile_names_stay_literal_in_the_pick(tmp_path: Path) -> None:
    evil = "[@click=app.quit]x[/]"
    text = (
        (SAMPLES / "checkout.toml")
        .read_text(encoding="utf-8")
        .replace('name = "Checkout service"', f'name = "{evil}"', 1)
    )
    path = write(tmp_path, text, name="shop.toml")
    stories = build_stories(analyse(load_model(path).model, builtin_rules()))
    assert any(evil in s.title for s in stories)  # the component's name is in a story title

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("p")
        await wait_for(app, pilot, StoryPicker)
        painted = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert evil[:12] in painted  # shown as typed (the line may cut it), never run
        await pilot.click("#story-options", offset=(20, 1))
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code is None

    run(path, scenario)
