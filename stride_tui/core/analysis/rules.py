"""Rule files: load and validate them completely (fail closed), then combine into one rule set.

A rule file is untrusted input (it arrives in pull requests and shared packs): it is capped in
size, every key is checked, conditions are data (see ``conditions``), and any problem stops
the run with ``FILE:LINE: error: rule <id>: …`` — never a silently smaller rule set.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from stride_tui.core.analysis.conditions import (
    Condition,
    ConditionError,
    KnownFact,
    Predicate,
    compile_condition,
    facts_read,
    parse_condition,
)
from stride_tui.core.analysis.facts import ALL_COMPONENT_FACTS, COMPONENT_FACTS, FLOW_FACTS
from stride_tui.core.analysis.reference_catalogue import REFERENCE_PATTERN, catalogue_problem, form_problem
from stride_tui.core.analysis.technologies import Catalogue, TechnologySpec, builtin_catalogue
from stride_tui.core.files.diagnostics import Diagnostic, ModelError, field_path
from stride_tui.core.files.key_positions import SourceMap
from stride_tui.core.files.loader import toml_error_message
from stride_tui.core.model.elements import (
    CATEGORIES,
    ID_PATTERN,
    LINE_PATTERN,
    MAX_NAME,
    RULE_ID_PATTERN,
    TEXT_PATTERN,
    VISIBLE_LINE_PATTERN,
    Category,
    Severity,
)

RULES_FORMAT = 1
MAX_RULE_FILE_BYTES = 1024 * 1024
MAX_RULES_PER_FILE = 1000

TargetKind = Literal["flow", "process", "data_store", "external_entity"]
RuleId = Annotated[str, StringConstraints(pattern=RULE_ID_PATTERN)]
# the accepted forms (CAPEC-157, CWE-319, ASVS-V12.1.1, API1:2023, LLM01:2025, ATTACK-T1190, https://…)
# are defined with the catalogues that list their ids; an id must also exist (_reference_problems)
Reference = Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)]
RuleText = Annotated[str, StringConstraints(pattern=TEXT_PATTERN, min_length=1, max_length=4000)]
RuleTitle = Annotated[str, StringConstraints(pattern=LINE_PATTERN, min_length=1, max_length=MAX_NAME)]
RuleReason = Annotated[str, StringConstraints(pattern=VISIBLE_LINE_PATTERN, max_length=MAX_NAME)]


class _RuleSpec(BaseModel):
    """The keys of one ``[rules.<id>]`` table, before its condition is parsed."""

    model_config = ConfigDict(extra="forbid", strict=True)

    target: TargetKind | list[TargetKind]
    category: Category
    severity: Severity
    title: RuleTitle
    description: RuleText
    mitigations: list[RuleText] = Field(min_length=1, max_length=20)
    references: list[Reference] = Field(default_factory=list, max_length=20)
    when: object = None
    raise_severity: bool = True
    remedy: RuleId | None = None
    """The fix that settles this rule: findings of rules sharing a remedy on one element are one
    threat (DESIGN §8). Defaults to the rule's own id."""
    control: RuleTitle | None = None
    """The missing control, in words ("TLS on the flow")."""
    remedy_on: Literal["element", "source", "target"] = "element"
    """Which element owns the control: the element itself, or for a flow its source or target."""
    caller: bool = False
    """A rule about the call itself (the caller's authentication, timeouts, SSRF…): it never
    fires on a response flow, which only carries data back."""
    attack: Literal["callers", "build", "foothold"] = "callers"
    """How an attacker gets at a component rule's weakness, which sets where its likelihood comes
    from: through those who reach the component, through what it is built from, or only once
    already running code in it."""


class _RuleFileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    stride_tui_rules: Literal[1]
    rules: dict[str, dict] = Field(default_factory=dict)
    disable: dict[RuleId, RuleReason] | list[RuleId] = Field(default_factory=dict)
    technologies: dict[Annotated[str, StringConstraints(pattern=ID_PATTERN)], TechnologySpec] = Field(
        default_factory=dict
    )


