"""A table that draws only the rows on screen, so thousands of rows cost what forty do.

``DataTable`` measures every cell of every new row (refilling 2,000 rows takes ~0.6 s); this
table keeps rows as values, each measured once when it is made, and renders visible lines on
demand through the line API. A row may be *lazy*: its widths are given and its cells built only
when it is drawn, so 48,000 threats cost 48,000 small tuples, not 200,000 Rich texts. An edit
replaces only the rows that changed (`replace_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from .steady_scroll import SteadyScrollView

_GAP = 1


@dataclass(frozen=True)
class Column:
    """One column: its heading and how it shares the width with the others."""

    key: str
    label: str
    max_width: int = 40
    """The widest the column grows to fit its content (the flexible column ignores it)."""
    min_width: int = 3
    flex: bool = False
    """Takes the width left over, and gives it back first when the table is narrow."""
    priority: int = 0
    """When the table is too narrow, columns with the lowest priority are hidden first."""


class TableRow:
    """One row: its key and a cell per column, or a heading across the whole width.

    Either the cells are given, or (`TableRow.lazy`) their widths and a function that builds
    them the first time the row is drawn. Treat a row as a value: it is never changed.
    """

    __slots__ = ("_build", "_cells", "heading", "key", "widths")

    def __init__(self, key: str, cells: tuple[Text, ...], heading: bool = False) -> None:
        self.key: str = key
        """The row's key, unique in its table."""
        self.heading: bool = heading
        """A group heading: ``cells[0]`` is drawn across every column."""
        self._cells: tuple[Text, ...] | None = cells
        self._build: Callable[[], tuple[Text, ...]] | None = None
        self.widths: tuple[int, ...] = () if heading else tuple(cell.cell_len for cell in cells)
        """Each cell's width in terminal cells (a heading's are not measured)."""

    @classmethod
    def lazy(cls, key: str, widths: tuple[int, ...], build: Callable[[], tuple[Text, ...]]) -> TableRow:
        """A row whose cells ``build`` makes when first drawn; ``widths`` must be theirs."""
        row = cls.__new__(cls)
        row.key, row.heading, row.widths = key, False, widths
        row._cells, row._build = None, build
        return row

    @property
    def cells(self) -> tuple[Text, ...]:
        """The cells, left to right (built now for a lazy row, then kept)."""
        cells = self._cells
        if cells is None:
            assert self._build is not None
            cells = self._cells = self._build()
            self._build = None
        return cells

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TableRow):
            return NotImplemented
        return (self.key, self.heading, self.cells) == (other.key, other.heading, other.cells)

    def __hash__(self) -> int:
        return hash((self.key, self.heading))

    def __repr__(self) -> str:
        return f"TableRow({self.key!r}, heading={self.heading})"


