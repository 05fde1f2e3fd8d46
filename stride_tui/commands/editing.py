"""Commands that edit a model: ``add``, the editor's sketch lines from the command line."""

from __future__ import annotations

import argparse
import sys

from stride_tui.core.editing.sketch import SYNTAX, SketchError, apply_sketch
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import Fingerprint, SaveError, save_model

from .printing import print_diagnostics, shown

_EXAMPLES = """\
examples:
  stride-tui add model.toml "[Internet] Customer > [Cluster] API gateway > Refund service"
  stride-tui add model.toml "[Cluster] Refund service > Payments service, [+Data tier] Ledger DB, Audit log"
  stride-tui add model.toml "Customer > API gateway > Refund service : https, jwt"
  stride-tui add model.toml "Refund service > Ledger DB (store) : postgres, tls"
  stride-tui add model.toml "[Cluster] API gateway, Worker"
  stride-tui add model.toml "Refund service : privileged, no audit log"

A name not in the model becomes a component; its kind comes from (user), (process), (store),
(queue) or (log) after it, or is guessed from its words and said so. A step of a chain may
list several names (A > B, C is a flow to each). [Boundary] before a name puts that name, the
names listed with it and every new name after it in the line in that boundary, until the next
[...]; an existing name further on keeps its place. [+Inner] is a boundary inside the one in
force there, [Outer / Inner] one inside Outer, Name [Boundary] places that name alone. Facts
after ':' go on every flow of the chain, or on the components of a line without '>':
protocols (https, grpc, kafka...), mtls, jwt, oauth2, session, api key, static secret, no auth,
encrypted, signed, timeout, circuit breaker, correlation id, public/internal/confidential/
restricted, "quoted data"; for components privileged, forwards, audit log, least privilege,
validates input, sanitizes errors, rate limited, secrets manager, trusted, encrypted at rest,
stores credentials, restricted access; for both, high/medium/low integrity and availability.
"no ..." or "not ..." makes a yes/no fact false. A gateway, proxy, ingress or load balancer is
guessed to forward requests (say "not forwards" if it acts on them). A boundary named Internet
is the internet."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the parser."""
    add = sub.add_parser(
        "add",
        help="add to a model with sketch lines (A > B : https)",
        description="Apply each LINE to MODEL in order and save it once. A line that cannot be "
        "applied is reported with its column and nothing is written. Syntax: " + SYNTAX,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("model", metavar="MODEL")
    add.add_argument("lines", metavar="LINE", nargs="+")
    add.add_argument("--dry-run", action="store_true", help="say what the lines would do; write nothing")
    add.add_argument("--drop-comments", action="store_true", help="save even though the file's comments are lost")
    add.set_defaults(run=run_add)


def run_add(args: argparse.Namespace) -> ExitCode:
    name = shown(args.model)
    try:
        loaded = load_model(args.model)
    except ModelError as exc:
        print_diagnostics(exc.diagnostics)
        return ExitCode.BAD_INPUT
    fingerprint = Fingerprint.of(args.model)
    model = loaded.model
    changes: list[str] = []
    notes: list[str] = []
    for number, line in enumerate(args.lines, start=1):
        try:
            result = apply_sketch(model, line)
        except SketchError as error:
            safe_line = shown(line)
            print(f"{name}: error: line {number}, {error}\n  {safe_line}", file=sys.stderr)
            # the caret line counts characters as shown, so escapes before the error shift it
            offset = len(shown(line[: error.start]))
            width = max(len(shown(line[error.start : error.end])), 1)
            print("  " + " " * offset + "^" * width, file=sys.stderr)
            print(f"{name}: nothing written", file=sys.stderr)
            return ExitCode.BAD_INPUT
        model = result.model
        changes += result.changes
        notes += [note for note in result.notes if note not in notes]
    if loaded.comment_lines and not args.drop_comments and not args.dry_run:
        lines = ", ".join(str(n) for n in loaded.comment_lines[:10])
        print(
            f"{name}:{loaded.comment_lines[0]}: error: has comments (lines {lines}) that saving "
            "would drop; move them into `description` fields, or pass --drop-comments",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    if not args.dry_run:
        try:
            save_model(model, args.model, fingerprint)
        except SaveError as exc:
            print(f"{name}: error: {shown(str(exc))}", file=sys.stderr)
            return ExitCode.BAD_INPUT
    verb = "would change" if args.dry_run else "changed"
    print(f"{name}: {verb}:")
    for change in changes:
        print(f"  {shown(change)}")
    for note in notes:
        print(f"note: {shown(note)}")
    return ExitCode.OK
