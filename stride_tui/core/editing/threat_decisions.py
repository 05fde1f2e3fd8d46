"""Deciding a whole threat, or every threat of a story, as one edit (DESIGN §8 decision grains).

A threat's decision is written under its own key, ``<remedy>@<element>`` (a hand-written threat
keeps it in its own table), through `set_decision`, the one decision edit. A finding-level
decision (``<rule>@<element>``) is more specific and would win over it, so an *undecided* one
among the threat's findings is dropped in the same edit: otherwise "accepted" on the threat
would leave it open. Finding-level decisions that already decide something are kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from stride_tui.core.analysis.threats import Threat
from stride_tui.core.model.elements import UNDECIDED, ThreatModel

from .put import delete_decision, set_decision


def decide_threats(
    model: ThreatModel,
    threats: Iterable[Threat],
    status: str,
    note: str | None = None,
    ticket: str | None = None,
) -> ThreatModel:
    """``model`` with ``status`` recorded on each threat (note and ticket kept unless given).

    Raises ``EditError`` for a status the file format does not have.
    """
    for threat in threats:
        existing = model.decisions.get(threat.id)
        custom = model.threats.get(threat.id) if "@" not in threat.id else None
        kept = existing or custom
        model = set_decision(
            model,
            threat.id,
            status,
            note=note if note is not None else (kept.note if kept is not None else None),
            ticket=ticket if ticket is not None else (kept.ticket if kept is not None else None),
        )
        for finding_id in threat.finding_ids:
            decision = model.decisions.get(finding_id)
            if finding_id != threat.id and decision is not None and decision.status in UNDECIDED:
                model = delete_decision(model, finding_id)
    return model
