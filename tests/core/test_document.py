"""The document the editor edits: undo history, dirtiness, and saves that never overwrite a change made elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from stride_tui.core.editing.document import Document
from stride_tui.core.editing.put import put_component
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import ConflictError, SaveError
from stride_tui.core.model.elements import Process

from ..shared import MINIMAL


def opened(tmp_path: Path, text: str = MINIMAL) -> Document:
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_model(path)
    return Document(path, loaded.model, loaded)


def edited(document: Document) -> None:
    model = put_component(document.model, "web", Process(kind="process", name="Web"))
    assert document.history.record(model, "add web")


def test_an_edit_makes_it_dirty_and_a_save_writes_it(tmp_path: Path) -> None:
    document = opened(tmp_path)
    assert document.on_disk and not document.dirty
    edited(document)
    assert document.dirty
    assert document.save() == document.path
    assert not document.dirty
    assert "web" in load_model(document.path).model.components


def test_a_change_on_disk_is_a_conflict_until_overwrite_is_chosen(tmp_path: Path) -> None:
    document = opened(tmp_path)
    edited(document)
    document.path.write_text(MINIMAL.replace('"Minimal"', '"Theirs"'), encoding="utf-8")
    with pytest.raises(ConflictError):
        document.save()
    assert document.dirty
    document.save(overwrite=True)
    assert load_model(document.path).model.model.title == "Minimal"


def test_a_new_model_is_not_on_disk_and_never_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    document = Document(path, load_model_text(tmp_path).model)
    assert not document.on_disk
    path.write_text("someone else's", encoding="utf-8")
    with pytest.raises(ConflictError):
        document.save()
    assert path.read_text(encoding="utf-8") == "someone else's"


def test_save_as_moves_the_document_and_refuses_an_existing_target(tmp_path: Path) -> None:
    document = opened(tmp_path)
    taken = tmp_path / "taken.toml"
    taken.write_text("x", encoding="utf-8")
    with pytest.raises(ConflictError):
        document.save(taken)
    other = tmp_path / "other.toml"
    assert document.save(other) == other and document.path == other


def test_a_read_only_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    document = opened(tmp_path)
    edited(document)
    document.path.chmod(0o444)
    try:
        with pytest.raises(SaveError, match="read-only"):
            document.save()
    finally:
        document.path.chmod(0o644)
    assert "web" not in load_model(document.path).model.components


def test_comments_are_at_risk_until_acknowledged_and_gone_after_a_save(tmp_path: Path) -> None:
    document = opened(tmp_path, MINIMAL.replace("[model]", "# a note\n[model]"))
    assert document.comment_lines == [3] and document.comments_at_risk
    document.comments_acknowledged = True
    assert not document.comments_at_risk
    document.save()
    assert document.comment_lines == []


def test_reload_drops_edits_and_history(tmp_path: Path) -> None:
    document = opened(tmp_path)
    edited(document)
    document.reload()
    assert not document.dirty and not document.history.can_undo
    assert "web" not in document.model.components


def load_model_text(tmp_path: Path):
    source = tmp_path / "source.toml"
    source.write_text(MINIMAL, encoding="utf-8")
    return load_model(source)
