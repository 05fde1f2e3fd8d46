"""Ask what to export and where: the diagram, the report or the stories, in which format, to which file.

The dialog opens on the choice of *what* (a list: ↑ ↓ or the first letter, enter exports it), so
enter never exports something the user did not see picked. For stories it offers what
`stride-tui stories` does — the top 6 undecided by default, how many (a number or ``all``), the
minimum severity — and says how many stories that leaves out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from stride_tui.core.files.paths import folder_problem
from stride_tui.core.model.elements import SEVERITIES
from stride_tui.core.outputs.stories import DEFAULT_LIMIT, Story
from widgets import TextInput, safe_text
from widgets.choice_box import ChoiceBox
from widgets.text_input import run_own_binding

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
    limit: int | None = DEFAULT_LIMIT
    """Stories: how many, most urgent first (None: every one), as `stories --limit` / `--all`."""
    min_severity: str = "low"
    """Stories: the least severe one kept, as `stories --min-severity`."""


def extension(kind: str, fmt: str) -> str:
    """The file extension of ``fmt`` exports of ``kind``."""
    return dict(EXPORTS[kind][1])[fmt]


def default_path(model_path: Path, kind: str, fmt: str) -> Path:
    """Where an export goes unless the user says otherwise: next to the model, named after it."""
    return model_path.with_name(f"{model_path.stem}{_SUFFIXES[kind]}.{extension(kind, fmt)}")


def parse_limit(text: str) -> int | str | None:
    """How many stories ``text`` asks for: a number, None for ``all`` (or blank), or a problem."""
    text = text.strip().lower()
    if text in ("", "all"):
        return None
    if not text.isdigit() or int(text) < 1:
        return "how many: a number from 1, or all"
    return int(text)


def select_stories(stories: Sequence[Story], limit: int | None, min_severity: str) -> tuple[list[Story], int]:
    """The stories an export writes and how many more there are, as `stride-tui stories` picks them."""
    floor = SEVERITIES.index(min_severity)
    kept = [story for story in stories if SEVERITIES.index(story.severity) >= floor]
    if limit is None:
        return kept, 0
    return kept[:limit], max(len(kept) - limit, 0)


class _KindList(OptionList):
    """What to export: ↑ ↓ or a first letter picks, enter exports; keys act in the order typed."""

    def __init__(self, kind: str) -> None:
        options = (Option(Text(f"{label}  ({key[0]})"), id=key) for key, (label, _) in EXPORTS.items())
        super().__init__(*options, id="export-kind", compact=True)
        self._start = kind

    def on_mount(self) -> None:
        self.value = self._start

    @property
    def value(self) -> str:
        """The kind highlighted (a key of `EXPORTS`)."""
        option = self.highlighted_option
        return option.id if option is not None and option.id is not None else self._start

    @value.setter
    def value(self, kind: str) -> None:
        self.highlighted = self.get_option_index(kind)

    async def _on_key(self, event: events.Key) -> None:
        for kind in EXPORTS:
            if event.character == kind[0]:
                event.stop()
                event.prevent_default()
                self.value = kind
                return
        await run_own_binding(self, event)


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
    | ↑ ↓, d r s | What to export (where the dialog opens): diagram, report, stories. |
    | tab | Next field: format, (stories) how many and minimum severity, file. |
    | enter | Export (on the choice of what, in a text field, or on the button). |
    | escape | Cancel. |
    """

    def __init__(
        self,
        model_path: Path,
        kind: str = "diagram",
        fmt: str | None = None,
        stories: Sequence[Story] | None = None,
    ) -> None:
        """
        Args:
            model_path: The model's file; exports default to its folder and name.
            kind: What is offered first: ``diagram``, ``report`` or ``stories``.
            fmt: The format offered first (default: the first of ``kind``).
            stories: Every undecided story of the model, most urgent first (to say how many an
                export leaves out); None when the analysis is not ready.
        """
        super().__init__()
        self.model_path: Path = model_path
        """The model's file."""
        self.kind: str = kind
        """What to export."""
        self.fmt: str = fmt or EXPORTS[kind][1][0][0]
        """The format."""
        self.stories: Sequence[Story] | None = stories
        """The undecided stories, when known."""

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(Text("Export", style="bold"), classes="dialog-title", markup=False)
            with Horizontal(id="export-choices"):
                yield _KindList(self.kind)
                yield ChoiceBox(
                    self._format_options(self.kind), value=self.fmt, allow_blank=False, id="export-format", compact=True
                )
            with Horizontal(id="export-story-options"):
                yield Static(Text("how many:"), classes="export-label", markup=False)
                yield TextInput(str(DEFAULT_LIMIT), id="export-limit", compact=True)
                yield Static(Text("minimum severity:"), classes="export-label", markup=False)
                yield ChoiceBox(
                    [(level, level) for level in SEVERITIES],
                    value="low",
                    allow_blank=False,
                    id="export-severity",
                    compact=True,
                )
            yield Static("", id="export-count", markup=False)
            yield Static(Text("File (relative to the current folder):"), markup=False)
            yield TextInput(str(default_path(self.model_path, self.kind, self.fmt)), id="export-path")
            yield Static("", id="export-problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Export  [enter]"), id="export-go", variant="primary", compact=True)
                yield Button(Text("Cancel  [esc]"), id="export-cancel", compact=True)

    DEFAULT_CSS = """
    ExportScreen {
        #export-choices {
            height: auto;
        }
        #export-kind {
            width: 28;
            height: auto;
            margin-right: 2;
        }
        #export-format {
            width: 24;
        }
        #export-story-options {
            height: auto;
            margin-top: 1;
        }
        .export-label {
            width: auto;
            margin-right: 1;
            color: $foreground-muted;
        }
        #export-limit {
            width: 8;
            margin-right: 2;
        }
        #export-severity {
            width: 16;
        }
        #export-count {
            margin-bottom: 1;
        }
    }
    """

    def on_mount(self) -> None:
        self._show_story_options()
        self._check()

    def initial_focus(self) -> Widget | None:
        return self.query_one("#export-kind", OptionList)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        kind = event.option.id
        if kind is None or kind == self.kind:
            return
        self.kind = kind
        self.fmt = EXPORTS[kind][1][0][0]
        formats = self.query_one("#export-format", Select)
        with self.prevent(Select.Changed):
            formats.set_options(self._format_options(kind))
            formats.value = self.fmt
        self._show_story_options()
        self._retarget()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._export()

    def _show_story_options(self) -> None:
        stories = self.kind == "stories"
        self.query_one("#export-story-options").display = stories
        self.query_one("#export-count").display = stories
        if stories:
            self._count()

    def story_choice(self) -> tuple[int | None, str] | str:
        """(how many, minimum severity) as typed, or what is wrong with them."""
        limit = parse_limit(self.query_one("#export-limit", Input).value)
        if isinstance(limit, str):
            return limit
        severity = self.query_one("#export-severity", Select).value
        return limit, str(severity) if severity is not Select.NULL else "low"

    def _count(self) -> None:
        """Say how many stories the export writes, and how many more there are."""
        line = self.query_one("#export-count", Static)
        choice = self.story_choice()
        if self.stories is None or isinstance(choice, str):
            line.update(Text("", style="dim"))
            return
        shown, more = select_stories(self.stories, *choice)
        text = f"{len(shown)} of {len(self.stories)} undecided stories"
        if more:
            text += f"; {more} more (how many: all, or a larger number)"
        line.update(Text(text, style="dim"))

    @staticmethod
    def _format_options(kind: str) -> list[tuple[str, str]]:
        return [(f"{fmt} (.{ext})", fmt) for fmt, ext in EXPORTS[kind][1]]

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL:
            return
        if event.select.id == "export-format":
            self.fmt = str(event.value)
            self._retarget()
        elif event.select.id == "export-severity":
            self._count()
            self._check()

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
        if self.kind == "stories" and isinstance(choice := self.story_choice(), str):
            return choice
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
        if event.input.id == "export-limit":
            self._count()
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
            choice = self.story_choice()
            limit, severity = choice if not isinstance(choice, str) else (DEFAULT_LIMIT, "low")
            self.dismiss(ExportRequest(self.kind, self.fmt, path, limit, severity))

    def action_cancel(self) -> None:
        self.dismiss(None)
