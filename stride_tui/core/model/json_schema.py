"""The JSON Schema of the model file, generated from the pydantic model for TOML editors.

Two changes to what pydantic writes, so editors and validators say what `validate` says:

- A section keyed by id (``[components.<id>]``) takes its ids from ``propertyNames`` and its
  tables from ``additionalProperties``: pydantic's ``patternProperties`` alone lets a table
  with a bad id through unchecked.
- A component is chosen by its ``kind`` with ``if``/``then``, not ``oneOf``: validators ignore
  OpenAPI's ``discriminator``, and a ``oneOf`` that fails reports every branch, where a wrong
  kind should read as one error on ``kind``.
"""

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
    for name, section in schema["properties"].items():
        if "patternProperties" in section:
            schema["properties"][name] = _keyed_by_id(section)
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "stride-tui threat model (format 1)",
        **schema,
    }


def _keyed_by_id(section: dict) -> dict:
    """``{pattern: table}`` as names that must match the pattern, each value a table."""
    ((pattern, table),) = section.pop("patternProperties").items()
    if "discriminator" in table:
        table = _chosen_by_kind(table)
    return {
        **section,
        "propertyNames": {"pattern": pattern, "description": "an id: lowercase ASCII slug"},
        "additionalProperties": table,
    }


def _chosen_by_kind(union: dict) -> dict:
    """A discriminated union as an enum on ``kind`` and one ``if``/``then`` per kind."""
    discriminator = union["discriminator"]
    key, mapping = discriminator["propertyName"], discriminator["mapping"]
    # the kinds in the order the file format lists them, as pydantic's oneOf has them
    refs = [branch["$ref"] for branch in union["oneOf"]]
    kinds = sorted(mapping, key=lambda kind: refs.index(mapping[kind]))
    return {
        "type": "object",
        "required": [key],
        "properties": {key: {"enum": kinds, "description": " | ".join(kinds)}},
        "allOf": [
            {
                "if": {"properties": {key: {"const": kind}}, "required": [key]},
                "then": {"$ref": mapping[kind]},
            }
            for kind in kinds
        ],
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
