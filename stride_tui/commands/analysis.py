"""Commands over the analysis: ``threats``, ``check`` (the CI gate) and ``rules``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stride_tui.core.analysis.risk import rating
from stride_tui.core.analysis.rules import rules_for
from stride_tui.core.analysis.scope import OUTSIDE, Scope, boundary_scope
from stride_tui.core.analysis.threats import Threat, blocks, count_threats, group_threats
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import SEVERITIES, STATUSES

from .common import add_rules_option, load_and_analyse
from .printing import print_diagnostics, shown, shown_document


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    threats = sub.add_parser(
        "threats",
        help="list threats (missing controls, ranked by risk) with their findings and questions",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Run the STRIDE rules on MODEL and list its threats, riskiest first. A threat is one missing
control on one element (id REMEDY@ELEMENT); the findings of every rule it settles stay inside it.
Risk is likelihood x impact (OWASP matrix), both explained. A provisional threat rests only on
unknown facts: the questions at the end say which answer settles it. Exit 0, or 2 on bad input.""",
    )
    threats.add_argument("model", metavar="MODEL")
    where = threats.add_mutually_exclusive_group()
    where.add_argument(
        "--boundary",
        metavar="ID",
        help="the threats walked at this boundary: flows crossing it, then its members and the flows between them",
    )
    where.add_argument("--outside", action="store_true", help="the threats of what sits in no boundary")
    threats.add_argument("--element", metavar="ID", help="only threats with a finding on this component or flow")
    threats.add_argument("--status", metavar="S[,S…]", help=f"only threats with these statuses ({', '.join(STATUSES)})")
    threats.add_argument("--min-severity", choices=SEVERITIES, default="low", help="leave out less risky threats")
    threats.add_argument("--format", choices=("text", "json", "csv", "markdown", "sarif"), default="text")
    threats.add_argument(
        "--include-decided",
        action="store_true",
        help="SARIF: keep decided findings, each with a suppression (GitHub ignores suppressions and would show "
        "them as open alerts, so they are left out by default)",
    )
    add_rules_option(threats)
    threats.set_defaults(run=run_threats)

    check = sub.add_parser(
        "check",
        help="CI gate: fail when open threats reach a risk level",
        description="Exit 1 if any threat rated at or above --fail-on is still `open`; a provisional "
        "threat (resting only on unanswered questions) is rated as if they were answered badly: "
        "fail closed, so leaving facts unknown never passes the gate. Print the counts "
        "(undecided = open or investigating, and how many rest on questions), every orphan decision "
        "and every disabled rule (which rule, by which file, why). Exit 2 on bad input. With several "
        "models (as pre-commit passes them), each is checked and the worst result is the exit code.",
    )
    check.add_argument("models", metavar="MODEL", nargs="+")
    check.add_argument(
        "--fail-on", choices=SEVERITIES, default="high", help="lowest severity that fails (default: high)"
    )
    check.add_argument(
        "--refuse-model-rules",
        action="store_true",
        help="fail when the model lists rule files of its own (a pull request cannot bring rules that quiet the gate)",
    )
    check.add_argument(
        "--refuse-disabled-rules",
        action="store_true",
        help="fail when any rule file disables a rule (built-in rules always run)",
    )
    add_rules_option(check)
    check.set_defaults(run=run_check)

    rules = sub.add_parser(
        "rules",
        help="list the rules (built-in and custom)",
        description="List every rule that would run, validating any --rules files. See docs/rules.md "
        "for the rule language.",
    )
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--model", metavar="MODEL", help="also load the rule files MODEL lists")
    add_rules_option(rules)
    rules.set_defaults(run=run_rules)


