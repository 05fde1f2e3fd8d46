"""The threat-model document: what the reviewer or auditor reads (Markdown and JSON; HTML in
``report_html``). Deterministic: no timestamps, model order everywhere."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from stride_tui.core.analysis import reference_catalogue
from stride_tui.core.analysis.conditions import format_value
from stride_tui.core.analysis.engine import (
    KIND_LABELS,
    Analysis,
    Finding,
    describe_crossings,
    flow_display_name,
)
from stride_tui.core.analysis.questions import questions
from stride_tui.core.analysis.risk import rating, risk_line
from stride_tui.core.analysis.scope import all_scopes
from stride_tui.core.analysis.threats import Threat, count_threats, group_threats
from stride_tui.core.files.storage import model_to_data
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES
from stride_tui.core.outputs import escape
from stride_tui.core.outputs.finding_formats import (
    disabled_rules_markdown,
    finding_dict,
    question_dict,
    questions_by_threat,
    summary,
    threat_dict,
    threat_summary,
)
from stride_tui.core.outputs.json_document import document_json
from stride_tui.core.stride import CATEGORY_LABELS
from stride_tui.core.wording import counted

_SKIP = {"kind", "name", "description", "boundary", "source", "target", "out_of_scope", "out_of_scope_reason"}


def reference_url(reference: str) -> str | None:
    """The official page of a catalogue id (MITRE CAPEC, CWE, ATT&CK; OWASP ASVS, API and LLM
    Top 10); None for anything else (user URLs are never linked, unknown ids never guessed)."""
    return reference_catalogue.url(reference)


def facts_of(element: object) -> list[tuple[str, str]]:
    """The facts an element has set, as (key, value) in canonical order."""
    return [(k, format_value(v)) for k, v in element.__dict__.items() if v is not None and k not in _SKIP]


@dataclass
class Crossing:
    """One flow crossing one boundary, with that flow's findings."""

    flow_id: str
    flow_name: str
    direction: str
    findings: list[Finding]


def boundary_crossings(analysis: Analysis) -> dict[str, list[Crossing]]:
    """For each boundary (model order), the flows crossing it and their findings."""
    by_flow: dict[str, list[Finding]] = {}
    for finding in analysis.findings:
        by_flow.setdefault(finding.element_id, []).append(finding)
    model = analysis.model
    result: dict[str, list[Crossing]] = {bid: [] for bid in model.boundaries}
    for fid, crossings in analysis.topology.crossings.items():
        for crossing in crossings:
            result[crossing.boundary].append(
                Crossing(fid, flow_display_name(model, fid), crossing.direction, by_flow.get(fid, []))
            )
    return result


def report_json(analysis: Analysis) -> str:
    """The report as JSON: the model, the findings, crossings per boundary, and a summary."""
    crossings = boundary_crossings(analysis)
    threats = group_threats(analysis)
    asked = questions(analysis, threats)
    by_threat = questions_by_threat(asked)
    document = {
        "model": model_to_data(analysis.model),
        "summary": {**threat_summary(threats), "findings_by": summary(analysis.findings)},
        "threats": [threat_dict(analysis, t, by_threat) for t in threats],
        "questions": [question_dict(q) for q in asked],
        "boundaries": [
            {
                "id": bid,
                "name": analysis.model.display_name(bid),
                "crossings": [
                    {"flow": c.flow_id, "direction": c.direction, "findings": [f.id for f in c.findings]}
                    for c in crossings[bid]
                ],
            }
            for bid in analysis.model.boundaries
        ],
        "findings": [finding_dict(f) for f in analysis.findings],
        "orphans": analysis.orphans,
        "disabled_rules": [vars(d) for d in analysis.disabled],
    }
    return document_json(document)


