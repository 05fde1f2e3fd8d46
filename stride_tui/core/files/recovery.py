"""Recovery files: unsaved edits kept outside the repository, so a crash, a signal or a kill
loses at most the last few seconds. One file per model, in the user's state folder
(``$XDG_STATE_HOME/stride-tui/recovery``, else ``~/.local/state/…``), written atomically.

Also the instance marker that warns when a second editor opens the same model. The first
editor of a model owns its recovery file; a second one, opened while the first still runs, keeps
its own (``<model>.<pid>.json``): it never offers, overwrites or deletes the first one's, and a
crash of either leaves its edits where the next editor finds them.
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


_guest_of: set[str] = set()
"""The models this process opened while another live editor had them (`claim_instance`)."""


def recovery_path(model_path: Path) -> Path:
    """This process's recovery file for the model at ``model_path``."""
    key = _key(model_path)
    own = f".{os.getpid()}" if key in _guest_of else ""
    return state_folder() / "recovery" / f"{key}{own}.json"


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
    """Unsaved edits for ``model_path`` that an editor no longer running left, or None (an
    unreadable recovery file counts as none). The owner's file first, unless its editor still
    runs (this process is then a second editor: `claim_instance`); else the newest file a second
    editor left, which becomes this process's own (its save or discard removes it)."""
    key = _key(model_path)
    if _other_editor(model_path) is None:
        _guest_of.discard(key)
        found = _read(recovery_path(model_path))
        if found is not None:
            return found
    else:
        _guest_of.add(key)
    left = []
    for path in (state_folder() / "recovery").glob(f"{key}.*.json"):
        pid = path.name[len(key) + 1 : -len(".json")]
        recovery = _read(path) if pid.isdigit() and not _alive(int(pid)) else None
        if recovery is not None:
            left.append((recovery.saved_at, path, recovery))
    if not left:
        return None
    _, path, recovery = max(left, key=lambda found: found[:2])
    with contextlib.suppress(OSError):
        os.replace(path, recovery_path(model_path))
    return recovery


def _read(path: Path) -> Recovery | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        model = parse_model(document["model"].encode("utf-8"), str(path)).model
        return Recovery(model, float(document["saved_at"]), str(document["original"]))
    except Exception:  # missing, truncated or from an incompatible version: nothing to offer
        return None


def discard_recovery(model_path: Path) -> None:
    """Remove this process's recovery file (after a save, or when the user declines to restore)."""
    with contextlib.suppress(FileNotFoundError):
        recovery_path(model_path).unlink()


def _marker(model_path: Path) -> Path:
    return state_folder() / "instances" / (_key(model_path) + ".pid")


def claim_instance(model_path: Path) -> int | None:
    """Record this process as editing ``model_path``; return the pid of another live editor, if
    any (this process then keeps a recovery file of its own for the model)."""
    marker = _marker(model_path)
    other = _other_editor(model_path)
    if other is None:
        _guest_of.discard(_key(model_path))
    else:
        _guest_of.add(_key(model_path))
    with contextlib.suppress(OSError):
        marker.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if other is None:
            marker.write_text(str(os.getpid()))
    return other


def _other_editor(model_path: Path) -> int | None:
    """The pid of another live editor of ``model_path``, if its marker names one."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(_marker(model_path).read_text().strip())
        if pid != os.getpid() and _alive(pid):
            return pid
    return None


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
