"""Map TOML key paths to the line and column where the file writes them.

tomllib returns plain dicts with no positions, so a validation error would only say *which*
field is wrong. This scanner reads the source once more (only when positions are needed) and
records where each table header and each ``key =`` line sits, so errors can point at them.
It understands headers, dotted and quoted keys, comments, and values spanning lines
(multi-line strings, arrays, inline tables); keys inside inline tables map to their parent.
"""

from __future__ import annotations

import re

Position = tuple[int, int]  # 1-based line and column

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _parse_key(text: str, start: int) -> tuple[list[str], int] | None:
    """Parse a (dotted, possibly quoted) key at ``text[start:]``; return parts and end index."""
    parts: list[str] = []
    i = start
    n = len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return None
        ch = text[i]
        if ch == '"':
            j = i + 1
            buf = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    buf.append(_unescape(text[j : j + 2]))
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                return None
            parts.append("".join(buf))
            i = j + 1
        elif ch == "'":
            j = text.find("'", i + 1)
            if j < 0:
                return None
            parts.append(text[i + 1 : j])
            i = j + 1
        else:
            m = _BARE.match(text, i)
            if not m:
                return None
            parts.append(m.group())
            i = m.end()
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        return parts, i


def _unescape(pair: str) -> str:
    return {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t"}.get(pair, pair)


def _value_state(value: str, state: list) -> bool:
    """Advance the open-construct state over one chunk of a value; True if a comment starts.

    ``state`` is ``[depth, open_string]`` where ``open_string`` is ``'\"\"\"'``, ``"'''"`` or ``""``.
    """
    depth, open_string = state
    i = 0
    n = len(value)
    while i < n:
        if open_string:
            end = value.find(open_string, i)
            if open_string == '"""':
                # skip escaped quotes inside a basic multi-line string
                while end > 0 and _escaped(value, end):
                    end = value.find(open_string, end + 1)
            if end < 0:
                break
            i = end + 3
            while i < n and value[i] == open_string[0]:
                i += 1  # up to two extra quotes may close the string
            open_string = ""
            continue
        ch = value[i]
        if ch == "#":
            state[0], state[1] = depth, open_string
            return True
        if value.startswith('"""', i) or value.startswith("'''", i):
            open_string = value[i : i + 3]
            i += 3
            continue
        if ch == '"':
            j = i + 1
            while j < n and (value[j] != '"' or _escaped(value, j)):
                j += 1
            i = j + 1
            continue
        if ch == "'":
            j = value.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        i += 1
    state[0], state[1] = depth, open_string
    return False


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    index -= 1
    while index >= 0 and text[index] == "\\":
        backslashes += 1
        index -= 1
    return backslashes % 2 == 1


def build_index(source: str) -> dict[tuple[str, ...], Position]:
    """Return where every table header and key of ``source`` is written."""
    index: dict[tuple[str, ...], Position] = {}
    table: tuple[str, ...] = ()
    array_counts: dict[tuple[str, ...], int] = {}
    state: list = [0, ""]
    for lineno, line in enumerate(source.splitlines(), start=1):
        if state[0] > 0 or state[1]:
            _value_state(line, state)
            continue
        stripped = line.lstrip(" \t")
        if not stripped or stripped[0] == "#":
            continue
        col = len(line) - len(stripped) + 1
        if stripped[0] == "[":
            is_array = stripped.startswith("[[")
            parsed = _parse_key(stripped, 2 if is_array else 1)
            if parsed is None:
                continue
            table = tuple(parsed[0])
            if is_array:
                count = array_counts.get(table, 0)
                array_counts[table] = count + 1
                table = (*table, str(count))
            index.setdefault(table, (lineno, col))
            continue
        parsed = _parse_key(stripped, 0)
        if parsed is None:
            continue
        parts, end = parsed
        if end >= len(stripped) or stripped[end] != "=":
            continue
        for depth in range(1, len(parts) + 1):
            index.setdefault(table + tuple(parts[:depth]), (lineno, col))
        value = stripped[end + 1 :]
        if "[" in value or "{" in value or '"""' in value or "'''" in value:
            _value_state(value, state)
    return index


def comment_lines(source: str) -> list[int]:
    """Line numbers holding a TOML comment (which a save through tomli-w cannot keep)."""
    found: list[int] = []
    state: list = [0, ""]
    for lineno, line in enumerate(source.splitlines(), start=1):
        if "#" not in line and not (state[0] or state[1]):
            if '"""' in line or "'''" in line or "[" in line or "{" in line:
                _value_state(_after_key(line), state)
            continue
        if state[0] > 0 or state[1]:
            if _value_state(line, state):
                found.append(lineno)
            continue
        stripped = line.lstrip(" \t")
        if stripped.startswith("#"):
            found.append(lineno)
        elif stripped.startswith("["):
            if "#" in stripped[stripped.rfind("]") :]:
                found.append(lineno)
        elif _value_state(_after_key(stripped), state):
            found.append(lineno)
    return found


def _after_key(line: str) -> str:
    stripped = line.lstrip(" \t")
    if stripped.startswith("["):
        return ""
    parsed = _parse_key(stripped, 0)
    if parsed is None:
        return stripped
    _, end = parsed
    return stripped[end + 1 :]


class SourceMap:
    """Positions of keys in one source text, built lazily on first use."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._index: dict[tuple[str, ...], Position] | None = None

    def position(self, path: tuple[str | int, ...]) -> Position | None:
        """Where ``path`` (or its nearest written ancestor) is written, if anywhere."""
        if self._index is None:
            self._index = build_index(self._source)
        keys = tuple(str(p) for p in path)
        while keys:
            found = self._index.get(keys)
            if found is not None:
                return found
            keys = keys[:-1]
        return None
