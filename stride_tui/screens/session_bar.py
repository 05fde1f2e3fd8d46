"""The session bar: the 30-minute session's clock, walking its three phases in the status line.

Draw the data flow, STRIDE the boundaries, capture stories (DESIGN §1). The clock is
`core.session.Session`, driven by a one-second timer and `SessionBar.clock` (replaceable in
tests). A notice marks each new phase; at the end the bar posts `SessionBar.Finished`: the
screen lets the squad pick the stories (phase 3: keep or drop each, export the kept ones), then
hands back what the session produced for the closing dialog, which says how many were kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.message import Message
from textual.timer import Timer

from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.outputs.session_summary import summary_lines
from stride_tui.core.session import DEFAULT_MINUTES, PHASES, Session, SessionSummary
from widgets import StatusLine, safe_text

from .choice_screen import Choice, ChoiceScreen
from .session_form import SessionForm

PHASE_HINTS = (
    "Who calls what: a sketch line (a), or components (c), flows (f) and trust boundaries (b); g shows the diagram.",
    "Walk each trust boundary (3), then outside any boundary: answer the questions (y / n), decide the threats (d).",
    "Pick the stories (p): keep or drop each one (space), decide whole stories (d), export the kept ones (m / c / j).",
)


class SessionBar(StatusLine):
    """The running session's phase and time left; hidden while no session runs."""

    class Finished(Message):
        """The session ran out or was stopped: time to show what it produced."""

        def __init__(self, start: ThreatModel, elapsed: float) -> None:
            super().__init__()
            self.start: ThreatModel = start
            """The model as it was when the session started."""
            self.elapsed: float = elapsed
            """Seconds the session ran (pauses excluded)."""

    class StoriesWanted(Message):
        """The user chose to pick (and export) the stories at the end of a session."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: Session | None = None
        """The running session, if any."""
        self.minutes: tuple[int, int, int] = DEFAULT_MINUTES
        """Phase lengths of the last session started (offered for the next one)."""
        self.clock: Callable[[], float] = time.monotonic
        """Seconds for the session clock (tests replace it)."""
        self.timer: Timer | None = None
        """The one-second tick, once a session has started (paused between sessions)."""
        self._start_model: ThreatModel | None = None
        self.picked: tuple[int, int, Path] | None = None
        """Stories kept, stories offered, and where they went: the last pick of this session."""

    def toggle(self, model: ThreatModel) -> None:
        """Start a session on ``model`` (asking for the phase lengths), or pause / resume the running one."""
        if self.session is None:
            self._ask_minutes(model)
        else:
            self.toggle_pause()

    @work(group="session-dialog", description="ask the session length")
    async def _ask_minutes(self, model: ThreatModel) -> None:
        minutes = await self.app.push_screen_wait(SessionForm(self.minutes))
        if minutes is not None:
            self.start(minutes, model)

    def start(self, minutes: tuple[int, int, int], model: ThreatModel) -> None:
        """Start a session with these phase lengths (minutes) on ``model`` as it is now."""
        self.minutes = minutes
        self.session = Session(self.clock(), minutes)
        self._start_model = model
        self.picked = None
        if self.timer is None:
            self.timer = self.set_interval(1.0, self.tick)
        else:
            self.timer.resume()
        self.notify(
            f"Phase 1/{len(PHASES)}: {PHASES[0]} ({minutes[0]} min). {PHASE_HINTS[0]}",
            title="Session started",
            timeout=10,
            markup=False,
        )
        self.refresh_text()

    def toggle_pause(self) -> None:
        """Pause the running session, or resume the paused one."""
        session = self.session
        if session is None:
            return
        now = self.clock()
        if session.status(now).paused:
            session.resume(now)
            self.notify("Session resumed.", markup=False, timeout=3)
        else:
            session.pause(now)
            self.notify("Session paused: ctrl+t resumes.", markup=False, timeout=3)
        self.refresh_text()

    def stop(self) -> None:
        """Stop the running session now and finish it (or say that none runs)."""
        if self.session is None:
            self.notify("No session is running: ctrl+t starts one.", markup=False, timeout=3)
            return
        self.session.stop(self.clock())
        self.tick()

    def record_pick(self, picked: object, path: Path | None) -> None:
        """Remember a pick of stories exported (the summary says how many were kept)."""
        stories = getattr(picked, "stories", None)
        if stories is not None and path is not None:
            self.picked = (len(stories), int(getattr(picked, "offered", len(stories))), path)

    @work(group="session-dialog", description="session summary")
    async def show_summary(self, summary: SessionSummary, elapsed: float, unsaved: bool) -> None:
        """Say what the finished session produced, and offer the stories export."""
        lines = [Text(line) for line in summary_lines(summary, elapsed)]
        if self.picked is not None:
            kept, offered, path = self.picked
            line = Text(f"  {kept} of {offered} stor{'ies' if offered != 1 else 'y'} kept, exported to ", style="bold")
            lines.append(line.append_text(safe_text(str(path), style="bold")))
        else:
            lines.append(Text("  no stories picked yet: p picks them", style="bold"))
        if unsaved:
            lines.append(Text("The model has unsaved changes: ctrl+s saves them.", style="bold"))
        label = "Pick the stories again…" if self.picked is not None else "Pick the stories…"
        choices = [Choice("export", label, "p", "primary"), Choice("close", "Close", "c")]
        default = "close" if self.picked is not None else "export"
        answer = await self.app.push_screen_wait(ChoiceScreen("Session finished", lines, choices, default=default))
        if answer == "export":
            self.post_message(self.StoriesWanted())

    def tick(self) -> None:
        """Move the clock on: a notice at each new phase, `Finished` at the end."""
        session = self.session
        if session is None:
            return
        change = session.phase_change(self.clock())
        if change is not None and change.finished:
            self._finish(session)
            return
        if change is not None:
            minutes = self.minutes[change.phase]
            self.notify(
                f"Phase {change.phase + 1}/{len(PHASES)}: {change.phase_name} ({minutes} min). "
                f"{PHASE_HINTS[change.phase]}",
                title="Next phase",
                timeout=15,
                markup=False,
            )
            self.app.bell()
        self.refresh_text()

    def refresh_text(self) -> None:
        """Show where the session stands (or hide the bar when none runs)."""
        session = self.session
        if session is None:
            self.clear()
            return
        status = session.status(self.clock())
        text = Text("⏱ ", style="bold")
        text.append(status.describe(), style="bold" if not status.paused else "dim")
        keys = "ctrl+t resume · T stop" if status.paused else "ctrl+t pause · T stop"
        text.append(f"   {keys}", style="dim")
        self.show(text)

    def _finish(self, session: Session) -> None:
        elapsed = min(session.elapsed(self.clock()), sum(session.lengths))
        start = self._start_model
        self.session = None
        self._start_model = None
        if self.timer is not None:
            self.timer.pause()
        self.refresh_text()
        self.app.bell()
        if start is not None:
            self.post_message(self.Finished(start, elapsed))
