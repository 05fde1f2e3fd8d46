"""Terminal conventions in the editor: the chosen theme is remembered in the XDG config folder,
a broken settings file is a notice (not a crash), NO_COLOR is honoured as no-color.org says, and
at 80 columns the footer still shows help and quit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.filter import Monochrome, NoColor
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from stride_tui.app import StrideApp
from stride_tui.core.files.user_config import config_path

from .harness import rendered, settle, write


def _run(path: Path, scenario, size: tuple[int, int] = (120, 40)) -> StrideApp:
    app = StrideApp(path)

    async def main() -> None:
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def test_the_theme_chosen_is_remembered_for_the_next_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    path = write(tmp_path)
    settings = config_path()
    assert settings == tmp_path / "cfg" / "stride-tui" / "config.toml"

    async def choose(app: StrideApp, pilot) -> None:
        assert app.theme != "nord"
        app.theme = "nord"  # what the palette's theme picker does
        await pilot.pause()

    _run(path, choose)
    assert settings.read_text() == 'theme = "nord"\n'

    async def check(app: StrideApp, pilot) -> None:
        assert app.theme == "nord"

    _run(path, check)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('theme = "nord\n', "config.toml:1: error:"),
        ('theme = "no-such-theme"\n', "'no-such-theme' is not known here"),
        ("colour = 1\n", "unknown setting colour"),
    ],
)
def test_a_broken_settings_file_is_a_notice_and_the_editor_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, says: str
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    settings = config_path()
    settings.parent.mkdir(parents=True)
    settings.write_text(text)

    async def scenario(app: StrideApp, pilot) -> None:
        assert app.return_code is None and app.screen.is_mounted
        messages = [n.message for n in app._notifications]
        assert any(says in m for m in messages), messages

    app = _run(write(tmp_path), scenario)
    assert app.theme == "textual-dark"
    assert settings.read_text() == text  # reported, never rewritten behind the user's back


@pytest.mark.parametrize(("value", "off"), [("1", True), ("", False), (None, False)])
def test_no_color_is_honoured_when_set_and_not_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None, off: bool
) -> None:
    if value is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", value)

    async def scenario(app: StrideApp, pilot) -> None:
        assert app.no_color is off
        assert any(isinstance(f, (NoColor, Monochrome)) for f in app._filters) is off

    _run(write(tmp_path), scenario)


@pytest.mark.parametrize("width", [80, 100, 120])
def test_the_footer_shows_help_and_quit_at_any_width(tmp_path: Path, width: int) -> None:
    async def scenario(app: StrideApp, pilot) -> None:
        footer = app.screen.query_one(Footer)
        text = rendered(footer)
        assert "? Help" in text and "^q Quit" in text, text
        keys = {k.description for k in footer.query(FooterKey)}
        assert {"Save", "Help", "Quit"} <= keys

    _run(write(tmp_path), scenario, size=(width, 24))
