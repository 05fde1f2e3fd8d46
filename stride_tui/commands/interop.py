"""Interop commands: ``import`` (Threat Dragon → model) and ``export`` (model → Threat Dragon).

See docs/threat-dragon.md for what maps to what. Anything that cannot be carried over is
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
from stride_tui.core.interop.threat_dragon import export_threat_dragon, import_threat_dragon

from .printing import print_diagnostics, shown

FORMATS = ("threat-dragon",)


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    imp = sub.add_parser(
        "import",
        help="convert a Threat Dragon v2 JSON model into a stride-tui model",
        description="Read FILE (a Threat Dragon 2.x JSON model) and write the equivalent stride-tui model "
        "to MODEL. Everything that cannot be carried over is reported as FILE: warning: …. "
        "Exit 0 when written, 2 on bad input or when MODEL exists (use --force). See docs/threat-dragon.md.",
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--from", dest="source_format", choices=FORMATS, required=True, help="format of FILE")
    imp.add_argument("-o", "--output", metavar="MODEL", required=True, help="model file to write (`-` for stdout)")
    imp.add_argument("--force", action="store_true", help="overwrite MODEL if it exists")
    imp.add_argument(
        "--rules",
        metavar="FILE",
        action="append",
        default=[],
        help="extra rule file (repeatable): findings of these rules exported by stride-tui come back as decisions",
    )
    imp.set_defaults(run=run_import)

    exp = sub.add_parser(
        "export",
        help="write a Threat Dragon v2 JSON model from a stride-tui model",
        description="Write MODEL as a Threat Dragon 2.x JSON file: boundaries as trust-boundary boxes with a "
        "simple automatic layout, and the findings (with your decisions as statuses) as threats. "
        "Exit 0 when written, 2 on bad input or when FILE exists (use --force). See docs/threat-dragon.md.",
    )
    exp.add_argument("model", metavar="MODEL")
    exp.add_argument("--to", dest="target_format", choices=FORMATS, required=True, help="format to write")
    exp.add_argument("-o", "--output", metavar="FILE", required=True, help="file to write (`-` for stdout)")
    exp.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    exp.add_argument("--rules", metavar="FILE", action="append", default=[], help="extra rule file (repeatable)")
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


def run_import(args: argparse.Namespace) -> ExitCode:
    if args.output != "-" and os.path.isdir(args.output):
        print(
            f"{shown(str(args.output))}: error: is a directory; give the path of the model file to write",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    if _refuse_existing(args.output, args.force):
        return ExitCode.BAD_INPUT
    try:
        raw = Path(args.file).read_bytes()
    except FileNotFoundError:
        print_diagnostics([Diagnostic(args.file, "no such file")])
        return ExitCode.BAD_INPUT
    except IsADirectoryError:
        print_diagnostics([Diagnostic(args.file, "is a directory, not a Threat Dragon file")])
        return ExitCode.BAD_INPUT
    except OSError as exc:
        print_diagnostics([Diagnostic(args.file, f"cannot read: {exc.strerror or exc}")])
        return ExitCode.BAD_INPUT
    try:
        ruleset = rules_for(None, None, args.rules)
        result = import_threat_dragon(raw, args.file, ruleset)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return ExitCode.BAD_INPUT
    _warn(args.file, result.warnings)
    try:
        data = encode_model(result.model)
    except SaveError as exc:
        print(f"{shown(str(args.output))}: error: {shown(str(exc))}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    if not _write(args.output, data):
        return ExitCode.BAD_INPUT
    c = result.counts
    where = "stdout" if args.output == "-" else args.output
    print(
        shown(
            f"imported {shown(args.file)} → {shown(str(where))}: {c['components']} components, {c['flows']} flows, "
            f"{c['boundaries']} boundaries, {c['threats']} threats, {c['decisions']} decisions"
            + (
                f" ({len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''})"
                if result.warnings
                else ""
            )
        ),
        file=sys.stderr if args.output == "-" else sys.stdout,
    )
    return ExitCode.OK


def run_export(args: argparse.Namespace) -> ExitCode:
    if args.output != "-" and os.path.isdir(args.output):
        print(f"{shown(str(args.output))}: error: is a directory; give the path of the file to write", file=sys.stderr)
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
    result = export_threat_dragon(loaded.model, analysis)
    _warn(args.model, result.warnings)
    if not _write(args.output, result.text.encode("utf-8")):
        return ExitCode.BAD_INPUT
    c = result.counts
    where = "stdout" if args.output == "-" else args.output
    print(
        f"exported {shown(args.model)} → {shown(str(where))}: {c['components']} components, {c['flows']} flows, "
        f"{c['boundaries']} boundaries, {c['threats']} threats",
        file=sys.stderr if args.output == "-" else sys.stdout,
    )
    return ExitCode.OK
