"""The editor test harness: a small model, running a Pilot scenario, waiting, typing, reading the screen.

pytest-asyncio is not a dependency, so each Pilot scenario runs under ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, TextArea

from stride_tui.app import StrideApp
from stride_tui.screens import MainScreen
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.form_screen import FormScreen
from widgets import StridePanel

MODEL = """\
stride_tui = 1

[model]
title = "Shop"

[boundaries.internet]
name = "Internet"
internet = true

[boundaries.cluster]
name = "Cluster"

[components.user]
kind = "external_entity"
name = "User"
boundary = "internet"

[components.api]
kind = "process"
name = "API"
boundary = "cluster"

[components.db]
kind = "data_store"
name = "DB"
boundary = "cluster"

[flows.api-to-db]
from = "api"
to = "db"
encrypted = true
"""

Scenario = Callable[[StrideApp, Pilot], Awaitable[None]]
WAIT_SECONDS = 20.0
"""The longest any helper here waits for workers (a slow CI machine analyses in well under that)."""


def write(tmp_path: Path, text: str = MODEL, name: str = "model.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, scenario: Scenario, *, size: tuple[int, int] = (120, 40)) -> StrideApp:
    """Run ``scenario`` on a StrideApp editing ``path`` once the model is open and analysed."""
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return app


async def wait_workers(app: StrideApp, *groups: str, timeout: float = WAIT_SECONDS) -> None:
    """Wait until the running workers of ``groups`` (of every group, if none) are done, at most
    ``timeout`` seconds: a worker that waits on a dialog's answer fails the test, never hangs it."""
    busy = [w for w in app.workers if not w.is_finished and (not groups or w.group in groups)]
    if busy:
        await asyncio.wait_for(app.workers.wait_for_complete(busy), timeout)


async def settle(app: StrideApp, pilot: Pilot) -> None:
    """Let opening, analysis and refreshes finish (never waits on a dialog's answer)."""
    for _ in range(3):
        await wait_workers(app, "open-model", "analysis")
        await pilot.pause()


def main_screen(app: StrideApp) -> MainScreen:
    screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))
    return screen


async def type_text(pilot: Pilot, text: str) -> None:
    """Enter ``text`` where the focus is: straight into an input or text box (typing it key by key
    is slow and not what these tests test; tests of typing press keys themselves), else as keys."""
    await pilot.pause()  # a focus() just called lands first
    focused = pilot.app.focused
    if isinstance(focused, Input):
        focused.insert_text_at_cursor(text)
    elif isinstance(focused, TextArea):
        focused.insert(text)
    else:
        await pilot.press(*text)
    await pilot.pause()


async def clear_and_type(pilot: Pilot, text: str) -> None:
    """Replace what the focused input holds with ``text``."""
    await pilot.pause()  # a focus() just called lands first
    focused = pilot.app.focused
    if isinstance(focused, Input):
        focused.value = text
        focused.cursor_position = len(text)
        await pilot.pause()
        return
    await pilot.press("home", "ctrl+k")  # to the start, delete everything right of it
    await type_text(pilot, text)


def rendered(widget: Widget) -> str:
    """What the screen shows where ``widget`` is (children included), one line per row."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()
    rows = strips[region.y : region.bottom]
    return "\n".join(strip.crop(region.x, region.right).text for strip in rows)


async def open_form(app: StrideApp, pilot: Pilot, key: str, cls: type[FormScreen]) -> FormScreen:
    """Press ``key`` and wait until its form has focused its first field (a test's own
    ``focus()`` after this is never undone by the form's opening)."""
    await pilot.press(key)
    for _ in range(100):
        await pilot.pause()
        screen = app.screen
        if isinstance(screen, cls) and screen.is_mounted and not screen.holding_keys:
            return screen
    raise AssertionError(f"{cls.__name__} did not open; on top: {app.screen}")


async def save_form(app: StrideApp, pilot: Pilot) -> None:
    """Apply the open form with its Apply button (focused, then enter): the edit is made, the
    file is not saved (ctrl+s in a form would save the file too)."""
    pilot.app.screen.query_one("#form-apply").focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, MainScreen), f"form still open: {getattr(app.screen, 'errors', None)}"


async def add_component(app: StrideApp, pilot: Pilot, name: str) -> None:
    await open_form(app, pilot, "c", ComponentForm)
    await type_text(pilot, name)
    await save_form(app, pilot)


async def wait_for(app: StrideApp, pilot: Pilot, cls: type) -> None:
    """Wait (a little) until a screen of ``cls`` is on top: dialogs open from workers."""
    for _ in range(40):
        if isinstance(app.screen, cls):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{cls.__name__} never opened; on top: {app.screen}")


async def on_an_open_threat(app: StrideApp, pilot: Pilot) -> tuple[MainScreen, str]:
    """The STRIDE panel focused, its cursor on the first open threat (whose id is returned)."""
    screen = main_screen(app)
    await pilot.press("escape", "4")
    await pilot.pause()
    panel = screen.query_one(StridePanel)
    threat = next(t for t in panel.threats if t.status == "open")
    panel.table.move_cursor_to_key(threat.id, post=True)
    await pilot.pause()
    return screen, threat.id
