"""An Open Threat Model (OTM 0.2.0) JSON file → our model.

Trust zones become boundaries, components components, dataflows flows. A file that stride-tui
exported carries each table in ``attributes["stride-tui"]`` and comes back as the same model;
what was changed in the other tool (names, descriptions, parents, ends, tags, a threat's state)
wins and is reported. A file from another tool (IriusRisk, a converter) maps by its fields: the
kind of a component from its ``type``, its threats as hand-written threats. docs/otm.md has the
mapping; everything that cannot be carried over is reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import RuleSet
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import MAX_FILE_BYTES
from stride_tui.core.interop.otm.export_otm import ATTRIBUTE_KEY, OUTSIDE_ZONE
from stride_tui.core.interop.threat_dragon.import_model import validate_imported
from stride_tui.core.interop.threat_dragon.mapping import category_of
from stride_tui.core.interop.threat_dragon.text import as_text, clean_line, clean_text, short
from stride_tui.core.model.elements import COMPONENT_CLASSES, FORMAT_VERSION, KINDS, ThreatModel
from stride_tui.core.model.ids import is_id, unique_id

STATE_IMPORT = {
    "exposed": "open",
    "expose": "open",
    "open": "open",
    "investigating": "investigating",
    "mitigated": "mitigated",
    "implemented": "mitigated",
    "accepted": "accepted",
    "accept": "accepted",
    "transferred": "transferred",
    "not-applicable": "not_applicable",
    "not applicable": "not_applicable",
    "not_applicable": "not_applicable",
    "notapplicable": "not_applicable",
    "n/a": "not_applicable",
}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_STORE_TYPES = re.compile(r"database|db|store|storage|queue|topic|bucket|cache|s3|blob|table|log|kafka|sql", re.I)
_ENTITY_TYPES = re.compile(r"client|user|browser|actor|external|mobile|device|human|person|third", re.I)


@dataclass
class OtmImport:
    model: ThreatModel
    warnings: list[str]
    counts: dict[str, int]


def _refuse(file: str, message: str, line: int | None = None, column: int | None = None) -> ModelError:
    return ModelError([Diagnostic(file, message, line, column)])


def _list(document: dict, key: str, file: str) -> list[dict]:
    value = document.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _refuse(file, f"`{key}` must be a list (OTM 0.2.0)")
    return [item for item in value if isinstance(item, dict)]


def _ours(item: dict) -> dict | None:
    attributes = item.get("attributes")
    if isinstance(attributes, dict) and isinstance(attributes.get(ATTRIBUTE_KEY), dict):
        return dict(attributes[ATTRIBUTE_KEY])
    return None


def import_otm(raw: bytes, file: str, ruleset: RuleSet | None = None) -> OtmImport:
    """Read an OTM file; raise ``ModelError`` when it is not one."""
    document = _parse(raw, file)
    warnings: list[str] = []
    version = as_text(document.get("otmVersion"))
    if not version.startswith(("0.1", "0.2")):
        warnings.append(f"otmVersion {version!r}: read as OTM 0.2.0")
    project = document.get("project")
    if not isinstance(project, dict):
        raise _refuse(file, "`project` is missing; an OTM file names its project (OTM 0.2.0 requires it)")
    taken: set[str] = set()
    ids: dict[str, str] = {}  # OTM id -> our id

    def claim(otm_id: str, name: str, fallback: str) -> str:
        # an OTM id that is a slug is kept; a UUID (as IriusRisk writes) gives way to the name
        readable = is_id(otm_id) and not _UUID.match(otm_id)
        new = otm_id if readable and otm_id not in taken else unique_id(name or otm_id, taken, fallback)
        taken.add(new)
        ids[otm_id] = new
        return new

    # trust zones
    zones = _list(document, "trustZones", file)
    outside = {as_text(z.get("id")) for z in zones if (_ours(z) or {}).get("outside") or z.get("id") == OUTSIDE_ZONE}
    boundaries: dict[str, dict] = {}
    zone_parent: dict[str, str] = {}
    for zone in zones:
        zid = as_text(zone.get("id"))
        if not zid or zid in outside:
            continue
        name = clean_line(zone.get("name"))[0] or zid
        body = _ours(zone) or {}
        if not body and as_text(zone.get("type")).lower() == "internet":
            body["internet"] = True
        _set_name(body, name, zid)
        body.pop("parent", None)  # from the file's own field, below
        _set_text(body, "description", zone.get("description"))
        parent = zone.get("parent")
        if isinstance(parent, dict) and as_text(parent.get("trustZone")):
            zone_parent[zid] = as_text(parent["trustZone"])
        elif isinstance(parent, dict) and parent.get("component"):
            warnings.append(f"trust zone {short(name)!r} sits in a component; a boundary sits only in boundaries")
        boundaries[claim(zid, name, "boundary")] = body
    for zid, parent_id in zone_parent.items():
        if parent_id in ids and parent_id not in outside and ids[parent_id] in boundaries:
            boundaries[ids[zid]]["parent"] = ids[parent_id]
        elif parent_id not in outside:
            warnings.append(f"trust zone `{short(zid)}`: parent zone `{short(parent_id)}` does not exist; ignored")

    # components
    components: dict[str, dict] = {}
    component_parent: dict[str, str] = {}
    guessed: list[str] = []
    pending: list[tuple[str, list]] = []  # (our element id, threat instances)
    for item in _list(document, "components", file):
        oid = as_text(item.get("id"))
        if not oid:
            warnings.append("a component without an `id` skipped")
            continue
        name = clean_line(item.get("name"))[0] or oid
        body = _ours(item) or {}
        if body.get("kind") not in KINDS:
            body["kind"] = _kind_of(as_text(item.get("type")), name)
            guessed.append(f"{short(name)!r} ({as_text(item.get('type')) or 'no type'}) → {body['kind']}")
        _set_name(body, name, oid)
        _set_text(body, "description", item.get("description"))
        _set_tags(body, item.get("tags"))
        body.pop("boundary", None)
        parent = item.get("parent")
        if isinstance(parent, dict):
            if as_text(parent.get("trustZone")):
                zone_ref = as_text(parent["trustZone"])
                if zone_ref not in outside:
                    component_parent[oid] = zone_ref
            elif as_text(parent.get("component")):
                component_parent[oid] = "component:" + as_text(parent["component"])
        cid = claim(oid, name, body["kind"].replace("_", "-"))
        components[cid] = body
        if isinstance(item.get("threats"), list):
            pending.append((cid, item["threats"]))
    if guessed:
        warnings.append("kinds read from OTM component types (check them): " + "; ".join(guessed[:8]))
    for oid, parent_ref in component_parent.items():
        cid = ids[oid]
        if parent_ref.startswith("component:"):
            # OTM nests components in components; ours sit in boundaries: take the parent's
            host = parent_ref.split(":", 1)[1]
            host_zone = _zone_of(host, component_parent)
            warnings.append(
                f"component {short(components[cid].get('name', cid))!r} sits in component `{short(host)}`; put in "
                + (f"that component's trust zone `{short(host_zone)}`" if host_zone else "no boundary")
            )
            parent_ref = host_zone or ""
        if parent_ref and parent_ref in ids and ids[parent_ref] in boundaries:
            components[cid]["boundary"] = ids[parent_ref]
        elif parent_ref:
            warnings.append(f"component `{short(oid)}`: trust zone `{short(parent_ref)}` does not exist; no boundary")
    for cid, body in components.items():
        components[cid] = _fit_kind(body, cid, warnings)

    # dataflows
    flows: dict[str, dict] = {}
    responses: list[tuple[str, dict]] = []
    for item in _list(document, "dataflows", file):
        oid = as_text(item.get("id"))
        source, target = as_text(item.get("source")), as_text(item.get("destination"))
        name = clean_line(item.get("name"))[0]
        label = repr(short(name or oid))
        if source not in ids or target not in ids or ids[source] not in components or ids[target] not in components:
            warnings.append(f"dataflow {label}: its source or destination is not a component; skipped")
            continue
        body = _ours(item) or {}
        body["from"], body["to"] = ids[source], ids[target]
        if name and (body.get("name") or not _is_display_name(name, components, body)):
            body["name"] = name
        _set_text(body, "description", item.get("description"))
        _set_tags(body, item.get("tags"))
        fid = claim(oid or f"{body['from']}-to-{body['to']}", name, "flow")
        flows[fid] = body
        if item.get("bidirectional") is True:
            responses.append((fid, body))
        if isinstance(item.get("threats"), list):
            pending.append((fid, item["threats"]))
    for fid, body in responses:
        response = {"from": body["to"], "to": body["from"], "response_to": fid}
        if body.get("name"):
            response["name"] = clean_line(f"{body['name']} (response)")[0]
        rid = unique_id(f"{fid}-response", taken, "flow")
        taken.add(rid)
        flows[rid] = response
        warnings.append(f"bidirectional dataflow `{fid}` imported as `{fid}` and its response `{rid}`")

    meta_attributes = _ours(project) or {}
    title = clean_line(project.get("name"))[0] or "Imported threat model"
    meta: dict = {"title": title}
    _set_text(meta, "description", project.get("description"))
    owner = clean_line(project.get("owner"))[0]
    if owner:
        meta["owner"] = owner
    if isinstance(meta_attributes.get("rule_files"), list):
        meta["rule_files"] = meta_attributes["rule_files"]
    decisions: dict = meta_attributes["decisions"] if isinstance(meta_attributes.get("decisions"), dict) else {}
    custom: dict = meta_attributes["threats"] if isinstance(meta_attributes.get("threats"), dict) else {}
    data = {
        "stride_tui": FORMAT_VERSION,
        "model": meta,
        "boundaries": boundaries,
        "components": components,
        "flows": flows,
        "decisions": dict(decisions),
        "threats": dict(custom),
    }
    _threats(data, document, pending, ruleset, warnings, file, taken)
    model = validate_imported(data, file)
    counts = {
        "components": len(model.components),
        "flows": len(model.flows),
        "boundaries": len(model.boundaries),
        "threats": len(model.threats),
        "decisions": len(model.decisions),
    }
    return OtmImport(model, warnings, counts)


def _parse(raw: bytes, file: str) -> dict:
    if len(raw) > MAX_FILE_BYTES:
        raise _refuse(file, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")
    if not raw.strip():
        raise _refuse(file, "file is empty; expected an Open Threat Model (OTM) JSON file")
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _refuse(file, f"invalid UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        hint = " (OTM in YAML is not read: convert it to JSON first)" if b"otmVersion:" in raw else ""
        raise _refuse(file, f"invalid JSON: {exc.msg}{hint}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _refuse(file, "invalid JSON: values nested too deeply") from None
    if not isinstance(document, dict) or "otmVersion" not in document:
        hint = ""
        if isinstance(document, dict) and "detail" in document and "summary" in document:
            hint = " (this looks like a Threat Dragon file: use --from threat-dragon)"
        raise _refuse(file, f"not an Open Threat Model file: `otmVersion` is missing{hint}")
    try:
        json.dumps(document).encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(file, "invalid text: a string holds a lone UTF-16 surrogate") from None
    return document


def _set_name(body: dict, name: str, otm_id: str) -> None:
    """The OTM name, unless it is only the id that export wrote for an unnamed element."""
    if name == otm_id and "name" not in body:
        return
    body["name"] = name


def _set_text(body: dict, key: str, value: object) -> None:
    text = clean_text(value)[0]
    if text:
        body[key] = text
    else:
        body.pop(key, None)


def _set_tags(body: dict, value: object) -> None:
    tags = []
    if isinstance(value, list):
        tags = [t for t in (clean_line(v, 64)[0] for v in value) if t]
    if tags:
        body["tags"] = list(dict.fromkeys(tags))
    else:
        body.pop("tags", None)


def _is_display_name(name: str, components: dict, body: dict) -> bool:
    """True when ``name`` is just "Source → Target", which export writes for unnamed flows."""
    source = components[body["from"]].get("name", body["from"])
    target = components[body["to"]].get("name", body["to"])
    return name == f"{source} → {target}"


def _kind_of(otm_type: str, name: str) -> str:
    for text in (otm_type, name):
        if _STORE_TYPES.search(text):
            return "data_store"
        if _ENTITY_TYPES.search(text):
            return "external_entity"
    return "process"


def _fit_kind(body: dict, cid: str, warnings: list[str]) -> dict:
    """Drop facts the component's kind does not have (the kind may have been changed in the
    other tool), reporting each."""
    allowed = COMPONENT_CLASSES[body["kind"]].model_fields
    dropped = [k for k in body if k not in allowed]
    for key in dropped:
        body.pop(key)
    if dropped:
        warnings.append(f"component `{cid}` ({body['kind']}): {', '.join(dropped)} do not apply to this kind; dropped")
    return body


def _zone_of(component: str, parents: dict[str, str], depth: int = 0) -> str | None:
    parent = parents.get(component)
    if parent is None or depth > 20:
        return None
    if parent.startswith("component:"):
        return _zone_of(parent.split(":", 1)[1], parents, depth + 1)
    return parent


def _threats(
    data: dict,
    document: dict,
    pending: list[tuple[str, list]],
    ruleset: RuleSet | None,
    warnings: list[str],
    file: str,
    taken: set[str],
) -> None:
    """Threat instances: a changed state of one of our threats becomes its decision; a foreign
    threat becomes a hand-written threat."""
    catalogue = {as_text(t.get("id")): t for t in _list(document, "threats", file)}
    mitigations = {as_text(m.get("id")): m for m in _list(document, "mitigations", file)}
    ours: list[tuple[str, str, str]] = []  # (threat id, element id, status)
    threat_ids = set(data["threats"]) | taken
    for element_id, instances in pending:
        for instance in instances:
            if not isinstance(instance, dict):
                continue
            ref = as_text(instance.get("threat"))
            threat = catalogue.get(ref)
            state = as_text(instance.get("state")).strip()
            status = STATE_IMPORT.get(state.lower())
            if threat is None:
                warnings.append(
                    f"threat instance `{short(ref)}` on `{element_id}` names no threat of the file; skipped"
                )
                continue
            name = clean_line(threat.get("name"))[0] or ref
            if status is None:
                warnings.append(
                    f"threat {short(name)!r} on `{element_id}`: state {state or '(none)'!r} is not known; read as open"
                )
                status = "open"
            attributes = _ours(threat)
            if attributes is not None and attributes.get("custom") is True and ref in data["threats"]:
                body = data["threats"][ref]
                if body.get("status", "open") != status:
                    warnings.append(
                        f"threat `{ref}`: status {body.get('status', 'open')} → {status} (changed in the OTM file)"
                    )
                    body["status"] = status
                continue
            if attributes is not None:
                ours.append((ref, element_id, status))
                continue
            tid = unique_id(name, threat_ids, "threat")
            threat_ids.add(tid)
            data["threats"][tid] = _foreign(threat, name, element_id, status, instance, mitigations, warnings)
    if not ours:
        return
    if ruleset is None:
        warnings.append(f"{len(ours)} stride-tui threat state(s) not checked: no rules loaded")
        return
    model = validate_imported(data, file)
    current = {t.id: t.status for t in group_threats(analyse(model, ruleset))}
    for ref, _element, status in ours:
        if ref not in current:
            warnings.append(f"threat `{ref}` no longer fires on the imported model; its state ({status}) is not kept")
            continue
        if current[ref] != status:
            warnings.append(
                f"threat `{ref}`: status {current[ref]} → {status} (changed in the OTM file); recorded as a decision"
            )
            decision = dict(data["decisions"].get(ref, {}))
            decision["status"] = status
            data["decisions"][ref] = decision


def _foreign(
    threat: dict, name: str, element_id: str, status: str, instance: dict, mitigations: dict, warnings: list[str]
) -> dict:
    """A threat from another tool as a hand-written threat on ``element_id``."""
    categories = [as_text(c) for c in threat.get("categories") or [] if as_text(c)]
    category, exact = category_of(categories[0] if categories else "")
    if not exact:
        warnings.append(
            f"threat {short(name)!r}: categories {categories or '(none)'} hold no STRIDE category; read as {category!r}"
        )
    body: dict = {"title": name, "category": category, "target": element_id}
    risk: dict = threat["risk"] if isinstance(threat.get("risk"), dict) else {}
    impact = risk.get("impact")
    if isinstance(impact, (int, float)) and not isinstance(impact, bool):
        body["severity"] = (
            "critical" if impact >= 90 else "high" if impact >= 70 else "medium" if impact >= 40 else "low"
        )
    body["status"] = status
    _set_text(body, "description", threat.get("description"))
    steps = []
    for entry in instance.get("mitigations") or []:
        if isinstance(entry, dict):
            mitigation = mitigations.get(as_text(entry.get("mitigation")), {})
            label = clean_line(mitigation.get("name"))[0] or as_text(entry.get("mitigation"))
            if label:
                steps.append(f"- {label} ({as_text(entry.get('state')) or 'no state'})")
    if steps:
        body["mitigation"] = "\n".join(steps)
    cwes = [as_text(c) for c in threat.get("cwes") or [] if as_text(c)]
    if cwes:
        body["note"] = "CWE: " + ", ".join(cwes)
    return body
