"""The editor on a hostile file name, in a real pseudo-terminal: what the file name and the
model's names hold never reaches the terminal as a control sequence.

Textual draws with CSI sequences of its own, so the check looks for what only user data could
have produced: the OSC title and clipboard writes of the file name, and 8-bit C1 controls (a
terminal UI writes 7-bit sequences only).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from ..shared import SAMPLES

HOSTILE = "evil\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\u009b31m\u202e.toml"


def _read_for(fd: int, seconds: float) -> bytes:
    out, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def test_the_editor_never_writes_user_data_as_terminal_sequences(tmp_path: Path) -> None:
    text = (SAMPLES / "three-tier.toml").read_text(encoding="utf-8")
    (tmp_path / HOSTILE).write_text(text.replace('title = "', 'title = "\u202eEvil ', 1), encoding="utf-8")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", XDG_STATE_HOME=str(tmp_path / "state"))
    process = subprocess.Popen(
        [sys.executable, "-m", "stride_tui", HOSTILE],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    try:
        output = _read_for(leader, 4)  # open and draw
        os.write(leader, b"\x13")  # ctrl+s: "Saved <path>"
        output += _read_for(leader, 2)
        os.write(leader, b"\x11")  # ctrl+q
        output += _read_for(leader, 3)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert b"Saved" in output or b"Save" in output, output[-400:]  # it did draw and save
    for forbidden in (b"\x1b]0;pwned", b"\x1b]52;", b"\x07\x1b]52", "\u202e".encode()):
        assert forbidden not in output, forbidden
    for c1 in range(0x80, 0xA0):
        assert bytes([0xC2, c1]) not in output, hex(c1)
