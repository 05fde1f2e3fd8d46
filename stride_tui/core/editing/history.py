"""Undo and redo over model values, and whether the current model is the one on disk."""

from __future__ import annotations

from dataclasses import dataclass

from stride_tui.core.model.elements import ThreatModel

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class _Entry:
    model: ThreatModel
    label: str
    serial: int


class History:
    """The models an editing session went through, with a cursor for undo and redo.

    Models are values, so keeping one per edit costs only the tables the edit replaced.
    """

    def __init__(self, model: ThreatModel, *, saved: bool = True, limit: int = DEFAULT_LIMIT) -> None:
        """
        Args:
            model: The model as opened.
            saved: Whether ``model`` is what the file holds (False for a model not saved yet).
            limit: How many edits to remember; the oldest are forgotten first.
        """
        self._entries: list[_Entry] = [_Entry(model, "open", 0)]
        self._position = 0
        self._next_serial = 1
        self._saved_serial: int | None = 0 if saved else None
        self._limit = max(limit, 1)

    @property
    def current(self) -> ThreatModel:
        """The model as it is now."""
        return self._entries[self._position].model

    @property
    def dirty(self) -> bool:
        """True when the current model differs from the last one saved (or opened from disk)."""
        return self._entries[self._position].serial != self._saved_serial

    @property
    def can_undo(self) -> bool:
        """Whether there is an edit to undo."""
        return self._position > 0

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone edit to redo."""
        return self._position < len(self._entries) - 1

    @property
    def undo_label(self) -> str | None:
        """What undo would take back, e.g. "add component api"."""
        return self._entries[self._position].label if self.can_undo else None

    @property
    def redo_label(self) -> str | None:
        """What redo would do again."""
        return self._entries[self._position + 1].label if self.can_redo else None

    def record(self, model: ThreatModel, label: str) -> bool:
        """Make ``model`` current after an edit described by ``label``; forget undone edits.

        Returns:
            False when ``model`` equals the current model (nothing changed, nothing recorded).
        """
        if model == self.current:
            return False
        del self._entries[self._position + 1 :]
        self._entries.append(_Entry(model, label, self._next_serial))
        self._next_serial += 1
        if len(self._entries) > self._limit + 1:
            del self._entries[: len(self._entries) - self._limit - 1]
        self._position = len(self._entries) - 1
        return True

    def undo(self) -> str | None:
        """Step back one edit; return its label, or None when there is nothing to undo."""
        if not self.can_undo:
            return None
        label = self._entries[self._position].label
        self._position -= 1
        return label

    def redo(self) -> str | None:
        """Step forward one undone edit; return its label, or None when there is none."""
        if not self.can_redo:
            return None
        self._position += 1
        return self._entries[self._position].label

    def mark_saved(self, model: ThreatModel | None = None) -> None:
        """Note that the file now holds ``model`` (default: the current model).

        Naming the model saved matters when the save ran while another edit came in.
        """
        if model is None:
            self._saved_serial = self._entries[self._position].serial
            return
        for entry in self._entries:
            if entry.model is model:
                self._saved_serial = entry.serial
                return
        self._saved_serial = None  # that model is no longer in the history: nothing matches the file

    def reset(self, model: ThreatModel) -> None:
        """Start over from ``model`` as read from disk (after a reload): no undo, not dirty."""
        self._entries = [_Entry(model, "open", self._next_serial)]
        self._saved_serial = self._next_serial
        self._next_serial += 1
        self._position = 0
