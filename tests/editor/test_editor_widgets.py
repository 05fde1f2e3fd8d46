"""The editor's own widgets on their own: the virtual table, the yes/no/unknown control."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from widgets import Column, DetailView, TableRow, TriState, VirtualTable

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


def scrollbar(table: VirtualTable) -> bool:
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


def test_detail_view_gets_the_height_of_each_text_it_shows() -> None:
    class Pane(App[None]):
        def compose(self) -> ComposeResult:
            yield DetailView()

    async def main() -> None:
        app = Pane()
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
