"""Rule conditions: parsed from plain TOML data into a small tree, evaluated and explained.

No condition is ever code. Parsing refuses anything that is not one of the documented forms
(docs/rules.md), caps depth and size, and reports the path of the offending node. Evaluation
reads facts from a flat dict; a missing key means *unknown*.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_DEPTH = 8
MAX_NODES = 64

_FACT_OPS = ("equals", "not_equals", "in", "not_in", "unknown", "contains_any", "at_least", "at_most", "above")
SCALES: dict[str, tuple[str, ...]] = {
    "classification": ("public", "internal", "confidential", "restricted"),
    "integrity": ("low", "medium", "high"),
    "availability": ("low", "medium", "high"),
    "zone_trust": ("internet", "third_party", "dmz", "internal"),
}
"""Facts whose values are ordered, least first: `at_least`, `at_most` and `above` compare them."""
COUNTS = ("callers", "zone_members")
"""Derived facts that are numbers: `at_least` and `at_most` compare them with a number."""
_RANKS = {fact: {v: i for i, v in enumerate(scale)} for fact, scale in SCALES.items()}
_SCALAR = (str, bool, int)


class ConditionError(ValueError):
    """A condition is malformed; ``path`` says where inside ``when``."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class FactTest:
    fact: str
    op: str
    value: object


@dataclass(frozen=True)
class Crosses:
    value: bool


@dataclass(frozen=True)
class ModelHas:
    """Some in-scope component of the model (of ``kind``, or any) satisfies ``item``. The
    analysis computes it once per model and gives every element the answer as fact ``key``."""

    kind: str | None
    item: Condition
    key: str


Condition = All | AnyOf | Not | FactTest | Crosses | ModelHas
NodePath = tuple[str | int, ...]
KnownFact = Callable[[str], str | None]
ComponentFacts = Callable[[str | None], KnownFact]
"""The checker of component facts for a kind (None: any kind), for ``model_has``."""
_KINDS = ("external_entity", "process", "data_store")


def parse_condition(raw: object, known_fact: KnownFact, component_facts: ComponentFacts | None = None) -> Condition:
    """Build a condition tree from TOML data.

    ``known_fact(name)`` returns None when the fact may be read, or an error message;
    ``component_facts(kind)`` gives the checker inside ``model_has`` (None: no ``model_has``).
    """
    counter = [0]
    return _parse(raw, (), 1, counter, known_fact, component_facts)


def _parse(
    raw: object,
    path: NodePath,
    depth: int,
    counter: list[int],
    known_fact: KnownFact,
    component_facts: ComponentFacts | None = None,
) -> Condition:
    if depth > MAX_DEPTH:
        raise ConditionError(f"condition nests deeper than {MAX_DEPTH} levels", path)
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise ConditionError(f"condition has more than {MAX_NODES} parts", path)
    if not isinstance(raw, dict):
        raise ConditionError(
            f'a condition must be a table such as {{ fact = "encrypted", equals = true }}, not {_describe(raw)}',
            path,
        )
    keys = set(raw)
    if keys in ({"all"}, {"any"}):
        key = keys.pop()
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"`{key}` needs a non-empty list of conditions", (*path, key))
        parsed = tuple(
            _parse(item, (*path, key, i), depth + 1, counter, known_fact, component_facts)
            for i, item in enumerate(items)
        )
        return All(parsed) if key == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(_parse(raw["not"], (*path, "not"), depth + 1, counter, known_fact, component_facts))
    if keys == {"model_has"}:
        return _parse_model_has(raw["model_has"], (*path, "model_has"), depth, counter, component_facts)
    if keys == {"crosses_boundary"}:
        if not isinstance(raw["crosses_boundary"], bool):
            raise ConditionError("`crosses_boundary` must be true or false", path)
        problem = known_fact("crosses_boundary")
        if problem:
            raise ConditionError(problem, path)
        return Crosses(raw["crosses_boundary"])
    if "fact" in keys:
        return _parse_fact(raw, path, known_fact)
    shown = ", ".join(sorted(map(str, keys))) or "nothing"
    raise ConditionError(
        f"unknown condition with keys {shown}: use all, any, not, crosses_boundary, model_has, or fact "
        f"with one of {', '.join(_FACT_OPS)}",
        path,
    )


