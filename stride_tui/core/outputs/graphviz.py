"""Run Graphviz ``dot`` safely: DOT on stdin, a timeout, an output cap, a memory limit.

``dot`` is a slow, crash-prone parser (reliability notes §3): it never sees a file name or
option from user data, and every failure becomes one clear ``RenderError``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile

DEFAULT_TIMEOUT = 60.0
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
MEMORY_LIMIT_BYTES = 4 * 1024 * 1024 * 1024
FORMATS = ("svg", "png", "plain")
INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`) "
    "or use `--format dot` and render elsewhere"
)


class RenderError(Exception):
    """Graphviz is missing, too slow, crashed, or produced too much."""


def find_dot() -> str | None:
    """Path of the ``dot`` program, if installed."""
    return shutil.which("dot")


def _limit_memory() -> None:  # runs in the child before exec (POSIX only)
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def run_dot(dot_source: str, fmt: str, timeout: float = DEFAULT_TIMEOUT, engine: str = "dot") -> bytes:
    """Lay out and render DOT text with Graphviz; return the output bytes."""
    if fmt not in FORMATS:
        raise RenderError(f"unsupported format {fmt!r}")
    program = shutil.which(engine)
    if program is None:
        raise RenderError(f"Graphviz `{engine}` not found: {INSTALL_HINT}")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
    with tempfile.TemporaryFile() as out:  # a file, so a runaway output cannot fill our memory
        try:
            proc = subprocess.run(
                [program, f"-T{fmt}"],
                input=dot_source.encode("utf-8"),
                stdout=out,
                stderr=subprocess.PIPE,
                timeout=timeout,
                env=env,
                preexec_fn=_limit_memory if sys.platform != "win32" else None,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RenderError(
                f"Graphviz timed out after {timeout:g} s; for a large model draw one boundary "
                "(`--boundary ID`) or use `--format dot`"
            ) from None
        except OSError as exc:
            raise RenderError(f"cannot run Graphviz: {exc.strerror or exc}") from None
        if proc.returncode < 0:
            name = signal.Signals(-proc.returncode).name if -proc.returncode in signal.valid_signals() else "?"
            raise RenderError(f"Graphviz crashed (signal {-proc.returncode}, {name})")
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit code {proc.returncode}"
            raise RenderError(f"Graphviz failed: {detail[:300]}")
        size = out.tell()
        if size > MAX_OUTPUT_BYTES:
            raise RenderError(
                f"Graphviz output is larger than {MAX_OUTPUT_BYTES // (1024 * 1024)} MiB; draw one boundary"
            )
        out.seek(0)
        return out.read()
