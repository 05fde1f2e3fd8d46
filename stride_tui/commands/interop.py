"""Interop commands: ``import`` (Threat Dragon, Mermaid, OTM → model) and ``export`` (model →
Threat Dragon, OTM).

See docs/threat-dragon.md, docs/mermaid.md and docs/otm.md for what maps to what. Anything that cannot be carried over is
reported on stderr as ``FILE: warning: …``; the output is written atomically, never over an
existing file unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import rules_for
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import SaveError, atomic_write, encode_model
from stride_tui.core.interop.mermaid import MermaidImport, import_mermaid
from stride_tui.core.interop.otm import OtmImport, export_otm, import_otm
from stride_tui.core.interop.threat_dragon import ImportResult, export_threat_dragon, import_threat_dragon
from stride_tui.core.interop.threat_dragon.layout_file import layout_path, read_layout, write_layout
from stride_tui.core.model.elements import SEVERITIES, STATUSES
from stride_tui.core.wording import counted

from .printing import print_diagnostics, shown

IMPORT_FORMATS = ("threat-dragon", "mermaid", "otm")
EXPORT_FORMATS = ("threat-dragon", "otm")


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    imp = sub.add_parser(
        "import",
        help="convert a Threat Dragon, Mermaid or Open Threat Model file into a stride-tui model",
        description="Read FILE (a Threat Dragon 2.x JSON model, a Mermaid flowchart — .mmd or the first "
        "```mermaid block of a Markdown file — or an Open Threat Model 0.2.0 JSON file) and write the "
        "equivalent stride-tui model to MODEL. Everything that cannot be carried over is reported as "
        "FILE: warning: …. From Threat Dragon, the diagram's positions, sizes, curves and text blocks are "
        "kept in a layout file next to MODEL (MODEL-stem.td-layout.json) that export reads back. "
        "Exit 0 when written, 2 on bad input or when MODEL exists (use --force). See docs/threat-dragon.md, "
        "docs/mermaid.md, docs/otm.md.",
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--from", dest="source_format", choices=IMPORT_FORMATS, required=True, help="format of FILE")
    imp.add_argument("-o", "--output", metavar="MODEL", required=True, help="model file to write (`-` for stdout)")
    imp.add_argument("--force", action="store_true", help="overwrite MODEL if it exists")
    imp.add_argument(
        "--rules",
        metavar="FILE",
        action="append",
        default=[],
        help="extra rule file (repeatable): findings of these rules exported by stride-tui come back as decisions",
    )
    imp.add_argument(
        "--layout",
        metavar="FILE",
        help="Threat Dragon: where to keep the diagram layout (default: next to MODEL; `none` keeps none)",
    )
    imp.set_defaults(run=run_import)

    exp = sub.add_parser(
        "export",
        help="write a Threat Dragon v2 JSON or Open Threat Model file from a stride-tui model",
        description="Write MODEL as a Threat Dragon 2.x JSON file (boundaries as trust-boundary boxes, the "
        "findings with your decisions as statuses as threats; the layout kept at import is used, new "
        "elements are placed automatically) or as an Open Threat Model 0.2.0 JSON file. "
        "Exit 0 when written, 2 on bad input or when FILE exists (use --force). See docs/threat-dragon.md, "
        "docs/otm.md.",
    )
    exp.add_argument("model", metavar="MODEL")
    exp.add_argument("--to", dest="target_format", choices=EXPORT_FORMATS, required=True, help="format to write")
    exp.add_argument("-o", "--output", metavar="FILE", required=True, help="file to write (`-` for stdout)")
    exp.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    exp.add_argument("--rules", metavar="FILE", action="append", default=[], help="extra rule file (repeatable)")
    exp.add_argument(
        "--status",
        metavar="S[,S…]",
        help=f"Threat Dragon: export only threats with these statuses ({', '.join(STATUSES)}); "
        "the decisions of the others still travel with the file",
    )
    exp.add_argument(
        "--min-severity", choices=SEVERITIES, help="Threat Dragon: export only threats at least this severe"
    )
    exp.add_argument(
        "--layout",
        metavar="FILE",
        help="Threat Dragon: the layout file to use (default: the one import wrote next to MODEL, if any; "
        "`none` for the automatic layout)",
    )
    exp.set_defaults(run=run_export)


def _refuse_existing(path: str, force: bool) -> bool:
    if path == "-" or force:
        return False
    if os.path.lexists(path):
        print(
            f"{shown(str(path))}: error: already exists; not overwriting it (pass --force to replace it)",
            file=sys.stderr,
        )
        return True
    return False


def _warn(file: str, warnings: list[str]) -> None:
    for message in warnings:
        print(shown(f"{file}: warning: {message}"), file=sys.stderr)


def _write(path: str, data: bytes) -> bool:
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return True
    try:
        atomic_write(path, data)
    except SaveError as exc:
        print(f"{shown(str(path))}: error: {shown(str(exc))}", file=sys.stderr)
        return False
    return True


def _read_input(file: str, what: str) -> bytes | None:
    try:
        return Path(file).read_bytes()
    except FileNotFoundError:
        print_diagnostics([Diagnostic(file, "no such file")])
    except IsADirectoryError:
        print_diagnostics([Diagnostic(file, f"is a directory, not a {what} file")])
    except OSError as exc:
        print_diagnostics([Diagnostic(file, f"cannot read: {exc.strerror or exc}")])
    return None


_WHAT = {"threat-dragon": "Threat Dragon", "mermaid": "Mermaid", "otm": "Open Threat Model"}


def run_import(args: argparse.Namespace) -> ExitCode:
    if args.output != "-" and os.path.isdir(args.output):
        print(
            f"{shown(str(args.output))}: error: is a directory; give the path of the model file to write",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    if _refuse_existing(args.output, args.force):
        return ExitCode.BAD_INPUT
    if args.layout is not None and args.source_format != "threat-dragon":
        print("stride-tui: error: --layout is for --from threat-dragon", file=sys.stderr)
        return ExitCode.BAD_INPUT
    raw = _read_input(args.file, _WHAT[args.source_format])
    if raw is None:
        return ExitCode.BAD_INPUT
    layout = None
    result: MermaidImport | OtmImport | ImportResult
    try:
        ruleset = rules_for(None, None, args.rules)
        if args.source_format == "mermaid":
            result = import_mermaid(raw, args.file)
        elif args.source_format == "otm":
            result = import_otm(raw, args.file, ruleset)
        else:
            td = import_threat_dragon(raw, args.file, ruleset)
            result, layout = td, td.layout
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return ExitCode.BAD_INPUT
    warnings = list(result.warnings)
    layout_file = None
    if layout is not None:
        layout_file = _import_layout_path(args)
    if layout is not None and layout_file is None and args.layout is None:
        warnings.append("the diagram layout is not kept (the model goes to stdout; give --layout FILE to keep it)")
    if layout_file is not None and _refuse_existing(str(layout_file), args.force):
        return ExitCode.BAD_INPUT
    _warn(args.file, warnings)
    try:
        data = encode_model(result.model)
    except SaveError as exc:
        print(f"{shown(str(args.output))}: error: {shown(str(exc))}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    if not _write(args.output, data):
        return ExitCode.BAD_INPUT
    if layout is not None and layout_file is not None and not _write(str(layout_file), write_layout(layout)):
        return ExitCode.BAD_INPUT
    c = result.counts
    where = "stdout" if args.output == "-" else args.output
    parts = [
        counted(c["components"], "component"),
        counted(c["flows"], "flow"),
        counted(c["boundaries"], "boundary", "boundaries"),
    ]
    if "threats" in c:
        parts += [counted(c["threats"], "threat"), counted(c["decisions"], "decision")]
    n = len(warnings)
    print(
        shown(
            f"imported {shown(args.file)} → {shown(str(where))}: {', '.join(parts)}"
            + (f" ({n} warning{'s' if n != 1 else ''})" if n else "")
            + (f"; layout kept in {layout_file}" if layout_file is not None else "")
        ),
        file=sys.stderr if args.output == "-" else sys.stdout,
    )
    return ExitCode.OK


def _import_layout_path(args: argparse.Namespace) -> Path | None:
    """Where import keeps the Threat Dragon layout: --layout, else next to the model."""
    if args.layout == "none":
        return None
    if args.layout is not None:
        return Path(args.layout)
    if args.output == "-":
        return None
    return layout_path(Path(args.output))


def _statuses(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    statuses = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown or not statuses:
        print(
            f"stride-tui: error: unknown status {', '.join(unknown) or '(none given)'} (choose from {', '.join(STATUSES)})",
            file=sys.stderr,
        )
        raise ValueError
    return statuses


def run_export(args: argparse.Namespace) -> ExitCode:
    if args.output != "-" and os.path.isdir(args.output):
        print(f"{shown(str(args.output))}: error: is a directory; give the path of the file to write", file=sys.stderr)
        return ExitCode.BAD_INPUT
    if args.target_format != "threat-dragon" and (args.status or args.min_severity or args.layout):
        print("stride-tui: error: --status, --min-severity and --layout are for --to threat-dragon", file=sys.stderr)
        return ExitCode.BAD_INPUT
    try:
        statuses = _statuses(args.status)
    except ValueError:
        return ExitCode.BAD_INPUT
    if _refuse_existing(args.output, args.force):
        return ExitCode.BAD_INPUT
    try:
        loaded = load_model(args.model)
        ruleset = rules_for(Path(args.model), loaded.model.model.rule_files, args.rules)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return ExitCode.BAD_INPUT
    analysis = analyse(loaded.model, ruleset)
    if analysis.errors:
        for error in analysis.errors:
            print(
                f"{shown(args.model)}: error: rule error: {shown(error.rule_id)} ({shown(error.element_id)}): {shown(error.message)}",
                file=sys.stderr,
            )
        return ExitCode.BAD_INPUT
    if args.target_format == "otm":
        otm = export_otm(loaded.model, analysis)
        text, warnings, counts = otm.text, otm.warnings, otm.counts
    else:
        layout = None
        layout_file = Path(args.layout) if args.layout not in (None, "none") else layout_path(Path(args.model))
        if args.layout != "none" and (args.layout is not None or layout_file.exists()):
            try:
                layout = read_layout(layout_file)
            except ModelError as exc:
                print_diagnostics(exc.diagnostics)
                return ExitCode.BAD_INPUT
        result = export_threat_dragon(
            loaded.model, analysis, statuses=statuses, min_severity=args.min_severity, layout=layout
        )
        text, warnings, counts = result.text, result.warnings, result.counts
        if layout is not None:
            print(f"stride-tui: layout from {shown(str(layout_file))}", file=sys.stderr)
    _warn(args.model, warnings)
    if not _write(args.output, text.encode("utf-8")):
        return ExitCode.BAD_INPUT
    c = counts
    where = "stdout" if args.output == "-" else args.output
    threats = counted(c["threats"], "threat") + (
        f" (of {c['all_threats']})" if c.get("all_threats", c["threats"]) != c["threats"] else ""
    )
    print(
        f"exported {shown(args.model)} → {shown(str(where))}: {counted(c['components'], 'component')}, "
        f"{counted(c['flows'], 'flow')}, {counted(c['boundaries'], 'boundary', 'boundaries')}, {threats}",
        file=sys.stderr if args.output == "-" else sys.stdout,
    )
    return ExitCode.OK
