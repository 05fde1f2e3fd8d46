"""Pieces every diff format shares: values, labels, counts, the summary sentence and the gate verdict."""

from __future__ import annotations

import json

from stride_tui.core.analysis.engine import Finding
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Crossing
from stride_tui.core.vcs.diff.changes import ModelDiff, SectionDiff, element_name
from stride_tui.core.wording import counted

ELEMENT_TITLES = {"boundaries": "Boundaries", "components": "Components", "flows": "Flows"}
"""The element sections, in the order every format shows them, with their headings."""


def value_text(value: object) -> str:
    """A value as the file would spell it; ``(unset)`` for a key that is not set."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def is_long(value: object) -> bool:
    """True for text shown as a line diff rather than old → new on one line."""
    return isinstance(value, str) and ("\n" in value or len(value) > 60)


def labelled(element_id: str, name: str) -> str:
    """The id, followed by the quoted name when it says something more."""
    return element_id if name == element_id else f"{element_id} {value_text(name)}"


def where(body: dict, section: str, model: ThreatModel) -> str:
    """Where an added or removed item sits: kind and boundary, flow ends, parent, or target."""
    if section == "components":
        text = body.get("kind", "").replace("_", " ")
        if body.get("boundary"):
            text += f" in {body['boundary']}"
        if body.get("out_of_scope"):
            text += ", out of scope"
        return text
    if section == "flows":
        return f"{body.get('from')} → {body.get('to')}"
    if section == "boundaries":
        return f"in {body['parent']}" if body.get("parent") else "top level"
    if section == "threats":
        parts = [body.get("category", "").replace("_", " "), f"on {body.get('target')}"]
        parts.append(body.get("severity", "medium") + ", " + body.get("status", "open").replace("_", " "))
        return "; ".join(parts)
    return ""


def element_label(section: str, element_id: str, body: dict, model: ThreatModel) -> str:
    """One line for an added or removed item: id, name and where it sits."""
    label = labelled(element_id, element_name(section, element_id, body, model))
    place = where(body, section, model)
    return f"{label} ({place})" if place else label


def crossing_text(c: Crossing) -> str:
    """A boundary crossing as ``boundary (direction)``."""
    return f"{c.boundary} ({c.direction})"


def finding_line(f: Finding) -> str:
    """A finding on one line: severity, status, id and title."""
    return f"[{f.severity}] {f.status.replace('_', ' ')}  {f.id}: {f.title}"


def decision_text(body: dict) -> str:
    """A decision on one line: status, ticket and the start of its note."""
    text = body.get("status", "").replace("_", " ")
    if body.get("ticket"):
        text += f" ({body['ticket']})"
    if body.get("note"):
        note = body["note"].splitlines()[0]
        text += f" — {note[:100]}" + ("…" if len(note) > 100 or "\n" in body["note"] else "")
    return text


def section_counts(section: SectionDiff) -> str:
    """How many items of a table were added, removed, renamed and changed ("2 added, 1 changed")."""
    parts = []
    for label, items in (
        ("added", section.added),
        ("removed", section.removed),
        ("renamed", section.renamed),
        ("changed", section.changed),
    ):
        if items:
            parts.append(f"{len(items)} {label}")
    return ", ".join(parts)


def finding_counts(d: ModelDiff) -> str:
    """How many findings are new, gone and changed ("3 new, 1 gone")."""
    return ", ".join(
        f"{n} {label}"
        for label, n in (
            ("new", len(d.findings_new)),
            ("gone", len(d.findings_gone)),
            ("changed", len(d.findings_changed)),
        )
        if n
    )


def summary_line(d: ModelDiff) -> str:
    """One sentence: how much changed."""
    if d.empty:
        return "no differences"
    parts = []
    element_counts = {
        label: sum(len(getattr(d.sections[s], label)) for s in ELEMENT_TITLES)
        for label in ("added", "removed", "renamed", "changed")
    }
    elements = ", ".join(f"{n} {label}" for label, n in element_counts.items() if n)
    if elements:
        parts.append(f"elements: {elements}")
    if d.crossings:
        parts.append(f"{counted(len(d.crossings), 'flow')} cross differently")
    findings = finding_counts(d)
    if findings:
        parts.append(f"findings: {findings}")
    decisions = section_counts(d.decisions)
    if decisions:
        parts.append(f"decisions: {decisions}")
    threats = section_counts(d.sections["threats"])
    if threats:
        parts.append(f"custom threats: {threats}")
    if d.orphans_new:
        parts.append(counted(len(d.orphans_new), "new orphan decision"))
    if d.meta:
        parts.append("model details changed")
    return "; ".join(parts)


def gate_line(d: ModelDiff, fail_on: str | None) -> str | None:
    """The --fail-on verdict, or None when no gate was asked for."""
    if fail_on is None:
        return None
    blocking = d.newly_open_threats(fail_on)
    quieting = len(d.rules_disabled) + len(d.suppressing_decisions())
    if blocking or quieting:
        parts = [f"{counted(len(blocking), 'new open threat')} at or above {fail_on}"] if blocking else []
        if quieting:
            parts.append(f"{counted(quieting, 'change')} that quiet the gate (rules disabled, findings decided)")
        return f"FAILED --fail-on {fail_on}: " + "; ".join(parts)
    return f"passed --fail-on {fail_on}: no new open threats at or above {fail_on}"
