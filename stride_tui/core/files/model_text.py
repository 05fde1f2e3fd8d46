"""The canonical TOML text of a model, written entry by entry, each entry's text kept for the next.

The text is exactly what tomli-w writes for the whole document (`model_to_data`): the
top-level keys and ``[model]``, then each section's entries (``[components.api]`` and the tables
under it), with a blank line between tables. tomli-w writes a table's entries one after another,
so the document is the head, then each section's entries' texts joined by blank lines.

Each entry's text is written and parsed back on its own, and kept with the entry object. Models
are immutable values and an edit copies only the entries it changes (`core.model.identity`), so
the next text of an edited model writes and checks only those: the recovery journal writes the
model whenever the user pauses, and writing all 20,000 entries of a 5,000-component model took
0.4 s of the interpreter, shared with the editor's UI thread.
"""

from __future__ import annotations

import tomli
import tomli_w
from pydantic import BaseModel

from stride_tui.core.model.elements import SECTIONS, Decision, ThreatModel


class TextError(Exception):
    """The model cannot be written as TOML that reads back as the same model."""


_Key = tuple[str, str]
_kept: dict[_Key, tuple[BaseModel, str]] = {}
"""(section, key) → the entry last written there and its text: the entries of the last model
written (replaced whole by each new text, so removed entries do not linger)."""

WHOLE_DUMP_FROM = 64
"""New entries from which the whole model is dumped at once (pydantic dumps one model faster
than thousands of entries one by one) instead of each new entry alone."""


def model_text(model: ThreatModel) -> str:
    """The canonical TOML text of ``model``, each part checked by reading it back."""
    global _kept
    kept = _kept
    texts: dict[_Key, tuple[BaseModel, str]] = {}
    new: list[tuple[str, str, BaseModel]] = []
    for section in SECTIONS:
        for key, entry in getattr(model, section).items():
            hit = kept.get((section, key))
            if hit is not None and hit[0] is entry:
                texts[(section, key)] = hit
            else:
                new.append((section, key, entry))
    for (section, key, entry), data in zip(new, _entry_data(model, new), strict=True):
        texts[(section, key)] = (entry, _checked({section: {key: data}}))
    parts = [_checked({"stride_tui": model.stride_tui, "model": _dumped(model.model)})]
    for section in SECTIONS:
        table = getattr(model, section)
        if table:
            parts.append("\n")
            parts.append("\n".join(texts[(section, key)][1] for key in table))
    _kept = texts
    return "".join(parts)


def model_to_data(model: ThreatModel) -> dict:
    """The plain TOML document of a model: unknown facts left out, empty sections dropped."""
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for key, decision in model.decisions.items():
        _dated(data["decisions"][key], decision)
    for section in SECTIONS:
        if not data.get(section):
            data.pop(section, None)
    return data


def _entry_data(model: ThreatModel, new: list[tuple[str, str, BaseModel]]) -> list[dict]:
    """The plain data of each new entry, as the whole model's dump holds it."""
    if len(new) < WHOLE_DUMP_FROM:
        return [_dumped(entry) for _, _, entry in new]
    whole = model_to_data(model)
    return [whole[section][key] for section, key, _ in new]


def _dumped(entry: BaseModel) -> dict:
    return _dated(entry.model_dump(mode="json", by_alias=True, exclude_none=True), entry)


def _dated(data: dict, entry: BaseModel) -> dict:
    if isinstance(entry, Decision) and entry.expires is not None:
        data["expires"] = entry.expires  # a TOML date, not the string JSON mode makes of it
    return data


def _checked(document: dict) -> str:
    """tomli-w's text of ``document``, once it reads back as ``document``."""
    try:
        text = tomli_w.dumps(document, multiline_strings=True)
    except (TypeError, ValueError, RecursionError) as exc:
        raise TextError(f"cannot serialise the model: {exc}") from exc
    try:
        if tomli.loads(text) != document:
            raise TextError("serialised model does not read back identically; nothing was written")
    except tomli.TOMLDecodeError as exc:
        raise TextError(f"serialised model is not valid TOML ({exc}); nothing was written") from exc
    return text
