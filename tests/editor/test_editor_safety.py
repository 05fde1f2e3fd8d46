"""User text is data in every part of the editor, and every action can be reached by keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, Input

from stride_tui.app import StrideApp
from stride_tui.core.model.elements import COMPONENT_CLASSES, Boundary, Flow, ModelMeta, Threat
from stride_tui.screens import ChoiceScreen, MainScreen
from stride_tui.screens.boundary_form import BoundaryForm
from stride_tui.screens.command_provider import ACTIONS, EditorCommands
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.decide_dialog import DecideDialog
from stride_tui.screens.flow_form import FlowForm
from stride_tui.screens.model_form import ModelForm
from stride_tui.screens.threat_form import ThreatForm
from widgets import StridePanel

from .harness import (
    MODEL,
    add_component,
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

EVIL = "[@click=app.quit]x[/]"
HOSTILE = f"""\
stride_tui = 1

[model]
title = "[bold]T[/] {EVIL}"
owner = "[/]"

[boundaries.zone]
name = "[/]"
internet = true

[components.user]
kind = "external_entity"
name = "{EVIL}"
boundary = "zone"

[components.api]
kind = "process"
name = "[bold]"
technology = "[/]"

[flows.user-to-api]
from = "user"
to = "api"
protocol = "{EVIL}"
data = "[link='javascript:alert(1)']hi[/link]"

