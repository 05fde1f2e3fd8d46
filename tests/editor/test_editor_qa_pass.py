"""Bugs a QA pass found in the editor, each held by a test: ctrl+s in the decision form saves
the file, quitting after the model file was deleted asks, keys typed right after an add key
land whole in the focused field, the STRIDE panel's cursor after an answer removes a row."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.core.files.loader import load_model
from stride_tui.screens import ChoiceScreen
from stride_tui.screens.decide_dialog import DecideDialog, ThreatDecisionForm
from stride_tui.screens.flow_form import FlowForm

from .harness import add_component, main_screen, on_an_open_threat, open_form, run, settle, wait_for, write
from .test_editor_threats import REFUND


def test_ctrl_s_in_the_decision_form_applies_and_saves_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen, threat_id = await on_an_open_threat(app, pilot)
        await settle(app, pilot)
        await pilot.press("d")
        await wait_for(app, pilot, DecideDialog)
        await pilot.press("e")
        await wait_for(app, pilot, ThreatDecisionForm)
        form = app.screen
        assert isinstance(form, ThreatDecisionForm)
        for _ in range(50):
            if form.is_mounted and not form.holding_keys:
                break
            await pilot.pause(0.02)
        form.field("note").control.insert("WAF in front")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        for _ in range(50):
            if not screen.document.dirty:
                break
            await pilot.pause(0.05)
        assert app.screen is screen
        assert screen.model.decisions[threat_id].status == "open"  # the note added, the status kept
        assert not screen.document.dirty
        written = path.read_text(encoding="utf-8")
        assert "WAF in front" in written and threat_id in written

    run(path, scenario)


async def _quit_code(app: StrideApp, pilot: Pilot) -> int | None:
    """The app's return code once it quits (None: it did not, within a few seconds)."""
    for _ in range(50):
        if app.return_code is not None:
            break
        await pilot.pause(0.05)
    return app.return_code


@pytest.mark.parametrize("edited", [False, True])
def test_quitting_after_the_model_file_was_removed_asks_and_can_write_it_again(tmp_path: Path, edited: bool) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        if edited:
            await add_component(app, pilot, "Web")
        path.unlink()  # rm, git checkout of another branch…
        await pilot.press("ctrl+q")
        await wait_for(app, pilot, ChoiceScreen)
        assert app.return_code is None, "quit without asking: the model would be lost"
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen) and dialog.question == "The model file is gone"
        await pilot.press("c")  # cancel: still editing
        await settle(app, pilot)
        assert app.screen is screen and app.return_code is None and not path.exists()
        await pilot.press("ctrl+q")
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("s")  # save it again, then quit
        assert await _quit_code(app, pilot) == 0

    run(path, scenario)
    model = load_model(path).model
    assert model.model.title == "Shop" and ("web" in model.components) is edited


def test_quitting_after_the_model_file_was_removed_can_drop_it(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        path.unlink()
        await pilot.press("ctrl+q")
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("d")
        assert await _quit_code(app, pilot) == 0

    run(path, scenario)
    assert not path.exists()


def test_a_flow_added_from_a_selected_component_opens_on_to(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("1")  # the components pane: a component is selected
        await pilot.pause()
        assert screen.selection is not None and screen.selection.kind == "component"
        source = screen.selection.element_id
        form = await open_form(app, pilot, "f", FlowForm)
        assert form.values()["from"] == source
        assert app.focused is form.field("to").control

    run(write(tmp_path), scenario)
