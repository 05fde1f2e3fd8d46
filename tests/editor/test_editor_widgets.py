"""The editor's own widgets on their own: the virtual table, the yes/no/unknown control, the
details view, border titles and scroll views that a layout of the screen leaves alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.widgets import Static

from stride_tui.core.files.loader import load_model
from widgets import Column, DetailView, TableRow, TriState, VirtualTable
from widgets.border_text import set_border_subtitle, set_border_title
from widgets.steady_scroll import SteadyScrollView

from .harness import MODEL

COLUMNS = (
    Column("id", "id", max_width=10, priority=5),
    Column("name", "name", flex=True, min_width=6),
    Column("note", "note", max_width=12, priority=1),
)


def rows(n: int) -> list[TableRow]:
    return [TableRow(f"r{i}", (Text(f"r{i}"), Text(f"name {i} " * 3), Text("[/] note"))) for i in range(n)]


class Harness(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str | None]] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, empty_text="nothing")
        yield TriState()

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.events.append(("highlighted", event.key))

    def on_virtual_table_activated(self, event: VirtualTable.Activated) -> None:
        self.events.append(("activated", event.key))


def painted(table: VirtualTable) -> list[str]:
    width, height = table.size
    return [strip.text for strip in table.render_lines(Region(0, 0, width, height))]


def test_an_empty_table_wraps_what_it_says_instead_of_cutting_it() -> None:
    async def main() -> None:
        app = Harness()
        async with app.run_test(size=(40, 10)) as pilot:
            table = app.query_one(VirtualTable)
            table.empty_text = "No threats here: 3 flows cross it, each walked at the boundary it enters."
            table.refresh()
            await pilot.pause()
            lines = [line.strip() for line in painted(table)[1:] if line.strip()]
            assert len(lines) > 1 and all(len(line) < table.size.width for line in lines), lines
            assert " ".join(lines) == table.empty_text

    asyncio.run(main())


def test_virtual_table_draws_only_what_fits_and_keeps_the_cursor() -> None:
    async def main() -> None:
        app = Harness()
        async with app.run_test(size=(40, 10)) as pilot:
            table = app.query_one(VirtualTable)
            assert painted(table)[1].strip() == "nothing"
            table.set_rows(rows(5000))
            await pilot.pause()
            lines = painted(table)
            assert lines[0].startswith("id") and "name" in lines[0]
            assert lines[1].startswith("r0 ") and "[/] note" in lines[1]
            table.focus()
            await pilot.press("end")
            assert table.cursor_key == "r4999"
            assert "r4999" in painted(table)[-1]
            await pilot.press("pageup", "up", "home", "down", "enter")
            assert app.events[-2:] == [("highlighted", "r1"), ("activated", "r1")]
            table.set_rows(rows(3)[::-1], keep="r1")
            assert table.cursor_key == "r1" and table.get_row_index("r1") == 1
            await pilot.click(VirtualTable, offset=(1, 3))
            assert table.cursor_key == "r0"

    asyncio.run(main())


def test_virtual_table_columns_give_way_on_narrow_screens() -> None:
    async def main() -> None:
        app = Harness()
        async with app.run_test(size=(18, 6)) as pilot:
            table = app.query_one(VirtualTable)
            table.set_rows(rows(2))
            await pilot.pause()
            header = painted(table)[0]
            assert "note" not in header and header.startswith("id")  # lowest priority hides first
            table.hide_columns({"name"})
            await pilot.pause()
            assert "name" not in painted(table)[0]
            assert all(len(line) == table.size.width for line in painted(table))

    asyncio.run(main())


def test_tri_state_cycles_through_unknown() -> None:
    async def main() -> None:
        app = Harness()
        async with app.run_test() as pilot:
            control = app.query_one(TriState)
            control.focus()
            seen = []
            for key in ("space", "space", "space", "y", "n", "u", "left"):
                await pilot.press(key)
                seen.append(control.value)
            assert seen == [True, False, None, True, False, None, False]

    asyncio.run(main())


def scrollbar(table: ScrollView) -> bool:
    return table.show_vertical_scrollbar


def test_virtual_table_rows_coming_and_going_show_and_hide_its_scrollbar_without_a_layout() -> None:
    async def main() -> None:
        app = Harness()
        async with app.run_test(size=(40, 10)) as pilot:
            table = app.query_one(VirtualTable)
            screen = app.screen
            await pilot.pause()
            width = table.scrollable_content_region.width
            layouts: list[bool] = []
            original = screen._refresh_layout

            def counted(*args: object, **kwargs: object) -> None:
                layouts.append(True)
                original(*args, **kwargs)  # type: ignore[arg-type]

            screen._refresh_layout = counted  # type: ignore[method-assign]
            table.set_rows(rows(3))
            await pilot.pause()
            assert not layouts  # three rows fit: nothing about the screen changed
            table.set_rows(rows(50))
            await pilot.pause()
            assert scrollbar(table) and table.scrollable_content_region.width < width
            assert table.max_scroll_y == 51 - table.scrollable_content_region.height
            table.move_cursor(row=49)
            assert "r49" in painted(table)[-1]
            table.set_rows(rows(4))
            await pilot.pause()
            assert not scrollbar(table) and table.scrollable_content_region.width == width
            assert table.scroll_y == 0 and "r3" in painted(table)[4]

    asyncio.run(main())


class _DetailPane(App[None]):
    def compose(self) -> ComposeResult:
        yield DetailView()


def test_detail_view_gets_the_height_of_each_text_it_shows() -> None:
    async def main() -> None:
        app = _DetailPane()
        async with app.run_test(size=(40, 20)) as pilot:
            view = app.query_one(DetailView)
            heights = []
            for text in ("one\ntwo", "uno\ndos", "a\nb\nc\nd\ne", "x"):
                view.update(Text(text))
                await pilot.pause()
                heights.append(view.size.height)
                assert view.render_lines(Region(0, 0, 40, view.size.height))[-1].text.strip() == text.split("\n")[-1]
            assert heights == [2, 2, 5, 1]

    asyncio.run(main())


def test_a_flow_names_the_request_it_answers_and_a_request_says_nothing_of_one(tmp_path: Path) -> None:
    """``response_to`` is what a flow is, not a fact to find out: a request has no "unknown" one."""
    path = tmp_path / "model.toml"
    path.write_text(
        MODEL + '\n[flows.db-to-api]\nfrom = "db"\nto = "api"\nresponse_to = "api-to-db"\n', encoding="utf-8"
    )
    model = load_model(path).model

    async def main() -> None:
        app = _DetailPane()
        async with app.run_test(size=(60, 40)) as pilot:
            view = app.query_one(DetailView)
            shown = {}
            for flow_id in ("api-to-db", "db-to-api"):
                view.show_flow(model, flow_id)
                await pilot.pause()
                shown[flow_id] = [s.text for s in view.render_lines(Region(0, 0, 60, view.size.height))]
            assert not any("response_to" in line for line in shown["api-to-db"]), shown["api-to-db"]
            answer = [line for line in shown["db-to-api"] if "response_to" in line]
            assert len(answer) == 1 and "api-to-db" in answer[0] and "unknown" not in answer[0]

    asyncio.run(main())


def test_detail_view_draws_the_lines_it_measured_at_its_new_height() -> None:
    async def main() -> None:
        app = _DetailPane()
        async with app.run_test(size=(40, 20)) as pilot:
            view = app.query_one(DetailView)
            console = Console(width=38)  # the view's width inside its padding
            for text in ("one", "a\nb\nc", "d\ne\nf", "long " * 20, "x"):
                view.update(Text(text, style="bold"))
                await pilot.pause()
                expected = ["".join(s.text for s in line).rstrip() for line in console.render_lines(Text(text))]
                assert view.size.height == len(expected)
                drawn = app.screen._compositor.render_strips()[: len(expected) + 1]
                assert [strip.text[1:].rstrip() for strip in drawn] == [*expected, ""]

    asyncio.run(main())


def test_a_border_title_set_again_repaints_its_line_and_shows_the_new_text() -> None:
    class Boxed(App[None]):
        CSS = "Static { border: round white; height: 6; }"

        def compose(self) -> ComposeResult:
            yield Static("inside")

    async def main() -> None:
        app = Boxed()
        async with app.run_test(size=(30, 8)) as pilot:
            box = app.query_one(Static)
            set_border_title(box, "first")
            set_border_subtitle(box, Text("3 threats"))
            await pilot.pause()
            box._exchange_repaint_regions()  # what Textual would draw next, from here on
            set_border_subtitle(box, Text("2 threats"))
            assert set(box._exchange_repaint_regions()) == {Region(0, 5, 30, 1)}  # the bottom line only
            set_border_subtitle(box, Text("4 threats"))
            set_border_title(box, "second")
            await pilot.pause()
            lines = [strip.text for strip in app.screen._compositor.render_strips()[:6]]
            assert "second" in lines[0] and "first" not in lines[0]
            assert "4 threats" in lines[5] and "inside" in lines[1]
            assert box.border_title == "second"

    asyncio.run(main())


class _Scrolling(SteadyScrollView):
    def __init__(self) -> None:
        super().__init__()
        self.resizes: list[Size] = []

    def on_resize(self, event: events.Resize) -> None:
        self.resizes.append(event.size)


def test_a_steady_scroll_view_is_resized_and_its_scrollbar_repainted_only_when_its_sizes_change() -> None:
    class Layout(App[None]):
        CSS = "_Scrolling { height: 6; border: round white; } Static { height: auto; }"

        def compose(self) -> ComposeResult:
            yield Static("one line", id="text")
            yield _Scrolling()

    async def main() -> None:
        app = Layout()
        async with app.run_test(size=(30, 12)) as pilot:
            view = app.query_one(_Scrolling)
            view.virtual_size = Size(20, 40)  # taller than it: a scrollbar
            await pilot.pause()
            assert scrollbar(view) and view.vertical_scrollbar.window_virtual_size == 40
            view.resizes.clear()
            repaints: list[bool] = []
            bar = view.vertical_scrollbar
            original = bar.refresh

            def counted(*args: Region, **kwargs: bool) -> object:
                repaints.append(True)
                return original(*args, **kwargs)

            bar.refresh = counted  # type: ignore[method-assign,assignment]
            app.query_one("#text", Static).update("two\nlines")  # the screen is laid out again
            await pilot.pause()
            assert view.resizes == [] and repaints == []  # it moved down; nothing about it changed
            view.virtual_size = Size(20, 3)  # rows went: its scrollbar goes
            await pilot.pause()
            assert not scrollbar(view)
            await pilot.resize_terminal(40, 12)
            await pilot.pause()
            assert view.resizes and view.resizes[-1].width == 40

    asyncio.run(main())
