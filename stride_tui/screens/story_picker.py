"""Phase 3 of the session: pick the stories (issue 12). The top stories by risk, each kept or
dropped with one key (the first `DEFAULT_LIMIT` start kept: the 3–6 a sprint takes), a whole
story decided with one key more, then the kept ones exported as Markdown, CSV or JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from stride_tui.core.outputs.stories import DEFAULT_LIMIT, Story
from widgets import safe_text, severity_badge

from .decide_dialog import DecideDialog
from .dialog import Dialog

FORMATS: dict[str, tuple[str, str]] = {"m": ("markdown", "md"), "c": ("csv", "csv"), "j": ("json", "json")}
"""Export keys: the format and the file extension."""
TOGGLE_KEYS = ("space", "k")


class Picked(NamedTuple):
    """The stories kept, in rank order, and the format to export them in."""

    stories: tuple[Story, ...]
    fmt: str
    extension: str
    offered: int
    """How many stories were offered (kept or not)."""


class StoryPicker(Dialog[Picked | None]):
    """The undecided stories, riskiest first, with a mark for each one kept.

    ``decide`` records a decision on every threat of a story (one undoable edit) and returns
    whether it did; a decided story leaves the pick.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    """
    | Key(s) | Description |
    | :- | :- |
    | space, k | Keep or drop the story under the cursor. |
    | d | Decide the whole story (every threat it covers): mitigated, accepted… |
    | m, c, j | Export the kept stories as Markdown, CSV or JSON. |
    | escape | Close without exporting. |
    """

    def __init__(
        self,
        stories: Sequence[Story],
        decide: Callable[[Story, str], bool],
        keep: int = DEFAULT_LIMIT,
    ) -> None:
        super().__init__()
        self.stories: list[Story] = list(stories)
        """The stories offered, riskiest first."""
        self.kept: set[str] = {story.id for story in self.stories[:keep]}
        """Ids of the stories kept."""
        self.decided: dict[str, str] = {}
        """Stories decided here, with the status given."""
        self._decide = decide

    def compose(self) -> ComposeResult:
        with Vertical(id="story-dialog", classes="dialog"):
            yield Static(Text("Pick the stories for the backlog", style="bold"), classes="dialog-title")
            yield Static(id="story-count", markup=False)
            yield OptionList(*[Option(self._prompt(s), id=s.id) for s in self.stories], id="story-options")
            yield Static(
                Text(
                    "space/k keep or drop · d decide the whole story · m/c/j export the kept ones "
                    "(Markdown, CSV, JSON) · esc close",
                    style="dim",
                ),
                markup=False,
            )

    def on_mount(self) -> None:
        self._refresh_count()

    def initial_focus(self) -> Widget | None:
        return self.query_one(OptionList)

    @property
    def kept_stories(self) -> tuple[Story, ...]:
        """The kept stories, in rank order."""
        return tuple(s for s in self.stories if s.id in self.kept and s.id not in self.decided)

    def _prompt(self, story: Story) -> Text:
        decided = self.decided.get(story.id)
        mark = "[x] " if story.id in self.kept and decided is None else "[ ] "
        text = Text(mark, style="bold")
        text.append_text(severity_badge(story.severity, short=True))
        text.append(" ")
        text.append_text(safe_text(story.title, limit=120, style="strike dim" if decided else ""))
        count = len(story.threat_ids)
        text.append(f"  {count} threat{'s' if count != 1 else ''}", style="dim")
        if story.tickets:
            text.append("  ")
            text.append_text(safe_text(", ".join(story.tickets), style="dim"))
        if decided:
            text.append(f"  decided: {decided}", style="italic")
        return text

    def _refresh_count(self) -> None:
        kept = len(self.kept_stories)
        line = f"{kept} of {len(self.stories)} kept (a backlog wants 3–6)"
        if self.decided:
            line += f" · {len(self.decided)} decided here"
        self.query_one("#story-count", Static).update(Text(line))

    def _redraw(self, story: Story) -> None:
        options = self.query_one(OptionList)
        options.replace_option_prompt(story.id, self._prompt(story))
        self._refresh_count()

    def _current(self) -> Story | None:
        options = self.query_one(OptionList)
        index = options.highlighted
        return self.stories[index] if index is not None and 0 <= index < len(self.stories) else None

    def toggle(self) -> None:
        """Keep the story under the cursor, or drop it."""
        story = self._current()
        if story is None or story.id in self.decided:
            return
        self.kept ^= {story.id}
        self._redraw(story)

    def on_key(self, event: events.Key) -> None:
        if event.key in TOGGLE_KEYS:
            event.stop()
            self.toggle()
        elif event.key == "d":
            event.stop()
            story = self._current()
            if story is not None and story.id not in self.decided:
                self._ask_decision(story)
        elif event.key in FORMATS:
            event.stop()
            fmt, extension = FORMATS[event.key]
            self.dismiss(Picked(self.kept_stories, fmt, extension, len(self.stories)))

    def _ask_decision(self, story: Story) -> None:
        def chosen(verdict: object) -> None:
            status = getattr(verdict, "status", None)
            if status and self._decide(story, status):
                self.decided[story.id] = status
                self._redraw(story)

        count = len(story.threat_ids)
        summary = f"the story's {count} threat{'s' if count != 1 else ''}, one decision each"
        self.app.push_screen(DecideDialog(safe_text(story.title, limit=80), summary, with_note=False), chosen)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.toggle()

    def action_cancel(self) -> None:
        self.dismiss(None)
