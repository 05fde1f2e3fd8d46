"""Load a model file: bytes → TOML → validated ``ThreatModel``, or every problem with its place.

The order matters: cheap checks that explain a whole file (too big, binary, not UTF-8, merge
conflict, not TOML) come first; then schema validation and reference checks both run, so one
run reports all problems of a file.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from pathlib import Path

import tomli
from pydantic import ValidationError

from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.key_positions import SourceMap, comment_lines
from stride_tui.core.files.schema_errors import translate_errors
from stride_tui.core.files.semantics import check_references
from stride_tui.core.files.text_warnings import suspicious_text_warnings
from stride_tui.core.model.elements import FORMAT_VERSION, ThreatModel

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 24
MAX_DIAGNOSTICS = 200

_BOM = b"\xef\xbb\xbf"
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)


@dataclass
class LoadedModel:
    """A validated model plus what was learnt while reading it."""

    model: ThreatModel
    file: str
    raw: bytes
    warnings: list[Diagnostic] = field(default_factory=list)
    comment_lines: list[int] = field(default_factory=list)


def load_model(path: str | Path) -> LoadedModel:
    """Read and validate the model file at ``path``; raise ``ModelError`` with every problem."""
    file = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise ModelError([_too_big(file, size)])
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ModelError([Diagnostic(file, "no such file")]) from None
    except IsADirectoryError:
        raise ModelError([Diagnostic(file, "is a directory, not a model file")]) from None
    except OSError as exc:
        raise ModelError([Diagnostic(file, f"cannot read: {exc.strerror or exc}")]) from None
    return parse_model(raw, file)


def parse_model(raw: bytes, file: str = "<model>") -> LoadedModel:
    """Validate the bytes of a model file; raise ``ModelError`` with every problem."""
    text = decode_model_text(raw, file)
    data = parse_toml(text, file)
    source_map = SourceMap(text)
    diagnostics = _check_version(data, file, source_map)
    if diagnostics:
        raise ModelError(diagnostics)
    model = None
    try:
        gc_was_enabled = gc.isenabled()
        gc.disable()  # validation of thousands of objects is dominated by the cyclic GC
        try:
            model = ThreatModel.model_validate(data)
        finally:
            if gc_was_enabled:
                gc.enable()
    except ValidationError as exc:
        diagnostics.extend(translate_errors(exc, data, file, source_map))
    diagnostics.extend(check_references(data, file, source_map))
    if diagnostics or model is None:
        raise ModelError(_sorted_capped(diagnostics, file))
    warnings = suspicious_text_warnings(model, file, source_map)
    comments = comment_lines(text) if "#" in text else []
    return LoadedModel(model, file, raw, warnings, comments)


def decode_model_text(raw: bytes, file: str) -> str:
    """Turn file bytes into text, refusing what is clearly not a model file."""
    if len(raw) > MAX_FILE_BYTES:
        raise ModelError([_too_big(file, len(raw))])
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if not raw.strip():
        raise ModelError([Diagnostic(file, "file is empty; `stride-tui new FILE` writes a minimal model")])
    if b"\x00" in raw[:8192]:
        raise ModelError([Diagnostic(file, "binary file, not a TOML model")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ModelError(
            [
                Diagnostic(
                    file,
                    f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                    line,
                    col,
                )
            ]
        ) from None
    conflicts = _conflict_blocks(text)
    if conflicts:
        raise ModelError(
            [
                Diagnostic(
                    file,
                    f"unresolved merge conflict at lines {start}–{end}: resolve it with git "
                    "(keep one side), then run `stride-tui validate`",
                    start,
                    1,
                )
                for start, end in conflicts
            ]
        )
    return text


def parse_toml(text: str, file: str) -> dict:
    """Parse TOML text, turning every parser failure into a positioned diagnostic."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise ModelError([_toml_error(exc, text, file)]) from None
    except RecursionError:
        raise ModelError([Diagnostic(file, f"values nested too deeply (more than {MAX_DEPTH} levels)")]) from None
    too_deep = _too_deep(data)
    if too_deep is not None:
        line, col = SourceMap(text).position(too_deep) or (None, None)
        raise ModelError([Diagnostic(file, f"values nested too deeply (more than {MAX_DEPTH} levels)", line, col)])
    return data


def toml_error_message(message: str) -> str:
    """tomli's parser message in words a model author acts on."""
    if message == "Cannot overwrite a value":
        return "duplicate key: a key may be set only once in a table"
    if message.startswith("Cannot declare") and message.endswith("twice"):
        return "duplicate table: this table is already declared above"
    if message in ("Illegal character '\\n'", "Unterminated string"):
        return 'unterminated string: close the quotes on the same line, or use """ for multi-line text'
    return message


def _toml_error(exc: tomli.TOMLDecodeError, text: str, file: str) -> Diagnostic:
    message = toml_error_message(exc.msg)
    first = text.lstrip()[:1]
    if first in "{[" and text.lstrip().startswith(("{", "[{", '["')):
        message = (
            "not a TOML model: this looks like JSON (a Threat Dragon file is imported with "
            "`stride-tui import FILE --from threat-dragon -o MODEL`)"
        )
    else:
        message = f"invalid TOML: {message}"
    return Diagnostic(file, message, exc.lineno, exc.colno)


def _check_version(data: dict, file: str, source_map: SourceMap) -> list[Diagnostic]:
    version = data.get("stride_tui")
    where = source_map.position(("stride_tui",)) or (1, 1)
    if version is None:
        return [
            Diagnostic(
                file,
                "missing format version: add `stride_tui = 1` as the first line (is this a stride-tui model?)",
                1,
                1,
                field=("stride_tui",),
            )
        ]
    if type(version) is not int:
        return [Diagnostic(file, "`stride_tui` (the format version) must be an integer, e.g. 1", *where)]
    if version > FORMAT_VERSION:
        return [
            Diagnostic(
                file,
                f"format version {version} is newer than this stride-tui reads "
                f"({FORMAT_VERSION}); upgrade stride-tui to open it",
                *where,
            )
        ]
    if version < 1:
        return [Diagnostic(file, f"format version must be {FORMAT_VERSION}, not {version}", *where)]
    return []


def _conflict_blocks(text: str) -> list[tuple[int, int]]:
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return []
    blocks: list[tuple[int, int]] = []
    start = None
    for match in _CONFLICT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        marker = match.group(1)[0]
        if marker == "<":
            start = line
        elif marker == ">":
            blocks.append((start or line, line))
            start = None
    if start is not None:
        blocks.append((start, start))
    return blocks


def _too_deep(data: dict) -> tuple[str | int, ...] | None:
    stack: list[tuple[object, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value) if isinstance(v, (dict, list)))
    return None


def _too_big(file: str, size: int) -> Diagnostic:
    return Diagnostic(file, f"file is {size:,} bytes; the limit for a model is {MAX_FILE_BYTES:,} bytes")


def _sorted_capped(diagnostics: list[Diagnostic], file: str) -> list[Diagnostic]:
    ordered = sorted(diagnostics, key=lambda d: (d.line or 0, d.col or 0, d.message))
    if len(ordered) > MAX_DIAGNOSTICS:
        more = len(ordered) - MAX_DIAGNOSTICS
        ordered = [*ordered[:MAX_DIAGNOSTICS], Diagnostic(file, f"… and {more} more errors")]
    return ordered
