"""The file on disk: changes made elsewhere are noticed within seconds, and a save that cannot
be written (read-only file or folder, full disk) keeps every edit and says why."""

from __future__ import annotations

import asyncio
import errno
from pathlib import Path

import pytest
from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.core.files.loader import load_model
from stride_tui.screens import ChoiceScreen

from .harness import MODEL, add_component, main_screen, run, settle, wait_for, wait_workers, write

THEIRS = MODEL.replace('title = "Shop"', 'title = "Theirs"')


async def poll(app: StrideApp, pilot: Pilot) -> None:
    """What the two-second timer does, now."""
    main_screen(app).guard.poll_disk()
    await wait_workers(app, "disk-poll")
    await pilot.pause()


def test_a_change_on_disk_during_an_edit_asks_and_overwrite_keeps_mine(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await add_component(app, pilot, "Web")
        path.write_text(THEIRS)  # git checkout, another editor…
        await poll(app, pilot)
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "The file changed on disk"
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.pause()
        assert not screen.document.dirty
        await poll(app, pilot)  # our own save is not a change
        assert app.screen is screen

    run(path, scenario)
    model = load_model(path).model
    assert "web" in model.components and model.model.title == "Shop"


def test_a_change_on_disk_during_an_edit_can_be_reloaded(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await add_component(app, pilot, "Web")
        path.write_text(THEIRS)
        await poll(app, pilot)
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.pause()
        assert screen.model.model.title == "Theirs" and "web" not in screen.model.components

    run(path, scenario)
    assert path.read_text() == THEIRS


def test_later_asks_once_and_the_save_still_checks(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await add_component(app, pilot, "Web")
        path.write_text(THEIRS)
        await poll(app, pilot)
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("l")
        await pilot.pause()
        await poll(app, pilot)
        assert not isinstance(app.screen, ChoiceScreen)  # not asked again for the same change
        await pilot.press("ctrl+s")
        await wait_for(app, pilot, ChoiceScreen)  # the save checks before writing
        await pilot.press("c")
        await pilot.pause()

    run(path, scenario)
    assert path.read_text() == THEIRS


def test_a_change_on_disk_without_edits_reloads(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        path.write_text(THEIRS)
        await poll(app, pilot)
        await settle(app, pilot)
        assert main_screen(app).model.model.title == "Theirs"

    run(path, scenario)


def test_a_change_is_not_asked_about_while_a_form_is_open(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await add_component(app, pilot, "Web")
        await pilot.press("c")
        await pilot.pause()
        path.write_text(THEIRS)
        await poll(app, pilot)
        assert type(app.screen).__name__ == "ComponentForm"
        await pilot.press("escape")
        await pilot.pause()
        await poll(app, pilot)
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "The file changed on disk"
        await pilot.press("l")  # later: keep editing
        await pilot.pause()
        screen = main_screen(app)
        assert app.screen is screen
        assert "web" in screen.model.components and screen.document.dirty
        await poll(app, pilot)
        assert app.screen is screen  # the same change is asked about once

    run(path, scenario)
    assert load_model(path).model.model.title == "Theirs"  # nothing was written over their change


def run_with_notifications(path: Path, scenario) -> StrideApp:
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def save_fails(path: Path, expected: str):
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await add_component(app, pilot, "Web")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(expected in m and "still in the editor" in m for m in messages), messages
        assert "web" in screen.model.components and screen.document.dirty

    return scenario


def test_a_read_only_file_is_not_saved_over(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.chmod(0o444)  # even root is refused: the user marked it read-only
    run_with_notifications(path, save_fails(path, "read-only"))
    assert path.read_text() == MODEL and [p.name for p in tmp_path.iterdir()] == ["model.toml"]


def test_a_read_only_folder_keeps_the_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)

    def denied(*args, **kwargs):  # what a non-root user gets in a read-only folder (tests run as root)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("stride_tui.core.files.storage.tempfile.mkstemp", denied)
    run_with_notifications(path, save_fails(path, "permission denied"))
    assert path.read_text() == MODEL


def test_a_full_disk_keeps_the_edits_and_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("stride_tui.core.files.storage.os.fsync", full)
    run_with_notifications(path, save_fails(path, "disk full"))
    assert path.read_text() == MODEL and [p.name for p in tmp_path.iterdir()] == ["model.toml"]
