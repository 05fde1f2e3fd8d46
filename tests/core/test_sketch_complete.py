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


def test_names_typed_earlier_in_the_line_complete_before_it_is_applied() -> None:
    empty = ThreatModel(model=ModelMeta(title="New"))
    assert complete(empty, "Fraud scorer > Ledger > Fr").line == "Fraud scorer > Ledger > Fraud scorer"
    assert complete(empty, "[Cluster] A > [Cl").line == "[Cluster] A > [Cluster]"
    assert complete(empty, "[Cluster] A > [Cluster / Data tier] B > [Cluster / Da").line.endswith(
        "[Cluster / Data tier]"
    )
    # a kind or a boundary is not part of the name remembered
    assert complete(empty, "Ledger (store) [Cluster] > Le").line == "Ledger (store) [Cluster] > Ledger"
    assert complete(empty, "[Cluster] A > B > [Cluster] A").line == "[Cluster] A > B > [Cluster] A"  # done


def test_the_zones_of_the_file_format_complete_a_new_boundary() -> None:
    empty = ThreatModel(model=ModelMeta(title="New"))
    assert complete(empty, "[In").line == "[Internet]"
    assert complete(empty, "[dm").line == "[dmZ]"  # what was typed stays as typed
    done = complete(empty, "[Internet] Customer > [Cl")
    assert done.line == "[Internet] Customer > [Cl" and done.candidates == ("Cloud account", "Cluster")
    assert complete(empty, "[Internet] Customer > [Clu").line == "[Internet] Customer > [Cluster]"
    assert complete(empty, "[Cluster] A > [+Na").line == "[Cluster] A > [+Namespace]"  # after the + of nesting
    assert complete(empty, "X > Clu").line == "X > Clu"  # never a zone where a component goes


def test_a_zone_the_model_has_is_offered_once_as_the_model_spells_it() -> None:
    model = apply_sketch(ThreatModel(model=ModelMeta(title="M")), "[internet] Customer").model
    assert complete(model, "[In").line == "[Internet]"[:3] + "ternet]"
    assert complete(model, "[In").candidates == ("internet",)
