"""What several commands share: the ``--rules`` option, and loading plus analysing a model."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from stride_tui.core.analysis.engine import Analysis, analyse
from stride_tui.core.analysis.rules import (
    RuleFile,
    RuleSet,
    builtin_rules,
    combine,
    load_rule_file,
    parse_rule_file,
    rules_for,
)
from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import LoadedModel, load_model, parse_model

from .printing import print_diagnostics, shown


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    """``--rules FILE`` (repeatable): rule files added to the built-in library."""
    parser.add_argument("--rules", metavar="FILE", action="append", default=[], help="extra rule file (repeatable)")


@dataclass
class Analysed:
    """A loaded model, the rules it ran with, and what they found."""

    loaded: LoadedModel
    ruleset: RuleSet
    analysis: Analysis


def load_and_analyse(args: argparse.Namespace) -> Analysed | None:
    """Load ``args.model`` and run the rules on it; print every problem and return None on failure.

    A rule that fails at run time is a failure too: stride-tui never reports "no threat" for a
    rule it could not run.
    """
    try:
        loaded = load_model(args.model)
        ruleset = rules_for(Path(args.model), loaded.model.model.rule_files, args.rules)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return None
    analysis = analyse(loaded.model, ruleset)
    for error in analysis.errors:
        print(
            f"{shown(args.model)}: error: rule error: {shown(error.rule_id)} ({shown(error.element_id)}): {shown(error.message)}",
            file=sys.stderr,
        )
    return None if analysis.errors else Analysed(loaded, ruleset, analysis)


def builtin_file() -> RuleFile:
    """The built-in rule library as one rule file (its disables kept), to combine with others."""
    builtin = builtin_rules()
    disabled = [(d.rule_id, d.reason) for d in builtin.disabled.values()]
    return RuleFile("<built-in>", list(builtin.rules.values()), disabled)


def load_side(spec: str, extra_rules: list[str]) -> tuple[LoadedModel, RuleSet]:
    """A model and its rules, from a file or from ``REV:PATH`` (its rule files read at that
    revision too), as `diff` and `stories --since` compare them."""
    from stride_tui.core.vcs.revisions import read_blob, read_revision, split_spec  # git: only for REV:PATH

    if os.path.exists(spec):
        loaded = load_model(spec)
        return loaded, rules_for(Path(spec), loaded.model.model.rule_files, extra_rules)
    if split_spec(spec) is None:
        raise ModelError([Diagnostic(spec, "no such file (nor a git revision of one, like main:threat-model.toml)")])
    revision = read_revision(spec)
    loaded = parse_model(revision.content, spec)
    files = [builtin_file()]
    problems = []
    for entry in loaded.model.model.rule_files or []:
        repo_path = revision.sibling(entry)
        if repo_path is None:
            problems.append(
                Diagnostic(
                    spec,
                    f"rule file `{entry}` is outside the repository; refusing to load it",
                    field=("model", "rule_files"),
                )
            )
            continue
        label = f"{revision.rev}:{repo_path}"
        raw = read_blob(revision.rev, repo_path, revision.repo_root, label)
        files.append(parse_rule_file(raw, label))
    if problems:
        raise ModelError(problems)
    files += [load_rule_file(p) for p in extra_rules]
    return loaded, combine(files)
