"""The detail pane: every key of the selected element, with unknown facts spelled out; or a
threat, a finding or a question in full."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import Visual
from textual.widget import _RenderCache
from textual.widgets import Static

from stride_tui.core import ThreatModel
from stride_tui.core.analysis.engine import Finding
from stride_tui.core.analysis.questions import Question
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.model.topology import Topology, boundary_chain

from .finding_text import finding_details
from .safe_text import safe_text
from .threat_text import question_details, threat_details

# Keys that describe an element rather than state a fact about its security. They are shown
# only when set; every other optional key is a fact that rules read, so it is always listed
# and a missing one reads "unknown".
_DESCRIPTIVE = frozenset(
    {
        "kind",
        "name",
        "description",
        "technology",
        "tags",
        "boundary",
        "parent",
        "source",
        "target",
        "response_to",
        "data",
        "protocol",
        "out_of_scope",
        "out_of_scope_reason",
    }
)
_KIND_TITLES = {
    "external_entity": "External entity",
    "process": "Process",
    "data_store": "Data store",
}


def _unknown() -> Text:
    return Text("unknown", style="dim italic")


def _value(value: object) -> Text:
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, list):
        return safe_text(", ".join(str(item) for item in value))
    return safe_text(str(value))


def _heading(title: str, element_id: str) -> Text:
    heading = Text(title, style="bold")
    heading.append("  ")
    heading.append_text(safe_text(element_id, style="bold"))
    return heading


_BOLD = Style(bold=True)


def _segments(text: Text, console: Console) -> Iterable[Segment]:
    """The segments of ``text`` as part of a longer text: in its own style even without spans
    (Rich renders a text without spans unstyled, leaving its style to the text around it)."""
    if text.spans:
        yield from text.render(console)
    elif text.plain:
        yield Segment(text.plain, console.get_style(text.style, default=Style.null()) if text.style else Style.null())


_NARROWEST = 8
"""Value columns narrower than this are left to Rich's own table (a pane that narrow is rare)."""


class _Grid:
    """Keys and their values in two columns, laid out as ``Table.grid(padding=(0, 1))`` with a
    bold, unwrapped key column and a folded value column would: the keys as wide as the widest,
    one blank column, the values wrapped in the width left. Drawn directly: the pane shows one
    on every move of the cursor, and a Rich Table measures and renders each cell through its
    general machinery (about 10 ms for a component's facts)."""

    def __init__(self) -> None:
        self.rows: list[tuple[Text, Text]] = []

    def add_row(self, key: str | Text, value: str | Text) -> None:
        key = key if isinstance(key, Text) else Text(key)
        # the key column's style under the key's own; a cell is padded in its text's style
        own = Style.parse(key.style) if isinstance(key.style, str) else key.style
        cell = Text(style=_BOLD + own)
        cell.append_text(key)
        self.rows.append((cell, value if isinstance(value, Text) else Text(value)))

    def _key_width(self) -> int:
        return max((key.cell_len for key, _ in self.rows), default=0)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key_width = self._key_width()
        room = options.max_width - key_width - 1
        if room < _NARROWEST:  # where Rich narrows the key column too: let it lay the grid out
            yield self._table()
            return
        # the segments one unwrapped text of every line (its key, padded in the key's style, a
        # blank, its piece of the value) renders to, made line by line: Rich would split that
        # text into lines again and wrap each one
        plain = Style.null()
        blank = Segment(" ", plain)
        new_line = Segment.line()
        for key, value in self.rows:
            pad = console.get_style(key.style, default=plain) if key.style else plain
            for index, piece in enumerate(value.wrap(console, room, overflow="fold") or [Text()]):
                if index == 0:
                    yield from _segments(key, console)
                    if key_width > key.cell_len:
                        yield Segment(" " * (key_width - key.cell_len), pad)
                elif key_width:
                    yield Segment(" " * key_width, pad)
                yield blank
                yield from _segments(piece, console)
                yield new_line

    def _table(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for key, value in self.rows:
            grid.add_row(key, value)
        return grid

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for _, value in self.rows for line in value.plain.split("\n")), default=0)
        key_width = self._key_width()
        return Measurement(key_width + 2, key_width + 1 + widest).clamp(max_width=options.max_width)


