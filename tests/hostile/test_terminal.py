"""No command lets user data write to the terminal: file names and names with escape sequences,
C1 controls, bidi overrides and zero-width characters are shown escaped, never obeyed.

Each command runs as a real process on a pseudo-terminal; the raw bytes it writes are checked.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from ..shared import SAMPLES

# OSC 0 (set the title), OSC 52 (write the clipboard), CSI (clear the screen), a C1 CSI, bidi, ZWSP
HOSTILE_FILE = "evil\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\x1b[2J\u009b31m\u202e\u200b.toml"
RIGHT_TO_LEFT = "\u202e"
FORBIDDEN = [b"\x1b", b"\x07", *(bytes([0xC2, c]) for c in range(0x80, 0xA0))]
INVISIBLE = ["\u202e", "\u200b", "\u2066"]


def run_in_pty(args: list[str], cwd: Path) -> bytes:
    """Run ``stride-tui ARGS`` with stdout and stderr on a pseudo-terminal; return every byte."""
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "120"}
    process = subprocess.Popen(
        [sys.executable, "-m", "stride_tui", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=env,
    )
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            process.kill()
            pytest.fail(f"{args[0]} wrote nothing for 30 s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(30)
    os.close(leader)
    return output


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A folder with the checkout sample under a hostile file name, its names full of bidi and
    zero-width characters (allowed in a model, but never to be obeyed by a terminal)."""
    text = (SAMPLES / "checkout.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Customer browser"', f'name = "Cust{RIGHT_TO_LEFT}omer\u200b browser"', 1)
    assert RIGHT_TO_LEFT + "omer" in text
    text = text.replace('title = "', f'title = "\u2066Evil{RIGHT_TO_LEFT} ', 1)
    (tmp_path / HOSTILE_FILE).write_text(text, encoding="utf-8")
    (tmp_path / "broken\x1b[31m.toml").write_text("stride_tui = 1\n[model\n", encoding="utf-8")
    return tmp_path


COMMANDS = [
    ["validate", HOSTILE_FILE],
    ["validate", "broken\x1b[31m.toml"],
    ["validate", "missing\x1b]0;x\x07.toml"],
    ["fmt", "--check", HOSTILE_FILE],
    ["fmt", "--diff", "--check", HOSTILE_FILE],
    ["threats", HOSTILE_FILE],
    ["threats", HOSTILE_FILE, "--element", "nope\x1b[2J"],
    ["check", HOSTILE_FILE],
    ["stories", HOSTILE_FILE],
    ["report", HOSTILE_FILE],
    ["textconv", HOSTILE_FILE],
    ["diff", HOSTILE_FILE, HOSTILE_FILE],
    ["render", HOSTILE_FILE, "-o", "out\x1b]0;t\x07.dot"],
    ["add", HOSTILE_FILE, "API \x1b]0;t\x07 > X"],
    ["new", HOSTILE_FILE],
    ["export", HOSTILE_FILE, "--to", "threat-dragon", "-o", "td\x1b[2J.json"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0] + "-" + str(len(a)))
def test_no_escape_sequence_or_invisible_character_from_user_data_reaches_the_terminal(
    hostile: Path, args: list[str]
) -> None:
    output = run_in_pty(args, hostile)
    for forbidden in FORBIDDEN:
        assert forbidden not in output, (forbidden, output[:400])
    text = output.decode("utf-8", "replace")
    for char in INVISIBLE:
        assert char not in text, (char, text[:400])
    assert "Traceback" not in text


def test_sarif_uris_are_percent_encoded(tmp_path: Path, run_cli) -> None:
    import json

    name = "threat model #1 ?v=2 100% é.toml"
    (tmp_path / name).write_text((SAMPLES / "three-tier.toml").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run_cli("threats", tmp_path / name, "--format", "sarif")
    assert code == 0
    run = json.loads(out)["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"threat%20model%20%231%20%3Fv%3D2%20100%25%20%C3%A9.toml"}
