"""Security stories for the backlog: one per remedy, across the threats that need it (DESIGN §8).

A story is what a squad puts in the sprint: a title, "As a … I want … so that …", acceptance
criteria taken from the mitigations of the rules it covers, labels, and the threat and finding
ids it covers so a later export matches the same story. Only undecided threats (open or
investigating) become stories by default: a decided one leaves the list. The notes and tickets
already on what a story covers come with it, so a rerun never files the same ticket twice.
Stories are ranked by risk, most urgent first; the default output is the top `DEFAULT_LIMIT`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis, Finding
from stride_tui.core.analysis.risk import rating
from stride_tui.core.analysis.threats import Threat, group_threats
from stride_tui.core.model.elements import SEVERITIES, UNDECIDED
from stride_tui.core.outputs import escape
from stride_tui.core.outputs.json_document import indented_json
from stride_tui.core.stride import CATEGORY_LABELS

DEFAULT_STATUSES = UNDECIDED
DEFAULT_LIMIT = 6
"""Stories shown unless asked for more: the 3–6 a squad takes into one sprint."""

# Who wants it, what they want for the elements, and the benefit: per remedy, since one remedy
# settles threats of several categories (TLS: spoofing, tampering and disclosure) and the story
# must ask for what its criteria deliver. The phrases name no pronoun, so that one element or
# several read alike.
_REMEDY_NARRATIVE = {
    "audit-trail": (
        "security engineer",
        "actions involving {elements} to leave a tamper-evident, correlated trail",
        "we can always prove who did what, and when",
    ),
    "authorization": (
        "service owner",
        "every request to {elements} to be checked against what the user behind it may do",
        "no caller can reach data or actions that belong to someone else",
    ),
    "backup-and-recovery": (
        "on-call engineer",
        "the data in {elements} to be backed up, with a restore we have tested",
        "a deletion, corruption or ransomware can be undone",
    ),
    "caller-authentication": (
        "service owner",
        "every caller of {elements} to prove who it is",
        "no one can impersonate a trusted user or service",
    ),
    "circuit-breaker": (
        "on-call engineer",
        "calls on {elements} to stop for a while when the dependency keeps failing",
        "one failing dependency cannot cascade into an outage",
    ),
    "correlation-ids": (
        "security engineer",
        "every call on {elements} to carry a correlation id that the logs record",
        "one request can be followed across services in an investigation",
    ),
    "credential-rotation": (
        "service owner",
        "the credentials used on {elements} to be short-lived or rotated automatically",
        "a leaked secret soon stops working",
    ),
    "csrf-protection": (
        "service owner",
        "state-changing requests to {elements} to be accepted only from the application's own pages",
        "another site cannot make a signed-in user's browser act for them",
    ),
    "data-minimisation": (
        "data owner",
        "{elements} to send the model only the data the task needs, under an agreement",
        "personal and sensitive data does not end up with a third party",
    ),
    "data-store-authentication": (
        "data owner",
        "{elements} to let in only the authenticated clients that need the data",
        "a foothold on the network does not open the data",
    ),
    "dead-letter-queue": (
        "on-call engineer",
        "messages on {elements} that keep failing to be set aside in a watched dead-letter queue",
        "one bad message cannot stall every consumer",
    ),
    "encryption-at-rest": (
        "data owner",
        "the data in {elements} to be encrypted at rest",
        "a stolen disk, snapshot or backup reveals nothing",
    ),
    "error-sanitising": (
        "service owner",
        "errors returned by {elements} to carry no internal detail",
        "a probing caller learns nothing about the internals",
    ),
    "hardening": (
        "platform owner",
        "{elements} to run from a hardened image, with no tools an intruder could use",
        "a foothold in one process does not come with a toolbox",
    ),
    "input-validation": (
        "service owner",
        "every input reaching {elements} to be checked against what is expected before it is acted on",
        "malformed or hostile input cannot change what the code does",
    ),
    "least-privilege": (
        "platform owner",
        "{elements} to hold no rights beyond what the work needs",
        "a compromise of one part cannot escalate to the rest",
    ),
    "llm-output-handling": (
        "service owner",
        "what the model generates for {elements} to be checked like any untrusted input before it is acted on",
        "a manipulated answer cannot run commands, queries or script",
    ),
    "llm-prompt-injection": (
        "service owner",
        "text reaching {elements} to be kept from steering the model",
        "no one can take over the assistant through the content it reads",
    ),
    "log-protection": (
        "security engineer",
        "the records in {elements} to be append-only and readable only by those who need them",
        "no one can rewrite history or read what the logs hold",
    ),
    "message-signing": (
        "service owner",
        "messages on {elements} to be signed by the producer and verified by the consumer",
        "a forged or altered message is rejected, not acted on",
    ),
    "mfa": (
        "service owner",
        "privileged access and payments through {elements} to need a second factor",
        "a stolen password alone cannot take over an account or move money",
    ),
    "network-segmentation": (
        "platform owner",
        "network access around {elements} to be limited to the callers that need it",
        "a foothold elsewhere cannot reach more than its own zone",
    ),
    "output-encoding": (
        "service owner",
        "user-supplied text served by {elements} to be encoded for the page it lands in",
        "injected script cannot run in another user's browser",
    ),
    "queue-access-control": (
        "service owner",
        "only the producers meant to publish to {elements} to be allowed to, each with its own principal",
        "no other client can inject messages, or flood the queue",
    ),
    "rate-limiting": (
        "on-call engineer",
        "what any one caller can send through {elements} to be capped",
        "one noisy or hostile caller cannot exhaust the service for everyone",
    ),
    "replay-protection": (
        "service owner",
        "a repeated or replayed request on {elements} to take effect only once",
        "a retry or a captured message cannot act twice",
    ),
    "secrets-management": (
        "platform owner",
        "the secrets of {elements} to come from a secrets manager, never from code or plain configuration",
        "a leaked repository, image or config file gives away no working credential",
    ),
    "sensitive-data-in-logs": (
        "data owner",
        "the logs and traces of {elements} to carry no secrets or personal data",
        "broad access to the logs exposes nothing sensitive",
    ),
    "service-identity": (
        "service owner",
        "every service calling on {elements} to prove its identity (mTLS or short-lived tokens)",
        "no workload can pose as a trusted service",
    ),
    "ssrf-protection": (
        "service owner",
        "the outbound requests of {elements} to reach only allowed destinations",
        "no caller can steer them into internal services or cloud metadata",
    ),
    "supply-chain": (
        "platform owner",
        "what runs in {elements} to come from pinned, verified images and releases",
        "a poisoned upstream or a hijacked pipeline cannot reach production",
    ),
    "timeouts": (
        "on-call engineer",
        "calls on {elements} to give up after a deadline",
        "a slow dependency cannot tie up every worker",
    ),
    "tls-in-transit": (
        "service owner",
        "{elements} to travel over TLS, with the server's identity verified",
        "no one on the network path can read, alter or intercept the traffic",
    ),
    "workload-isolation": (
        "platform owner",
        "{elements} to run isolated from the other workloads on the host",
        "a compromise next door cannot reach into it",
    ),
}

# for a remedy of a rule file's own: who wants it, what for the elements, the benefit, per
# STRIDE category of the threat that rates worst
_CATEGORY_NARRATIVE = {
    "spoofing": (
        "service owner",
        "every caller of {elements} to prove who it is",
        "no one can impersonate a trusted user or service",
    ),
    "tampering": (
        "service owner",
        "data reaching {elements} to be protected against modification",
        "attackers cannot alter requests, messages or stored data",
    ),
    "repudiation": _REMEDY_NARRATIVE["audit-trail"],
    "information_disclosure": (
        "data owner",
        "{elements} to reveal data only to the parties meant to see it",
        "confidential data and secrets do not leak",
    ),
    "denial_of_service": (
        "on-call engineer",
        "{elements} to keep working under load and when a dependency fails",
        "one fault or one noisy caller cannot take the service down",
    ),
    "elevation_of_privilege": (
        "platform owner",
        "{elements} to hold no rights beyond what the work needs",
        "a compromise of one part cannot escalate to the rest",
    ),
}
_PRIORITY = {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}


@dataclass(frozen=True)
class Story:
    """One backlog item: one remedy, the threats and findings it settles."""

    id: str
    remedy: str
    title: str
    category: str
    severity: str
    """The risk of its riskiest threat."""
    confirmed_severity: str
    """The risk if the unknown facts its threats rest on turn out bad (as the gate rates them)."""
    likelihood: str
    impact: str
    risk_reasons: tuple[str, ...]
    """Why that threat rates as it does (likelihood and impact in words)."""
    as_a: str
    i_want: str
    so_that: str
    acceptance_criteria: tuple[str, ...]
    bookkeeping: str
    labels: tuple[str, ...]
    threat_ids: tuple[str, ...]
    finding_ids: tuple[str, ...]
    elements: tuple[str, ...]
    tickets: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def narrative(self) -> str:
        """The user-story sentence."""
        article = "an" if self.as_a[:1] in "aeiou" else "a"
        return f"As {article} {self.as_a}, I want {self.i_want}, so that {self.so_that}."

    @property
    def merged(self) -> bool:
        """True when the story settles more than one finding."""
        return len(self.finding_ids) > 1


def build_stories(
    analysis: Analysis, statuses: tuple[str, ...] = DEFAULT_STATUSES, only: Collection[str] | None = None
) -> list[Story]:
    """Every story for the threats whose status is in ``statuses`` (and whose id is in ``only``,
    when given), most urgent first."""
    groups: dict[str, list[Threat]] = {}
    for threat in group_threats(analysis):
        if threat.status in statuses and (only is None or threat.id in only):
            groups.setdefault(threat.remedy, []).append(threat)
    stories = [_story(analysis, remedy, threats) for remedy, threats in groups.items()]
    # riskiest first; among equals, the riskiest if its questions are answered badly, then the
    # story that settles more of the riskiest threats
    stories.sort(
        key=lambda s: (
            -SEVERITIES.index(s.severity),
            -SEVERITIES.index(s.confirmed_severity),
            -_at_risk(s, groups[s.remedy]),
            s.id,
        )
    )
    return stories


def _at_risk(story: Story, threats: list[Threat]) -> int:
    return sum(t.severity == story.severity for t in threats)


def _story(analysis: Analysis, remedy: str, threats: list[Threat]) -> Story:
    findings = [f for t in threats for f in t.findings]
    riskiest = max(threats, key=lambda t: SEVERITIES.index(t.severity))
    worst = max(findings, key=lambda f: SEVERITIES.index(f.severity))
    severity = riskiest.severity
    # the elements that own the fix (a source-owned fix names the service, not its flow)
    names = {f.element_id: f.element_name for f in findings}
    elements = tuple(
        dict.fromkeys(names.get(t.element_id) or analysis.model.display_name(t.element_id) for t in threats)
    )
    role, want, benefit = _REMEDY_NARRATIVE.get(remedy) or _CATEGORY_NARRATIVE[worst.category]
    criteria, bookkeeping = _criteria(findings, _technology_fixes(analysis, remedy, threats))
    custom = worst.custom
    title = worst.title if custom else f"{_capitalised(worst.control)}: {_list_names(elements)}"
    return Story(
        id=remedy,
        remedy=remedy,
        title=title,
        category=worst.category,
        severity=severity,
        confirmed_severity=max((t.confirmed_severity for t in threats), key=SEVERITIES.index),
        likelihood=riskiest.likelihood,
        impact=riskiest.impact,
        risk_reasons=riskiest.risk_reasons,
        as_a=role,
        i_want=want.format(elements=_list_names(elements)),
        so_that=benefit,
        acceptance_criteria=criteria,
        bookkeeping=bookkeeping,
        labels=("security", f"stride-{worst.category.replace('_', '-')}", f"severity-{severity}"),
        threat_ids=tuple(t.id for t in threats),
        finding_ids=tuple(f.id for f in findings),
        elements=elements,
        tickets=tuple(dict.fromkeys(f.ticket for f in findings if f.ticket)),
        notes=tuple(dict.fromkeys(f.note for f in findings if f.note)),
    )


_MAX_CRITERIA = 6


def _technology_fixes(analysis: Analysis, remedy: str, threats: list[Threat]) -> list[str]:
    """The catalogue's fixes for ``remedy`` on what the story's elements are built with, each
    named for its technology ("For Postgres: …"); empty when none is known."""
    catalogue = analysis.catalogue
    if catalogue is None:
        return []
    model = analysis.model
    fixes: list[str] = []
    seen: set[str] = set()  # one technology's fix once, however many of its elements need it
    for element_id in dict.fromkeys(e for t in threats for e in (t.element_id, *t.elements)):
        component = model.components.get(element_id)
        flow = model.flows.get(element_id)
        # a flow's fix is for what it reaches (TLS on Postgres is configured in Postgres)
        ends = [model.components.get(flow.target), model.components.get(flow.source)] if flow else [component]
        for end in ends:
            if end is None:
                continue
            for tech, fix in catalogue.fixes_for(remedy, end.technology, " ".join(end.tags or ()), end.name):
                if fix not in seen:
                    seen.add(fix)
                    fixes.append(f"For {_capitalised(tech.id)} ({end.name or element_id}): {fix}")
    return fixes


def _criteria(findings: list[Finding], technology_fixes: list[str]) -> tuple[tuple[str, ...], str]:
    """The engineering work (the technology's own fixes first, then each mitigation once, in
    rule order) and one closing line of model bookkeeping: what to write in the threat model
    once it is done."""
    work: list[str] = list(technology_fixes)
    bookkeeping: dict[str, str] = {}  # by the first fact it sets: the rules of one remedy say it in their own words
    for finding in findings:
        for mitigation in finding.mitigations:
            if _is_bookkeeping(mitigation):
                bookkeeping.setdefault(mitigation.split("`", 2)[1], mitigation)
            elif mitigation not in work:
                work.append(mitigation)
    if not work:
        work = [f"{findings[0].title}: mitigated and verified"]
    ids = sorted({f.threat_id for f in findings})
    if findings[0].custom:
        decide = f'Set `status = "mitigated"` in [threats.{ids[0]}] once it is done.'
    else:
        decide = f'Decide {_list_names(tuple(ids))} as `status = "mitigated"` in [decisions] once it is done.'

    # the facts that settle it, when the rules say which; else the decision that records it
    record = "Then record it in the threat model: " + (" ".join(bookkeeping.values()) if bookkeeping else decide)
    return tuple(work[:_MAX_CRITERIA]), record


def _is_bookkeeping(mitigation: str) -> bool:
    """A mitigation that asks for an edit of the model file rather than of the system."""
    lower = mitigation.lower()
    asks_for_a_fact = "`" in mitigation and lower.startswith(("set `", "update `", "record "))
    return asks_for_a_fact or ("`" in mitigation and "the model" in lower)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def top_stories(stories: list[Story], limit: int | None = DEFAULT_LIMIT) -> tuple[list[Story], int]:
    """The first ``limit`` stories (all of them for None) and how many more there are."""
    if limit is None:
        return stories, 0
    return stories[:limit], max(len(stories) - limit, 0)


def _list_names(names: tuple[str, ...]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) <= 4:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names[:3]) + f" and {len(names) - 3} more"


def _more_line(more: int) -> str:
    return f"{more} more undecided {'story' if more == 1 else 'stories'}: `stride-tui stories --all` lists every one."


NO_STORIES = "No undecided threats: nothing to add to the backlog."


def stories_markdown(title: str, stories: list[Story], more: int = 0, nothing: str = NO_STORIES) -> str:
    """One section per story, ready to paste into a backlog tool; ``more`` stories left out;
    ``nothing`` said when there is none."""
    lines = [f"# Security stories: {escape.markdown(title)}", ""]
    if not stories:
        lines.append(escape.markdown(nothing))
    for n, story in enumerate(stories, start=1):
        lines += [
            f"## {n}. {escape.markdown(story.title)}",
            "",
            (
                f"**Risk:** {rating(story.severity, story.confirmed_severity)} · **Category:** {CATEGORY_LABELS[story.category]} · "
                f"**Labels:** {', '.join(escape.markdown_code(label) for label in story.labels)}"
            ),
            "",
            f"**Why this risk:** {escape.markdown('; '.join(story.risk_reasons))}",
            "",
            escape.markdown(story.narrative),
            "",
            "**Acceptance criteria**",
            "",
        ]
        lines += [f"- [ ] {escape.markdown(c)}" for c in story.acceptance_criteria]
        lines += ["", escape.markdown(story.bookkeeping), ""]
        if story.tickets:
            lines += ["**Tickets already filed:** " + ", ".join(escape.markdown_code(t) for t in story.tickets), ""]
        if story.notes:
            lines += ["**Notes so far**", ""] + [f"- {escape.markdown(n)}" for n in story.notes] + [""]
        lines += [
            _covers(story),
            "",
        ]
        lines += [f"- {escape.markdown_code(tid)}" for tid in story.threat_ids]
        lines.append("")
    if more:
        lines += [_more_line(more), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _covers(story: Story) -> str:
    threats, findings = len(story.threat_ids), len(story.finding_ids)
    return (
        f"**Covers** {threats} threat{'s' if threats != 1 else ''} ({findings} finding{'s' if findings != 1 else ''})"
    )


CSV_COLUMNS = ("Summary", "Description", "Issue Type", "Priority", "Labels", "Story ID", "Threat IDs", "Tickets")


def stories_csv(stories: list[Story]) -> str:
    """CSV for Jira's, GitHub's and GitLab's importers (columns documented in the README)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for story in stories:
        description = "\n".join(
            [story.narrative, "", "Why this risk: " + "; ".join(story.risk_reasons), "", "Acceptance criteria:"]
            + [f"- {c}" for c in story.acceptance_criteria]
            + ["", story.bookkeeping, "", "Threats: " + ", ".join(story.threat_ids)]
            + (["Notes so far: " + " / ".join(story.notes)] if story.notes else [])
        )
        writer.writerow(
            [
                escape.csv_cell(v)
                for v in (
                    story.title,
                    description,
                    "Story",
                    _PRIORITY[story.severity],
                    " ".join(story.labels),
                    story.id,
                    " ".join(story.threat_ids),
                    " ".join(story.tickets),
                )
            ]
        )
    return buffer.getvalue()


def story_dict(story: Story) -> dict:
    """The JSON shape of one story (DESIGN §8: id, remedy, title, severity, threat_ids, elements, tickets…)."""
    return {
        "id": story.id,
        "remedy": story.remedy,
        "title": story.title,
        "category": story.category,
        "severity": story.severity,
        "confirmed_severity": story.confirmed_severity,
        "likelihood": story.likelihood,
        "impact": story.impact,
        "risk_reasons": list(story.risk_reasons),
        "story": story.narrative,
        "as_a": story.as_a,
        "i_want": story.i_want,
        "so_that": story.so_that,
        "acceptance_criteria": list(story.acceptance_criteria),
        "bookkeeping": story.bookkeeping,
        "labels": list(story.labels),
        "threat_ids": list(story.threat_ids),
        "finding_ids": list(story.finding_ids),
        "elements": list(story.elements),
        "tickets": list(story.tickets),
        "notes": list(story.notes),
    }


def stories_json(title: str, stories: list[Story], more: int = 0) -> str:
    """``{"model": …, "stories": [...], "more": N}``."""
    document = {"model": title, "stories": [story_dict(s) for s in stories], "more": more}
    return indented_json(document) + "\n"
