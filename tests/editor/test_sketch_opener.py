"""The keys read with the `a` that opens the sketch line."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.screens.sketch_screen import SketchScreen

from .harness import run, settle, write


def test_keys_read_in_one_go_with_the_key_that_opens_the_sketch_line_reach_it(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("1")
        await pilot.pause()
        for key in ["a", *"[In", "tab", *"Customer"]:  # "a[In" in one read: no pause at all
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(app, pilot)
        await pilot.pause(0.3)
        sketch = app.screen
        assert isinstance(sketch, SketchScreen)
        assert sketch.line.value == "[Internet]Customer"

    run(write(tmp_path), scenario)
