"""What reaches the terminal: the frames the app sends, applied to a grid of cells as a terminal
would, show every edit (the main screen takes the repaint requests a frame of the whole screen
has already drawn, and never one made after it), and after every interaction the grid is what
the screen draws."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.segment import ControlType
from textual._compositor import CompositorUpdate
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen

from stride_tui.app import StrideApp
from stride_tui.screens import Choice, ChoiceScreen, MainScreen
from stride_tui.screens.component_form import ComponentForm
from stride_tui.screens.decide_dialog import DecideDialog
from widgets import StridePanel

from .harness import main_screen, open_form, run, settle, type_text, write

SAMPLES = Path(__file__).resolve().parents[2] / "sample_models"


class Terminal:
    """The cells of a terminal that is sent the app's frames (headless, the app sends none)."""

    def __init__(self, app: StrideApp) -> None:
        width, height = app.size
        self.rows = [[" "] * width for _ in range(height)]
        # what the terminal shows already (frames sent before this one was attached)
        for y, strip in enumerate(app.screen._compositor.render_strips()[:height]):
            self.rows[y][: len(strip.text)] = list(strip.text)[:width]
        self.console = Console(width=width, height=height, force_terminal=True, color_system=None)
        display = app._display

        def recording(screen: Screen[object], renderable: object) -> None:
            if isinstance(renderable, CompositorUpdate) and screen is app.screen:
                self.apply(renderable)
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = recording  # type: ignore[method-assign]

    def apply(self, update: CompositorUpdate) -> None:
        x = y = left = 0
        for segment in self.console.render(update):  # type: ignore[arg-type]  # a Rich renderable
            if segment.control:
                for control in segment.control:
                    if control[0] == ControlType.CURSOR_MOVE_TO:
                        x = left = int(control[1])  # type: ignore[misc]
                        y = int(control[2])  # type: ignore[misc]
                continue
            if segment.text == "\n":  # a whole region's next line starts under its first
                x, y = left, y + 1
                continue
            for char in segment.text:
                if 0 <= y < len(self.rows) and 0 <= x < len(self.rows[y]):
                    self.rows[y][x] = char
                x += 1

    @property
    def text(self) -> str:
        return "\n".join("".join(row) for row in self.rows)


