"""Semantic diff of two versions of a model: what a reviewer of a pull request needs to see.

Elements (boundaries, components, flows, custom threats) added, removed, renamed and changed —
with each changed key, old → new; flows whose boundary crossings changed; findings new, gone and
changed (analysis runs on both versions); decisions added, removed and changed.

A **rename** is an element whose id changed while everything else stayed the same (references
to renamed elements are followed, so renaming a component does not make its flows "changed").
Finding and decision ids follow renames too, so a rename alone shows no finding churn.

Everything is ordered deterministically: added and changed items in the new file's order,
removed ones in the old file's order, findings by severity (highest first) then id.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from . import escape
from .analysis import CATEGORY_LABELS, Analysis, Finding, flow_display_name
from .crossings import Crossing
from .model import COMPONENT_CLASSES, SEVERITIES, Boundary, Decision, Flow, ModelMeta, Threat, ThreatModel
from .storage import model_to_data

SECTIONS = ("boundaries", "components", "flows", "threats")
SECTION_SINGULAR = {
    "boundaries": "boundary",
    "components": "component",
    "flows": "flow",
    "threats": "threat",
}
UNSET = None


def _key_order(*classes) -> list[str]:
    order: list[str] = []
    for cls in classes:
        for name, info in cls.model_fields.items():
            key = info.alias or name
            if key not in order:
                order.append(key)
    return order


KEY_ORDER = {
    "model": _key_order(ModelMeta),
    "boundaries": _key_order(Boundary),
    "components": _key_order(*COMPONENT_CLASSES.values()),
    "flows": _key_order(Flow),
    "threats": _key_order(Threat),
    "decisions": _key_order(Decision),
}


@dataclass(frozen=True)
class FieldChange:
    """One key whose value differs; ``None`` means the key is not set."""

    key: str
    old: object
    new: object


@dataclass
class ElementChange:
    """An element present in both versions (possibly under a new id) that differs."""

    id: str
    old_id: str
    name: str
    changes: list[FieldChange]


@dataclass
class SectionDiff:
    """Changes to one table of the model."""

    added: list[tuple[str, dict]] = field(default_factory=list)
    removed: list[tuple[str, dict]] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.renamed)


@dataclass(frozen=True)
class CrossingChange:
    """A flow in both versions that crosses a different set of boundaries (or in another direction)."""

    flow_id: str
    name: str
    old: tuple[Crossing, ...]
    new: tuple[Crossing, ...]

    @property
    def added(self) -> list[Crossing]:
        return [c for c in self.new if c not in self.old]

    @property
    def removed(self) -> list[Crossing]:
        return [c for c in self.old if c not in self.new]


@dataclass(frozen=True)
class FindingChange:
    """A finding in both versions whose severity or status changed."""

    old: Finding
    new: Finding


@dataclass
class ModelDiff:
    """Everything that differs between two versions of a model."""

    old_label: str
    new_label: str
    old: ThreatModel
    new: ThreatModel
    meta: list[FieldChange]
    sections: dict[str, SectionDiff]
    decisions: SectionDiff
    crossings: list[CrossingChange]
    findings_new: list[Finding]
    findings_gone: list[Finding]
    findings_changed: list[FindingChange]
    old_findings: int
    new_findings: int
    orphans_new: list[str] = field(default_factory=list)  # decisions that became orphans in the new version
    added_crossings: dict[str, tuple[Crossing, ...]] = field(default_factory=dict)  # added flow -> its crossings

    @property
    def empty(self) -> bool:
        return not (
            self.meta
            or any(self.sections.values())
            or self.decisions
            or self.crossings
            or self.findings_new
            or self.findings_gone
            or self.findings_changed
            or self.orphans_new
        )

    def newly_open(self, fail_on: str) -> list[Finding]:
        """Findings open at or above ``fail_on`` in the new version that were not so in the old.

        That is new findings, findings re-opened (a decision removed or set back to open), and
        open findings whose severity rose to the level.
        """
        threshold = SEVERITIES.index(fail_on)

        def blocking(f: Finding) -> bool:
            return f.status == "open" and SEVERITIES.index(f.severity) >= threshold

        out = [f for f in self.findings_new if blocking(f)]
        out += [c.new for c in self.findings_changed if blocking(c.new) and not blocking(c.old)]
        return sorted(out, key=_finding_order)


def diff_models(
    old: ThreatModel,
    new: ThreatModel,
    old_analysis: Analysis,
    new_analysis: Analysis,
    old_label: str = "old",
    new_label: str = "new",
) -> ModelDiff:
    """Compare two models and their analyses."""
    old_data, new_data = model_to_data(old), model_to_data(new)
    meta = _field_changes(old_data["model"], new_data["model"], KEY_ORDER["model"])

    renames: dict[str, str] = {}  # old element id -> new element id (boundaries, components, flows)
    sections: dict[str, SectionDiff] = {}
    ref_keys = {
        "boundaries": ("parent",),
        "components": ("boundary",),
        "flows": ("from", "to"),
        "threats": ("target",),
    }
    threat_renames: dict[str, str] = {}
    for section in SECTIONS:
        old_table = old_data.get(section, {})
        new_table = new_data.get(section, {})
        table_renames = renames if section != "threats" else threat_renames
        sections[section] = _section_diff(
            section, old_table, new_table, ref_keys[section], renames, table_renames, new
        )

    def map_finding_id(finding_id: str) -> str:
        if "@" in finding_id:
            rule, _, element = finding_id.partition("@")
            return f"{rule}@{renames.get(element, element)}"
        return threat_renames.get(finding_id, finding_id)

    old_decisions = {map_finding_id(k): (k, v) for k, v in old_data.get("decisions", {}).items()}
    decisions = SectionDiff()
    new_decisions = new_data.get("decisions", {})
    for key, body in new_decisions.items():
        if key not in old_decisions:
            decisions.added.append((key, body))
            continue
        old_key, old_body = old_decisions[key]
        if old_key != key:
            decisions.renamed.append((old_key, key))
        changes = _field_changes(old_body, body, KEY_ORDER["decisions"])
        if changes:
            decisions.changed.append(ElementChange(key, old_key, key, changes))
    for key, (old_key, body) in old_decisions.items():
        if key not in new_decisions:
            decisions.removed.append((old_key, body))

    crossings: list[CrossingChange] = []
    inverse = {v: k for k, v in renames.items()}
    for fid in new.flows:
        old_fid = inverse.get(fid, fid)
        if old_fid not in old.flows:
            continue
        before = tuple(Crossing(renames.get(c.boundary, c.boundary), c.direction) for c in old_analysis.topology.crossings[old_fid])
        after = new_analysis.topology.crossings[fid]
        if before != after:
            crossings.append(CrossingChange(fid, flow_display_name(new, fid), before, after))

    old_by_id = {map_finding_id(f.id): f for f in old_analysis.findings}
    new_by_id = {f.id: f for f in new_analysis.findings}
    findings_new = sorted((f for fid, f in new_by_id.items() if fid not in old_by_id), key=_finding_order)
    findings_gone = sorted((f for fid, f in old_by_id.items() if fid not in new_by_id), key=_finding_order)
    findings_changed = sorted(
        (
            FindingChange(old_by_id[fid], f)
            for fid, f in new_by_id.items()
            if fid in old_by_id and (old_by_id[fid].severity, old_by_id[fid].status) != (f.severity, f.status)
        ),
        key=lambda c: _finding_order(c.new),
    )
    old_orphans = {map_finding_id(k) for k in old_analysis.orphans}
    orphans_new = [k for k in new_analysis.orphans if k not in old_orphans]
    return ModelDiff(
        old_label,
        new_label,
        old,
        new,
        meta,
        sections,
        decisions,
        crossings,
        findings_new,
        findings_gone,
        findings_changed,
        len(old_analysis.findings),
        len(new_analysis.findings),
        orphans_new,
        {fid: new_analysis.topology.crossings[fid] for fid, _ in sections["flows"].added},
    )


def _finding_order(f: Finding) -> tuple:
    return (-SEVERITIES.index(f.severity), f.id)


def _section_diff(
    section: str,
    old_table: dict[str, dict],
    new_table: dict[str, dict],
    refs: tuple[str, ...],
    element_renames: dict[str, str],
    table_renames: dict[str, str],
    new_model: ThreatModel,
) -> SectionDiff:
    """Added / removed / renamed / changed items of one table, following earlier renames."""

    def mapped(body: dict) -> dict:
        out = dict(body)
        for key in refs:
            if isinstance(out.get(key), str):
                out[key] = element_renames.get(out[key], out[key])
        return out

    result = SectionDiff()
    removed = [k for k in old_table if k not in new_table]
    added = [k for k in new_table if k not in old_table]
    # A rename: an old id gone, a new id come, with identical content (after following renames).
    # Parents may be renamed too, so repeat until nothing more matches.
    matched_new: set[str] = set()
    progress = True
    while progress:
        progress = False
        for old_id in removed:
            if old_id in table_renames:
                continue
            body = mapped(old_table[old_id])
            for new_id in added:
                if new_id not in matched_new and new_table[new_id] == body:
                    table_renames[old_id] = new_id
                    matched_new.add(new_id)
                    result.renamed.append((old_id, new_id))
                    progress = True
                    break
    result.renamed.sort(key=lambda pair: list(new_table).index(pair[1]))
    for new_id, body in new_table.items():
        if new_id in matched_new:
            continue
        if new_id not in old_table:
            result.added.append((new_id, body))
            continue
        changes = _field_changes(mapped(old_table[new_id]), body, KEY_ORDER[section])
        if changes:
            result.changed.append(ElementChange(new_id, new_id, _name(section, new_id, body, new_model), changes))
    for old_id, body in old_table.items():
        if old_id not in new_table and old_id not in table_renames:
            result.removed.append((old_id, body))
    return result


def _name(section: str, element_id: str, body: dict, model: ThreatModel | None) -> str:
    if section == "threats":
        return body.get("title", element_id)
    if section == "flows" and model is not None and element_id in model.flows:
        return flow_display_name(model, element_id)
    return body.get("name") or element_id


def _field_changes(old: dict, new: dict, order: list[str]) -> list[FieldChange]:
    keys = [k for k in order if k in old or k in new]
    keys += sorted(k for k in set(old) | set(new) if k not in order)
    return [FieldChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


# ---------------------------------------------------------------------------------------------
# Rendering


def _value(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _long(value: object) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > 60)


def _text_change(change: FieldChange, indent: str) -> list[str]:
    if not (_long(change.old) or _long(change.new)):
        return [f"{indent}{change.key}: {_value(change.old)} → {_value(change.new)}"]
    old_lines = change.old.splitlines() if isinstance(change.old, str) else []
    new_lines = change.new.splitlines() if isinstance(change.new, str) else []
    lines = [f"{indent}{change.key}:" + (" (was unset)" if change.old is None else " (now unset)" if change.new is None else "")]
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        lines.append(f"{indent}  {line[0]} {line[1:]}")
    return lines


def _where(body: dict, section: str, model: ThreatModel) -> str:
    if section == "components":
        where = body.get("kind", "").replace("_", " ")
        if body.get("boundary"):
            where += f" in {body['boundary']}"
        if body.get("out_of_scope"):
            where += ", out of scope"
        return where
    if section == "flows":
        return f"{body.get('from')} → {body.get('to')}"
    if section == "boundaries":
        return f"in {body['parent']}" if body.get("parent") else "top level"
    if section == "threats":
        parts = [body.get("category", "").replace("_", " "), f"on {body.get('target')}"]
        parts.append(body.get("severity", "medium") + ", " + body.get("status", "open").replace("_", " "))
        return "; ".join(parts)
    return ""


def _element_label(section: str, element_id: str, body: dict, model: ThreatModel) -> str:
    name = _name(section, element_id, body, model)
    label = element_id if name == element_id else f"{element_id} {_value(name)}"
    where = _where(body, section, model)
    return f"{label} ({where})" if where else label


def _crossing_text(c: Crossing) -> str:
    return f"{c.boundary} ({c.direction})"


def _finding_line(f: Finding) -> str:
    return f"[{f.severity}] {f.status.replace('_', ' ')}  {f.id}: {f.title}"


def _decision_text(body: dict) -> str:
    text = body.get("status", "").replace("_", " ")
    if body.get("ticket"):
        text += f" ({body['ticket']})"
    if body.get("note"):
        note = body["note"].splitlines()[0]
        text += f" — {note[:100]}" + ("…" if len(note) > 100 or "\n" in body["note"] else "")
    return text


def _counts(section: SectionDiff) -> str:
    parts = []
    for label, items in (("added", section.added), ("removed", section.removed), ("renamed", section.renamed), ("changed", section.changed)):
        if items:
            parts.append(f"{len(items)} {label}")
    return ", ".join(parts)


def summary_line(d: ModelDiff) -> str:
    """One sentence: how much changed."""
    if d.empty:
        return "no differences"
    parts = []
    element_counts = {
        label: sum(len(getattr(d.sections[s], label)) for s in ("boundaries", "components", "flows"))
        for label in ("added", "removed", "renamed", "changed")
    }
    elements = ", ".join(f"{n} {label}" for label, n in element_counts.items() if n)
    if elements:
        parts.append(f"elements: {elements}")
    if d.crossings:
        parts.append(f"{len(d.crossings)} flow{'s' if len(d.crossings) != 1 else ''} cross differently")
    findings = ", ".join(
        f"{n} {label}"
        for label, n in (("new", len(d.findings_new)), ("gone", len(d.findings_gone)), ("changed", len(d.findings_changed)))
        if n
    )
    if findings:
        parts.append(f"findings: {findings}")
    decisions = _counts(d.decisions)
    if decisions:
        parts.append(f"decisions: {decisions}")
    threats = _counts(d.sections["threats"])
    if threats:
        parts.append(f"custom threats: {threats}")
    if d.orphans_new:
        parts.append(f"{len(d.orphans_new)} new orphan decision{'s' if len(d.orphans_new) != 1 else ''}")
    if d.meta:
        parts.append("model details changed")
    return "; ".join(parts)


def gate_line(d: ModelDiff, fail_on: str | None) -> str | None:
    """The --fail-on verdict, or None when no gate was asked for."""
    if fail_on is None:
        return None
    blocking = d.newly_open(fail_on)
    if blocking:
        return f"FAILED --fail-on {fail_on}: {len(blocking)} new open finding{'s' if len(blocking) != 1 else ''} at or above {fail_on}"
    return f"passed --fail-on {fail_on}: no new open findings at or above {fail_on}"


def diff_text(d: ModelDiff, fail_on: str | None = None) -> str:
    """Plain text: one line per change with +, - or ~ in column 0 (colours in a ```diff block)."""
    out = [f"stride-tui diff: {d.old_label} → {d.new_label}"]
    if d.meta:
        out += ["", "Model:"]
        for change in d.meta:
            lines = _text_change(change, "")
            out += ["~ " + lines[0]] + ["    " + line for line in lines[1:]]
    titles = {"boundaries": "Boundaries", "components": "Components", "flows": "Flows"}
    for section, title in titles.items():
        out += _section_text(d, section, title)
    if d.crossings:
        out += ["", f"Crossings ({len(d.crossings)} flow{'s' if len(d.crossings) != 1 else ''}):"]
        for c in d.crossings:
            label = c.flow_id if c.name == c.flow_id else f"{c.flow_id} {_value(c.name)}"
            out.append(f"~ {label}")
            out += [f"    + crosses {_crossing_text(x)}" for x in c.added]
            out += [f"    - crosses {_crossing_text(x)}" for x in c.removed]
            if not c.added and not c.removed:
                out.append(f"    order: {', '.join(map(_crossing_text, c.old))} → {', '.join(map(_crossing_text, c.new))}")
    if d.findings_new or d.findings_gone or d.findings_changed:
        counts = ", ".join(
            f"{n} {label}"
            for label, n in (("new", len(d.findings_new)), ("gone", len(d.findings_gone)), ("changed", len(d.findings_changed)))
            if n
        )
        out += ["", f"Findings ({counts}; {d.old_findings} → {d.new_findings} in total):"]
        out += [f"+ {_finding_line(f)}" for f in d.findings_new]
        out += [f"- {_finding_line(f)}" for f in d.findings_gone]
        for c in d.findings_changed:
            parts = []
            if c.old.severity != c.new.severity:
                parts.append(f"severity {c.old.severity} → {c.new.severity}")
            if c.old.status != c.new.status:
                parts.append(f"status {c.old.status.replace('_', ' ')} → {c.new.status.replace('_', ' ')}")
            out.append(f"~ [{c.new.severity}] {c.new.id}: {'; '.join(parts)}")
    if d.decisions:
        out += ["", f"Decisions ({_counts(d.decisions)}):"]
        out += [f"+ {key}: {_decision_text(body)}" for key, body in d.decisions.added]
        out += [f"- {key}: {_decision_text(body)}" for key, body in d.decisions.removed]
        renamed_to = {new: old for old, new in d.decisions.renamed}
        for old, new in d.decisions.renamed:
            if not any(c.id == new for c in d.decisions.changed):
                out.append(f"~ {new} (was {old}; its element was renamed)")
        for c in d.decisions.changed:
            suffix = f" (was {renamed_to[c.id]})" if c.id in renamed_to else ""
            out.append(f"~ {c.id}{suffix}")
            for change in c.changes:
                out += _text_change(change, "    ")
    out += _section_text(d, "threats", "Custom threats")
    if d.orphans_new:
        out += ["", f"New orphan decisions ({len(d.orphans_new)}; their findings no longer fire):"]
        out += [f"! {key}" for key in d.orphans_new]
    out += ["", "Summary: " + summary_line(d)]
    gate = gate_line(d, fail_on)
    if gate and fail_on:
        out.append(gate)
        out += [f"  {_finding_line(f)}" for f in d.newly_open(fail_on)]
    return "\n".join(out) + "\n"


_SHOWN_IN_LABEL = {
    "boundaries": {"name", "parent"},
    "components": {"kind", "name", "boundary"},
    "flows": {"from", "to", "name"},
    "threats": {"title", "category", "target", "severity", "status"},
}


def _section_text(d: ModelDiff, section: str, title: str) -> list[str]:
    s = d.sections[section]
    if not s:
        return []
    out = ["", f"{title} ({_counts(s)}):"]
    for k, b in s.added:
        out.append(f"+ {_element_label(section, k, b, d.new)}")
        if k in d.added_crossings:
            out.append(f"    crosses: {', '.join(map(_crossing_text, d.added_crossings[k])) or 'no boundary'}")
        for key, value in b.items():
            if key not in _SHOWN_IN_LABEL[section]:
                out += _text_change(FieldChange(key, None, value), "    ") if _long(value) else [f"    {key} = {_value(value)}"]
    out += [f"- {_element_label(section, k, b, d.old)}" for k, b in s.removed]
    for old, new in s.renamed:
        out.append(f"~ {old} → {new} (renamed)")
    for c in s.changed:
        label = c.id if c.name == c.id else f"{c.id} {_value(c.name)}"
        out.append(f"~ {label}")
        for change in c.changes:
            out += _text_change(change, "    ")
    return out


def diff_json(d: ModelDiff, fail_on: str | None = None) -> str:
    """The whole diff as JSON with stable key order."""

    def section_json(s: SectionDiff) -> dict:
        return {
            "added": [{"id": k, **b} for k, b in s.added],
            "removed": [{"id": k, **b} for k, b in s.removed],
            "renamed": [{"old_id": o, "new_id": n} for o, n in s.renamed],
            "changed": [
                {
                    "id": c.id,
                    "name": c.name,
                    "changes": [{"key": x.key, "old": x.old, "new": x.new} for x in c.changes],
                }
                for c in s.changed
            ],
        }

    def finding_json(f: Finding) -> dict:
        return {
            "id": f.id,
            "rule_id": f.rule_id,
            "category": f.category,
            "severity": f.severity,
            "status": f.status,
            "element_id": f.element_id,
            "element_name": f.element_name,
            "title": f.title,
            "custom": f.custom,
        }

    document = {
        "old": d.old_label,
        "new": d.new_label,
        "identical": d.empty,
        "model": [{"key": x.key, "old": x.old, "new": x.new} for x in d.meta],
        **{section: section_json(d.sections[section]) for section in ("boundaries", "components", "flows")},
        "added_flow_crossings": {
            fid: [{"boundary": x.boundary, "direction": x.direction} for x in crossings]
            for fid, crossings in d.added_crossings.items()
        },
        "crossings": [
            {
                "flow": c.flow_id,
                "name": c.name,
                "old": [{"boundary": x.boundary, "direction": x.direction} for x in c.old],
                "new": [{"boundary": x.boundary, "direction": x.direction} for x in c.new],
            }
            for c in d.crossings
        ],
        "findings": {
            "old_total": d.old_findings,
            "new_total": d.new_findings,
            "new": [finding_json(f) for f in d.findings_new],
            "gone": [finding_json(f) for f in d.findings_gone],
            "changed": [
                {
                    "id": c.new.id,
                    "old_id": c.old.id,
                    "severity": {"old": c.old.severity, "new": c.new.severity},
                    "status": {"old": c.old.status, "new": c.new.status},
                    "title": c.new.title,
                }
                for c in d.findings_changed
            ],
        },
        "decisions": section_json(d.decisions),
        "threats": section_json(d.sections["threats"]),
        "orphans_new": d.orphans_new,
        "summary": summary_line(d),
        "gate": None
        if fail_on is None
        else {
            "fail_on": fail_on,
            "failed": bool(d.newly_open(fail_on)),
            "blocking": [f.id for f in d.newly_open(fail_on)],
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def diff_markdown(d: ModelDiff, fail_on: str | None = None) -> str:
    """Markdown for a pull-request comment or a CI job summary."""
    md, code = escape.markdown, escape.markdown_code
    out = [f"### Threat model diff: {code(d.old_label)} → {code(d.new_label)}", ""]
    gate = gate_line(d, fail_on)
    if gate:
        out += [f"**{md(gate)}**", ""]
        blocking = d.newly_open(fail_on) if fail_on else []
        out += [f"- {md(f.severity)} · {code(f.id)} — {md(f.title)}" for f in blocking]
        if blocking:
            out.append("")
    summary = summary_line(d)
    out.append(md(summary[:1].upper() + summary[1:]) + ".")
    if d.meta:
        out += ["", "#### Model", ""]
        out += [f"- {code(x.key)}: {_md_value(x.old)} → {_md_value(x.new)}" for x in d.meta]
    for section, title in (("boundaries", "Boundaries"), ("components", "Components"), ("flows", "Flows")):
        out += _section_markdown(d, section, title)
    if d.crossings:
        out += ["", "#### Boundary crossings", ""]
        for c in d.crossings:
            parts = [f"now crosses {code(x.boundary)} ({x.direction})" for x in c.added]
            parts += [f"no longer crosses {code(x.boundary)} ({x.direction})" for x in c.removed]
            if not parts:
                parts.append("crossings reordered")
            out.append(f"- {code(c.flow_id)} {md(c.name)}: " + "; ".join(parts))
    rows = len(d.findings_new) + len(d.findings_gone) + len(d.findings_changed)
    if rows:
        out += ["", f"#### Findings ({d.old_findings} → {d.new_findings})", ""]
        if rows > 10:
            counts = ", ".join(
                f"{n} {label}"
                for label, n in (("new", len(d.findings_new)), ("gone", len(d.findings_gone)), ("changed", len(d.findings_changed)))
                if n
            )
            out += ["<details>", f"<summary>{counts}</summary>", ""]
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
        if rows > 10:
            out += ["", "</details>"]
    if d.decisions:
        out += ["", "#### Decisions", ""]
        out += [f"- added {code(k)}: {md(_decision_text(b))}" for k, b in d.decisions.added]
        out += [f"- removed {code(k)}: {md(_decision_text(b))}" for k, b in d.decisions.removed]
        for c in d.decisions.changed:
            changes = "; ".join(f"{code(x.key)} {_md_value(x.old)} → {_md_value(x.new)}" for x in c.changes)
            out.append(f"- changed {code(c.id)}: {changes}")
    out += _section_markdown(d, "threats", "Custom threats")
    if d.orphans_new:
        out += ["", "#### New orphan decisions", ""]
        out += [f"- {code(key)}: its finding no longer fires" for key in d.orphans_new]
    return "\n".join(out) + "\n"


def _md_value(value: object) -> str:
    if value is None:
        return "*unset*"
    text = _value(value)
    if len(text) > 120:
        text = text[:117] + "…"
    return escape.markdown_code(text)


def _section_markdown(d: ModelDiff, section: str, title: str) -> list[str]:
    s = d.sections[section]
    if not s:
        return []
    code, md = escape.markdown_code, escape.markdown
    out = ["", f"#### {title} ({md(_counts(s))})", ""]
    for mark, items, model in (("added", s.added, d.new), ("removed", s.removed, d.old)):
        for k, b in items:
            name = _name(section, k, b, model)
            where = md(_where(b, section, model))
            if mark == "added" and k in d.added_crossings:
                crossing = ", ".join(f"{code(x.boundary)} ({x.direction})" for x in d.added_crossings[k])
                where += f"; crosses {crossing}" if crossing else "; crosses no boundary"
            out.append(f"- {mark} {code(k)}" + (f" {md(name)}" if name != k else "") + f" ({where})")
    out += [f"- renamed {code(o)} → {code(n)}" for o, n in s.renamed]
    for c in s.changed:
        changes = "; ".join(f"{code(x.key)} {_md_value(x.old)} → {_md_value(x.new)}" for x in c.changes)
        out.append(f"- changed {code(c.id)}" + (f" {md(c.name)}" if c.name != c.id else "") + f": {changes}")
    return out
