"""Recovery files and the second-instance marker."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from stride_tui.core.files import recovery
from stride_tui.core.files.loader import load_model

from ..shared import with_meta


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


def test_write_read_discard(minimal_file, state):
    model = load_model(minimal_file).model
    model = with_meta(model, title="Unsaved title")
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


def _another_editor(model_file) -> None:
    marker = recovery._marker(model_file)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("1")  # pid 1 is always alive: the first editor of the model


def test_a_second_editor_never_offers_overwrites_or_deletes_the_first_ones_edits(minimal_file):
    first = load_model(minimal_file).model
    first = with_meta(first, title="Edits of the first editor")
    owners = recovery.write_recovery(minimal_file, first)  # written before the second one opens
    _another_editor(minimal_file)
    assert recovery.read_recovery(minimal_file) is None  # its editor is running: not a crash
    assert recovery.claim_instance(minimal_file) == 1
    second = load_model(minimal_file).model
    second = with_meta(second, title="Edits of the second editor")
    own = recovery.write_recovery(minimal_file, second)
    assert own != owners and own.name.endswith(f".{os.getpid()}.json")
    recovery.discard_recovery(minimal_file)  # the second editor quits without saving
    assert not own.exists()
    assert owners.exists() and "Edits of the first editor" in owners.read_text()


def test_edits_a_crashed_second_editor_left_are_offered_next_time(minimal_file):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    model = load_model(minimal_file).model
    model = with_meta(model, title="Edits of a second editor that crashed")
    left = recovery.recovery_path(minimal_file).with_name(f"{recovery._key(minimal_file)}.{dead.pid}.json")
    written = recovery.write_recovery(minimal_file, model)
    written.rename(left)
    found = recovery.read_recovery(minimal_file)
    assert found is not None and found.model.model.title == "Edits of a second editor that crashed"
    assert not left.exists() and recovery.recovery_path(minimal_file).exists()  # now this editor's own
    recovery.discard_recovery(minimal_file)
    assert recovery.read_recovery(minimal_file) is None
