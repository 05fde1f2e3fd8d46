"""Completion of sketch lines: the name being typed, from the model's components and boundaries."""

from __future__ import annotations

from stride_tui.core.editing.sketch import apply_sketch
from stride_tui.core.editing.sketch_complete import complete, suggestion
from stride_tui.core.model.elements import ModelMeta, ThreatModel


def _model() -> ThreatModel:
    model = ThreatModel(model=ModelMeta(title="Refunds"))
    for line in (
        "[Internet] Customer",
        "[Cluster] API gateway, Refund service, Refund events (queue)",
        "[Cluster / Data tier] Ledger DB",
    ):
        model = apply_sketch(model, line).model
    return model


def test_one_match_is_completed_whole_keeping_what_was_typed() -> None:
    model = _model()
    assert complete(model, "cu").line == "customer"  # the sketch finds names whatever their case
    assert complete(model, "Cu").line == "Customer"
    assert complete(model, "Customer > API g").line == "Customer > API gateway"
    assert complete(model, "Customer>Le").line == "Customer>Ledger DB"
    assert complete(model, "[Cluster] API gateway, Le").line == "[Cluster] API gateway, Ledger DB"


def test_several_matches_complete_as_far_as_they_agree_and_are_listed() -> None:
    model = _model()
    done = complete(model, "API gateway > Re")
    assert done.line == "API gateway > Refund "
    assert done.candidates == ("Refund events", "Refund service")
    assert complete(model, "API gateway > Refund s").line == "API gateway > Refund service"


def test_boundaries_complete_inside_brackets_with_the_closing_bracket() -> None:
    model = _model()
    assert complete(model, "Web shop [Cl").line == "Web shop [Cluster]"
    assert complete(model, "[Cluster / Da").line == "[Cluster / Data tier]"
    assert complete(model, "[in").line == "[internet]"
    # a component name is not offered where a boundary goes, nor the other way round
    assert complete(model, "X [Cu").line == "X [Cu"
    assert complete(model, "X > Clu").line == "X > Clu"


def test_nothing_is_completed_in_facts_kinds_quotes_or_without_a_match() -> None:
    model = _model()
    for line in ("Customer > API gateway : ht", "Ledger (sto", 'A > B : "Cu', "Zebra", "", "A > "):
        assert complete(model, line).line == line, line
        assert suggestion(model, line) is None, line


def test_a_finished_name_suggests_nothing_and_the_suggestion_is_what_tab_gives() -> None:
    model = _model()
    assert suggestion(model, "Customer") is None
    assert suggestion(model, "Customer > Refund s") == "Customer > Refund service"
    assert suggestion(model, "Customer > Refund") == "Customer > Refund "