@dataclass(frozen=True)
class Rule:
    """One validated rule, ready to run."""

    id: str
    targets: tuple[str, ...]
    category: str
    severity: str
    title: str
    description: str
    mitigations: tuple[str, ...]
    references: tuple[str, ...]
    condition: Condition | None
    raise_severity: bool
    file: str
    remedy: str = ""
    """The fix that settles the rule (its own id unless the file names a shared one)."""
    control: str = ""
    """The missing control, in words."""
    remedy_on: str = "element"
    """``element``, or for a flow rule ``source`` / ``target``: who owns the control."""
    caller: bool = False
    """About the call itself: never fires on a response flow."""
    attack: str = "callers"
    """``callers``, ``build`` or ``foothold``: how an attacker gets at a component's weakness."""
    predicate: Predicate | None = field(default=None, compare=False, repr=False)
    facts_read: tuple[str, ...] = field(default=(), compare=False, repr=False)
    explain_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)
    """What its explanation and settling facts depend on: its facts and a flow's ends' kinds
    (a component has no ends)."""
    title_template: Template = field(init=False, compare=False, repr=False)
    description_template: Template = field(init=False, compare=False, repr=False)
    compiled: dict[object, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    """What the analysis engine compiled of the rule, by what for: kept with the rule, so that
    every analyzer of a rule set reuses it (filled by the engine, never read elsewhere)."""
    positions: SourceMap | None = field(default=None, compare=False, repr=False)
    """Where its file writes each key: built on first use, as only an error names a line."""

    @property
    def line(self) -> int | None:
        """The line of the rule's table in its file."""
        found = self.positions.position(("rules", self.id)) if self.positions else None
        return found[0] if found else None

    def __post_init__(self) -> None:
        # compiled once here, so running the rule on thousands of elements stays cheap
        if self.condition is not None:
            object.__setattr__(self, "predicate", compile_condition(self.condition))
            object.__setattr__(self, "facts_read", facts_read(self.condition))
            # each key once (most flow rules read their ends' kinds anyway): the engine builds a
            # key of these values for every finding
            ends = ("source.kind", "target.kind") if "flow" in self.targets else ()
            object.__setattr__(self, "explain_keys", tuple(dict.fromkeys((*ends, *self.facts_read))))
        object.__setattr__(self, "title_template", Template(self.title))
        object.__setattr__(self, "description_template", Template(self.description))


_PLACEHOLDER = re.compile(r"\{(element|source|target|boundaries|data|protocol)\}")


class Template:
    """Rule text with ``{element}``-style placeholders, turned once into a function that fills them."""

    def __init__(self, text: str) -> None:
        pieces = _PLACEHOLDER.split(text)
        self.fill: Callable[[dict[str, str]], str] = _filler(pieces[0::2], pieces[1::2])
        """The text with each placeholder replaced; nothing else is substituted (a value's own
        braces stay as they are: nothing reads the values it inserts)."""


def _filler(literals: list[str], keys: list[str]) -> Callable[[dict[str, str]], str]:
    # the analysis fills two texts for every finding: an f-string of the pieces is several
    # times faster than `str.format_map`, which parses its format string again on every call
    if not keys:
        (only,) = literals
        return lambda values: only
    if len(keys) == 1:
        a, b = literals
        (k,) = keys
        return lambda v: f"{a}{v[k]}{b}"
    if len(keys) == 2:
        a, b, c = literals
        k1, k2 = keys
        return lambda v: f"{a}{v[k1]}{b}{v[k2]}{c}"
    if len(keys) == 3:
        a, b, c, d = literals
        k1, k2, k3 = keys
        return lambda v: f"{a}{v[k1]}{b}{v[k2]}{c}{v[k3]}{d}"
    if len(keys) == 4:
        a, b, c, d, e = literals
        k1, k2, k3, k4 = keys
        return lambda v: f"{a}{v[k1]}{b}{v[k2]}{c}{v[k3]}{d}{v[k4]}{e}"
    if len(keys) == 5:
        a, b, c, d, e, f = literals
        k1, k2, k3, k4, k5 = keys
        return lambda v: f"{a}{v[k1]}{b}{v[k2]}{c}{v[k3]}{d}{v[k4]}{e}{v[k5]}{f}"
    # the literal text's own braces are doubled, so only the placeholders are fields
    escaped = [p.replace("{", "{{").replace("}", "}}") for p in literals]
    text = escaped[0] + "".join(f"{{{k}}}{lit}" for k, lit in zip(keys, escaped[1:], strict=True))
    return text.format_map


@dataclass(frozen=True)
class DisabledRule:
    """A rule switched off by a rule file: which file, and the reason it gives (shown by
    `check`, `threats`, reports and SARIF, so a change that quiets the gate is seen)."""

    rule_id: str
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.rule_id} (disabled by {self.file}: {self.reason})"


