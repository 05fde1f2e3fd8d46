"""Which element an undo or redo brought back or changed, so the editor can show it."""

from __future__ import annotations

from stride_tui.core.model.elements import ThreatModel


def changed_element(before: ThreatModel, after: ThreatModel) -> tuple[str, str] | None:
    """(section, id) of the first element, decision (``findings``) or threat that differs in ``after``.

    Models are immutable values and edits share unchanged parts, so identity tells what changed.
    """
    for section in ("components", "flows", "boundaries"):
        old, new = getattr(before, section), getattr(after, section)
        for element_id, element in new.items():
            if old.get(element_id) is not element:
                return (section, element_id)
    for key, decision in after.decisions.items():
        if before.decisions.get(key) is not decision:
            return ("findings", key)
    for threat_id, threat in after.threats.items():
        if before.threats.get(threat_id) is not threat:
            return ("threats", threat_id)
    return None
