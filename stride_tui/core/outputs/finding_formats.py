"""Threats (with their findings and questions) as text, JSON, CSV and Markdown: the outputs of
``stride-tui threats`` (DESIGN §8 JSON contract)."""

from __future__ import annotations

import csv
import io
import json.encoder
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from stride_tui.core.analysis.engine import Analysis, Finding, without_gc
from stride_tui.core.analysis.questions import Question
from stride_tui.core.analysis.risk import rating, risk_line
from stride_tui.core.analysis.scope import Scope, threat_place, walked_elsewhere_places
from stride_tui.core.analysis.threats import Threat, count_threats
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES
from stride_tui.core.model.topology import Crossing
from stride_tui.core.outputs import escape
from stride_tui.core.outputs.json_document import EncodedItems, document_lines, encode_value
from stride_tui.core.stride import CATEGORY_LABELS
from stride_tui.core.wording import counted


def finding_dict(finding: Finding) -> dict:
    """The JSON shape of one finding (documented in the README)."""
    return {
        "id": finding.id,
        "rule_id": finding.rule_id,
        "category": finding.category,
        "severity": finding.severity,
        "base_severity": finding.base_severity,
        "confirmed_severity": finding.confirmed_severity,
        "likelihood": finding.likelihood,
        "impact": finding.impact,
        "risk_reasons": list(finding.risk_reasons),
        "provisional": finding.provisional,
        "rests_on": [{"element_id": e, "fact": k} for e, k in finding.rests_on],
        "remedy": finding.remedy,
        "threat_id": finding.threat_id,
        "element_id": finding.element_id,
        "element_kind": finding.element_kind,
        "element_name": finding.element_name,
        "boundaries": list(finding.boundaries),
        "crossings": [{"boundary": c.boundary, "direction": c.direction} for c in finding.crossings],
        "title": finding.title,
        "description": finding.description,
        "explanation": list(finding.explanation),
        "mitigations": list(finding.mitigations),
        "references": list(finding.references),
        "status": finding.status,
        "note": finding.note,
        "ticket": finding.ticket,
        "custom": finding.custom,
    }


def summary(findings: list[Finding]) -> dict:
    """Counts of findings by category, severity and status, every key present (zeros included)."""
    categories = Counter(f.category for f in findings)
    severities = Counter(f.severity for f in findings)
    statuses = Counter(f.status for f in findings)
    return {
        "total": len(findings),
        "by_category": {c: categories[c] for c in CATEGORIES},
        "by_severity": {s: severities[s] for s in SEVERITIES},
        "by_status": {s: statuses[s] for s in STATUSES},
    }


def questions_by_threat(questions: list[Question]) -> dict[str, list[str]]:
    """For each threat, the ids of the questions whose answer settles it."""
    out: dict[str, list[str]] = {}
    for question in questions:
        for threat_id in question.threat_ids:
            out.setdefault(threat_id, []).append(question.id)
    return out


def threat_dict(analysis: Analysis, threat: Threat, asked: Mapping[str, list[str]]) -> dict:
    """The JSON shape of one threat (DESIGN §8): the missing control, its risk and findings;
    ``asked`` is `questions_by_threat`."""
    where, crossing = threat_place(analysis, threat)
    return {
        "id": threat.id,
        "remedy": threat.remedy,
        "title": threat.title,
        "control": threat.control,
        "categories": list(threat.categories),
        "severity": threat.severity,
        "confirmed_severity": threat.confirmed_severity,
        "likelihood": threat.likelihood,
        "impact": threat.impact,
        "risk_reasons": list(threat.risk_reasons),
        "element_id": threat.element_id,
        "elements": list(threat.elements),
        "finding_ids": list(threat.finding_ids),
        "status": threat.status,
        "provisional": threat.provisional,
        "questions": asked.get(threat.id, []),
        "boundary": where,
        "section": "crossing" if crossing else "inside",
    }


def question_dict(question: Question) -> dict:
    """The JSON shape of one question: what to ask, what one key sets, what it settles."""
    return {
        "id": question.id,
        "element_id": question.element_id,
        "fact": question.fact,
        "text": question.text,
        "threat_ids": list(question.threat_ids),
        "answers": question.answers,
        "choices": list(question.choices),
    }


def threat_summary(threats: list[Threat]) -> dict:
    """Counts of threats: total, by status, undecided, provisional, by severity."""
    counts = count_threats(threats)
    severities = Counter(t.severity for t in threats)
    return {
        "total": counts.total,
        "undecided": counts.undecided,
        "provisional": counts.provisional,
        "by_status": counts.by_status,
        "by_severity": {s: severities[s] for s in SEVERITIES},
        "findings": counts.findings,
    }


