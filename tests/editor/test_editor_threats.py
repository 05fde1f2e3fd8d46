"""The STRIDE panel counts threats: rows per threat with their findings inside, the words and
numbers of `check`, a boundary's two sections (walking every boundary and the outside visits
every threat once), whole threats decided with one key, questions answered with y / n, and the
"add the response" offer after a new flow."""

from __future__ import annotations

import asyncio
import io
import re
import time
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import count_threats, group_threats
from stride_tui.core.files.loader import load_model
from stride_tui.screens import main_screen as main_screen_module
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.decide_dialog import DecideDialog
from stride_tui.screens.edit_dialogs import EditDialogs
from stride_tui.screens.flow_form import FlowForm
from stride_tui.screens.main_screen import PREPARE_QUIET
from stride_tui.screens.threat_actions import ThreatActions
from widgets import BoundaryTree, DetailView, StridePanel
from widgets.boundary_tree import TreeEntry
from widgets.detail_pane import DetailPane
from widgets.threat_text import category_letters

from ..shared import SAMPLES
from .harness import main_screen, open_form, rendered, run, save_form, settle, wait_for, write

# the refund feature of issue 12, small: unknown facts make questions; no boundary for the audit log
REFUND = """\
stride_tui = 1

[model]
title = "Refunds"

[boundaries.internet]
name = "Internet"
internet = true

[boundaries.cluster]
name = "Cluster"

[components.customer]
kind = "external_entity"
name = "Customer"
boundary = "internet"

[components.gateway]
kind = "process"
name = "API gateway"
boundary = "cluster"
forwards = true

[components.refund]
kind = "process"
name = "Refund service"
boundary = "cluster"
privileged = true

[components.audit]
kind = "data_store"
name = "Audit log"
is_log = true

[flows.customer-to-gateway]
from = "customer"
to = "gateway"
protocol = "https"
encrypted = true
authentication = "session"

[flows.gateway-to-refund]
from = "gateway"
to = "refund"
protocol = "grpc"

[flows.refund-to-audit]
from = "refund"
to = "audit"
"""


def _threats(path: Path):
    model = load_model(path).model
    return group_threats(analyse(model, builtin_rules()))


def test_the_panel_counts_threats_with_the_words_and_numbers_of_check(tmp_path: Path, run_cli) -> None:
    path = write(tmp_path, REFUND)
    threats = _threats(path)
    counts = count_threats(threats)
    _, out, _ = run_cli("check", path, "--fail-on", "critical")
    assert f"{counts.total} threats from {counts.findings} findings: {counts.undecided} open" in out

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape")  # the whole model
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        assert sorted(t.id for t in panel.threats) == sorted(t.id for t in threats)
        assert len(panel.findings) == counts.findings  # findings stay inside their threats
        assert str(panel.border_subtitle).startswith(f"{counts.total} threats · {counts.undecided} undecided")
        multi = next(t for t in panel.threats if len(t.findings) > 1)
        row = " ".join(cell.plain for cell in panel.table.get_row(multi.id))
        assert f"(+{len(multi.findings) - 1})" in row  # one row for the threat, its findings counted
        assert category_letters(multi.categories, compact=True) in row  # "TI": every category it carries

    run(path, scenario)


