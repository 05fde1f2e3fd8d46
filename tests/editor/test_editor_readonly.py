"""The read-only editor: opening models, the panes, focus, quitting, and user text shown literally.

pytest-asyncio is not a dependency, so each Pilot scenario runs under ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from stride_tui.app import StrideApp
from stride_tui.core.model.elements import (
    Boundary,
    DataStore,
    ExternalEntity,
    Flow,
    ModelMeta,
    Process,
    ThreatModel,
)
from stride_tui.screens import LoadErrorScreen, MainScreen
from widgets import (
    BoundaryTree,
    ComponentTable,
    DetailView,
    FlowTable,
    safe_text,
)

from .harness import wait_workers

MINIMAL = """\
stride_tui = 1

[model]
title = "T"

[boundaries.internet]
name = "Internet"

[components.user]
kind = "external_entity"
name = "User"
boundary = "internet"

[components.api]
kind = "process"
name = "API"

[flows.user-to-api]
from = "user"
to = "api"
protocol = "https"
"""

NESTED = """\
stride_tui = 1

[model]
title = "Nested"

[boundaries.internet]
name = "Internet"

[boundaries.cluster]
name = "Cluster"

[boundaries.payments]
name = "Payments"
parent = "cluster"

[components.user]
kind = "external_entity"
name = "User"
boundary = "internet"

[components.api]
kind = "process"
name = "API"
boundary = "payments"
technology = "python"
audit_log = true

[components.db]
kind = "data_store"
name = "DB"
boundary = "payments"

[components.queue]
kind = "data_store"
name = "Queue"
boundary = "cluster"

[components.psp]
kind = "external_entity"
name = "PSP"

[flows.user-to-api]
from = "user"
to = "api"
protocol = "https"

[flows.api-to-db]
from = "api"
to = "db"

[flows.api-to-queue]
from = "api"
to = "queue"
"""

HOSTILE_NAMES = ["[/]", "[@click=app.quit]x[/]", "[bold]"]

HOSTILE = """\
stride_tui = 1

[model]
title = "[bold]T[/] [@click=app.quit]x[/]"

[boundaries.zone]
name = "[/]"

[components.user]
kind = "external_entity"
name = "[@click=app.quit]x[/]"
boundary = "zone"
technology = "[/]"

[components.api]
kind = "process"
name = "[bold]"
description = "[link='javascript:alert(1)']hi[/link]"

[flows.user-to-api]
from = "user"
to = "api"
protocol = "[@click=app.quit]x[/]"
"""

INVALID = """\
stride_tui = 1

[model]
title = "T"

[components.user]
kind = "ghost"
name = "[/]"