def findings_json_lines(analysis: Analysis, threats: list[Threat], questions: list[Question]) -> Iterator[str]:
    """``{"threats": [...], "findings": [...], "questions": [...], ...}`` with stable keys, a line
    at a time: each threat, finding and question is built and encoded only when its line is
    written."""
    asked = questions_by_threat(questions)
    findings = [f for t in threats for f in t.findings]
    document = {
        "model": analysis.model.model.title,
        "threats": EncodedItems(threat_lines(analysis, threats, asked)),
        "findings": EncodedItems(finding_lines(findings)),
        "questions": EncodedItems(question_lines(questions)),
        "orphans": analysis.orphans,
        "rule_errors": [vars(e) for e in analysis.errors],
        "disabled_rules": [vars(d) for d in analysis.disabled],
        "summary": {**threat_summary(threats), "findings_by": summary(findings)},
    }
    with without_gc():  # a hundred thousand small dicts, none of them cyclic
        yield from document_lines(document)


# The JSON of one threat, finding or question, written by hand in the exact form the C encoder
# gives `threat_dict`, `finding_dict` and `question_dict` (", " and ": " between items, keys in
# the same order; tests/core/test_finding_formats.py holds them equal): a large model has tens of
# thousands of findings, and building then encoding a dict of each was most of `threats --format
# json`. Strings go through the encoder's own C function; values that repeat (severities, rule
# ids, a rule's mitigations, a rating's reasons) are encoded once each (`_Words`), and values
# many items hold the very object of (a flow's crossings, a fact's answers) once per object
# (`_Shared`). Each item comes as a tuple of pieces, copied once, into the text written.
_string = json.encoder.encode_basestring
_BOOL = {True: "true", False: "false"}
_SECTION = {True: '"crossing"', False: '"inside"'}


class _Shared:
    """The JSON of values many items hold the very same object of, encoded once each (keyed by
    identity: the items keep their values alive while they are written); for values whose own
    hash is slow to compute (a flow's crossings)."""

    def __init__(self, encode: Callable[[Any], str] = encode_value) -> None:
        self._memo: dict[int, tuple[object, str]] = {}
        self._encode = encode

    def __call__(self, value: object) -> str:
        hit = self._memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        text = self._encode(value)
        self._memo[id(value)] = (value, text)
        return text


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(map(_string, values)) + "]"


def _rests_on(rests_on: tuple[tuple[str, str], ...]) -> str:
    s = _string
    return "[" + ", ".join(f'{{"element_id": {s(e)}, "fact": {s(k)}}}' for e, k in rests_on) + "]"


def _crossings(crossings: tuple[Crossing, ...]) -> str:
    s = _string
    return "[" + ", ".join(f'{{"boundary": {s(c.boundary)}, "direction": {s(c.direction)}}}' for c in crossings) + "]"


def _optional(value: str | None) -> str:
    return "null" if value is None else _string(value)


class _Words(dict):
    """The JSON of values that repeat from item to item (severities, kinds and rule ids; a
    rule's mitigations, a rating's reasons), each encoded once: a hit is one dict lookup."""

    def __init__(self, encode: Callable[[Any], str] = _string) -> None:
        super().__init__()
        self._encode = encode

    def __missing__(self, value: Any) -> str:
        encoded = self[value] = self._encode(value)
        return encoded


def finding_lines(findings: Iterable[Finding]) -> Iterator[tuple[str, ...]]:
    """Each finding's `finding_dict` as JSON text, in pieces (joined, they are the text)."""
    shared, rests, crossed, w = _Words(_strings), _Words(_rests_on), _Shared(_crossings), _Words()
    s = _string
    for f in findings:
        yield (
            '{"id": ', s(f.id),
            ', "rule_id": ', w[f.rule_id],
            ', "category": ', w[f.category],
            ', "severity": ', w[f.severity],
            ', "base_severity": ', w[f.base_severity],
            ', "confirmed_severity": ', w[f.confirmed_severity],
            ', "likelihood": ', w[f.likelihood],
            ', "impact": ', w[f.impact],
            ', "risk_reasons": ', shared[f.risk_reasons],
            ', "provisional": ', _BOOL[f.provisional],
            ', "rests_on": ', rests[f.rests_on],
            ', "remedy": ', w[f.remedy],
            ', "threat_id": ', s(f.threat_id),
            ', "element_id": ', s(f.element_id),
            ', "element_kind": ', w[f.element_kind],
            ', "element_name": ', s(f.element_name),
            ', "boundaries": ', shared[f.boundaries],
            ', "crossings": ', crossed(f.crossings),
            ', "title": ', s(f.title),
            ', "description": ', s(f.description),
            ', "explanation": ', shared[f.explanation],
            ', "mitigations": ', shared[f.mitigations],
            ', "references": ', shared[f.references],
            ', "status": ', w[f.status],
            ', "note": ', _optional(f.note),
            ', "ticket": ', _optional(f.ticket),
            ', "custom": ', _BOOL[f.custom], "}",
        )  # fmt: skip


