"""The editor's settings file: where it lives (XDG), what it holds, atomic writes, broken files
reported and ignored; NO_COLOR as no-color.org says."""

from __future__ import annotations

from pathlib import Path

from stride_tui.core.files.user_config import UserConfig, colour_disabled, config_path, load_config, save_config


def test_the_file_lives_in_the_xdg_config_folder(tmp_path: Path) -> None:
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "stride-tui" / "config.toml"
    home = Path.home() / ".config" / "stride-tui" / "config.toml"
    assert config_path({}) == home
    assert config_path({"XDG_CONFIG_HOME": ""}) == home  # empty means unset (XDG spec)
    assert config_path({"XDG_CONFIG_HOME": "relative/dir"}) == home  # relative paths are ignored


def test_a_missing_file_is_the_defaults_with_no_problem(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml") == (UserConfig(), None)


def test_save_then_load_round_trips_and_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "stride-tui" / "config.toml"
    save_config(path, UserConfig(theme="nord"))
    assert path.read_text() == 'theme = "nord"\n'
    assert load_config(path) == (UserConfig(theme="nord"), None)
    save_config(path, UserConfig(theme="gruvbox"))
    assert load_config(path)[0].theme == "gruvbox"
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_a_broken_file_is_reported_with_its_line_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\ntheme = \n')
    config, problem = load_config(path)
    assert config == UserConfig()
    assert problem is not None and problem.startswith(f"{path}:2: error:") and "ignored" in problem


def test_unknown_keys_and_wrong_types_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('colour = "red"\n')
    assert "unknown setting colour" in (load_config(path)[1] or "")
    path.write_text("theme = 3\n")
    config, problem = load_config(path)
    assert config == UserConfig() and "theme must be" in (problem or "")
    path.write_bytes(b"\xff\xfe")
    assert "cannot read" in (load_config(path)[1] or "")


def test_no_color_counts_only_when_set_and_not_empty() -> None:
    assert colour_disabled({"NO_COLOR": "1"}) is True
    assert colour_disabled({"NO_COLOR": "0"}) is True  # any value, even "0" (no-color.org)
    assert colour_disabled({"NO_COLOR": ""}) is False
    assert colour_disabled({}) is False
