"""The interpreter that runs OWASP pytm for the benchmarks: pinned, in a venv of its own.

pytm pins its own dependencies, so it never goes into the project's ``.venv``: ``bench/.pytm-venv``
is made on first use with ``pip install pytm==1.4``, unless ``--pytm-python PATH`` names one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

PYTM_VERSION = "1.4"
VENV = Path(__file__).resolve().parent / ".pytm-venv"


def pytm_python(args: argparse.Namespace) -> str | None:
    """pytm's interpreter: ``--pytm-python``, or ``bench/.pytm-venv`` (made on first use);
    None with ``--no-pytm``."""
    if args.no_pytm:
        return None
    if args.pytm_python:
        return str(args.pytm_python)
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating bench/.pytm-venv with pytm {PYTM_VERSION} (first run only)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"pytm=={PYTM_VERSION}"], check=True)
    return str(python)
