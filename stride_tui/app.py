"""The Textual application: opens one model file and shows it on the main screen."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import ClassVar

from pydantic import ValidationError
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import LoadingIndicator

from stride_tui.core import ModelError, ThreatModel, load_model
from stride_tui.core.model import MAX_NAME, ModelMeta
from stride_tui.screens import LoadErrorScreen, MainScreen
from widgets import strip_controls

EXIT_OK = 0
EXIT_BAD_INPUT = 2
_MAX_WARNINGS_SHOWN = 5


class StrideApp(App[None]):
    """The stride-tui editor for the model file at ``path``.

    The app only opens the file and picks the screen; the main screen owns the model, and
    quitting asks it first (it knows about unsaved changes).
    """

    CSS_PATH = "app.tcss"
    TITLE = "stride-tui"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+q | Quit (asks first when there are unsaved changes). |
    | ctrl+p | Command palette: every action by name. |
    """

    def __init__(self, path: Path) -> None:
        """
        Args:
            path: The model file to open; a missing file starts a new, empty model.
        """
        super().__init__()
        self.model_path: Path = Path(path)
        """The model file this app edits."""
        self.load_errors: list[str] = []
        """Why the model file could not be opened (one line per problem); empty when it opened."""

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()  # shown only while the file is read and validated

    def on_mount(self) -> None:
        self._open_model()

    @work(exclusive=True, group="open-model")
    async def _open_model(self) -> None:
        """Read the model off the UI thread (large models take seconds), then show it."""
        path = self.model_path
        try:
            missing = not path.exists()
        except OSError:
            missing = False  # let the loader say what is wrong with it
        if missing:
            await self._show(MainScreen(path, _new_model(path)))
            self.notify(
                f"{strip_controls(path.name)} does not exist yet: this is a new, empty model.",
                markup=False,
            )
            return
        try:
            loaded = await asyncio.to_thread(load_model, path)
        except ModelError as error:
            self.load_errors = [str(d) for d in error.diagnostics]
        except Exception as error:  # a loader bug must still end in a message, not a traceback
            self.load_errors = [f"{path}: error: cannot open: {type(error).__name__}: {error}"]
        if self.load_errors:
            await self._show(LoadErrorScreen(path, self.load_errors))
            return
        await self._show(MainScreen(path, loaded.model, loaded))
        for warning in loaded.warnings[:_MAX_WARNINGS_SHOWN]:
            self.notify(strip_controls(str(warning)), severity="warning", markup=False)
        if len(loaded.warnings) > _MAX_WARNINGS_SHOWN:
            more = len(loaded.warnings) - _MAX_WARNINGS_SHOWN
            self.notify(
                f"… and {more} more warnings (`stride-tui validate` lists them all)",
                severity="warning",
                markup=False,
            )

    async def _show(self, screen: Screen[None]) -> None:
        """Put ``screen`` over the (loading) default screen, which the app never returns to."""
        await self.query(LoadingIndicator).remove()
        await self.push_screen(screen)

    async def action_quit(self) -> None:
        """Quit, asking first when the model has unsaved changes; the return code says whether
        the model could be opened."""
        editor = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if editor is not None:
            editor.request_quit()
            return
        self.exit(return_code=EXIT_BAD_INPUT if self.load_errors else EXIT_OK)


def _new_model(path: Path) -> ThreatModel:
    """An empty model titled after the file name."""
    title = " ".join(strip_controls(path.stem).split())[:MAX_NAME] or "Untitled"
    try:
        return ThreatModel(model=ModelMeta(title=title))
    except ValidationError:
        return ThreatModel(model=ModelMeta(title="Untitled"))


def run_editor(path: Path) -> int:
    """Run the editor on ``path`` until the user quits; return the process exit code.

    When the file could not be opened, its errors are also printed to stderr, so they stay in
    the terminal after the editor closes.
    """
    app = StrideApp(path)
    app.run()
    for line in app.load_errors:
        print(strip_controls(line), file=sys.stderr)
    return app.return_code if app.return_code is not None else EXIT_OK
