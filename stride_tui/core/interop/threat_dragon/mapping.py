"""The vocabulary shared by import and export: shapes, threat types, statuses, severities, tags.

docs/threat-dragon.md documents every row of these tables.
"""

from __future__ import annotations

import re

from stride_tui.core.stride import CATEGORY_LABELS

FORMAT_VERSION = "2.3.0"  # the Threat Dragon file version export writes (the demos' version)
RULE_ID_PREFIX = "stride-tui/"  # ``ruleId`` of exported findings: ``stride-tui/<rule-id>``
EMBED_KEY = "strideTui"  # our own data carried in cells and threats for a lossless round trip

NODE_SHAPES = {"actor": "external_entity", "process": "process", "store": "data_store"}
SHAPE_OF_KIND = {kind: shape for shape, kind in NODE_SHAPES.items()}
TYPE_OF_KIND = {"external_entity": "tm.Actor", "process": "tm.Process", "data_store": "tm.Store"}
BOX_SHAPES = {"trust-boundary-box"}
CURVE_SHAPES = {"trust-boundary-curve", "trust-broundary-curve"}  # the misspelling occurs in real files
FLOW_SHAPES = {"flow"}
TEXT_SHAPES = {"td-text-block"}
# Shapes of newer Threat Dragon versions that we read as the nearest DFD element (reported).
SIMILAR_NODE_SHAPES = {"agent": "process", "agent-tool": "process"}

# Threat Dragon names a STRIDE threat's type by the category's label, as we do.
_STRIDE_BY_TEXT = {label.lower(): category for category, label in CATEGORY_LABELS.items()}
_STRIDE_BY_TEXT.update(
    {
        "information disclosure": "information_disclosure",
        "informationdisclosure": "information_disclosure",
        "denial of service": "denial_of_service",
        "denialofservice": "denial_of_service",
        "elevation of privilege": "elevation_of_privilege",
        "elevationofprivilege": "elevation_of_privilege",
        "elevation of privileges": "elevation_of_privilege",
    }
)
# Other methodologies Threat Dragon offers, mapped to the nearest STRIDE category (always reported).
_OTHER_TYPES = {
    "confidentiality": "information_disclosure",  # CIA
    "integrity": "tampering",
    "availability": "denial_of_service",
    "disclosure of information": "information_disclosure",  # LINDDUN
    "linkability": "information_disclosure",
    "identifiability": "information_disclosure",
    "detectability": "information_disclosure",
    "non-repudiation": "information_disclosure",
    "unawareness": "information_disclosure",
    "non-compliance": "information_disclosure",
    "identifiability & linkability": "information_disclosure",  # PLOT4ai
    "security": "tampering",
    "safety": "denial_of_service",
}
_KEYWORDS = (
    ("spoof", "spoofing"),
    ("imperson", "spoofing"),
    ("tamper", "tampering"),
    ("integrity", "tampering"),
    ("repudiat", "repudiation"),
    ("disclos", "information_disclosure"),
    ("confidential", "information_disclosure"),
    ("leak", "information_disclosure"),
    ("privacy", "information_disclosure"),
    ("denial", "denial_of_service"),
    ("availab", "denial_of_service"),
    ("dos", "denial_of_service"),
    ("elevat", "elevation_of_privilege"),
    ("privilege", "elevation_of_privilege"),
)


def category_of(type_text: str) -> tuple[str, bool]:
    """STRIDE category for a Threat Dragon threat ``type``, and whether the mapping was exact."""
    key = re.sub(r"\s+", " ", type_text.strip().lower())
    if key in _STRIDE_BY_TEXT:
        return _STRIDE_BY_TEXT[key], True
    if key.replace(" ", "") in _STRIDE_BY_TEXT:
        return _STRIDE_BY_TEXT[key.replace(" ", "")], True
    if key in _OTHER_TYPES:
        return _OTHER_TYPES[key], False
    for needle, category in _KEYWORDS:
        if needle in key:
            return category, False
    return "information_disclosure", False


STATUS_IMPORT = {
    "open": "open",
    "mitigated": "mitigated",
    "notapplicable": "not_applicable",
    "not applicable": "not_applicable",
    "n/a": "not_applicable",
    "na": "not_applicable",
    "accepted": "accepted",
    "transferred": "transferred",
    "investigating": "investigating",
}
# Statuses without an equivalent, read as the nearest one (reported).
STATUS_NEAREST = {"avoided": "mitigated", "eliminated": "mitigated", "resolved": "mitigated", "closed": "mitigated"}
STATUS_EXPORT = {
    "open": "Open",
    "investigating": "Open",
    "mitigated": "Mitigated",
    "not_applicable": "NotApplicable",
    "accepted": "Accepted",
    "transferred": "Transferred",
}
SEVERITY_IMPORT = {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}
SEVERITY_UNSET = {"tbd", "tba", "", "unknown", "none", "n/a"}
SEVERITY_EXPORT = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}

# Threat Dragon flags that have no fact of ours become tags (only when true).
FLAG_TAGS = {
    "providesAuthentication": "provides-authentication",
    "isWebApplication": "web-app",  # the built-in web-application rules match this tag
    "handlesCardPayment": "card-payment",
    "handlesGoodsOrServices": "goods-or-services",
    "isSigned": "signed",
    "storesInventory": "inventory",
    "isPublicNetwork": "public-network",
}
FLAGS_BY_SHAPE = {
    "actor": ("providesAuthentication",),
    "process": ("isWebApplication", "handlesCardPayment", "handlesGoodsOrServices"),
    "store": ("isSigned", "storesInventory"),
    "flow": ("isPublicNetwork",),
}
PRIVILEGE_TAG_PREFIX = "privilege-level:"
PRIVILEGED_WORDS = {
    "admin",
    "administrator",
    "root",
    "system",
    "privileged",
    "elevated",
    "high",
    "superuser",
    "sudo",
    "kernel",
    "full",
}
UNPRIVILEGED_WORDS = {
    "user",
    "low",
    "none",
    "unprivileged",
    "standard",
    "limited",
    "restricted",
    "guest",
    "anonymous",
    "read-only",
    "readonly",
    "minimal",
}

# Keys of ``cell.data`` that we read, or deliberately leave (derived by Threat Dragon).
DATA_KEYS_READ = {
    "type",
    "name",
    "description",
    "outOfScope",
    "reasonOutOfScope",
    "threats",
    "isEncrypted",
    "isALog",
    "storesCredentials",
    "protocol",
    "isBidirectional",
    "privilegeLevel",
    "containedElements",
    "crossingFlows",
    "trustBoundaryIds",
    EMBED_KEY,
    *FLAG_TAGS,
}
DATA_KEYS_DERIVED = {"hasOpenThreats", "isTrustBoundary", "threatFrequency", "new"}
THREAT_KEYS_READ = {
    "id",
    "threatId",
    "title",
    "type",
    "status",
    "severity",
    "description",
    "mitigation",
    "modelType",
    "score",
    "ruleId",
    EMBED_KEY,
}
THREAT_KEYS_DERIVED = {"number", "new"}
