"""Threats read from components and flows placed in the model: custom threats, or decisions on our findings."""

from __future__ import annotations

import re

from pydantic import ValidationError

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import RuleSet
from stride_tui.core.interop.threat_dragon.cells import dict_of, embed_id_of, embed_of, threat_title
from stride_tui.core.interop.threat_dragon.import_model import validate_imported
from stride_tui.core.interop.threat_dragon.import_state import ImportState, PendingThreat
from stride_tui.core.interop.threat_dragon.mapping import (
    RULE_ID_PREFIX,
    SEVERITY_IMPORT,
    SEVERITY_UNSET,
    STATUS_IMPORT,
    STATUS_NEAREST,
    category_of,
)
from stride_tui.core.interop.threat_dragon.text import as_text, clean_line, clean_text, short
from stride_tui.core.model.elements import CATEGORIES, DECISION_KEY_PATTERN, STATUSES, Decision

_THREAT_ORDER = ("title", "category", "target", "severity", "status", "description", "mitigation", "note", "ticket")


def place_threats(data: dict, ruleset: RuleSet | None, state: ImportState) -> None:
    """Custom threats, and our own exported findings back as decisions where the rule still fires."""
    _carry_decisions(data, state)
    rule_threats: list[tuple[PendingThreat, str]] = []
    for item in state.pending:
        rule_id = as_text(item.threat.get("ruleId"))
        if rule_id.startswith(RULE_ID_PREFIX):
            rule = rule_id[len(RULE_ID_PREFIX) :]
            if ruleset is not None and rule in ruleset.rules:
                rule_threats.append((item, rule))
                continue
            state.report(
                f"threat {threat_title(item.threat)!r} on {item.origin} came from stride-tui rule "
                f"`{rule}`, which is not loaded here; imported as a custom threat"
            )
        _add_custom(data, item, state)
    if not rule_threats:
        return
    model = validate_imported(data, "<import>")
    fired = {f.id for f in analyse(model, ruleset).findings} if ruleset is not None else set()
    for item, rule in rule_threats:
        key = f"{rule}@{item.element_id}"
        exported = _exported_finding(item.threat, state)
        if exported is not None and exported in fired and exported.startswith(f"{rule}@"):
            key = exported  # e.g. a response's finding, drawn on its request's two-way edge
        if key not in fired:
            state.report(
                f"finding `{key}` ({threat_title(item.threat)!r}) no longer fires on the imported "
                "model; kept as a custom threat"
            )
            _add_custom(data, item, state)
            continue
        decision = _decision_of(item, key, state)
        if decision is not None:
            data["decisions"][key] = decision
        else:
            data["decisions"].pop(key, None)


def _exported_finding(threat: dict, state: ImportState) -> str | None:
    """The finding id export wrote into ``threat``, with its element's id as imported here."""
    finding = (embed_of(threat) or {}).get("finding")
    if not isinstance(finding, str) or "@" not in finding:
        return None
    rule, _, element = finding.rpartition("@")
    return f"{rule}@{state.renamed.get(element, element)}"


def _carry_decisions(data: dict, state: ImportState) -> None:
    """The decisions export carried in the cells (every grain: finding, threat, rule, element),
    with element ids as imported here; a malformed one is reported and left out."""
    elements = set(data["components"]) | set(data["flows"]) | set(data["boundaries"])
    for key, body in state.carried_decisions.items():
        head, _, element = key.rpartition("@")
        element = state.renamed.get(element, element)
        new_key = f"{head}@{element}"
        try:
            decision = Decision.model_validate(body)
        except ValidationError:
            state.report(f"decision `{short(key)}` carried in the file is not valid; left out")
            continue
        if not (element == "*" or element in elements) or not re.match(DECISION_KEY_PATTERN, new_key):
            state.report(f"decision `{short(key)}` names no element of the imported model; left out")
            continue
        data["decisions"][new_key] = decision.model_dump(mode="json", exclude_none=True)


def _changed(threat: dict, key: str) -> bool:
    """True when the user changed ``key`` in Threat Dragon (or the threat was never ours)."""
    written = dict_of(embed_of(threat) or {}, "written")
    return key not in written or written[key] != threat.get(key)


_EDITABLE = ("title", "description", "severity", "mitigation")


