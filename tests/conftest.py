"""Shared test helpers: paths, a minimal model, and running the CLI in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from stride_tui.cli import main

from .git_helpers import git_repo  # noqa: F401  (a fixture for every test module)
from .shared import MINIMAL


@pytest.fixture(autouse=True)
def isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Recovery files, instance markers and the editor's settings go to fresh folders, never the user's own."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    return state


@pytest.fixture
def run_cli(capsys):
    """Run ``stride-tui ARGS`` in-process; return (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def minimal_file(tmp_path: Path) -> Path:
    """A small valid canonical model file in a temporary folder."""
    path = tmp_path / "model.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    return path
