"""Printing for commands: diagnostics to stderr, with user text made safe for a terminal."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from stride_tui.core.files.diagnostics import Diagnostic

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Show control characters as ``\\uXXXX`` so no escape sequence reaches the terminal."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Write each diagnostic on its own line to stderr."""
    for diagnostic in diagnostics:
        print(terminal_safe(str(diagnostic)), file=sys.stderr)
