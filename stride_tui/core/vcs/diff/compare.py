"""Computing the diff of two models and their analyses (see the package for what it holds).

Added and changed items come in the new file's order, removed ones in the old file's order,
findings by severity (highest first) then id; references to renamed elements are followed."""

from __future__ import annotations

from stride_tui.core.analysis.engine import Analysis, flow_display_name
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.files.storage import model_to_data
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Crossing
from stride_tui.core.vcs.diff.changes import (
    KEY_ORDER,
    SECTIONS,
    CrossingChange,
    ElementChange,
    FieldChange,
    FindingChange,
    ModelDiff,
    SectionDiff,
    element_name,
    finding_order,
)


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
        sections[section] = _section_diff(section, old_table, new_table, ref_keys[section], renames, table_renames, new)

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
        before = tuple(
            Crossing(renames.get(c.boundary, c.boundary), c.direction) for c in old_analysis.topology.crossings[old_fid]
        )
        after = new_analysis.topology.crossings[fid]
        if before != after:
            crossings.append(CrossingChange(fid, flow_display_name(new, fid), before, after))

    old_by_id = {map_finding_id(f.id): f for f in old_analysis.findings}
    new_by_id = {f.id: f for f in new_analysis.findings}
    findings_new = sorted((f for fid, f in new_by_id.items() if fid not in old_by_id), key=finding_order)
    findings_gone = sorted((f for fid, f in old_by_id.items() if fid not in new_by_id), key=finding_order)
    findings_changed = sorted(
        (
            FindingChange(old_by_id[fid], f)
            for fid, f in new_by_id.items()
            if fid in old_by_id and (old_by_id[fid].severity, old_by_id[fid].status) != (f.severity, f.status)
        ),
        key=lambda c: finding_order(c.new),
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
        [d for d in new_analysis.disabled if d.rule_id not in {o.rule_id for o in old_analysis.disabled}],
        {map_finding_id(t.id): t for t in group_threats(old_analysis)},
        {t.id: t for t in group_threats(new_analysis)},
    )


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
            result.changed.append(
                ElementChange(new_id, new_id, element_name(section, new_id, body, new_model), changes)
            )
    for old_id, body in old_table.items():
        if old_id not in new_table and old_id not in table_renames:
            result.removed.append((old_id, body))
    return result


def _field_changes(old: dict, new: dict, order: list[str]) -> list[FieldChange]:
    keys = [k for k in order if k in old or k in new]
    keys += sorted(k for k in set(old) | set(new) if k not in order)
    return [FieldChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]
