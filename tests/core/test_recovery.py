"""Recovery files and the second-instance marker."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from stride_tui.core.files import recovery
from stride_tui.core.files.loader import load_model


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


def test_write_read_discard(minimal_file, state):
    model = load_model(minimal_file).model
    model.model.title = "Unsaved title"
    path = recovery.write_recovery(minimal_file, model)
    assert path.is_relative_to(state) and oct(path.stat().st_mode & 0o777) == "0o600"
    found = recovery.read_recovery(minimal_file)
    assert found is not None and found.model.model.title == "Unsaved title"
    assert found.original == os.path.realpath(minimal_file)
    recovery.discard_recovery(minimal_file)
    assert recovery.read_recovery(minimal_file) is None


def test_recovery_files_are_per_model(tmp_path, minimal_file):
    other = tmp_path / "other" / "model.toml"  # same name, other folder
    other.parent.mkdir()
    other.write_text(minimal_file.read_text())
    recovery.write_recovery(minimal_file, load_model(minimal_file).model)
    assert recovery.read_recovery(other) is None


def test_corrupt_recovery_file_is_ignored(minimal_file):
    path = recovery.recovery_path(minimal_file)
    path.parent.mkdir(parents=True)
    path.write_text('{"model": "not toml [')
    assert recovery.read_recovery(minimal_file) is None


def test_second_instance_is_detected(minimal_file):
    assert recovery.claim_instance(minimal_file) is None
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "from pathlib import Path; from stride_tui.core.files.recovery import claim_instance;"
                f"print(claim_instance(Path({str(minimal_file)!r})))"
            ),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=True,
    )
    assert other.stdout.strip() == str(os.getpid())
    recovery.release_instance(minimal_file)
    assert recovery.claim_instance(minimal_file) is None


def test_stale_marker_of_a_dead_process_is_taken_over(minimal_file):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    marker = recovery._marker(minimal_file)
    marker.parent.mkdir(parents=True)
    marker.write_text(str(dead.pid))
    assert recovery.claim_instance(minimal_file) is None
    assert marker.read_text() == str(os.getpid())
