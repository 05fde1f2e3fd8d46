"""Completion for sketch lines: the name being typed at the end of a line, finished from the model.

The part after the last ``>``, ``,`` or ``]`` is a component's name; inside ``[`` … (after a
``/`` or the ``+`` of a nested boundary there) it is a boundary's. The names offered are the
model's and the ones typed earlier in the same line (not applied yet, but named); for a
boundary that matches none of them, the zones the file format knows (Internet, DMZ, Cluster,
Namespace…), so a new model's first boundaries complete too. Matching
ignores case. One match is completed whole (a boundary with its closing ``]``, saving a key);
several are completed as far as they agree, the way a shell does, and listed so the user knows
what to type next. Facts after ``:`` and kinds in ``( )`` are not completed: they are short
words the help lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stride_tui.core.model.elements import BOUNDARY_KINDS, ThreatModel

_NAME_BREAKS = ">,]"
ZONES: tuple[str, ...] = tuple(
    kind.upper() if kind == "dmz" else kind.replace("_", " ").capitalize() for kind in BOUNDARY_KINDS
)
"""Boundary names offered before the model has any: the zones of a boundary's ``kind``."""


@dataclass(frozen=True)
class Completion:
    """What completing a line gives: the new line, and every name that matched."""

    line: str
    """The line completed as far as it can be (the line itself when nothing matched)."""
    candidates: tuple[str, ...] = field(default_factory=tuple)
    """The names that match what was typed, sorted (empty when none, or the line is finished)."""


def _scan(line: str) -> tuple[int, bool, list[str], list[str]] | None:
    """Where the name being typed at the end of ``line`` starts and whether it names a boundary,
    with the component and boundary names typed before it; None where nothing is completed
    (facts after ``:``, inside quotes)."""
    depth_square, quoted, start, boundary = 0, False, 0, False
    components: list[str] = []
    boundaries: list[str] = []

    def done(end: int) -> None:
        # the name from `start` to `end` is finished: remember it (less a kind or a "+")
        name = " ".join(line[start:end].split("(")[0].split())
        if name:
            (boundaries if boundary else components).append(name)

    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == ":" and depth_square == 0:
            return None
        elif char == "[":
            done(index)
            depth_square += 1
            start, boundary = index + 1, True
        elif char == "+" and depth_square > 0 and not line[start:index].strip():
            start = index + 1
        elif char == "/" and depth_square > 0:
            done(index)
            start = index + 1
        elif char == "]":
            done(index)
            depth_square = max(depth_square - 1, 0)
            start, boundary = index + 1, False
        elif char in _NAME_BREAKS and depth_square == 0:
            done(index)
            start, boundary = index + 1, False
    if quoted:
        return None
    return start, boundary, components, boundaries


def _matches(model: ThreatModel, boundary: bool, typed: list[str], wanted: str) -> list[str]:
    """The names that start with ``wanted`` (casefolded): the model's and the line's, else the
    zones (a new model's first boundaries), each once as first spelt, sorted."""
    table = model.boundaries if boundary else model.components
    for names in ([element.name or element_id for element_id, element in table.items()] + typed, ZONES):
        unique = {name.casefold(): name for name in reversed(names) if name.casefold().startswith(wanted)}
        if unique or not boundary:
            return sorted(unique.values(), key=str.casefold)
    return []


def complete(model: ThreatModel, line: str) -> Completion:
    """``line`` with the name at its end completed from ``model`` (see the module docstring)."""
    found = _scan(line)
    if found is None:
        return Completion(line)
    start, boundary, components, boundaries = found
    typed = line[start:].lstrip()
    if not typed or "(" in typed or ")" in typed:
        return Completion(line)  # nothing typed yet, or a kind
    wanted = typed.casefold()
    matches = _matches(model, boundary, boundaries if boundary else components, wanted)
    if not matches:
        return Completion(line)
    # what was typed stays as typed (the sketch finds names whatever their case); the rest is added
    if len(matches) == 1:
        name = matches[0]
        if len(name) == len(typed) and not boundary:
            return Completion(line)  # finished already
        return Completion(line + name[len(typed) :] + ("]" if boundary else ""), (name,))
    # several: as far as they agree, the way a shell completes
    folded = [name.casefold() for name in matches]
    common = next(
        (i for i, chars in enumerate(zip(*folded, strict=False)) if len(set(chars)) > 1), min(map(len, folded))
    )
    return Completion(line + matches[0][len(typed) : common], tuple(matches))


def suggestion(model: ThreatModel, line: str) -> str | None:
    """The line a Tab would give, when that adds something (for an input's grey suggestion)."""
    done = complete(model, line).line
    return done if done != line else None
