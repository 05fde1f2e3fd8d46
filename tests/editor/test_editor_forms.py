"""Forms that respect the typist: sorted drop-downs with type-to-search told in the help, esc
that asks before throwing typing away, one ctrl+s that applies and saves, and no key lost in a
burst typed while any form opens."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest
from textual import events
from textual._context import active_app
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.widgets._select import SelectOverlay

from stride_tui.app import StrideApp
from stride_tui.core.editing.put import put_boundary
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import Boundary
from stride_tui.screens import ChoiceScreen, MainScreen
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.dialog import REMOVAL_DELAY
from stride_tui.screens.flow_form import FlowForm
from stride_tui.screens.form_screen import FormScreen
from stride_tui.screens.threat_form import ThreatForm
from widgets import ComponentTable
from widgets.choice_box import ChoiceBox
from widgets.form_field import CHOICE_KEYS
from widgets.text_input import TextBox

from .harness import MODEL, clear_and_type, main_screen, open_form, rendered, run, settle, type_text, wait_for, write

# components added in an order that is not the alphabet's
UNSORTED = (
    MODEL
    + """
[components.zeta]
kind = "process"
name = "Zeta worker"

[components.alpha]
kind = "process"
name = "alpha gateway"

[boundaries.b-dmz]
name = "DMZ"
"""
)


def _option_labels(form: FormScreen, key: str) -> list[str]:
    select = form.field(key).control
    return [str(prompt) for prompt, _ in select._options if _ is not select.NULL]  # type: ignore[attr-defined]


def test_drop_downs_list_elements_a_to_z_and_say_how_to_search(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "f", FlowForm)
        values = [v for _, v in form.field("from").control._options]  # type: ignore[attr-defined]
        assert values[1:] == ["alpha", "api", "db", "user", "zeta"]  # first is the blank
        assert CHOICE_KEYS in form.field("from").help and "type a few letters" in CHOICE_KEYS
        await pilot.press("escape")
        form = await open_form(app, pilot, "c", ComponentForm)
        boundaries = [v for _, v in form.field("boundary").control._options]  # type: ignore[attr-defined]
        assert boundaries[1:] == ["cluster", "b-dmz", "internet"]  # Cluster, DMZ, Internet
        await pilot.press("escape")
        form = await open_form(app, pilot, "t", ThreatForm)
        severities = [v for _, v in form.field("severity").control._options]  # type: ignore[attr-defined]
        assert severities[1:] == ["low", "medium", "high", "critical"]  # values keep their own order

    run(write(tmp_path, UNSORTED), scenario)


def test_type_to_search_picks_an_option_in_an_open_drop_down(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "f", FlowForm)
        # a component is selected: "from" is prefilled and "to", focused, is what is picked
        await pilot.press("enter", *"zet", "enter")  # open, jump to "Zeta worker", pick it
        await pilot.pause()
        assert form.values()["from"] and form.values()["to"] == "zeta"

    run(write(tmp_path, UNSORTED), scenario)


def test_esc_closes_an_unchanged_form_at_once(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("1")
        await open_form(app, pilot, "e", ComponentForm)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)

    run(write(tmp_path), scenario)


def test_esc_on_a_changed_form_asks_keep_editing_or_discard(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Ledger")
        await pilot.press("escape")
        await wait_for(app, pilot, ChoiceScreen)
        assert app.screen.question == "Discard your changes?"  # type: ignore[attr-defined]
        await pilot.press("k")  # keep editing: nothing typed is lost
        await pilot.pause()
        assert app.screen is form and form.values()["name"] == "Ledger"
        await pilot.press("escape")
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("escape")  # esc on the question keeps editing too
        await pilot.pause()
        assert app.screen is form
        await pilot.press("escape")
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "ledger" not in main_screen(app).model.components

    run(write(tmp_path), scenario)


def test_one_ctrl_s_in_a_form_applies_it_and_saves_the_file(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Ledger")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert isinstance(app.screen, MainScreen)
        assert load_model(path).model.components["ledger"].name == "Ledger"
        assert "unsaved" not in main_screen(app).sub_title
        await pilot.press("ctrl+z")  # still one undoable edit
        await pilot.pause()
        assert "ledger" not in main_screen(app).model.components

    run(path, scenario)


def test_a_fact_of_another_kind_is_mounted_when_the_kind_changes_and_is_saved(tmp_path: Path) -> None:
    """A form opens with the facts of the other kinds unmounted (fewer widgets, a faster form):
    choosing a data store shows its facts, and one set there is saved like any other."""
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Ledger")
        fact = form.field("encrypted_at_rest")
        assert not fact.display and not fact.control.is_mounted  # a process has no such fact
        form.field("kind").set_value("data_store")
        await pilot.pause()
        assert fact.display and fact.control.is_mounted
        fact.focus()
        await pilot.pause()
        await pilot.press("y")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert isinstance(app.screen, MainScreen)
        saved = load_model(path).model.components["ledger"]
        assert saved.kind == "data_store" and saved.encrypted_at_rest is True  # type: ignore[union-attr]

    run(path, scenario)


def test_a_drop_down_mounts_its_list_when_it_first_opens(tmp_path: Path) -> None:
    """A form's drop-downs have no list until one is opened (most never are): enter opens it on
    the current choice, and the list picks with enter."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        kind, boundary = form.field("kind").control, form.field("boundary").control
        assert isinstance(kind, ChoiceBox) and isinstance(boundary, ChoiceBox)
        assert not kind.query(SelectOverlay) and not boundary.query(SelectOverlay)
        kind.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert kind.expanded and kind.query_one(SelectOverlay).highlighted == 1  # process, as shown
        assert "▲" in rendered(kind).splitlines()[0]  # the box draws its own arrow
        await pilot.press("enter")  # keeps the choice and closes the list
        await pilot.pause()
        assert not kind.expanded and form.values()["kind"] == "process"
        assert rendered(kind).splitlines()[0].rstrip().endswith("▼")
        boundary.focus()
        await pilot.pause()
        await pilot.press("enter", "down", "down", "enter")  # none, then the first boundary down
        await pilot.pause()
        assert not boundary.expanded and form.values()["boundary"] == "internet", form.values()

    run(write(tmp_path), scenario)