def report_markdown(analysis: Analysis, dot_source: str | None = None) -> str:
    """The report as one Markdown document."""
    model = analysis.model
    md = escape.markdown
    cell = escape.markdown_cell
    code = escape.markdown_code
    out: list[str] = [f"# Threat model: {md(model.model.title)}", ""]
    if model.model.description:
        out += [md(model.model.description), ""]
    if model.model.owner:
        out += [f"Owner: {md(model.model.owner)}", ""]

    threats = group_threats(analysis)
    asked = questions(analysis, threats)
    counts = count_threats(threats)
    out += ["## Summary", ""]
    out += [
        (
            f"{md(counts.line())}, on {counted(len(model.components), 'component')}, "
            f"{counted(len(model.flows), 'flow')} and {counted(len(model.boundaries), 'trust boundary', 'trust boundaries')}; "
            f"{crossing_text(sum(1 for c in analysis.topology.crossings.values() if c))}. "
            "A threat is one missing control on one element; its risk is likelihood × impact."
        ),
        "",
    ]
    out += _count_table("Category", [(CATEGORY_LABELS[c], c) for c in CATEGORIES], threats, "categories")
    out += _count_table("Risk", [(s, s) for s in reversed(SEVERITIES)], threats, "severity")
    out += ["| Status | Threats |", "|---|---|"]
    out += [f"| {s.replace('_', ' ')} | {counts.by_status[s]} |" for s in STATUSES]
    out.append("")

    if dot_source is not None:
        fence = "~" * 4
        out += [
            "## Data-flow diagram",
            "",
            "Render with `stride-tui render MODEL -o diagram.svg` or any Graphviz viewer.",
            "",
            f"{fence}dot",
            dot_source.rstrip("\n"),
            fence,
            "",
        ]

    out += ["## Elements", ""]
    if model.boundaries:
        out += ["### Trust boundaries", "", "| Id | Name | Inside | Members |", "|---|---|---|---|"]
        for bid, boundary in model.boundaries.items():
            members = [c.name or cid for cid, c in model.components.items() if c.boundary == bid]
            parent = model.display_name(boundary.parent) if boundary.parent else "—"
            out.append(
                f"| {code(bid)} | {cell(boundary.name or bid)} | {cell(parent)} | {cell(', '.join(members)) or '—'} |"
            )
        out.append("")
    out += ["### Components", "", "| Id | Kind | Name | Boundary | Technology | Facts |", "|---|---|---|---|---|---|"]
    for cid, component in model.components.items():
        facts = ", ".join(f"{k} = {v}" for k, v in facts_of(component) if k not in ("technology", "tags"))
        scope = " (out of scope)" if component.out_of_scope else ""
        out.append(
            f"| {code(cid)} | {KIND_LABELS[component.kind]} | {cell(component.name or cid)}{scope} | "
            f"{cell(model.display_name(component.boundary)) if component.boundary else '—'} | "
            f"{cell(component.technology or '—')} | {cell(facts) or '—'} |"
        )
    out.append("")
    out += ["### Data flows", "", "| Id | From → to | Data | Protocol | Crosses | Facts |", "|---|---|---|---|---|---|"]
    for fid, flow in model.flows.items():
        facts = ", ".join(f"{k} = {v}" for k, v in facts_of(flow) if k not in ("data", "protocol", "name", "tags"))
        crossings = analysis.topology.crossings[fid]
        crossed = describe_crossings(model, crossings).removeprefix("crosses ") if crossings else "—"
        out.append(
            f"| {code(fid)} | {cell(model.display_name(flow.source))} → {cell(model.display_name(flow.target))} | "
            f"{cell(flow.data or '—')} | {cell(flow.protocol or '—')} | {cell(crossed)} | {cell(facts) or '—'} |"
        )
    out.append("")

    out += [
        "## Threats by trust boundary",
        "",
        (
            "Each threat is walked once: at the boundary its flow enters (or leaves), or inside the boundary "
            "its element sits in."
        ),
        "",
    ]
    for walk in all_scopes(analysis, threats):
        if walk.boundary_id is None and not walk.threats:
            continue
        name = f"{md(model.display_name(walk.boundary_id))} ({code(walk.boundary_id)})" if walk.boundary_id else ""
        out += [f"### {name or 'Outside any boundary'}", ""]
        sections = [("Flows crossing it", walk.crossing), ("Its members and the flows between them", walk.inside)]
        if walk.boundary_id is None:
            sections = [("Elements in no boundary", walk.inside)]
        for heading, group in sections:
            out.append(f"{heading}: " + (counted(len(group), "threat") if group else "none") + ".")
            out += [f"- [{t.severity}, {t.status.replace('_', ' ')}] {md(t.title)} ({code(t.id)})" for t in group]
            out.append("")

    if asked:
        out += ["## Questions", "", "Each unknown fact asked once; answering it settles the threats listed.", ""]
        out += [f"- {md(q.text)} ({code(q.id)}; settles {', '.join(code(t) for t in q.threat_ids)})" for q in asked]
        out.append("")

    out += ["## Threats", ""]
    for t in threats:
        categories = ", ".join(CATEGORY_LABELS[c] for c in t.categories)
        out += [
            f"### [{rating(t.severity, t.confirmed_severity)}] {md(t.title)}",
            "",
            f"- Threat: {code(t.id)} · {categories} · {t.status.replace('_', ' ')}"
            + (" · provisional (rests only on unknown facts)" if t.provisional else ""),
            f"- Missing control: {md(t.control)}",
            f"- Risk: {md(risk_line(t.severity, t.risk_reasons))}",
            "",
        ]
        for f in t.findings:
            out += _finding_markdown(f)

    customs = [f for f in analysis.findings if f.custom]
    out += ["## Hand-written threats", ""]
    out += [
        f"- {code(f.id)}: {md(f.title)} on {md(f.element_name)} ({f.severity}, {f.status.replace('_', ' ')})"
        for f in customs
    ] or ["None."]
    out.append("")
    out += ["## Orphan decisions", ""]
    if analysis.orphans:
        out += ["Decisions kept in the model whose finding no longer fires:", ""]
        for key in analysis.orphans:
            decision = model.decisions[key]
            out.append(
                f"- {code(key)}: {decision.status.replace('_', ' ')}"
                + (f" — {md(decision.note)}" if decision.note else "")
            )
    else:
        out.append("None.")
    out += disabled_rules_markdown(analysis)
    return "\n".join(out).rstrip("\n") + "\n"