[flows.f]
from = "user"
to = "nowhere"
"""


def _write(tmp_path: Path, text: str, name: str = "model.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run_app(
    path: Path,
    scenario: Callable[[StrideApp, Pilot], Awaitable[None]],
    *,
    size: tuple[int, int] = (120, 40),
    notifications: bool = False,
) -> StrideApp:
    """Run ``scenario`` against a StrideApp on ``path`` once the model has been opened."""
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=size, notifications=notifications) as pilot:
            await wait_workers(app)
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def _rendered(widget: Widget) -> str:
    """The text a widget paints (borders included), one line per row."""
    width, height = widget.outer_size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def _tree_nodes(tree: BoundaryTree) -> list:
    nodes, stack = [], list(tree.root.children)
    while stack:
        node = stack.pop(0)
        nodes.append(node)
        stack = list(node.children) + stack
    return nodes


# ---------------------------------------------------------------------------- opening a model


def test_opens_model_and_fills_the_three_panes(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one(ComponentTable).row_count == 5
        assert screen.query_one(FlowTable).row_count == 3
        entries = [node.data for node in _tree_nodes(screen.query_one(BoundaryTree))]
        assert [(e.kind, e.element_id) for e in entries] == [
            ("boundary", "internet"),
            ("component", "user"),
            ("boundary", "cluster"),
            ("component", "queue"),
            ("boundary", "payments"),
            ("component", "api"),
            ("component", "db"),
            ("unbounded", None),
            ("component", "psp"),
        ]
        assert screen.title == "Nested"
        assert screen.sub_title == "model.toml"
        header = _rendered(screen.query_one("HeaderTitle"))
        assert "Nested" in header and "model.toml" in header

    _run_app(_write(tmp_path, NESTED), scenario)


def test_minimal_model_counts(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = app.screen
        assert screen.query_one(ComponentTable).row_count == 2
        assert screen.query_one(FlowTable).row_count == 1
        tree = screen.query_one(BoundaryTree)
        labels = [node.label.plain for node in _tree_nodes(tree)]
        assert labels == ["Internet internet", "User user", "outside any boundary", "API api"]

    _run_app(_write(tmp_path, MINIMAL), scenario)


def test_crossing_flows_are_marked(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        table = app.screen.query_one(FlowTable)
        marks = {flow_id: table.get_row(flow_id)[0].plain for flow_id in ("user-to-api", "api-to-db", "api-to-queue")}
        assert marks == {"user-to-api": "⇄", "api-to-db": "", "api-to-queue": "⇄"}

    _run_app(_write(tmp_path, NESTED), scenario)


# ---------------------------------------------------------------------------- selection and focus


def test_selecting_a_component_row_shows_its_facts(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = app.screen
        table = screen.query_one(ComponentTable)
        assert screen.focused is table
        detail = screen.query_one(DetailView)
        assert "External entity  user" in _rendered(detail)

        await pilot.press("down")  # user -> api
        assert table.selected_id == "api"
        shown = _rendered(detail)
        assert "Process  api" in shown
        assert "technology" in shown and "python" in shown
        assert "payments ⊂ cluster" in shown
        assert "audit_log" in shown and "yes" in shown
        # facts that are not set are listed as unknown; unset descriptive keys are left out
        assert "validates_input" in shown and "unknown" in shown
        assert "description" not in shown

    _run_app(_write(tmp_path, NESTED), scenario)


def test_clicking_a_component_row_selects_it(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        table = app.screen.query_one(ComponentTable)
        # row 0 is the header; y counts the top border too
        await pilot.click(ComponentTable, offset=(3, 3))
        await pilot.pause()
        assert table.selected_id == "api"
        assert "Process  api" in _rendered(app.screen.query_one(DetailView))

    _run_app(_write(tmp_path, MINIMAL), scenario)


def test_tab_moves_focus_between_panes_and_detail_follows(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = app.screen
        detail = screen.query_one(DetailView)
        assert screen.focused is screen.query_one(ComponentTable)

        await pilot.press("tab")
        assert screen.focused is screen.query_one(FlowTable)
        await pilot.pause()
        assert "Flow  user-to-api" in _rendered(detail)
        assert "leaving internet" in _rendered(detail)
        assert "entering cluster" in _rendered(detail) and "entering payments" in _rendered(detail)

        await pilot.press("tab")
        assert screen.focused is screen.query_one(BoundaryTree)
        await pilot.pause()
        assert "Trust boundary  internet" in _rendered(detail)

        await pilot.press("down")
        await pilot.pause()
        assert "External entity  user" in _rendered(detail)

        await pilot.press("tab")
        assert screen.focused is screen.query_one("#stride-findings")
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#detail-pane")
        await pilot.press("tab")
        assert screen.focused is screen.query_one(ComponentTable)
        await pilot.press("shift+tab")
        assert screen.focused is screen.query_one("#detail-pane")

    _run_app(_write(tmp_path, NESTED), scenario)


def test_ctrl_q_quits_with_return_code_zero(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        assert app.return_code is None
        await pilot.press("ctrl+q")
        assert app.return_code == 0

    app = _run_app(_write(tmp_path, MINIMAL), scenario)
    assert app.return_code == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (20, 5)])
def test_layout_survives_terminal_sizes(tmp_path: Path, size: tuple[int, int]) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        if size[0] < 60:  # below 60×18 a notice replaces the editor (test_editor_recovery)
            assert type(app.screen).__name__ == "TooSmallScreen"
            await pilot.press("tab", "down")
            assert app.return_code is None
            return
        assert isinstance(app.screen, MainScreen)
        if size[0] >= 80:
            least = 10 if size[1] >= 40 else 5
            for selector in ("#components", "#flows", "#boundaries", "#stride", "#detail-pane"):
                region = app.screen.query_one(selector).region
                assert region.width >= 38 and region.height >= least, (selector, region)
            focused = app.screen.query_one("#components").region
            assert focused.height >= (12 if size[1] >= 40 else 9), focused
        await pilot.press("tab", "down", "tab", "down", "tab", "down")
        assert app.return_code is None

    _run_app(_write(tmp_path, NESTED), scenario, size=size)


# ---------------------------------------------------------------------------- user text is data


def test_hostile_names_show_literally_and_crash_nothing(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.query_one(ComponentTable)
        assert [cell.plain for cell in table.get_row("user")][2:4] == [
            "[@click=app.quit]x[/]",
            "zone",
        ]
        assert table.get_row("api")[2].plain == "[bold]"
        painted = _rendered(table)
        assert "[@click=app.quit]x[/]" in painted and "[bold]" in painted

        flows = _rendered(screen.query_one(FlowTable))
        assert "[@click=app.quit]x[/]" in flows

        tree = _rendered(screen.query_one(BoundaryTree))
        for name in HOSTILE_NAMES:
            assert name in tree

        header = _rendered(screen.query_one("HeaderTitle"))
        assert "[bold]T[/] [@click=app.quit]x[/]" in header

        # a click on the would-be action link is a click on a row, nothing more
        await pilot.click(ComponentTable, offset=(20, 2))
        await pilot.pause()
        assert app.return_code is None
        assert table.selected_id == "user"
        assert "[@click=app.quit]x[/]" in _rendered(screen.query_one(DetailView))

        await pilot.press("down")
        shown = "".join(_rendered(screen.query_one(DetailView)).split())  # a long value wraps in its column
        assert "[link='javascript:alert(1)']hi[/link]" in shown

    _run_app(_write(tmp_path, HOSTILE), scenario)


def test_control_characters_never_reach_the_screen() -> None:
    """Core rejects control characters on load; the widgets strip them again (defence in depth)."""
    evil = "A\x1b]0;PWNED\x1b\\B\x9b31mC\x07\x7f"
    model = ThreatModel.model_construct(
        model=ModelMeta.model_construct(title=evil),
        boundaries={"zone": Boundary.model_construct(name=evil)},
        components={
            "user": ExternalEntity.model_construct(kind="external_entity", name=evil, boundary="zone"),
            "db": DataStore.model_construct(kind="data_store", name="db", description=evil),
        },
        flows={"f": Flow.model_construct(source="user", target="db", protocol=evil)},
    )

    class Harness(App[None]):
        def compose(self) -> ComposeResult:
            yield ComponentTable()
            yield FlowTable()
            yield BoundaryTree()
            yield DetailView()

    async def main() -> None:
        app = Harness()
        async with app.run_test(size=(120, 40)) as pilot:
            app.query_one(ComponentTable).show(model)
            app.query_one(FlowTable).show(model)
            app.query_one(BoundaryTree).show(model)
            app.query_one(DetailView).show_component(model, "db")
            await pilot.pause()
            for widget in app.query("ComponentTable, FlowTable, BoundaryTree, DetailView"):
                painted = _rendered(widget)
                assert "A]0;PWNED\\B31mC" in painted, (type(widget).__name__, painted)
                assert not any(ch in painted for ch in "\x1b\x9b\x07\x7f"), type(widget).__name__

    asyncio.run(main())


def test_safe_text_strips_controls_and_shows_invisible_characters() -> None:
    assert safe_text("a\x1b[2Jb\x9bc\x00d\x7fe").plain == "a[2Jbcde"
    assert safe_text("tab\there\nnext").plain == "tab\there\nnext"
    assert safe_text("[/]").plain == "[/]"
    assert safe_text("x\u202ey").plain == "x<U+202E>y"
    assert safe_text("abcdefgh", limit=4).plain == "abc…"


# ------------------------------------------------------------------ missing and invalid files


def test_missing_path_opens_an_empty_model_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "new-feature.toml"
    notes: list[str] = []

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.model.model.title == "new-feature"
        assert screen.model.components == {} and screen.loaded is None
        assert screen.query_one(ComponentTable).row_count == 0
        assert "empty" in _rendered(screen.query_one(DetailView))
        notes.extend(n.message for n in app._notifications)
        await pilot.press("tab", "tab", "tab", "ctrl+q")

    app = _run_app(path, scenario, notifications=True)
    assert any("does not exist yet" in note for note in notes)
    assert app.return_code == 0
    assert not path.exists()  # read-only: nothing is written


def test_a_new_model_in_a_folder_that_does_not_exist_is_warned_about_at_once(tmp_path: Path) -> None:
    path = tmp_path / "modles" / "new-feature.toml"  # the folder mistyped
    notes: list[str] = []

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        assert isinstance(app.screen, MainScreen)
        notes.extend(n.message for n in app._notifications)
        await pilot.press("ctrl+q")

    _run_app(path, scenario, notifications=True)
    assert any(f"Its folder {path.parent} does not exist either" in note for note in notes), notes
    assert not path.parent.exists()


def test_invalid_file_shows_every_error_without_crashing(tmp_path: Path) -> None:
    path = _write(tmp_path, INVALID)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = app.screen
        assert isinstance(screen, LoadErrorScreen)
        shown = _rendered(screen.query_one("#load-error-list"))
        assert f"{path}:7:1: error:" in shown or f"{path}:6:" in shown
        assert "ghost" in shown and "nowhere" in shown
        assert len(app.load_errors) == 2
        assert all(": error: " in line for line in app.load_errors)
        await pilot.press("tab", "down", "q")

    app = _run_app(path, scenario)
    assert app.return_code == 2


@pytest.mark.parametrize(
    "content",
    [b"", b"\xef\xbb\xbfstride_tui = 1\n[model\n", b'name = "[/]\xff"\n', b"<<<<<<< HEAD\n"],
    ids=["empty", "broken-toml", "bad-utf8", "conflict"],
)
def test_unreadable_files_show_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.toml"
    path.write_bytes(content)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        assert isinstance(app.screen, LoadErrorScreen)
        assert app.load_errors
        await pilot.press("ctrl+q")

    assert _run_app(path, scenario).return_code == 2


def test_a_directory_is_an_error_not_a_new_model(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        assert isinstance(app.screen, LoadErrorScreen)
        assert "directory" in app.load_errors[0]

    _run_app(tmp_path, scenario)


# ---------------------------------------------------------------------------- widgets, directly


def test_boundary_tree_survives_deep_nesting_and_keeps_its_cursor() -> None:
    depth = 1500  # deeper than Python's default recursion limit
    boundaries = {"b0": Boundary()}
    boundaries.update({f"b{i}": Boundary(parent=f"b{i - 1}") for i in range(1, depth)})
    model = ThreatModel(
        model=ModelMeta(title="deep"),
        boundaries=boundaries,
        components={"leaf": Process(kind="process", boundary=f"b{depth - 1}")},
    )

    class Harness(App[None]):
        def compose(self) -> ComposeResult:
            yield BoundaryTree()

    async def main() -> None:
        app = Harness()
        async with app.run_test() as pilot:
            tree = app.query_one(BoundaryTree)
            tree.show(model)
            await pilot.pause()
            assert len(_tree_nodes(tree)) == depth + 1
            deepest = [n for n in _tree_nodes(tree) if n.data == ("boundary", f"b{depth - 1}")]
            assert f"(in b{depth - 2})" in deepest[0].label.plain
            assert "(in" not in _tree_nodes(tree)[5].label.plain
            tree.cursor_line = 5
            tree.show(model)
            await pilot.pause()
            assert tree.selected_entry == ("boundary", "b5")

    asyncio.run(main())
