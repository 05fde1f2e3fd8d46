"""The live STRIDE panel: the selection's findings grouped by STRIDE category, with filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from stride_tui.core.analysis.engine import Finding
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES
from stride_tui.core.stride import CATEGORY_LABELS

from .finding_text import SEVERITY_STYLES, severity_badge, status_text
from .safe_text import safe_text
from .virtual_table import Column, TableRow, VirtualTable

STATUS_FILTERS: tuple[str, ...] = ("all", "undecided", *STATUSES)
"""Status filter values: everything, the undecided (open or investigating), or one status."""
SEVERITY_FILTERS: tuple[str, ...] = ("all", "medium", "high", "critical")
"""Severity filter values: everything, or at least this severity."""
UNDECIDED = frozenset({"open", "investigating"})
_HEADING = "#"
_COLUMNS = (
    Column("severity", "sev", max_width=4, min_width=4, priority=8),
    Column("status", "status", max_width=13, min_width=4, priority=3),
    Column("title", "finding", flex=True, min_width=16),
    Column("element", "on", max_width=18, priority=1),
)


def _rank(finding: Finding) -> tuple[int, int]:
    return (-SEVERITIES.index(finding.severity), 0 if finding.status in UNDECIDED else 1)


class _FilterBar(Static):
    """The filter line; its words are links that cycle a filter when clicked."""

    class Cycle(Message):
        """A filter word was clicked."""

        def __init__(self, which: str) -> None:
            super().__init__()
            self.which = which

    def action_cycle(self, which: str) -> None:
        self.post_message(self.Cycle(which))


class _FindingTable(VirtualTable):
    """Findings under one heading row per STRIDE category."""


class StridePanel(Vertical):
    """Findings of the selected boundary, component or flow, grouped S/T/R/I/D/E with counts.

    The screen hands findings in with `show`; the panel filters them by status and severity,
    and lets the user fold a category (enter on its heading). Moving onto a finding posts
    `StridePanel.FindingHighlighted`; enter or a double click on one posts
    `StridePanel.FindingActivated`.
    """

    DEFAULT_CSS = """
    StridePanel {
        border: round $panel-lighten-2;
        border-title-color: $foreground-muted;
        border-subtitle-color: $foreground-muted;
        &:focus-within {
            border: round $accent;
            border-title-color: $accent;
            border-title-style: bold;
        }
        & > #stride-filters {
            height: 1;
            padding: 0 1;
            background: $panel;
            color: $foreground-muted;
        }
        & > #stride-findings {
            height: 1fr;
        }
    }
    """

    status_filter: reactive[str] = reactive("all")
    """Which findings to show by status (one of `STATUS_FILTERS`)."""
    severity_filter: reactive[str] = reactive("all")
    """The least severity shown (one of `SEVERITY_FILTERS`)."""

    class FindingHighlighted(Message):
        """The cursor moved onto a finding (or onto a heading: ``finding`` is None)."""

        def __init__(self, panel: StridePanel, finding: Finding | None) -> None:
            super().__init__()
            self.panel: StridePanel = panel
            """The panel."""
            self.finding: Finding | None = finding
            """The finding under the cursor."""

        @property
        def control(self) -> StridePanel:
            """The panel (for the `on` decorator)."""
            return self.panel

    class FindingActivated(Message):
        """The user opened a finding (enter or double click)."""

        def __init__(self, panel: StridePanel, finding: Finding) -> None:
            super().__init__()
            self.panel: StridePanel = panel
            """The panel."""
            self.finding: Finding = finding
            """The finding to open."""

        @property
        def control(self) -> StridePanel:
            """The panel (for the `on` decorator)."""
            return self.panel

    BORDER_TITLE: ClassVar[str] = "STRIDE"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._findings: list[Finding] = []
        self._by_id: dict[str, Finding] = {}
        self._show_element = True
        self._notes: list[tuple[str, str]] = []
        self._collapsed: set[str] = set()
        self._empty_text = "Select a component, flow or boundary."
        self._filter_markup = ""

    def compose(self) -> ComposeResult:
        yield _FilterBar(id="stride-filters")
        yield _FindingTable(_COLUMNS, empty_text=self._empty_text, id="stride-findings")

    def on_mount(self) -> None:
        self._refresh_filter_bar()

    # ----------------------------------------------------------------------- input

    @property
    def table(self) -> VirtualTable:
        """The list of findings."""
        return self.query_one(_FindingTable)

    @property
    def findings(self) -> Sequence[Finding]:
        """Every finding handed in by the last `show`, before filtering."""
        return self._findings

    @property
    def visible_findings(self) -> list[Finding]:
        """The findings that pass the filters, in the order shown."""
        return [self._by_id[row.key] for row in self.table.rows if not row.heading]

    @property
    def highlighted(self) -> Finding | None:
        """The finding under the cursor, or None (a heading, or nothing)."""
        key = self.table.cursor_key
        return self._by_id.get(key) if key is not None else None

    @property
    def highlighted_category(self) -> str | None:
        """The category of the heading or finding under the cursor."""
        key = self.table.cursor_key
        if key is None:
            return None
        if key.startswith(_HEADING):
            return key[len(_HEADING) :]
        return self._by_id[key].category

    def show(
        self,
        findings: Sequence[Finding],
        title: Text,
        *,
        show_element: bool = True,
        notes: Sequence[tuple[str, str]] = (),
        empty_text: str | None = None,
    ) -> None:
        """Show ``findings`` under ``title``.

        Args:
            findings: The findings of the selection, unfiltered.
            title: What they belong to (user text is safe: it is a ``Text``).
            show_element: Whether to show which element each finding is on (a boundary's
                findings sit on several flows).
            notes: (text, action) pairs for the filter line, e.g. the orphan decisions count and
                the screen action that shows them.
            empty_text: What to say when there are no findings at all.
        """
        self._findings = list(findings)
        self._by_id = {f.id: f for f in self._findings}
        self._show_element = show_element
        self._notes = list(notes)
        if empty_text is not None:
            self._empty_text = empty_text
        title_text = Text("STRIDE · ")
        title_text.append_text(title)
        self.border_title = title_text
        self._rebuild()
        self._refresh_filter_bar()

    def cycle_status(self) -> str:
        """Show the next status filter; return it."""
        self.status_filter = STATUS_FILTERS[(STATUS_FILTERS.index(self.status_filter) + 1) % len(STATUS_FILTERS)]
        return self.status_filter

    def cycle_severity(self) -> str:
        """Show the next severity filter; return it."""
        index = SEVERITY_FILTERS.index(self.severity_filter)
        self.severity_filter = SEVERITY_FILTERS[(index + 1) % len(SEVERITY_FILTERS)]
        return self.severity_filter

    def watch_status_filter(self) -> None:
        self._rebuild()
        self._refresh_filter_bar()

    def watch_severity_filter(self) -> None:
        self._rebuild()
        self._refresh_filter_bar()

    def select_finding(self, finding_id: str) -> bool:
        """Put the cursor on a finding, if it is shown."""
        return self.table.move_cursor_to_key(finding_id)

    # ---------------------------------------------------------------------- output

    def _passes(self, finding: Finding) -> bool:
        status = self.status_filter
        if status == "undecided" and finding.status not in UNDECIDED:
            return False
        if status not in ("all", "undecided") and finding.status != status:
            return False
        severity = self.severity_filter
        return severity == "all" or SEVERITIES.index(finding.severity) >= SEVERITIES.index(severity)

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        groups: dict[str, list[Finding]] = {category: [] for category in CATEGORIES}
        totals = dict.fromkeys(CATEGORIES, 0)
        for finding in self._findings:
            totals[finding.category] = totals.get(finding.category, 0) + 1
            if self._passes(finding):
                groups.setdefault(finding.category, []).append(finding)
        rows: list[TableRow] = []
        if self._findings or self.status_filter != "all" or self.severity_filter != "all":
            for category, shown in groups.items():
                rows.append(self._heading(category, shown, totals.get(category, 0)))
                if category in self._collapsed:
                    continue
                for finding in sorted(shown, key=_rank):
                    rows.append(self._row(finding))
        table = self.table
        table.empty_text = self._empty_text
        table.hide_columns(set() if self._show_element else {"element"})
        table.set_rows(rows, keep=table.cursor_key)
        undecided = sum(f.status in UNDECIDED for f in self._findings)
        self.border_subtitle = f"{len(self._findings)} findings · {undecided} undecided"

    def _heading(self, category: str, shown: list[Finding], total: int) -> TableRow:
        marker = "▸ " if category in self._collapsed else "▾ "
        label = Text(marker + CATEGORY_LABELS.get(category, category), style="bold" if shown else "dim")
        label.append(f" · {len(shown)}")
        if len(shown) != total:
            label.append(f" of {total}", style="dim")
        for severity in reversed(SEVERITIES):
            count = sum(f.severity == severity for f in shown)
            if count:
                label.append("  ")
                label.append(f"{count} {severity}", style=SEVERITY_STYLES[severity])
        return TableRow(_HEADING + category, (label,), heading=True)

    def _row(self, finding: Finding) -> TableRow:
        title = safe_text(finding.title, limit=200)
        if finding.custom:
            title = Text("✎ ").append_text(title)
        element = safe_text(finding.element_id) if self._show_element else Text("")
        return TableRow(
            finding.id, (severity_badge(finding.severity, short=True), status_text(finding.status), title, element)
        )

    def _refresh_filter_bar(self) -> None:
        if not self.is_mounted:
            return
        status = self.status_filter
        severity = "any" if self.severity_filter == "all" else f"≥ {self.severity_filter}"
        markup = (
            f"[@click=cycle('status')]status: [b]{status}[/b][/] · "
            f"[@click=cycle('severity')]severity: [b]{severity}[/b][/]"
        )
        for text, action in self._notes:
            markup += f"  [$warning][@click=cycle('{action}')]{Content(text).markup}[/][/]"
        if markup != self._filter_markup:  # an update lays the screen out again: only when needed
            self._filter_markup = markup
            self.query_one(_FilterBar).update(Content.from_markup(markup))

    # ---------------------------------------------------------------------- events

    @on(_FilterBar.Cycle)
    def _on_filter_click(self, event: _FilterBar.Cycle) -> None:
        event.stop()
        if event.which == "status":
            self.cycle_status()
        elif event.which == "severity":
            self.cycle_severity()
        else:
            self.post_message(self.NoteClicked(self, event.which))

    class NoteClicked(Message):
        """A note of the filter line was clicked; ``action`` is the one given with it."""

        def __init__(self, panel: StridePanel, action: str) -> None:
            super().__init__()
            self.panel: StridePanel = panel
            """The panel."""
            self.action: str = action
            """The action handed in with the note."""

    def on_descendant_focus(self) -> None:
        # Arriving in the panel puts the cursor on a finding, not on a category heading.
        table = self.table
        if table.has_focus and self.highlighted is None:
            first = next((i for i, row in enumerate(table.rows) if not row.heading), None)
            if first is not None:
                table.move_cursor(row=first, post=True)

    @on(VirtualTable.Highlighted)
    def _on_highlighted(self, event: VirtualTable.Highlighted) -> None:
        event.stop()
        self.post_message(self.FindingHighlighted(self, self.highlighted))

    @on(VirtualTable.Activated)
    def _on_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()
        if event.key.startswith(_HEADING):
            category = event.key[len(_HEADING) :]
            self._collapsed ^= {category}
            self._rebuild()
            return
        finding = self._by_id.get(event.key)
        if finding is not None:
            self.post_message(self.FindingActivated(self, finding))
