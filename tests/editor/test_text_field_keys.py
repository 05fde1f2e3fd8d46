"""Keys a one-line text field has no use for (↑ ↓ page up/down: nothing to scroll) leave the
field as it was and the editor running: Textual's scroll actions refuse them (`SkipAction`),
and a field that runs its own bindings as keys arrive must take that refusal as Textual does."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from stride_tui.app import StrideApp
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.sketch_screen import SketchScreen

from .harness import open_form, run, wait_for, write

KEYS = ("down", "up", "pagedown", "pageup")


def test_scroll_keys_in_a_form_field_change_nothing_and_typing_goes_on(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        await pilot.press(*"Led")
        name = app.focused
        assert isinstance(name, Input) and name.value == "Led"
        for key in KEYS:
            app.set_focus(name)
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running and app.screen is form
        app.set_focus(name)
        await pilot.press(*"ger")
        await pilot.pause()
        assert name.value == "Ledger"

    run(write(tmp_path), scenario)


def test_scroll_keys_on_the_sketch_line_change_nothing_and_typing_goes_on(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("a")
        await wait_for(app, pilot, SketchScreen)
        sketch = app.screen
        await pilot.press(*"Shop", *KEYS, *"per")
        await pilot.pause()
        assert app.is_running and app.screen is sketch
        line = app.focused
        assert isinstance(line, Input) and line.value == "Shopper"

    run(write(tmp_path), scenario)


def test_an_invisible_character_typed_in_a_name_is_left_out_and_said(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await open_form(app, pilot, "c", ComponentForm)
        await pilot.press(*"Led")
        name = app.focused
        assert isinstance(name, Input)
        name.post_message(events.Key("right_to_left_override", "\u202e"))
        await pilot.press(*"ger")
        await pilot.pause()
        assert name.value == "Ledger"
        notes = [n.message for n in app._notifications]
        assert any(note.startswith("U+202E (right-to-left override) was not typed") for note in notes), notes

    run(write(tmp_path), scenario)
