"""The sketch line in the editor: one key opens it, each line is one undoable edit, problems stay
in place, Tab completes names, and no key typed while it opens is lost."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from stride_tui.app import StrideApp
from stride_tui.core.editing.sketch import SYNTAX
from stride_tui.core.files.loader import load_model
from stride_tui.screens import MainScreen
from stride_tui.screens.help_screen import HelpScreen
from stride_tui.screens.sketch_screen import SketchScreen

from .harness import main_screen, run, settle, wait_for, write


async def _open(app: StrideApp, pilot: Pilot) -> SketchScreen:
    await pilot.press("a")
    await wait_for(app, pilot, SketchScreen)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SketchScreen)
    return screen


def _status(screen: SketchScreen) -> str:
    """The status under the line, as text (what the user reads)."""
    content = screen.query_one("#sketch-status", Static).content
    assert isinstance(content, Text)
    return content.plain


def test_enter_applies_each_line_as_one_undoable_edit_and_keeps_the_line_open(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        before = editor.model
        sketch = await _open(app, pilot)
        assert sketch.line.placeholder == SYNTAX
        await pilot.press(*"[Cluster] Refund service", "enter")
        await pilot.press(*"API > Refund service > Ledger DB : https, jwt", "enter")
        await pilot.pause()
        assert app.screen is sketch and sketch.line.value == ""  # open for the next line
        model = editor.model
        assert model.components["refund-service"].boundary == "cluster"
        assert model.components["ledger-db"].kind == "data_store"  # guessed, and said so
        flow = model.flows["refund-service-to-ledger-db"]
        assert (flow.protocol, flow.encrypted, flow.authentication) == ("https", True, "jwt")
        assert model.flows["api-to-refund-service"].authentication == "jwt"
        assert "added flow refund-service-to-ledger-db" in _status(sketch)
        assert "unsaved" in editor.sub_title
        # the panes behind show the edit at once
        assert "refund-service" in [row.key for row in editor.query_one("#components").rows]  # type: ignore[attr-defined]
        await pilot.press("ctrl+z")  # the whole second line, both flows and the new store, goes
        await pilot.pause()
        assert "ledger-db" not in editor.model.components
        assert "api-to-refund-service" not in editor.model.flows
        assert "refund-service" in editor.model.components
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert editor.model == before
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

    run(write(tmp_path), scenario)


def test_a_line_with_a_problem_stays_as_typed_with_the_fault_shown(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        before = editor.model
        sketch = await _open(app, pilot)
        line = "API > Ledger DB : postgres, tlx"
        await pilot.press(*line, "enter")
        await pilot.pause()
        assert sketch.line.value == line and sketch.line.cursor_position == len(line)
        assert sketch.error is not None and line[sketch.error.start : sketch.error.end] == "tlx"
        shown = _status(sketch)
        assert "'tlx' is not a fact of a flow (did you mean 'tls'?)" in shown
        assert line in shown  # the line again, its faulty part highlighted
        assert editor.model == before  # nothing of a faulty line is applied
        await pilot.press("backspace", "s", "enter")
        await pilot.pause()
        assert sketch.error is None and sketch.line.value == ""
        assert editor.model.flows["api-to-ledger-db"].protocol == "postgres"

    run(write(tmp_path), scenario)


def test_tab_completes_names_and_boundaries(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        sketch = await _open(app, pilot)
        await pilot.press(*"Us", "tab", *" > Payments [Cl", "tab", "enter")
        await pilot.pause()
        assert sketch.error is None, sketch.error
        model = editor.model
        assert model.components["payments"].boundary == "cluster"
        assert [(f.source, f.target) for f in model.flows.values()][-1] == ("user", "payments")
        await pilot.press(*"Payments > ", "tab")  # nothing typed yet: nothing to complete
        await pilot.pause()
        assert sketch.line.value == "Payments > "
        await pilot.press("A", "tab")  # API and api-to-db's ends: only API is a component
        await pilot.pause()
        assert sketch.line.value == "Payments > API"

    run(write(tmp_path), scenario)


def test_keys_typed_while_the_sketch_line_opens_reach_it_in_order(tmp_path: Path) -> None:
    """A burst right after `a`: the line, tab, enter and the next line, none lost or reordered."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        await pilot.press("1")
        app.post_message(events.Key("a", "a"))
        for _ in range(10_000):
            if isinstance(app.screen, SketchScreen):
                break
            await asyncio.sleep(0)
        sketch = app.screen
        assert isinstance(sketch, SketchScreen) and not sketch.is_mounted
        keys = [*"Us", "tab", *" > Audit log", "enter", *"Aud", "tab", *" : encrypted at rest", "enter"]
        for key in keys:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert sketch.error is None, sketch.error
        log = editor.model.components["audit-log"]
        assert (log.kind, log.is_log, log.encrypted_at_rest) == ("data_store", True, True)
        assert ("user", "audit-log") in [(f.source, f.target) for f in editor.model.flows.values()]
        assert sketch.line.value == ""

    run(write(tmp_path), scenario)


def test_ctrl_s_in_the_sketch_line_saves_the_file(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        sketch = await _open(app, pilot)
        await pilot.press(*"Refunds (process) [Cluster]", "enter", "ctrl+s")
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert app.screen is sketch
        assert load_model(path).model.components["refunds"].boundary == "cluster"
        assert "unsaved" not in main_screen(app).sub_title

    run(path, scenario)


def test_help_documents_the_sketch_syntax_and_the_key(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("question_mark")
        await wait_for(app, pilot, HelpScreen)
        await pilot.pause()
        console = Console(width=400, record=True, file=None)
        with console.capture() as capture:
            for static in app.screen.query(Static):
                console.print(static.content)
        text = capture.get()
        assert SYNTAX in text
        assert "Tab completes" in text and "one undoable edit" in text
        assert "sketch line" in text

    run(write(tmp_path), scenario)


def test_the_line_takes_hostile_text_as_data(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        before = editor.model
        sketch = await _open(app, pilot)
        sketch.line.insert_text_at_cursor("[bold]x[/bold] > API : zz\x1b[31m")
        await pilot.press("enter")
        await pilot.pause()
        shown = _status(sketch)
        assert "\x1b" not in shown  # the escape character never reaches the terminal
        assert "[bold]x[/bold]" in shown  # shown literally, never as markup
        assert sketch.query_one("#sketch-input", Input).value.startswith("[bold]")
        assert editor.model == before

    run(write(tmp_path), scenario)


def test_the_screen_behind_the_sketch_line_shows_each_line_as_it_is_applied(tmp_path: Path) -> None:
    """The dimmed screen under a dialog is drawn again once something on it changed (it is
    kept between the dialog's repaints otherwise): each line shows behind the sketch line."""

    def behind(app: StrideApp) -> str:
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(app.screen._compositor)  # the dialog's frame, with the screen under it
        return console.export_text()

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await _open(app, pilot)
        await pilot.press(*"Refund service", "enter")
        await pilot.pause()
        assert "refund-service" in behind(app)
        await pilot.press(*"Ledger DB", "enter")  # the same panes change again
        await pilot.pause()
        assert "ledger-db" in behind(app)

    run(write(tmp_path), scenario)
