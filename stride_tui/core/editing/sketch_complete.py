"""Completion for sketch lines: the name being typed at the end of a line, finished from the model.

The part after the last ``>`` or ``,`` (or after a boundary line's ``]``) is a component's name;
inside ``[`` … (or after a ``/`` there) it is a boundary's. Matching ignores case. One match is
completed whole (a boundary with its closing ``]``, saving a key); several are completed as far
as they agree, the way a shell does, and listed so the user knows what to type next. Facts after
``:`` and kinds in ``( )`` are not completed: they are short words the help lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stride_tui.core.model.elements import ThreatModel

_NAME_BREAKS = ">,]"


@dataclass(frozen=True)
class Completion:
    """What completing a line gives: the new line, and every name that matched."""

    line: str
    """The line completed as far as it can be (the line itself when nothing matched)."""
    candidates: tuple[str, ...] = field(default_factory=tuple)
    """The names that match what was typed, sorted (empty when none, or the line is finished)."""


def _fragment(line: str) -> tuple[str, bool] | None:
    """The text being typed at the end of ``line``, and whether it names a boundary; None where
    nothing is completed (facts after ``:``, a kind in ``( )``, inside quotes)."""
    depth_square, quoted, start, boundary = 0, False, 0, False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == ":" and depth_square == 0:
            return None
        elif char == "[":
            depth_square += 1
            start, boundary = index + 1, True
        elif char == "/" and depth_square > 0:
            start = index + 1
        elif char == "]":
            depth_square = max(depth_square - 1, 0)
            start, boundary = index + 1, False
        elif char in _NAME_BREAKS and depth_square == 0:
            start, boundary = index + 1, False
    if quoted:
        return None
    text = line[start:]
    if "(" in text or ")" in text:
        return None
    return text, boundary


def _names(model: ThreatModel, boundary: bool) -> list[str]:
    table = model.boundaries if boundary else model.components
    return sorted({element.name or element_id for element_id, element in table.items()}, key=str.casefold)


def complete(model: ThreatModel, line: str) -> Completion:
    """``line`` with the name at its end completed from ``model`` (see the module docstring)."""
    found = _fragment(line)
    if found is None:
        return Completion(line)
    text, boundary = found
    typed = text.lstrip()
    if not typed:
        return Completion(line)
    wanted = typed.casefold()
    matches = [name for name in _names(model, boundary) if name.casefold().startswith(wanted)]
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