def test_an_edit_saved_in_a_form_and_undone_after_it_reaches_the_terminal(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        terminal = Terminal(app)
        await open_form(app, pilot, "c", ComponentForm)
        await type_text(pilot, "Ledger")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "Ledger" in terminal.text  # drawn as the form closed
        assert "unsaved" not in terminal.text
        await pilot.press("ctrl+z")  # on the main screen, after that frame
        await settle(app, pilot)
        await pilot.pause()
        assert "Ledger" not in terminal.text
        assert "unsaved" in terminal.text

    run(write(tmp_path), scenario)


def test_a_decision_made_in_the_decide_dialog_reaches_the_terminal(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        terminal = Terminal(app)
        screen = main_screen(app)
        panel = screen.query_one(StridePanel)
        await pilot.press("escape", "4", "home")  # the whole model's threats, focused
        await settle(app, pilot)
        for _ in range(20):
            if panel.highlighted is not None:
                break
            await pilot.press("down")
        assert panel.highlighted is not None
        assert "unsaved" not in terminal.text
        await pilot.press("d")
        for _ in range(50):
            if isinstance(app.screen, DecideDialog) and app.screen.is_mounted:
                break
            await pilot.pause()
        assert isinstance(app.screen, DecideDialog)
        old = screen.model
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.pause()
        assert app.screen_stack[-1] is screen
        assert screen.model is not old
        assert "unsaved" in terminal.text  # the header, drawn as the dialog closed

    run(write(tmp_path), scenario)


def drawn(app: StrideApp) -> str:
    """What the screen on top draws now, whole (the text a correct terminal shows)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def test_after_every_interaction_the_terminal_shows_what_the_screen_draws(tmp_path: Path) -> None:
    path = write(tmp_path, (SAMPLES / "checkout.toml").read_text(encoding="utf-8"))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        terminal = Terminal(app)
        screen = main_screen(app)
        panel = screen.query_one(StridePanel)
        seen: list[str] = []

        async def check(step: str) -> None:
            await settle(app, pilot)
            await pilot.pause()
            assert terminal.text == drawn(app), step
            seen.append(terminal.text)

        await pilot.press("1")
        for key in ("down", "down", "up", "down"):  # details of different heights
            await pilot.press(key)
            await check(f"select: {key}")
        await pilot.press("e")
        for _ in range(50):
            if app.screen is not screen and app.screen.is_mounted and not getattr(app.screen, "holding_keys", False):
                break
            await pilot.pause()
        await check("form open")
        await pilot.press("ctrl+s")  # nothing changed: the form closes
        await check("form closed")
        await pilot.press("e")
        for _ in range(50):
            if app.screen is not screen and app.screen.is_mounted and not getattr(app.screen, "holding_keys", False):
                break
            await pilot.pause()
        await type_text(pilot, " edited")  # the name, focused first
        await pilot.press("ctrl+s")
        await check("edit saved")
        assert "edited" in terminal.text
        await pilot.press("ctrl+z")
        await check("undo")
        assert "edited" not in terminal.text
        await pilot.press("escape", "4", "home")
        await check("whole model")
        for _ in range(20):
            if panel.highlighted is not None:
                break
            await pilot.press("down")
        await pilot.press("d")
        for _ in range(50):
            if isinstance(app.screen, DecideDialog) and app.screen.is_mounted:
                break
            await pilot.pause()
        await check("decide dialog")
        await pilot.press("m")
        await check("decided")
        await pilot.press("end")
        for _ in range(60):
            question = panel.highlighted_question
            if question is not None and "y" in question.answers:
                break
            await pilot.press("up")
        assert panel.highlighted_question is not None
        await pilot.press("y")
        await check("answered")
        await pilot.press("ctrl+z", "ctrl+z")
        await check("both undone")
        assert len(set(seen)) > 5  # the steps changed what is shown

    run(path, scenario)


def test_the_main_screen_drawn_again_after_a_new_theme_has_its_new_background(tmp_path: Path) -> None:
    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)

        def background() -> object:
            width = screen.size.width
            strip = screen.render_lines(Region(0, 0, width, 1))[0]
            return next(segment.style.bgcolor for segment in strip if segment.style is not None)

        first = background()
        await open_form(app, pilot, "c", ComponentForm)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.press("escape")  # the form closes: the screen is drawn again, whole
        await settle(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert background() != first
        assert background() == screen.background_colors[1].rich_color

    run(write(tmp_path), scenario)


def test_what_changes_under_an_open_dialog_reaches_the_terminal_through_it(tmp_path: Path) -> None:
    path = write(tmp_path, (SAMPLES / "checkout.toml").read_text(encoding="utf-8"))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        terminal = Terminal(app)
        screen = main_screen(app)
        panel = screen.query_one(StridePanel)
        await pilot.press("escape", "4", "home", "down", "down")
        await settle(app, pilot)
        await pilot.press("d")
        for _ in range(50):
            if isinstance(app.screen, DecideDialog) and app.screen.is_mounted:
                break
            await pilot.pause()
        await settle(app, pilot)
        before = terminal.text
        panel.cycle_severity()  # the panel under the dialog shows fewer threats
        await settle(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, DecideDialog)
        assert terminal.text == drawn(app) != before
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.pause()
        assert terminal.text == drawn(app)

    run(path, scenario)


def test_a_dialog_opening_over_the_main_screen_leaves_it_nothing_to_repaint(tmp_path: Path) -> None:
    """Textual asks the screen a dialog covers to repaint itself whole as it pushes the dialog:
    through the dialog, that was a second frame of the whole screen right after the first,
    which had drawn the covered screen (dimmed) as it is. The terminal still shows it right."""
    path = write(tmp_path, (SAMPLES / "checkout.toml").read_text(encoding="utf-8"))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        terminal = Terminal(app)
        screen = main_screen(app)
        await settle(app, pilot)
        await pilot.pause()
        assert not screen._repaint_required
        app.push_screen(ChoiceScreen("Quit?", ["Unsaved changes."], [Choice("cancel", "Cancel", "c")]))
        assert not screen._repaint_required
        await settle(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert terminal.text == drawn(app)
        screen.refresh()  # once it is covered, a repaint is asked for as usual
        assert screen._repaint_required

    run(path, scenario)