class VirtualTable(SteadyScrollView, can_focus=True):
    """Rows under a fixed header, with a row cursor; only visible lines are ever rendered.

    Moving the cursor posts `VirtualTable.Highlighted`; enter or a double click posts
    `VirtualTable.Activated`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "activate", "Open", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, down | Move the cursor one row. |
    | pageup, pagedown | Move the cursor one screen. |
    | home, end | Move to the first or last row. |
    | enter | Open the row under the cursor. |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--even-row",
        "virtual-table--cursor",
        "virtual-table--heading",
        "virtual-table--empty",
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
        }
        & > .virtual-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .virtual-table--heading {
            text-style: bold;
            color: $text-accent;
        }
        & > .virtual-table--empty {
            color: $foreground-muted;
            text-style: italic;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    class Highlighted(Message):
        """The user moved the cursor to another row."""

        def __init__(self, table: VirtualTable, key: str | None) -> None:
            super().__init__()
            self.table: VirtualTable = table
            """The table whose cursor moved."""
            self.key: str | None = key
            """The key of the row under the cursor, or None when the table is empty."""

        @property
        def control(self) -> VirtualTable:
            """The table (for the `on` decorator)."""
            return self.table

    class Activated(Message):
        """The user opened a row (enter, or a double click)."""

        def __init__(self, table: VirtualTable, key: str) -> None:
            super().__init__()
            self.table: VirtualTable = table
            """The table the row belongs to."""
            self.key: str = key
            """The key of the row."""

        @property
        def control(self) -> VirtualTable:
            """The table (for the `on` decorator)."""
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty_text: str = "Nothing here yet.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """
        Args:
            columns: The columns, left to right.
            empty_text: Shown under the header while there are no rows.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.columns: tuple[Column, ...] = tuple(columns)
        """The columns, left to right."""
        self.empty_text: str = empty_text
        """What an empty table says."""
        self._empty_wrapped: tuple[tuple[str, int], list[str]] | None = None
        """`empty_text` wrapped, and the text and width it was wrapped for."""
        self._rows: list[TableRow] = []
        self._index: dict[str, int] = {}
        self._natural: list[int] = [cell_len(c.label) for c in self.columns]
        self._widths_for: tuple[int, list[int | None]] | None = None
        self._hidden: frozenset[str] = frozenset()
        self._cursor = 0
        self._drawn: dict[int, tuple[TableRow, Style, list[int | None], int, Strip]] = {}
        """Each line's row, style and column widths as last drawn, and its strip: a table refilled
        after an edit is repainted whole, and most of its rows are the same rows as before."""

    # ------------------------------------------------------------------------- data

    @property
    def rows(self) -> Sequence[TableRow]:
        """The rows, top to bottom."""
        return self._rows

    @property
    def row_count(self) -> int:
        """How many rows (headings included) the table holds."""
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        """The index of the row under the cursor."""
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        return self._rows[self._cursor].key if self._rows else None

    def get_row(self, key: str) -> list[Text]:
        """The cells of the row ``key`` (raises ``KeyError`` when there is none)."""
        return list(self._rows[self._index[key]].cells)

    def get_row_index(self, key: str) -> int:
        """The index of the row ``key`` (raises ``KeyError`` when there is none)."""
        return self._index[key]

    def hide_columns(self, keys: set[str] | frozenset[str]) -> None:
        """Hide the columns with these keys (and show every other one)."""
        if frozenset(keys) != self._hidden:
            self._hidden = frozenset(keys)
            self._widths_for = None
            self.refresh()

    def set_rows(
        self,
        rows: Sequence[TableRow],
        *,
        keep: str | None = None,
        measured: tuple[dict[str, int], list[int]] | None = None,
    ) -> None:
        """Replace every row; put the cursor back on ``keep`` (or near where it was).

        ``measured`` is what `measured` said after these very rows were set before (their index
        and widths), so a list shown again is not walked again. When ``keep`` is gone (a question
        answered), the cursor goes to the first row after it that is still there: rows above it
        that went too must not push the cursor past the next one."""
        previous, after = self._rows, self._cursor + 1
        self._rows = list(rows)
        if measured is not None:
            self._index, natural = measured
            self._natural = list(natural)
        else:
            self._index = {row.key: i for i, row in enumerate(self._rows)}
            self._natural = self._measure(self._rows)
        if keep is not None and keep not in self._index:
            keep = next((row.key for row in islice(previous, after, None) if row.key in self._index), None)
        self._after_rows_changed(keep)

    @property
    def measured(self) -> tuple[dict[str, int], list[int]]:
        """The rows' index and column widths, for `set_rows` of the same rows again (valid
        until the rows change)."""
        return self._index, list(self._natural)

    def replace_rows(self, changed: Mapping[str, TableRow]) -> None:
        """Put each row of ``changed`` in place of the row with its key (same place, same
        cursor): an edit of a few elements costs those rows, not the table."""
        rows, index, natural = self._rows, self._index, self._natural
        remeasure = False
        for key, row in changed.items():
            at = index[key]
            old = rows[at]
            rows[at] = row
            for i, width in enumerate(row.widths[: len(natural)]):
                if width > natural[i]:
                    natural[i] = width
            # a row that was the widest may have shrunk: only then measure every row again
            remeasure = remeasure or any(
                w == natural[i] and (i >= len(row.widths) or row.widths[i] < w)
                for i, w in enumerate(old.widths[: len(natural)])
            )
        if remeasure:
            self._natural = self._measure(rows)
        self._widths_for = None
        top = int(self.scroll_y)
        height = self.scrollable_content_region.height
        for key in changed:
            line = index[key] - top + 1
            if 0 < line < height:
                self.refresh(Region(0, line, self.size.width, 1))

    def _measure(self, rows: Sequence[TableRow]) -> list[int]:
        natural = [cell_len(c.label) for c in self.columns]
        count = len(natural)
        full = [row.widths for row in rows if not row.heading and len(row.widths) >= count]
        if full:  # column by column in C: a refill of 50,000 rows is measured in milliseconds
            for i in range(count):
                natural[i] = max(natural[i], max(map(itemgetter(i), full)))
        for row in rows:  # rows with fewer cells than columns (rare): one by one
            if not row.heading and len(row.widths) < count:
                for i, width in enumerate(row.widths):
                    natural[i] = max(natural[i], width)
        return natural

    def _after_rows_changed(self, keep: str | None) -> None:
        self._widths_for = None
        target = self._index.get(keep, self._cursor) if keep is not None else self._cursor
        self._cursor = max(0, min(target, len(self._rows) - 1))
        self._set_virtual_size(Size(self.size.width, len(self._rows) + 1))
        self._scroll_cursor_into_view()
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Make ``size`` the scrollable size. Textual lays the whole screen out again when a
        virtual size changes (the STRIDE panel's does on most moves of the selection); a table
        whose own height does not follow its rows only needs its scrollbars updated (and a
        scrollbar that comes or goes lays the screen out itself)."""
        if size == self.virtual_size:
            return
        if self.styles.is_auto_height or not self.is_mounted:
            self.virtual_size = size
            return
        self.set_reactive(VirtualTable.virtual_size, size)
        self._scroll_update(size)

    # ----------------------------------------------------------------------- cursor

    def move_cursor(self, *, row: int, post: bool = False) -> None:
        """Put the cursor on row index ``row``; with ``post``, tell listeners as a user move does."""
        if not self._rows:
            return
        row = max(0, min(row, len(self._rows) - 1))
        if row != self._cursor:
            previous, self._cursor = self._cursor, row
            top = int(self.scroll_y)
            for index in (previous, row):
                self.refresh(Region(0, index - top + 1, self.size.width, 1))
        self._scroll_cursor_into_view()
        if post:
            self.post_message(self.Highlighted(self, self.cursor_key))

    def move_cursor_to_key(self, key: str, *, post: bool = False) -> bool:
        """Put the cursor on the row ``key``; return False when there is no such row."""
        index = self._index.get(key)
        if index is None:
            return False
        self.move_cursor(row=index, post=post)
        return True

    def _scroll_cursor_into_view(self) -> None:
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + visible:
            self.scroll_to(y=self._cursor - visible + 1, animate=False)

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1, post=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1, post=True)

    def action_page_up(self) -> None:
        self.move_cursor(row=self._cursor - self._page(), post=True)

    def action_page_down(self) -> None:
        self.move_cursor(row=self._cursor + self._page(), post=True)

    def action_first(self) -> None:
        self.move_cursor(row=0, post=True)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._rows) - 1, post=True)

    def action_activate(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Activated(self, key))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = int(self.scroll_y) + offset.y - 1
        if row >= len(self._rows):
            return
        event.stop()
        self.move_cursor(row=row, post=True)
        if event.chain >= 2:
            self.action_activate()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)
        self._scroll_cursor_into_view()

    # --------------------------------------------------------------------- drawing

    def _widths(self, width: int) -> list[int | None]:
        """Each column's width at ``width`` cells, or None for a column hidden for lack of room."""
        if self._widths_for is not None and self._widths_for[0] == width:
            return self._widths_for[1]
        columns = self.columns
        widths: list[int | None] = [
            None if c.key in self._hidden else max(min(n, c.max_width) if not c.flex else n, c.min_width)
            for n, c in zip(self._natural, columns, strict=False)
        ]

        def total() -> int:
            shown = [w for w in widths if w is not None]
            return sum(shown) + _GAP * max(len(shown) - 1, 0)

        flex = next((i for i, c in enumerate(columns) if c.flex), None)
        if flex is not None and widths[flex] is None:
            flex = None
        if flex is not None and total() > width:
            widths[flex] = max(columns[flex].min_width, widths[flex] - (total() - width))  # type: ignore[operator]
        by_priority = sorted(
            (i for i, c in enumerate(columns) if not c.flex and widths[i] is not None),
            key=lambda i: (columns[i].priority, -i),
        )
        for i in by_priority:
            if total() <= width or sum(w is not None for w in widths) <= 1:
                break
            widths[i] = None
        if total() > width:  # still too wide: shrink the widest column
            widest = max((i for i, w in enumerate(widths) if w is not None), key=lambda i: widths[i])  # type: ignore[arg-type,return-value]
            widths[widest] = max(1, widths[widest] - (total() - width))  # type: ignore[operator]
        elif flex is not None and widths[flex] is not None:
            widths[flex] += width - total()  # type: ignore[operator]
        self._widths_for = (width, widths)
        return widths

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles are looked up once per paint, not once per line (``rich_style`` walks the DOM).
        self._paint_styles = {name: self.get_component_rich_style(name) for name in self.COMPONENT_CLASSES}
        self._paint_styles[""] = self.rich_style
        return super().render_lines(crop)

    def _cells(self, cells: Sequence[Text], widths: list[int | None], style: Style) -> list[Segment]:
        """The segments of one row: each cell cut or padded to its column, on ``style``."""
        segments: list[Segment] = []
        first = True
        for cell, width in zip(cells, widths, strict=False):
            if width is None:
                continue
            if not first:
                segments.append(Segment(" " * _GAP, style))
            first = False
            plain = cell.plain
            if not cell.spans and "\n" not in plain and "\t" not in plain:
                # the common case: one style for the whole cell, no need for Rich's renderer
                length = cell_len(plain)
                if length > width:
                    plain = set_cell_size(plain, max(width - 1, 0)) + "…" if width else ""
                elif length < width:
                    plain += " " * (width - length)
                own = cell.style
                if own:
                    segments.append(Segment(plain, style + (own if isinstance(own, Style) else Style.parse(own))))
                else:
                    segments.append(Segment(plain, style))
                continue
            piece = cell.copy()
            piece.end = ""
            piece.truncate(width, overflow="ellipsis", pad=True)
            piece.stylize_before(style)
            segments.extend(piece.render(self.app.console))
        return segments

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        styles = getattr(self, "_paint_styles", None)
        if styles is None:
            styles = {name: self.get_component_rich_style(name) for name in self.COMPONENT_CLASSES}
            styles[""] = self.rich_style
        base = styles[""]
        if y == 0:
            style = base + styles["virtual-table--header"]
            header = self._cells([Text(c.label) for c in self.columns], self._widths(width), style)
            return self._strip(header, width, style)
        index = int(self.scroll_y) + y - 1
        if not self._rows:
            lines = self._empty_lines(width - 1)
            if 1 <= y <= len(lines):
                style = base + styles["virtual-table--empty"]
                return self._strip([Segment(" " + lines[y - 1], style)], width, style)
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        style = base
        if row.heading:
            style += styles["virtual-table--heading"]
        elif index % 2:
            style += styles["virtual-table--even-row"]
        if index == self._cursor:
            style += styles["virtual-table--cursor"]
        if row.heading:
            heading = row.cells[0].copy()
            heading.end = ""
            heading.truncate(width, overflow="ellipsis")
            heading.stylize_before(style)
            return self._strip(list(heading.render(self.app.console)), width, style)
        widths = self._widths(width)
        drawn = self._drawn.get(y)
        if drawn is not None and drawn[0] is row and drawn[1] == style and drawn[2] == widths and drawn[3] == width:
            return drawn[4]  # a row is a value: the same row draws the same line
        strip = self._strip(self._cells(row.cells, widths, style), width, style)
        self._drawn[y] = (row, style, list(widths), width, strip)
        return strip

    def _empty_lines(self, width: int) -> list[str]:
        """`empty_text` wrapped to ``width`` cells: a whole sentence, not one cut at the edge."""
        key = (self.empty_text, width)
        cached = self._empty_wrapped
        if cached is None or cached[0] != key:
            lines = [line.plain.rstrip() for line in Text(self.empty_text).wrap(self.app.console, max(width, 1))]
            cached = self._empty_wrapped = (key, lines)
        return cached[1]

    @staticmethod
    def _strip(segments: list[Segment], width: int, style: Style) -> Strip:
        strip = Strip(segments)
        return strip.extend_cell_length(width, style).crop(0, width)
