"""The model's file: save, save as, reload and quitting safely, with the questions they need.

Nothing is ever overwritten silently: a save first warns once that TOML comments will be
dropped, a file changed on disk (or an existing save-as target) makes the user choose, and a
failed save keeps every edit in the editor and says why. It holds the `DiskGuard` that watches
the file, answers its questions and tells it about saves; what happened is posted to the screen.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget

from stride_tui.core import ModelError
from stride_tui.core.editing.document import Document
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.storage import ConflictError, SaveError
from widgets import safe_text

from .choice_screen import Choice, ChoiceScreen
from .disk_guard import DiskGuard
from .save_as_screen import SaveAsScreen

_SHOWN_COMMENT_LINES = 8


class ModelFile(Widget):
    """Reads and writes the file of ``document``, asking where a choice is needed; shows nothing."""

    DEFAULT_CSS = """
    ModelFile {
        display: none;
    }
    """

    class Saved(Message):
        """The model was written to ``path`` (``previous`` is where it was before a save-as)."""

        def __init__(self, path: Path, previous: Path) -> None:
            super().__init__()
            self.path: Path = path
            """Where the model is now."""
            self.previous: Path = previous
            """Where it was before this save."""

    class Reloaded(Message):
        """The file was read again: every edit and the undo history are gone."""

    def __init__(self, document: Document) -> None:
        """
        Args:
            document: The model and its file (the screen's; saving updates it in place).
        """
        super().__init__()
        self.document: Document = document
        """What is read and written."""
        self.guard: DiskGuard = DiskGuard(document)
        """The watch on the file and the recovery journal (told here about saves and reloads)."""

    def compose(self) -> ComposeResult:
        yield self.guard

    def on_disk_guard_reload_wanted(self, message: DiskGuard.ReloadWanted) -> None:
        message.stop()
        self.reload_after_change()

    def on_disk_guard_conflict_answered(self, message: DiskGuard.ConflictAnswered) -> None:
        message.stop()
        self.resolve_change(message.answer)

    def quit(self) -> None:
        """Quit: at once when every edit is saved and the file is still there, else after asking."""
        if self.file_gone():
            self.ask_quit_file_gone()
        elif self.document.dirty:
            self.ask_quit()
        else:
            self._exit()

    def file_gone(self) -> bool:
        """The model was read from (or saved to) its file, which is no longer there: quitting
        now would lose the model, saved or not (removed on disk while the editor was open)."""
        document = self.document
        return document.on_disk and not document.path.exists()

    def _exit(self) -> None:
        self.guard.discard_journal()
        self.app.exit(return_code=ExitCode.OK)

    # ------------------------------------------------------------------------ workers

    @work(exclusive=True, group="file")
    async def save_now(self) -> None:
        """Save to the model's own file (ctrl+s)."""
        await self.save()

    @work(exclusive=True, group="file")
    async def save_as(self) -> None:
        """Ask for another file and save there (w)."""
        path = await self.app.push_screen_wait(SaveAsScreen(self.document.path))
        if path is not None:
            await self.save(path)

    @work(exclusive=True, group="file")
    async def ask_quit(self) -> None:
        """Ask whether to save unsaved changes before quitting."""
        answer = await self.app.push_screen_wait(
            ChoiceScreen(
                "Unsaved changes",
                [
                    Text.assemble(safe_text(self.document.path.name, style="bold"), " has changes that are not saved."),
                ],
                [
                    Choice("save", "Save and quit", "s", "primary"),
                    Choice("discard", "Quit without saving", "d", "error"),
                    Choice("cancel", "Cancel", "c"),
                ],
                default="save",
            )
        )
        if answer == "discard" or (answer == "save" and await self.save()):
            self._exit()

    @work(exclusive=True, group="file")
    async def ask_quit_file_gone(self) -> None:
        """The model's file was removed on disk: ask before quitting loses the model."""
        document = self.document
        unsaved = " You also have changes that are not saved." if document.dirty else ""
        answer = await self.app.push_screen_wait(
            ChoiceScreen(
                "The model file is gone",
                [
                    Text.assemble(
                        safe_text(str(document.path), style="bold"),
                        f" was removed or renamed on disk: the model is now only in this editor.{unsaved}",
                    ),
                ],
                [
                    Choice("save", "Save and quit", "s", "primary"),
                    Choice("discard", "Quit without saving", "d", "error"),
                    Choice("cancel", "Cancel", "c"),
                ],
                default="save",
            )
        )
        # the user chose to write the file where it was: nothing there to overwrite by mistake
        if answer == "discard" or (answer == "save" and await self.save(overwrite=True)):
            self._exit()

    @work(group="disk-change")
    async def reload_after_change(self) -> None:
        """The file changed on disk with no unsaved edits here: reload it and say so."""
        if await self.reload():
            self.notify(
                f"{self.document.path.name} changed on disk and had no unsaved edits here: reloaded.",
                severity="warning",
                timeout=8,
                markup=False,
            )

    @work(group="disk-change")
    async def resolve_change(self, answer: str) -> None:
        """Do what the user chose about a change on disk under unsaved edits."""
        if answer == "reload":
            await self.reload()
        elif answer == "overwrite":
            await self.save(overwrite=True)
        elif answer == "save_as":
            target = await self.app.push_screen_wait(SaveAsScreen(self.document.path))
            if target is not None:
                await self.save(target)

    # ----------------------------------------------------------------- saving, reloading

    async def save(self, path: Path | None = None, *, overwrite: bool = False) -> bool:
        """Save (to ``path`` for a save-as), asking the user where a choice is needed.

        Args:
            path: Another file to save to (save as); None saves to the model's file.
            overwrite: The user already chose to replace whatever the file holds now.

        Returns:
            True when the model was written.
        """
        document = self.document
        if document.comments_at_risk and not await self._agree_to_drop_comments():
            return False
        previous = document.path
        while True:
            target = path or document.path
            try:
                saved = await asyncio.to_thread(document.save, path, overwrite=overwrite)
            except ConflictError:
                answer = await self._ask_conflict(target)
                if answer == "overwrite":
                    overwrite = True
                    continue
                if answer == "save_as":
                    path = await self.app.push_screen_wait(SaveAsScreen(target))
                    overwrite = False
                    if path is None:
                        return False
                    continue
                if answer == "reload":
                    await self.reload()
                return False
            except SaveError as error:
                self.notify(
                    f"{error}. Your changes are still in the editor: do not quit; try Save as (w) to another place.",
                    title="Not saved",
                    severity="error",
                    timeout=20,
                    markup=False,
                )
                return False
            break
        guard = self.guard
        guard.discard_journal(previous)
        if saved != previous:
            guard.discard_journal(saved)
        guard.forget_change()
        self.post_message(self.Saved(saved, previous))
        self.notify(f"Saved {saved}", markup=False, timeout=3)
        return True

    async def reload(self) -> bool:
        """Read the model file again, dropping every edit (after the user chose to)."""
        try:
            await asyncio.to_thread(self.document.reload)
        except ModelError as error:
            first = error.diagnostics[0] if error.diagnostics else error
            self.notify(f"Cannot reload: {first}. Your edits are kept.", severity="error", timeout=15, markup=False)
            return False
        self.guard.discard_journal()
        self.guard.forget_change()
        self.post_message(self.Reloaded())
        self.notify(f"Reloaded {self.document.path.name} from disk.", markup=False, timeout=4)
        return True

    # ---------------------------------------------------------------------- questions

    async def _agree_to_drop_comments(self) -> bool:
        lines = self.document.comment_lines
        shown = ", ".join(str(n) for n in lines[:_SHOWN_COMMENT_LINES])
        if len(lines) > _SHOWN_COMMENT_LINES:
            shown += f", … ({len(lines) - _SHOWN_COMMENT_LINES} more)"
        answer = await self.app.push_screen_wait(
            ChoiceScreen(
                "Saving drops the file's comments",
                [
                    Text.assemble(
                        safe_text(self.document.path.name, style="bold"),
                        f" has TOML comments on line{'s' if len(lines) != 1 else ''} {shown}.",
                    ),
                    Text(
                        "The editor writes the canonical form of the model, which cannot keep "
                        "comments. Move what they say into description or note fields first if "
                        "you need it. This is asked once per session."
                    ),
                ],
                [Choice("save", "Save without comments", "y", "warning"), Choice("cancel", "Cancel", "n")],
                default="cancel",
            )
        )
        if answer != "save":
            return False
        self.document.comments_acknowledged = True
        return True

    async def _ask_conflict(self, target: Path) -> str | None:
        document = self.document
        if document.on_disk and target == document.path:
            title = "The file changed on disk"
            lines = [
                Text.assemble(
                    safe_text(str(target), style="bold"),
                    " was changed (or removed) by something else since it was opened or last saved.",
                ),
                Text(
                    "Saving now would overwrite that change. Reload drops your edits here; Overwrite "
                    "replaces their change; Save as keeps both."
                ),
            ]
            choices = [
                Choice("reload", "Reload", "r", "error"),
                Choice("overwrite", "Overwrite", "o", "warning"),
                Choice("save_as", "Save as…", "a", "primary"),
                Choice("cancel", "Cancel", "c"),
            ]
        else:
            title = "The file exists"
            lines = [Text.assemble(safe_text(str(target), style="bold"), " exists already.")]
            choices = [
                Choice("overwrite", "Overwrite", "o", "warning"),
                Choice("save_as", "Save as…", "a", "primary"),
                Choice("cancel", "Cancel", "c"),
            ]
        return await self.app.push_screen_wait(ChoiceScreen(title, lines, choices, default="save_as"))
