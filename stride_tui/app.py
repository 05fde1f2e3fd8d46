"""The Textual application: opens one model file, shows it on the main screen, and makes sure
no edit is lost to a crash, a signal, another instance or a terminal too small to draw in.
It also keeps the terminal conventions: NO_COLOR as no-color.org says, and the chosen theme
remembered in the XDG config folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError
from rich.segment import Segments
from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.filter import Monochrome, NoColor
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import LoadingIndicator

from stride_tui.core import ModelError, ThreatModel, load_model
from stride_tui.core.exit_codes import ExitCode
from stride_tui.core.files.recovery import (
    Recovery,
    claim_instance,
    discard_recovery,
    read_recovery,
    recovery_path,
    release_instance,
)
from stride_tui.core.files.storage import SaveError
from stride_tui.core.files.user_config import UserConfig, colour_disabled, config_path, load_config, save_config
from stride_tui.core.model.elements import MAX_NAME, ModelMeta
from stride_tui.messages import ModelPathChanged
from stride_tui.screens import Choice, ChoiceScreen, LoadErrorScreen, MainScreen, gc_hold, keymap
from stride_tui.screens.too_small_screen import TooSmallScreen, too_small
from widgets import plain_text, safe_text, strip_controls

_MAX_WARNINGS_SHOWN = 5
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class StrideApp(App[None]):
    """The stride-tui editor for the model file at ``path``.

    The app opens the file and picks the screen; the main screen owns the model, and quitting
    asks it first (it knows about unsaved changes). The app also offers to restore unsaved
    edits left by a crash, writes them on a crash or SIGTERM/SIGHUP, and warns when another
    stride-tui has the same file open.
    """

    CSS_PATH = "app.tcss"
    TITLE = "stride-tui"

    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings("app")
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+q | Quit (asks first when there are unsaved changes or the model file is gone). |
    | ctrl+p | Command palette: every action by name. |
    """

    def __init__(self, path: Path, *, handle_signals: bool = True) -> None:
        """
        Args:
            path: The model file to open; a missing file starts a new, empty model.
            handle_signals: Install SIGTERM/SIGHUP handlers that keep unsaved edits and exit.
        """
        super().__init__()
        self.model_path: Path = Path(path)
        """The model file this app edits."""
        self.load_errors: list[str] = []
        """Why the model file could not be opened (one line per problem); empty when it opened."""
        self.handle_signals: bool = handle_signals
        """Whether SIGTERM and SIGHUP are handled (the app must run in the main thread)."""
        self.recovery_written: Path | None = None
        """The recovery file written on a crash or a signal, if there were unsaved edits."""
        self.other_instance: int | None = None
        """The pid of another stride-tui editing the same file, when there was one at start."""
        self._crash: BaseException | None = None
        self._claimed: Path | None = None
        self._honour_no_color()
        self.config_path: Path = config_path()
        """The user's settings file (the theme is remembered there)."""
        self.config: UserConfig = UserConfig()
        """The settings as last read or written."""
        self.last_key_time: float | None = None
        """When (``time.monotonic``) the last key arrived: closed dialogs are taken down in a pause."""
        self.covering: bool = False
        """True while a screen is pushed over the current one (`push_screen`)."""

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        # Textual asks the screen being covered to repaint itself whole as it pushes the new
        # one; under a dialog that is a second frame of the whole dialog, right after its first
        # (which drew that screen, dimmed, as it is). The main screen skips it (`covering`).
        self.covering = True
        try:
            return super().push_screen(*args, **kwargs)
        finally:
            self.covering = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_time = time.monotonic()
        await super().on_event(event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice of the editor: it can name a file or an element, so it is shown as
        plain text (never markup) with no control or invisible character reaching the terminal."""
        super().notify(plain_text(message), title=plain_text(title), severity=severity, timeout=timeout, markup=False)

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()  # shown only while the file is read and validated

    def on_mount(self) -> None:
        self._install_signal_handlers()
        self._load_settings()
        self._check_size()
        self._open_model()

    # ------------------------------------------------------------------- terminal conventions

    def _honour_no_color(self) -> None:
        """Colour off exactly when NO_COLOR is set and not empty (no-color.org); Textual also
        turns it off for an empty NO_COLOR, which the convention says means nothing."""
        self.no_color = colour_disabled()
        self._filters = [f for f in self._filters if not isinstance(f, (NoColor, Monochrome))]
        if self.no_color:
            self._filters.append(NoColor() if self.native_ansi_color else Monochrome())

    def _load_settings(self) -> None:
        """Apply the remembered theme; a broken settings file is reported, never fatal."""
        config, problem = load_config(self.config_path)
        if problem is not None:
            self.notify(problem, title="Settings", severity="warning", timeout=10)
        theme = config.theme
        if theme is not None and theme not in self.available_themes:
            self.notify(
                f"{self.config_path}: theme {theme!r} is not known here; using the default.",
                title="Settings",
                severity="warning",
                timeout=10,
            )
        elif theme is not None:
            self.theme = theme
        self.config = config
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        """Write the theme chosen (command palette: Theme) to the settings file."""
        if theme.name == self.config.theme:
            return
        config = replace(self.config, theme=theme.name)
        try:
            save_config(self.config_path, config)
        except (SaveError, OSError) as error:
            self.notify(f"Theme not remembered: {error}", title="Settings", severity="warning", timeout=8)
            return
        self.config = config

    def on_unmount(self) -> None:
        self._release()
        gc_hold.release()

    # ------------------------------------------------------------------------- opening

    @work(exclusive=True, group="open-model")
    async def _open_model(self) -> None:
        """Read the model off the UI thread (large models take seconds), then show it."""
        path = self.model_path
        recovery = await asyncio.to_thread(read_recovery, path)
        try:
            missing = not path.exists()
        except OSError:
            missing = False  # let the loader say what is wrong with it
        if missing:
            editor = MainScreen(path, _new_model(path))
            await self._show(editor)
            if path.parent.is_dir():
                self.notify(f"{path.name} does not exist yet: this is a new, empty model.", markup=False)
            else:  # a mistyped folder: say so now, not when the first save fails
                self.notify(
                    f"{path.name} does not exist yet: this is a new, empty model. Its folder {path.parent} "
                    "does not exist either: ctrl+s fails until it is made; w saves it elsewhere.",
                    title="No such folder",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
            self._opened(editor, recovery)
            return
        gc_hold.hold()  # the main screen lets the collector go once its first analysis is shown
        try:
            loaded = await asyncio.to_thread(load_model, path)
        except ModelError as error:
            self.load_errors = [str(d) for d in error.diagnostics]
        except Exception as error:  # a loader bug must still end in a message, not a traceback
            self.load_errors = [f"{path}: error: cannot open: {type(error).__name__}: {error}"]
        if self.load_errors:
            gc_hold.release()
            await self._show(LoadErrorScreen(path, self.load_errors))
            if recovery is not None:
                self._offer_recovery_of_broken_file(recovery)
            return
        editor = MainScreen(path, loaded.model, loaded)
        await self._show(editor)
        for warning in loaded.warnings[:_MAX_WARNINGS_SHOWN]:
            self.notify(str(warning), severity="warning", markup=False)
        if len(loaded.warnings) > _MAX_WARNINGS_SHOWN:
            more = len(loaded.warnings) - _MAX_WARNINGS_SHOWN
            self.notify(
                f"… and {more} more warnings (`stride-tui validate` lists them all)",
                severity="warning",
                markup=False,
            )
        self._opened(editor, recovery)

    async def _show(self, screen: Screen[None]) -> None:
        """Put ``screen`` over the (loading) default screen, which the app never returns to."""
        await self.query(LoadingIndicator).remove()
        await self.push_screen(screen)
        self._check_size()

    def _opened(self, editor: MainScreen, recovery: Recovery | None) -> None:
        """The editor is up: claim the file, and offer unsaved edits from a previous run."""
        self._claim(editor.path)
        if recovery is None:
            return
        if recovery.model == editor.model:
            discard_recovery(editor.path)  # nothing the file does not hold already
            return
        self._offer_recovery(editor, recovery)

    @work(group="recovery")
    async def _offer_recovery(self, editor: MainScreen, recovery: Recovery) -> None:
        path = editor.path
        lines = [
            Text.assemble(
                "stride-tui did not close cleanly while editing ",
                safe_text(str(path), style="bold"),
                f": unsaved changes from {recovery.describe()} were kept.",
            ),
            Text(
                "Restore puts them in the editor as an unsaved edit (ctrl+s saves them, ctrl+z takes "
                "them back); Discard deletes them for good."
            ),
        ]
        with contextlib.suppress(OSError):
            if path.stat().st_mtime > recovery.saved_at:
                lines.append(Text("The file on disk was changed after that: compare before you save.", style="bold"))
        answer = await self.push_screen_wait(
            ChoiceScreen(
                "Restore unsaved changes?",
                lines,
                [Choice("restore", "Restore", "r", "primary"), Choice("discard", "Discard them", "d", "error")],
                default="restore",
            )
        )
        if answer == "discard":
            discard_recovery(path)
            self.notify("Unsaved changes from the last run discarded.", markup=False, timeout=4)
        else:  # escape keeps them too: losing work must take a deliberate key
            editor.restore(recovery.model, recovery.describe())

    @work(group="recovery")
    async def _offer_recovery_of_broken_file(self, recovery: Recovery) -> None:
        path = self.model_path
        answer = await self.push_screen_wait(
            ChoiceScreen(
                "Unsaved changes were kept",
                [
                    Text.assemble(
                        safe_text(str(path), style="bold"),
                        f" cannot be opened, but unsaved changes from {recovery.describe()} were kept.",
                    ),
                    Text("Open them to carry on (saving asks before it replaces the file), or look at the errors."),
                ],
                [
                    Choice("restore", "Open the unsaved changes", "r", "primary"),
                    Choice("errors", "Show the errors", "e"),
                ],
                default="restore",
            )
        )
        if answer != "restore":
            return
        self.load_errors = []
        editor = MainScreen(path, _new_model(path))
        await self.push_screen(editor)
        self._claim(path)
        editor.restore(recovery.model, recovery.describe())

    # ---------------------------------------------------------------- another instance

    def _claim(self, path: Path) -> None:
        self._release()
        try:
            other = claim_instance(path)
        except Exception:  # the state folder is unusable: no warning is possible, editing still is
            return
        self._claimed = path
        if other is not None:
            self.other_instance = other
            self.notify(
                f"Another stride-tui (pid {other}) is editing {path.name}. Edits there and here will "
                "conflict: this editor checks the file before every save, but close one of them.",
                title="Open twice",
                severity="warning",
                timeout=20,
                markup=False,
            )

    def _release(self) -> None:
        if self._claimed is not None:
            with contextlib.suppress(Exception):
                release_instance(self._claimed)
            self._claimed = None

    def on_model_path_changed(self, message: ModelPathChanged) -> None:
        self.model_path = message.new
        self._claim(message.new)

    # ------------------------------------------------------------------------ quitting

    async def action_quit(self) -> None:
        """Quit, asking first when the model has unsaved changes; the return code says whether
        the model could be opened."""
        editor = self._editor()
        if editor is not None:
            if isinstance(self.screen, TooSmallScreen):
                self.pop_screen()
            editor.request_quit()
            return
        self.exit(return_code=ExitCode.BAD_INPUT if self.load_errors else ExitCode.OK)

    def _editor(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    # ------------------------------------------------------- crashes and signals

    def _emergency_save(self) -> Path | None:
        """Write unsaved edits to the recovery file; its path, or None when there were none."""
        editor = self._editor()
        if editor is None:
            return None
        written = editor.guard.emergency_save()
        if written is not None:
            self.recovery_written = written
        return written

    def _handle_exception(self, error: Exception) -> None:
        # Textual always exits after this: keep the user's edits first (reliability notes §6)
        self._crash = error
        with contextlib.suppress(BaseException):
            self._emergency_save()
        self._release()
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Exit with a short message: Textual's traceback shows local variables, which would
        print model text (maybe confidential) into the terminal and CI logs."""
        self.bell()
        if os.environ.get("STRIDE_TUI_DEBUG"):
            from rich.traceback import Traceback

            traceback = Traceback(show_locals=False, width=None)
            self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._exit_renderables.append(Text(self._crash_message()))
        self._close_messages_no_wait()

    def _crash_message(self) -> str:
        kind = type(self._crash).__name__ if self._crash is not None else "unknown error"
        lines = [f"stride-tui stopped on an internal error ({kind})."]
        if self.recovery_written is not None:
            lines.append(
                f"Your unsaved changes are kept in {self.recovery_written}: run stride-tui on "
                f"{self.model_path} again to restore them."
            )
        if not os.environ.get("STRIDE_TUI_DEBUG"):
            lines.append("Set STRIDE_TUI_DEBUG=1 to see the traceback (please report it).")
        return "\n".join(lines)

    def _install_signal_handlers(self) -> None:
        if not self.handle_signals:
            return
        loop = asyncio.get_running_loop()
        for signum in _SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.handle_termination_signal, signum)

    def handle_termination_signal(self, signum: int) -> None:
        """SIGTERM or SIGHUP: keep unsaved edits in the recovery file and exit cleanly."""
        written = self._emergency_save()
        self._release()
        name = signal.Signals(signum).name
        if written is not None:
            message = (
                f"stride-tui: {name} received; unsaved changes kept in {written}: run "
                f"stride-tui on {self.model_path} again to restore them."
            )
        else:
            message = f"stride-tui: {name} received; there were no unsaved changes."
        self.exit(return_code=128 + signum, message=plain_text(message))

    # ------------------------------------------------------------------- small terminals

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        """Cover the editor with a notice while the terminal is too small, and lift it after."""
        if width is None or height is None:
            width, height = self.size
        small = too_small(width, height)
        shown = isinstance(self.screen, TooSmallScreen)
        if small and not shown:
            self.push_screen(TooSmallScreen())
        elif not small and shown:
            self.pop_screen()  # one left lower in the stack lifts itself when it is uncovered


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
    try:
        app.run()
    finally:
        app._release()
    for line in app.load_errors:
        print(plain_text(line), file=sys.stderr)
    return app.return_code if app.return_code is not None else ExitCode.OK


__all__ = ["StrideApp", "recovery_path", "run_editor"]
