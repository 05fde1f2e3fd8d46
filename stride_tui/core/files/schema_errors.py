"""Turn pydantic validation errors into messages a model author can act on.

Pydantic says "Extra inputs are not permitted" at ``('components', 'api', 'process', 'encrypted_at_rest')``;
a user needs "`encrypted_at_rest` is a fact of data_store components, and `api` is a process",
pointing at the line of that key. This module does that translation and nothing else.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from stride_tui.core.files.diagnostics import Diagnostic, field_path
from stride_tui.core.files.key_positions import SourceMap
from stride_tui.core.model.elements import (
    COMPONENT_CLASSES,
    DECISION_KEY_PATTERN,
    ID_PATTERN,
    LINE_PATTERN,
    TEXT_PATTERN,
    VISIBLE_LINE_PATTERN,
    Boundary,
    Decision,
    Flow,
    ModelMeta,
    Threat,
    ThreatModel,
)
from stride_tui.core.model.ids import slugify
from stride_tui.core.text_safety import code_point, escape_controls, find_control

_SECTION_CLASSES: dict[str, type[BaseModel]] = {
    "boundaries": Boundary,
    "flows": Flow,
    "decisions": Decision,
    "threats": Threat,
}
_FLOW_SYNONYMS = {
    "source": "from",
    "src": "from",
    "souce": "from",
    "sender": "from",
    "target": "to",
    "dest": "to",
    "destination": "to",
    "sink": "to",
}
_ALL_COMPONENT_KEYS = sorted({k for cls in COMPONENT_CLASSES.values() for k in cls.model_fields})


def keys_of(cls: type[BaseModel]) -> list[str]:
    """The keys a table of this class may hold, spelt as in the file."""
    return [f.alias or name for name, f in cls.model_fields.items()]


def translate_errors(exc: ValidationError, data: dict, file: str, source_map: SourceMap) -> list[Diagnostic]:
    """One diagnostic per pydantic error, with the field path spelt as in the file."""
    out: list[Diagnostic] = []
    for error in exc.errors(include_url=False):
        loc, is_key = _file_loc(error["loc"])
        message = _message(error, loc, is_key, data)
        line, col = source_map.position(loc) or (None, None)
        out.append(Diagnostic(file, message, line, col, field=loc))
        if error["type"] in ("union_tag_not_found", "union_tag_invalid"):
            out.extend(_unknown_component_keys(data, loc, file, source_map))
    return out


def _file_loc(loc: tuple) -> tuple[tuple[str | int, ...], bool]:
    """Drop pydantic's union tag and ``[key]`` markers from a location."""
    parts = list(loc)
    is_key = bool(parts) and parts[-1] == "[key]"
    if is_key:
        parts.pop()
    if len(parts) >= 3 and parts[0] == "components" and parts[2] in COMPONENT_CLASSES:
        del parts[2]
    return tuple(parts), is_key


def _table_class(loc: tuple, data: dict) -> type[BaseModel] | None:
    """The class of the table that holds the last key of ``loc``."""
    if len(loc) == 1:
        return ThreatModel
    if loc[0] == "model" and len(loc) == 2:
        return ModelMeta
    if len(loc) == 3 and loc[0] == "components":
        table = data.get("components", {}).get(loc[1])
        kind = table.get("kind") if isinstance(table, dict) else None
        return COMPONENT_CLASSES.get(kind) if isinstance(kind, str) else None
    if len(loc) == 3:
        return _SECTION_CLASSES.get(str(loc[0]))
    return None


def _message(error: ErrorDetails, loc: tuple, is_key: bool, data: dict) -> str:
    kind = error["type"]
    where = field_path(loc)
    key = str(loc[-1]) if loc else ""
    value = error.get("input")
    if is_key:
        return _bad_key_message(loc, key)
    if kind == "extra_forbidden":
        return _unknown_key_message(loc, key, data)
    if kind == "missing":
        table = field_path(loc[:-1]) or "the top level"
        return f"missing required key `{key}` in [{table}]"
    if kind == "union_tag_not_found":
        return f'component `{loc[-1]}` has no `kind`: add kind = "process", "data_store" or "external_entity"'
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", value)
        return f"`{where}.kind` must be process, data_store or external_entity, not {_show(tag)}" + _suggest(
            str(tag), list(COMPONENT_CLASSES)
        )
    if kind == "literal_error":
        expected = _expected_literals(error)
        return f"`{where}` must be one of {', '.join(expected)}, not {_show(value)}" + _suggest(str(value), expected)
    if kind in ("bool_type", "bool_parsing"):
        return f"`{where}` must be true or false, not {_show(value)}"
    if kind in ("string_type", "str_type"):
        return f"`{where}` must be a string in quotes, not {_show(value)}"
    if kind in ("int_type", "int_parsing"):
        return f"`{where}` must be an integer, not {_show(value)}"
    if kind.startswith("date"):
        return f"`{where}` must be a date without quotes, like 2027-01-31, not {_show(value)}"
    if kind in ("list_type",):
        return f'`{where}` must be a list like ["a", "b"], not {_show(value)}'
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"`{where}` must be a table, not {_show(value)}"
    if kind == "string_pattern_mismatch":
        return _pattern_message(where, str(value), error.get("ctx", {}).get("pattern", ""))
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"`{where}` is too long ({len(str(value)):,} characters; at most {limit:,})"
    if kind == "string_too_short":
        return f"`{where}` must not be empty"
    return f"`{where}`: {error['msg']}"


