"""Findings as SARIF 2.1.0, written so GitHub code scanning shows what the model says.

GitHub's ingestion (docs.github.com, "SARIF support for code scanning") decides four choices:

- **Decided findings are left out.** GitHub ignores ``suppressions``: a mitigated or accepted
  finding would be an open alert. ``include_decided=True`` keeps them, each with an
  ``accepted`` suppression, for tools that honour those.
- **One rule per rule and severity.** GitHub reads ``security-severity`` from the rule, never
  from the result. A finding whose risk equals its rule's base severity reports under the
  rule's id; one rated higher or lower reports under ``<rule-id>/<severity>``, a rule of the
  same text at that severity (a hand-written threat: ``custom/<severity>``). So every alert
  shows our severity, and the set of rules stays the rule library times four levels.
- **Alerts keyed by finding id.** ``partialFingerprints.primaryLocationLineHash`` comes from
  the finding id, not from the text of the line, so an alert survives edits of its element's
  table and reorderings of the file (upload-sarif keeps a hash it is given).
- **Plain text stays plain.** Only what SARIF gives a meaning in plain text is escaped: ``](``
  (an embedded link, SARIF §3.11.6) and, in messages, ``{``/``}`` (placeholders, §3.11.5).
  Control characters are removed; Markdown fields go through the Markdown escaper.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

from stride_tui import __version__
from stride_tui.core.analysis import reference_catalogue
from stride_tui.core.analysis.engine import Analysis, Finding
from stride_tui.core.analysis.rules import Rule, RuleSet, find_repository_root
from stride_tui.core.files.key_positions import SourceMap
from stride_tui.core.model.elements import UNDECIDED
from stride_tui.core.outputs.escape import markdown
from stride_tui.core.outputs.json_document import indented_json
from stride_tui.core.stride import CATEGORY_LABELS
from stride_tui.core.text_safety import replace_controls, show_invisible

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub's reading of the score: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
CUSTOM_RULE = "custom"
# GitHub's limits: characters of a rule's name and descriptions, tags it keeps per rule
_NAME_LIMIT = 255
_DESCRIPTION_LIMIT = 1024
_TAG_LIMIT = 10
STRIDE_URI = "https://learn.microsoft.com/en-us/azure/security/develop/threat-modeling-tool-threats#stride-model"
_LINK_CLOSE = re.compile(r"(\\*)\](?=\()")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def descriptor_id(finding: Finding) -> str:
    """The SARIF rule a finding reports under: its rule, or its rule at its own severity."""
    if finding.custom:
        return f"{CUSTOM_RULE}/{finding.severity}"
    if finding.severity == finding.base_severity:
        return finding.rule_id
    return f"{finding.rule_id}/{finding.severity}"


def line_hash(finding_id: str) -> str:
    """``primaryLocationLineHash`` of a finding: 16 hex digits of its id's SHA-256, then ``:1``
    (the form upload-sarif writes), so it depends on nothing but the id."""
    return hashlib.sha256(finding_id.encode("utf-8")).hexdigest()[:16] + ":1"


def findings_sarif(
    analysis: Analysis,
    findings: list[Finding],
    ruleset: RuleSet,
    model_file: Path,
    model_text: str,
    *,
    include_decided: bool = False,
) -> str:
    """A SARIF log with one run; result locations are relative to the repository root.

    Findings that are decided (neither ``open`` nor ``investigating``) are left out unless
    ``include_decided``; then they carry a suppression saying which decision and why.
    """
    root = find_repository_root(model_file.resolve().parent)
    path = model_file.resolve().relative_to(root).as_posix()
    # a URI reference: `#`, `?`, `%`, spaces and non-ASCII in a file name must not start a
    # fragment or a query, or read as an escape (RFC 3986); `/` stays a separator
    uri = urllib.parse.quote(path, safe="/")
    shown = [f for f in findings if include_decided or f.status in UNDECIDED]
    locator = _Locator(model_text)
    descriptors: dict[str, dict] = {}
    indices: dict[str, int] = {}  # each descriptor's place in the list (ruleIndex)
    results = []
    for finding in shown:
        rule_id = descriptor_id(finding)
        if rule_id not in descriptors:
            descriptors[rule_id] = _descriptor(rule_id, finding, ruleset.rules.get(finding.rule_id))
            indices[rule_id] = len(indices)
        results.append(_result(finding, rule_id, indices[rule_id], uri, locator))
    driver = {
        "name": "stride-tui",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": list(descriptors.values()),
    }
    run: dict[str, object] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"stride-tui/{path}/"},
        "columnKind": "utf16CodeUnits",
        "results": results,
        "properties": {"decided_left_out": 0 if include_decided else len(findings) - len(shown)},
    }
    if analysis.disabled:
        # a disabled rule reports nothing: say so in the log, where the gate's reader looks
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolConfigurationNotifications": [
                    {
                        "level": "warning",
                        "descriptor": {"id": d.rule_id},
                        "message": {"text": _message(f"rule {d.rule_id} is disabled by {d.file}: {d.reason}")},
                    }
                    for d in analysis.disabled
                ],
            }
        ]
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return indented_json(log) + "\n"


def _result(finding: Finding, rule_id: str, rule_index: int, uri: str, locator: _Locator) -> dict:
    section = "flows" if finding.element_kind == "flow" else "components"
    table = ("threats", finding.id) if finding.custom else (section, finding.element_id)
    properties: dict[str, object] = {
        "finding_id": finding.id,
        "threat_id": finding.threat_id,
        "category": finding.category,
        "severity": finding.severity,
        "base_severity": finding.base_severity,
        "provisional": finding.provisional,
        "status": finding.status,
        "security-severity": SECURITY_SEVERITY[finding.severity],
    }
    if finding.likelihood:  # a hand-written threat has a severity, not the two factors
        properties.update(likelihood=finding.likelihood, impact=finding.impact)
    result: dict[str, object] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": _message(_message_text(finding))},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": locator.region(table),
                },
                "logicalLocations": [{"name": finding.element_id, "kind": "element"}],
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": line_hash(finding.id), "strideFindingId/v1": finding.id},
        "properties": properties,
    }
    if finding.status not in UNDECIDED:
        justification = finding.status.replace("_", " ") + (f": {finding.note}" if finding.note else "")
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": _plain(justification)}]
    return result


def _message_text(finding: Finding) -> str:
    """The alert's title first (GitHub shows only the first sentence where space is short)."""
    parts = [finding.title.rstrip(".") + "."]
    if finding.custom and finding.description:
        parts.append(finding.description.strip())
    parts.append(f"Why: {'; '.join(finding.explanation)}.")
    parts.append(f"Risk {finding.severity}: {'; '.join(finding.risk_reasons)}.")
    if finding.provisional:
        parts.append("Provisional: it rests on facts the model does not state yet.")
    return " ".join(parts)


