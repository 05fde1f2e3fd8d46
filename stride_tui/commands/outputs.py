"""Commands that produce documents: ``render`` (the diagram), ``report`` and ``stories``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stride_tui.core.analysis.engine import Analysis, analyse
from stride_tui.core.analysis.threats import Threat, group_threats
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.storage import SaveError, atomic_write
from stride_tui.core.model.elements import SEVERITIES, STATUSES
from stride_tui.core.outputs.dot import DiagramOptions, build_dot
from stride_tui.core.outputs.graphviz import DEFAULT_TIMEOUT, RenderError, run_dot
from stride_tui.core.outputs.mermaid import build_mermaid
from stride_tui.core.outputs.report import report_json, report_markdown
from stride_tui.core.outputs.report_html import report_html
from stride_tui.core.outputs.stories import (
    DEFAULT_LIMIT,
    DEFAULT_STATUSES,
    NO_STORIES,
    build_stories,
    stories_csv,
    stories_json,
    stories_markdown,
    top_stories,
)
from stride_tui.core.outputs.story_trackers import BOM, stories_github, stories_gitlab, stories_jira

from .common import add_rules_option, load_and_analyse, load_side
from .printing import print_diagnostics, shown


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    render = sub.add_parser(
        "render",
        help="draw the data-flow diagram (DOT, SVG, PNG, Mermaid)",
        description="Draw MODEL's data-flow diagram. DOT goes to stdout unless -o is given; SVG and "
        "PNG need Graphviz. mermaid writes a Mermaid flowchart (boundaries as subgraphs) that GitHub "
        "draws inside a ```mermaid block of a README or pull request. The format defaults to the "
        "extension of OUT (.gv/.dot, .svg, .png, .mmd), else dot.",
    )
    render.add_argument("model", metavar="MODEL")
    render.add_argument("-o", "--output", metavar="OUT")
    render.add_argument("--format", choices=("dot", "svg", "png", "mermaid"))
    render.add_argument("--boundary", metavar="ID", help="only this boundary and everything touching it")
    render.add_argument(
        "--direction",
        choices=("TB", "LR"),
        default="TB",
        help="layout direction: top to bottom (default) or left to right",
    )
    render.add_argument(
        "--engine",
        choices=("dot", "fdp", "sfdp"),
        default="dot",
        help="Graphviz layout: dot (default, layered, draws boundaries), sfdp (fast for 1,000+ "
        "components, boundaries not framed), fdp",
    )
    render.add_argument("--no-color", action="store_true", help="do not colour elements by their worst open finding")
    render.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"Graphviz time limit (default {DEFAULT_TIMEOUT:g})",
    )
    add_rules_option(render)
    render.set_defaults(run=run_render)

    report = sub.add_parser(
        "report",
        help="write the full threat-model document",
        description="The threat-model document: summary, diagram, elements and facts, each boundary "
        "with its crossing flows, every finding with explanation, mitigations, references and "
        "decision, orphans and hand-written threats. HTML is one self-contained file with no script; "
        "its diagram is inline SVG when Graphviz is installed.",
    )
    report.add_argument("model", metavar="MODEL")
    report.add_argument("-o", "--output", metavar="OUT")
    report.add_argument(
        "--format", choices=("markdown", "html", "json"), help="default: from OUT's extension, else markdown"
    )
    report.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="Graphviz time limit for the HTML diagram",
    )
    add_rules_option(report)
    report.set_defaults(run=run_report)

    stories = sub.add_parser(
        "stories",
        help="the security stories for the backlog: the top 6 by risk",
        description="One story per remedy across the undecided threats that need it (title, As a … I want "
        "… so that …, acceptance criteria, the closing line to record in the model, labels, the threats it "
        "covers, the notes and tickets already on them), most urgent first. Prints the top 6 and says how "
        "many more there are; decided threats leave the list. CSV columns: Summary, Description, Issue "
        "Type, Priority, Labels, Story ID, Threat IDs, Tickets. For trackers: gh (JSON Lines for `gh issue "
        "create`, each body with a marker a rerun finds), jira (CSV for Jira's importer: one Labels column per "
        "label, CRLF), gitlab (CSV with GitLab's title and description columns). See README, Stories into trackers.",
    )
    stories.add_argument("model", metavar="MODEL")
    stories.add_argument("-o", "--output", metavar="OUT")
    stories.add_argument(
        "--format",
        choices=("markdown", "csv", "json", "gh", "jira", "gitlab"),
        help="default: from OUT's extension, else markdown",
    )
    stories.add_argument(
        "--bom",
        action="store_true",
        help="start a CSV (csv, jira, gitlab) with a UTF-8 byte order mark, so Excel reads it as UTF-8",
    )
    stories.add_argument(
        "--status",
        metavar="S[,S…]",
        default=",".join(DEFAULT_STATUSES),
        help=f"statuses to act on (default: {','.join(DEFAULT_STATUSES)})",
    )
    stories.add_argument("--min-severity", choices=SEVERITIES, default="low", help="leave out less severe stories")
    how_many = stories.add_mutually_exclusive_group()
    how_many.add_argument(
        "--limit",
        type=int,
        metavar="N",
        default=DEFAULT_LIMIT,
        help=f"the N most urgent stories (default {DEFAULT_LIMIT})",
    )
    how_many.add_argument("--all", action="store_true", help="every story")
    stories.add_argument(
        "--since",
        metavar="REV",
        help="the stories of the threats new or worse than at git revision REV, and of those alone (a feature branch's stories)",
    )
    add_rules_option(stories)
    stories.set_defaults(run=run_stories)


def run_report(args: argparse.Namespace) -> ExitCode:
    fmt = _output_format(args, _REPORT_SUFFIXES, "markdown", "report")
    if fmt is None:
        return ExitCode.BAD_INPUT
    prepared = load_and_analyse(args)
    if prepared is None:
        return ExitCode.BAD_INPUT
    analysis = prepared.analysis
    if fmt == "json":
        text = report_json(analysis)
    elif fmt == "markdown":
        text = report_markdown(analysis, build_dot(analysis.model, analysis))
    else:
        svg, note = None, None
        try:
            svg = run_dot(build_dot(analysis.model, analysis), "svg", timeout=args.timeout).decode("utf-8")
        except RenderError as exc:
            note = f"Diagram not included: {exc}"
            print(f"stride-tui: warning: {shown(note)}", file=sys.stderr)
        text = report_html(analysis, svg, note)
    return _emit(text.encode("utf-8"), args.output)


def run_stories(args: argparse.Namespace) -> ExitCode:
    fmt = _output_format(args, _STORIES_SUFFIXES, "markdown", "story list")
    if fmt is None:
        return ExitCode.BAD_INPUT
    if args.bom and fmt not in ("csv", "jira", "gitlab"):
        print(f"stride-tui: error: --bom is for CSV output (csv, jira, gitlab), not {fmt}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    statuses = tuple(s.strip() for s in args.status.split(",") if s.strip())
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown or not statuses:
        print(
            f"stride-tui: error: unknown status {', '.join(unknown) or '(none given)'} (choose from {', '.join(STATUSES)})",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    if args.limit is not None and args.limit < 1:
        print("stride-tui: error: --limit must be at least 1", file=sys.stderr)
        return ExitCode.BAD_INPUT
    prepared = load_and_analyse(args)
    if prepared is None:
        return ExitCode.BAD_INPUT
    analysis = prepared.analysis
    floor = SEVERITIES.index(args.min_severity)
    fresh = None
    nothing = NO_STORIES
    if args.since:  # the stories of the threats new or worse since then, and of them alone
        fresh = _new_since(args, statuses, analysis)
        if fresh is None:
            return ExitCode.BAD_INPUT
        nothing = f"No undecided threat is new or worse since {args.since}: nothing to add to the backlog."
    stories = [s for s in build_stories(analysis, statuses, fresh) if SEVERITIES.index(s.severity) >= floor]
    shown_stories, more = top_stories(stories, None if args.all else args.limit)
    title = analysis.model.model.title
    if fmt in ("csv", "jira", "gitlab", "gh"):
        if fmt == "csv":
            text = (BOM if args.bom else "") + stories_csv(shown_stories)
        elif fmt == "jira":
            text = stories_jira(title, shown_stories, bom=args.bom)
        elif fmt == "gitlab":
            text = stories_gitlab(title, shown_stories, bom=args.bom)
        else:
            text = stories_github(title, shown_stories)
        if more:
            print(f"stride-tui: {more} more undecided stories; --all lists every one", file=sys.stderr)
    elif fmt == "json":
        text = stories_json(title, shown_stories, more)
    else:
        text = stories_markdown(title, shown_stories, more, nothing)
    return _emit(text.encode("utf-8"), args.output)


def _new_since(args: argparse.Namespace, statuses: tuple[str, ...], analysis: Analysis) -> set[str] | None:
    """The ids of the threats that are new, or worse, than at git revision ``--since`` (None,
    with the problem printed, when that version cannot be read)."""
    # git reads `REV:./PATH` relative to where it runs: the model as the user named it
    relative = os.path.relpath(args.model)
    spec = f"{args.since}:{relative if relative.startswith('..') else './' + relative}"
    try:
        old, old_rules = load_side(spec, args.rules)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return None
    old_threats = {t.id: t for t in group_threats(analyse(old.model, old_rules))}

    def new_or_worse(threat: Threat) -> bool:
        old = old_threats.get(threat.id)
        return (
            old is None
            or old.status not in statuses
            or SEVERITIES.index(threat.severity) > SEVERITIES.index(old.severity)
        )

    return {t.id for t in group_threats(analysis) if new_or_worse(t)}


def run_render(args: argparse.Namespace) -> ExitCode:
    fmt = _output_format(args, _RENDER_SUFFIXES, "dot", "diagram")
    if fmt is None:
        return ExitCode.BAD_INPUT
    if fmt == "png" and not args.output and sys.stdout.isatty():
        print("stride-tui: error: PNG is binary; write it to a file with -o OUT", file=sys.stderr)
        return ExitCode.BAD_INPUT
    prepared = load_and_analyse(args)
    if prepared is None:
        return ExitCode.BAD_INPUT
    analysis = prepared.analysis
    model = analysis.model
    if args.boundary is not None and args.boundary not in model.boundaries:
        print(f"{shown(args.model)}: error: no boundary `{shown(args.boundary)}`", file=sys.stderr)
        return ExitCode.BAD_INPUT
    options = DiagramOptions(direction=args.direction, boundary=args.boundary, color_by_findings=not args.no_color)
    if fmt == "mermaid":
        return _emit(build_mermaid(model, None if args.no_color else analysis, options).encode("utf-8"), args.output)
    dot_text = build_dot(model, None if args.no_color else analysis, options)
    if fmt == "dot":
        data = dot_text.encode("utf-8")
    else:
        try:
            data = run_dot(dot_text, fmt, timeout=args.timeout, engine=args.engine)
        except RenderError as exc:
            print(f"stride-tui: error: {shown(str(exc))}", file=sys.stderr)
            return ExitCode.BAD_INPUT
    return _emit(data, args.output)


_RENDER_SUFFIXES = {"gv": "dot", "dot": "dot", "svg": "svg", "png": "png", "mmd": "mermaid", "mermaid": "mermaid"}
_REPORT_SUFFIXES = {"md": "markdown", "markdown": "markdown", "html": "html", "htm": "html", "json": "json"}
_STORIES_SUFFIXES = {"md": "markdown", "markdown": "markdown", "csv": "csv", "json": "json", "jsonl": "gh"}


def _output_format(args: argparse.Namespace, by_suffix: dict[str, str], default: str, what: str) -> str | None:
    """--format, else the format OUT's extension names, else ``default`` (OUT with no extension,
    or stdout). None, with the problem printed, for an extension no format is written as: a
    diagram asked for as ``out.pdf`` must not quietly be DOT."""
    if args.format or not args.output or args.output == "-":
        return args.format or default
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if not suffix:
        return default
    if suffix not in by_suffix:
        known = ", ".join(f".{s}" for s in by_suffix)
        print(
            f"stride-tui: error: no {what} format is written as .{shown(suffix)} (known: {known}); "
            "name one with --format",
            file=sys.stderr,
        )
        return None
    return by_suffix[suffix]


def _seconds(text: str) -> float:
    """An argparse type: a time limit, a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def _emit(data: bytes, output: str | None) -> ExitCode:
    if not output or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return ExitCode.OK
    try:
        atomic_write(output, data)
    except SaveError as exc:
        print(f"stride-tui: error: {shown(str(exc))}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    print(f"wrote {shown(str(output))}", file=sys.stderr)
    return ExitCode.OK
