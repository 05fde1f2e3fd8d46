"""Snapshots of the editor at 120×40 on sample_models/checkout.toml: the main screen and each form.

Regenerate after a deliberate change with ``pytest tests/snapshots/test_editor_snapshots.py --snapshot-update``
and review the SVGs. Textual is pinned, so they only change when the editor does.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from stride_tui.app import StrideApp

from ..shared import SAMPLES

SIZE = (120, 40)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StrideApp:
    """The editor on a copy of the checkout sample, opened by a relative path (stable titles)."""
    shutil.copy(SAMPLES / "checkout.toml", tmp_path / "checkout.toml")
    monkeypatch.chdir(tmp_path)
    return StrideApp(Path("checkout.toml"))


def keys(*pressed: str) -> Callable[[Pilot], Awaitable[None]]:
    """Open the model, press ``pressed``, and stop text cursors blinking (stable pixels)."""

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        for widget in app.screen.query("Input, TextArea"):
            assert isinstance(widget, (Input, TextArea))
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


def test_main_screen(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_main_screen_with_a_boundary_selected(snap_compare, app: StrideApp) -> None:
    # boundaries pane, then down to "Production EKS cluster": the findings of its crossing flows
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("3", "down", "down", "down"))


def test_main_screen_at_80x24(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("4"))


def test_component_form(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("1", "down", "down", "e"))


def test_new_component_form(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("c", *"Inventory", "tab", "tab", "home"))


def test_flow_form(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("2", *["down"] * 6, "e"))


def test_boundary_form(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("3", "down", "down", "down", "e"))


def test_threat_form(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("4", "t"))


def test_model_form(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("m"))


def test_finding_and_decision_form(snap_compare, app: StrideApp) -> None:
    # the whole model, the STRIDE panel, enter on its first threat: the one-key decision
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("escape", "4", "enter"))


def test_delete_confirmation(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("1", "down", "down", "delete"))


def test_quit_with_unsaved_changes(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("1", "x", "y", "ctrl+q"))


def test_orphan_decisions(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("o"))


def test_help(snap_compare, app: StrideApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("question_mark"))