class DetailView(Static):
    """Shows one element's keys (descriptive ones when set, facts always: "unknown" when unset),
    or one finding.

    The screen calls one of the ``show_*`` methods when the selection changes.
    """

    DEFAULT_CSS = """
    DetailView {
        width: 100%;
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            Text("Nothing selected.", style="dim"),
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
            markup=False,
        )
        self._shown: RenderableType = Text("Nothing selected.", style="dim")
        self._lines_for: tuple[RenderableType, VisualStyle, Size, list[Strip]] | None = None
        """The text shown, its style, the size it was rendered at and its lines, until the view
        has that size (set by `update` when the text's height changes)."""

    @property
    def shown(self) -> RenderableType:
        """What the view shows now, whole (the pane around it may scroll)."""
        return self._shown

    def update(self, content: RenderableType = "", **kwargs: object) -> None:  # type: ignore[override]
        self._shown = content
        width, height = self.content_size
        if not (self.is_mounted and width and self.styles.is_auto_height):
            super().update(content)
            return
        # Textual lays the whole screen out again for every new text of a widget as tall as its
        # text; the next element's details are mostly as tall as the last's: then a repaint does
        super().update(content, layout=False)
        # measured by rendering it (as Textual measures a Rich renderable): those lines are
        # what the frame draws, so they are kept for it instead of rendered a second time
        style = self.visual_style
        lines = Visual.to_strips(self, self._render(), width, None, style)
        if len(lines) != height:
            # laid out again; at its new height (of these lines) they are drawn as they are
            self._lines_for = (content, style, Size(width, len(lines)), lines)
            self.refresh(layout=True)
        else:
            self._keep_lines(lines)

    def _keep_lines(self, lines: list[Strip]) -> None:
        """Draw ``lines`` (the text rendered at the view's size) in the next frame."""
        self._lines_for = None
        self._render_cache = _RenderCache(self.size, lines)
        self._dirty_regions.clear()

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        kept = self._lines_for
        if kept is not None and kept[0] is self._shown and kept[1] == self.visual_style and kept[2] == self.size:
            self._keep_lines(kept[3])
        return resized

    def show_component(self, model: ThreatModel, component_id: str) -> None:
        """Show the component ``component_id`` of ``model``."""
        component = model.components.get(component_id)
        if component is None:
            self.show_message(f"No component {component_id!r}.")
            return
        keys, facts = self._fields(component)
        if component.boundary:
            chain = boundary_chain(model, component.boundary)
            keys.add_row("inside", safe_text(" ⊂ ".join(chain) or component.boundary))
        title = _KIND_TITLES.get(component.kind, component.kind)
        self._show_parts(_heading(title, component_id), keys, facts)

    def show_flow(self, model: ThreatModel, flow_id: str, topology: Topology | None = None) -> None:
        """Show the flow ``flow_id`` of ``model``, with the boundaries it crosses.

        Args:
            model: The model.
            flow_id: The flow to show.
            topology: The model's crossings, when the caller has them already.
        """
        flow = model.flows.get(flow_id)
        if flow is None:
            self.show_message(f"No flow {flow_id!r}.")
            return
        keys, facts = self._fields(flow)
        crossings = (topology or Topology(model)).crossings.get(flow_id, ())
        described = "\n".join(f"{c.direction} {c.boundary}" for c in crossings)
        keys.add_row("crosses", safe_text(described) if crossings else Text("no boundary"))
        self._show_parts(_heading("Flow", flow_id), keys, facts)

    def show_boundary(self, model: ThreatModel, boundary_id: str) -> None:
        """Show the boundary ``boundary_id`` of ``model`` and what it holds."""
        boundary = model.boundaries.get(boundary_id)
        if boundary is None:
            self.show_message(f"No boundary {boundary_id!r}.")
            return
        keys, facts = self._fields(boundary)
        inner = [b for b, other in model.boundaries.items() if other.parent == boundary_id]
        members = [c for c, comp in model.components.items() if comp.boundary == boundary_id]
        keys.add_row("boundaries", safe_text(", ".join(inner)) if inner else Text("none"))
        keys.add_row("components", safe_text(", ".join(members)) if members else Text("none"))
        self._show_parts(_heading("Trust boundary", boundary_id), keys, facts)

    def show_finding(self, model: ThreatModel, finding: Finding) -> None:
        """Show a finding: why it fired, mitigations, references and the decision."""
        self.update(finding_details(finding, model))

    def show_threat(self, model: ThreatModel, threat: Threat, questions: Sequence[Question] = ()) -> None:
        """Show a threat whole: its risk and why, the questions that settle it, each finding."""
        self.update(threat_details(threat, model, questions))

    def show_question(self, model: ThreatModel, question: Question, threats: Sequence[Threat]) -> None:
        """Show a question: what each key answers, and the threats its answer settles."""
        self.update(question_details(question, model, threats))

    def show_message(self, message: str) -> None:
        """Show a plain note instead of an element."""
        self.update(safe_text(message, style="dim"))

    def _show_parts(self, heading: Text, keys: _Grid, facts: list[tuple[str, Text]]) -> None:
        if facts:
            keys.add_row("", "")
            keys.add_row(Text("facts", style="bold underline"), "")
            for key, value in facts:
                keys.add_row(key, value)
        self.update(Group(heading, keys))

    @staticmethod
    def _fields(element: BaseModel) -> tuple[_Grid, list[tuple[str, Text]]]:
        """The element's keys, named as the file spells them: a grid of the descriptive keys
        that are set, and every fact (a fact that is not set reads "unknown")."""
        keys = _Grid()
        facts: list[tuple[str, Text]] = []
        for field_name, info in type(element).model_fields.items():
            if field_name == "kind":
                continue
            key = info.alias or field_name
            value = getattr(element, field_name)
            if field_name in _DESCRIPTIVE:
                if value is not None:
                    keys.add_row(key, _value(value))
            else:
                facts.append((key, _unknown() if value is None else _value(value)))
        return keys, facts
