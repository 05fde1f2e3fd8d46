"""How a threat reads in the detail area: the missing control, its risk and why, the questions
that could settle it, then each of its findings (why it fired, mitigations, references) and the
decision. Titles are shown whole (they wrap), never cut to a column."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from stride_tui.core.analysis.engine import KIND_LABELS, describe_crossings
from stride_tui.core.analysis.questions import Question
from stride_tui.core.analysis.risk import risk_line
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.stride import CATEGORY_LABELS, STRIDE

from .finding_text import reference_text, section, severity_badge, status_text
from .safe_text import safe_text

CATEGORY_LETTERS: dict[str, str] = {category.id: category.letter for category in STRIDE}


def category_letters(categories: Sequence[str], *, compact: bool = False) -> str:
    """``S T I`` (``compact``: ``STI``): the STRIDE letters of ``categories``, in STRIDE order."""
    return ("" if compact else " ").join(CATEGORY_LETTERS.get(c, "?") for c in categories)


def threat_details(threat: Threat, model: ThreatModel, questions: Sequence[Question] = ()) -> Group:
    """Everything about ``threat``; ``questions`` are the open questions whose answer settles it."""
    head = Text()
    head.append_text(severity_badge(threat.severity))
    head.append(" risk  ")
    head.append(" · ".join(CATEGORY_LABELS.get(c, c) for c in threat.categories))
    head.append("  ")
    head.append_text(status_text(threat.status))
    if threat.provisional and threat.undecided:
        head.append(f"  ? provisional: {threat.confirmed_severity} if confirmed", style="italic yellow")
    parts: list[RenderableType] = [head, safe_text(threat.title, style="bold")]
    first = threat.findings[0]
    if not first.custom:
        control = Text("missing control: ", style="dim")
        control.append_text(safe_text(threat.control))
        parts.append(control)
    owner = model.components.get(threat.element_id) or model.flows.get(threat.element_id)
    where = Text("on ", style="dim")
    if owner is not None:
        kind = "flow" if threat.element_id in model.flows else model.components[threat.element_id].kind
        where.append(KIND_LABELS.get(kind, kind) + " ")
    shown_name = model.display_name(threat.element_id)
    where.append_text(safe_text(shown_name, style="bold"))
    if shown_name != threat.element_id:  # an element without a name is shown by its id already
        where.append(" (")
        where.append_text(safe_text(threat.element_id))
        where.append(")")
    parts.append(where)
    parts.append(safe_text(risk_line(threat.severity, threat.risk_reasons), style="dim"))
    count = len(threat.findings)
    parts.append(Text(f"threat id {threat.id} · {count} finding{'s' if count != 1 else ''}", style="dim"))
    asked = [q for q in questions if threat.id in q.threat_ids]
    if asked:
        question = asked[0]
        lead = "? rests on unanswered questions" if threat.provisional else "? a question could settle it"
        # the question's own keys: a fact with several values may have only "n", or none
        how = (
            f"{' / '.join(question.answers)} in the panel answers"
            if question.answers
            else "the element's form (e) answers"
        )
        rests = Text(f"{lead}: {how} ", style="yellow")
        rests.append_text(safe_text(question.text, style="yellow"))
        parts.append(rests)
    for finding in threat.findings:
        heading = Text("")
        parts.append(heading)
        title = Text(CATEGORY_LABELS.get(finding.category, finding.category), style="bold underline")
        if finding.title != threat.title:  # a one-finding threat's title is already above
            title.append(": ", style="bold underline")
            title.append_text(safe_text(finding.title, style="bold underline"))
        parts.append(title)
        where = Text(f"finding {finding.id}", style="dim")
        if finding.element_id != threat.element_id:
            where.append(" · on ")
            where.append_text(safe_text(finding.element_name))
        if finding.element_kind == "flow" and not finding.custom:
            where.append(" · ")
            where.append_text(safe_text(describe_crossings(model, finding.crossings)))
        parts.append(where)
        if finding.status != threat.status:
            parts.append(Text("status: ").append_text(status_text(finding.status)))
        parts += section("Why it fired", [safe_text(line) for line in finding.explanation])
        if finding.description:
            parts += [Text("What can go wrong", style="italic"), safe_text(finding.description)]
        parts += section("Mitigations", [safe_text(m) for m in finding.mitigations])
        parts += section("References", [reference_text(r) for r in finding.references])
    if asked:
        lines = []
        for question in asked:
            line = safe_text(question.text)
            keys = "/".join(question.answers)
            if keys:
                line.append(f"  ({keys} in the panel)", style="dim")
            lines.append(line)
        parts += section("Questions that settle it", lines)
    decision = [Text("status: ").append_text(status_text(threat.status))]
    for ticket in dict.fromkeys(f.ticket for f in threat.findings if f.ticket):
        decision.append(Text("ticket: ").append_text(safe_text(ticket or "")))
    for note in dict.fromkeys(f.note for f in threat.findings if f.note):
        decision.append(Text("note: ").append_text(safe_text(note or "")))
    parts += section("Decision (d decides the whole threat)", decision)
    for part in parts:
        if isinstance(part, Text):
            part.end = "\n"  # user text comes without a line end (see safe_text)
    return Group(*parts)


def question_details(question: Question, model: ThreatModel, threats: Sequence[Threat]) -> Group:
    """A question, what each key answers, and the threats its answer settles."""
    parts: list[RenderableType] = [Text("Question", style="bold"), safe_text(question.text, style="bold")]
    where = Text(f"sets `{question.fact}` on ", style="dim")
    where.append_text(safe_text(model.display_name(question.element_id)))
    where.append(f" ({question.element_id})", style="dim")
    parts.append(where)
    answers = [Text(f"{key}: {question.fact} = {_shown(value)}") for key, value in question.answers.items()]
    if not answers:
        answers = [Text("no one-key answer: edit the element (e) to set it", style="dim")]
    elif question.choices and len(question.choices) > len(question.answers):
        others = ", ".join(_shown(c) for c in question.choices if c not in question.answers.values())
        answers.append(Text(f"other values ({others}): edit the element (e)", style="dim"))
    parts += section("Answer with one key", answers)
    by_id = {t.id: t for t in threats}
    settles = []
    for threat_id in question.threat_ids:
        threat = by_id.get(threat_id)
        line = Text()
        if threat is not None:
            line.append_text(severity_badge(threat.severity, short=True))
            line.append(" ")
            line.append_text(safe_text(threat.title))
        else:
            line.append_text(safe_text(threat_id))
        settles.append(line)
    parts += section("Its answer settles", settles)
    for part in parts:
        if isinstance(part, Text):
            part.end = "\n"
    return Group(*parts)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
