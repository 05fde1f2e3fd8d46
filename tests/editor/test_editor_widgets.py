"""The editor's own widgets on their own: the virtual table, the yes/no/unknown control."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from widgets import Column, TableRow, TriState, VirtualTable

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
