"""Printing for commands: diagnostics to stderr, with user text made safe for a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from stride_tui.core.files.diagnostics import Diagnostic
from stride_tui.core.text_safety import escape_controls


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Write each diagnostic on its own line to stderr, control characters shown as ``\\uXXXX``."""
    for diagnostic in diagnostics:
        print(escape_controls(str(diagnostic)), file=sys.stderr)