def threat_lines(
    analysis: Analysis, threats: Iterable[Threat], asked: Mapping[str, list[str]]
) -> Iterator[tuple[str, ...]]:
    """Each threat's `threat_dict` as JSON text, in pieces."""
    shared, w = _Words(_strings), _Words()
    places: dict[str, tuple[str | None, bool]] = {}  # an element's threats are all walked where it is
    s = _string
    for t in threats:
        first = t.findings[0].element_id
        found = places.get(first)
        where, crossing = found if found is not None else places.setdefault(first, threat_place(analysis, t))
        findings = t.findings
        if len(findings) == 1:  # most threats: one finding, on one element
            elements, ids = "[" + s(findings[0].element_id) + "]", "[" + s(findings[0].id) + "]"
        else:
            elements = _strings(dict.fromkeys(f.element_id for f in findings))
            ids = _strings([f.id for f in findings])
        yield (
            '{"id": ', s(t.id),
            ', "remedy": ', w[t.remedy],
            ', "title": ', s(t.title),
            ', "control": ', w[t.control],
            ', "categories": ', shared[t.categories],
            ', "severity": ', w[t.severity],
            ', "confirmed_severity": ', w[t.confirmed_severity],
            ', "likelihood": ', w[t.likelihood],
            ', "impact": ', w[t.impact],
            ', "risk_reasons": ', shared[t.risk_reasons],
            ', "element_id": ', s(t.element_id),
            ', "elements": ', elements,
            ', "finding_ids": ', ids,
            ', "status": ', w[t.status],
            ', "provisional": ', _BOOL[t.provisional],
            ', "questions": ', _strings(asked.get(t.id, ())),
            ', "boundary": ', _optional(where),
            ', "section": ', _SECTION[crossing], "}",
        )  # fmt: skip


def question_lines(questions: Iterable[Question]) -> Iterator[tuple[str, ...]]:
    """Each question's `question_dict` as JSON text, in pieces."""
    s, w, shared = _string, _Words(), _Shared()  # a fact's answers and choices: the same for each element
    for q in questions:
        yield (
            '{"id": ', s(q.id),
            ', "element_id": ', s(q.element_id),
            ', "fact": ', w[q.fact],
            ', "text": ', s(q.text),
            ', "threat_ids": ', _strings(q.threat_ids),
            ', "answers": ', shared(q.answers),
            ', "choices": ', shared(q.choices), "}",
        )  # fmt: skip


CSV_COLUMNS = (
    "id",
    "threat_id",
    "rule_id",
    "category",
    "severity",
    "likelihood",
    "impact",
    "provisional",
    "status",
    "element_id",
    "element_kind",
    "element_name",
    "boundaries",
    "title",
    "explanation",
    "mitigations",
    "references",
    "ticket",
    "note",
)


