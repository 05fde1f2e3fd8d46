"""What several commands share: the ``--rules`` option, and loading plus analysing a model."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from stride_tui.core.analysis.engine import Analysis, analyse
from stride_tui.core.analysis.rules import RuleSet, rules_for
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import LoadedModel, load_model

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
