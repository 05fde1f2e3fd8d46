"""The key registry: it alone feeds the footer, the command palette and help, and every key in it
is named in each place it is meant to be."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from stride_tui.app import StrideApp
from stride_tui.screens import MainScreen
from stride_tui.screens.command_provider import ACTIONS, EditorCommands
from stride_tui.screens.help_screen import STRIDE, HelpScreen
from stride_tui.screens.keymap import HELP_ROWS, KEY_ACTIONS, KeyAction

from .harness import main_screen, run, wait_for, write

# What users rely on (DESIGN fixes some): key, action, footer label, shown in the footer.
EXPECTED_SCREEN_KEYS = {
    ("ctrl+s", "save", "Save", True),
    ("ctrl+z", "undo", "Undo", True),
    ("ctrl+y", "redo", "Redo", False),
    ("c", "add_component", "Component", True),
    ("f", "add_flow", "Flow", True),
    ("b", "add_boundary", "Boundary", True),
    ("t", "add_threat", "Threat", False),
    ("a", "sketch", "Sketch", True),
    ("e", "edit", "Edit", True),
    ("delete,x", "delete", "Delete", True),
    ("d", "decide", "Decide", True),
    ("y", "answer('y')", "Answer yes", False),
    ("n", "answer('n')", "Answer no", False),
    ("r", "add_response", "Add response", False),
    ("p", "pick_stories", "Pick stories", False),
    ("g", "toggle_diagram", "Diagram", True),
    ("question_mark,f1", "help", "Help", True),
    ("ctrl+e", "export", "Export", False),
    ("ctrl+t", "session", "Session timer", False),
    ("T", "session_stop", "Stop session", False),
    ("left_square_bracket", "diagram_boundary(-1)", "Prev boundary", False),
    ("right_square_bracket", "diagram_boundary(1)", "Next boundary", False),
    ("l", "diagram_layout", "Layout", False),
    ("escape", "select_none", "Whole model", False),
    ("s", "cycle_status", "Status filter", False),
    ("v", "cycle_severity", "Severity filter", False),
    ("o", "orphans", "Orphan decisions", False),
    ("m", "edit_model", "Model info", False),
    ("w", "save_as", "Save as", False),
    ("1", "focus_pane('components')", "Components pane", False),
    ("2", "focus_pane('flows')", "Flows pane", False),
    ("3", "focus_pane('boundaries')", "Boundaries pane", False),
    ("4", "focus_pane('stride-findings')", "STRIDE pane", False),
    ("tab", "app.focus_next", "Next pane", False),
    ("shift+tab", "app.focus_previous", "Previous pane", False),
}
FOOTER_ORDER = [
    "Save",
    "Undo",
    "Component",
    "Flow",
    "Boundary",
    "Sketch",
    "Edit",
    "Delete",
    "Decide",
    "Diagram",
    "Help",
]
_HELP_NAMES = {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]"}


def _as_tuple(binding: Binding) -> tuple[str, str, str, bool]:
    return (binding.key, binding.action, binding.description, binding.show)


def _help_tokens(row_keys: str) -> set[str]:
    return set(row_keys.replace(",", " ").replace("/", " ").split())


def test_the_screen_and_app_bindings_are_the_registry_and_unchanged() -> None:
    screen = [b for b in MainScreen.BINDINGS if isinstance(b, Binding)]
    assert len(screen) == len(MainScreen.BINDINGS)
    assert {_as_tuple(b) for b in screen} == EXPECTED_SCREEN_KEYS
    assert len(screen) == len(EXPECTED_SCREEN_KEYS)
    displays = {b.key: b.key_display for b in screen if b.key_display}
    assert displays == {
        "delete,x": "del",
        "question_mark,f1": "?",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
    }
    app = [b for b in StrideApp.BINDINGS if isinstance(b, Binding)]
    assert [(*_as_tuple(b), b.priority) for b in app] == [("ctrl+q", "quit", "Quit", True, True)]
    assert [k for k in KEY_ACTIONS if k.scope == "screen"] and len(KEY_ACTIONS) == len(screen) + len(app)


def test_every_key_has_a_help_row_that_names_it() -> None:
    rows = {row.keys: row for row in HELP_ROWS}
    assert len(rows) == len(HELP_ROWS), "two help rows with the same keys"
    for key in KEY_ACTIONS:
        assert key.help_row in rows, key
        tokens = _help_tokens(key.help_row)
        for name in key.key.split(","):
            assert _HELP_NAMES.get(name, name) in tokens, (name, key.help_row)


def test_every_key_but_moving_focus_has_a_palette_entry_running_its_action() -> None:
    palette_actions = [action for _, _, action in ACTIONS]
    for key in KEY_ACTIONS:
        if key.action.startswith("app.focus"):
            continue  # tab and shift+tab move focus in any Textual app
        assert key.palette, key
        assert key.palette_action in palette_actions, key
        for entry in key.palette:
            action = entry.action or key.palette_action
            assert action.split("(")[0] == key.palette_action.split("(")[0], (key, entry)
    assert len({title for title, _, _ in ACTIONS}) == len(ACTIONS), "two palette entries with one title"


def _help_text(app: StrideApp) -> str:
    """Everything the help screen shows, scrolled into view or not, as plain text."""
    console = Console(width=300, record=True, file=io.StringIO())
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


def test_the_help_screen_shows_every_row_and_each_stride_category(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.press("question_mark")
        await wait_for(app, pilot, HelpScreen)
        await pilot.pause()
        shown = _help_text(app)
        for row in HELP_ROWS:
            assert row.keys in shown and row.text in shown, row
        for entry in STRIDE:
            assert entry.label in shown and entry.mitigations in shown, entry.letter

    run(write(tmp_path), scenario)
    assert [entry.letter for entry in STRIDE] == list("STRIDE")
    for entry in STRIDE:
        assert entry.threat and entry.violates and entry.example and entry.mitigations


def test_the_footer_shows_exactly_the_keys_marked_for_it(tmp_path: Path) -> None:
    def marked(key: KeyAction) -> bool:
        return key.show and key.scope == "screen"

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        footer = main_screen(app).query_one(Footer)
        await pilot.pause()
        labels = [k.description for k in footer.query(FooterKey)]
        screen_labels = [label for label in labels if label not in ("Quit", "palette")]
        assert screen_labels == [k.description for k in KEY_ACTIONS if marked(k)] == FOOTER_ORDER
        assert "Quit" in labels and "palette" in labels  # the app's ctrl+q, Textual's ctrl+p
        shown = {k.description: k.key_display for k in footer.query(FooterKey)}
        assert shown["Delete"] == "del" and shown["Help"] == "?"

    run(write(tmp_path), scenario)


def test_a_dialog_leaves_the_screens_keys_as_drawn_and_closing_it_shows_the_same_keys(tmp_path: Path) -> None:
    """Behind a dialog the footer keeps the screen's keys, dimmed with the rest of the screen
    (hiding them laid the whole screen out again as every dialog opened and closed)."""

    def shown(footer: Footer) -> list[str]:
        return [k.description for k in footer.query(FooterKey) if k.display and all(a.display for a in k.ancestors)]

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        footer = screen.query_one(Footer)
        await pilot.pause()
        before = shown(footer)
        assert "Help" in before and "Component" in before
        keys = list(footer.query(FooterKey))
        await pilot.press("question_mark")
        await wait_for(app, pilot, HelpScreen)
        await pilot.pause()
        assert shown(footer) == before
        assert not screen.check_action("add_component", ())  # they do nothing behind the dialog
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert shown(footer) == before
        assert list(footer.query(FooterKey)) == keys  # the same keys, not composed again

    run(write(tmp_path), scenario)


def test_the_palette_lists_every_entry_of_the_registry_in_order(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        provider = EditorCommands(main_screen(app))
        titles = [hit.text async for hit in provider.discover()]
        assert titles == [entry.title for key in KEY_ACTIONS for entry in key.palette]
        assert len(titles) == 38

    run(write(tmp_path), scenario)
