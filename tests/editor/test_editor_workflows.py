"""The editor as a user drives it: forms, the live STRIDE panel, decisions, files, undo, quitting.

pytest-asyncio is not a dependency, so each Pilot scenario runs under ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Button

from stride_tui.app import StrideApp
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.scope import boundary_scope
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import SaveError
from stride_tui.screens import ChoiceScreen, MainScreen
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.decide_dialog import ThreatDecisionForm
from stride_tui.screens.disk_guard import DiskGuard
from stride_tui.screens.flow_form import FlowForm
from stride_tui.screens.form_screen import FormScreen
from stride_tui.screens.threat_form import ThreatForm
from widgets import BoundaryTree, ComponentTable, DetailView, FlowTable, StridePanel

from ..shared import SAMPLES
from .harness import (
    MODEL,
    clear_and_type,
    main_screen,
    open_form,
    rendered,
    run,
    save_form,
    settle,
    type_text,
    wait_for,
    write,
)

# ------------------------------------------------------------------- components


def test_add_a_component_with_the_keyboard(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        assert form.focused is form.field("name").control
        await type_text(pilot, "Fraud API")
        assert form.field("id").value == "fraud-api"  # proposed from the name as it is typed
        await pilot.press("tab", "tab")  # id, then kind: process (the default)
        await pilot.press("tab", "tab")  # boundary, technology
        await type_text(pilot, "python")
        # language model (skipped), privileged: yes, forwards and authorisation (skipped), audit log: no
        await pilot.press("tab", "tab", "y", "tab", "tab", "tab", "n")
        await save_form(app, pilot)

        screen = main_screen(app)
        component = screen.model.components["fraud-api"]
        assert (component.kind, component.name, component.technology) == ("process", "Fraud API", "python")
        assert component.privileged is True and component.audit_log is False
        assert component.least_privilege is None  # untouched facts stay unknown
        assert screen.query_one(ComponentTable).selected_id == "fraud-api"
        assert screen.selection == ("component", "fraud-api")
        categories = {f.category for f in screen.query_one(StridePanel).findings}
        assert "repudiation" in categories  # privileged without an audit log
        assert "unsaved" in screen.sub_title

    run(write(tmp_path), scenario)


def test_forms_validate_as_you_type(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Api")
        await pilot.pause()
        assert form.field("id").value == "api-2"  # `api` is taken
        await pilot.press("tab")
        await clear_and_type(pilot, "api")
        await pilot.pause()
        assert form.errors["id"] == "`api` is already the id of a component"
        assert "already the id" in rendered(form.field("id"))
        assert form.query_one("#form-save", Button).disabled
        await pilot.press("ctrl+s")
        assert app.screen is form  # nothing saved while a field is wrong
        await clear_and_type(pilot, "Bad Id")
        await pilot.pause()
        assert "try `bad-id`" in form.errors["id"]
        await clear_and_type(pilot, "gateway")
        await pilot.pause()
        assert form.errors == {}
        assert not form.query_one("#form-save", Button).disabled
        form.field("technology").set_value("x" * 201)
        await pilot.pause()
        assert "too long" in form.errors["technology"]
        await pilot.press("escape")
        await wait_for(app, pilot, ChoiceScreen)  # the form was changed: esc asks first
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "gateway" not in main_screen(app).model.components

    run(write(tmp_path), scenario)


def test_changing_the_kind_shows_that_kinds_facts(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        assert form.field("audit_log").display and not form.field("is_log").display
        form.field("kind").set_value("data_store")
        await pilot.pause()
        assert not form.field("audit_log").display and form.field("is_log").display
        assert "audit_log" not in form.values() and "encrypted_at_rest" in form.values()

    run(write(tmp_path), scenario)


# ------------------------------------------------------------- flows and the panel


def test_add_a_flow_across_a_boundary_and_see_its_threats(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("1")  # components pane; cursor on `user`
        form = await open_form(app, pilot, "f", FlowForm)
        assert form.field("from").value == "user"  # the selected component
        form.field("to").set_value("api")
        await pilot.pause()
        assert form.field("id").value == "user-to-api"
        form.field("encrypted").set_value(False)
        form.field("authentication").set_value("none")
        await save_form(app, pilot)

        assert screen.model.flows["user-to-api"].authentication == "none"
        flows = screen.query_one(FlowTable)
        assert flows.get_row("user-to-api")[0].plain == "⇄"
        # select the cluster, which the flow enters: its threats are walked there, as crossing
        tree = screen.query_one(BoundaryTree)
        tree.focus()
        tree.select(("boundary", "cluster"))  # type: ignore[arg-type]
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        analysis = analyse(screen.model, builtin_rules())
        scope = boundary_scope(analysis, group_threats(analysis), "cluster")
        assert {t.id for t in panel.threats} == {t.id for t in scope.threats}
        crossing = {f.element_id for t in scope.crossing for f in t.findings}
        assert "user-to-api" in crossing
        categories = {c for t in panel.threats for c in t.categories}
        assert {"tampering", "information_disclosure"} <= categories
        painted = rendered(panel)
        assert "Crossing flows" in painted
        assert "Cluster" in str(panel.border_title)

    run(write(tmp_path), scenario)


def test_a_fact_change_updates_the_panel_at_once(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("1", "down")  # components pane: api
        panel = screen.query_one(StridePanel)
        before = {f.rule_id for f in panel.findings}
        assert "credentials-without-secrets-manager" in before
        form = await open_form(app, pilot, "e", ComponentForm)
        form.field("secrets").set_value("secrets_manager")
        await save_form(app, pilot)
        after = {f.rule_id for f in panel.findings}
        assert after == before - {"credentials-without-secrets-manager"}
        assert screen.selection == ("component", "api")

    run(write(tmp_path), scenario)


def test_filters_by_status_and_severity(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape")  # the whole model
        assert screen.selection is None
        panel = screen.query_one(StridePanel)
        total = len(panel.visible_findings)
        assert total == len(panel.findings) > 0
        await pilot.press("v", "v")  # at least high
        assert panel.severity_filter == "high"
        assert all(f.severity in ("high", "critical") for f in panel.visible_findings)
        await pilot.press("v", "v", "s", "s")  # severity any; status: all → undecided → open
        assert panel.status_filter == "open"
        assert all(f.status == "open" for f in panel.visible_findings)
        assert "status: open" in rendered(panel)

    run(write(tmp_path), scenario)


# ----------------------------------------------------------------- decisions


def test_decide_a_finding_save_and_reopen(tmp_path: Path) -> None:
    path = write(tmp_path)
    decided: list[str] = []

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")  # the whole model in the STRIDE panel
        panel = screen.query_one(StridePanel)
        assert panel.table.has_focus  # arriving puts the cursor on the first threat
        finding = panel.highlighted
        assert finding is not None
        console = Console(width=60, record=True, file=io.StringIO())
        console.print(screen.query_one(DetailView).shown)  # the pane scrolls
        assert "Why it fired" in console.export_text()
        await pilot.press("enter", "e")  # decide it, with a note and a ticket
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ThreatDecisionForm)
        form.field("status").set_value("mitigated")
        await type_text(pilot, "TLS everywhere")  # the note has focus
        await pilot.press("tab")
        await type_text(pilot, "SEC-1")
        await save_form(app, pilot)
        decision = screen.model.decisions[finding.id]
        assert (decision.status, decision.note, decision.ticket) == ("mitigated", "TLS everywhere", "SEC-1")
        shown = next(t for t in panel.threats if t.id == finding.id)
        assert shown.status == "mitigated"  # the panel follows at once
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "unsaved" not in screen.sub_title
        decided.append(finding.id)

    run(path, scenario)
    on_disk = load_model(path).model
    assert on_disk.decisions[decided[0]].ticket == "SEC-1"

    async def reopened(app: StrideApp, pilot: Pilot) -> None:
        panel = main_screen(app).query_one(StridePanel)
        await pilot.press("escape", "4")
        assert next(t for t in panel.threats if t.id == decided[0]).status == "mitigated"

    run(path, reopened)


def test_typing_right_after_d_e_goes_to_the_note(tmp_path: Path) -> None:
    """``d e`` asks for a note and a ticket: the letters typed straight after it are the note,
    not a search in the status drop-down (which keeps the threat's status)."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")
        threat = screen.query_one(StridePanel).highlighted
        assert threat is not None
        await pilot.press("d", "e", *"TLS here")  # no pause: typed ahead of both dialogs
        await wait_for(app, pilot, ThreatDecisionForm)
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ThreatDecisionForm)
        assert form.field("note").value == "TLS here"
        assert form.field("status").value == threat.status

    run(write(tmp_path), scenario)


