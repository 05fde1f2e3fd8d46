"""Problems found in a file, each pinned to a place: ``PATH:LINE:COL: error: MESSAGE``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where it is (file, line, column, field path) and what to do about it."""

    file: str
    message: str
    line: int | None = None
    col: int | None = None
    level: Level = "error"
    field: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.level}: {self.message}"


@dataclass
class ModelError(Exception):
    """Raised when a file cannot be used; carries every problem found, not only the first."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


def field_path(loc: tuple[str | int, ...]) -> str:
    """Render a field path the way the file spells it: ``flows.web-to-api.protocol``."""
    parts = []
    for part in loc:
        text = str(part)
        if isinstance(part, int):
            parts.append(f"[{part}]")
            continue
        if not text.replace("-", "").replace("_", "").isalnum() or not text.isascii():
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(("." if parts else "") + text)
    return "".join(parts)
