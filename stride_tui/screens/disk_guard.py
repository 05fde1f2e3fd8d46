"""The disk guard: notices the model file changing on disk, and keeps the recovery journal.

Every `DiskGuard.poll_seconds` the file's fingerprint is compared with what was loaded or last
saved (off the UI thread): a change with no unsaved edits asks for a reload, a change under
unsaved edits asks the user reload / overwrite / save as (never overwrite silently). Unsaved
edits that changed since the last write go to the recovery file (`core.files.recovery`) once the
user pauses (`JOURNAL_QUIET` without a key), and at the latest `JOURNAL_LONGEST` after they were
first seen, so even ``kill -9`` loses only the last few seconds. Writing is off the UI thread but
not free: it holds the interpreter (the first write of a 5,000-component model serialises all of
it, half a second; later ones the edited entries and the file, tens of milliseconds), and a key
typed meanwhile took twice as long.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widget import Widget

from stride_tui.core.editing.document import Document
from stride_tui.core.files.recovery import discard_recovery, write_recovery
from stride_tui.core.files.storage import Fingerprint
from stride_tui.core.model.elements import ThreatModel
from widgets import safe_text

from .choice_screen import Choice, ChoiceScreen
from .dialog import typed_within

POLL_SECONDS = 2.0
"""How often the file on disk is checked for changes made elsewhere."""
JOURNAL_SECONDS = 1.0
"""How often the journal looks for unsaved edits to write (only when they changed)."""
JOURNAL_QUIET = 1.0
"""Seconds without a key before unsaved edits are written (not in the middle of typing)."""
JOURNAL_LONGEST = 10.0
"""Seconds unsaved edits wait at most for a pause before they are written anyway."""
BUSY_GROUPS = ("file", "disk-change")
"""Worker groups that save, reload or ask about the file: a check waits until they are done."""

_UNREADABLE = object()


class DiskGuard(Widget):
    """Watches the file of ``document`` and journals its unsaved edits; shows nothing."""

    DEFAULT_CSS = """
    DiskGuard {
        display: none;
    }
    """

    poll_seconds: ClassVar[float] = POLL_SECONDS
    """The disk watch's period (tests that change the file themselves slow it down)."""
    journal_seconds: ClassVar[float] = JOURNAL_SECONDS
    """The recovery journal's period."""
    journal_quiet: ClassVar[float] = JOURNAL_QUIET
    """Seconds without a key before the journal writes."""
    journal_longest: ClassVar[float] = JOURNAL_LONGEST
    """Seconds edits wait at most for that pause."""

    class ReloadWanted(Message):
        """The file changed on disk and there are no unsaved edits: reload it."""

    class ConflictAnswered(Message):
        """The file changed on disk under unsaved edits, and the user chose what to do."""

        def __init__(self, answer: str) -> None:
            super().__init__()
            self.answer: str = answer
            """``reload`` (drop the edits), ``overwrite`` the other change, or ``save_as`` another file."""

    def __init__(self, document: Document) -> None:
        """
        Args:
            document: The model and file to guard (the screen's; saving updates it in place).
        """
        super().__init__()
        self.document: Document = document
        """What is guarded."""
        self.checking: bool = False
        """A fingerprint check is running."""
        self.asking: bool = False
        """The user is being asked about a change on disk."""
        self._change_seen: Fingerprint | str | None = None
        self._journaled: ThreatModel | None = None
        self._waiting_since: float | None = None
        """When the journal first saw the unwritten edits it waits to write (a monotonic time)."""
        self._journal_running = False
        self._journal_problem_shown = False

    def on_mount(self) -> None:
        self.set_interval(self.poll_seconds, self.poll_disk, name="disk-poll")
        self.set_interval(self.journal_seconds, self.journal_tick, name="journal")

    # ------------------------------------------------------------------ the file on disk

    def poll_disk(self) -> None:
        """Start a check of the file's fingerprint (unless one runs, or a save is under way)."""
        document = self.document
        if document.fingerprint is None or self.checking or self.asking:
            return
        if any(w.group in BUSY_GROUPS and not w.is_finished for w in self.workers):
            return  # a save, a reload or a quit dialog is running: it checks the file itself
        self.checking = True
        self._check_disk(document.path, document.fingerprint)

    def forget_change(self) -> None:
        """The file on disk is the model's again (saved or reloaded): any change is news."""
        self._change_seen = None

    @work(thread=True, group="disk-poll", exit_on_error=False)
    def _check_disk(self, path: Path, expected: Fingerprint) -> None:
        try:
            now: object = Fingerprint.of(path)
        except OSError:
            now = _UNREADABLE  # no permission to read it now: nothing to compare
        self.app.call_from_thread(self._disk_checked, path, expected, now)

    def _disk_checked(self, path: Path, expected: Fingerprint, now: object) -> None:
        self.checking = False
        document = self.document
        if now is _UNREADABLE or document.path != path or document.fingerprint != expected:
            return  # saved, reloaded or renamed meanwhile
        assert now is None or isinstance(now, Fingerprint)
        if expected.same_content(now) or (now is not None and now == self._change_seen):
            return
        if now is None and self._change_seen == "removed":
            return
        if self.app.screen is not self.screen:
            return  # ask once the form or dialog in front is closed
        self._change_seen = now if now is not None else "removed"
        if now is None:
            self.notify(
                f"{path.name} was removed or renamed on disk. Your model is still here; "
                "ctrl+s writes it again (after asking), w saves it elsewhere.",
                title="File gone",
                severity="warning",
                timeout=15,
                markup=False,
            )
        elif not document.dirty:
            self.post_message(self.ReloadWanted())
        else:
            self._ask(path)

    @work(group="disk-change")
    async def _ask(self, path: Path) -> None:
        self.asking = True
        try:
            answer = await self.app.push_screen_wait(
                ChoiceScreen(
                    "The file changed on disk",
                    [
                        Text.assemble(
                            safe_text(str(path), style="bold"),
                            " was changed by something else "
                            "(another editor, git checkout…) since it was opened or last saved.",
                        ),
                        Text(
                            "You have unsaved edits here. Reload drops them; Overwrite replaces the other "
                            "change with your model; Save as keeps both. Later keeps editing: saving asks again."
                        ),
                    ],
                    [
                        Choice("reload", "Reload", "r", "error"),
                        Choice("overwrite", "Overwrite", "o", "warning"),
                        Choice("save_as", "Save as…", "a", "primary"),
                        Choice("later", "Later", "l"),
                    ],
                    default="save_as",
                )
            )
        finally:
            self.asking = False
        if answer in ("reload", "overwrite", "save_as"):
            self.post_message(self.ConflictAnswered(answer))

    # ---------------------------------------------------------------- recovery journal

    def journal_tick(self) -> None:
        """`refresh_journal` when the user has paused typing, or the edits waited long enough."""
        document = self.document
        if not document.dirty or self._journaled is document.model:
            self._waiting_since = None
        else:
            now = time.monotonic()
            if self._waiting_since is None:
                self._waiting_since = now
            if typed_within(self.app, self.journal_quiet) and now - self._waiting_since < self.journal_longest:
                return
        self.refresh_journal()

    def refresh_journal(self) -> None:
        """Write unsaved edits to the recovery file if they changed since the last write."""
        document = self.document
        if not document.dirty:
            if self._journaled is not None:
                self.discard_journal()
            return
        if self._journaled is document.model or self._journal_running:
            return
        self._journal_running = True
        self._waiting_since = None
        self._write_journal(document.path, document.model)

    # description: Textual would describe the worker by repr() of its arguments, the whole model
    @work(thread=True, group="journal", exit_on_error=False, description="write the recovery journal")
    def _write_journal(self, path: Path, model: ThreatModel) -> None:
        try:
            write_recovery(path, model)
            problem = None
        except Exception as error:  # the state folder is unwritable, the disk is full…
            problem = str(error) or type(error).__name__
        self.app.call_from_thread(self._journal_written, path, model, problem)

    def _journal_written(self, path: Path, model: ThreatModel, problem: str | None) -> None:
        self._journal_running = False
        document = self.document
        if problem is not None:
            if not self._journal_problem_shown:
                self._journal_problem_shown = True
                self.notify(
                    f"Cannot keep a recovery copy of your edits ({problem}). Save often.",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
            return
        self._journal_problem_shown = False
        self._journaled = model
        if not document.dirty or document.path != path:
            self.discard_journal(path)  # saved while the journal was being written

    def discard_journal(self, path: Path | None = None) -> None:
        """Remove the recovery file (after a save, a reload, or a clean quit)."""
        self._journaled = None
        with contextlib.suppress(OSError):
            discard_recovery(path or self.document.path)

    def emergency_save(self) -> Path | None:
        """Write unsaved edits to the recovery file now (crash or signal); its path, or None."""
        document = self.document
        if not document.dirty:
            return None
        try:
            return write_recovery(document.path, document.model)
        except Exception:
            return None
