"""Write a model to disk canonically and atomically, so no failure can lose the user's work.

Order of work (reliability notes §1.5): build the full text, parse it back and compare, encode
strictly, and only then touch disk: temp file in the same folder, fsync, keep the mode, rename
over the target (through a symlink, which keeps pointing where it did), fsync the folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stride_tui.core.files.model_text import TextError, model_text
from stride_tui.core.files.model_text import model_to_data as model_to_data  # where every command takes it from
from stride_tui.core.model.elements import ThreatModel


class SaveError(Exception):
    """A save failed; the file on disk is exactly as it was before."""


class ConflictError(SaveError):
    """The file changed on disk since it was loaded; saving would overwrite someone's work."""


@dataclass(frozen=True)
class Fingerprint:
    """What a file looked like when it was loaded, to notice it changing underneath us."""

    inode: int
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: str | Path) -> Fingerprint | None:
        """The file's fingerprint now, or None when it does not exist."""
        try:
            st = os.stat(path)
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except FileNotFoundError:
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns, digest)

    def same_content(self, other: Fingerprint | None) -> bool:
        """True when ``other`` has the same bytes (a touch or a rewrite of equal bytes is fine)."""
        return other is not None and other.sha256 == self.sha256


def dump_model(model: ThreatModel) -> str:
    """Canonical TOML text of ``model`` (`model_text`: each part read back before anyone writes it)."""
    try:
        return model_text(model)
    except TextError as exc:
        raise SaveError(str(exc)) from exc


def encode_model(model: ThreatModel) -> bytes:
    """The exact bytes a save writes."""
    try:
        return dump_model(model).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SaveError(f"model text cannot be encoded as UTF-8: {exc.reason}") from exc


def save_model(model: ThreatModel, path: str | Path, expected: Fingerprint | None = None) -> Fingerprint:
    """Save ``model`` to ``path`` atomically and return the new fingerprint.

    With ``expected`` given, refuse (``ConflictError``) when the file on disk no longer has the
    content it had when loaded.
    """
    data = encode_model(model)
    return atomic_write(path, data, expected)


TEMP_MARK = ".stride-tui-save-"
"""In the name of every temporary file a save writes, so a leftover is recognisable."""


def temp_prefix(path: str | Path) -> str:
    """The start of the name of a temporary file saving ``path`` writes: ``.model.toml.stride-tui-save-``."""
    return f".{os.path.basename(os.path.realpath(path))}{TEMP_MARK}"


def leftover_temp_files(path: str | Path) -> list[Path]:
    """Temporary files that an interrupted save of ``path`` left next to it (a kill -9 mid-save)."""
    real = Path(os.path.realpath(path))
    prefix = temp_prefix(real)
    try:
        names = os.listdir(real.parent)
    except OSError:
        return []
    return sorted(real.parent / name for name in names if name.startswith(prefix) and name.endswith(".tmp"))


def atomic_write(path: str | Path, data: bytes, expected: Fingerprint | None = None) -> Fingerprint:
    """Replace the file at ``path`` with ``data`` so readers see the old or the new bytes, never a mix.

    The one way stride-tui writes a file (models, outputs, recovery files), so every command and
    the editor follow the same rules: a read-only file is refused (even for root), a file changed
    since ``expected`` is refused, and temporary files that an interrupted save left behind are
    removed once a save succeeds.
    """
    real = os.path.realpath(path)
    folder = os.path.dirname(real) or "."
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SaveError(_why(exc, path, folder)) from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise SaveError(f"cannot save {path}: not a regular file")
    if st is not None and (not st.st_mode & 0o222 or not os.access(real, os.W_OK)):
        raise SaveError(
            f"cannot save {path}: the file is read-only (chmod u+w to allow saving); the file on disk is unchanged"
        )
    if expected is not None and not expected.same_content(Fingerprint.of(real)):
        raise ConflictError(f"{path} changed on disk since it was loaded")
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    leftovers = leftover_temp_files(real)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(real), suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if st is not None:
            with contextlib.suppress(PermissionError):
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, real)
        tmp = None
    except OSError as exc:
        raise SaveError(_why(exc, path, folder)) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _fsync_folder(folder)
    remove_leftovers(leftovers)  # found before this save started: what a killed save left
    return Fingerprint.of(real)  # type: ignore[return-value]


def remove_leftovers(leftovers: list[Path]) -> list[Path]:
    """Delete these leftover temporary files (see `leftover_temp_files`); return those removed."""
    removed = []
    for leftover in leftovers:
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open folders; the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _why(exc: OSError, path: str | Path, folder: str) -> str:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return f"cannot save {path}: disk full ({reason}); the file on disk is unchanged"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and not os.access(folder, os.W_OK):
        return (
            f"cannot save {path}: its folder {folder} is not writable ({reason}); a safe save writes a "
            "temporary file in the folder and renames it over the model; the file on disk is unchanged"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot save {path}: permission denied ({reason}); the file on disk is unchanged"
    return f"cannot save {path}: {reason}; the file on disk is unchanged"
