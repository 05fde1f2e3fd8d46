"""The main screen's guards against lost work: the file changing on disk, and the recovery journal.

Every `POLL_SECONDS` the file's fingerprint is compared with what was loaded or last saved
(off the UI thread): a change with no unsaved edits reloads, a change under unsaved edits asks
reload / overwrite / save as (never overwrite silently). Every `JOURNAL_SECONDS`, unsaved edits
that changed since the last write go to the recovery file (`core.recovery`), so even ``kill -9``
loses at most a few seconds; saving, reloading or quitting cleanly removes it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work

from stride_tui.core.files.recovery import discard_recovery, write_recovery
from stride_tui.core.files.storage import Fingerprint
from stride_tui.core.model.elements import ThreatModel
from widgets import safe_text

from .choice_screen import Choice, ChoiceScreen
from .save_as_screen import SaveAsScreen

if TYPE_CHECKING:
    from .main_screen import MainScreen

POLL_SECONDS = 2.0
"""How often the file on disk is checked for changes made elsewhere."""
JOURNAL_SECONDS = 3.0
"""How often unsaved edits are written to the recovery file (only when they changed)."""

_UNREADABLE = object()


class GuardActions:
    """Mixed into `MainScreen`: watching the file on disk and keeping the recovery journal."""

    disk_poll_seconds: ClassVar[float] = POLL_SECONDS
    """The disk watch's period (tests that change the file themselves slow it down)."""
    journal_seconds: ClassVar[float] = JOURNAL_SECONDS
    """The recovery journal's period."""

    def start_guards(self: MainScreen) -> None:
        """Start the disk watch and the journal timers (on mount)."""
        self.set_interval(self.disk_poll_seconds, self.poll_disk, name="disk-poll")
        self.set_interval(self.journal_seconds, self.refresh_journal, name="journal")

    # ------------------------------------------------------------------ the file on disk

    def poll_disk(self: MainScreen) -> None:
        """Start a check of the file's fingerprint (unless one runs, or a save is under way)."""
        document = self.document
        if document.fingerprint is None or self._disk_check_running or self._asking_disk:
            return
        if any(w.group == "file" and not w.is_finished for w in self.workers):
            return  # a save or a quit dialog is running: it checks the file itself
        self._disk_check_running = True
        self._check_disk(document.path, document.fingerprint)

    @work(thread=True, group="disk-poll", exit_on_error=False)
    def _check_disk(self: MainScreen, path: Path, expected: Fingerprint) -> None:
        try:
            now: object = Fingerprint.of(path)
        except OSError:
            now = _UNREADABLE  # no permission to read it now: nothing to compare
        self.app.call_from_thread(self._disk_checked, path, expected, now)

    def _disk_checked(self: MainScreen, path: Path, expected: Fingerprint, now: object) -> None:
        self._disk_check_running = False
        document = self.document
        if now is _UNREADABLE or document.path != path or document.fingerprint != expected:
            return  # saved, reloaded or renamed meanwhile
        assert now is None or isinstance(now, Fingerprint)
        if expected.same_content(now) or (now is not None and now == self._disk_change_seen):
            return
        if now is None and self._disk_change_seen == "removed":
            return
        if self.app.screen is not self:
            return  # ask once the form or dialog in front is closed
        self._disk_change_seen = now if now is not None else "removed"
        if now is None:
            self.notify(
                f"{path.name} was removed or renamed on disk. Your model is still here; "
                "ctrl+s writes it again (after asking), w saves it elsewhere.",
                title="File gone",
                severity="warning",
                timeout=15,
                markup=False,
            )
            return
        if not document.dirty:
            self._reload_after_change()
        else:
            self._ask_disk_change()

    @work(group="disk-change")
    async def _reload_after_change(self: MainScreen) -> None:
        if await self.reload():
            self.notify(
                f"{self.document.path.name} changed on disk and had no unsaved edits here: reloaded.",
                severity="warning",
                timeout=8,
                markup=False,
            )

    @work(group="disk-change")
    async def _ask_disk_change(self: MainScreen) -> None:
        self._asking_disk = True
        try:
            path = self.document.path
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
            if answer == "reload":
                await self.reload()
            elif answer == "overwrite":
                await self.save(overwrite=True)
            elif answer == "save_as":
                target = await self.app.push_screen_wait(SaveAsScreen(path))
                if target is not None:
                    await self.save(target)
        finally:
            self._asking_disk = False

    # ---------------------------------------------------------------- recovery journal

    def refresh_journal(self: MainScreen) -> None:
        """Write unsaved edits to the recovery file if they changed since the last write."""
        document = self.document
        if not document.dirty:
            if self._journaled is not None:
                self.discard_journal()
            return
        if self._journaled is document.model or self._journal_running:
            return
        self._journal_running = True
        self._write_journal(document.path, document.model)

    @work(thread=True, group="journal", exit_on_error=False)
    def _write_journal(self: MainScreen, path: Path, model: ThreatModel) -> None:
        try:
            write_recovery(path, model)
            problem = None
        except Exception as error:  # the state folder is unwritable, the disk is full…
            problem = str(error) or type(error).__name__
        self.app.call_from_thread(self._journal_written, path, model, problem)

    def _journal_written(self: MainScreen, path: Path, model: ThreatModel, problem: str | None) -> None:
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

    def discard_journal(self: MainScreen, path: Path | None = None) -> None:
        """Remove the recovery file (after a save, a reload, or a clean quit)."""
        self._journaled = None
        with contextlib.suppress(OSError):
            discard_recovery(path or self.document.path)

    def restore(self: MainScreen, model: ThreatModel, when: str) -> None:
        """Make ``model`` (unsaved edits kept from ``when``) the current model, as an undoable edit."""
        if self.document.history.record(model, "restore unsaved changes"):
            self._after_change()
        self.notify(
            f"Restored unsaved changes from {when}: ctrl+s saves them, ctrl+z takes them back.",
            title="Restored",
            timeout=10,
            markup=False,
        )

    def emergency_save(self: MainScreen) -> Path | None:
        """Write unsaved edits to the recovery file now (crash or signal); its path, or None."""
        document = self.document
        if not document.dirty:
            return None
        try:
            return write_recovery(document.path, document.model)
        except Exception:
            return None