def _finding_markdown(f: Finding) -> list[str]:
    md = escape.markdown
    lines = [
        f"#### Finding {escape.markdown_code(f.id)}" + (" (written by hand)" if f.custom else ""),
        "",
        f"- {md(f.title)}",
    ]
    lines.append(f"- Element: {md(f.element_name)} ({KIND_LABELS[f.element_kind]})")
    lines.append(
        f"- Status: {f.status.replace('_', ' ')}"
        + (f", ticket {md(f.ticket)}" if f.ticket else "")
        + (f" — {md(f.note)}" if f.note else "")
    )
    lines.append(f"- Risk: {md(risk_line(f.severity, f.risk_reasons))}")
    if f.description:
        lines += ["", md(f.description.strip())]
    lines += ["", "Why it fired:", ""] + [f"- {md(e)}" for e in f.explanation]
    if f.mitigations:
        lines += ["", "Mitigations:", ""] + [f"- {md(m)}" for m in f.mitigations]
    if f.references:
        refs = []
        for ref in f.references:
            url = reference_url(ref)
            refs.append(f"[{ref}]({url})" if url else escape.markdown_code(ref))
        lines += ["", "References: " + ", ".join(refs)]
    lines.append("")
    return lines


def _count_table(title: str, rows: list[tuple[str, str]], threats: list[Threat], attr: str) -> list[str]:
    def keys(t: Threat) -> tuple[str, ...]:
        value = getattr(t, attr)
        return value if isinstance(value, tuple) else (value,)  # a threat may cover several categories

    total = Counter(k for t in threats for k in keys(t))
    undecided = Counter(k for t in threats if t.undecided for k in keys(t))
    lines = [f"| {title} | Threats | Undecided |", "|---|---|---|"]
    lines += [f"| {label} | {total[key]} | {undecided[key]} |" for label, key in rows]
    return [*lines, ""]


def crossing_text(flows: int) -> str:
    """ "3 flows cross a boundary", "1 flow crosses a boundary"."""
    return f"{counted(flows, 'flow')} cross{'es' if flows == 1 else ''} a boundary"
