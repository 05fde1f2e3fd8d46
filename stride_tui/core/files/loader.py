"""Load a model file: bytes → TOML → validated ``ThreatModel``, or every problem with its place.

The order matters: cheap checks that explain a whole file (too big, binary, not UTF-8, merge
conflict, not TOML) come first; then schema validation and reference checks both run, so one
run reports all problems of a file.
"""

from __future__ import annotations

import gc
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tomli
from pydantic import ValidationError

from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.key_positions import SourceMap, comment_lines
from stride_tui.core.files.schema_errors import translate_errors
from stride_tui.core.files.semantics import check_references
from stride_tui.core.files.storage import leftover_temp_files
from stride_tui.core.files.text_warnings import suspicious_text_warnings
from stride_tui.core.model.elements import FORMAT_VERSION, ThreatModel
from stride_tui.core.text_safety import replace_unprintable

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
        st = os.stat(path)  # follows symlinks: what matters is what would be read
        if not stat.S_ISREG(st.st_mode):
            raise ModelError([Diagnostic(file, f"is {_file_type(st.st_mode)}, not a model file")])
        if st.st_size > MAX_FILE_BYTES:
            raise ModelError([_too_big(file, st.st_size)])
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more than the cap, whatever stat said
        if len(raw) > MAX_FILE_BYTES:
            raise ModelError([_too_big(file, len(raw))])
    except FileNotFoundError:
        raise ModelError([Diagnostic(file, "no such file")]) from None
    except IsADirectoryError:
        raise ModelError([Diagnostic(file, "is a directory, not a model file")]) from None
    except OSError as exc:
        raise ModelError([Diagnostic(file, f"cannot read: {exc.strerror or exc}")]) from None
    loaded = parse_model(raw, file)
    for leftover in leftover_temp_files(path):
        loaded.warnings.append(
            Diagnostic(
                file, f"{leftover.name} was left by an interrupted save; the next save removes it", level="warning"
            )
        )
    return loaded


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
        _refuse_deep_values(data, file, source_map)
        diagnostics.extend(translate_errors(exc, data, file, source_map))
    diagnostics.extend(check_references(data, file, source_map))
    if diagnostics or model is None:
        raise ModelError(_sorted_capped(diagnostics, file))
    warnings = suspicious_text_warnings(model, file, source_map, text)
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
    encoding = _wide_encoding(raw)
    if encoding is not None:
        raise ModelError([Diagnostic(file, f"the file is {encoding}; save it as UTF-8 (a model file is UTF-8)")])
    if b"\x00" in raw:
        _refuse_nul(raw, file)
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


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian, with a byte-order mark)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian, with a byte-order mark)"),
    (b"\xff\xfe", "UTF-16 (little-endian, with a byte-order mark)"),
    (b"\xfe\xff", "UTF-16 (big-endian, with a byte-order mark)"),
)


