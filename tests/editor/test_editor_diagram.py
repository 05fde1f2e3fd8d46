"""The diagram view: drawn from the model, following edits and the selected boundary, scrolling
large models, Graphviz's layout swapped in when it is ready; and the help lists every key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.pilot import Pilot

from stride_tui.app import StrideApp
from stride_tui.core.files.storage import save_model
from stride_tui.core.model.elements import Flow, ModelMeta, Process, ThreatModel
from stride_tui.screens import MainScreen
from widgets import DiagramView

from ..shared import SAMPLES, needs_graphviz
from .harness import add_component, main_screen, run, wait_workers, write


def diagram_text(screen: MainScreen) -> str:
    diagram = screen.query_one(DiagramView).diagram
    assert diagram is not None
    return "\n".join(diagram.lines)


def test_g_shows_the_diagram_that_follows_edits_and_undo(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        screen.diagram.layout_mode = "layered"
        await pilot.press("g")
        await pilot.pause()
        assert screen.diagram_shown and not screen.query_one("#panes").display
        assert screen.query_one(DiagramView).has_focus
        assert "Shop API" in diagram_text(screen) or "API" in diagram_text(screen)
        await add_component(app, pilot, "Inventory")  # c works in the diagram view
        assert "Inventory" in diagram_text(screen)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "Inventory" not in diagram_text(screen)
        await pilot.press("g")
        await pilot.pause()
        assert not screen.diagram_shown and screen.query_one("#panes").display

    run(path, scenario)


def test_brackets_highlight_a_boundary_and_its_crossing_flows(tmp_path: Path) -> None:
    path = tmp_path / "checkout.toml"
    shutil.copy(SAMPLES / "checkout.toml", path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        screen.diagram.layout_mode = "layered"
        await pilot.press("right_square_bracket")  # only in the diagram view
        assert screen.selected_boundary is None
        await pilot.press("g", "right_square_bracket")
        await pilot.pause()
        assert screen.selected_boundary == next(iter(screen.model.boundaries))
        diagram = screen.query_one(DiagramView).diagram
        tags = {tag for row in diagram.tags for tag in row}
        assert "selected-frame" in tags and "selected-crossing" in tags
        title = str(screen.query_one("#diagram-title").visual)
        assert "crossing flow" in title
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.selected_boundary is None
        assert "selected-frame" not in {t for row in screen.query_one(DiagramView).diagram.tags for t in row}

    run(path, scenario)


def test_clicking_a_box_selects_its_component(tmp_path: Path) -> None:
    path = write(tmp_path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        screen.diagram.layout_mode = "layered"
        await pilot.press("g")
        await pilot.pause()
        view = screen.query_one(DiagramView)
        cid, box = next(iter(view.diagram.boxes.items()))
        await pilot.click(view, offset=(box.col + 2 - int(view.scroll_x), box.row + 1 - int(view.scroll_y)))
        await pilot.pause()
        assert screen.selection is not None and screen.selection.element_id == cid

    run(path, scenario)


def big_model(size: int) -> ThreatModel:
    components = {f"svc-{i}": Process(kind="process", name=f"Service {i}") for i in range(size)}
    flows = {f"f-{i}": Flow(**{"from": f"svc-{i}", "to": f"svc-{i + 1}"}) for i in range(size - 1)}
    return ThreatModel(model=ModelMeta(title="Big"), components=components, flows=flows)


def test_a_large_diagram_is_drawn_off_the_ui_thread_and_scrolls(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    save_model(big_model(400), path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        screen.diagram.layout_mode = "layered"
        await pilot.press("g")
        await wait_workers(app)
        await pilot.pause()
        view = screen.query_one(DiagramView)
        assert view.diagram is not None and view.virtual_size.height > 1000
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert view.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert "Service 399" in "\n".join(strip.text for strip in app.screen._compositor.render_strips())

    run(path, scenario)


@needs_graphviz()
def test_graphviz_layout_replaces_the_layered_one(tmp_path: Path) -> None:
    path = tmp_path / "checkout.toml"
    shutil.copy(SAMPLES / "checkout.toml", path)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("g")
        await wait_workers(app)
        await pilot.pause()
        assert screen.query_one(DiagramView).diagram.layout_source == "graphviz"
        await pilot.press("l")  # the built-in layout on request
        await pilot.pause()
        assert screen.query_one(DiagramView).diagram.layout_source == "layered"

    run(path, scenario)


def test_without_graphviz_the_layered_layout_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)
    monkeypatch.setattr("widgets.diagram_pane.find_dot", lambda: None)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        await pilot.press("g")
        await wait_workers(app)
        await pilot.pause()
        assert screen.query_one(DiagramView).diagram.layout_source == "layered"
        assert "Graphviz not installed" in str(screen.query_one("#diagram-title").visual)

    run(path, scenario)


def test_diagram_view_snapshot(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(SAMPLES / "checkout.toml", tmp_path / "checkout.toml")
    monkeypatch.chdir(tmp_path)

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await wait_workers(app)
        await pilot.pause()
        screen = main_screen(app)
        screen.diagram.layout_mode = "layered"  # the same picture with or without Graphviz
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        view = screen.query_one(DiagramView)
        view.scroll_to(0, 0, animate=False)
        await pilot.pause()

    assert snap_compare(StrideApp(Path("checkout.toml")), terminal_size=(120, 40), run_before=run_before)
