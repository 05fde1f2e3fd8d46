"""A model diff as JSON with a stable key order, for tools and CI."""

from __future__ import annotations

from stride_tui.core.analysis.engine import Finding
from stride_tui.core.model.topology import Crossing
from stride_tui.core.outputs.json_document import indented_json
from stride_tui.core.vcs.diff.changes import FieldChange, ModelDiff, SectionDiff
from stride_tui.core.vcs.diff.summary import ELEMENT_TITLES, summary_line


def diff_json(d: ModelDiff, fail_on: str | None = None) -> str:
    """The whole diff as JSON with stable key order."""
    document = {
        "old": d.old_label,
        "new": d.new_label,
        "identical": d.empty,
        "model": [_change(x) for x in d.meta],
        **{section: _section(d.sections[section]) for section in ELEMENT_TITLES},
        "added_flow_crossings": {
            fid: [_crossing(x) for x in crossings] for fid, crossings in d.added_crossings.items()
        },
        "crossings": [
            {
                "flow": c.flow_id,
                "name": c.name,
                "old": [_crossing(x) for x in c.old],
                "new": [_crossing(x) for x in c.new],
            }
            for c in d.crossings
        ],
        "findings": {
            "old_total": d.old_findings,
            "new_total": d.new_findings,
            "new": [_finding(f) for f in d.findings_new],
            "gone": [_finding(f) for f in d.findings_gone],
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
        "decisions": _section(d.decisions),
        "threats": _section(d.sections["threats"]),
        "orphans_new": d.orphans_new,
        "summary": summary_line(d),
        "gate": None
        if fail_on is None
        else {
            "fail_on": fail_on,
            "failed": bool(d.gate_reasons(fail_on)),
            "blocking": [t.id for t in d.newly_open_threats(fail_on)],
            "rules_disabled": [vars(r) for r in d.rules_disabled],
            "suppressing_decisions": d.suppressing_decisions(),
        },
    }
    return indented_json(document) + "\n"


def _change(x: FieldChange) -> dict:
    return {"key": x.key, "old": x.old, "new": x.new}


def _crossing(x: Crossing) -> dict:
    return {"boundary": x.boundary, "direction": x.direction}


def _section(s: SectionDiff) -> dict:
    return {
        "added": [{"id": k, **b} for k, b in s.added],
        "removed": [{"id": k, **b} for k, b in s.removed],
        "renamed": [{"old_id": o, "new_id": n} for o, n in s.renamed],
        "changed": [{"id": c.id, "name": c.name, "changes": [_change(x) for x in c.changes]} for c in s.changed],
    }


def _finding(f: Finding) -> dict:
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