def _descriptor(rule_id: str, finding: Finding, rule: Rule | None) -> dict:
    severity = finding.severity
    if rule is None:  # a hand-written threat: one rule per severity, the text is in the result
        return _custom_descriptor(rule_id, severity)
    name = "".join(part.capitalize() for part in re.split(r"[-_.]", rule.id))
    full = _capitalised(_unplaceheld(rule.description.strip()))
    if severity != rule.severity:
        name += severity.capitalize()
        full += f" Rated {severity} here (the rule's base is {rule.severity}): see each result for why."
    references = [_reference_link(ref) for ref in rule.references]
    mitigations = [_unplaceheld(m) for m in rule.mitigations]
    help_text = full + "\n\nMitigations:\n" + "\n".join(f"- {m}" for m in mitigations)
    help_md = markdown(full) + "\n\n**Mitigations**\n\n" + "\n".join(f"- {markdown(m)}" for m in mitigations)
    if references:
        help_text += "\n\nReferences: " + ", ".join(label for label, _ in references)
        help_md += "\n\n**References**: " + ", ".join(
            f"[{markdown(label)}]({link})" if link else markdown(label) for label, link in references
        )
    tags = ["security", "threat-model", CATEGORY_LABELS[rule.category]]
    tags += [ref.lower() for ref in rule.references if ref.startswith("CWE-")]
    return {
        "id": rule_id,
        "name": name[:_NAME_LIMIT],
        "shortDescription": {"text": _plain(_capitalised(_unplaceheld(rule.title)), _DESCRIPTION_LIMIT)},
        "fullDescription": {"text": _plain(full, _DESCRIPTION_LIMIT)},
        "help": {"text": _plain(help_text), "markdown": replace_controls(help_md, " ")},
        "helpUri": _help_uri(references),
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": tags[:_TAG_LIMIT],
            "security-severity": SECURITY_SEVERITY[severity],
            "base_severity": rule.severity,
            "references": list(rule.references),
        },
    }


