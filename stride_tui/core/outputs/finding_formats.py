"""Findings as text, JSON, CSV and Markdown: the outputs of ``stride-tui threats``."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from stride_tui.core.analysis.engine import Analysis, Finding
from stride_tui.core.analysis.risk import risk_line
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES
from stride_tui.core.outputs import escape
from stride_tui.core.stride import CATEGORY_LABELS


def finding_dict(finding: Finding) -> dict:
    """The JSON shape of one finding (documented in the README)."""
    return {
        "id": finding.id,
        "rule_id": finding.rule_id,
        "category": finding.category,
        "severity": finding.severity,
        "base_severity": finding.base_severity,
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
    """Counts by category, severity and status, every key present (zeros included)."""
    return {
        "total": len(findings),
        "by_category": {c: sum(f.category == c for f in findings) for c in CATEGORIES},
        "by_severity": {s: sum(f.severity == s for f in findings) for s in SEVERITIES},
        "by_status": {s: sum(f.status == s for f in findings) for s in STATUSES},
    }


def findings_json(analysis: Analysis, findings: list[Finding]) -> str:
    """``{"findings": [...], "orphans": [...], "summary": {...}}`` with sorted, stable keys."""
    document = {
        "model": analysis.model.model.title,
        "findings": [finding_dict(f) for f in findings],
        "orphans": analysis.orphans,
        "rule_errors": [vars(e) for e in analysis.errors],
        "disabled_rules": [vars(d) for d in analysis.disabled],
        "summary": summary(findings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


CSV_COLUMNS = (
    "id",
    "rule_id",
    "category",
    "severity",
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
    """One row per finding; list values joined with "; "."""
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
            values.append(escape.csv_cell(value or ""))
        writer.writerow(values)
    return buffer.getvalue()


def findings_markdown(analysis: Analysis, findings: list[Finding]) -> str:
    """A Markdown table grouped by STRIDE category, then orphans."""
    lines = [f"# Threats: {escape.markdown(analysis.model.model.title)}", ""]
    counts = Counter(f.status for f in findings)
    lines.append(
        f"{len(findings)} findings: " + ", ".join(f"{counts[s]} {s.replace('_', ' ')}" for s in STATUSES if counts[s])
        if findings
        else "No findings."
    )
    for category in CATEGORIES:
        group = [f for f in findings if f.category == category]
        if not group:
            continue
        lines += ["", f"## {CATEGORY_LABELS[category]} ({len(group)})", ""]
        lines.append("| Severity | Status | Element | Threat | Why | Finding |")
        lines.append("|---|---|---|---|---|---|")
        for f in group:
            lines.append(
                "| "
                + " | ".join(
                    [
                        f.severity,
                        f.status.replace("_", " "),
                        escape.markdown_cell(f.element_name),
                        escape.markdown_cell(f.title),
                        escape.markdown_cell("; ".join(f.explanation)),
                        escape.markdown_code(f.id),
                    ]
                )
                + " |"
            )
    if analysis.orphans:
        lines += ["", "## Orphan decisions", ""]
        lines += [f"- {escape.markdown_code(key)}: its finding no longer fires" for key in analysis.orphans]
    lines += disabled_rules_markdown(analysis)
    return "\n".join(lines) + "\n"


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


def findings_text(analysis: Analysis, findings: list[Finding]) -> str:
    """Readable terminal output: one block per finding, then orphans."""
    out = []
    for f in findings:
        out.append(f"[{f.severity}] {f.category}  {f.id}  ({f.status.replace('_', ' ')})")
        out.append(f"  {f.title}")
        out.append(f"  on {f.element_name}" + (f"; boundaries: {', '.join(f.boundaries)}" if f.boundaries else ""))
        out.append("  why: " + "; ".join(f.explanation))
        out.append("  " + risk_line(f.severity, f.risk_reasons))
        if f.ticket or f.note:
            out.append("  decision: " + " — ".join(x for x in (f.ticket, f.note) if x))
        out.append("")
    counts = summary(findings)
    statuses = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts["by_status"].items() if n)
    out.append(f"{counts['total']} findings" + (f" ({statuses})" if statuses else ""))
    for key in analysis.orphans:
        out.append(f"orphan decision: {key} (its finding no longer fires)")
    for disabled in analysis.disabled:
        out.append(f"disabled rule: {disabled}")
    return "\n".join(out) + "\n"
