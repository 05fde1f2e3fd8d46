"""Read a file as it was at a git revision: ``main:threat-model.toml``, ``HEAD~1:path``.

Git runs as a subprocess with a list of arguments (no shell), in the repository of the current
directory, exactly as ``git show REV:PATH`` typed there would: PATH is relative to the
repository root, or to the current directory when it starts with ``./`` or ``../``.
Textconv filters are never applied, so a configured ``diff.stride-tui.textconv`` cannot turn
the TOML into its readable rendering before we parse it.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path

from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.text_safety import replace_unprintable

GIT_TIMEOUT = 30.0
MAX_BLOB_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Revision:
    """A file at a revision, and where it lives in the repository."""

    spec: str  # what the user typed, used as the file name in messages
    rev: str
    path: str  # as typed after the colon
    content: bytes
    repo_root: Path
    repo_path: str  # path inside the repository, POSIX, no leading "./"

    def sibling(self, relative: str) -> str | None:
        """The repository path of ``relative`` (a path written in the file), or None if it leaves the repo."""
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.repo_path), relative))
        if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
            return None
        return joined


def split_spec(spec: str) -> tuple[str, str] | None:
    """``REV:PATH`` → (REV, PATH); None when ``spec`` does not look like one."""
    if ":" not in spec:
        return None
    rev, _, path = spec.partition(":")
    if not rev or not path:
        return None
    return rev, path


def is_revision_spec(spec: str) -> bool:
    """True when ``spec`` is not a file on disk but has the ``REV:PATH`` shape."""
    return not os.path.exists(spec) and split_spec(spec) is not None


def read_revision(spec: str, cwd: str | Path | None = None) -> Revision:
    """Read ``REV:PATH`` with git; raise ``ModelError`` with a clear message on any failure."""
    parts = split_spec(spec)
    if parts is None:
        raise ModelError([Diagnostic(spec, "not a file, and not a git revision of one (REV:PATH)")])
    rev, path = parts
    if rev.startswith("-"):
        raise ModelError([Diagnostic(spec, f"a git revision cannot start with `-` (got `{rev}`)")])
    if any(ch in spec for ch in "\x00\n\r"):
        raise ModelError([Diagnostic(spec, "a git revision cannot contain control characters")])
    folder = Path(cwd) if cwd is not None else Path.cwd()
    root_text = _git(["rev-parse", "--show-toplevel"], folder, spec, what="find the git repository")
    repo_root = Path(root_text.decode("utf-8", "replace").strip())
    prefix = _git(["rev-parse", "--show-prefix"], folder, spec, what="find the git repository")
    repo_path = _repo_path(prefix.decode("utf-8", "replace").strip(), path)
    kind = _git(["cat-file", "-t", f"{rev}:{path}"], folder, spec, what="read it").decode().strip()
    if kind != "blob":
        raise ModelError([Diagnostic(spec, f"`{path}` is a {_kind_name(kind)} in `{rev}`, not a file")])
    size_text = _git(["cat-file", "-s", f"{rev}:{path}"], folder, spec, what="read it").decode().strip()
    if size_text.isdigit() and int(size_text) > MAX_BLOB_BYTES:
        raise ModelError(
            [Diagnostic(spec, f"file is {int(size_text):,} bytes; the limit for a model is {MAX_BLOB_BYTES:,} bytes")]
        )
    content = _git(["show", "--no-textconv", f"{rev}:{path}"], folder, spec, what="read it")
    return Revision(spec, rev, path, content, repo_root, repo_path)


def read_blob(rev: str, repo_path: str, cwd: str | Path, label: str) -> bytes:
    """The bytes of ``repo_path`` (relative to the repository root) at ``rev``."""
    return _git(["show", "--no-textconv", f"{rev}:{repo_path}"], Path(cwd), label, what="read it")


def _repo_path(prefix: str, path: str) -> str:
    if path.startswith(("./", "../")) or path in (".", ".."):
        joined = posixpath.normpath(posixpath.join(prefix, path))
    else:
        joined = posixpath.normpath(path)
    return joined.lstrip("/")


def _kind_name(kind: str) -> str:
    return {"tree": "folder", "commit": "submodule"}.get(kind, kind or "object")


def _git(args: list[str], cwd: Path, label: str, what: str) -> bytes:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C"})
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ModelError([Diagnostic(label, "git is not installed (needed to read a REV:PATH revision)")]) from None
    except subprocess.TimeoutExpired:
        raise ModelError([Diagnostic(label, f"git did not answer within {GIT_TIMEOUT:g} seconds")]) from None
    except OSError as exc:
        raise ModelError([Diagnostic(label, f"cannot run git: {exc.strerror or exc}")]) from None
    if result.returncode != 0:
        message = _git_message(result.stderr)
        if "not a git repository" in message:
            raise ModelError(
                [Diagnostic(label, f"not a file, and {cwd} is not inside a git repository (needed to read REV:PATH)")]
            )
        raise ModelError([Diagnostic(label, f"cannot {what} with git: {message}")])
    return result.stdout


def _git_message(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    text = lines[0] if lines else "git failed"
    for prefix in ("fatal: ", "error: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return replace_unprintable(text)[:300]