def test_a_closed_form_leaves_no_text_box_behind(tmp_path: Path) -> None:
    """Textual's text area watches the app's theme for good; a form's text boxes must not stay
    alive (with all they drew) after it closes, or every form opened makes the editor slower
    (only the forms kept for editing, one of each kind, keep theirs)."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        kept = main_screen(app).dialogs._kept.values()

        def left_behind() -> list[TextBox]:
            return [
                o for o in gc.get_objects() if isinstance(o, TextBox) and not any(o in k.walk_children() for k in kept)
            ]

        for _ in range(3):
            form = await open_form(app, pilot, "c", ComponentForm)
            assert form.query(TextBox)
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen)
        del form
        for _ in range(40):  # closed dialogs are taken down once the user pauses
            await pilot.pause(REMOVAL_DELAY / 4)
            gc.collect()
            if not left_behind():
                break
        assert not left_behind()

    run(write(tmp_path), scenario)


def test_a_dialog_closed_just_before_the_editor_quits_is_no_error(tmp_path: Path) -> None:
    # its removal is still waiting when the editor closes its screens: the wait must end quietly
    closed: list[ComponentForm] = []

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        closed.append(await open_form(app, pilot, "c", ComponentForm))
        await pilot.press("escape")
        await settle(app, pilot)
        assert closed[0].is_attached  # its removal waits for a pause

    app = run(write(tmp_path), scenario)
    assert not app.screen_stack  # the editor has closed every screen
    token = active_app.set(app)
    try:
        closed[0]._remove_when_idle()  # what its timer does if it fires now
    finally:
        active_app.reset(token)


def test_a_closed_dialog_is_taken_down_once_the_user_pauses_or_the_next_one_opens(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        await pilot.press("escape")
        await settle(app, pilot)
        # gone from the screen at once, its widgets taken down a moment later (a layout of the
        # screen under it, when it is not drawing what the dialog did)
        assert isinstance(app.screen, MainScreen) and form not in app.screen_stack
        assert form.is_attached
        for _ in range(40):
            if not form.is_attached:
                break
            await pilot.pause(REMOVAL_DELAY / 4)
        assert not form.is_attached
        # a user who never pauses: the next dialog that opens takes the closed one down
        first = await open_form(app, pilot, "c", ComponentForm)
        await pilot.press("escape")
        await settle(app, pilot)
        assert first.is_attached
        await open_form(app, pilot, "c", ComponentForm)
        await pilot.pause()
        assert not first.is_attached

    run(write(tmp_path), scenario)


def test_enter_applies_the_form_and_leaves_the_file_unsaved(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Ledger")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "ledger" in main_screen(app).model.components
        assert "unsaved" in main_screen(app).sub_title
        assert "ledger" not in load_model(path).model.components

    run(path, scenario)


async def _burst(app: StrideApp, open_key: str, keys: list[str]) -> ModalScreen:
    app.post_message(events.Key(open_key, open_key if len(open_key) == 1 else None))
    for _ in range(10_000):
        if isinstance(app.screen, ModalScreen):
            break
        await asyncio.sleep(0)
    dialog = app.screen
    assert isinstance(dialog, ModalScreen) and not dialog.is_mounted
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
    return dialog


@pytest.mark.parametrize(
    ("open_key", "pane", "keys", "expected"),
    [
        # name, id (proposed), kind drop-down: open, search, pick; then the technology
        ("c", "1", [*"Ledger", "tab", "tab", "enter", *"data", "enter", "tab", "tab", *"pg"], {"kind": "data_store"}),
        # "from" is the selected component: the burst starts at "to"
        ("f", "1", ["enter", *"db", "enter", "tab", *"sync"], {"to": "db", "name": "sync"}),
        ("b", "3", [*"Data tier", "tab", "tab", "enter", *"clu", "enter"], {"parent": "cluster"}),
        ("t", "1", [*"Skimming", "tab", "tab", "enter", *"tamp", "enter"], {"category": "tampering"}),
    ],
)
def test_a_burst_through_text_and_drop_downs_lands_in_order(
    tmp_path: Path, open_key: str, pane: str, keys: list[str], expected: dict[str, str]
) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press(pane)
        await pilot.pause()
        form = await _burst(app, open_key, keys)
        await settle(app, pilot)
        await pilot.pause(0.5)
        assert app.screen is form
        values = form.values()  # type: ignore[attr-defined]
        for key, value in expected.items():
            assert values[key] == value, values
        if open_key == "c":
            assert (values["name"], values["technology"]) == ("Ledger", "pg"), values
        if open_key == "f":
            assert values["from"] == main_screen(app).selection.element_id, values  # type: ignore[union-attr]

    run(write(tmp_path), scenario)


def test_a_burst_ending_in_esc_asks_before_discarding(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await _burst(app, "c", [*"Ledger", "escape"])
        await settle(app, pilot)
        await wait_for(app, pilot, ChoiceScreen)
        await pilot.press("k")
        await pilot.pause()
        assert app.screen is form and form.values()["name"] == "Ledger"  # type: ignore[attr-defined]

    run(write(tmp_path), scenario)


def test_a_burst_ending_in_ctrl_s_saves_the_file_with_every_letter(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await _burst(app, "m", ["tab", *"Refunds for cards", "ctrl+s"])
        await settle(app, pilot)
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert load_model(path).model.model.description == "Refunds for cards"

    run(path, scenario)


def test_a_burst_through_the_discard_question_discards(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await _burst(app, "c", [*"Ledger", "escape", "d", "c"])  # discard, then a new form at once
        await settle(app, pilot)
        await pilot.pause(0.5)
        assert isinstance(app.screen, ComponentForm) and app.screen.values()["name"] is None
        assert "ledger" not in main_screen(app).model.components

    run(write(tmp_path), scenario)


def test_a_key_the_screen_under_a_new_dialog_read_first_reaches_the_dialog(tmp_path: Path) -> None:
    """On a busy machine the key after `c` can reach the main screen's pane before the form is
    pushed and be read there after it: it goes to the form, first, never to the screen under it."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        editor = main_screen(app)
        await pilot.press("1")
        table = editor.query_one("#components")
        app.post_message(events.Key("c", "c"))
        for _ in range(10_000):
            if isinstance(app.screen, ComponentForm):
                break
            await asyncio.sleep(0)
        form = app.screen
        assert isinstance(form, ComponentForm) and not form.is_mounted
        table.post_message(events.Key("L", "L"))  # read by the pane under the form, late
        app.post_message(events.Key("e", "e"))  # typed after it, reaches the form directly
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert form.values()["name"] == "Le"

    run(write(tmp_path), scenario)


