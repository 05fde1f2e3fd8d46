"""The model being edited and its file: undo history, what the file held, and saving through core."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from stride_tui.core.editing.history import History
from stride_tui.core.files.loader import LoadedModel, load_model
from stride_tui.core.files.storage import ConflictError, Fingerprint, save_model
from stride_tui.core.model.elements import ThreatModel


def _fingerprint(path: Path, raw: bytes) -> Fingerprint:
    """The fingerprint of the bytes that were loaded (not of whatever the file holds by now)."""
    try:
        st = os.stat(path)
        inode, mtime = st.st_ino, st.st_mtime_ns
    except OSError:
        inode, mtime = 0, 0
    return Fingerprint(inode, len(raw), mtime, hashlib.sha256(raw).hexdigest())


class Document:
    """One model file in the editor.

    Saving never overwrites someone else's change silently: the file must still hold what was
    loaded (or last saved), and a path that did not exist must still not exist; otherwise
    `save` raises ``ConflictError`` and the caller asks the user.
    """

    def __init__(self, path: Path, model: ThreatModel, loaded: LoadedModel | None = None) -> None:
        """
        Args:
            path: Where the model lives, or will be saved for a new model.
            model: The model as opened.
            loaded: What loading the file learnt; None for a model that is not on disk yet.
        """
        self.path: Path = path
        """Where the model is saved."""
        self.history: History = History(model)
        """Every model of this session, for undo and redo."""
        self.fingerprint: Fingerprint | None = _fingerprint(path, loaded.raw) if loaded else None
        """What the file held when loaded or last saved; None while it is not on disk."""
        self.comment_lines: list[int] = list(loaded.comment_lines) if loaded else []
        """Lines of the file that hold TOML comments (a save drops them)."""
        self.comments_acknowledged: bool = False
        """The user agreed that saving drops the comments."""

    @property
    def model(self) -> ThreatModel:
        """The model as it is now."""
        return self.history.current

    @property
    def dirty(self) -> bool:
        """True when there are edits the file does not hold."""
        return self.history.dirty

    @property
    def on_disk(self) -> bool:
        """Whether the model has a file yet (False for a new model until its first save)."""
        return self.fingerprint is not None

    @property
    def comments_at_risk(self) -> bool:
        """True when the next save would drop comments the user has not agreed to lose."""
        return bool(self.comment_lines) and not self.comments_acknowledged

    def save(self, path: Path | None = None, *, overwrite: bool = False) -> Path:
        """Save the current model atomically to ``path`` (default: its own path).

        Args:
            path: Where to save; another path is a "save as" and becomes the model's path.
            overwrite: Replace whatever the target holds (the user said so).

        Raises:
            ConflictError: The file changed on disk since it was loaded or saved, or a new
                model's path (or a save-as target) exists already.
            SaveError: The file could not be written; it is unchanged.
        """
        target = Path(path) if path is not None else self.path
        same_file = target == self.path or _same_file(target, self.path)
        expected = self.fingerprint if same_file and not overwrite else None
        if not overwrite and expected is None and target.exists():
            raise ConflictError(f"{target} exists already")
        model = self.model  # the one save path refuses a read-only file, as every command does
        fingerprint = save_model(model, target, expected)
        self.path = target
        self.fingerprint = fingerprint
        self.comment_lines = []  # the file is canonical now
        self.history.mark_saved(model)
        return target

    def reload(self) -> LoadedModel:
        """Read the file again, dropping every edit and the undo history (raises ``ModelError``)."""
        loaded = load_model(self.path)
        self.history.reset(loaded.model)
        self.fingerprint = _fingerprint(self.path, loaded.raw)
        self.comment_lines = list(loaded.comment_lines)
        self.comments_acknowledged = False
        return loaded


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)
