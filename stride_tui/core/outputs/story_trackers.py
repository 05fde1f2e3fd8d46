"""Stories for issue trackers: GitHub (``gh issue create``), Jira CSV and GitLab CSV.

Each format takes the `Story` values of ``stories.py`` as they are and only decides how a
tracker receives them. Every story carries a *marker*, ``stride-tui-story:<model>/<story>``
(the model's title as a slug, then the story id), so a rerun can find the issue it filed before
instead of filing it again: GitHub gets it in a hidden HTML comment, Jira and GitLab as the last
line of the description. User text is data in every format: Markdown is escaped for GitHub and
GitLab, Jira's wiki markup for Jira, and every CSV cell is guarded against formula injection.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable

from stride_tui.core.model.ids import slugify
from stride_tui.core.outputs import escape
from stride_tui.core.outputs.stories import Story
from stride_tui.core.stride import CATEGORY_LABELS
from stride_tui.core.text_safety import show_invisible

MARKER_PREFIX = "stride-tui-story:"
JIRA_PRIORITY = {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}
BOM = codecs.BOM_UTF8.decode("utf-8")
"""UTF-8 byte order mark: Excel reads a CSV as UTF-8 only when the file starts with it."""


def marker(model_title: str, story: Story) -> str:
    """The text that identifies ``story`` of this model in a tracker, stable across reruns."""
    return f"{MARKER_PREFIX}{slugify(model_title) or 'model'}/{story.id}"


def _lines(story: Story, text: Callable[[str], str]) -> list[str]:
    """The parts every tracker's description shares, each user text passed through ``text``."""
    out = [text(story.narrative), ""]
    out += ["Acceptance criteria:", ""]
    out += [f"- {text(c)}" for c in story.acceptance_criteria]
    out += ["", text(story.bookkeeping), ""]
    if story.tickets:
        out += ["Tickets already filed: " + ", ".join(text(t) for t in story.tickets), ""]
    if story.notes:
        out += ["Notes so far:", ""] + [f"- {text(n)}" for n in story.notes] + [""]
    out += ["Covers: " + ", ".join(text(t) for t in story.threat_ids)]
    return out


# --- GitHub ---------------------------------------------------------------------------------


def github_body(model_title: str, story: Story) -> str:
    """The Markdown body of the issue, ending with the hidden marker comment."""
    md = escape.markdown
    lines = [
        (
            f"**Severity:** {story.severity} · **Category:** {CATEGORY_LABELS[story.category]} · "
            f"**Model:** {md(model_title)}"
        ),
        "",
        md(story.narrative),
        "",
        "**Acceptance criteria**",
        "",
    ]
    lines += [f"- [ ] {md(c)}" for c in story.acceptance_criteria]
    lines += ["", md(story.bookkeeping), ""]
    if story.tickets:
        lines += ["**Tickets already filed:** " + ", ".join(escape.markdown_code(t) for t in story.tickets), ""]
    if story.notes:
        lines += ["**Notes so far**", ""] + [f"- {md(n)}" for n in story.notes] + [""]
    lines += ["**Covers:** " + ", ".join(escape.markdown_code(t) for t in story.threat_ids), ""]
    # the marker is made of slugs only, so it cannot close the comment early
    lines.append(f"<!-- {marker(model_title, story)} -->")
    return "\n".join(lines) + "\n"


def stories_github(model_title: str, stories: list[Story]) -> str:
    """JSON Lines, one issue per line: ``{"marker", "title", "body", "labels", "story", "severity"}``.

    One line per story, so a shell loop reads it with ``while read``; README "Stories into
    trackers" has the loop, which skips every story whose marker an existing issue carries.
    """
    out = []
    for story in stories:
        issue = {
            "marker": marker(model_title, story),
            # a title is one line; show bidi and zero-width characters so it reads as it is
            "title": show_invisible(story.title),
            "body": github_body(model_title, story),
            "labels": list(story.labels),
            "story": story.id,
            "severity": story.severity,
        }
        out.append(json.dumps(issue, ensure_ascii=False, sort_keys=True))
    return "".join(line + "\n" for line in out)