def _parse_fact(raw: dict[str, object], path: NodePath, known_fact: KnownFact) -> FactTest:
    fact = raw["fact"]
    if not isinstance(fact, str):
        raise ConditionError("`fact` must be the name of a fact, in quotes", path)
    problem = known_fact(fact)
    if problem:
        raise ConditionError(problem, path)
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in _FACT_OPS:
        raise ConditionError(
            f"a fact test needs exactly one of {', '.join(_FACT_OPS)}; got {', '.join(ops) or 'none'}",
            path,
        )
    op = ops[0]
    value = raw[op]
    if op in ("in", "not_in", "contains_any"):
        if not isinstance(value, list) or not value or not all(isinstance(v, _SCALAR) for v in value):
            raise ConditionError(f"`{op}` needs a non-empty list of values", (*path, op))
        if op == "contains_any":
            if not all(isinstance(v, str) for v in value):
                raise ConditionError("`contains_any` needs a list of words", (*path, op))
            value = tuple(v.lower() for v in value)
        else:
            value = tuple(value)
    elif op == "unknown":
        if not isinstance(value, bool):
            raise ConditionError("`unknown` must be true or false", (*path, op))
    elif op in ("at_least", "at_most", "above"):
        _check_order(fact, op, value, (*path, op), known_fact)
    elif not isinstance(value, _SCALAR):
        raise ConditionError(f"`{op}` needs a single value (text, true/false or a number)", (*path, op))
    return FactTest(fact, op, value)


def _parse_model_has(
    raw: object, path: NodePath, depth: int, counter: list[int], component_facts: ComponentFacts | None
) -> ModelHas:
    if component_facts is None:
        raise ConditionError("`model_has` cannot be used here (not inside another `model_has`)", path)
    if not isinstance(raw, dict) or "when" not in raw or set(raw) - {"kind", "when"}:
        raise ConditionError('`model_has` needs a table { kind = "process", when = { … } } (kind is optional)', path)
    kind = raw.get("kind")
    if kind is not None and kind not in _KINDS:
        raise ConditionError(f"`kind` must be one of {', '.join(_KINDS)}", (*path, "kind"))
    item = _parse(raw["when"], (*path, "when"), depth + 1, counter, component_facts(kind), None)
    # one key per distinct question, the same in every rule that asks it
    key = "model_has:" + json.dumps({"kind": kind, "when": raw["when"]}, sort_keys=True)
    return ModelHas(kind, item, key)


def _check_order(fact: str, op: str, value: object, path: NodePath, known_fact: KnownFact) -> None:
    """An ordered comparison must compare like with like: a count with a number, a scaled fact
    with one of its values (or, for ``above``, with another fact of the same scale)."""
    base = fact.rpartition(".")[2]
    if op == "above":
        other = value.rpartition(".")[2] if isinstance(value, str) else None
        if other is None or base not in SCALES or SCALES.get(other) != SCALES[base]:
            scaled = ", ".join(SCALES)
            raise ConditionError(f"`above` compares two facts of one scale ({scaled}), by name", path)
        problem = known_fact(str(value))
        if problem:
            raise ConditionError(problem, path)
    elif base in COUNTS:
        if type(value) is not int:
            raise ConditionError(f"`{op}` on the count `{fact}` needs a whole number", path)
    elif base in SCALES:
        if value not in SCALES[base]:
            raise ConditionError(f"`{op}` on `{fact}` needs one of {', '.join(SCALES[base])}", path)
    else:
        ordered = ", ".join([*SCALES, *COUNTS])
        raise ConditionError(f"`{op}` needs an ordered fact ({ordered}); `{fact}` is not one", path)


def _ordered(fact: str, op: str, value: object, other: object) -> bool:
    """``at_least`` / ``at_most`` / ``above`` on known values (an unknown one never compares)."""
    if value is None or other is None:
        return False
    base = fact.rpartition(".")[2]
    if base in COUNTS:
        if type(value) is not int or type(other) is not int:
            return False
        a, b = value, other
    else:
        ranks = _RANKS[base]
        if value not in ranks or other not in ranks:
            return False
        a, b = ranks[value], ranks[other]
    if op == "at_least":
        return a >= b
    if op == "at_most":
        return a <= b
    return a > b


def evaluate(cond: Condition, facts: Mapping[str, object]) -> bool:
    """Whether ``cond`` holds for an element whose known facts are ``facts``."""
    if isinstance(cond, FactTest):
        if cond.op == "above":  # the only test that reads a second fact
            return _ordered(cond.fact, "above", facts.get(cond.fact), facts.get(str(cond.value)))
        return _test(cond, facts.get(cond.fact))
    if isinstance(cond, All):
        return all(evaluate(c, facts) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(evaluate(c, facts) for c in cond.items)
    if isinstance(cond, Not):
        return not evaluate(cond.item, facts)
    if isinstance(cond, ModelHas):
        return facts.get(cond.key) is True
    return bool(facts.get("crosses_boundary")) == cond.value


def _test(cond: FactTest, value: object) -> bool:
    op = cond.op
    if op in ("at_least", "at_most"):
        return _ordered(cond.fact, op, value, cond.value)
    if op == "equals":
        return value is not None and _same(value, cond.value)
    if op == "not_equals":
        return value is None or not _same(value, cond.value)
    if op == "in":
        return value is not None and any(_same(value, v) for v in _listed(cond))
    if op == "not_in":
        return value is None or not any(_same(value, v) for v in _listed(cond))
    if op == "unknown":
        return (value is None) == cond.value
    return _contains_any(value, _word_pattern(_listed(cond)))


def _listed(cond: FactTest) -> tuple[object, ...]:
    # parsing stores the list of an `in`, `not_in` or `contains_any` test as a tuple
    assert isinstance(cond.value, tuple)
    return cond.value


@functools.lru_cache(maxsize=4096)
def _word_pattern(words: tuple[object, ...]) -> re.Pattern[str]:
    # a word of the value starts with one of the words: "postgres" matches "aws rds postgresql 15",
    # but "rmi" does not match "permissions"
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(str(word)) for word in words) + ")")