def _decision_of(item: PendingThreat, key: str, state: ImportState) -> dict | None:
    """The decision on finding ``key`` after the edits made to its threat in Threat Dragon: a new
    status is the decision's; edits to text or severity (which come from the rule) go into its
    note. Each edit is reported."""
    threat = item.threat
    decision = dict_of(embed_of(threat) or {}, "decision")
    written = dict_of(embed_of(threat) or {}, "written")
    status = decision.get("status") if decision.get("status") in STATUSES else "open"
    if _changed(threat, "status"):
        old_status = as_text(written.get("status")) or "(none)"
        status, _ = _status(threat, item, state)
        state.report(
            f"finding `{key}`: status {old_status} → {as_text(threat.get('status')) or '(none)'} in Threat Dragon; "
            f"the decision is now {status!r}"
        )
    out: dict = {"status": status}
    note = clean_text(decision.get("note"))[0]
    ticket = clean_line(decision.get("ticket"))[0]
    edits = []
    for field in _EDITABLE:
        if field in written and _changed(threat, field):
            value = clean_text(threat.get(field))[0]
            edits.append(f"{field}: {value or '(emptied)'}")
            state.report(
                f"finding `{key}`: {field} edited in Threat Dragon; a finding's {field} comes from its rule, "
                "so the edit is kept in the decision's note"
            )
    if edits:
        line = "Edited in Threat Dragon: " + "; ".join(edits)
        if line not in note:
            note = f"{note}\n{line}" if note else line
    if note:
        out["note"] = clean_text(note)[0]
    if ticket:
        out["ticket"] = ticket
    if status == "open" and len(out) == 1:
        return None
    return out


def _status(threat: dict, item: PendingThreat, state: ImportState) -> tuple[str, str | None]:
    text = as_text(threat.get("status")).strip()
    key = text.lower()
    if key in STATUS_IMPORT:
        return STATUS_IMPORT[key], None
    if key in STATUS_NEAREST:
        state.report(
            f"threat {threat_title(threat)!r} on {item.origin}: status {text!r} imported as {STATUS_NEAREST[key]!r}"
        )
        return STATUS_NEAREST[key], f"Threat Dragon status: {text}"
    state.report(
        f"threat {threat_title(threat)!r} on {item.origin}: status {text or '(none)'!r} is not known; "
        "imported as 'open'"
    )
    return "open", (f"Threat Dragon status: {text}" if text else None)


def _add_custom(data: dict, item: PendingThreat, state: ImportState) -> None:
    threat = item.threat
    embed = embed_of(threat) or {}
    base = embed.get("threat") if isinstance(embed.get("threat"), dict) else None
    body: dict = dict(base) if base else {}
    notes: list[str] = []
    title_raw = as_text(threat.get("title"))
    if base is not None:
        for key in ("title", "type", "severity", "status", "description", "mitigation"):
            if _changed(threat, key):
                state.report(
                    f"threat `{embed_id_of(embed) or short(title_raw)}` on {item.origin}: {key} edited in Threat "
                    "Dragon; taken"
                )
    if base is None or _changed(threat, "title"):
        title, cut = clean_line(title_raw)
        if cut:
            state.report(f"threat title {short(title_raw)!r} is longer than 200 characters; truncated")
        if not title:
            title = f"{as_text(threat.get('type')).strip() or 'Untitled'} threat"
            state.report(f"a threat on {item.origin} has no title; named {title!r}")
        body["title"] = title
    where = f"threat {body['title']!r} on {item.origin}"
    if base is None or _changed(threat, "type") or body.get("category") not in CATEGORIES:
        type_text = clean_line(threat.get("type"))[0]
        model_type = clean_line(threat.get("modelType"))[0]
        category, exact = category_of(type_text)
        if not exact:
            shown = (
                f"{model_type} / {type_text}"
                if model_type and model_type.upper() != "STRIDE"
                else type_text or "(none)"
            )
            state.report(f"{where}: type {shown!r} is not a STRIDE category; imported as {category!r}")
            notes.append(f"Threat Dragon type: {shown}")
        body["category"] = category
    body["target"] = item.element_id
    if base is None or _changed(threat, "severity"):
        severity_text = as_text(threat.get("severity")).strip()
        if severity_text.lower() in SEVERITY_IMPORT:
            body["severity"] = SEVERITY_IMPORT[severity_text.lower()]
        else:
            body.pop("severity", None)
            state.report(
                f"{where}: severity {severity_text or '(none)'!r} "
                + ("is not set yet" if severity_text.lower() in SEVERITY_UNSET else "is not known")
                + "; left unset (read as medium)"
            )
            if severity_text and severity_text.lower() not in SEVERITY_UNSET:
                notes.append(f"Threat Dragon severity: {severity_text}")
    if base is None or _changed(threat, "status"):
        status, note = _status(threat, item, state)
        body["status"] = status
        if note:
            notes.append(note)
    for key in ("description", "mitigation"):
        if base is None or _changed(threat, key):
            text, cut = clean_text(threat.get(key))
            body.pop(key, None)
            if text:
                body[key] = text
            if cut:
                state.report(f"{where}: {key} is longer than 20,000 characters; truncated")
    score = clean_line(threat.get("score"))[0]
    if score and (base is None or _changed(threat, "score")):
        notes.append(f"Threat Dragon score: {score}")
    if notes:
        existing = body.get("note")
        body["note"] = clean_text("\n".join([existing, *notes] if existing else notes))[0]
    tid = state.threat_id(embed_id_of(embed), body["title"])
    data["threats"][tid] = {k: body[k] for k in _THREAT_ORDER if k in body and body[k] is not None}
