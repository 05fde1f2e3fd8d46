"""Provisional findings: the ones that fire only because a fact is unknown, and which facts.

A rule treats an unknown fact as "not shown to be mitigated", so it fires (fail closed). Such a
finding is *provisional* when some answer to the unknown facts it reads would switch it off: the
facts whose answers can do that are the questions it rests on (DESIGN §8). Only facts a person
can answer count (keys of the element, or of a flow's source or target); derived facts such as
exposure are always known.
"""

from __future__ import annotations

import itertools
import types
import typing
from collections.abc import Mapping

from stride_tui.core.analysis.conditions import All, AnyOf, Condition, FactTest, Not
from stride_tui.core.analysis.rules import Rule
from stride_tui.core.model.elements import COMPONENT_CLASSES, Flow

T = typing.TypeVar("T")

_OTHER = "\x00another value\x00"
"""Stands for "any value the rule does not name" of a free-text fact."""
_MAX_COMBINATIONS = 512
_NOT_ASKED = {"name", "description", "out_of_scope", "out_of_scope_reason", "source", "target", "kind", "boundary"}
_NOT_ASKED |= {"response_to", "tags"}
# what an element is, rather than a control it has: a rule uses them to stay off the wrong
# elements, and "is the secrets store a queue?" is no question worth a squad's minute
_NOT_ASKED |= {"is_log", "is_queue", "forwards", "llm"}


def _values_of(annotation: object) -> tuple[object, ...] | None:
    """The values a person could answer for a field: true/false, the listed words, or None
    for free text (its candidates come from the rule)."""
    for arg in typing.get_args(annotation) or (annotation,):
        if arg is type(None):
            continue
        if arg is bool:
            return (True, False)
        if typing.get_origin(arg) is typing.Literal:
            return typing.get_args(arg)
        if isinstance(arg, types.GenericAlias):  # a list: tags
            return None
        inner = typing.get_args(arg)
        if inner and typing.get_origin(inner[0]) is typing.Literal:  # Annotated[Literal[...]]
            return typing.get_args(inner[0])
    return None


def _answerable(fields: Mapping[str, object]) -> dict[str, tuple[object, ...] | None]:
    return {key: _values_of(info.annotation) for key, info in fields.items() if key not in _NOT_ASKED}  # type: ignore[attr-defined]


ANSWERABLE: dict[str, dict[str, tuple[object, ...] | None]] = {
    kind: _answerable(cls.model_fields) for kind, cls in COMPONENT_CLASSES.items()
}
"""For each component kind, the facts a person can answer, with their possible values."""
ANSWERABLE["flow"] = _answerable(Flow.model_fields)


def owner_of(fact: str, element: T, ends: tuple[T, T] | None) -> tuple[T, str]:
    """The element and key a fact read by a rule belongs to: ``target.audit_log`` on a flow is
    the target's ``audit_log``. The element and a flow's ends may be ids or anything standing for
    them (the engine passes positions, shared by every element)."""
    prefix, _, key = fact.partition(".")
    if key and ends is not None and prefix in ("source", "target"):
        return (ends[0] if prefix == "source" else ends[1]), key
    return element, fact


def _answerable_values(fact: str, facts: Mapping[str, object], kind: str) -> tuple[object, ...] | bool | None:
    """Possible values of an unknown fact the element can have; False when nobody can answer it."""
    prefix, _, key = fact.partition(".")
    if key and prefix in ("source", "target"):
        kind = str(facts.get(f"{prefix}.kind", ""))
        fact = key
    table = ANSWERABLE.get(kind, {})
    if fact not in table:
        return False
    return table[fact]


def _named_values(cond: Condition, fact: str) -> list[object]:
    """Values the condition compares ``fact`` with: the answers that can change its outcome."""
    if isinstance(cond, FactTest):
        if cond.fact != fact or cond.op in ("unknown", "above"):
            return []
        return list(cond.value) if isinstance(cond.value, tuple) else [cond.value]
    if isinstance(cond, Not):
        return _named_values(cond.item, fact)
    if isinstance(cond, All | AnyOf):
        return [v for c in cond.items for v in _named_values(c, fact)]
    return []


def settling_facts(rule: Rule, facts: Mapping[str, object], kind: str) -> tuple[str, ...]:
    """The unknown facts whose answers could switch this firing rule off (empty: the finding
    stands whatever the answers): first the facts that can do it alone, else every fact of the
    first combination of answers that does."""
    predicate, condition = rule.predicate, rule.condition
    if predicate is None or condition is None:
        return ()  # STRIDE per element: it applies whatever the facts
    candidates: dict[str, list[object]] = {}
    for fact in rule.facts_read:
        if facts.get(fact) is not None:
            continue
        values = _answerable_values(fact, facts, kind)
        if values is False:
            continue
        if isinstance(values, tuple):
            candidates[fact] = list(values)
        else:  # free text: the words the rule looks for, or anything else
            candidates[fact] = [*dict.fromkeys(_named_values(condition, fact)), _OTHER]
    if not candidates:
        return ()
    alone = tuple(
        fact for fact, options in candidates.items() if any(not predicate({**facts, fact: v}) for v in options)
    )
    if alone:
        return alone
    names = list(candidates)
    for combination in itertools.islice(itertools.product(*candidates.values()), _MAX_COMBINATIONS):
        if not predicate({**facts, **dict(zip(names, combination, strict=True))}):
            return tuple(names)
    return ()
