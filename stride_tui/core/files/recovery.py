"""Recovery files: unsaved edits kept outside the repository, so a crash, a signal or a kill
loses at most the last few seconds. One file per model, in the user's state folder
(``$XDG_STATE_HOME/stride-tui/recovery``, else ``~/.local/state/…``), written atomically.

Also the instance marker that warns when a second editor opens the same model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from stride_tui.core.files.loader import parse_model
from stride_tui.core.files.storage import atomic_write, dump_model
from stride_tui.core.model.elements import ThreatModel


def state_folder() -> Path:
    """Where stride-tui keeps recovery files and instance markers."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "stride-tui"


def _key(model_path: Path) -> str:
    real = os.path.realpath(model_path)
    digest = hashlib.sha256(real.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{digest}-{Path(real).name}"


def recovery_path(model_path: Path) -> Path:
    """The recovery file for the model at ``model_path``."""
    return state_folder() / "recovery" / (_key(model_path) + ".json")


@dataclass(frozen=True)
class Recovery:
    """Unsaved edits found for a model."""

    model: ThreatModel
    saved_at: float  # epoch seconds
    original: str  # the model path the edits belong to

    def describe(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved_at))


def write_recovery(model_path: Path, model: ThreatModel) -> Path:
    """Keep ``model`` as the unsaved state of ``model_path``; raises OSError/SaveError on failure."""
    path = recovery_path(model_path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    document = {
        "stride_tui_recovery": 1,
        "original": os.path.realpath(model_path),
        "saved_at": time.time(),
        "model": dump_model(model),
    }
    atomic_write(path, json.dumps(document, ensure_ascii=False).encode("utf-8"))
    os.chmod(path, 0o600)  # model text may be confidential
    return path


def read_recovery(model_path: Path) -> Recovery | None:
    """Unsaved edits for ``model_path``, or None (an unreadable recovery file counts as none)."""
    path = recovery_path(model_path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        model = parse_model(document["model"].encode("utf-8"), str(path)).model
        return Recovery(model, float(document["saved_at"]), str(document["original"]))
    except Exception:  # missing, truncated or from an incompatible version: nothing to offer
        return None


def discard_recovery(model_path: Path) -> None:
    """Remove the recovery file (after a save, or when the user declines to restore)."""
    with contextlib.suppress(FileNotFoundError):
        recovery_path(model_path).unlink()


def _marker(model_path: Path) -> Path:
    return state_folder() / "instances" / (_key(model_path) + ".pid")


def claim_instance(model_path: Path) -> int | None:
    """Record this process as editing ``model_path``; return the pid of another live editor, if any."""
    marker = _marker(model_path)
    other = None
    with contextlib.suppress(OSError, ValueError):
        pid = int(marker.read_text().strip())
        if pid != os.getpid() and _alive(pid):
            other = pid
    with contextlib.suppress(OSError):
        marker.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if other is None:
            marker.write_text(str(os.getpid()))
    return other


def release_instance(model_path: Path) -> None:
    """Forget this process as the editor of ``model_path`` (only if it is ours)."""
    marker = _marker(model_path)
    with contextlib.suppress(OSError, ValueError):
        if int(marker.read_text().strip()) == os.getpid():
            marker.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
