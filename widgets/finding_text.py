"""How a finding reads on screen: why it fired, what can go wrong, what to do, and the decision."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.text import Text

from stride_tui.core.analysis.engine import KIND_LABELS, Finding, describe_crossings
from stride_tui.core.analysis.risk import risk_line
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.stride import CATEGORY_LABELS

from .safe_text import safe_text

SEVERITY_STYLES = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "dim",
}
STATUS_STYLES = {
    "open": "bold",
    "investigating": "cyan",
    "mitigated": "green",
    "accepted": "magenta",
    "transferred": "blue",
    "not_applicable": "dim",
}
_REFERENCE_URLS = {
    "CAPEC": "https://capec.mitre.org/data/definitions/{}.html",
    "CWE": "https://cwe.mitre.org/data/definitions/{}.html",
}
_REFERENCE = re.compile(r"^(CAPEC|CWE)-(\d+)$")


_SHORT = {"critical": "CRIT", "medium": "MED"}


def severity_badge(severity: str, *, short: bool = False) -> Text:
    """``HIGH`` in the severity's colour (``short``: at most four letters, e.g. ``CRIT``)."""
    label = _SHORT.get(severity, severity.upper()) if short else severity.upper()
    return Text(label, style=SEVERITY_STYLES.get(severity, ""))


def status_text(status: str) -> Text:
    """The status as written in the file, in its colour."""
    return Text(status, style=STATUS_STYLES.get(status, ""))


def section(title: str, lines: list[Text]) -> list[RenderableType]:
    """A blank line, ``title`` underlined, then each line as a bullet (nothing when no lines)."""
    if not lines:
        return []
    out: list[RenderableType] = [Text(""), Text(title, style="bold underline")]
    for line in lines:
        bullet = Text("  • ")
        bullet.append_text(line)
        out.append(bullet)
    return out


def reference_text(reference: str) -> Text:
    """A CAPEC or CWE id with its web page; any other reference as it is written."""
    match = _REFERENCE.match(reference)
    text = safe_text(reference)
    if match is not None:
        text.append("  " + _REFERENCE_URLS[match.group(1)].format(match.group(2)), style="dim")
    return text


def finding_details(finding: Finding, model: ThreatModel) -> Group:
    """Everything about ``finding``: title, where, severity, why it fired, mitigations, decision."""
    head = Text()
    head.append_text(severity_badge(finding.severity))
    head.append(f"  {CATEGORY_LABELS.get(finding.category, finding.category)}  ")
    head.append_text(status_text(finding.status))
    title = safe_text(finding.title, style="bold")
    where = Text("on ", style="dim")
    where.append(KIND_LABELS.get(finding.element_kind, finding.element_kind) + " ")
    where.append_text(safe_text(finding.element_name, style="bold"))
    where.append(" (")
    where.append_text(safe_text(finding.element_id))
    where.append(")")
    parts: list[RenderableType] = [head, title, where]
    if finding.element_kind == "flow" and not finding.custom:
        parts.append(safe_text(describe_crossings(model, finding.crossings), style="dim"))
    parts.append(safe_text(risk_line(finding.severity, finding.risk_reasons), style="dim"))
    parts.append(Text(f"finding id {finding.id}", style="dim"))
    parts += section("Why it fired", [safe_text(line) for line in finding.explanation])
    if finding.description:
        parts += [Text(""), Text("What can go wrong", style="bold underline"), safe_text(finding.description)]
    parts += section("Mitigations", [safe_text(m) for m in finding.mitigations])
    parts += section("References", [reference_text(r) for r in finding.references])
    decision = [Text("status: ").append_text(status_text(finding.status))]
    if finding.ticket:
        decision.append(Text("ticket: ").append_text(safe_text(finding.ticket)))
    if finding.note:
        decision.append(Text("note: ").append_text(safe_text(finding.note)))
    parts += section("Decision", decision)
    for part in parts:
        if isinstance(part, Text):
            part.end = "\n"  # user text comes without a line end (see safe_text)
    return Group(*parts)
