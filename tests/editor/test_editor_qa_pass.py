"""Bugs a QA pass found in the editor, each held by a test: ctrl+s in the decision form saves
the file, quitting after the model file was deleted asks, keys typed right after an add key
land whole in the focused field, the STRIDE panel's cursor after an answer removes a row."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.screens.decide_dialog import DecideDialog, ThreatDecisionForm
from widgets import StridePanel

from .harness import main_screen, run, settle, wait_for, write
from .test_editor_threats import REFUND


def test_ctrl_s_in_the_decision_form_applies_and_saves_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        threat = next(t for t in panel.threats if t.status == "open")
        panel.table.move_cursor_to_key(threat.id, post=True)
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
        assert screen.model.decisions[threat.id].status == threat.status
        assert not screen.document.dirty
        written = path.read_text(encoding="utf-8")
        assert "WAF in front" in written and threat.id in written

    run(path, scenario)
