"""A throw-away git repository for tests of the git integration (diff of revisions, textconv)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class GitRepo:
    path: Path

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.path, check=True, capture_output=True, text=True).stdout

    def __truediv__(self, other: str) -> Path:
        return self.path / other


@pytest.fixture
def git_repo(tmp_path) -> GitRepo:
    """An empty repository on branch main with a local identity (nothing global is touched)."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = GitRepo(tmp_path / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Test")
    repo.git("config", "user.email", "test@example.com")
    repo.git("config", "commit.gpgsign", "false")
    return repo