def _contains_any(value: object, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, str):
        return pattern.search(value.lower()) is not None
    if isinstance(value, list | tuple):
        return any(pattern.search(str(item).lower()) is not None for item in value)
    return False


Predicate = Callable[[Mapping[str, object]], bool]


def _member(value: object, options: frozenset) -> bool:
    try:
        return (type(value), value) in options
    except TypeError:  # a list fact (tags) is never one of the scalar options
        return False


def compile_condition(cond: Condition) -> Predicate:
    """A fast closure equivalent to ``evaluate(cond, facts)``; built once per rule."""
    if isinstance(cond, FactTest):
        return _compile_test(cond)
    if isinstance(cond, Crosses):
        want = cond.value
        return lambda facts: bool(facts.get("crosses_boundary")) is want
    if isinstance(cond, ModelHas):
        key = cond.key
        return lambda facts: facts.get(key) is True
    if isinstance(cond, Not):
        inner = compile_condition(cond.item)
        return lambda facts: not inner(facts)
    # the result does not depend on the order of the parts: cheap tests first, word searches last
    items = sorted(cond.items, key=lambda c: isinstance(c, FactTest) and c.op == "contains_any")
    parts = [compile_condition(c) for c in items]
    return _all_of(parts) if isinstance(cond, All) else _any_of(parts)


def _all_of(parts: list[Predicate]) -> Predicate:
    # unrolled on purpose, like _any_of below: the hot path of every analysis (all() with a
    # generator made a whole analysis about a fifth slower); one call per part, nothing else
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return lambda facts: a(facts) and b(facts)
    if len(parts) == 3:
        a, b, c = parts
        return lambda facts: a(facts) and b(facts) and c(facts)
    if len(parts) == 4:
        a, b, c, d = parts
        return lambda facts: a(facts) and b(facts) and c(facts) and d(facts)
    first, rest = _all_of(parts[:4]), _all_of(parts[4:])
    return lambda facts: first(facts) and rest(facts)


def _any_of(parts: list[Predicate]) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return lambda facts: a(facts) or b(facts)
    if len(parts) == 3:
        a, b, c = parts
        return lambda facts: a(facts) or b(facts) or c(facts)
    if len(parts) == 4:
        a, b, c, d = parts
        return lambda facts: a(facts) or b(facts) or c(facts) or d(facts)
    first, rest = _any_of(parts[:4]), _any_of(parts[4:])
    return lambda facts: first(facts) or rest(facts)


def facts_read(cond: Condition) -> tuple[str, ...]:
    """The fact keys a condition looks at, in order (``crosses_boundary`` included)."""
    if isinstance(cond, FactTest):
        return (cond.fact, str(cond.value)) if cond.op == "above" else (cond.fact,)
    if isinstance(cond, Crosses):
        return ("crosses_boundary",)
    if isinstance(cond, ModelHas):
        return (cond.key,)
    if isinstance(cond, Not):
        return facts_read(cond.item)
    keys: list[str] = []
    for item in cond.items:
        keys.extend(k for k in facts_read(item) if k not in keys)
    return tuple(keys)


