"""A model diff as Markdown, for a pull-request comment or a CI job summary."""

from __future__ import annotations

from stride_tui.core.analysis.risk import rating
from stride_tui.core.outputs import escape
from stride_tui.core.stride import CATEGORY_LABELS
from stride_tui.core.vcs.diff.changes import FieldChange, ModelDiff, element_name
from stride_tui.core.vcs.diff.summary import (
    ELEMENT_TITLES,
    decision_text,
    finding_counts,
    gate_line,
    section_counts,
    summary_line,
    value_text,
    where,
)

_FOLD_ABOVE = 10  # finding rows: a longer table is folded into <details>


def diff_markdown(d: ModelDiff, fail_on: str | None = None) -> str:
    """Markdown for a pull-request comment or a CI job summary."""
    md, code = escape.markdown, escape.markdown_code
    out = [f"### Threat model diff: {code(d.old_label)} → {code(d.new_label)}", ""]
    gate = gate_line(d, fail_on)
    if gate:
        out += [f"**{md(gate)}**", ""]
        blocking = d.newly_open_threats(fail_on) if fail_on else []
        out += [f"- {md(rating(t.severity, t.confirmed_severity))} · {code(t.id)} — {md(t.title)}" for t in blocking]
        quieting = [f"- rule disabled: {code(r.rule_id)} by {code(r.file)}: {md(r.reason)}" for r in d.rules_disabled]
        quieting += [f"- decided: {code(key)}" for key in d.suppressing_decisions()] if fail_on else []
        out += quieting
        if blocking or quieting:
            out.append("")
    summary = summary_line(d)
    out.append(md(summary[:1].upper() + summary[1:]) + ".")
    if d.meta:
        out += ["", "#### Model", ""]
        out += [f"- {code(x.key)}: {_md_value(x.old)} → {_md_value(x.new)}" for x in d.meta]
    for section, title in ELEMENT_TITLES.items():
        out += _section_markdown(d, section, title)
    if d.crossings:
        out += ["", "#### Boundary crossings", ""]
        for c in d.crossings:
            parts = [f"now crosses {code(x.boundary)} ({x.direction})" for x in c.added]
            parts += [f"no longer crosses {code(x.boundary)} ({x.direction})" for x in c.removed]
            if not parts:
                parts.append("crossings reordered")
            out.append(f"- {code(c.flow_id)} {md(c.name)}: " + "; ".join(parts))
    out += _findings_markdown(d)
    if d.decisions:
        out += ["", "#### Decisions", ""]
        out += [f"- added {code(k)}: {md(decision_text(b))}" for k, b in d.decisions.added]
        out += [f"- removed {code(k)}: {md(decision_text(b))}" for k, b in d.decisions.removed]
        out += [f"- changed {code(c.id)}: {_md_changes(c.changes)}" for c in d.decisions.changed]
    out += _section_markdown(d, "threats", "Custom threats")
    if d.orphans_new:
        out += ["", "#### New orphan decisions", ""]
        out += [f"- {code(key)}: its finding no longer fires" for key in d.orphans_new]
    return "\n".join(out) + "\n"


def _findings_markdown(d: ModelDiff) -> list[str]:
    """The table of new, gone and changed findings; folded when it is long."""
    code = escape.markdown_code
    rows = len(d.findings_new) + len(d.findings_gone) + len(d.findings_changed)
    if not rows:
        return []
    out = ["", f"#### Findings ({d.old_findings} → {d.new_findings})", ""]
    if rows > _FOLD_ABOVE:
        out += ["<details>", f"<summary>{finding_counts(d)}</summary>", ""]
    out += ["| | Severity | Status | Category | Finding | Title |", "|---|---|---|---|---|---|"]
    for mark, group in (("new", d.findings_new), ("gone", d.findings_gone)):
        for f in group:
            out.append(
                f"| {mark} | {f.severity} | {f.status.replace('_', ' ')} | {CATEGORY_LABELS[f.category]} | "
                f"{code(f.id)} | {escape.markdown_cell(f.title)} |"
            )
    for c in d.findings_changed:
        severity = c.new.severity if c.old.severity == c.new.severity else f"{c.old.severity} → {c.new.severity}"
        status = c.new.status if c.old.status == c.new.status else f"{c.old.status} → {c.new.status}"
        out.append(
            f"| changed | {severity} | {status.replace('_', ' ')} | {CATEGORY_LABELS[c.new.category]} | "
            f"{code(c.new.id)} | {escape.markdown_cell(c.new.title)} |"
        )
    if rows > _FOLD_ABOVE:
        out += ["", "</details>"]
    return out


def _md_value(value: object) -> str:
    if value is None:
        return "*unset*"
    text = value_text(value)
    if len(text) > 120:
        text = text[:117] + "…"
    return escape.markdown_code(text)


def _md_changes(changes: list[FieldChange]) -> str:
    """Changed keys on one line: ``key`` old → new; …"""
    code = escape.markdown_code
    return "; ".join(f"{code(x.key)} {_md_value(x.old)} → {_md_value(x.new)}" for x in changes)


def _section_markdown(d: ModelDiff, section: str, title: str) -> list[str]:
    s = d.sections[section]
    if not s:
        return []
    code, md = escape.markdown_code, escape.markdown
    out = ["", f"#### {title} ({md(section_counts(s))})", ""]
    for mark, items, model in (("added", s.added, d.new), ("removed", s.removed, d.old)):
        for k, b in items:
            name = element_name(section, k, b, model)
            place = md(where(b, section, model))
            if mark == "added" and k in d.added_crossings:
                crossing = ", ".join(f"{code(x.boundary)} ({x.direction})" for x in d.added_crossings[k])
                place += f"; crosses {crossing}" if crossing else "; crosses no boundary"
            out.append(f"- {mark} {code(k)}" + (f" {md(name)}" if name != k else "") + f" ({place})")
    out += [f"- renamed {code(o)} → {code(n)}" for o, n in s.renamed]
    for c in s.changed:
        out.append(
            f"- changed {code(c.id)}" + (f" {md(c.name)}" if c.name != c.id else "") + f": {_md_changes(c.changes)}"
        )
    return out