_WIDE_CODECS = (
    ("utf-32-le", 4, "UTF-32 (little-endian, no byte-order mark)"),
    ("utf-32-be", 4, "UTF-32 (big-endian, no byte-order mark)"),
    ("utf-16-le", 2, "UTF-16 (little-endian, no byte-order mark)"),
    ("utf-16-be", 2, "UTF-16 (big-endian, no byte-order mark)"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """The name of the UTF-16 or UTF-32 encoding ``raw`` is in (with or without a byte-order
    mark), or None: such files are text, and calling them "binary" would send the user astray."""
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            return name
    sample = raw[:4096]
    # a model's keys are ASCII, so in UTF-16 about half its bytes are zero (in UTF-32, three in
    # four); a UTF-8 file with a stray NUL has almost none
    if sample.count(0) < 0.3 * len(sample):
        return None
    for codec, unit, name in _WIDE_CODECS:
        try:
            text = sample[: len(sample) - len(sample) % unit].decode(codec)
        except UnicodeDecodeError:
            continue
        # text in that encoding: no NUL once decoded, and (nearly) every character printable
        lines = "".join(text.split())
        unprintable = replace_unprintable(lines, "\x00").count("\x00")
        if lines and "\x00" not in text and unprintable <= 0.05 * len(lines):
            return name
    return None


def _refuse_nul(raw: bytes, file: str) -> None:
    """A text file with a stray NUL gets its place; anything else with NULs is binary."""
    index = raw.index(b"\x00")
    try:
        raw.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError([Diagnostic(file, "binary file, not a TOML model")]) from None
    if raw.count(b"\x00") > 16:
        raise ModelError([Diagnostic(file, "binary file, not a TOML model")])
    line = raw.count(b"\n", 0, index) + 1
    col = len(raw[raw.rfind(b"\n", 0, index) + 1 : index].decode("utf-8", "replace")) + 1
    raise ModelError([Diagnostic(file, "NUL character (U+0000): a model file cannot hold one; delete it", line, col)])


def parse_toml(text: str, file: str) -> dict:
    """Parse TOML text, turning every parser failure into a positioned diagnostic."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise ModelError([_toml_error(exc, text, file)]) from None
    except RecursionError:
        raise ModelError([Diagnostic(file, f"values nested too deeply (more than {MAX_DEPTH} levels)")]) from None
    return data


def _refuse_deep_values(data: dict, file: str, source_map: SourceMap) -> None:
    """Refuse a value nested deeper than ``MAX_DEPTH``, with its place, before anything walks the
    data to explain its other problems. Only a file that fails validation is walked: no field
    of the schema nests deeper than a few levels, so a valid model cannot hold such a value."""
    too_deep = _too_deep(data)
    if too_deep is not None:
        line, col = source_map.position(too_deep) or (None, None)
        raise ModelError([Diagnostic(file, f"values nested too deeply (more than {MAX_DEPTH} levels)", line, col)])


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
    elif _looks_like_yaml(text):
        message = (
            'not a TOML model: this looks like YAML (`key: value`); a model is TOML (`key = "value"`), '
            "and `stride-tui new FILE` writes one to start from"
        )
    elif exc.msg == "Cannot overwrite a value" or exc.msg.startswith("Cannot declare"):
        message = f"invalid TOML: {_duplicate(exc, text)}"
    elif _looks_like_ini(text, exc.lineno):
        message = f'invalid TOML: {message} (this looks like an INI file: TOML needs text in quotes, name = "API")'
    else:
        message = f"invalid TOML: {message}"
    return Diagnostic(file, message, exc.lineno, exc.colno)


_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r'^\s*((?:"[^"]*"|\'[^\']*\'|[\w.-]+)(?:\s*\.\s*(?:"[^"]*"|\'[^\']*\'|[\w-]+))*)\s*=')
_YAML_KEY = re.compile(r"^\s*(?:- )?[\w.\"'-]+:(?:\s|$)")
_TOML_KEY = re.compile(r"^\s*[\w.\"'-]+\s*=")
_INI_VALUE = re.compile(r"^\s*[\w.-]+\s*[=:]\s*([A-Za-z][^\"'\[{]*)$")
_TOML_WORDS = {"true", "false", "inf", "nan"}


def _content_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", ";"))]


def _looks_like_yaml(text: str) -> bool:
    lines = _content_lines(text)
    if not lines:
        return False
    if lines[0].strip() == "---":
        return True
    yaml = sum(1 for line in lines if _YAML_KEY.match(line))
    toml = sum(1 for line in lines if _TOML_KEY.match(line) or _TABLE_HEADER.match(line))
    return yaml >= 2 and yaml > 2 * toml


def _looks_like_ini(text: str, error_line: int | None) -> bool:
    """Whether the line TOML failed on is an INI ``key = text`` under a table header: a hint
    only for that line (any TOML model has headers, and ``encrypted = true`` is no INI value)."""
    lines = text.splitlines()
    if not error_line or error_line > len(lines):
        return False
    value = _INI_VALUE.match(lines[error_line - 1])
    if value is None or value.group(1).strip() in _TOML_WORDS:
        return False
    return any(_TABLE_HEADER.match(line) for line in _content_lines(text))


def _duplicate(exc: tomli.TOMLDecodeError, text: str) -> str:
    """ "duplicate key `title` in [model], already set at line 4": which key, which table, where."""
    lines = text.splitlines()
    number = exc.lineno or 1
    here = lines[number - 1] if 0 < number <= len(lines) else ""
    header = _TABLE_HEADER.match(here)
    if header is not None:  # a table declared twice
        earlier = next((i + 1 for i, line in enumerate(lines[: number - 1]) if _same_header(line, header)), None)
        where = f", already declared at line {earlier}" if earlier else ", already declared above"
        return f"duplicate table [{header.group(1)}]{where}: merge the two into one"
    key_match = _KEY.match(here)
    key = key_match.group(1) if key_match else "?"
    table, start = "the top level", 0
    for index in range(number - 2, -1, -1):
        found = _TABLE_HEADER.match(lines[index])
        if found is not None:
            table, start = f"[{found.group(1)}]", index + 1
            break
    earlier = next((i + 1 for i in range(start, number - 1) if (m := _KEY.match(lines[i])) and m.group(1) == key), None)
    where = f", already set at line {earlier}" if earlier else ", already set above"
    return f"duplicate key `{key}` in {table}{where}: a key may be set only once in a table"


def _same_header(line: str, header: re.Match[str]) -> bool:
    match = _TABLE_HEADER.match(line)
    return match is not None and match.group(1) == header.group(1)


def _check_version(data: dict, file: str, source_map: SourceMap) -> list[Diagnostic]:
    version = data.get("stride_tui")
    if type(version) is int and 1 <= version <= FORMAT_VERSION:
        return []  # the common case: no error to place, so no key-position index to build
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
    where = source_map.position(("stride_tui",)) or (1, 1)
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
    return [Diagnostic(file, f"format version must be {FORMAT_VERSION}, not {version}", *where)]


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
    """The path of the first value nested deeper than ``MAX_DEPTH`` (walking the last key of
    each table first), or None."""
    found = _deeper(data, 0)
    return None if found is None else tuple(reversed(found))


def _deeper(value: dict | list, depth: int) -> list[str | int] | None:
    # the path comes back leaf first; only the containers are walked, and no path is built
    # unless one is too deep (every command loads a model: this runs on every element)
    keys: Iterable[str | int] = reversed(value.keys()) if isinstance(value, dict) else range(len(value) - 1, -1, -1)
    for key in keys:
        child = value[key]  # type: ignore[index]
        if isinstance(child, dict | list):
            if depth >= MAX_DEPTH:
                return [key]
            found = _deeper(child, depth + 1)
            if found is not None:
                found.append(key)
                return found
    return None


def _too_big(file: str, size: int) -> Diagnostic:
    return Diagnostic(file, f"file is {size:,} bytes; the limit for a model is {MAX_FILE_BYTES:,} bytes")


def _sorted_capped(diagnostics: list[Diagnostic], file: str) -> list[Diagnostic]:
    ordered = sorted(diagnostics, key=lambda d: (d.line or 0, d.col or 0, d.message))
    if len(ordered) > MAX_DIAGNOSTICS:
        more = len(ordered) - MAX_DIAGNOSTICS
        ordered = [*ordered[:MAX_DIAGNOSTICS], Diagnostic(file, f"… and {more} more errors")]
    return ordered