def _compile_test(cond: FactTest) -> Predicate:
    key, op, expected = cond.fact, cond.op, cond.value
    if op in ("equals", "not_equals"):
        kind = type(expected)
        if kind is bool:  # true and false are the only bools: the type test is an identity test
            if op == "equals":
                return lambda facts: facts.get(key) is expected
            return lambda facts: facts.get(key) is not expected
        if op == "equals":
            return lambda facts: (v := facts.get(key)) is not None and type(v) is kind and v == expected
        return lambda facts: (v := facts.get(key)) is None or type(v) is not kind or v != expected
    if op in ("in", "not_in"):
        options = frozenset((type(x), x) for x in _listed(cond))
        if op == "in":
            return lambda facts: (v := facts.get(key)) is not None and _member(v, options)
        return lambda facts: (v := facts.get(key)) is None or not _member(v, options)
    if op == "unknown":
        return lambda facts: (facts.get(key) is None) == expected
    if op in ("at_least", "at_most"):
        return lambda facts: _ordered(key, op, facts.get(key), expected)
    if op == "above":
        other = str(expected)
        return lambda facts: _ordered(key, op, facts.get(key), facts.get(other))
    pattern = _word_pattern(_listed(cond))
    # facts repeat (families, stakes, protocols): each distinct value is searched once
    seen: dict[object, bool] = {}

    def contains_any(facts: Mapping[str, object]) -> bool:
        value = facts.get(key)
        if type(value) is list:  # facts from the analysis are tuples; a caller's may not be
            return _contains_any(value, pattern)
        found = seen.get(value)
        if found is None:
            if len(seen) > 10_000:
                seen.clear()
            found = seen[value] = _contains_any(value, pattern)
        return found

    return contains_any


def _same(a: object, b: object) -> bool:
    # bool is an int in Python: keep `true` from equalling `1`
    return type(a) is type(b) and a == b


def explain(cond: Condition, facts: Mapping[str, object], crossings_text: str) -> list[str]:
    """The facts behind the current outcome of ``cond``, worded for a reviewer.

    ``crossings_text`` is the reason given for a ``crosses_boundary`` test (which boundaries,
    which direction).
    """
    return _explain(cond, facts, crossings_text)[1]


def _explain(cond: Condition, facts: Mapping[str, object], crossings_text: str) -> tuple[bool, list[str]]:
    if isinstance(cond, FactTest):
        value = facts.get(cond.fact)
        if cond.op == "above":
            other = str(cond.value)
            return evaluate(cond, facts), [_fact_reason(cond.fact, value), _fact_reason(other, facts.get(other))]
        return _test(cond, value), [_fact_reason(cond.fact, value)]
    if isinstance(cond, Crosses):
        return evaluate(cond, facts), [crossings_text]
    if isinstance(cond, ModelHas):
        found = facts.get(cond.key) is True
        what = cond.kind.replace("_", " ") if cond.kind else "component"
        where = describe(cond.item)
        return found, [f"the model has a {what} where {where}" if found else f"no {what} in the model where {where}"]
    if isinstance(cond, Not):
        result, why = _explain(cond.item, facts, crossings_text)
        return not result, why
    results = [_explain(c, facts, crossings_text) for c in cond.items]
    if isinstance(cond, All):
        outcome = all(r for r, _ in results)
        chosen = results if outcome else [x for x in results if not x[0]]
    else:
        outcome = any(r for r, _ in results)
        chosen = [x for x in results if x[0]] if outcome else results
    reasons: list[str] = []
    for _, rs in chosen:
        reasons.extend(r for r in rs if r not in reasons)
    return outcome, reasons


def describe(cond: Condition) -> str:
    """A condition in words, for explanations of ``model_has`` ("`family` names "secrets-store"")."""
    if isinstance(cond, FactTest):
        words = {
            "equals": "is",
            "not_equals": "is not",
            "in": "is",
            "not_in": "is neither",
            "contains_any": "names",
            "at_least": "is at least",
            "at_most": "is at most",
            "above": "is above",
        }
        if cond.op == "unknown":
            return f"`{cond.fact}` is {'unknown' if cond.value else 'known'}"
        if cond.op == "above":
            value = f"`{cond.value}`"
        elif isinstance(cond.value, tuple):
            value = (" nor " if cond.op == "not_in" else " or ").join(format_value(v) for v in cond.value)
        else:
            value = format_value(cond.value)
        return f"`{cond.fact}` {words[cond.op]} {value}"
    if isinstance(cond, Not):
        return f"not ({describe(cond.item)})"
    if isinstance(cond, All | AnyOf):
        joiner = " and " if isinstance(cond, All) else " or "
        return joiner.join(describe(c) for c in cond.items)
    if isinstance(cond, Crosses):
        return "it crosses a boundary" if cond.value else "it crosses no boundary"
    return "…"


def model_queries(cond: Condition | None) -> list[ModelHas]:
    """The ``model_has`` conditions inside ``cond``: the analysis answers each once per model."""
    if isinstance(cond, ModelHas):
        return [cond]
    if isinstance(cond, Not):
        return model_queries(cond.item)
    if isinstance(cond, All | AnyOf):
        return [q for c in cond.items for q in model_queries(c)]
    return []


def _fact_reason(fact: str, value: object) -> str:
    if value is None:
        return f"`{fact}` is unknown (not shown to be mitigated)"
    return f"`{fact}` is {format_value(value)}"


def format_value(value: object) -> str:
    """A fact value as the model file spells it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def _describe(raw: object) -> str:
    if isinstance(raw, str):
        return "a string"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, bool):
        return "true/false"
    return type(raw).__name__