def _bad_key_message(loc: tuple, key: str) -> str:
    section = str(loc[0]) if loc else ""
    if section == "decisions":
        if key == "*@*":
            return 'invalid decision key "*@*" in [decisions]: a decision covers one rule or one element, never the whole model'
        return (
            f"invalid decision key {_show(key)} in [decisions]: it must be `<rule>@<element>` (one finding), "
            '`<remedy>@<element>` (one threat), `<rule>@*` or `*@<element>`, e.g. "tls-in-transit@web-to-api"'
        )
    hint = slugify(key)
    return (
        f"invalid id {_show(key)} in [{section}]: ids are lowercase letters, digits, `-` and `_`, "
        f"start with a letter, at most 64 characters" + (f" (try `{hint}`)" if hint else "")
    )


def _unknown_key_message(loc: tuple, key: str, data: dict) -> str:
    table = field_path(loc[:-1]) or "the top level"
    cls = _table_class(loc, data)
    allowed = keys_of(cls) if cls is not None else []
    if loc[0] == "components" and len(loc) == 3 and cls is not None:
        for other_kind, other in COMPONENT_CLASSES.items():
            if other is not cls and key in other.model_fields:
                this_kind = data["components"][loc[1]]["kind"]
                return (
                    f"`{key}` is a fact of {other_kind} components, but `{loc[1]}` is "
                    f"{_article(this_kind)} {this_kind}; remove it or change `kind`"
                )
    if cls is Flow and key in _FLOW_SYNONYMS:
        return f"unknown key `{key}` in [{table}] (did you mean `{_FLOW_SYNONYMS[key]}`?)"
    return f"unknown key `{key}` in [{table}]" + _suggest(key, allowed)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _unknown_component_keys(data: dict, loc: tuple, file: str, source_map: SourceMap) -> list[Diagnostic]:
    """With no usable ``kind`` pydantic stops; still report keys no kind knows."""
    table = data.get("components", {}).get(loc[1]) if len(loc) >= 2 else None
    if not isinstance(table, dict):
        return []
    out = []
    for key in table:
        if key not in _ALL_COMPONENT_KEYS:
            path = (*loc, key)
            line, col = source_map.position(path) or (None, None)
            message = f"unknown key `{key}` in [{field_path(loc)}]" + _suggest(key, _ALL_COMPONENT_KEYS)
            out.append(Diagnostic(file, message, line, col, field=path))
    return out


def _pattern_message(where: str, value: str, pattern: str) -> str:
    if pattern == VISIBLE_LINE_PATTERN:
        if find_control(value, one_line=True) is None:
            return f"`{where}` needs visible text: blanks and invisible characters alone are not a name"
        pattern = LINE_PATTERN  # the control character is the first thing to fix
    if pattern in (TEXT_PATTERN, LINE_PATTERN):
        found = find_control(value)
        if found is None and pattern == LINE_PATTERN:
            bad = "\n" if "\n" in value else "\t"
            name = "a line break" if bad == "\n" else "a tab"
            return f"`{where}` must be one line; it contains {name}"
        if found is not None:
            position, char = found
            if char in "\n\t":
                name = "a line break" if char == "\n" else "a tab"
                return f"`{where}` must be one line; it contains {name}"
            return (
                f"`{where}` contains control character {code_point(char)} at position "
                f"{position + 1}; control characters are not allowed in text"
            )
    if pattern == ID_PATTERN:
        hint = slugify(value)
        return (
            f"`{where}` must be an id (lowercase letters, digits, `-` and `_`, starting with a "
            f"letter), not {_show(value)}" + (f" (try `{hint}`)" if hint else "")
        )
    if pattern == DECISION_KEY_PATTERN:
        return (
            f"`{where}` must be `<rule>@<element>`, `<remedy>@<element>`, `<rule>@*` or `*@<element>`, "
            f"not {_show(value)}"
        )
    return f"`{where}` has an invalid value {_show(value)}"


def _expected_literals(error: ErrorDetails) -> list[str]:
    expected = error.get("ctx", {}).get("expected", "")
    return re.findall(r"'([^']*)'", expected)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _show(value: object) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return '"' + escape_controls(text, one_line=True) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a table" if isinstance(value, dict) else "a list"
    return str(value)
