"""Security stories for the backlog: findings to act on, merged per rule, as Markdown, CSV, JSON.

A story is what a squad puts in the sprint: a title, "As a … I want … so that …", acceptance
criteria taken from the mitigations, labels, and the finding ids it covers so a later export
can be matched to the same story. Findings of one rule share one remedy, so they merge into one
story that names every element it covers; hand-written threats each get their own.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis, Finding
from stride_tui.core.model.elements import SEVERITIES
from stride_tui.core.outputs import escape
from stride_tui.core.stride import CATEGORY_LABELS

DEFAULT_STATUSES = ("open", "investigating", "accepted")

# who wants it, what they want for the elements, and the benefit, per STRIDE category
_NARRATIVE = {
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
    "repudiation": (
        "security engineer",
        "actions involving {elements} to leave a tamper-evident, correlated trail",
        "we can always prove who did what, and when",
    ),
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
        "{elements} to run with only the rights it needs",
        "a compromise of one part cannot escalate to the rest",
    ),
}
_PRIORITY = {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}


@dataclass(frozen=True)
class Story:
    """One backlog item and the findings it covers."""

    id: str
    title: str
    category: str
    severity: str
    as_a: str
    i_want: str
    so_that: str
    acceptance_criteria: tuple[str, ...]
    labels: tuple[str, ...]
    finding_ids: tuple[str, ...]
    elements: tuple[str, ...]
    threat: str
    merged: bool

    @property
    def narrative(self) -> str:
        """The user-story sentence."""
        return f"As a {self.as_a}, I want {self.i_want}, so that {self.so_that}."


def build_stories(analysis: Analysis, statuses: tuple[str, ...] = DEFAULT_STATUSES) -> list[Story]:
    """Stories for the findings whose status is in ``statuses``, most severe first."""
    groups: dict[str, list[Finding]] = {}
    for finding in analysis.findings:
        if finding.status not in statuses:
            continue
        key = f"custom:{finding.id}" if finding.custom else finding.rule_id
        groups.setdefault(key, []).append(finding)
    stories = [_story(key, findings) for key, findings in groups.items()]
    stories.sort(key=lambda s: (-SEVERITIES.index(s.severity), -len(s.finding_ids), s.id))
    return stories


def _story(key: str, findings: list[Finding]) -> Story:
    first = findings[0]
    severity = max((f.severity for f in findings), key=SEVERITIES.index)
    elements = tuple(dict.fromkeys(f.element_name for f in findings))
    role, want, benefit = _NARRATIVE[first.category]
    element_text = _list_names(elements)
    criteria = list(first.mitigations) or [f"{first.title}: mitigated and verified"]
    ids = tuple(f.id for f in findings)
    criteria.append(
        "The threat model records the outcome: set `status` in [decisions] for "
        + ", ".join(ids[:5])
        + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        if not first.custom
        else "The threat model records the outcome: set `status` of this threat in [threats]"
    )
    if len(findings) == 1:
        title = first.title
    else:
        title = f"{_short(criteria[0])} ({len(findings)} {_plural(first.element_kind, len(findings))})"
    return Story(
        id=first.id if first.custom else key,
        title=title,
        category=first.category,
        severity=severity,
        as_a=role,
        i_want=want.format(elements=element_text),
        so_that=benefit,
        acceptance_criteria=tuple(criteria),
        labels=("security", f"stride-{first.category.replace('_', '-')}", f"severity-{severity}"),
        finding_ids=ids,
        elements=elements,
        threat=first.title if len(findings) == 1 else _generic_threat(first),
        merged=len(findings) > 1,
    )


def _generic_threat(finding: Finding) -> str:
    return f"{CATEGORY_LABELS[finding.category]}: {finding.rule_id.replace('-', ' ')}"


def _short(sentence: str, limit: int = 80) -> str:
    """A story title from a mitigation: its first clause, cut at a word if still long."""
    sentence = sentence.strip().rstrip(".")
    for stop in (";", " — ", ": ", " (", ", then ", ", or ", ", which ", ", and "):
        head = sentence.split(stop, 1)[0]
        if 25 <= len(head) < len(sentence):
            sentence = head
            break
    if len(sentence) <= limit:
        return sentence
    return sentence[: sentence.rfind(" ", 0, limit)].rstrip(",;") + "…"


def _plural(kind: str, n: int) -> str:
    word = {"flow": "data flow", "external_entity": "external entity", "data_store": "data store"}.get(kind, kind)
    if n == 1:
        return word
    if word.endswith("y"):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith("s") else "s")


def _list_names(names: tuple[str, ...]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) <= 4:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names[:3]) + f" and {len(names) - 3} more"


def stories_markdown(title: str, stories: list[Story]) -> str:
    """One section per story, ready to paste into a backlog tool."""
    lines = [f"# Security stories: {escape.markdown(title)}", ""]
    if not stories:
        lines.append("No findings to act on.")
    for n, story in enumerate(stories, start=1):
        lines += [
            f"## {n}. {escape.markdown(story.title)}",
            "",
            (
                f"**Severity:** {story.severity} · **Category:** {CATEGORY_LABELS[story.category]} · "
                f"**Labels:** {', '.join(escape.markdown_code(label) for label in story.labels)}"
            ),
            "",
            escape.markdown(story.narrative),
            "",
            "**Acceptance criteria**",
            "",
        ]
        lines += [f"- [ ] {escape.markdown(c)}" for c in story.acceptance_criteria]
        lines += [
            "",
            f"**Covers** ({len(story.finding_ids)} finding{'s' if len(story.finding_ids) != 1 else ''}"
            + (", merged: same rule and remedy" if story.merged else "")
            + ")",
            "",
        ]
        lines += [f"- {escape.markdown_code(fid)}" for fid in story.finding_ids]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


CSV_COLUMNS = ("Summary", "Description", "Issue Type", "Priority", "Labels", "Story ID", "Finding IDs")


def stories_csv(stories: list[Story]) -> str:
    """CSV for Jira's and GitHub's importers (columns documented in the README)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for story in stories:
        description = "\n".join(
            [story.narrative, "", "Acceptance criteria:"]
            + [f"- {c}" for c in story.acceptance_criteria]
            + ["", "Findings: " + ", ".join(story.finding_ids)]
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
                    " ".join(story.finding_ids),
                )
            ]
        )
    return buffer.getvalue()


def story_dict(story: Story) -> dict:
    """The JSON shape of one story."""
    return {
        "id": story.id,
        "title": story.title,
        "category": story.category,
        "severity": story.severity,
        "story": story.narrative,
        "as_a": story.as_a,
        "i_want": story.i_want,
        "so_that": story.so_that,
        "acceptance_criteria": list(story.acceptance_criteria),
        "labels": list(story.labels),
        "finding_ids": list(story.finding_ids),
        "elements": list(story.elements),
        "merged": story.merged,
    }


def stories_json(title: str, stories: list[Story]) -> str:
    """``{"model": …, "stories": [...]}``."""
    return (
        json.dumps({"model": title, "stories": [story_dict(s) for s in stories]}, indent=2, ensure_ascii=False) + "\n"
    )
