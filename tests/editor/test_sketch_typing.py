"""Typing fast into the sketch line and the dialogs: a whole placed chain in one burst, ctrl+s
that applies the line and saves, the key typed right after `d` that opens the decide dialog,
a tab read while a form's drop-down is open — none lost, none misplaced."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from stride_tui.app import StrideApp
from stride_tui.core.files.loader import load_model
from stride_tui.screens import MainScreen
from stride_tui.screens.decide_dialog import DecideDialog
from stride_tui.screens.flow_form import FlowForm
from stride_tui.screens.sketch_screen import SketchScreen
from widgets.choice_box import ChoiceBox

from .harness import main_screen, on_an_open_threat, open_form, run, settle, wait_for, write


async def _open(app: StrideApp, pilot: Pilot) -> SketchScreen:
    await pilot.press("a")
    await wait_for(app, pilot, SketchScreen)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SketchScreen)
    return screen


def _status(screen: SketchScreen) -> str:
    content = screen.query_one("#sketch-status", Static).content
    assert isinstance(content, Text)
    return content.plain


def _burst(app: StrideApp, keys: list[str]) -> None:
    """Queue ``keys`` all at once, as a terminal read delivers them on a busy machine."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


PLACED_KEYS = [
    *"[In",
    "tab",  # [Internet]: a zone, completed for a new model's boundary
    *"Customer>[Clu",
    "tab",
    *"API gateway>Refund service>Payments service,Refund events queue,[+Data tier]Ledger DB,Audit log",
    "ctrl+s",  # applies the line and saves the file
]


def test_a_whole_placed_chain_typed_in_one_burst_is_applied_and_saved_by_ctrl_s(tmp_path: Path) -> None:
    path = tmp_path / "refund.toml"  # a new model: the editor starts on an empty one

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        sketch = await _open(app, pilot)
        _burst(app, PLACED_KEYS)  # all queued at once: faster than any typist
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert sketch.error is None, sketch.error
        assert app.screen is sketch and sketch.line.value == ""
        saved = load_model(path).model
        assert saved == editor.model and "unsaved" not in editor.sub_title
        assert {cid: (c.name, c.kind, c.boundary) for cid, c in saved.components.items()} == {
            "customer": ("Customer", "external_entity", "internet"),
            "api-gateway": ("API gateway", "process", "cluster"),
            "refund-service": ("Refund service", "process", "cluster"),
            "payments-service": ("Payments service", "process", "cluster"),
            "refund-events-queue": ("Refund events queue", "data_store", "cluster"),
            "ledger-db": ("Ledger DB", "data_store", "data-tier"),
            "audit-log": ("Audit log", "data_store", "data-tier"),
        }
        assert {bid: (b.name, b.parent) for bid, b in saved.boundaries.items()} == {
            "internet": ("Internet", None),
            "cluster": ("Cluster", None),
            "data-tier": ("Data tier", "cluster"),
        }
        assert len(saved.flows) == 6
        await pilot.press("ctrl+z")  # the whole line was one edit
        await pilot.pause()
        assert not editor.model.components and not editor.model.boundaries

    run(path, scenario)


def test_ctrl_s_on_a_line_with_a_problem_saves_nothing_and_keeps_the_line(tmp_path: Path) -> None:
    path = write(tmp_path)
    before = path.read_bytes()

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        sketch = await _open(app, pilot)
        await pilot.press(*"Worker (process)", "enter")  # applied, not saved yet
        await pilot.press(*"API > [+Data tier] Ledger DB", "ctrl+s")
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert sketch.line.value == "API > [+Data tier] Ledger DB"
        assert sketch.error is not None and "nests in the boundary named before it" in sketch.error.message
        assert "nothing saved" in _status(sketch)
        assert path.read_bytes() == before and "unsaved" in editor.sub_title
        await pilot.press("home", "ctrl+k", "ctrl+s")  # an empty line: ctrl+s only saves
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert "worker" in load_model(path).model.components

    run(path, scenario)


def test_the_verdict_typed_with_d_in_one_read_is_never_lost(tmp_path: Path) -> None:
    """`d m` read together: m passes the main screen before d has opened the dialog, and reaches
    the app with the dialog on top; it still decides (it was lost before)."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen, threat_id = await on_an_open_threat(app, pilot)
        _burst(app, ["d", "m"])
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert isinstance(app.screen, MainScreen)
        assert screen.model.decisions[threat_id].status == "mitigated"

    run(write(tmp_path), scenario)


def test_keys_after_the_verdict_go_back_to_the_main_screen_in_order(tmp_path: Path) -> None:
    """`a d t` typed while the dialog opened by `d` is still held: a decides, and the `d` `t` after
    it reach the main screen, which opens a second dialog that `t` answers; in the order typed."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen, threat_id = await on_an_open_threat(app, pilot)
        app.post_message(events.Key("d", "d"))
        for _ in range(10_000):  # the dialog is pushed, not mounted: the next keys are held
            if isinstance(app.screen, DecideDialog):
                break
            await asyncio.sleep(0)
        dialog = app.screen
        assert isinstance(dialog, DecideDialog) and dialog.holding_keys
        _burst(app, ["a", "d", "t"])
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert isinstance(app.screen, MainScreen)
        history = screen.document.history
        assert history.undo_label == f"decide {threat_id}: transferred"  # the cursor stayed on it
        history.undo()
        assert history.undo_label == f"decide {threat_id}: accepted"

    run(write(tmp_path), scenario)


def test_tab_read_while_a_drop_down_list_is_open_goes_to_the_next_field(tmp_path: Path) -> None:
    """In a form, `enter` has opened the first drop-down's list when the rest of a burst is read:
    the priority tab goes to the next field, not into that list, and every key lands in order."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("1")
        form = await open_form(app, pilot, "f", FlowForm)
        await pilot.press("shift+tab")  # "from" is the selected component; the form opens on "to"
        await pilot.press("enter")  # the "from" list opens
        await pilot.pause()
        box = form.field("from").control
        assert isinstance(box, ChoiceBox) and box.expanded
        _burst(app, [*"db", "enter", "tab", "enter", *"user", "enter", "tab", *"sync"])
        await settle(app, pilot)
        await pilot.pause(0.3)
        values = form.values()
        assert (values["from"], values["to"], values["name"]) == ("db", "user", "sync"), values

    run(write(tmp_path), scenario)
