"""Printing for commands: diagnostics to stderr, with user text made safe for a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from stride_tui.core.files.diagnostics import Diagnostic
from stride_tui.core.text_safety import escape_controls, show_invisible


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Write each diagnostic on its own line to stderr, safe for a terminal (see `shown`)."""
    for diagnostic in diagnostics:
        print(shown(str(diagnostic)), file=sys.stderr)


def shown(text: str) -> str:
    """User text (a path, a name, a message) as one safe terminal line: control characters as
    ``\\uXXXX``, bidi and invisible characters as ``<U+202E>``."""
    return show_invisible(escape_controls(text, one_line=True))


def shown_document(text: str) -> str:
    """A whole document for a person to read in a terminal (diff, textconv, threats): as `shown`,
    but line breaks and tabs are kept."""
    return show_invisible(escape_controls(text))
