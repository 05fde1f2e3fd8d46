"""A model diff as plain text: one line per change with +, - or ~ in column 0."""

from __future__ import annotations

import difflib

from stride_tui.core.analysis.risk import rating
from stride_tui.core.vcs.diff.changes import FieldChange, ModelDiff
from stride_tui.core.vcs.diff.summary import (
    ELEMENT_TITLES,
    counted,
    crossing_text,
    decision_text,
    element_label,
    finding_counts,
    finding_line,
    gate_line,
    is_long,
    labelled,
    section_counts,
    summary_line,
    value_text,
)

_SHOWN_IN_LABEL = {
    "boundaries": {"name", "parent"},
    "components": {"kind", "name", "boundary"},
    "flows": {"from", "to", "name"},
    "threats": {"title", "category", "target", "severity", "status"},
}


def diff_text(d: ModelDiff, fail_on: str | None = None) -> str:
    """Plain text: one line per change with +, - or ~ in column 0 (colours in a ```diff block)."""
    out = [f"stride-tui diff: {d.old_label} → {d.new_label}"]
    if d.meta:
        out += ["", "Model:"]
        for change in d.meta:
            lines = _change_lines(change, "")
            out += ["~ " + lines[0]] + ["    " + line for line in lines[1:]]
    for section, title in ELEMENT_TITLES.items():
        out += _section_text(d, section, title)
    if d.crossings:
        out += ["", f"Crossings ({counted(len(d.crossings), 'flow')}):"]
        for c in d.crossings:
            out.append(f"~ {labelled(c.flow_id, c.name)}")
            out += [f"    + crosses {crossing_text(x)}" for x in c.added]
            out += [f"    - crosses {crossing_text(x)}" for x in c.removed]
            if not c.added and not c.removed:
                out.append(
                    f"    order: {', '.join(map(crossing_text, c.old))} → {', '.join(map(crossing_text, c.new))}"
                )
    if d.findings_new or d.findings_gone or d.findings_changed:
        out += ["", f"Findings ({finding_counts(d)}; {d.old_findings} → {d.new_findings} in total):"]
        out += [f"+ {finding_line(f)}" for f in d.findings_new]
        out += [f"- {finding_line(f)}" for f in d.findings_gone]
        for fc in d.findings_changed:
            parts = []
            if fc.old.severity != fc.new.severity:
                parts.append(f"severity {fc.old.severity} → {fc.new.severity}")
            if fc.old.status != fc.new.status:
                parts.append(f"status {fc.old.status.replace('_', ' ')} → {fc.new.status.replace('_', ' ')}")
            out.append(f"~ [{fc.new.severity}] {fc.new.id}: {'; '.join(parts)}")
    if d.decisions:
        out += ["", f"Decisions ({section_counts(d.decisions)}):"]
        out += [f"+ {key}: {decision_text(body)}" for key, body in d.decisions.added]
        out += [f"- {key}: {decision_text(body)}" for key, body in d.decisions.removed]
        renamed_to = {new: old for old, new in d.decisions.renamed}
        for old, new in d.decisions.renamed:
            if not any(dc.id == new for dc in d.decisions.changed):
                out.append(f"~ {new} (was {old}; its element was renamed)")
        for dc in d.decisions.changed:
            suffix = f" (was {renamed_to[dc.id]})" if dc.id in renamed_to else ""
            out.append(f"~ {dc.id}{suffix}")
            for change in dc.changes:
                out += _change_lines(change, "    ")
    out += _section_text(d, "threats", "Custom threats")
    if d.orphans_new:
        out += ["", f"New orphan decisions ({len(d.orphans_new)}; their findings no longer fire):"]
        out += [f"! {key}" for key in d.orphans_new]
    out += ["", "Summary: " + summary_line(d)]
    gate = gate_line(d, fail_on)
    if gate and fail_on:
        out.append(gate)
        # rated as `check` rates them: a provisional threat blocks at its confirmed risk
        out += [
            f"  [{rating(t.severity, t.confirmed_severity)}] {t.id}: {t.title}" for t in d.newly_open_threats(fail_on)
        ]
        out += [f"  rule disabled: {r}" for r in d.rules_disabled]
        out += [f"  decided: {key}" for key in d.suppressing_decisions()]
    return "\n".join(out) + "\n"


def _change_lines(change: FieldChange, indent: str) -> list[str]:
    """``key: old → new``, or for long text the key and a line diff below it."""
    if not (is_long(change.old) or is_long(change.new)):
        return [f"{indent}{change.key}: {value_text(change.old)} → {value_text(change.new)}"]
    old_lines = change.old.splitlines() if isinstance(change.old, str) else []
    new_lines = change.new.splitlines() if isinstance(change.new, str) else []
    lines = [
        f"{indent}{change.key}:"
        + (" (was unset)" if change.old is None else " (now unset)" if change.new is None else "")
    ]
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        lines.append(f"{indent}  {line[0]} {line[1:]}")
    return lines


def _section_text(d: ModelDiff, section: str, title: str) -> list[str]:
    s = d.sections[section]
    if not s:
        return []
    out = ["", f"{title} ({section_counts(s)}):"]
    for k, b in s.added:
        out.append(f"+ {element_label(section, k, b, d.new)}")
        if k in d.added_crossings:
            out.append(f"    crosses: {', '.join(map(crossing_text, d.added_crossings[k])) or 'no boundary'}")
        for key, value in b.items():
            if key not in _SHOWN_IN_LABEL[section]:
                out += (
                    _change_lines(FieldChange(key, None, value), "    ")
                    if is_long(value)
                    else [f"    {key} = {value_text(value)}"]
                )
    out += [f"- {element_label(section, k, b, d.old)}" for k, b in s.removed]
    for old, new in s.renamed:
        out.append(f"~ {old} → {new} (renamed)")
    for c in s.changed:
        out.append(f"~ {labelled(c.id, c.name)}")
        for change in c.changes:
            out += _change_lines(change, "    ")
    return out
