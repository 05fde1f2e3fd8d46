"""Never losing work: a crash, a signal or a kill leaves a recovery file that the next start
offers to restore; a second editor on the same file is warned; a tiny terminal shows a notice."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.recovery import _marker, read_recovery, recovery_path
from stride_tui.screens import ChoiceScreen, MainScreen
from stride_tui.screens.too_small_screen import TooSmallScreen

from .harness import MODEL, add_component, main_screen, run, settle, wait_for, wait_workers, write

SECRET = "Secret-Ledger"
ORIGINAL_HELP = MainScreen.action_help


def crash_on_help(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: MainScreen) -> None:
        raise RuntimeError("bug in an action")

    monkeypatch.setattr(MainScreen, "action_help", broken)


def test_an_exception_in_an_action_leaves_a_recovery_file_that_the_next_start_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    crash_on_help(monkeypatch)

    async def crash(app: StrideApp, pilot: Pilot) -> None:
        await add_component(app, pilot, SECRET)
        await pilot.press("question_mark")
        await pilot.pause()

    with pytest.raises(RuntimeError, match="bug in an action"):
        run(path, crash)
    assert path.read_text() == MODEL  # nothing was saved
    recovery = read_recovery(path)
    assert recovery is not None and "secret-ledger" in recovery.model.components
    assert oct(recovery_path(path).stat().st_mode & 0o777) == "0o600"
    out, err = capsys.readouterr()
    assert SECRET not in out + err and "locals" not in out + err  # no traceback with model data
    monkeypatch.setattr(MainScreen, "action_help", ORIGINAL_HELP)

    async def restore(app: StrideApp, pilot: Pilot) -> None:
        await wait_for(app, pilot, ChoiceScreen)
        assert isinstance(app.screen, ChoiceScreen) and app.screen.question == "Restore unsaved changes?"
        await pilot.press("r")
        await pilot.pause()
        screen = main_screen(app)
        assert "secret-ledger" in screen.model.components and screen.document.dirty
        await pilot.press("ctrl+s")
        await wait_workers(app, "file")  # the save runs in a worker: under load it can outlast settle
        await settle(app, pilot)
        assert not screen.document.dirty

    run(path, restore)
    assert "secret-ledger" in load_model(path).model.components
    assert read_recovery(path) is None  # a successful save removes it


def test_the_crash_message_names_the_recovery_file_and_not_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path)
    crash_on_help(monkeypatch)
    holder: list[StrideApp] = []

    async def crash(app: StrideApp, pilot: Pilot) -> None:
        holder.append(app)
        await add_component(app, pilot, SECRET)
        await pilot.press("question_mark")
        await pilot.pause()

    with pytest.raises(RuntimeError):
        run(path, crash)
    app = holder[0]
    message = app._crash_message()
    assert "RuntimeError" in message and str(recovery_path(path)) in message and SECRET not in message
    assert app.return_code == 1


def test_discarding_the_recovery_opens_the_file_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)
    crash_on_help(monkeypatch)

    async def crash(app: StrideApp, pilot: Pilot) -> None:
        await add_component(app, pilot, "Web")
        await pilot.press("question_mark")
        await pilot.pause()

    with pytest.raises(RuntimeError):
        run(path, crash)
    monkeypatch.setattr(MainScreen, "action_help", ORIGINAL_HELP)

    async def discard(app: StrideApp, pilot: Pilot) -> None:
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("d")
        await pilot.pause()
        screen = main_screen(app)
        assert "web" not in screen.model.components and not screen.document.dirty

    run(path, discard)
    assert read_recovery(path) is None


def test_sigterm_keeps_unsaved_edits_and_exits_cleanly(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def terminated(app: StrideApp, pilot: Pilot) -> None:
        await add_component(app, pilot, "Web")
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the app's event loop, not fatal
        for _ in range(20):
            await asyncio.sleep(0.05)
            if app.return_code is not None:
                break

    app = run(path, terminated)
    assert app.return_code == 128 + signal.SIGTERM
    recovery = read_recovery(path)
    assert recovery is not None and "web" in recovery.model.components


def test_sighup_without_edits_leaves_nothing(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def hung_up(app: StrideApp, pilot: Pilot) -> None:
        app.handle_termination_signal(signal.SIGHUP)
        await pilot.pause()

    app = run(path, hung_up)
    assert app.return_code == 128 + signal.SIGHUP and read_recovery(path) is None


def test_the_journal_keeps_unsaved_edits_and_goes_away_with_them(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        screen.guard.refresh_journal()
        await wait_workers(app)
        assert read_recovery(path) is None  # nothing unsaved, nothing written
        await add_component(app, pilot, "Web")
        screen.guard.refresh_journal()
        await wait_workers(app)
        await pilot.pause()
        recovery = read_recovery(path)
        assert recovery is not None and "web" in recovery.model.components  # as kill -9 would find it
        written = recovery_path(path).stat().st_mtime_ns
        screen.guard.refresh_journal()  # unchanged since: not written again
        await wait_workers(app)
        assert recovery_path(path).stat().st_mtime_ns == written
        await pilot.press("ctrl+z")  # back to what the file holds: nothing to recover
        await pilot.pause()
        screen.guard.refresh_journal()
        await pilot.pause()
        assert read_recovery(path) is None
        await add_component(app, pilot, "Cache")
        screen.guard.refresh_journal()
        await wait_workers(app)
        await pilot.pause()
        assert read_recovery(path) is not None
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert read_recovery(path) is None

    run(path, scenario)


def test_quitting_without_saving_removes_the_journal(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await add_component(app, pilot, "Web")
        screen.guard.refresh_journal()
        await wait_workers(app)
        await pilot.pause()
        assert read_recovery(path) is not None
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")  # quit without saving: a deliberate discard
        await pilot.pause()

    run(path, scenario)
    assert read_recovery(path) is None and path.read_text() == MODEL


def test_a_second_instance_is_warned_and_the_marker_released(tmp_path: Path) -> None:
    path = write(tmp_path)
    marker = _marker(path)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("1")  # pid 1 is always alive: "another editor"

    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(app, pilot)
            assert app.other_instance == 1
            assert any("pid 1" in n.message for n in app._notifications)

    asyncio.run(main())
    assert marker.read_text() == "1"  # not ours to remove
    marker.unlink()

    async def alone(app: StrideApp, pilot: Pilot) -> None:
        assert app.other_instance is None
        assert marker.read_text() == str(os.getpid())

    run(path, alone)
    assert not marker.exists()  # released on exit


def test_a_terminal_too_small_shows_a_notice_and_recovers(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await add_component(app, pilot, "Web")
        await pilot.resize_terminal(50, 15)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "too small" in str(app.screen.query_one("#too-small-text").visual)
        await pilot.press("c")  # keys do nothing here
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "web" in app.screen.model.components and app.screen.document.dirty

    run(path, scenario)


def test_starting_in_a_tiny_terminal_then_growing(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

    run(path, scenario, size=(40, 10))
