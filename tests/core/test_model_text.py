"""A model's text is tomli-w's text of the whole document, however much of it was kept."""

from __future__ import annotations

import datetime

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride_tui.core.files import model_text as text_module
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.model_text import model_text
from stride_tui.core.files.storage import model_to_data
from stride_tui.core.model.elements import Decision, ThreatModel

from ..shared import SAMPLES
from .test_roundtrip import models


def whole(model: ThreatModel) -> str:
    return tomli_w.dumps(model_to_data(model), multiline_strings=True)


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module, "_kept", {})


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_a_sample_model_is_written_as_the_whole_document_is(path) -> None:
    model = load_model(path).model
    assert model_text(model) == whole(model) == path.read_text(encoding="utf-8")
    assert model_text(model) == whole(model)  # every entry kept this time


def _edited(model: ThreatModel, data: st.DataObject) -> ThreatModel:
    """``model`` with one entry of one section renamed, dropped or added."""
    section = data.draw(st.sampled_from(["components", "boundaries", "flows", "decisions", "threats"]))
    table = dict(getattr(model, section))
    action = data.draw(st.sampled_from(["change", "drop", "copy"])) if table else "none"
    if action != "none":
        key = data.draw(st.sampled_from(sorted(table)))
        entry = table[key]
        if action == "drop":
            del table[key]
        elif action == "copy":  # the same entry object under another key: its text names its key
            table[key + "-copy"] = entry
        elif hasattr(entry, "name"):
            table[key] = entry.model_copy(update={"name": "Renamed"})
        elif isinstance(entry, Decision):
            table[key] = entry.model_copy(update={"expires": datetime.date(2031, 1, 2)})
        else:
            table[key] = entry.model_copy(update={"title": "Retitled"})
    return model.model_copy(update={section: table})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), st.data())
def test_any_model_and_its_edits_are_written_as_their_whole_documents_are(model: ThreatModel, data) -> None:
    assert model_text(model) == whole(model)
    for _ in range(data.draw(st.integers(1, 4))):
        model = _edited(model, data)
        assert model_text(model) == whole(model)


def test_an_edit_writes_only_the_entry_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_model(SAMPLES / "checkout.toml").model
    model_text(model)
    written: list[dict] = []
    checked = text_module._checked
    monkeypatch.setattr(text_module, "_checked", lambda document: written.append(document) or checked(document))
    key = next(iter(model.components))
    renamed = model.components[key].model_copy(update={"name": "Renamed"})
    edited = model.model_copy(update={"components": {**model.components, key: renamed}})
    assert 'name = "Renamed"' in model_text(edited)
    assert [list(document) for document in written] == [["components"], ["stride_tui", "model"]]
    assert list(written[0]["components"]) == [key]


def test_many_new_entries_are_taken_from_one_dump_of_the_whole_model() -> None:
    model = load_model(SAMPLES / "platform.toml").model
    entries = sum(len(getattr(model, s)) for s in ("components", "boundaries", "flows", "decisions", "threats"))
    assert entries >= text_module.WHOLE_DUMP_FROM  # the whole-dump branch is the one taken
    expiring = {k: d.model_copy(update={"expires": datetime.date(2030, 5, 6)}) for k, d in model.decisions.items()}
    model = model.model_copy(update={"decisions": expiring})
    text = model_text(model)
    assert text == whole(model)
    assert "expires = 2030-05-06" in text  # a TOML date, not a string