[threats.evil]
title = "{EVIL}"
category = "spoofing"
target = "api"
note = "[/]"
"""


def screen_text(app: StrideApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def test_hostile_names_are_literal_in_panels_forms_and_dialogs(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        assert isinstance(screen, MainScreen)
        await pilot.press("escape")  # the whole model in the STRIDE panel
        panel = rendered(screen.query_one(StridePanel))
        assert EVIL in panel  # the hand-written threat's title
        assert "[bold]" in panel  # rule titles name the component
        await pilot.press("1")
        form = await open_form(app, pilot, "e", ComponentForm)  # user
        assert form.field("name").value == EVIL
        assert EVIL in screen_text(app)
        assert "[/]" in rendered(form.field("boundary"))  # the boundary's name in the select
        await pilot.press("escape", "2")
        form = await open_form(app, pilot, "e", FlowForm)
        assert EVIL in rendered(form.field("protocol"))
        assert "[link='javascript:alert(1)']hi[/link]" in rendered(form.field("data"))
        await pilot.press("escape", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("n", "3")
        await open_form(app, pilot, "e", BoundaryForm)
        await pilot.press("escape", "m")
        await pilot.pause()
        assert isinstance(app.screen, ModelForm)
        assert "[bold]T[/] " + EVIL in screen_text(app)
        await pilot.press("escape", "escape", "4")  # close the form; the whole model; the panel
        panel_widget = screen.query_one(StridePanel)
        assert panel_widget.table.move_cursor_to_key("evil", post=True)
        await pilot.pause()
        assert EVIL in rendered(screen.query_one("#detail-pane"))  # the threat's title, literally
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DecideDialog)
        assert EVIL in screen_text(app)
        await pilot.click("#decide-title", offset=(12, 0))  # where the link text would be
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code is None  # nothing ran an action hidden in user text

    run(write(tmp_path, HOSTILE), scenario)


def test_typed_markup_and_notifications_stay_literal(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "[/] [@click=app.quit]x")
        await save_form(app, pilot)
        component = screen.model.components["click-app-quit-x"]
        assert component.name == "[/] [@click=app.quit]x"
        row = screen.query_one("#components").get_row("click-app-quit-x")
        assert row[2].plain == "[/] [@click=app.quit]x"
        assert "[/] [@click" in rendered(screen.query_one("#components"))
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert app.return_code is None

    run(write(tmp_path), scenario)


def test_control_characters_typed_into_a_form_are_refused(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        technology = form.field("technology")
        technology.focus()
        app.post_message(events.Paste("py\x1b]0;PWNED\x07\x9b2J"))  # as the terminal sends it
        await pilot.pause()
        assert technology.value == "py]0;PWNED2J"  # what the terminal would have obeyed is gone
        assert not any(ch in screen_text(app) for ch in "\x1b\x07\x9b")
        form.field("description").focus()
        await pilot.pause()
        app.post_message(events.Paste("a\x1b[2J\tb\nc"))
        await pilot.pause()
        assert form.field("description").value == "a[2J\tb\nc"
        # a value that reaches a field by another way is refused at the field, never saved
        technology.control.value = "py\x07"
        await pilot.pause()
        assert "control character" in form.errors["technology"]

    run(write(tmp_path), scenario)


# ------------------------------------------------------------------- keyboard


def test_the_command_palette_runs_editor_actions(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "add flow")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FlowForm)
        await pilot.press("escape", "ctrl+p")
        await type_text(pilot, "filter status mitigated")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert main_screen(app).query_one(StridePanel).status_filter == "mitigated"

    run(write(tmp_path), scenario)


def test_palette_provider_discovers_every_action(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        provider = EditorCommands(main_screen(app))
        titles = [hit.text async for hit in provider.discover()]
        assert titles == [title for title, _, _ in ACTIONS]
        hits = [hit async for hit in provider.search("undo")]
        assert hits

    run(write(tmp_path), scenario)


def test_forms_cover_every_key_of_the_format(tmp_path: Path) -> None:
    def keys(cls) -> set[str]:
        return {info.alias or name for name, info in cls.model_fields.items()}

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        model = main_screen(app).model
        component_keys = {f.key for f in ComponentForm(model).fields} | {"kind"}
        for cls in COMPONENT_CLASSES.values():
            assert keys(cls) <= component_keys, keys(cls) - component_keys
        assert keys(Flow) <= {f.key for f in FlowForm(model).fields}
        assert keys(Boundary) <= {f.key for f in BoundaryForm(model).fields}
        assert keys(Threat) <= {f.key for f in ThreatForm(model).fields}
        assert keys(ModelMeta) <= {f.key for f in ModelForm(model).fields}

    run(write(tmp_path), scenario)


def test_the_mouse_works_too(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.click("#components", offset=(3, 3))  # second row: api
        await pilot.pause()
        assert screen.selection == ("component", "api")
        await pilot.click("#components", offset=(3, 3), times=2)
        await pilot.pause()
        assert isinstance(app.screen, ComponentForm)
        await pilot.click("#form-cancel")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.click("#stride-filters", offset=(3, 0))  # "status: all"
        assert screen.query_one(StridePanel).status_filter == "undecided"

    run(write(tmp_path, MODEL), scenario)


def test_tri_state_by_mouse_and_keys(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        form = await open_form(app, pilot, "c", ComponentForm)
        field = form.field("privileged")
        field.focus()
        await pilot.press("right")
        assert field.value is True  # unknown, then around to yes
        await pilot.press("right")
        assert field.value is False
        await pilot.press("u")
        assert field.value is None
        await pilot.click(field.control, offset=(1, 0))
        assert field.value is True
        await pilot.press("space")
        assert field.value is False
        assert isinstance(form.field("name").control, Input)

    run(write(tmp_path), scenario)


def test_small_terminals_do_not_crash_the_forms(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        for key in ("c", "escape", "f", "escape", "b", "escape", "m", "escape", "question_mark", "escape"):
            await pilot.press(key)
            await pilot.pause()
        assert app.return_code is None

    for size in ((80, 24), (40, 12), (20, 5)):
        run(write(tmp_path), scenario, size=size)


def test_help_lists_keys_and_stride(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "ctrl+z / ctrl+y" in text
        await pilot.press("end")
        await pilot.pause()
        assert "Information disclosure" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)

    run(write(tmp_path), scenario)


def test_disabled_rules_are_shown_in_the_panel_and_the_orphans_view(tmp_path: Path) -> None:
    (tmp_path / "quiet.toml").write_text(
        'stride_tui_rules = 1\n\n[disable]\nexternal-entity-spoofing = "users sign in through the SSO portal"\n'
    )
    model = MODEL.replace('title = "Shop"', 'title = "Shop"\nrule_files = ["quiet.toml"]')

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        assert "1 rule(s) disabled (o)" in rendered(screen.query_one("#stride"))
        await pilot.press("o")
        await pilot.pause()
        from stride_tui.screens.orphans_screen import OrphansScreen

        dialog = app.screen
        assert isinstance(dialog, OrphansScreen)
        shown = " ".join(rendered(dialog.query_one("#orphans-disabled-rules")).split())
        assert "external-entity-spoofing (disabled by" in shown and "users sign in through the SSO portal" in shown

    run(write(tmp_path, model), scenario)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_every_button_of_the_conflict_and_quit_dialogs_fits(tmp_path: Path, size: tuple[int, int]) -> None:
    path = write(tmp_path)

    def assert_buttons_fit(app: StrideApp) -> None:
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen)
        box = dialog.query_one("#choice-dialog").region
        buttons = list(dialog.query(Button))
        assert len(buttons) == len(dialog.choices)
        for button in buttons:
            region = button.region
            assert region.width > 0 and region.x >= box.x and region.right <= box.right, (button.label, region, box)
            assert region.right <= size[0]

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await add_component(app, pilot, "Web")
        path.write_text(path.read_text().replace('title = "Shop"', 'title = "Theirs"'))
        await pilot.press("ctrl+s")
        await wait_for(app, pilot, ChoiceScreen)
        assert_buttons_fit(app)  # the file changed on disk: reload, overwrite, save as, cancel
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await wait_for(app, pilot, ChoiceScreen)
        assert_buttons_fit(app)  # unsaved changes: save and quit, quit without saving, cancel
        await pilot.press("c")

    run(path, scenario, size=size)
