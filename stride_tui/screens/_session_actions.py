"""The main screen's 30-minute session: a clock in the status line that walks the three phases.

Draw the data flow, STRIDE the boundaries, capture stories (DESIGN §1). The clock is
`core.session.Session`, driven by a one-second timer and ``session_clock`` (replaceable in
tests). A notice marks each new phase; the end shows what the session produced and offers the
stories export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work

from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.outputs.stories import build_stories
from stride_tui.core.session import PHASES, Session, SessionSummary, clock
from widgets import StatusLine

from .choice_screen import Choice, ChoiceScreen
from .session_form import SessionForm

if TYPE_CHECKING:
    from .main_screen import MainScreen

PHASE_HINTS = (
    "Who calls what: add components (c), flows (f) and trust boundaries (b); g shows the diagram.",
    "Select each trust boundary (3) and decide the findings of the flows that cross it (d).",
    "Keep 3–6 stories: decide what you accept or mitigate, then export the stories (ctrl+e).",
)


def session_summary(start: ThreatModel, end: ThreatModel, stories: int) -> SessionSummary:
    """What a session changed between ``start`` and ``end``."""
    added = sum(
        len(set(getattr(end, section)) - set(getattr(start, section)))
        for section in ("components", "flows", "boundaries")
    )
    decided = 0
    for key, decision in end.decisions.items():
        before = start.decisions.get(key)
        if decision.status != "open" and (before is None or before.status != decision.status):
            decided += 1
    for threat_id, threat in end.threats.items():
        before_threat = start.threats.get(threat_id)
        if threat.status != "open" and (before_threat is None or before_threat.status != threat.status):
            decided += 1
    return SessionSummary(added, decided, stories)


class SessionActions:
    """Mixed into `MainScreen`: start, pause, resume and stop a session."""

    def action_session(self: MainScreen) -> None:
        """Start a session (asking for the phase lengths), or pause / resume the running one."""
        session = self.session
        if session is None:
            self._session_form()
            return
        now = self.session_clock()
        if session.status(now).paused:
            session.resume(now)
            self.notify("Session resumed.", markup=False, timeout=3)
        else:
            session.pause(now)
            self.notify("Session paused: ctrl+t resumes.", markup=False, timeout=3)
        self._show_session()

    def action_session_stop(self: MainScreen) -> None:
        """Stop the running session now and show what it produced."""
        if self.session is None:
            self.notify("No session is running: ctrl+t starts one.", markup=False, timeout=3)
            return
        self.session.stop(self.session_clock())
        self._tick_session()

    @work(group="session-dialog")
    async def _session_form(self: MainScreen) -> None:
        minutes = await self.app.push_screen_wait(SessionForm(self.session_minutes))
        if minutes is not None:
            self.start_session(minutes)

    def start_session(self: MainScreen, minutes: tuple[int, int, int]) -> None:
        """Start a session with these phase lengths (minutes)."""
        self.session_minutes = minutes
        self.session = Session(self.session_clock(), minutes)
        self._session_start = self.model
        if self._session_timer is None:
            self._session_timer = self.set_interval(1.0, self._tick_session)
        else:
            self._session_timer.resume()
        self.notify(
            f"Phase 1/{len(PHASES)}: {PHASES[0]} ({minutes[0]} min). {PHASE_HINTS[0]}",
            title="Session started",
            timeout=10,
            markup=False,
        )
        self._show_session()

    def _tick_session(self: MainScreen) -> None:
        session = self.session
        if session is None:
            return
        now = self.session_clock()
        change = session.phase_change(now)
        if change is not None and change.finished:
            self._finish_session()
            return
        if change is not None:
            minutes = self.session_minutes[change.phase]
            self.notify(
                f"Phase {change.phase + 1}/{len(PHASES)}: {change.phase_name} ({minutes} min). "
                f"{PHASE_HINTS[change.phase]}",
                title="Next phase",
                timeout=15,
                markup=False,
            )
            self.app.bell()
        self._show_session()

    def _show_session(self: MainScreen) -> None:
        line = self.query_one("#session-bar", StatusLine)
        session = self.session
        if session is None:
            line.clear()
            return
        status = session.status(self.session_clock())
        text = Text("⏱ ", style="bold")
        text.append(status.describe(), style="bold" if not status.paused else "dim")
        keys = "ctrl+t resume · T stop" if status.paused else "ctrl+t pause · T stop"
        text.append(f"   {keys}", style="dim")
        line.show(text)

    def session_summary(self: MainScreen) -> SessionSummary:
        """What the running (or just finished) session produced so far."""
        start = self._session_start or self.model
        analysis = self.analysis
        stories = len(build_stories(analysis)) if analysis is not None and analysis.model is self.model else 0
        return session_summary(start, self.model, stories)

    def _finish_session(self: MainScreen) -> None:
        session = self.session
        if session is None:
            return
        elapsed = min(session.elapsed(self.session_clock()), sum(session.lengths))
        summary = self.session_summary()
        self.session = None
        self._session_start = None
        if self._session_timer is not None:
            self._session_timer.pause()
        self._show_session()
        self.app.bell()
        self._summary_dialog(summary, elapsed)

    @work(group="session-dialog")
    async def _summary_dialog(self: MainScreen, summary: SessionSummary, elapsed: float) -> None:
        lines = [
            Text(f"The session ran {clock(elapsed)} and produced:"),
            Text(
                f"  {summary.elements_added} element{'s' if summary.elements_added != 1 else ''} added "
                "(components, flows, boundaries)"
            ),
            Text(f"  {summary.findings_decided} finding{'s' if summary.findings_decided != 1 else ''} decided"),
            Text(
                f"  {summary.stories} stor{'ies' if summary.stories != 1 else 'y'} for the backlog "
                "(open, investigating and accepted findings)"
            ),
        ]
        if self.document.dirty:
            lines.append(Text("The model has unsaved changes: ctrl+s saves them.", style="bold"))
        answer = await self.app.push_screen_wait(
            ChoiceScreen(
                "Session finished",
                lines,
                [Choice("export", "Export the stories…", "e", "primary"), Choice("close", "Close", "c")],
                default="export",
            )
        )
        if answer == "export":
            self.action_export("stories")
