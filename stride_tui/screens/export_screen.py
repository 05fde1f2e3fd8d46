"""Ask what to export and where: the diagram, the report or the stories, in which format, to which file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from stride_tui.core.files.paths import folder_problem
from widgets import TextInput, safe_text

from .dialog import Dialog

# what -> (label, formats with their file extension)
EXPORTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "diagram": ("Data-flow diagram", (("svg", "svg"), ("png", "png"), ("dot", "dot"))),
    "report": ("Threat-model report", (("markdown", "md"), ("html", "html"), ("json", "json"))),
    "stories": ("Security stories", (("markdown", "md"), ("csv", "csv"), ("json", "json"))),
}
_SUFFIXES = {"diagram": "", "report": "-report", "stories": "-stories"}


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked to export."""

    kind: str  # a key of EXPORTS
    fmt: str
    path: Path


def extension(kind: str, fmt: str) -> str:
    """The file extension of ``fmt`` exports of ``kind``."""
    return dict(EXPORTS[kind][1])[fmt]


def default_path(model_path: Path, kind: str, fmt: str) -> Path:
    """Where an export goes unless the user says otherwise: next to the model, named after it."""
    return model_path.with_name(f"{model_path.stem}{_SUFFIXES[kind]}.{extension(kind, fmt)}")


class ExportScreen(Dialog[ExportRequest | None]):
    """Pick what, the format and the file; dismisses with an `ExportRequest`, or None.

    The caller asks before replacing an existing file.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab | Next field. |
    | enter | Export (in the path field, or on the button). |
    | escape | Cancel. |
    """

    def __init__(self, model_path: Path, kind: str = "diagram", fmt: str | None = None) -> None:
        """
        Args:
            model_path: The model's file; exports default to its folder and name.
            kind: What is offered first: ``diagram``, ``report`` or ``stories``.
            fmt: The format offered first (default: the first of ``kind``).
        """
        super().__init__()
        self.model_path: Path = model_path
        """The model's file."""
        self.kind: str = kind
        """What to export."""
        self.fmt: str = fmt or EXPORTS[kind][1][0][0]
        """The format."""

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(Text("Export", style="bold"), classes="dialog-title", markup=False)
            with Horizontal(id="export-choices"):
                yield Select(
                    [(label, kind) for kind, (label, _) in EXPORTS.items()],
                    value=self.kind,
                    allow_blank=False,
                    id="export-kind",
                    compact=True,
                )
                yield Select(
                    self._format_options(self.kind), value=self.fmt, allow_blank=False, id="export-format", compact=True
                )
            yield Static(Text("File (relative to the current folder):"), markup=False)
            yield TextInput(str(default_path(self.model_path, self.kind, self.fmt)), id="export-path")
            yield Static("", id="export-problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Export  [enter]"), id="export-go", variant="primary", compact=True)
                yield Button(Text("Cancel  [esc]"), id="export-cancel", compact=True)

    def on_mount(self) -> None:
        self._check()

    def initial_focus(self) -> Widget | None:
        return self.query_one("#export-path", Input)

    @staticmethod
    def _format_options(kind: str) -> list[tuple[str, str]]:
        return [(f"{fmt} (.{ext})", fmt) for fmt, ext in EXPORTS[kind][1]]

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL:
            return
        if event.select.id == "export-kind" and event.value != self.kind:
            self.kind = str(event.value)
            self.fmt = EXPORTS[self.kind][1][0][0]
            formats = self.query_one("#export-format", Select)
            with self.prevent(Select.Changed):
                formats.set_options(self._format_options(self.kind))
                formats.value = self.fmt
        elif event.select.id == "export-format":
            self.fmt = str(event.value)
        else:
            return
        self._retarget()

    def _retarget(self) -> None:
        """Follow the format in the file name: keep the folder and name typed, change what it is."""
        field = self.query_one("#export-path", Input)
        typed = Path(field.value.strip()) if field.value.strip() else None
        default = default_path(self.model_path, self.kind, self.fmt)
        if typed is None:
            field.value = str(default)
        else:
            stem = typed.stem
            for suffix in _SUFFIXES.values():
                if suffix and stem.endswith(suffix):
                    stem = stem[: -len(suffix)]
            field.value = str(typed.with_name(f"{stem}{_SUFFIXES[self.kind]}.{extension(self.kind, self.fmt)}"))
        self._check()

    def problem(self) -> str | None:
        """Why the typed path cannot be written, or None when it can (as far as we can tell)."""
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            return "type a file name"
        path = Path(text).expanduser()
        problem = folder_problem(path)
        if problem:
            return problem
        if os.path.realpath(path) == os.path.realpath(self.model_path):
            return "that is the model file itself"
        if path.exists() and not os.access(path, os.W_OK):
            return f"{path.name} is read-only"
        return None

    def _check(self) -> bool:
        problem = self.problem()
        self.query_one("#export-problem", Static).update(safe_text(problem or "", style="red"))
        self.query_one("#export-go", Button).disabled = problem is not None
        return problem is None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-go":
            self._export()
        else:
            self.dismiss(None)

    def _export(self) -> None:
        if self._check():
            path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
            self.dismiss(ExportRequest(self.kind, self.fmt, path))

    def action_cancel(self) -> None:
        self.dismiss(None)