def test_a_threat_shows_every_finding_with_its_explanation_and_references(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        multi = next(t for t in panel.threats if len(t.findings) > 1 and any(f.references for f in t.findings))
        assert panel.select_threat(multi.id)
        panel.table.move_cursor_to_key(multi.id, post=True)
        await pilot.pause()
        detail = screen.query_one(DetailPane)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(detail.query_one(DetailView).shown)  # below the fold too
        text = " ".join(console.export_text().split())
        for finding in multi.findings:
            assert finding.id in text
            for reference in finding.references:
                assert reference in text
        assert "Why it fired" in text and "missing control" in text

    run(path, scenario)


def test_walking_every_boundary_and_the_outside_visits_every_threat_once(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)
    expected = sorted(t.id for t in _threats(path))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        tree = screen.query_one(BoundaryTree)
        tree.focus()
        await pilot.pause()
        walked: list[str] = []
        entries = [TreeEntry("boundary", b) for b in ("internet", "cluster")] + [TreeEntry("unbounded", None)]
        for entry in entries:
            assert tree.select(entry)
            await pilot.pause()
            panel = screen.query_one(StridePanel)
            walked += [t.id for t in panel.threats]
            headings = [row.cells[0].plain for row in panel.table.rows if row.heading]
            if not panel.threats:
                continue
            if entry.kind == "boundary":
                assert headings[0].startswith("▾ Crossing flows") and "Crossing flows" in rendered(panel)
                assert headings[1].startswith("▾ Inside: members and the flows between them")
            else:
                assert headings[0].startswith("▾ Outside any boundary")
        assert sorted(walked) == expected  # every threat once: none twice, none missed

    run(path, scenario)


def test_decide_a_whole_threat_with_one_key_and_undo_it(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        threat = next(t for t in panel.threats if len(t.findings) > 1 and t.status == "open")
        panel.table.move_cursor_to_key(threat.id, post=True)
        await pilot.press("d")
        await wait_for(app, pilot, DecideDialog)
        await pilot.press("a")  # accepted
        await settle(app, pilot)
        assert screen.model.decisions[threat.id].status == "accepted"
        decided = next(t for t in screen.query_one(StridePanel).threats if t.id == threat.id)
        assert decided.status == "accepted" and all(f.status == "accepted" for f in decided.findings)
        await pilot.press("ctrl+z")  # one edit for the whole threat
        await settle(app, pilot)
        assert threat.id not in screen.model.decisions

    run(path, scenario)


def test_the_decide_dialog_is_kept_and_asks_about_the_next_threat(tmp_path: Path) -> None:
    """``d`` opens the same dialog each time (composing it again was most of what ``d`` cost):
    it names the threat under the cursor, and a key typed straight after ``d`` decides it."""
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        first, second = [t for t in panel.threats if t.status == "open"][:2]
        dialogs = []
        for threat, key in ((first, "a"), (second, "t")):
            panel.table.move_cursor_to_key(threat.id, post=True)
            await settle(app, pilot)
            await pilot.press("d")
            await wait_for(app, pilot, DecideDialog)
            dialog = app.screen
            assert isinstance(dialog, DecideDialog)
            dialogs.append(dialog)
            assert threat.title[:20] in rendered(dialog.query_one("#decide-title"))
            await pilot.press(key)
            await settle(app, pilot)
        assert dialogs[0] is dialogs[1]
        assert screen.model.decisions[first.id].status == "accepted"
        assert screen.model.decisions[second.id].status == "transferred"
        panel.table.move_cursor_to_key(first.id, post=True)
        await settle(app, pilot)
        await pilot.press("d", "o")  # no pause: the key reaches the dialog kept from before
        await settle(app, pilot)
        assert app.screen is screen and first.id not in screen.model.decisions

    run(path, scenario)


def test_the_decide_dialog_is_made_ahead_and_the_first_d_opens_it(tmp_path: Path) -> None:
    """Once the first analysis is shown the decide dialog is made (not shown) while the editor
    idles: the first ``d`` opens that dialog, naming the threat under the cursor, and a key
    typed straight after ``d`` decides it."""
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        for _ in range(40):
            made = screen.threat_actions._kept_dialog
            if made is not None and made.is_mounted and made._compositor.size == app.size:
                break
            await pilot.pause(0.05)
        made = screen.threat_actions._kept_dialog
        assert made is not None and made.is_mounted and made not in app.screen_stack
        assert app.screen is screen
        await pilot.press("escape", "4")
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        threat = next(t for t in panel.threats if t.status == "open")
        panel.table.move_cursor_to_key(threat.id, post=True)
        await settle(app, pilot)
        await pilot.press("d", "a")  # the first d, and a key typed straight after it
        await settle(app, pilot)
        assert app.screen is screen and screen.model.decisions[threat.id].status == "accepted"
        assert threat.title[:20] in made.title_text.plain  # the dialog that asked was the one made
        second = next(t for t in panel.threats if t.status == "open")
        panel.table.move_cursor_to_key(second.id, post=True)
        await settle(app, pilot)
        await pilot.press("d")
        await wait_for(app, pilot, DecideDialog)
        assert app.screen_stack[-1] is made
        assert second.title[:20] in rendered(made.query_one("#decide-title"))

    run(path, scenario)


def test_questions_are_answered_with_one_key(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("2")  # flows pane: the first flow, then gateway → refund
        await pilot.press("down")
        await pilot.pause()
        assert screen.selection is not None and screen.selection.element_id == "gateway-to-refund"
        panel = screen.query_one(StridePanel)
        asked = [q for q in panel.questions if q.element_id == "gateway-to-refund" and q.answers.get("y") is True]
        assert asked, "an unknown fact of the flow is asked"
        question = asked[0]
        fact = question.fact
        settled = set(question.threat_ids)
        assert any(t.provisional for t in panel.threats if t.id in settled)
        row = next(r for r in panel.table.rows if r.key.endswith(question.id))
        assert "? " in " ".join(c.plain for t in panel.threats if t.id in settled for c in panel.table.get_row(t.id))
        panel.table.focus()
        panel.table.move_cursor_to_key(row.key, post=True)
        await pilot.pause()
        assert "Its answer settles" in rendered(screen.query_one(DetailPane))
        await pilot.press("y")
        await settle(app, pilot)
        assert getattr(screen.model.flows["gateway-to-refund"], fact) is True
        assert all(q.id != question.id for q in screen.query_one(StridePanel).questions)
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert getattr(screen.model.flows["gateway-to-refund"], fact) is None

    run(path, scenario)


def test_after_a_new_flow_one_key_adds_its_response(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        form = await open_form(app, pilot, "f", FlowForm)
        form.field("from").set_value("refund")
        form.field("to").set_value("audit")
        await pilot.pause()
        await save_form(app, pilot)  # nothing in the way: the offer is a notice
        added = screen.selection
        assert added is not None and added.kind == "flow"
        assert any("r adds its response" in n.message for n in app._notifications)
        await pilot.press("r")
        await settle(app, pilot)
        responses = [fid for fid, f in screen.model.flows.items() if f.response_to == added.element_id]
        assert len(responses) == 1
        response = screen.model.flows[responses[0]]
        assert (response.source, response.target) == ("audit", "refund")
        await pilot.press("r")  # a response gets no response of its own
        await settle(app, pilot)
        assert sum(f.response_to is not None for f in screen.model.flows.values()) == 1
        await pilot.press("ctrl+z")  # the response is its own edit: the request stays
        await settle(app, pilot)
        assert not any(f.response_to for f in screen.model.flows.values())
        assert added.element_id in screen.model.flows

    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())


def test_long_threat_titles_are_shown_whole_at_120x40(tmp_path: Path) -> None:
    title = "A hand-written threat whose title is far too long for any column " + "and keeps going " * 6 + "END"
    text = (
        REFUND
        + f'\n[threats.long-one]\ncategory = "tampering"\ntarget = "refund"\ntitle = "{title}"\nseverity = "critical"\n'
    )
    path = write(tmp_path, text)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape", "4")
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        panel.table.move_cursor_to_key("long-one", post=True)
        await pilot.pause()
        shown = " ".join(re.sub(r"[│╭╮╰╯─]", " ", rendered(screen.query_one(DetailPane))).split())
        assert " ".join(title.split()) in shown  # wrapped, never cut

    run(path, scenario, size=(120, 40))


def test_the_checkout_sample_panel_at_a_boundary_has_two_sections(tmp_path: Path) -> None:
    path = write(tmp_path, (SAMPLES / "checkout.toml").read_text(encoding="utf-8"))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        tree = screen.query_one(BoundaryTree)
        tree.focus()
        assert tree.select(TreeEntry("boundary", "prod-cluster"))
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        keys = [row.key for row in panel.table.rows if row.heading]
        assert "#crossing" in keys and "#inside" in keys
        assert keys.index("#crossing") < keys.index("#inside")

    run(path, scenario)


def test_y_and_n_answer_only_in_the_stride_panel(tmp_path: Path) -> None:
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("2", "down")  # gateway → refund; its questions are in the panel
        await pilot.pause()
        panel = screen.query_one(StridePanel)
        question = next(q for q in panel.questions if q.answers.get("y") is True)
        panel.table.move_cursor_to_key("?" + question.id)
        before = screen.model
        await pilot.press("y")  # focus is in the flows pane: a stray key answers nothing
        await settle(app, pilot)
        assert screen.model is before and not screen.document.history.can_undo

    run(path, scenario)


def test_after_an_answer_the_cursor_is_on_the_row_that_followed_the_question(tmp_path: Path) -> None:
    """Answering removes the question (and may remove threats above it): the cursor goes to the
    next row that is still there, so the next question is the next y or n, not one skipped."""
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("escape")  # the whole model: every question in one list
        await settle(app, pilot)
        panel = screen.query_one(StridePanel)
        keys = [row.key for row in panel.table.rows]
        answerable = [
            key
            for key in keys
            if (q := next((q for q in panel.questions if key.endswith(q.id)), None)) and "y" in q.answers
        ]
        assert len(answerable) >= 2, "the sample asks more than one question"
        for asked in answerable[:3]:
            keys = [row.key for row in panel.table.rows]
            if asked not in keys:
                continue
            panel.table.focus()
            panel.table.move_cursor_to_key(asked, post=True)
            await pilot.pause()
            await pilot.press("y")
            await settle(app, pilot)
            panel = screen.query_one(StridePanel)
            now = {row.key for row in panel.table.rows}
            assert asked not in now
            following = next(key for key in keys[keys.index(asked) + 1 :] if key in now)
            assert panel.table.cursor_key == following

    run(path, scenario)


def test_the_component_and_flow_forms_are_made_ahead_and_the_first_e_fills_one(tmp_path: Path) -> None:
    """Once the editor idles, a component form and a flow form are made (not shown), each for
    some element: the first ``e`` on another component, or flow, shows that form filled with the
    element under the cursor."""
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        kept = screen.dialogs._kept
        for _ in range(60):
            if all(c in kept and kept[c].is_mounted and kept[c]._compositor.size == app.size for c in FORMS):
                break
            await pilot.pause(0.05)
        made = {c: kept.get(c) for c in FORMS}
        assert all(form is not None and form not in app.screen_stack for form in made.values())
        assert app.screen is screen
        await pilot.press("down", "e")  # the second component: api
        await wait_for(app, pilot, ComponentForm)
        await pilot.pause()
        assert app.screen_stack[-1] is made[ComponentForm]
        assert made[ComponentForm].old_id == "api"
        assert made[ComponentForm].field("name").value == "API"
        await pilot.press("escape")  # unchanged: it closes at once
        await settle(app, pilot)
        assert app.screen is screen
        await pilot.press("2")
        await pilot.pause()
        selected = screen.selection
        await pilot.press("e")
        await wait_for(app, pilot, FlowForm)
        flow = app.screen_stack[-1]
        assert flow is made[FlowForm] and isinstance(flow, FlowForm)
        assert selected is not None and flow.old_id == selected.element_id

    run(path, scenario)


FORMS = (ComponentForm, FlowForm)


def test_no_dialog_is_made_ahead_while_the_user_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A step of making a dialog ahead can hold the editor up for a tenth of a second: a step is
    taken only once no key came for half a second."""
    since_last_key: list[float | None] = []  # at each step
    for cls in (ThreatActions, EditDialogs):
        real = cls.prepare

        def prepare(self, *args, real=real):  # type: ignore[no-untyped-def]
            typed = self.app.last_key_time
            since_last_key.append(None if typed is None else time.monotonic() - typed)
            return real(self, *args)

        monkeypatch.setattr(cls, "prepare", prepare)
    # steps further apart: the dialogs are still to be made when the keys come
    monkeypatch.setattr(main_screen_module, "PREPARE_PAUSE", 0.3)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        for key in ["down", "up"] * 8:  # a key every 0.1 s
            await pilot.press(key)
            await pilot.pause(0.1)
        for _ in range(160):
            if ComponentForm in screen.dialogs._kept and screen.threat_actions._kept_dialog is not None:
                break
            await pilot.pause(0.05)
        assert ComponentForm in screen.dialogs._kept  # made once the keys stopped
        after_keys = [gap for gap in since_last_key if gap is not None]
        assert after_keys  # the keys came while dialogs were still to be made
        assert min(after_keys) >= PREPARE_QUIET

    run(write(tmp_path), scenario)


def test_quitting_while_a_form_is_made_ahead_is_no_error(tmp_path: Path) -> None:
    """The editor closes while a form made ahead is still mounting (its fields half made): the
    form does not check its fields then (it raised, and the editor ended with a traceback)."""
    path = write(tmp_path, REFUND)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        # a form per element, each still mounting as the editor quits
        forms = [FlowForm(screen.model, f) for f in screen.model.flows]
        forms += [ComponentForm(screen.model, c) for c in screen.model.components]
        for n, form in enumerate(forms):
            app.install_screen(form, f"ahead-{n}")
            app._get_screen(form)

    run(path, scenario)
