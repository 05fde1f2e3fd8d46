"""The ``stride-tui`` command line: argument parsing and dispatch to ``stride_tui.commands``.

Exit codes everywhere (DESIGN §4): 0 ok, 1 a check failed, 2 bad input or usage. No traceback
ever reaches the user; set ``STRIDE_TUI_DEBUG=1`` to see one.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from .commands.printing import shown
from .core.exit_codes import ExitCode

_DESCRIPTION = """\
STRIDE threat models as TOML files in your repository: a terminal editor and a CI gate.

Run `stride-tui MODEL` to open the editor (a missing MODEL starts a new model saved there).
Exit codes: 0 ok, 1 a check failed (not canonical, gate tripped), 2 bad input or usage."""


_MODULES = ("files", "editing", "analysis", "outputs", "vcs", "interop")
"""The modules of ``stride_tui.commands``, in the order ``--help`` lists their subcommands."""
COMMANDS = {
    **dict.fromkeys(("new", "validate", "fmt", "schema"), "files"),
    "add": "editing",
    **dict.fromkeys(("threats", "check", "rules"), "analysis"),
    **dict.fromkeys(("render", "report", "stories"), "outputs"),
    **dict.fromkeys(("diff", "textconv"), "vcs"),
    **dict.fromkeys(("import", "export"), "interop"),
}
"""The module that registers each subcommand: a command imports only its own module (the
others bring importers, diagrams and diffs it never uses, a tenth of a second of start-up)."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line error (its default) but never prints a traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full command-line grammar; each subcommand documents itself in ``--help``.

    ``only``: just the subcommands of that module of ``stride_tui.commands`` (and ``edit``),
    for a command line that names one of them."""
    parser = _Parser(
        prog="stride-tui",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"stride-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    edit = sub.add_parser(
        "edit",
        help="open the editor on MODEL",
        description="Open the editor on MODEL; a missing file starts a new model that is saved there.",
    )
    edit.add_argument("model", metavar="MODEL")
    edit.set_defaults(run=_run_edit)

    for name in _MODULES:
        if only is None or only == name:
            importlib.import_module(f"{__package__}.commands.{name}").register(sub)
    return parser


def _run_edit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .app import run_editor  # Textual loads only when the editor is wanted

    return run_editor(Path(args.model))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Without ``argv`` (the ``stride-tui`` command itself) a named command runs without the cyclic
    GC, and a finished command other than the editor ends the process at once instead of
    returning (`_end_process`)."""
    if argv is None:
        if sys.argv[1:2] and sys.argv[1] in COMMANDS:
            # a command runs for a moment and builds tens of thousands of values, none of them
            # cyclic: the cyclic GC would only scan them again and again (the editor keeps it)
            gc.disable()
        code, editor = _main(sys.argv[1:])
        if not editor:
            _end_process(code)
        return code
    return _main(argv)[0]


def _end_process(code: int) -> NoReturn:
    """Flush the output and end the process without tearing the interpreter down: after a large
    analysis, freeing its objects one by one is a tenth of a second of a `threats` run, for
    memory the process gives back when it ends anyway. Commands close every file they write and
    wait for every program they start; nothing else is left to do at exit."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # closed early (`| head`): as `_main`
            stream.flush()
    os._exit(code)


def _main(argv: Sequence[str]) -> tuple[int, bool]:
    """The exit code, and whether the command was the editor."""
    argv = list(argv)
    if argv and argv[0] not in COMMANDS and argv[0] != "edit" and not argv[0].startswith("-"):
        argv.insert(0, "edit")  # `stride-tui MODEL` opens the editor
    # a named command needs only its own module; help, --version and errors get the whole grammar
    parser = build_parser(("" if argv[0] == "edit" else COMMANDS.get(argv[0])) if argv else None)
    if not argv:
        parser.print_help()
        return ExitCode.OK, False
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return (exc.code if isinstance(exc.code, int) else ExitCode.OK), False
    editor = args.run is _run_edit
    try:
        return args.run(args), editor
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED, editor
    except BrokenPipeError:
        # stdout closed early (`| head`): not an error of ours, and nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK, editor
    except Exception as exc:  # the promise is "never a traceback": report and exit 2
        if os.environ.get("STRIDE_TUI_DEBUG"):
            raise
        print(
            f"stride-tui: internal error: {type(exc).__name__}: {shown(str(exc))}\n"
            "(please report it; set STRIDE_TUI_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT, editor
