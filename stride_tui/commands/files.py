"""Commands about the model file itself: ``new``, ``validate``, ``fmt`` and ``schema``."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from stride_tui.core.editing import EditError, build_meta
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import LoadedModel, load_model
from stride_tui.core.files.storage import (
    Fingerprint,
    SaveError,
    atomic_write,
    encode_model,
    leftover_temp_files,
    remove_leftovers,
)
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.json_schema import json_schema
from stride_tui.core.wording import counted

from .printing import print_diagnostics, shown


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    new = sub.add_parser(
        "new",
        help="write a minimal valid model",
        description="Write a minimal valid model to MODEL (refuses to overwrite an existing file).",
    )
    new.add_argument("model", metavar="MODEL")
    new.add_argument("--title", help="model title (default: from the file name)")
    new.set_defaults(run=run_new)

    validate = sub.add_parser(
        "validate",
        help="check models: schema, references, semantics, and the rule files they load",
        description="Check each MODEL (and the rule files its `rule_files` names) and print every problem as "
        "PATH:LINE:COL: error: MESSAGE. Exit 0 when all are valid, 2 when any is not.",
    )
    validate.add_argument("models", metavar="MODEL", nargs="+")
    validate.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    validate.set_defaults(run=run_validate)

    fmt = sub.add_parser(
        "fmt",
        help="rewrite models in canonical form",
        description="Rewrite each MODEL in canonical form (idempotent). With --check, change "
        "nothing and exit 1 if any file is not canonical. TOML comments cannot be kept by a "
        "rewrite, so a file with comments is left alone unless --drop-comments is given.",
    )
    fmt.add_argument("models", metavar="MODEL", nargs="+")
    fmt.add_argument("--check", action="store_true", help="only report; exit 1 if not canonical")
    fmt.add_argument("--diff", action="store_true", help="show what would change as a unified diff")
    fmt.add_argument("--drop-comments", action="store_true", help="rewrite files even though their comments are lost")
    fmt.set_defaults(run=run_fmt)

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of the model file",
        description="Print the JSON Schema of the model file, for TOML editors (taplo, Even "
        "Better TOML). See the README for how to associate it with your model files.",
    )
    schema.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    schema.set_defaults(run=run_schema)


def run_new(args: argparse.Namespace) -> ExitCode:
    path = Path(args.model)
    if path.exists():
        print(f"{shown(str(path))}: error: already exists; not overwriting it", file=sys.stderr)
        return ExitCode.BAD_INPUT
    title = args.title if args.title is not None else _title_from(path)
    try:
        model = ThreatModel(model=build_meta({"title": title}))
    except EditError as exc:
        problem = exc.errors.get("title", str(exc))
        if problem == "required":
            problem = "a title needs visible text"
        print(f"{shown(str(path))}: error: invalid --title: {problem}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    try:
        atomic_write(path, encode_model(model))
    except SaveError as exc:
        print(f"{shown(str(path))}: error: {shown(str(exc))}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    print(f"created {shown(str(path))}")
    return ExitCode.OK


def run_validate(args: argparse.Namespace) -> ExitCode:
    status = ExitCode.OK
    for name in args.models:
        loaded = _load(name)
        if loaded is None or not _rule_files_load(name, loaded):
            status = ExitCode.BAD_INPUT
            continue
        print_diagnostics(loaded.warnings)
        if not args.quiet:
            m = loaded.model
            print(
                f"{shown(name)}: ok ({counted(len(m.components), 'component')}, {counted(len(m.flows), 'flow')}, "
                f"{counted(len(m.boundaries), 'boundary', 'boundaries')})"
            )
    return status


def run_fmt(args: argparse.Namespace) -> ExitCode:
    status = ExitCode.OK
    for name in args.models:
        loaded = _load(name)
        if loaded is None:
            status = ExitCode.BAD_INPUT
            continue
        canonical = encode_model(loaded.model)
        if canonical == loaded.raw:
            if not args.check:  # nothing to rewrite, but what an interrupted save left goes
                for leftover in remove_leftovers(leftover_temp_files(name)):
                    print(f"removed {shown(str(leftover))}, left by an interrupted save")
            continue
        if args.diff:
            _print_diff(name, loaded.raw, canonical)
        if args.check:
            print(f"{shown(name)}: not canonical (run `stride-tui fmt {shown(name)}`)", file=sys.stderr)
            status = max(status, ExitCode.FAILED)
            continue
        if loaded.comment_lines and not args.drop_comments:
            lines = ", ".join(str(n) for n in loaded.comment_lines[:10])
            print(
                f"{shown(name)}:{loaded.comment_lines[0]}: error: has comments (lines {lines}) that a "
                "rewrite would drop; move them into `description` fields, or pass --drop-comments",
                file=sys.stderr,
            )
            status = ExitCode.BAD_INPUT
            continue
        try:
            atomic_write(name, canonical, Fingerprint.of(name))
        except SaveError as exc:
            print(f"{shown(name)}: error: {shown(str(exc))}", file=sys.stderr)
            status = ExitCode.BAD_INPUT
            continue
        print(f"reformatted {shown(name)}")
    return status


def run_schema(args: argparse.Namespace) -> ExitCode:
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            atomic_write(args.output, text.encode())
        except SaveError as exc:
            print(f"{shown(str(args.output))}: error: {shown(str(exc))}", file=sys.stderr)
            return ExitCode.BAD_INPUT
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def _rule_files_load(name: str, loaded: LoadedModel) -> bool:
    """Whether the rule files ``loaded`` names are there, inside its repository and valid (as
    `check` and `threats` will need them); every problem printed."""
    rule_files = loaded.model.model.rule_files
    if not rule_files:
        return True
    from stride_tui.core.analysis.rules import rules_for  # only a model with rule files needs the rules

    try:
        rules_for(Path(name), rule_files)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return False
    return True


def _load(name: str) -> LoadedModel | None:
    try:
        return load_model(name)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return None


def _print_diff(name: str, old: bytes, new: bytes) -> None:
    diff = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(keepends=True),
        new.decode().splitlines(keepends=True),
        fromfile=f"{shown(name)} (on disk)",
        tofile=f"{shown(name)} (canonical)",
    )
    sys.stdout.writelines(diff)


def _title_from(path: Path) -> str:
    stem = path.stem.replace("-", " ").replace("_", " ").strip()
    return stem[:1].upper() + stem[1:] if stem else "Threat model"
