"""Element properties both ways: our facts ⇄ Threat Dragon's ``cell.data`` flags.

``td_properties`` is what export writes for an element; ``apply_property`` is how import reads
one Threat Dragon property onto an element (a dict in our file's layout). The two are inverse
for everything Threat Dragon can express; docs/threat-dragon.md has the tables.
"""

from __future__ import annotations

from collections.abc import Callable

from stride_tui.core.interop.threat_dragon.mapping import (
    FLAG_TAGS,
    FLAGS_BY_SHAPE,
    PRIVILEGE_TAG_PREFIX,
    PRIVILEGED_WORDS,
    UNPRIVILEGED_WORDS,
)
from stride_tui.core.interop.threat_dragon.text import clean_line, clean_text

Report = Callable[[str], None]

COMMON = ("description", "outOfScope", "reasonOutOfScope")
SHAPE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "actor": (*COMMON, "providesAuthentication"),
    "process": (*COMMON, "handlesCardPayment", "handlesGoodsOrServices", "isWebApplication", "privilegeLevel"),
    "store": (*COMMON, "isALog", "isEncrypted", "isSigned", "storesCredentials", "storesInventory"),
    "flow": (*COMMON, "isEncrypted", "isPublicNetwork", "protocol"),
}
DIRECT_FACTS = {
    ("store", "isALog"): "is_log",
    ("store", "isEncrypted"): "encrypted_at_rest",
    ("store", "storesCredentials"): "stores_credentials",
    ("flow", "isEncrypted"): "encrypted",
}


def _tags(body: dict) -> list[str]:
    tags = body.get("tags")
    return list(tags) if isinstance(tags, list) else []


def privilege_level(body: dict) -> str:
    """The ``privilegeLevel`` text for a process."""
    for tag in _tags(body):
        if tag.startswith(PRIVILEGE_TAG_PREFIX):
            return tag[len(PRIVILEGE_TAG_PREFIX) :]
    if body.get("privileged") is True:
        return "privileged"
    if body.get("privileged") is False:
        return "unprivileged"
    return ""


def td_properties(shape: str, body: dict) -> dict[str, object]:
    """The Threat Dragon data properties for one of our elements (name, type and threats aside)."""
    tags = _tags(body)
    props: dict[str, object] = {
        "description": body.get("description") or "",
        "outOfScope": bool(body.get("out_of_scope")),
        "reasonOutOfScope": body.get("out_of_scope_reason") or "",
    }
    for key in SHAPE_PROPERTIES[shape]:
        if key in props:
            continue
        if (shape, key) in DIRECT_FACTS:
            props[key] = body.get(DIRECT_FACTS[(shape, key)]) is True
        elif key in FLAG_TAGS:
            props[key] = FLAG_TAGS[key] in tags
        elif key == "privilegeLevel":
            props[key] = privilege_level(body)
        elif key == "protocol":
            props[key] = body.get("protocol") or ""
    return props


def apply_property(shape: str, key: str, value: object, body: dict, where: str, report: Report) -> None:
    """Read Threat Dragon property ``key`` = ``value`` onto ``body``; report what cannot be kept."""
    if key == "description":
        text, cut = clean_text(value)
        _set(body, "description", text or None)
        if cut:
            report(f"description of {where} is longer than 20,000 characters; truncated")
    elif key == "outOfScope":
        if not isinstance(value, bool):
            report(f"outOfScope of {where} is not true/false ({value!r}); ignored")
            return
        _set(body, "out_of_scope", True if value else None)
    elif key == "reasonOutOfScope":
        text, cut = clean_text(value)
        _set(body, "out_of_scope_reason", text or None)
        if cut:
            report(f"reasonOutOfScope of {where} is longer than 20,000 characters; truncated")
    elif (shape, key) in DIRECT_FACTS:
        if not isinstance(value, bool):
            report(f"{key} of {where} is not true/false ({value!r}); ignored")
            return
        body[DIRECT_FACTS[(shape, key)]] = value
    elif key in FLAG_TAGS and key in FLAGS_BY_SHAPE.get(shape, ()):
        if not isinstance(value, bool):
            report(f"{key} of {where} is not true/false ({value!r}); ignored")
            return
        _tag(body, FLAG_TAGS[key], value)
    elif key == "privilegeLevel" and shape == "process":
        _privilege(body, value, where, report)
    elif key == "protocol" and shape == "flow":
        text, cut = clean_line(value)
        _set(body, "protocol", text or None)
        if cut:
            report(f"protocol of {where} is longer than 200 characters; truncated")


def _set(body: dict, key: str, value: object) -> None:
    if value is None:
        body.pop(key, None)
    else:
        body[key] = value


def _tag(body: dict, tag: str, present: bool) -> None:
    tags = [t for t in _tags(body) if t != tag]
    if present:
        tags.append(tag)
    _set(body, "tags", tags or None)


def _privilege(body: dict, value: object, where: str, report: Report) -> None:
    text, _ = clean_line(value, 64 - len(PRIVILEGE_TAG_PREFIX))
    tags = [t for t in _tags(body) if not t.startswith(PRIVILEGE_TAG_PREFIX)]
    word = text.lower()
    if not text:
        body.pop("privileged", None)
    elif word in PRIVILEGED_WORDS:
        body["privileged"] = True
    elif word in UNPRIVILEGED_WORDS:
        body["privileged"] = False
    else:
        body.pop("privileged", None)
        report(
            f"privilegeLevel {text!r} of {where} says neither privileged nor unprivileged; "
            f"kept as tag `{PRIVILEGE_TAG_PREFIX}{text}`, `privileged` left unknown"
        )
    if text and word not in ("privileged", "unprivileged"):
        tags.append(PRIVILEGE_TAG_PREFIX + text)
    _set(body, "tags", tags or None)