def run_threats(args: argparse.Namespace) -> ExitCode:
    # what `check` never needs, loaded here: every command pays for its own imports
    from stride_tui.core.analysis.questions import questions
    from stride_tui.core.outputs.finding_formats import (
        findings_csv,
        findings_json_lines,
        findings_markdown,
        findings_text,
    )

    prepared = load_and_analyse(args)
    if prepared is None:
        return ExitCode.BAD_INPUT
    loaded, ruleset, analysis = prepared.loaded, prepared.ruleset, prepared.analysis
    model = loaded.model
    threats = group_threats(analysis)
    scope = None
    if args.boundary is not None:
        if args.boundary not in model.boundaries:
            print(f"{shown(args.model)}: error: no boundary `{shown(args.boundary)}`", file=sys.stderr)
            return ExitCode.BAD_INPUT
        scope = boundary_scope(analysis, threats, args.boundary)
    elif args.outside:
        scope = boundary_scope(analysis, threats, OUTSIDE)
    if args.element is not None and args.element not in model.components and args.element not in model.flows:
        print(f"{shown(args.model)}: error: no component or flow `{shown(args.element)}`", file=sys.stderr)
        return ExitCode.BAD_INPUT
    wanted = None
    if args.status:
        wanted = [s.strip() for s in args.status.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            print(
                f"stride-tui: error: unknown status {', '.join(unknown)} (choose from {', '.join(STATUSES)})",
                file=sys.stderr,
            )
            return ExitCode.BAD_INPUT

    def kept(threat: Threat) -> bool:
        return (
            (args.element is None or args.element == threat.element_id or args.element in threat.elements)
            and (wanted is None or threat.status in wanted)
            and SEVERITIES.index(threat.severity) >= SEVERITIES.index(args.min_severity)
        )

    if scope is not None:
        scope = Scope(scope.boundary_id, tuple(filter(kept, scope.crossing)), tuple(filter(kept, scope.inside)))
        threats = list(scope.threats)
    else:
        threats = [t for t in threats if kept(t)]
    asked = questions(analysis, threats)
    findings = [f for t in threats for f in t.findings]
    if args.format == "json":  # written as it is encoded: a large model's never sits in memory twice
        sys.stdout.writelines(findings_json_lines(analysis, threats, asked))
        return ExitCode.OK
    if args.format == "csv":
        text = findings_csv(findings)
    elif args.format == "markdown":
        text = findings_markdown(analysis, threats, asked, scope)
    elif args.format == "sarif":
        from stride_tui.core.outputs.sarif import findings_sarif  # only this format needs it

        text = findings_sarif(
            analysis,
            findings,
            ruleset,
            Path(args.model),
            loaded.raw.decode("utf-8-sig"),
            include_decided=args.include_decided,
        )
    else:
        text = findings_text(analysis, threats, asked, scope)
    if args.format in ("text", "markdown"):  # read by a person: no control or invisible character obeyed
        text = shown_document(text)
    sys.stdout.write(text)
    return ExitCode.OK


def run_check(args: argparse.Namespace) -> ExitCode:
    codes = [_check_one(argparse.Namespace(**{**vars(args), "model": model})) for model in args.models]
    return ExitCode.BAD_INPUT if ExitCode.BAD_INPUT in codes else max(codes)


def _check_one(args: argparse.Namespace) -> ExitCode:
    prepared = load_and_analyse(args)
    if prepared is None:
        return ExitCode.BAD_INPUT
    analysis = prepared.analysis
    threats = group_threats(analysis)
    # fail closed: a provisional threat blocks as if its questions were answered badly
    blocking = [t for t in threats if blocks(t, args.fail_on)]
    print(f"{shown(args.model)}: {count_threats(threats).line()}; {len(blocking)} open at or above {args.fail_on}")
    for t in blocking:
        flag = ", provisional: answer its questions" if t.provisional else ""
        count = f"{len(t.findings)} finding{'s' * (len(t.findings) != 1)}"
        print(f"  [{rating(t.severity, t.confirmed_severity)}] {shown(t.id)}: {shown(t.title)} ({count}{flag})")
    for key in analysis.orphans:
        print(f"  orphan decision: {shown(key)} (it covers nothing that fires; remove it or fix the key)")
    for disabled in analysis.disabled:
        print(f"  disabled rule: {shown(str(disabled))}")
    refusals = []
    model_rule_files = prepared.loaded.model.model.rule_files or []
    if args.refuse_model_rules and model_rule_files:
        listed = ", ".join(shown(entry) for entry in model_rule_files)
        refusals.append(
            f"the model loads rule files of its own ({listed}) and this gate runs with --refuse-model-rules"
        )
    if args.refuse_disabled_rules and analysis.disabled:
        refusals.append(f"{len(analysis.disabled)} rule(s) disabled and this gate runs with --refuse-disabled-rules")
    for refusal in refusals:
        print(f"FAILED: {refusal}")
    if blocking:
        print(
            "FAILED: decide these threats (a `remedy@element` key in [decisions] decides a whole threat) "
            f"or mitigate them; gate is --fail-on {args.fail_on}",
        )
    if blocking or refusals:
        return ExitCode.FAILED
    print("passed" + (f" ({len(analysis.disabled)} rule(s) disabled, listed above)" if analysis.disabled else ""))
    return ExitCode.OK


def run_rules(args: argparse.Namespace) -> ExitCode:
    try:
        rule_files = None
        model_path = None
        if args.model:
            model_path = Path(args.model)
            rule_files = load_model(model_path).model.model.rule_files
        ruleset = rules_for(model_path, rule_files, args.rules)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return ExitCode.BAD_INPUT
    rules = list(ruleset.rules.values())
    if args.format == "json":
        document = {
            "rules": [
                {
                    "id": r.id,
                    "category": r.category,
                    "severity": r.severity,
                    "target": list(r.targets),
                    "title": r.title,
                    "remedy": r.remedy,
                    "remedy_on": r.remedy_on,
                    "control": r.control,
                    "caller": r.caller,
                    "attack": r.attack,
                    "description": r.description,
                    "mitigations": list(r.mitigations),
                    "references": list(r.references),
                    "file": r.file,
                    "enabled": r.id not in ruleset.disabled,
                    "disabled": vars(ruleset.disabled[r.id]) if r.id in ruleset.disabled else None,
                }
                for r in rules
            ]
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return ExitCode.OK
    width = max((len(r.id) for r in rules), default=10)
    for r in rules:
        disabled = ruleset.disabled.get(r.id)
        flag = f"  (disabled by {shown(disabled.file)}: {shown(disabled.reason)})" if disabled else ""
        print(
            f"{r.id:<{width}}  {r.category:<22}  {r.severity:<8}  {'/'.join(r.targets):<15}  {', '.join(r.references)}{flag}"
        )
    enabled = len(ruleset.enabled())
    print(f"{len(rules)} rules ({enabled} enabled)")
    return ExitCode.OK