async def _edit(app: StrideApp, pilot: Pilot, component_id: str) -> ComponentForm:
    """Select ``component_id`` in the components pane and open its form."""
    main_screen(app).query_one("#components", ComponentTable).move_cursor_to_key(component_id, post=True)
    await settle(app, pilot)
    form = await open_form(app, pilot, "e", ComponentForm)
    assert isinstance(form, ComponentForm)
    return form


def test_the_next_components_form_is_the_last_one_filled_again_with_nothing_left_of_it(tmp_path: Path) -> None:
    """An element's form is kept once closed and filled again for the next element (composing
    a form took a third of a second): it shows that element's values, none of the last one's,
    not even in a text box's undo."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        first = await _edit(app, pilot, "api")
        assert first.field("name").value == "API"
        await type_text(pilot, " gateway")
        first.field("id").control.focus()
        await pilot.pause()
        await clear_and_type(pilot, "Not an id!")
        await pilot.pause()
        assert "id" in first.errors
        first.field("description").control.focus()
        await pilot.pause()
        await type_text(pilot, "Left from the API")
        await pilot.press("escape", "d")  # discard
        await settle(app, pilot)
        second = await _edit(app, pilot, "db")
        assert second is first  # the same form, filled again
        assert second.old_id == "db" and "db" in str(second.query_one("#form-title", Static).content)
        assert second.field("name").value == "DB" and second.field("kind").value == "data_store"
        assert second.field("description").value is None
        assert second.field("encrypted_at_rest").display and not second.field("privileged").display
        assert not second.errors and not second.changed
        assert app.focused is second.field("name").control  # the first field, as for a new form
        second.field("description").control.focus()
        await pilot.pause()
        await pilot.press("ctrl+z")  # nothing of the API's description to undo
        await pilot.pause()
        assert second.field("description").value is None
        await pilot.press("escape")
        await settle(app, pilot)

    run(write(tmp_path), scenario)


def test_the_help_under_a_kept_form_is_its_focused_fields_whole(tmp_path: Path) -> None:
    """The help shown under the fields follows the focus, however many lines it takes, also
    in a form filled again (the form is laid out again only when the help's height changes)."""

    def hint_shown(form: ComponentForm) -> str:
        return " ".join(rendered(form.query_one("#form-hint", Static)).split())

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        first = await _edit(app, pilot, "api")
        assert hint_shown(first) == "What the team calls it."
        first.field("kind").control.focus()  # its help takes two lines at this width
        await settle(app, pilot)
        kind_help = first.field("kind").help
        assert hint_shown(first) == " ".join(kind_help.split())
        first.field("technology").control.focus()  # one line again
        await settle(app, pilot)
        assert hint_shown(first) == " ".join(first.field("technology").help.split())
        first.field("kind").control.focus()
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        second = await _edit(app, pilot, "db")
        assert second is first
        await settle(app, pilot)
        assert hint_shown(second) == "What the team calls it."  # the name's, not the kind's

    run(write(tmp_path), scenario)


def test_a_kept_form_offers_the_boundaries_added_since_it_was_last_open(tmp_path: Path) -> None:
    """A drop-down filled again keeps its options only while they are the same."""

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        first = await _edit(app, pilot, "api")
        boundary = first.field("boundary").control
        assert isinstance(boundary, ChoiceBox)
        before = [value for _, value in boundary._options]
        await pilot.press("escape")
        await settle(app, pilot)
        screen = main_screen(app)
        screen._record(put_boundary(screen.model, "dmz", Boundary(name="DMZ")), "add a boundary")
        await settle(app, pilot)
        second = await _edit(app, pilot, "api")
        assert second is first
        after = [value for _, value in boundary._options]
        assert "dmz" in after and "dmz" not in before
        assert second.field("boundary").value == "cluster"  # its value, still offered, kept
        await pilot.press("escape")
        await settle(app, pilot)
        third = await _edit(app, pilot, "db")  # the same choices: left as they are
        assert third is first and [value for _, value in boundary._options] == after
        assert third.field("boundary").value == "cluster"

    run(write(tmp_path), scenario)


def test_keys_typed_while_a_kept_form_opens_again_reach_it(tmp_path: Path) -> None:
    """The same burst typed as the form first opens and as it opens again lands the same way."""
    landed: list[tuple[object, ...]] = []

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        table = main_screen(app).query_one("#components", ComponentTable)
        for component_id in ("api", "db"):
            table.focus()
            table.move_cursor_to_key(component_id, post=True)
            await settle(app, pilot)
            # no pause: typed as it opens (the name, then past id, kind and boundary to technology)
            await pilot.press("e", *"X1", "tab", "tab", "tab", "tab", *"Y2")
            await settle(app, pilot)
            form = app.screen
            assert isinstance(form, ComponentForm) and form.old_id == component_id
            landed.append((form, form.field("name").value, form.field("technology").value))
            await pilot.press("escape", "d")
            await settle(app, pilot)

    run(write(tmp_path), scenario)
    (first, *api), (second, *db) = landed
    assert second is first
    assert api == db == ["X1", "Y2"]  # the name's text selected as the field takes focus, then typed over
