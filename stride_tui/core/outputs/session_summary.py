"""What a 30-minute session produced: counted between two models, and said in a few lines."""

from __future__ import annotations

from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.session import SessionSummary, clock


def session_summary(start: ThreatModel, end: ThreatModel, stories: int) -> SessionSummary:
    """What a session changed between ``start`` and ``end``, with ``stories`` stories to export."""
    added = sum(
        len(set(getattr(end, section)) - set(getattr(start, section)))
        for section in ("components", "flows", "boundaries")
    )
    decided = 0
    for key, decision in end.decisions.items():
        before = start.decisions.get(key)
        if decision.status != "open" and (before is None or before.status != decision.status):
            decided += 1
    for threat_id, threat in end.threats.items():
        before_threat = start.threats.get(threat_id)
        if threat.status != "open" and (before_threat is None or before_threat.status != threat.status):
            decided += 1
    return SessionSummary(added, decided, stories)


def summary_lines(summary: SessionSummary, elapsed: float) -> list[str]:
    """The end-of-session dialog's text: how long it ran, and what it produced."""
    added, decided, stories = summary.elements_added, summary.findings_decided, summary.stories
    return [
        f"The session ran {clock(elapsed)} and produced:",
        f"  {added} element{'s' if added != 1 else ''} added (components, flows, boundaries)",
        f"  {decided} decision{'s' if decided != 1 else ''} made (threats mitigated, accepted, transferred…)",
        f"  {stories} stor{'ies' if stories != 1 else 'y'} for the backlog (of the open and investigating threats)",
    ]
