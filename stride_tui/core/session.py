"""The 30-minute feature threat model as a timed session: three phases, pause, resume, stop.

Pure and clock-free: every method takes ``now`` (seconds, monotonic), so the editor drives it
from a timer and tests drive it with plain numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

PHASES = ("Draw the data flow", "STRIDE the boundaries", "Capture stories")
DEFAULT_MINUTES = (10, 10, 10)


@dataclass(frozen=True)
class SessionStatus:
    """Where a session stands at one moment."""

    phase: int  # index into PHASES; len(PHASES) once finished
    phase_name: str
    phase_left: float  # seconds
    total_left: float
    paused: bool
    finished: bool

    def describe(self) -> str:
        """Status-bar text: "STRIDE the boundaries 04:12 left · 14:12 in all"."""
        if self.finished:
            return "Session finished"
        state = " (paused)" if self.paused else ""
        return (
            f"{self.phase + 1}/{len(PHASES)} {self.phase_name} {clock(self.phase_left)} left · "
            f"{clock(self.total_left)} in all{state}"
        )


def clock(seconds: float) -> str:
    """Seconds as mm:ss, never negative."""
    whole = max(0, int(seconds + 0.999))
    return f"{whole // 60:02d}:{whole % 60:02d}"


class Session:
    """A running session: elapsed time counts only while not paused."""

    def __init__(self, now: float, minutes: tuple[int, int, int] = DEFAULT_MINUTES) -> None:
        if len(minutes) != len(PHASES) or any(m <= 0 for m in minutes):
            raise ValueError("a session needs three phase lengths of at least one minute")
        self.lengths = tuple(m * 60.0 for m in minutes)
        self._started = now
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._stopped_at: float | None = None
        self._last_phase = 0

    def elapsed(self, now: float) -> float:
        """Running time so far, pauses excluded."""
        end = self._stopped_at if self._stopped_at is not None else now
        if self._paused_at is not None:
            end = min(end, self._paused_at)
        return max(0.0, end - self._started - self._paused_total)

    def pause(self, now: float) -> None:
        if self._paused_at is None and self._stopped_at is None:
            self._paused_at = now

    def resume(self, now: float) -> None:
        if self._paused_at is not None:
            self._paused_total += now - self._paused_at
            self._paused_at = None

    def stop(self, now: float) -> None:
        if self._stopped_at is None:
            self.resume(now)
            self._stopped_at = now

    def status(self, now: float) -> SessionStatus:
        elapsed = self.elapsed(now)
        total = sum(self.lengths)
        finished = self._stopped_at is not None or elapsed >= total
        boundary = 0.0
        for index, length in enumerate(self.lengths):
            if elapsed < boundary + length and not finished:
                return SessionStatus(
                    index,
                    PHASES[index],
                    boundary + length - elapsed,
                    total - elapsed,
                    self._paused_at is not None,
                    False,
                )
            boundary += length
        return SessionStatus(len(PHASES), "Finished", 0.0, 0.0, False, True)

    def phase_change(self, now: float) -> SessionStatus | None:
        """The new status when the phase moved on since the last call (for a notice), else None."""
        status = self.status(now)
        if status.phase != self._last_phase:
            self._last_phase = status.phase
            return status
        return None


@dataclass(frozen=True)
class SessionSummary:
    """What a session produced."""

    elements_added: int
    findings_decided: int
    stories: int

    def describe(self) -> str:
        return (
            f"{self.elements_added} elements added, {self.findings_decided} decisions made, "
            f"{self.stories} stories to export"
        )