def findings_csv(findings: list[Finding]) -> str:
    """One row per finding (a spreadsheet sorts and filters them; `threat_id` groups them);
    list values joined with "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        row = finding_dict(f)
        values = []
        for column in CSV_COLUMNS:
            value = row[column]
            if isinstance(value, list):
                value = "; ".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            values.append(escape.csv_cell(value or ""))
        writer.writerow(values)
    return buffer.getvalue()


def findings_markdown(
    analysis: Analysis, threats: list[Threat], questions: list[Question], scope: Scope | None = None
) -> str:
    """Threats as Markdown tables, riskiest first (a boundary's in its two sections), then the
    questions, orphans and disabled rules."""
    lines = [f"# Threats: {escape.markdown(analysis.model.model.title)}", ""]
    lines.append(escape.markdown(count_threats(threats).line()) + ".")
    if scope is None:
        lines += _threat_table(threats, None)
    else:
        name = escape.markdown(analysis.model.display_name(scope.boundary_id or ""))
        lines += _threat_table(list(scope.crossing), f"Flows crossing {name}")
        elsewhere = _walked_elsewhere_line(analysis, scope)
        lines += ["", escape.markdown(elsewhere)] if elsewhere else []
        lines += _threat_table(list(scope.inside), f"Inside {name}: its members and the flows between them")
    if questions:
        lines += ["", "## Questions", "", "Answering one settles the threats listed with it.", ""]
        for q in questions:
            settles = ", ".join(escape.markdown_code(t) for t in q.threat_ids)
            lines.append(f"- {escape.markdown(q.text)} ({escape.markdown_code(q.id)}; settles {settles})")
    if analysis.orphans:
        lines += ["", "## Orphan decisions", ""]
        lines += [f"- {escape.markdown_code(key)}: it covers nothing that fires" for key in analysis.orphans]
    lines += disabled_rules_markdown(analysis)
    return "\n".join(lines) + "\n"


def _threat_table(threats: list[Threat], heading: str | None) -> list[str]:
    lines = [""]
    if heading is not None:
        lines += [f"## {heading} ({len(threats)})", ""]
    if not threats:
        return [*lines, "None."] if heading is not None else []
    lines.append("| Risk | Status | Threat | Categories | Why this risk | Threat id |")
    lines.append("|---|---|---|---|---|---|")
    for t in threats:
        risk = rating(t.severity, t.confirmed_severity) + (" (provisional)" if t.provisional else "")
        categories = ", ".join(CATEGORY_LABELS[c] for c in t.categories)
        cells = [
            risk,
            t.status.replace("_", " "),
            escape.markdown_cell(t.title),
            categories,
            escape.markdown_cell("; ".join(t.risk_reasons)),
            escape.markdown_code(t.id),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def disabled_rules_markdown(analysis: Analysis) -> list[str]:
    """A "Disabled rules" section (empty when none is): which rule, which file, why."""
    if not analysis.disabled:
        return []
    lines = ["", "## Disabled rules", ""]
    for d in analysis.disabled:
        lines.append(
            f"- {escape.markdown_code(d.rule_id)}, by {escape.markdown_code(d.file)}: {escape.markdown(d.reason)}"
        )
    return lines


def findings_text(
    analysis: Analysis, threats: list[Threat], questions: list[Question], scope: Scope | None = None
) -> str:
    """Readable terminal output: one block per threat with its findings, then the questions."""
    out: list[str] = []
    if scope is None:
        out += _threat_blocks(analysis, threats)
    else:
        name = analysis.model.display_name(scope.boundary_id or "")
        out += [f"== Flows crossing {name} ({len(scope.crossing)})", ""]
        out += _threat_blocks(analysis, list(scope.crossing))
        elsewhere = _walked_elsewhere_line(analysis, scope)
        out += [elsewhere, ""] if elsewhere else []
        out += [f"== Inside {name}: its members and the flows between them ({len(scope.inside)})", ""]
        out += _threat_blocks(analysis, list(scope.inside))
    if questions:
        out.append(f"{len(questions)} question{'s' * (len(questions) != 1)} (answer one to settle its threats):")
        for q in questions:
            out.append(f"  {q.text}  [{q.id}; settles {len(q.threat_ids)}]")
        out.append("")
    out.append(count_threats(threats).line())
    for key in analysis.orphans:
        out.append(f"orphan decision: {key} (it covers nothing that fires)")
    for disabled in analysis.disabled:
        out.append(f"disabled rule: {disabled}")
    return "\n".join(out) + "\n"


def _walked_elsewhere_line(analysis: Analysis, scope: Scope) -> str | None:
    """ "Crossing it: 3 flows, each walked once, at the boundary it enters (or leaves):
    Production cluster (2), …": where the flows that cross a boundary but are not walked
    there went (None when there are none)."""
    if scope.boundary_id is None:
        return None
    elsewhere = walked_elsewhere_places(analysis, scope.boundary_id)
    if elsewhere is None:
        return None
    total, places = elsewhere
    also = "Also crossing it" if scope.crossing else "Crossing it"
    return f"{also}: {counted(total, 'flow')}, each walked once, at the boundary it enters (or leaves): {places}"


def _threat_blocks(analysis: Analysis, threats: list[Threat]) -> list[str]:
    out = []
    for t in threats:
        categories = ", ".join(CATEGORY_LABELS[c] for c in t.categories)
        flag = ", provisional" if t.provisional else ""
        out.append(
            f"[{rating(t.severity, t.confirmed_severity)}] {t.id}  ({t.status.replace('_', ' ')}{flag})  {categories}"
        )
        out.append(f"  {t.title}")
        if t.control != t.title:  # a hand-written threat is its own control
            out.append(f"  missing: {t.control}")
        out.append("  " + risk_line(t.severity, t.risk_reasons))
        for f in t.findings:
            decided = "" if f.status == t.status else f" ({f.status.replace('_', ' ')})"
            out.append(f"  - {f.id}{decided}: " + "; ".join(f.explanation))
            if f.ticket or f.note:
                out.append("    decision: " + " — ".join(x for x in (f.ticket, f.note) if x))
        out.append("")
    return out
