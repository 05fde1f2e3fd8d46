"""The values a semantic diff is made of: field, element, crossing and finding changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from stride_tui.core.analysis.engine import Finding, flow_display_name
from stride_tui.core.analysis.risk import rating
from stride_tui.core.analysis.rules import DisabledRule
from stride_tui.core.analysis.threats import Threat as AnalysedThreat
from stride_tui.core.analysis.threats import blocks, threat_order
from stride_tui.core.model.elements import (
    COMPONENT_CLASSES,
    SEVERITIES,
    UNDECIDED,
    Boundary,
    Decision,
    Flow,
    ModelMeta,
    Threat,
    ThreatModel,
)
from stride_tui.core.model.topology import Crossing

SECTIONS = ("boundaries", "components", "flows", "threats")
"""The tables diffed element by element (decisions are diffed on their own)."""


def _key_order(*classes: type[BaseModel]) -> list[str]:
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
"""Per table, the keys in the order the model declares them: changed keys are listed so."""


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
    rules_disabled: list[DisabledRule] = field(default_factory=list)
    """Rules disabled in the new version that ran in the old one."""
    old_threats: dict[str, AnalysedThreat] = field(default_factory=dict)
    """The old version's threats, by id (element ids renamed to the new version's)."""
    new_threats: dict[str, AnalysedThreat] = field(default_factory=dict)

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
            or self.rules_disabled
        )

    def suppressing_decisions(self) -> list[str]:
        """Decisions (and hand-written threats) that newly take a finding off the open list:
        added with, or changed to, a status other than open or investigating (an orphan decision
        covers nothing, so it takes nothing off)."""
        out = [key for key, body in self.decisions.added if body.get("status") not in UNDECIDED]
        for change in self.decisions.changed:
            for field_change in change.changes:
                if field_change.key == "status" and field_change.new not in UNDECIDED and field_change.old in UNDECIDED:
                    out.append(change.id)
        out = [key for key in out if key not in self.orphans_new]
        for key, body in self.sections["threats"].added:
            if body.get("status", "open") not in UNDECIDED:
                out.append(key)
        for change in self.sections["threats"].changed:
            for field_change in change.changes:
                if (
                    field_change.key == "status"
                    and field_change.new not in UNDECIDED
                    and field_change.old in (*UNDECIDED, None)
                ):
                    out.append(change.id)
        return out

    def gate_reasons(self, fail_on: str) -> list[str]:
        """Why ``diff --fail-on`` fails: new open findings at the level, and changes that quiet
        the gate (a rule disabled, a finding decided away) — those trip it at any level, so a
        reviewer always looks at them."""
        reasons = [
            f"new open threat [{rating(t.severity, t.confirmed_severity)}] {t.id} ({len(t.findings)} finding{'s' * (len(t.findings) != 1)})"
            for t in self.newly_open_threats(fail_on)
        ]
        reasons += [f"rule disabled: {d}" for d in self.rules_disabled]
        reasons += [f"decision takes a finding off the open list: {key}" for key in self.suppressing_decisions()]
        return reasons

    def newly_open_threats(self, fail_on: str) -> list[AnalysedThreat]:
        """Threats open at or above ``fail_on`` in the new version that were not so in the old:
        new ones, re-opened ones and open ones whose risk rose to the level (DESIGN §8: the gate
        works on threats)."""

        def blocking(t: AnalysedThreat | None) -> bool:
            # as check does: a provisional threat at the risk it has if its questions are answered badly
            return t is not None and blocks(t, fail_on)

        out = [t for tid, t in self.new_threats.items() if blocking(t) and not blocking(self.old_threats.get(tid))]
        return sorted(out, key=threat_order)


def finding_order(f: Finding) -> tuple:
    """Sort key of findings in a diff: highest severity first, then id."""
    return (-SEVERITIES.index(f.severity), f.id)


def element_name(section: str, element_id: str, body: dict, model: ThreatModel | None) -> str:
    """What a diff calls an element: a threat's title, a flow's display name, else name or id."""
    if section == "threats":
        return body.get("title", element_id)
    if section == "flows" and model is not None and element_id in model.flows:
        return flow_display_name(model, element_id)
    return body.get("name") or element_id