# --- Jira -----------------------------------------------------------------------------------

# Characters that start wiki markup in Jira's text fields (bold, italic, links, macros, tables,
# lists, headings, citations, images); a backslash makes each one literal.
_JIRA_SPECIAL = re.compile(r"([\\*_\[\]{}|^~+\-!#?])")
# Words that start a block at the beginning of a line (h1. to h6. headings, bq. quotes): their
# dot is escaped, since a note written over two lines puts its second line there.
_JIRA_BLOCK_START = re.compile(r"(?m)^(\s*)(h[1-6]|bq)\.", re.IGNORECASE)


def jira_text(text: str) -> str:
    """User text safe in a Jira description: shown literally, not as wiki markup."""
    return _JIRA_BLOCK_START.sub(r"\1\2\\.", _JIRA_SPECIAL.sub(r"\\\1", show_invisible(text)))


def jira_description(model_title: str, story: Story) -> str:
    """The description of one Jira issue, ending with the marker line."""
    lines = _lines(story, jira_text)
    lines += ["", jira_text(marker(model_title, story))]
    return "\n".join(lines)


def stories_jira(model_title: str, stories: list[Story], bom: bool = False) -> str:
    """CSV for Jira's importer: one ``Labels`` column per label, CRLF line ends (RFC 4180).

    Jira takes several values of a multi-value field (labels) from repeated columns of the same
    name, and a label cannot hold a space, so each label gets its own ``Labels`` column.
    """
    width = max((len(s.labels) for s in stories), default=1) or 1
    header = ["Summary", "Description", "Issue Type", "Priority", *(["Labels"] * width), "Story ID"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for story in stories:
        labels = [*story.labels, *([""] * (width - len(story.labels)))]
        row = [
            show_invisible(story.title),
            jira_description(model_title, story),
            "Story",
            JIRA_PRIORITY[story.severity],
            *labels,
            marker(model_title, story),
        ]
        writer.writerow([escape.csv_cell(_crlf(cell)) for cell in row])
    return (BOM if bom else "") + buffer.getvalue()


def _crlf(text: str) -> str:
    """Line breaks inside a cell as CRLF too, so the whole file has one kind of line end."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# --- GitLab ---------------------------------------------------------------------------------

_QUICK_ACTION = re.compile(r"^(\s*)/", re.MULTILINE)


def gitlab_text(text: str) -> str:
    """User text safe in a GitLab description: Markdown escaped, and no line can start a quick
    action (``/close``, ``/assign @…``), which GitLab runs when it imports the description."""
    return _QUICK_ACTION.sub(r"\1\\/", escape.markdown(text))


def gitlab_description(model_title: str, story: Story) -> str:
    """The Markdown description of one GitLab issue: the story, its labels as a ``/label``
    quick action (the importer reads no label column), and the marker."""
    lines = [f"**Severity:** {story.severity} · **Category:** {CATEGORY_LABELS[story.category]}", ""]
    lines += _lines(story, gitlab_text)
    lines += ["", escape.markdown(marker(model_title, story))]
    # labels are ours (slugs), never user text, so this is the one line that acts
    lines += ["", "/label " + " ".join(f'~"{label}"' for label in story.labels)]
    return "\n".join(lines)


def stories_gitlab(model_title: str, stories: list[Story], bom: bool = False) -> str:
    """CSV for GitLab's issue importer: the ``title`` and ``description`` columns it reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["title", "description"])
    for story in stories:
        writer.writerow(
            [
                escape.csv_cell(show_invisible(story.title)),
                escape.csv_cell(_crlf(gitlab_description(model_title, story))),
            ]
        )
    return (BOM if bom else "") + buffer.getvalue()
