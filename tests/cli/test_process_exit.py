"""The ``stride-tui`` process ends as soon as its command is done (no interpreter tear-down):
everything it printed still arrives, whole, with the command's exit code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from ..shared import SAMPLES


def _process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stride_tui", *args], capture_output=True, text=True)


def test_the_process_writes_what_the_command_writes_then_exits_with_its_code(
    run_cli: Callable[..., tuple[int, str, str]],
) -> None:
    model = str(SAMPLES / "platform.toml")
    for args in (("threats", model, "--format", "json"), ("check", model), ("validate", "missing.toml")):
        code, out, err = run_cli(*args)
        done = _process(*args)
        assert (done.returncode, done.stdout, done.stderr) == (code, out, err)
    assert code == 2 and err  # the last: an error on stderr, exit 2


def test_an_output_closed_early_is_no_error() -> None:
    model = str(SAMPLES / "platform.toml")
    command = [sys.executable, "-m", "stride_tui", "threats", model, "--format", "json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(10) == b'{\n  "model'
        process.stdout.close()  # like `| head`: the rest of the output has nowhere to go
        err = process.stderr.read()
        assert process.wait() == 0
    assert err == b""