def _custom_descriptor(rule_id: str, severity: str) -> dict:
    full = (
        f"A threat the team wrote by hand in the model's [threats] table and rated {severity}. "
        "Its title, description and target are in each result."
    )
    help_text = (
        full + "\n\nRecord the team's decision in the model (status, note, ticket): a decided "
        "threat leaves code scanning at the next upload."
    )
    return {
        "id": rule_id,
        "name": f"CustomThreat{severity.capitalize()}",
        "shortDescription": {"text": f"Threat written by hand in the model ({severity})"},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": markdown(help_text)},
        "helpUri": STRIDE_URI,
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {"tags": ["security", "threat-model"], "security-severity": SECURITY_SEVERITY[severity]},
    }


def _help_uri(references: list[tuple[str, str | None]]) -> str:
    """The weakness (CWE) a rule is about, else its attack pattern (CAPEC), else STRIDE itself."""
    for kind in ("CWE-", "CAPEC-"):
        for label, link in references:
            if link and label.startswith(kind):
                return link
    return STRIDE_URI


def _reference_link(reference: str) -> tuple[str, str | None]:
    """The reference and its official page (every catalogue's, as in reports; None for a link
    a rule file wrote, which is shown but never linked)."""
    return reference, reference_catalogue.url(reference)


def _unplaceheld(template: str) -> str:
    """A rule's template as rule text: ``{element}`` reads "the element" (no ``<…>``, which a
    renderer could take for a tag)."""
    return _PLACEHOLDER.sub(r"the \1", template)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(text: str, limit: int | None = None) -> str:
    """SARIF plain text: no control character, bidi and zero-width characters shown as
    ``<U+202E>`` (as in every document a reviewer reads), and no ``](`` that could form an
    embedded link (SARIF §3.11.6). Its escape is the one SARIF defines: a backslash before the
    ``]``, with the backslashes already there doubled, so the user's text cannot cancel it."""
    text = show_invisible(replace_controls(text, " "))
    text = _LINK_CLOSE.sub(lambda m: m.group(1) * 2 + "\\]", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _message(text: str) -> str:
    """A message's plain text: braces doubled, or ``{0}`` would read as a placeholder (§3.11.5)."""
    return _plain(text).replace("{", "{{").replace("}", "}}")


class _Locator:
    """The region of a table's header line in the model file, with every field GitHub lists."""

    def __init__(self, model_text: str) -> None:
        self._source_map = SourceMap(model_text)
        self._lines = model_text.splitlines()
        self._regions: dict[tuple[str, ...], tuple[int, int, int]] = {}

    def region(self, table: Iterable[str]) -> dict[str, int]:
        key = tuple(table)
        found = self._regions.get(key)  # an element's findings all point at its table
        if found is None:
            found = self._regions[key] = self._region(key)
        line, column, end = found
        return {"startLine": line, "startColumn": column, "endLine": line, "endColumn": end}

    def _region(self, table: tuple[str, ...]) -> tuple[int, int, int]:
        line, column = self._source_map.position(table) or (1, 1)
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        # columns in UTF-16 code units, as the run's columnKind says (what GitHub counts in)
        end = len(text.rstrip().encode("utf-16-le")) // 2 + 1
        return line, column, max(end, column + 1)
