"""Checks on a path typed into a file dialog (save as, export), shown next to the field."""

from __future__ import annotations

import os
from pathlib import Path


def folder_problem(path: Path) -> str | None:
    """Why a file cannot be created at ``path`` (a folder, no such folder, no write access), or None."""
    if path.is_dir():
        return "that is a folder; add a file name"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"no folder {folder}"
    if not os.access(folder, os.W_OK):
        return f"cannot write in {folder}"
    return None
