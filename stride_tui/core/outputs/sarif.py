"""Findings as SARIF 2.1.0 for GitHub code scanning: rules in the driver, results at the
line of the element's table in the model file, decided findings carried as suppressions."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

from stride_tui import __version__
from stride_tui.core.analysis.engine import Analysis, Finding
from stride_tui.core.analysis.rules import RuleSet, find_repository_root
from stride_tui.core.files.key_positions import SourceMap
from stride_tui.core.stride import CATEGORY_LABELS

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
_DECIDED = {"mitigated", "accepted", "transferred", "not_applicable"}
# GitHub renders message text as Markdown: keep user text from becoming links or markup
_SARIF_MD = re.compile(r"([\\`*_\[\]()!<>#|])")


def _text(value: str) -> str:
    return _SARIF_MD.sub(r"\\\1", value)


def _rule_entry(rule_id: str, finding: Finding, ruleset: RuleSet) -> dict:
    rule = ruleset.rules.get(rule_id)
    name = "".join(part.capitalize() for part in re.split(r"[-_.]", rule_id))
    if rule is None:  # a hand-written threat
        return {
            "id": "custom",
            "name": "CustomThreat",
            "shortDescription": {"text": "Threat written by hand in the model"},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["security", "threat-model"]},
        }
    tags = ["security", "threat-model", CATEGORY_LABELS[rule.category]]
    tags += [ref.lower() for ref in rule.references if ref.startswith("CWE-")]
    return {
        "id": rule.id,
        "name": name,
        "shortDescription": {"text": _text(_first_sentence(rule.title))},
        "fullDescription": {"text": _text(rule.description.strip())},
        "help": {"text": "Mitigations:\n" + "\n".join(f"- {m}" for m in rule.mitigations)},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": tags,
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "references": list(rule.references),
        },
    }


def _first_sentence(title: str) -> str:
    return re.sub(r"\{(\w+)\}", r"<\1>", title)


def findings_sarif(
    analysis: Analysis, findings: list[Finding], ruleset: RuleSet, model_file: Path, model_text: str
) -> str:
    """A SARIF log with one run; result locations are relative to the repository root."""
    root = find_repository_root(model_file.resolve().parent)
    path = model_file.resolve().relative_to(root).as_posix()
    # a URI reference: `#`, `?`, `%`, spaces and non-ASCII in a file name must not start a
    # fragment or a query, or read as an escape (RFC 3986); `/` stays a separator
    uri = urllib.parse.quote(path, safe="/")
    source_map = SourceMap(model_text)
    rule_ids: list[str] = []
    rules: list[dict] = []
    results = []
    for finding in findings:
        if finding.rule_id not in rule_ids:
            rule_ids.append(finding.rule_id)
            rules.append(_rule_entry(finding.rule_id, finding, ruleset))
        section = "flows" if finding.element_kind == "flow" else "components"
        table = ("threats", finding.id) if finding.custom else (section, finding.element_id)
        line = (source_map.position(table) or (1, 1))[0]
        result = {
            "ruleId": finding.rule_id,
            "ruleIndex": rule_ids.index(finding.rule_id),
            "level": _LEVEL[finding.severity],
            "message": {"text": _text(f"{finding.title}. Why: {'; '.join(finding.explanation)}.")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": line},
                    },
                    "logicalLocations": [{"name": finding.element_id, "kind": "element"}],
                }
            ],
            "partialFingerprints": {"strideFindingId/v1": finding.id},
            "properties": {
                "finding_id": finding.id,
                "severity": finding.severity,
                "status": finding.status,
                "security-severity": _SECURITY_SEVERITY[finding.severity],
            },
        }
        if finding.status in _DECIDED:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": _text(
                        f"{finding.status.replace('_', ' ')}" + (f": {finding.note}" if finding.note else "")
                    ),
                }
            ]
        results.append(result)
    run: dict[str, object] = {
        "tool": {"driver": {"name": "stride-tui", "version": __version__, "rules": rules}},
        "automationDetails": {"id": f"stride-tui/{path}/"},
        "results": results,
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
                        "message": {"text": _text(f"rule {d.rule_id} is disabled by {d.file}: {d.reason}")},
                    }
                    for d in analysis.disabled
                ],
            }
        ]
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