@dataclass
class RuleSet:
    """Rules by id in load order, and where each came from."""

    rules: dict[str, Rule] = field(default_factory=dict)
    disabled: dict[str, DisabledRule] = field(default_factory=dict)
    catalogue: Catalogue = field(default_factory=builtin_catalogue)
    """The technologies facts recognise: built in, plus the rule files' ``[technologies]``."""

    def for_kind(self, kind: str) -> list[Rule]:
        """The enabled rules that look at elements of ``kind``."""
        return [r for r in self.rules.values() if kind in r.targets and r.id not in self.disabled]

    def enabled(self) -> list[Rule]:
        """Every rule that runs."""
        return [r for r in self.rules.values() if r.id not in self.disabled]


@dataclass
class RuleFile:
    """The parsed contents of one rule file."""

    file: str
    rules: list[Rule]
    disable: list[tuple[str, str]]
    """(rule id, reason) for each rule the file switches off."""
    technologies: dict[str, TechnologySpec] = field(default_factory=dict)
    """Technologies the file adds to the catalogue."""
    positions: SourceMap | None = None
    """Where the file writes each key (built on first use)."""

    def line(self, *path: str) -> int | None:
        """The line ``path`` (or its nearest written ancestor) is on, if known."""
        found = self.positions.position(path) if self.positions else None
        return found[0] if found else None


