"""One save path for the editor and every command: read-only files refused everywhere, clear
words for an unwritable folder, and nothing left behind by a save killed half-way."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import SaveError, atomic_write, leftover_temp_files, save_model, temp_prefix

from ..shared import MINIMAL, SAMPLES


def test_a_read_only_file_is_refused_by_every_writer(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "model.toml"
    model.write_text(MINIMAL.replace('title = "Minimal"', 'title  =  "Minimal"'), encoding="utf-8")
    model.chmod(0o444)
    before = model.read_bytes()
    with pytest.raises(SaveError, match="read-only"):
        save_model(load_model(model).model, model)  # the editor's save
    code, _, err = run_cli("fmt", model)
    assert code == 2 and "read-only (chmod u+w to allow saving)" in err
    code, _, err = run_cli("add", model, "API > Cache (store)")
    assert code == 2 and "read-only" in err
    output = tmp_path / "diagram.dot"
    output.write_text("old")
    output.chmod(0o444)
    code, _, err = run_cli("render", model, "-o", output)
    assert code == 2 and "read-only" in err and output.read_text() == "old"
    assert model.read_bytes() == before


def test_leftovers_of_a_killed_save_are_recognisable_and_removed_by_the_next_save(tmp_path: Path) -> None:
    model = tmp_path / "model.toml"
    model.write_text(MINIMAL, encoding="utf-8")
    leftover = tmp_path / f"{temp_prefix(model)}abc123.tmp"
    leftover.write_bytes(b"half a model")
    unrelated = tmp_path / ".other.toml.stride-tui-save-x.tmp"
    unrelated.write_bytes(b"another model's")
    assert leftover_temp_files(model) == [leftover]
    atomic_write(model, MINIMAL.encode())
    assert not leftover.exists() and unrelated.exists()


KILLER = """
import sys
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import save_model
path, variant = sys.argv[1], int(sys.argv[2])
model = load_model(path).model
print("saving", flush=True)
for n in range(10_000):
    meta = model.model.model_copy(update={"title": f"Version {variant}-{n}"})
    save_model(model.model_copy(update={"model": meta}), path)
"""


def test_kill_9_during_saves_leaves_old_or_new_bytes(tmp_path: Path) -> None:
    """A bounded loop: a child saves a big model over and over and is killed at random moments;
    the file is always a whole model, and the next save removes whatever temp file was left."""
    model = tmp_path / "platform.toml"
    model.write_bytes((SAMPLES / "platform.toml").read_bytes())
    titles = set()
    for round_ in range(12):
        child = subprocess.Popen([sys.executable, "-c", KILLER, str(model), str(round_)], stdout=subprocess.PIPE)
        assert child.stdout is not None and child.stdout.readline() == b"saving\n"
        time.sleep(0.01 + 0.02 * (round_ % 8))  # somewhere in the middle of one of its saves
        child.send_signal(signal.SIGKILL)
        child.wait()
        loaded = load_model(model)  # raises if the file were a mix of two saves
        assert loaded.model.components
        titles.add(loaded.model.model.title)
    assert len(titles) > 1, "no save finished before a kill: the loop tested nothing"
    save_model(load_model(model).model, model)
    assert leftover_temp_files(model) == []
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_kill_9_of_the_editor_during_saves_leaves_old_or_new_bytes(tmp_path: Path) -> None:
    """The editor, in a real terminal, saving (ctrl+s) a large model and killed at once: the file
    always loads whole, and the next save leaves no temporary file behind."""
    import fcntl
    import pty
    import struct
    import termios

    model = tmp_path / "platform.toml"
    original = (SAMPLES / "platform.toml").read_bytes()
    model.write_bytes(original)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", XDG_STATE_HOME=str(tmp_path / "state"))
    saves = 0
    for delay in (0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4):
        inode = os.stat(model).st_ino
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        editor = subprocess.Popen(
            [sys.executable, "-m", "stride_tui", str(model)],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
            start_new_session=True,
        )
        os.close(follower)
        deadline = time.monotonic() + 15
        seen = b""
        while b"Retail platform" not in seen and time.monotonic() < deadline:  # the model is open
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                seen += os.read(leader, 65536)
        os.write(leader, b"\x13")  # ctrl+s
        time.sleep(delay)  # from before the save starts to after it ends
        editor.send_signal(signal.SIGKILL)
        editor.wait()
        os.close(leader)
        loaded = load_model(model)  # old or new bytes: a whole model either way
        assert loaded.model.components
        saves += os.stat(model).st_ino != inode  # a finished save renamed a new file over it
    assert saves, "no save finished before a kill: the loop tested nothing"
    save_model(load_model(model).model, model)
    assert leftover_temp_files(model) == []