def test_add_a_custom_threat_from_the_panel(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")
        panel = screen.query_one(StridePanel)
        highlighted = panel.highlighted
        assert highlighted is not None
        form = await open_form(app, pilot, "t", ThreatForm)
        assert form.field("target").value == highlighted.element_id
        assert form.field("category").value == highlighted.categories[0]
        await type_text(pilot, "Insider reads the cache")
        assert form.field("id").value == "insider-reads-the-cache"
        await save_form(app, pilot)
        threat = screen.model.threats["insider-reads-the-cache"]
        assert threat.category == highlighted.categories[0]
        custom = next(t for t in panel.threats if t.id == "insider-reads-the-cache")
        assert custom.findings[0].custom and panel.highlighted == custom
        # deciding it (one key) writes the threat's own status
        await pilot.press("enter", "a")
        await settle(app, pilot)
        assert screen.model.threats["insider-reads-the-cache"].status == "accepted"
        # e edits it, delete removes it
        await open_form(app, pilot, "e", ThreatForm)
        await pilot.press("escape", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.model.threats == {}

    run(write(tmp_path), scenario)


def test_orphan_decisions_are_shown_and_can_be_deleted(tmp_path: Path) -> None:
    path = tmp_path / "checkout.toml"
    shutil.copy(SAMPLES / "checkout.toml", path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        assert "1 orphan decision" in rendered(screen.query_one(StridePanel))
        await pilot.press("o")
        await pilot.pause()
        assert type(app.screen).__name__ == "OrphansScreen"
        assert "service-spoofing-no-mtls@checkout-to-payment" in rendered(app.screen.query_one("#orphans-table"))
        await pilot.press("x", "escape")
        await settle(app, pilot)
        assert "service-spoofing-no-mtls@checkout-to-payment" not in screen.model.decisions
        assert "orphan" not in rendered(screen.query_one(StridePanel))
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert "service-spoofing-no-mtls@checkout-to-payment" in screen.model.decisions

    run(path, scenario)


# ------------------------------------------------------- rename, delete, undo


def test_rename_updates_every_reference(tmp_path: Path) -> None:
    text = MODEL + '\n[decisions."process-no-audit-log@api"]\nstatus = "accepted"\n'

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("1", "down")  # api
        assert screen.query_one(ComponentTable).selected_id == "api"
        form = await open_form(app, pilot, "enter", ComponentForm)
        form.field("id").focus()
        await clear_and_type(pilot, "backend")
        await pilot.pause()
        hint = rendered(form.field("id"))
        assert "renames api and updates 2 reference(s)" in hint
        await save_form(app, pilot)
        model = screen.model
        assert "api" not in model.components and "backend" in model.components
        assert model.flows["api-to-db"].source == "backend"
        assert "process-no-audit-log@backend" in model.decisions
        assert screen.query_one(ComponentTable).selected_id == "backend"

    run(write(tmp_path, text), scenario)


def test_delete_asks_names_what_goes_and_undo_brings_it_back(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("1", "down")  # api
        await pilot.press("delete")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen)
        text = rendered(dialog.query_one("#choice-text"))
        assert "Delete component api (API)" in text
        assert "1 flow (its flows: api-to-db) will be deleted" in text
        await pilot.press("n")
        assert "api" in screen.model.components
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert "api" not in screen.model.components and screen.model.flows == {}
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert "api" in screen.model.components and "api-to-db" in screen.model.flows
        assert screen.query_one(FlowTable).row_count == 1
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert "api" not in screen.model.components

    run(write(tmp_path), scenario)


def test_undo_and_redo_every_edit_and_the_unsaved_marker(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        original = screen.model
        assert "unsaved" not in screen.sub_title
        assert screen.check_action("undo", ()) is None  # shown disabled in the footer
        form = await open_form(app, pilot, "b", FormScreen)
        await type_text(pilot, "DMZ")
        await save_form(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        app.screen.field("title").set_value("Shop v2")  # type: ignore[attr-defined]
        await save_form(app, pilot)
        assert screen.title == "Shop v2" and "unsaved" in screen.sub_title
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert screen.title == "Shop" and "dmz" in screen.model.boundaries
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert screen.model is original and "unsaved" not in screen.sub_title
        await pilot.press("ctrl+y", "ctrl+y")
        await settle(app, pilot)
        assert screen.title == "Shop v2" and "dmz" in screen.model.boundaries
        del form

    run(write(tmp_path), scenario)


# --------------------------------------------------------------------- files


def test_a_missing_path_starts_a_new_model_saved_there(tmp_path: Path) -> None:
    path = tmp_path / "feature.toml"

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        assert "new file" in screen.sub_title
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Web")
        await save_form(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "new file" not in screen.sub_title

    run(path, scenario)
    assert list(load_model(path).model.components) == ["web"]


def test_quit_with_unsaved_changes_asks(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Web")
        await save_form(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen) and app.screen.question == "Unsaved changes"
        await pilot.press("c")  # cancel
        await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")  # discard
        await pilot.pause()

    app = run(path, scenario)
    assert app.return_code == 0
    assert path.read_text() == MODEL


def test_quit_can_save_first(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Web")
        await save_form(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()

    assert run(path, scenario).return_code == 0
    assert "web" in load_model(path).model.components


def test_quit_without_changes_does_not_ask(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("ctrl+q")

    assert run(write(tmp_path), scenario).return_code == 0


def test_a_file_changed_on_disk_is_never_overwritten_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the save's own check, without the two-second disk watch (test_editor_disk covers that)
    monkeypatch.setattr(DiskGuard, "poll_seconds", 3600.0)
    path = write(tmp_path)
    theirs = MODEL.replace('title = "Shop"', 'title = "Theirs"')

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Web")
        await save_form(app, pilot)
        path.write_text(theirs)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen) and app.screen.question == "The file changed on disk"
        await pilot.press("c")  # cancel: nothing written
        await pilot.pause()
        assert path.read_text() == theirs and "unsaved" in screen.sub_title
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("r")  # reload: their version, my edits dropped
        await settle(app, pilot)
        assert screen.model.model.title == "Theirs" and "web" not in screen.model.components
        assert not screen.document.history.can_undo
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Web")
        await save_form(app, pilot)
        await pilot.press("ctrl+s")  # no conflict now
        await settle(app, pilot)
        assert "unsaved" not in screen.sub_title
        path.write_text(MODEL)
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Cache")
        await save_form(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("o")  # overwrite, knowingly
        await settle(app, pilot)

    run(path, scenario)
    assert set(load_model(path).model.components) >= {"web", "cache"}


def test_save_as_writes_elsewhere_and_asks_before_overwriting(tmp_path: Path) -> None:
    path = write(tmp_path)
    other = tmp_path / "copy.toml"
    other.write_text("keep me")

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("w")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveAsScreen"
        await clear_and_type(pilot, str(other))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen) and app.screen.question == "The file exists"
        await pilot.press("c")
        await pilot.pause()
        assert other.read_text() == "keep me"
        await pilot.press("w")
        await pilot.pause()
        await clear_and_type(pilot, str(tmp_path / "new.toml"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.path == tmp_path / "new.toml" and screen.sub_title.startswith("new.toml")

    run(path, scenario)
    assert load_model(tmp_path / "new.toml").model == load_model(path).model


def test_comments_are_only_dropped_after_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "# owned by the shop squad\n" + MODEL)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Web")
        await save_form(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert "line 1" in rendered(app.screen.query_one("#choice-text"))
        await pilot.press("n")
        await pilot.pause()
        assert path.read_text().startswith("# owned")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert not path.read_text().startswith("#")
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Cache")
        await save_form(app, pilot)
        await pilot.press("ctrl+s")  # asked once only
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)

    run(path, scenario)
    assert "cache" in load_model(path).model.components


def test_a_failed_save_keeps_the_edits_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)

    def disk_full(*args, **kwargs):
        raise SaveError(f"cannot save {path}: disk full (No space left on device); the file on disk is unchanged")

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Web")
        await save_form(app, pilot)
        monkeypatch.setattr("stride_tui.core.editing.document.save_model", disk_full)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any("disk full" in m and "still in the editor" in m for m in messages), messages
        assert "web" in screen.model.components and "unsaved" in screen.sub_title

    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    assert path.read_text() == MODEL
