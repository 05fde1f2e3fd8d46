"""Each part of the main screen on its own, in a bare app: the state it owns and the messages it posts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.widget import Widget

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.editing.document import Document
from stride_tui.core.editing.put import put_component
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.recovery import recovery_path
from stride_tui.core.model.elements import Process
from stride_tui.screens import ChoiceScreen
from stride_tui.screens.disk_guard import DiskGuard
from stride_tui.screens.edit_dialogs import EditDialogs
from stride_tui.screens.export_screen import ExportRequest
from stride_tui.screens.export_status import ExportStatus
from stride_tui.screens.model_file import ModelFile
from stride_tui.screens.session_bar import SessionBar
from widgets import ComponentTable
from widgets.diagram_pane import DiagramPane
from widgets.diagram_view import DiagramView
from widgets.element_panes import ElementPanes

from .harness import MODEL, wait_for, wait_workers, write


class Host(App[None]):
    """A bare app around one part; it keeps every message the part posts."""

    def __init__(self, part: Widget) -> None:
        super().__init__()
        self.part = part
        self.posted: list[Message] = []

    def compose(self) -> ComposeResult:
        yield self.part

    def post_message(self, message: Message) -> bool:
        # the part's messages bubble through the screen up to here
        if type(message).__qualname__.split(".")[0] == type(self.part).__name__:
            self.posted.append(message)
        return super().post_message(message)


def host(part: Widget, scenario: Callable[[Host, Pilot], Awaitable[None]]) -> Host:
    app = Host(part)

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def opened(tmp_path: Path) -> Document:
    path = write(tmp_path)
    loaded = load_model(path)
    return Document(path, loaded.model, loaded)


def edited(document: Document) -> None:
    assert document.history.record(put_component(document.model, "web", Process(kind="process", name="Web")), "add")


def test_the_journal_waits_for_a_pause_in_typing_but_not_for_ever(tmp_path: Path) -> None:
    document = opened(tmp_path)
    journal = recovery_path(document.path)

    async def ticked(app: Host, pilot: Pilot, guard: DiskGuard) -> bool:
        guard.journal_tick()
        await wait_workers(app, "journal")
        await pilot.pause()
        return journal.exists()

    async def scenario(app: Host, pilot: Pilot) -> None:
        guard = app.part
        assert isinstance(guard, DiskGuard)
        edited(document)
        app.last_key_time = time.monotonic()  # typing
        assert not await ticked(app, pilot, guard)
        app.last_key_time = time.monotonic() - guard.journal_quiet - 0.1  # a pause
        assert await ticked(app, pilot, guard)
        guard.discard_journal()
        # typing on without a pause: written once the edits have waited long enough
        guard.journal_longest = 0.3
        assert document.history.record(
            put_component(document.model, "worker", Process(kind="process", name="Worker")), "add"
        )
        app.last_key_time = time.monotonic()
        assert not await ticked(app, pilot, guard)
        await asyncio.sleep(0.35)
        app.last_key_time = time.monotonic()
        assert await ticked(app, pilot, guard)
        assert "worker" in journal.read_text(encoding="utf-8")

    host(DiskGuard(document), scenario)


def test_the_diagram_pane_draws_only_while_shown_and_owns_its_layout(tmp_path: Path) -> None:
    model = opened(tmp_path).model

    async def scenario(app: Host, pilot: Pilot) -> None:
        pane = app.part
        assert isinstance(pane, DiagramPane)
        pane.display = False
        pane.show(model, None, None)
        assert pane.query_one(DiagramView).diagram is None  # hidden: nothing drawn
        pane.layout_mode = "layered"
        pane.open(model, None, "internet")
        await pilot.pause()
        assert pane.display and pane.query_one(DiagramView).has_focus
        assert pane.query_one(DiagramView).diagram is not None
        assert "boundary Internet" in str(pane.query_one("#diagram-title").visual)
        assert pane.next_boundary(None, 1) == "internet"
        assert pane.next_boundary("cluster", 1) is None  # past the last: none
        assert pane.next_boundary(None, -1) == "cluster"
        pane.toggle_layout()
        assert pane.layout_mode == "auto"

    host(DiagramPane(), scenario)


def test_the_session_bar_walks_its_clock_and_posts_finished(tmp_path: Path) -> None:
    model = opened(tmp_path).model
    now = [0.0]

    async def scenario(app: Host, pilot: Pilot) -> None:
        bar = app.part
        assert isinstance(bar, SessionBar)
        bar.clock = lambda: now[0]
        bar.start((1, 1, 1), model)
        assert bar.session is not None and bar.minutes == (1, 1, 1) and bar.display
        bar.toggle_pause()
        now[0] = 500.0
        bar.tick()
        assert "(paused)" in bar.text
        bar.toggle_pause()
        bar.stop()
        await pilot.pause()
        assert bar.session is None and not bar.display
        assert bar.timer is not None
        finished = [m for m in app.posted if isinstance(m, SessionBar.Finished)]
        assert len(finished) == 1 and finished[0].start is model and finished[0].elapsed == 0.0

    host(SessionBar(), scenario)


def test_the_disk_guard_asks_for_a_reload_and_journals_unsaved_edits(tmp_path: Path) -> None:
    document = opened(tmp_path)

    async def scenario(app: Host, pilot: Pilot) -> None:
        guard = app.part
        assert isinstance(guard, DiskGuard)
        document.path.write_text(MODEL.replace('"Shop"', '"Theirs"'), encoding="utf-8")
        guard.poll_disk()
        await wait_workers(app, "disk-poll")
        await pilot.pause()
        assert [type(m) for m in app.posted] == [DiskGuard.ReloadWanted]
        guard.poll_disk()  # the same change is news once
        await wait_workers(app, "disk-poll")
        await pilot.pause()
        assert len(app.posted) == 1 and not guard.checking
        edited(document)
        guard.refresh_journal()
        await wait_workers(app, "journal")
        await pilot.pause()
        assert recovery_path(document.path).exists()
        assert guard.emergency_save() == recovery_path(document.path)
        guard.discard_journal()
        assert not recovery_path(document.path).exists()

    host(DiskGuard(document), scenario)


def test_the_model_file_posts_saved_and_reloaded(tmp_path: Path) -> None:
    document = opened(tmp_path)

    async def scenario(app: Host, pilot: Pilot) -> None:
        file = app.part
        assert isinstance(file, ModelFile)
        edited(document)
        assert await file.save()
        await pilot.pause()
        saved = [m for m in app.posted if isinstance(m, ModelFile.Saved)]
        assert len(saved) == 1 and saved[0].path == saved[0].previous == document.path
        assert not document.dirty
        assert await file.reload()
        await pilot.pause()
        assert isinstance(app.posted[-1], ModelFile.Reloaded)

    host(ModelFile(document), scenario)


def test_the_edit_dialogs_post_the_confirmed_delete(tmp_path: Path) -> None:
    model = opened(tmp_path).model

    async def scenario(app: Host, pilot: Pilot) -> None:
        dialogs = app.part
        assert isinstance(dialogs, EditDialogs)
        dialogs.delete(model, "components", "db")
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("y")
        await pilot.pause()
        edits = [m for m in app.posted if isinstance(m, EditDialogs.Edited)]
        assert len(edits) == 1 and edits[0].label == "delete component db"
        assert "db" not in edits[0].model.components and "api-to-db" not in edits[0].model.flows

    host(EditDialogs(), scenario)


def test_the_export_line_runs_an_export_and_counts_it(tmp_path: Path) -> None:
    model = opened(tmp_path).model
    target = tmp_path / "stories.md"

    async def scenario(app: Host, pilot: Pilot) -> None:
        line = app.part
        assert isinstance(line, ExportStatus)
        line.start(ExportRequest("stories", "markdown", target), model, None, lambda m: analyse(m, builtin_rules()))
        assert line.running == 1 and "Exporting the" in line.text
        await wait_workers(app, "export")
        await pilot.pause()
        assert line.running == 0 and not line.display
        assert target.read_text(encoding="utf-8").startswith("# ")

    host(ExportStatus(), scenario)


def test_the_element_panes_post_one_selected_message_and_answer_the_target(tmp_path: Path) -> None:
    model = opened(tmp_path).model

    async def scenario(app: Host, pilot: Pilot) -> None:
        panes = app.part
        assert isinstance(panes, ElementPanes)
        panes.show(model)
        app.set_focus(None)
        await pilot.pause()
        assert panes.target() is None  # no pane has the focus
        panes.query_one(ComponentTable).focus()
        await pilot.pause()
        selected = [m for m in app.posted if isinstance(m, ElementPanes.Selected)]
        assert selected and (selected[-1].kind, selected[-1].element_id) == ("component", "user")
        assert panes.target() == ("components", "user")
        panes.reveal("components", "db")
        await pilot.pause()
        assert panes.target() == ("components", "db")

    host(ElementPanes(), scenario)
