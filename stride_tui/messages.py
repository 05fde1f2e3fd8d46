"""Messages that more than one screen, or a screen and the app, share."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message


class ModelPathChanged(Message):
    """The model was saved under another path (the app moves its instance marker)."""

    def __init__(self, old: Path, new: Path) -> None:
        super().__init__()
        self.old: Path = old
        """The path the model had."""
        self.new: Path = new
        """The path it has now."""
