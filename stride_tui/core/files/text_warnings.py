"""Warnings about text that looks harmless but is not: bidi overrides and invisible characters.

Such characters can make a name read differently from what it is ("Trojan Source",
CVE-2021-42574), so a reviewer should know they are there. They are allowed, but flagged.
"""

from __future__ import annotations

from collections.abc import Iterator

from stride_tui.core.files.diagnostics import Diagnostic, field_path
from stride_tui.core.files.key_positions import SourceMap
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.text_safety import code_point, find_invisible


def suspicious_text_warnings(
    model: ThreatModel, file: str, source_map: SourceMap, text: str | None = None
) -> list[Diagnostic]:
    """A warning for each name or text field holding bidi controls or zero-width characters.

    ``text``: the file the model was read from. When it holds no such character and no escape
    that could spell one (``\\u``, ``\\U``, ``\\x``), no field can: one scan of the file
    instead of a look at every field of every element."""
    if text is not None and (text.isascii() or find_invisible(text) is None) and not any(e in text for e in _ESCAPES):
        return []
    out: list[Diagnostic] = []
    for path, value in _texts(model):
        found = find_invisible(value)
        if found:
            line, col = source_map.position(path) or (None, None)
            out.append(
                Diagnostic(
                    file,
                    f"`{field_path(path)}` contains invisible or direction-changing character "
                    f"{code_point(found[1])}; check it reads as intended",
                    line,
                    col,
                    level="warning",
                    field=path,
                )
            )
    return out


_ESCAPES = ("\\u", "\\U", "\\x")
"""The TOML escapes that can write a character other than ASCII."""
_Field = tuple[tuple[str, ...], str]  # (path of the field, its text)


def _texts(model: ThreatModel) -> Iterator[_Field]:
    yield from _fields(("model",), model.model)
    for section in ("boundaries", "components", "flows", "decisions", "threats"):
        for element_id, element in getattr(model, section).items():
            yield from _fields((section, element_id), element)


def _fields(prefix: tuple[str, ...], obj: object) -> Iterator[_Field]:
    for name, value in obj.__dict__.items():
        if isinstance(value, str) and not value.isascii():
            yield (*prefix, name), value
