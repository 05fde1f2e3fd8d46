"""The folder check of the editor's file dialogs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stride_tui.core.files.paths import folder_problem


def test_a_file_in_a_writable_folder_is_fine(tmp_path: Path) -> None:
    assert folder_problem(tmp_path / "model.toml") is None


def test_a_folder_needs_a_file_name(tmp_path: Path) -> None:
    assert folder_problem(tmp_path) == "that is a folder; add a file name"


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    assert folder_problem(tmp_path / "nope" / "model.toml") == f"no folder {tmp_path / 'nope'}"


def test_an_unwritable_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the kernel would answer a user without write access (root is never refused, so the
    answer is given here rather than by chmod)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == locked else real_access(path, mode))
    assert folder_problem(locked / "model.toml") == f"cannot write in {locked}"
