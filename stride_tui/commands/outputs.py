"""Commands that produce documents: ``render`` (diagram), and later reports and stories."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.analysis import analyse
from ..core.diagnostics import ModelError
from ..core.diagram import DiagramOptions, build_dot
from ..core.graphviz import DEFAULT_TIMEOUT, RenderError, run_dot
from ..core.loader import load_model
from ..core.rules import rules_for
from ..core.storage import SaveError, atomic_write
from .output import print_diagnostics

OK, FAILED, BAD_INPUT = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    render = sub.add_parser(
        "render",
        help="draw the data-flow diagram (DOT, SVG, PNG)",
        description="Draw MODEL's data-flow diagram. DOT goes to stdout unless -o is given; SVG and "
        "PNG need Graphviz. The format defaults to the extension of OUT, else dot.",
    )
    render.add_argument("model", metavar="MODEL")
    render.add_argument("-o", "--output", metavar="OUT")
    render.add_argument("--format", choices=("dot", "svg", "png"))
    render.add_argument("--boundary", metavar="ID", help="only this boundary and everything touching it")
    render.add_argument("--direction", choices=("LR", "TB"), default="LR", help="layout direction (default LR)")
    render.add_argument("--no-color", action="store_true", help="do not colour elements by their worst open finding")
    render.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS", help=f"Graphviz time limit (default {DEFAULT_TIMEOUT:g})")
    render.add_argument("--rules", metavar="FILE", action="append", default=[], help="extra rule file (repeatable)")
    render.set_defaults(run=run_render)


def run_render(args: argparse.Namespace) -> int:
    fmt = args.format or _format_from(args.output) or "dot"
    if fmt == "png" and not args.output and sys.stdout.isatty():
        print("stride-tui: error: PNG is binary; write it to a file with -o OUT", file=sys.stderr)
        return BAD_INPUT
    try:
        loaded = load_model(args.model)
        model = loaded.model
        analysis = None
        if not args.no_color:
            analysis = analyse(model, rules_for(Path(args.model), model.model.rule_files, args.rules))
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return BAD_INPUT
    if args.boundary is not None and args.boundary not in model.boundaries:
        print(f"{args.model}: error: no boundary `{args.boundary}`", file=sys.stderr)
        return BAD_INPUT
    options = DiagramOptions(direction=args.direction, boundary=args.boundary, color_by_findings=not args.no_color)
    dot_text = build_dot(model, analysis, options)
    if fmt == "dot":
        data = dot_text.encode("utf-8")
    else:
        try:
            data = run_dot(dot_text, fmt, timeout=args.timeout)
        except RenderError as exc:
            print(f"stride-tui: error: {exc}", file=sys.stderr)
            return BAD_INPUT
    return _emit(data, args.output)


def _format_from(output: str | None) -> str | None:
    if not output:
        return None
    suffix = Path(output).suffix.lower().lstrip(".")
    return {"gv": "dot", "dot": "dot", "svg": "svg", "png": "png"}.get(suffix)


def _emit(data: bytes, output: str | None) -> int:
    if not output or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return OK
    try:
        atomic_write(output, data)
    except SaveError as exc:
        print(f"stride-tui: error: {exc}", file=sys.stderr)
        return BAD_INPUT
    print(f"wrote {output}", file=sys.stderr)
    return OK
