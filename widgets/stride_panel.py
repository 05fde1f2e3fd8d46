"""The live STRIDE panel: the selection's threats (each one missing control, its findings inside)
grouped by STRIDE category or by a boundary's two sections, the questions that could settle
them, and filters."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from stride_tui.core.analysis.engine import Finding, without_gc
from stride_tui.core.analysis.questions import Question
from stride_tui.core.analysis.threats import Threat, count_threats
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES, UNDECIDED
from stride_tui.core.stride import CATEGORY_LABELS

from .border_text import set_border_subtitle, set_border_title
from .finding_text import SEVERITY_STYLES, severity_badge, status_text
from .safe_text import safe_text, safe_width
from .threat_text import CATEGORY_LETTERS, category_letters
from .virtual_table import Column, TableRow, VirtualTable

STATUS_FILTERS: tuple[str, ...] = ("all", "undecided", *STATUSES)
"""Status filter values: everything, the undecided (open or investigating), or one status."""
SEVERITY_FILTERS: tuple[str, ...] = ("all", "medium", "high", "critical")
"""Severity filter values: everything, or at least this risk."""
_KEEP_LAID_OUT = 2_000
"""A view of more rows than this is kept laid out, to be shown again at once."""
_HEADING = "#"
_QUESTION = "?"
_QUESTIONS = "questions"
_COLUMNS = (
    Column("severity", "risk", max_width=4, min_width=4, priority=8),
    Column("status", "status", max_width=13, min_width=4, priority=3),
    Column("stride", "stride", max_width=6, min_width=6, priority=5),
    Column("title", "threat", flex=True, min_width=16),
    Column("element", "on", max_width=18, priority=1),
)


class PanelSection(NamedTuple):
    """A group of threats under one heading (a boundary's crossing flows, or its inside)."""

    key: str
    label: str
    threats: Sequence[Threat]


def _rank(threat: Threat) -> tuple[int, int, str]:
    return (-SEVERITIES.index(threat.severity), 0 if threat.status in UNDECIDED else 1, threat.id)


class _FilterBar(Static):
    """The filter line; its words are links that cycle a filter when clicked."""

    class Cycle(Message):
        """A filter word was clicked."""

        def __init__(self, which: str) -> None:
            super().__init__()
            self.which = which

    def action_cycle(self, which: str) -> None:
        self.post_message(self.Cycle(which))


class _ThreatTable(VirtualTable):
    """Threats (and questions) under heading rows."""


class StridePanel(Vertical):
    """Threats of the selected boundary, component or flow, with counts.

    The screen hands threats in with `show`: grouped S/T/R/I/D/E by their first category, or in
    the sections it gives (a boundary: crossing flows, then its inside), then the questions of
    the selection. The panel filters threats by status and risk and folds a heading
    (enter on it). Moving the cursor posts `StridePanel.ThreatHighlighted`; enter on a threat
    posts `StridePanel.ThreatActivated`, on a question `StridePanel.QuestionActivated`.
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
    """Which threats to show by status (one of `STATUS_FILTERS`)."""
    severity_filter: reactive[str] = reactive("all")
    """The least risk shown (one of `SEVERITY_FILTERS`)."""

    class ThreatHighlighted(Message):
        """The cursor moved onto a threat, a question, or a heading (both None)."""

        def __init__(self, panel: StridePanel, threat: Threat | None, question: Question | None = None) -> None:
            super().__init__()
            self.panel: StridePanel = panel
            """The panel."""
            self.threat: Threat | None = threat
            """The threat under the cursor."""
            self.question: Question | None = question
            """The question under the cursor."""

        @property
        def control(self) -> StridePanel:
            """The panel (for the `on` decorator)."""
            return self.panel

    class ThreatActivated(Message):
        """The user opened a threat (enter or double click)."""

        def __init__(self, panel: StridePanel, threat: Threat) -> None:
            super().__init__()
            self.panel: StridePanel = panel
            """The panel."""
            self.threat: Threat = threat
            """The threat to open."""

        @property
        def control(self) -> StridePanel:
            """The panel (for the `on` decorator)."""
            return self.panel

    class QuestionActivated(Message):
        """The user opened a question (enter or double click): to answer it in a form."""

        def __init__(self, panel: StridePanel, question: Question) -> None:
            super().__init__()
            self.panel: StridePanel = panel
            """The panel."""
            self.question: Question = question
            """The question."""

    class NoteClicked(Message):
        """A note of the filter line was clicked; ``action`` is the one given with it."""

        def __init__(self, panel: StridePanel, action: str) -> None:
            super().__init__()
            self.panel: StridePanel = panel
            """The panel."""
            self.action: str = action
            """The action handed in with the note."""

    BORDER_TITLE: ClassVar[str] = "STRIDE"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._threats: list[Threat] = []
        self._by_id: dict[str, Threat] = {}
        self._of_finding: dict[str, str] | None = {}
        self._sections: list[PanelSection] | None = None
        self._questions: list[Question] = []
        self._question_by_id: dict[str, Question] = {}
        self._show_element = True
        self._notes: list[tuple[str, str]] = []
        self._collapsed: set[str] = set()
        self._empty_text = "Select a component, flow or boundary."
        self._filter_markup = ""
        self._made: dict[str, TableRow] = {}
        self._made_from: dict[str, Threat] = {}
        self._asked: dict[str, Question] = {}
        self._counted: Sequence[Threat] | None = None
        self._source: tuple[object, ...] = ((), None, ())
        self._laid_out: tuple[Any, ...] | None = None
        """The last large view laid out: (its source, filters, rows, row caches, measures)."""
        self._counts = counts_line([])
        self._made_element = True

    def compose(self) -> ComposeResult:
        yield _FilterBar(id="stride-filters")
        yield _ThreatTable(_COLUMNS, empty_text=self._empty_text, id="stride-findings")

    def on_mount(self) -> None:
        self._refresh_filter_bar()

    # ----------------------------------------------------------------------- input

    @property
    def table(self) -> VirtualTable:
        """The list of threats."""
        return self.query_one(_ThreatTable)

    @property
    def threats(self) -> Sequence[Threat]:
        """Every threat handed in by the last `show`, before filtering."""
        return self._threats

    @property
    def findings(self) -> list[Finding]:
        """The findings of every threat handed in (they stay visible inside their threats)."""
        return [finding for threat in self._threats for finding in threat.findings]

    @property
    def questions(self) -> Sequence[Question]:
        """The questions handed in by the last `show`."""
        return self._questions

    @property
    def visible_threats(self) -> list[Threat]:
        """The threats that pass the filters, in the order shown."""
        return [self._by_id[row.key] for row in self.table.rows if row.key in self._by_id]

    @property
    def visible_findings(self) -> list[Finding]:
        """The findings of the threats shown, in the order shown."""
        return [finding for threat in self.visible_threats for finding in threat.findings]

    @property
    def highlighted(self) -> Threat | None:
        """The threat under the cursor, or None (a heading, a question, or nothing)."""
        key = self.table.cursor_key
        return self._by_id.get(key) if key is not None else None

    @property
    def highlighted_question(self) -> Question | None:
        """The question under the cursor, or None."""
        key = self.table.cursor_key
        return self._question_by_id.get(key[len(_QUESTION) :]) if key and key.startswith(_QUESTION) else None

    @property
    def highlighted_category(self) -> str | None:
        """The category of the heading or threat under the cursor (a threat's first one)."""
        key = self.table.cursor_key
        if key is None:
            return None
        if key.startswith(_HEADING) and key[len(_HEADING) :] in CATEGORIES:
            return key[len(_HEADING) :]
        threat = self._by_id.get(key)
        return threat.categories[0] if threat is not None and threat.categories else None

    def questions_for(self, threat: Threat) -> list[Question]:
        """The questions shown whose answer settles ``threat``."""
        return [q for q in self._questions if threat.id in q.threat_ids]

    def show(
        self,
        threats: Sequence[Threat],
        title: Text,
        *,
        sections: Sequence[PanelSection] | None = None,
        questions: Sequence[Question] = (),
        show_element: bool = True,
        notes: Sequence[tuple[str, str]] = (),
        empty_text: str | None = None,
    ) -> None:
        """Show ``threats`` under ``title``.

        Args:
            threats: The threats of the selection, unfiltered.
            title: What they belong to (user text is safe: it is a ``Text``).
            sections: Headings to group them under instead of their STRIDE category (each
                threat in one of them).
            questions: The open questions of the selection, listed after the threats (y / n
                answer them).
            show_element: Whether to show which element each threat is on.
            notes: (text, action) pairs for the filter line, e.g. the orphan decisions count and
                the screen action that shows them.
            empty_text: What to say when there are no threats at all.
        """
        self._source = (threats, sections, questions)
        self._threats = list(threats)
        if threats is not self._counted:  # the same threats again (a view kept by the screen)
            self._counted, self._counts = threats, counts_line(self._threats)
        self._by_id = {t.id: t for t in self._threats}
        self._of_finding = None  # made when a finding is looked up (select_finding): rarely
        self._sections = list(sections) if sections is not None else None
        self._questions = list(questions)
        self._question_by_id = {q.id: q for q in self._questions}
        self._show_element = show_element
        self._notes = list(notes)
        if empty_text is not None:
            self._empty_text = empty_text
        title_text = Text("STRIDE · ")
        title_text.append_text(title)
        set_border_title(self, title_text)
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
        """Put the cursor on a threat (by its id, or the id of one of its findings), if shown."""
        if self._of_finding is None:
            self._of_finding = {f.id: t.id for t in self._threats for f in t.findings}
        return self.select_threat(self._of_finding.get(finding_id, finding_id))

    def select_threat(self, threat_id: str) -> bool:
        """Put the cursor on a threat, if it is shown."""
        return self.table.move_cursor_to_key(threat_id)

    # ---------------------------------------------------------------------- output

    def _passes(self, threat: Threat) -> bool:
        status = self.status_filter
        if status == "undecided" and threat.status not in UNDECIDED:
            return False
        if status not in ("all", "undecided") and threat.status != status:
            return False
        severity = self.severity_filter
        return severity == "all" or SEVERITIES.index(threat.severity) >= SEVERITIES.index(severity)

    def _groups(self) -> list[PanelSection]:
        if self._sections is not None:
            return self._sections
        by_category: dict[str, list[Threat]] = {category: [] for category in CATEGORIES}
        for threat in self._threats:
            first = threat.categories[0] if threat.categories else CATEGORIES[0]
            by_category.setdefault(first, []).append(threat)
        return [PanelSection(c, CATEGORY_LABELS.get(c, c), ts) for c, ts in by_category.items()]

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        table = self.table
        table.empty_text = self._empty_text
        table.hide_columns(set() if self._show_element else {"element"})
        # The same view shown again (esc after looking at an element, with no edit between):
        # its rows, as laid out last time, instead of walking tens of thousands of threats.
        key = (self._show_element, self.status_filter, self.severity_filter, frozenset(self._collapsed))
        cached = self._laid_out
        if (
            cached is not None
            and all(a is b for a, b in zip(cached[0], self._source, strict=True))
            and cached[1] == key
        ):
            self._made, self._made_from, self._asked = cached[3], cached[4], cached[5]
            self._made_element = self._show_element
            table.set_rows(cached[2], keep=table.cursor_key, measured=cached[6])
            set_border_subtitle(self, self._counts)
            return
        rows: list[TableRow] = []
        # tens of thousands of small values: the cyclic GC would only walk the whole heap again
        with without_gc():
            if self._threats or self.status_filter != "all" or self.severity_filter != "all":
                unfiltered = self.status_filter == "all" and self.severity_filter == "all"
                for group in self._groups():
                    shown = list(group.threats) if unfiltered else [t for t in group.threats if self._passes(t)]
                    rows.append(self._heading(group, shown))
                    if group.key in self._collapsed:
                        continue
                    rows.extend(self._row(threat) for threat in sorted(shown, key=_rank))
            # after the threats: y / n on a provisional threat answers its first question already
            if self._questions:
                rows.append(self._questions_heading())
                if _QUESTIONS not in self._collapsed:
                    rows.extend(self._question_row(q) for q in self._questions)
            self._made = {row.key: row for row in rows if not row.heading}
            self._made_from = {t.id: t for t in self._threats}
            self._asked = dict(self._question_by_id)
            self._made_element = self._show_element
        table.set_rows(rows, keep=table.cursor_key)
        if len(rows) > _KEEP_LAID_OUT:
            self._laid_out = (
                self._source,
                key,
                rows,
                self._made,
                self._made_from,
                self._asked,
                table.measured,
            )
        set_border_subtitle(self, self._counts)

    def _questions_heading(self) -> TableRow:
        marker = "▸ " if _QUESTIONS in self._collapsed else "▾ "
        count = len(self._questions)
        label = Text(marker + f"Questions · {count}", style="bold")
        label.append("  y / n answers", style="dim")
        return TableRow(_HEADING + _QUESTIONS, (label,), heading=True)

    def _question_row(self, question: Question) -> TableRow:
        # lazy like a threat's row: the whole model asks thousands of questions; one asked
        # before in the same words is shown by the same row
        show_element = self._show_element
        question_id = question.id
        made = self._made.get(_QUESTION + question_id)
        if made is not None and self._made_element is show_element and self._asked.get(question_id) == question:
            return made
        keys = "/".join(question.answers) or "e"
        more = f" ({len(question.threat_ids)} threats)" if len(question.threat_ids) > 1 else ""
        widths = (
            2,
            len(keys),
            0,
            safe_width(question.text, limit=200) + len(more),
            safe_width(question.element_id) if show_element else 0,
        )
        return TableRow.lazy(_QUESTION + question_id, widths, partial(_question_cells, question, show_element))

    def _heading(self, group: PanelSection, shown: list[Threat]) -> TableRow:
        marker = "▸ " if group.key in self._collapsed else "▾ "
        label = Text(marker + group.label, style="bold" if shown else "dim")
        label.append(f" · {len(shown)}")
        if len(shown) != len(group.threats):
            label.append(f" of {len(group.threats)}", style="dim")
        for severity in reversed(SEVERITIES):
            count = sum(t.severity == severity for t in shown)
            if count:
                label.append("  ")
                label.append(f"{count} {severity}", style=SEVERITY_STYLES[severity])
        if self._sections is not None and shown:
            letters = [f"{CATEGORY_LETTERS[c]} {n}" for c in CATEGORIES if (n := sum(c in t.categories for t in shown))]
            label.append("   " + " · ".join(letters), style="dim")
        return TableRow(_HEADING + group.key, (label,), heading=True)

    def _row(self, threat: Threat) -> TableRow:
        # Lazy: the whole model holds tens of thousands of threats and only a screenful is drawn;
        # each row carries its widths (for the columns) and builds its cells when first drawn.
        # The row of a threat shown before (the very object: an index made from the previous
        # one keeps the threats an edit did not touch) is used again.
        show_element = self._show_element
        made = self._made.get(threat.id)
        if made is not None and self._made_from.get(threat.id) is threat and self._made_element is show_element:
            return made
        if threat.findings and threat.findings[0].custom:
            prefix = _CUSTOM_WIDTH
        else:
            prefix = 2 if threat.provisional and threat.undecided else 0
        more = f" (+{len(threat.findings) - 1})" if len(threat.findings) > 1 else ""
        widths = (
            _badge_width(threat.severity),
            _status_width(threat.status),
            len(category_letters(threat.categories, compact=True)),
            prefix + safe_width(threat.title, limit=200) + len(more),
            safe_width(threat.element_id) if show_element else 0,
        )
        return TableRow.lazy(threat.id, widths, partial(_threat_cells, threat, show_element))

    def _refresh_filter_bar(self) -> None:
        if not self.is_mounted:
            return
        status = self.status_filter
        severity = "any" if self.severity_filter == "all" else f"≥ {self.severity_filter}"
        markup = (
            f"[@click=cycle('status')]status: [b]{status}[/b][/] · [@click=cycle('severity')]risk: [b]{severity}[/b][/]"
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

    def on_descendant_focus(self) -> None:
        # Arriving in the panel puts the cursor on a threat or question, not on a heading.
        table = self.table
        if table.has_focus and table.cursor_key is not None and table.cursor_key.startswith(_HEADING):
            first = next((i for i, row in enumerate(table.rows) if not row.heading), None)
            if first is not None:
                table.move_cursor(row=first, post=True)

    @on(VirtualTable.Highlighted)
    def _on_highlighted(self, event: VirtualTable.Highlighted) -> None:
        event.stop()
        self.post_message(self.ThreatHighlighted(self, self.highlighted, self.highlighted_question))

    @on(VirtualTable.Activated)
    def _on_activated(self, event: VirtualTable.Activated) -> None:
        event.stop()
        if event.key.startswith(_HEADING):
            self._collapsed ^= {event.key[len(_HEADING) :]}
            self._rebuild()
            return
        question = self.highlighted_question
        if question is not None:
            self.post_message(self.QuestionActivated(self, question))
            return
        threat = self._by_id.get(event.key)
        if threat is not None:
            self.post_message(self.ThreatActivated(self, threat))


def counts_line(threats: Sequence[Threat]) -> str:
    """ "12 threats · 9 undecided (8 open, 1 investigating) · 4 on questions": the words and
    numbers of `check` (`count_threats`; undecided = open or investigating), short enough for a
    border."""
    counts = count_threats(list(threats))
    line = f"{counts.total} threat{'s' if counts.total != 1 else ''} · {counts.undecided} undecided"
    parts = ", ".join(f"{counts.by_status[s]} {s}" for s in UNDECIDED if counts.by_status[s])
    if parts and parts != f"{counts.undecided} open":
        line += f" ({parts})"
    if counts.provisional:
        line += f" · {counts.provisional} on questions"
    return line


_CUSTOM_WIDTH = cell_len("✎ ")


def _threat_cells(threat: Threat, show_element: bool) -> tuple[Text, ...]:
    """The cells of a threat's row (`StridePanel._row` gives their widths)."""
    title = safe_text(threat.title, limit=200)
    if threat.findings and threat.findings[0].custom:
        title = Text("✎ ").append_text(title)
    elif threat.provisional and threat.undecided:
        title = Text("? ", style="bold yellow").append_text(title)
    if len(threat.findings) > 1:
        title.append(f" (+{len(threat.findings) - 1})", style="dim")
    return (
        severity_badge(threat.severity, short=True),
        status_text(threat.status),
        Text(category_letters(threat.categories, compact=True)),
        title,
        safe_text(threat.element_id) if show_element else Text(""),
    )


def _question_cells(question: Question, show_element: bool) -> tuple[Text, ...]:
    """The cells of a question's row (`StridePanel._question_row` gives their widths)."""
    text = safe_text(question.text, limit=200)
    if len(question.threat_ids) > 1:
        text.append(f" ({len(question.threat_ids)} threats)", style="dim")
    return (
        Text(" ?", style="bold yellow"),
        Text("/".join(question.answers) or "e", style="yellow"),
        Text(""),
        text,
        safe_text(question.element_id) if show_element else Text(""),
    )


@functools.cache
def _badge_width(severity: str) -> int:
    return severity_badge(severity, short=True).cell_len


@functools.cache
def _status_width(status: str) -> int:
    return status_text(status).cell_len