def parse_rule_file(raw: bytes, file: str) -> RuleFile:
    """Validate one rule file completely; raise ``ModelError`` with every problem."""
    if len(raw) > MAX_RULE_FILE_BYTES:
        raise ModelError([Diagnostic(file, f"rule file is larger than {MAX_RULE_FILE_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelError([Diagnostic(file, "rule file is not valid UTF-8")]) from None
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = f"invalid TOML: {toml_error_message(exc.msg)}"
        raise ModelError([Diagnostic(file, message, exc.lineno, exc.colno)]) from None
    except RecursionError:
        raise ModelError([Diagnostic(file, "values nested too deeply")]) from None
    source_map = SourceMap(text)
    problems: list[Diagnostic] = []

    def report(path: tuple, message: str) -> None:
        line, col = source_map.position(path) or (None, None)
        problems.append(Diagnostic(file, message, line, col, field=path))

    try:
        spec = _RuleFileSpec.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if p != "[key]")
            if error["type"] == "extra_forbidden":
                report(
                    loc,
                    f"unknown key `{loc[-1]}` (a rule file holds stride_tui_rules, rules, disable and technologies)",
                )
            elif loc[:1] == ("disable",) and error["type"] == "string_pattern_mismatch":
                report(loc, f"disabled rule `{loc[-1]}` needs a reason that says why (one line of visible text)")
            elif loc == ("stride_tui_rules",):
                report(loc, "a rule file must start with `stride_tui_rules = 1`")
            else:
                report(loc, f"`{field_path(loc)}`: {error['msg']}")
        raise ModelError(problems) from None
    if len(spec.rules) > MAX_RULES_PER_FILE:
        raise ModelError([Diagnostic(file, f"more than {MAX_RULES_PER_FILE} rules in one file")])

    rules: list[Rule] = []
    for rule_id, body in spec.rules.items():
        rule = _parse_rule(rule_id, body, file, source_map, report)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise ModelError(sorted(problems, key=lambda d: (d.line or 0, d.message)))
    if isinstance(spec.disable, list) and spec.disable:
        line = (source_map.position(("disable",)) or (None,))[0]
        table = "".join(f'{rid} = "why it does not apply here"\n' for rid in spec.disable)
        raise ModelError(
            [Diagnostic(file, "a disabled rule needs a reason, so reviewers see why: write\n[disable]\n" + table, line)]
        )
    disable = list(spec.disable.items()) if isinstance(spec.disable, dict) else []
    return RuleFile(file, rules, disable, dict(spec.technologies), source_map)


def _parse_rule(
    rule_id: str, body: dict, file: str, source_map: SourceMap, report: Callable[[tuple, str], None]
) -> Rule | None:
    path = ("rules", rule_id)
    if not _valid_rule_id(rule_id):
        report(path, f"rule {rule_id!r}: ids are lowercase letters, digits, `-`, `_` and `.`, starting with a letter")
        return None
    try:
        spec = _RuleSpec.model_validate(body)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = path + tuple(error["loc"])
            key = str(error["loc"][0]) if error["loc"] else ""
            if error["type"] == "extra_forbidden":
                close = difflib.get_close_matches(key, list(_RuleSpec.model_fields), n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                report(loc, f"rule {rule_id}: unknown key `{key}`{hint}")
            elif error["type"] == "missing":
                report(path, f"rule {rule_id}: missing required key `{key}`")
            elif key == "references" and error["type"] == "string_pattern_mismatch":
                report(loc, f"rule {rule_id}: {form_problem(str(error['input']))}")
            else:
                report(loc, f"rule {rule_id}: `{field_path(error['loc'])}`: {error['msg']}")
        _reference_problems(body.get("references"), path, rule_id, report)  # the ids, checked too
        return None
    if _reference_problems(spec.references, path, rule_id, report):
        return None
    targets = tuple(spec.target) if isinstance(spec.target, list) else (spec.target,)
    if not targets:
        report((*path, "target"), f"rule {rule_id}: `target` needs at least one kind")
        return None
    if "flow" in targets and len(targets) > 1:
        report((*path, "target"), f"rule {rule_id}: a rule targets either flows or components, not both")
        return None
    if spec.caller and "flow" not in targets:
        report((*path, "caller"), f"rule {rule_id}: `caller` is for flow rules")
        return None
    if spec.attack != "callers" and "flow" in targets:
        report((*path, "attack"), f"rule {rule_id}: `attack` = {spec.attack!r} is for component rules")
        return None
    if spec.remedy_on != "element" and "flow" not in targets:
        report((*path, "remedy_on"), f"rule {rule_id}: `remedy_on` = {spec.remedy_on!r} is for flow rules")
        return None
    condition = None
    if spec.when is not None:
        try:
            condition = parse_condition(spec.when, _fact_checker(targets), _component_checker)
        except ConditionError as exc:
            report((*path, "when", *exc.path), f"rule {rule_id}: {exc}")
            return None
    return Rule(
        id=rule_id,
        targets=targets,
        category=spec.category,
        severity=spec.severity,
        title=spec.title,
        description=spec.description,
        mitigations=tuple(spec.mitigations),
        references=tuple(spec.references),
        condition=condition,
        raise_severity=spec.raise_severity,
        file=file,
        positions=source_map,
        remedy=spec.remedy or rule_id,
        control=spec.control or spec.title,
        remedy_on=spec.remedy_on,
        caller=spec.caller,
        attack=spec.attack,
    )


def _reference_problems(references: object, path: tuple, rule_id: str, report: Callable[[tuple, str], None]) -> bool:
    """Report each id that is not in the catalogue it names (CWE-99999, a retired CAPEC id);
    True when there was one. Text in no id's form is the `Reference` pattern's to report."""
    found = False
    for index, reference in enumerate(references if isinstance(references, list) else ()):
        problem = catalogue_problem(reference) if isinstance(reference, str) else None
        if problem is not None:
            report((*path, "references", index), f"rule {rule_id}: {problem}")
            found = True
    return found


def _valid_rule_id(rule_id: str) -> bool:
    return re.fullmatch(RULE_ID_PATTERN, rule_id) is not None


def _fact_checker(targets: tuple[str, ...]) -> KnownFact:
    if targets == ("flow",):
        allowed = set(FLOW_FACTS) | {f"{end}.{f}" for end in ("source", "target") for f in ALL_COMPONENT_FACTS}
        where = "flows"
    else:
        allowed = set().union(*(COMPONENT_FACTS[k] for k in targets))
        where = " or ".join(targets) + " components"

    def check(fact: str) -> str | None:
        if fact in allowed:
            return None
        close = difflib.get_close_matches(fact, sorted(allowed), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"`{fact}` is not a fact of {where}{hint}"

    return check


def _component_checker(kind: str | None) -> KnownFact:
    """The facts a ``model_has`` condition may read of the components it looks at."""
    return _fact_checker((kind,) if kind else tuple(COMPONENT_FACTS))


def combine(files: list[RuleFile]) -> RuleSet:
    """Merge rule files in order; a duplicate id or an unknown ``disable`` id is an error."""
    ruleset = RuleSet()
    problems: list[Diagnostic] = []
    for rule_file in files:
        for rule in rule_file.rules:
            existing = ruleset.rules.get(rule.id)
            if existing is not None:
                problems.append(
                    Diagnostic(
                        rule.file,
                        f"rule {rule.id}: id already defined in {existing.file}"
                        f"{':' + str(existing.line) if existing.line else ''}; rules never shadow each "
                        "other — choose another id, or `disable` the other rule and use a new id",
                        rule.line,
                    )
                )
                continue
            ruleset.rules[rule.id] = rule
        for rule_id, reason in rule_file.disable:
            if rule_id not in ruleset.rules:
                line = rule_file.line("disable", rule_id)
                problems.append(Diagnostic(rule_file.file, f"`disable` names unknown rule `{rule_id}`", line))
            else:
                ruleset.disabled[rule_id] = DisabledRule(rule_id, rule_file.file, reason)
        if rule_file.technologies:
            try:
                ruleset.catalogue = ruleset.catalogue.extended(rule_file.technologies, rule_file.file)
            except ValueError as exc:
                problems.append(Diagnostic(rule_file.file, str(exc).removeprefix(f"{rule_file.file}: ")))
    for rule in ruleset.rules.values():
        owner = ruleset.rules.get(rule.remedy)
        if owner is not None and owner is not rule:
            problems.append(
                Diagnostic(
                    rule.file,
                    f"rule {rule.id}: remedy `{rule.remedy}` is the id of rule {owner.id}; remedy ids and "
                    "rule ids share one namespace, so every decision key has one meaning",
                    rule.line,
                )
            )
    if problems:
        raise ModelError(problems)
    return ruleset


def load_rule_file(path: str | Path) -> RuleFile:
    """Read and validate the rule file at ``path``."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ModelError([Diagnostic(str(path), f"cannot read rule file: {exc.strerror or exc}")]) from None
    return parse_rule_file(raw, str(path))


@functools.lru_cache(maxsize=1)
def _builtin_files() -> tuple[RuleFile, ...]:
    folder = resources.files("stride_tui") / "rules"
    order = {f"{category}.toml": i for i, category in enumerate(CATEGORIES)}  # STRIDE order
    files = sorted(
        (p for p in folder.iterdir() if p.name.endswith(".toml")),
        key=lambda p: (order.get(p.name, len(order)), p.name),
    )
    return tuple(parse_rule_file(p.read_bytes(), f"<built-in>/{p.name}") for p in files)


def builtin_rules() -> RuleSet:
    """The rule library shipped with stride-tui."""
    return combine(list(_builtin_files()))


def find_repository_root(start: Path) -> Path:
    """The nearest folder above ``start`` holding ``.git``; ``start`` itself when there is none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def model_rule_paths(model_file: Path, rule_files: list[str]) -> list[Path]:
    """Resolve a model's ``rule_files``, refusing any that leave the model's repository."""
    paths, problems = _resolve_rule_paths(model_file, rule_files)
    if problems:
        raise ModelError(problems)
    return paths


def _resolve_rule_paths(model_file: Path, rule_files: list[str]) -> tuple[list[Path], list[Diagnostic]]:
    """The paths of a model's ``rule_files`` inside its repository, and a problem for each other."""
    base = model_file.resolve().parent
    root = find_repository_root(base)
    paths: list[Path] = []
    problems: list[Diagnostic] = []
    for entry in rule_files:
        resolved = (base / entry).resolve()
        if not resolved.is_relative_to(root):
            problems.append(
                Diagnostic(
                    str(model_file),
                    f"rule file `{entry}` is outside the model's repository ({root}); refusing to load it",
                    field=("model", "rule_files"),
                )
            )
        else:
            paths.append(resolved)
    return paths, problems


def rules_for(model_file: Path | None, rule_files: list[str] | None, extra: list[str] | None = None) -> RuleSet:
    """Built-in rules, then the model's ``rule_files``, then ``--rules`` files from the command
    line; a problem with any of them raises ``ModelError`` naming every one."""
    files = list(_builtin_files())
    paths: list[str | Path] = []
    problems: list[Diagnostic] = []
    if model_file is not None and rule_files:
        inside, problems = _resolve_rule_paths(model_file, rule_files)
        paths += inside
    paths += extra or []
    for path in paths:
        try:
            files.append(load_rule_file(path))
        except ModelError as exc:
            problems += exc.diagnostics
    if problems:
        raise ModelError(problems)
    return combine(files)
