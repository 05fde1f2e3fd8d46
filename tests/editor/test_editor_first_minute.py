"""The editor's first minute: every add key works with any selection, and no typed key is lost.

Two bugs a new user met at once: `b` with a boundary selected ended the app (the boundary form
set Textual's own ``_parent``), and letters typed right after the key that opens a form were
dropped while the form was opening.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
import textual.screen
import textual.widget
from textual import events
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Input

import widgets
from stride_tui import screens
from stride_tui.app import StrideApp
from stride_tui.screens.boundary_form import BoundaryForm
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.flow_form import FlowForm
from stride_tui.screens.threat_form import ThreatForm
from widgets import BoundaryTree, StridePanel

from .harness import MODEL, main_screen, run, settle, write

ADD_KEYS = {"c": ComponentForm, "f": FlowForm, "b": BoundaryForm, "t": ThreatForm}


def test_every_add_key_opens_its_form_with_any_selection_in_any_pane(tmp_path: Path) -> None:
    """Each add key, pressed on every row of every pane, opens its form; nothing crashes."""
    opened: list[tuple[str, str, str]] = []

    async def press_every_add_key(app: StrideApp, pilot: Pilot, where: str) -> None:
        for key, form in ADD_KEYS.items():
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, form), (where, key, app.screen)
            opened.append((where, key, type(app.screen).__name__))
            await pilot.press("escape")
            await pilot.pause()
            assert app.is_running

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        for pane, rows in (("1", 3), ("2", 1)):
            await pilot.press(pane)
            for row in range(rows):
                await press_every_add_key(app, pilot, f"pane {pane} row {row}")
                await pilot.press("down")
        await pilot.press("3")
        tree = screen.query_one(BoundaryTree)
        kinds_seen = set()
        for line in range(tree.last_line + 1):
            tree.cursor_line = line
            await pilot.pause()
            entry = tree.selected_entry
            assert entry is not None
            kinds_seen.add(entry.kind)
            await press_every_add_key(app, pilot, f"tree {entry.kind} {entry.element_id}")
        assert {"boundary", "component"} <= kinds_seen
        await pilot.press("4")
        assert screen.query_one(StridePanel).highlighted is not None
        await press_every_add_key(app, pilot, "stride panel")

    # outside every boundary, and named for money so that the panel has a threat to highlight
    model = MODEL + '\n[components.loose]\nkind = "process"\nname = "Loose refund job"\n'
    run(write(tmp_path, model), scenario)
    assert len(opened) >= 4 * (3 + 1 + 6 + 1)


def test_b_on_a_boundary_nests_the_new_boundary_in_it(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("3")  # the tree opens on its first boundary, "internet"
        await pilot.press("b")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BoundaryForm)
        assert form.values()["parent"] == "internet"

    run(write(tmp_path), scenario)


async def _type_as_the_form_opens(app: StrideApp, open_key: str, keys: list[str]) -> ModalScreen:
    """Press ``open_key``, then send ``keys`` the moment the dialog is pushed, before it has
    composed or focused anything: what a typist does who does not wait for the form."""
    app.post_message(events.Key(open_key, open_key if len(open_key) == 1 else None))
    for _ in range(10_000):
        if isinstance(app.screen, ModalScreen):
            break
        await asyncio.sleep(0)
    dialog = app.screen
    assert isinstance(dialog, ModalScreen)
    # still composing, or a dialog kept from before (made ahead) filled again and not shown yet
    opening = not dialog.is_mounted or getattr(dialog, "_held_keys", None) is not None
    assert opening, "the dialog was already open: the test would prove nothing"
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
    return dialog


@pytest.mark.parametrize(
    ("open_key", "pane", "keys", "field"),
    [
        ("c", "1", list("Refund service"), "name"),
        ("b", "3", list("Data tier"), "name"),
        ("t", "4", list("Card skimming"), "title"),
        ("f", "1", ["tab", *"refund call"], "name"),  # "from" prefilled: it opens on "to"
        ("m", "1", ["tab", *"Refunds"], "description"),
        ("e", "1", ["home", "ctrl+k", *"Shopper"], "name"),
    ],
)
def test_keys_typed_while_a_form_opens_reach_it_in_order(
    tmp_path: Path, open_key: str, pane: str, keys: list[str], field: str
) -> None:
    typed = "".join(key for key in keys if len(key) == 1)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press(pane)
        await pilot.pause()
        form = await _type_as_the_form_opens(app, open_key, keys)
        await pilot.pause(0.3)
        assert app.screen is form
        values = form.values()  # type: ignore[attr-defined]
        assert values[field] == typed, values

    run(write(tmp_path), scenario)


def test_ctrl_s_typed_right_after_the_name_saves_the_name(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("1")
        await _type_as_the_form_opens(app, "c", [*"Ledger", "ctrl+s"])
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ModalScreen)
        assert main_screen(app).model.components["ledger"].name == "Ledger"

    run(write(tmp_path), scenario)


@pytest.mark.parametrize(("open_key", "input_id"), [("w", "save-as-path"), ("ctrl+t", "session-minutes-0")])
def test_keys_typed_while_a_dialog_opens_reach_its_first_input(tmp_path: Path, open_key: str, input_id: str) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        dialog = await _type_as_the_form_opens(app, open_key, ["home", "ctrl+k", *"42"])
        await pilot.pause(0.3)
        assert dialog.query_one(f"#{input_id}", Input).value == "42"

    run(write(tmp_path), scenario)


def _textual_attributes() -> set[str]:
    names: set[str] = set()
    for cls in (textual.screen.ModalScreen, textual.widget.Widget):
        for klass in cls.__mro__:
            names.update(vars(klass))
    probe = textual.widget.Widget()
    names.update(vars(probe))
    return names


def _assigned_attributes(cls: type) -> set[str]:
    """Names a class of ours assigns on ``self`` anywhere in its own source."""
    import ast
    import textwrap

    (class_node,) = ast.parse(textwrap.dedent(inspect.getsource(cls))).body
    methods = [node for node in class_node.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    return {
        node.attr
        for method in methods
        for node in ast.walk(method)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    }


def _our_textual_classes() -> list[type]:
    import importlib
    import pkgutil

    found = []
    for package in (screens, widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (
                    inspect.isclass(value)
                    and value.__module__ == module.__name__
                    and issubclass(value, textual.widget.Widget)
                ):
                    found.append(value)
    return found


def test_no_widget_or_screen_of_ours_shadows_a_textual_attribute() -> None:
    """Setting an attribute Textual uses itself (``_parent``, ``_size``…) breaks Textual."""
    textual_names = _textual_attributes()
    classes = _our_textual_classes()
    assert len(classes) > 20
    clashes = {
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in classes
        for name in _assigned_attributes(cls)
        if name in textual_names
        and name not in _DELIBERATE
        and name not in _DELIBERATE_INTERNALS.get(cls.__qualname__, ())
    }
    assert not clashes


# Textual attributes that are meant to be set by subclasses.
_DELIBERATE = {
    "border_title",
    "border_subtitle",
    "title",
    "sub_title",
    "tooltip",
    "display",
    "can_focus",
    "auto_expand",
    "show_root",
    "guide_depth",
    "cursor_line",
    "cursor_type",
    "zebra_stripes",
    "show_header",
    "disabled",
    "styles",
    "virtual_size",
    "highlighted",
    "value",
    "expanded",
    "show_cursor",
    "show_horizontal_scrollbar",
    "loading",
}

# Textual's own frame state, set on purpose by the one class that draws around Textual's
# frame (a dialog laid out ahead, a screen repainted from its kept lines, details drawn from
# the lines measured for them). Any other class setting these is a clash.
_DELIBERATE_INTERNALS = {
    "Dialog": {"_layout_required", "_scroll_required"},
    "MainScreen": {"_repaint_required"},
    "DetailView": {"_render_cache"},
}
