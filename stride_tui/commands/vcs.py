"""Version-control commands: ``diff`` (semantic diff, a PR gate) and ``textconv`` (for
``git diff``). See docs/git.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stride_tui.core.analysis.engine import Analysis, analyse
from stride_tui.core.analysis.rules import (
    RuleSet,
    combine,
    load_rule_file,
)
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import LoadedModel, parse_model
from stride_tui.core.model.elements import SEVERITIES
from stride_tui.core.vcs.diff import diff_json, diff_markdown, diff_models, diff_text
from stride_tui.core.vcs.textconv import render_readable

from .common import builtin_file, load_side
from .printing import print_diagnostics, shown, shown_document


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    diff = sub.add_parser(
        "diff",
        help="what changed between two versions of a model (files or git revisions)",
        description="Compare two versions of a model: elements added, removed, renamed and changed (each key, "
        "old → new), flows whose boundary crossings changed, findings new, gone and changed (the analysis runs "
        "on both), decisions changed. OLD and NEW are files, or git revisions of a file such as "
        "main:threat-model.toml or HEAD~1:path (read with git in the current directory's repository). "
        "Exit 0, or 1 when --fail-on is given and NEW has open findings at or above it that OLD did not "
        "have, or 2 on bad input.",
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    diff.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default=None,
        help=(
            "exit 1 when NEW has new open threats at or above this severity, a provisional one rated as if"
            " its questions were answered badly, as check does (default: never)"
        ),
    )
    diff.add_argument("--rules", metavar="FILE", action="append", default=[], help="extra rule file (repeatable)")
    diff.set_defaults(run=run_diff)

    textconv = sub.add_parser(
        "textconv",
        help="print a stable, readable rendering of a model (a git textconv filter)",
        description="Print MODEL as readable text for `git diff`: one line per fact, the boundaries each flow "
        "crosses, and the findings of the built-in rules. An invalid file is printed as it is, after a note, so "
        "`git diff` never breaks. See docs/git.md for the .gitattributes and git config lines.",
    )
    textconv.add_argument("model", metavar="MODEL")
    textconv.add_argument("--no-findings", action="store_true", help="leave out the findings")
    textconv.add_argument("--rules", metavar="FILE", action="append", default=[], help="extra rule file (repeatable)")
    textconv.set_defaults(run=run_textconv)


# ---------------------------------------------------------------------------------------------
# diff


def _analyse(spec: str, loaded: LoadedModel, ruleset: RuleSet) -> Analysis | None:
    analysis = analyse(loaded.model, ruleset)
    if analysis.errors:
        for error in analysis.errors:
            print(
                f"{shown(spec)}: error: rule error: {shown(error.rule_id)} ({shown(error.element_id)}): {shown(error.message)}",
                file=sys.stderr,
            )
        return None
    return analysis


def run_diff(args: argparse.Namespace) -> ExitCode:
    sides = []
    failed = False
    for spec in (args.old, args.new):
        try:
            loaded, ruleset = load_side(spec, args.rules)
        except ModelError as exc:
            print_diagnostics(exc.diagnostics)
            failed = True
            continue
        analysis = _analyse(spec, loaded, ruleset)
        if analysis is None:
            failed = True
            continue
        sides.append((loaded, analysis))
    if failed:
        return ExitCode.BAD_INPUT
    (old, old_analysis), (new, new_analysis) = sides
    result = diff_models(old.model, new.model, old_analysis, new_analysis, args.old, args.new)
    if args.format == "json":
        text = diff_json(result, args.fail_on)
    elif args.format == "markdown":
        text = shown_document(diff_markdown(result, args.fail_on))
    else:
        text = shown_document(diff_text(result, args.fail_on))
    sys.stdout.write(text)
    if args.fail_on is not None and result.gate_reasons(args.fail_on):
        return ExitCode.FAILED
    return ExitCode.OK


# ---------------------------------------------------------------------------------------------
# textconv


def run_textconv(args: argparse.Namespace) -> ExitCode:
    try:
        raw = Path(args.model).read_bytes()
    except FileNotFoundError:
        print_diagnostics([Diagnostic(args.model, "no such file")])
        return ExitCode.BAD_INPUT
    except OSError as exc:
        print_diagnostics([Diagnostic(args.model, f"cannot read: {exc.strerror or exc}")])
        return ExitCode.BAD_INPUT
    try:
        loaded = parse_model(raw, args.model)
    except ModelError as exc:
        first = exc.diagnostics[0].message if exc.diagnostics else "invalid"
        sys.stdout.write(shown_document(f"stride-tui: not a valid model ({first}); the file as it is:\n"))
        sys.stdout.write(shown_document(raw.decode("utf-8", "replace")))
        if raw and not raw.endswith(b"\n"):
            sys.stdout.write("\n")
        return ExitCode.OK
    note = "built-in rules"
    ruleset = RuleSet()
    if not args.no_findings:
        try:
            ruleset = combine([builtin_file(), *(load_rule_file(p) for p in args.rules)])
        except ModelError as exc:
            print_diagnostics(exc.diagnostics)
            return ExitCode.BAD_INPUT
        if args.rules:
            note = "built-in rules and " + ", ".join(args.rules)
    analysis = analyse(loaded.model, ruleset)
    sys.stdout.write(shown_document(render_readable(loaded.model, analysis, note, findings=not args.no_findings)))
    return ExitCode.OK
