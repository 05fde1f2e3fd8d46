"""The JSON Schema of the model file, generated from the pydantic model for TOML editors."""

from __future__ import annotations

from stride_tui.core.model.elements import FORMAT_VERSION, ThreatModel


def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of format version 1, as taplo and Even Better TOML read it."""
    schema = _without_null(ThreatModel.model_json_schema(by_alias=True, mode="validation"))
    schema["properties"]["stride_tui"] = {
        "const": FORMAT_VERSION,
        "description": "format version of the model file",
    }
    schema["required"] = ["stride_tui"] + [r for r in schema.get("required", []) if r != "stride_tui"]
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "stride-tui threat model (format 1)",
        **schema,
    }


def _without_null(node):
    """TOML has no null: an optional key is simply absent, so drop pydantic's ``null`` branches."""
    if isinstance(node, list):
        return [_without_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "default" and value is None:
            continue
        out[key] = _without_null(value)
    branches = out.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1 and len(kept) < len(branches):
            del out["anyOf"]
            out = {**kept[0], **out}
    return out
