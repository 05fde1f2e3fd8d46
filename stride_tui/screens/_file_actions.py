"""The main screen's file actions: save, save as, reload after a conflict, and quitting safely.

Nothing is ever overwritten silently: a save first warns once that TOML comments will be
dropped, a file changed on disk (or an existing save-as target) makes the user choose, and a
failed save keeps every edit in the editor and says why.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message

from stride_tui.core import ModelError
from stride_tui.core.files.storage import ConflictError, SaveError
from widgets import safe_text

from .choice_screen import Choice, ChoiceScreen
from .save_as_screen import SaveAsScreen

if TYPE_CHECKING:
    from .main_screen import MainScreen

_SHOWN_COMMENT_LINES = 8


class ModelPathChanged(Message):
    """The model was saved under another path (the app moves its instance marker)."""

    def __init__(self, old: Path, new: Path) -> None:
        super().__init__()
        self.old: Path = old
        """The path the model had."""
        self.new: Path = new
        """The path it has now."""


class FileActions:
    """Mixed into `MainScreen`: saving, reloading and quitting."""

    def action_save(self: MainScreen) -> None:
        self._save_worker(None)

    def action_save_as(self: MainScreen) -> None:
        self._save_as_worker()

    @work(exclusive=True, group="file")
    async def _save_worker(self: MainScreen, path: Path | None) -> None:
        await self.save(path)

    @work(exclusive=True, group="file")
    async def _save_as_worker(self: MainScreen) -> None:
        path = await self.app.push_screen_wait(SaveAsScreen(self.document.path))
        if path is not None:
            await self.save(path)

    async def save(self: MainScreen, path: Path | None = None, *, overwrite: bool = False) -> bool:
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
        self._saved(saved, previous)
        return True

    def _saved(self: MainScreen, path: Path, previous: Path) -> None:
        self._rules = None  # rule files are relative to the model file, which may have moved
        self.discard_journal(previous)
        if path != previous:
            self.discard_journal(path)
            self.app.post_message(ModelPathChanged(previous, path))
        self._disk_change_seen = None
        self.show_model()
        self.notify(f"Saved {path}", markup=False, timeout=3)

    async def _agree_to_drop_comments(self: MainScreen) -> bool:
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

    async def _ask_conflict(self: MainScreen, target: Path) -> str | None:
        document = self.document
        changed_on_disk = document.on_disk and target == document.path
        if changed_on_disk:
            title = "The file changed on disk"
            lines = [
                Text.assemble(
                    safe_text(str(target), style="bold"),
                    " was changed (or removed) by something else since it was opened or last saved.",
                ),
                Text("Saving now would overwrite that change."),
            ]
            choices = [
                Choice("reload", "Reload (drop my edits)", "r", "error"),
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

    async def reload(self: MainScreen) -> bool:
        """Read the model file again, dropping every edit (after the user chose to)."""
        try:
            await asyncio.to_thread(self.document.reload)
        except ModelError as error:
            first = error.diagnostics[0] if error.diagnostics else error
            self.notify(f"Cannot reload: {first}. Your edits are kept.", severity="error", timeout=15, markup=False)
            return False
        self._rules = None
        self.discard_journal()
        self._disk_change_seen = None
        self.show_model()
        self._post_focused_selection()
        self.notify(f"Reloaded {self.document.path.name} from disk.", markup=False, timeout=4)
        return True

    # --------------------------------------------------------------------- quitting

    def request_quit(self: MainScreen) -> None:
        """Quit, asking first when there are unsaved changes."""
        if self.app.screen is not self:
            self.notify("Close this dialog first (esc), then quit.", markup=False, timeout=3)
            return
        if not self.document.dirty:
            self.discard_journal()
            self.app.exit(return_code=0)
            return
        self._quit_worker()

    @work(exclusive=True, group="file")
    async def _quit_worker(self: MainScreen) -> None:
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
            self.discard_journal()
            self.app.exit(return_code=0)
