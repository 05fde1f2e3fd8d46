"""The exit codes of every stride-tui command and of the editor (DESIGN §4)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a run of stride-tui tells the shell; CI gates depend on 1 and 2 meaning different things."""

    OK = 0
    FAILED = 1
    """A check failed: a gate tripped, a file is not canonical, a diff adds open findings."""
    BAD_INPUT = 2
    """Bad input or usage: an invalid model, a missing file, an unknown option, an internal error."""
    INTERRUPTED = 130
    """Stopped with Ctrl+C: 128 + SIGINT, as shells report it."""
