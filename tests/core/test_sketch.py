"""Sketch lines: each builds exactly what it says, reports problems with their columns, and
changes nothing when it has one."""

from __future__ import annotations

import pytest

from stride_tui.core.editing.sketch import SketchError, apply_sketch, guess_kind
from stride_tui.core.files.loader import parse_model
from stride_tui.core.files.storage import dump_model
from stride_tui.core.model.elements import ModelMeta, ThreatModel


def empty() -> ThreatModel:
    return ThreatModel(model=ModelMeta(title="Refund"))


def sketch(*lines: str) -> ThreatModel:
    model = empty()
    for line in lines:
        model = apply_sketch(model, line).model
    parse_model(dump_model(model).encode(), "sketch.toml")  # what a sketch builds is a valid file
    return model


REFUND = (
    "[Internet] Customer",
    "[Cluster] API gateway, Refund service, Payments service, Refund events queue",
    "[Cluster / Data tier] Ledger DB, Audit log",
    "Customer > API gateway > Refund service : https, jwt",
    "Refund service > Refund events queue > Payments service : kafka, unsigned",
    "Refund service > Ledger DB : postgres, tls",
    "Refund service > Audit log",
)


def test_the_refund_feature_in_seven_lines() -> None:
    model = sketch(*REFUND)
    assert {cid: (c.kind, c.boundary) for cid, c in model.components.items()} == {
        "customer": ("external_entity", "internet"),
        "api-gateway": ("process", "cluster"),
        "refund-service": ("process", "cluster"),
        "payments-service": ("process", "cluster"),
        "refund-events-queue": ("data_store", "cluster"),
        "ledger-db": ("data_store", "data-tier"),
        "audit-log": ("data_store", "data-tier"),
    }
    assert model.boundaries["internet"].internet is True
    assert model.boundaries["data-tier"].parent == "cluster"
    assert model.components["refund-events-queue"].is_queue is True  # type: ignore[union-attr]
    assert model.components["audit-log"].is_log is True  # type: ignore[union-attr]
    assert [(f.source, f.target) for f in model.flows.values()] == [
        ("customer", "api-gateway"),
        ("api-gateway", "refund-service"),
        ("refund-service", "refund-events-queue"),
        ("refund-events-queue", "payments-service"),
        ("refund-service", "ledger-db"),
        ("refund-service", "audit-log"),
    ]
    edge = model.flows["customer-to-api-gateway"]
    assert (edge.protocol, edge.encrypted, edge.authentication) == ("https", True, "jwt")
    queue = model.flows["refund-service-to-refund-events-queue"]
    assert (queue.protocol, queue.signed, queue.encrypted) == ("kafka", False, None)
    ledger = model.flows["refund-service-to-ledger-db"]
    assert (ledger.protocol, ledger.encrypted) == ("postgres", True)  # tls encrypts, postgres stays the protocol
    assert model.flows["refund-service-to-audit-log"].protocol is None  # no fact typed: unknown


def test_names_find_what_exists_and_facts_update_it() -> None:
    model = sketch("Checkout API > Orders DB", "checkout api > orders db : mtls, confidential")
    assert len(model.flows) == 1
    flow = model.flows["checkout-api-to-orders-db"]
    assert (flow.authentication, flow.encrypted, flow.classification) == ("mtls", True, "confidential")


def test_component_facts_kinds_and_negation() -> None:
    model = sketch(
        "Refund service : privileged, no audit log, not rate limited",
        "Ledger (store) : encrypted at rest, restricted",
        "Back office (user) : trusted",
    )
    refund = model.components["refund-service"]
    assert (refund.privileged, refund.audit_log, refund.rate_limited) == (True, False, False)  # type: ignore[union-attr]
    ledger = model.components["ledger"]
    assert ledger.kind == "data_store"
    assert (ledger.encrypted_at_rest, ledger.classification) == (True, "restricted")  # type: ignore[union-attr]
    assert model.components["back-office"].kind == "external_entity"


def test_a_component_moves_into_the_boundary_it_is_given() -> None:
    model = sketch("Worker", "Worker [Cluster]")
    assert model.components["worker"].boundary == "cluster"
    result = apply_sketch(model, "[Outer / Cluster]")
    assert result.model.boundaries["cluster"].parent == "outer"
    assert "moved boundary Cluster into Outer" in result.changes


@pytest.mark.parametrize(
    ("name", "kind", "facts"),
    [
        ("Customer", "external_entity", {}),
        ("Shopper browser", "external_entity", {}),
        ("User service", "process", {}),
        ("API gateway", "process", {"forwards": True}),
        ("Edge load balancer", "process", {"forwards": True}),
        ("Ledger DB", "data_store", {}),
        ("Refund events queue", "data_store", {"is_queue": True}),
        ("Audit log", "data_store", {"is_log": True}),
        ("Kafka", "data_store", {"is_queue": True}),
        ("Fraud scorer", "process", {}),
    ],
)
def test_guessed_kinds(name: str, kind: str, facts: dict) -> None:
    assert guess_kind(name) == (kind, facts)


def test_a_guess_is_said_and_a_marker_is_not_a_guess() -> None:
    guessed = apply_sketch(empty(), "Ledger DB")
    assert guessed.changes == ["added data store Ledger DB (kind guessed from its name)"] and guessed.notes
    chosen = apply_sketch(empty(), "Ledger DB (process)")
    assert chosen.changes == ["added process Ledger DB"] and not chosen.notes
    assert chosen.label == "sketch: added process Ledger DB"


@pytest.mark.parametrize(
    ("line", "message", "at"),
    [
        ("A > B : htps", "'htps' is not a fact of a flow (did you mean 'https'?)", "htps"),
        ("A > B : https,, jwt", "empty fact between commas", ","),
        ("A >  > B", "expected a name", " "),
        ("Foo (thing)", "unknown kind (thing)", "thing"),
        ("A > A", "a flow needs two different ends", "A > A"),
        ("Refund : flies", "'flies' is not a fact of this component", "flies"),
        ("[] A", "a boundary needs a name", "[]"),
        ("[Cluster A, B", "'[' without its ']'", "[Cluster A, B"),
        ("A > Cluster] B", "']' without its '['", "]"),
        ("[Cluster [Inner] A", "'[' without its ']'", "[Cluster [Inner] A"),
        ("[+Data tier] Ledger DB", "[+Data tier] nests in the boundary named before it", "[+Data tier]"),
        ("[Cluster] A > [+] B", "a boundary needs a name", "[+]"),
        ("A > [Cluster] > B", "expected a name after [Cluster]", "[Cluster]"),
        ("[Cluster] A [Data tier] > B", "A is given two boundaries", "[Cluster] A [Data tier]"),
        ("[Cluster] : privileged", "facts go on components and flows", "privileged"),
        ("A > B : https : jwt", "one ':' per line", ":"),
        ("Ctl\x1bName > B", "contains control character U+001B", "Ctl\x1bName"),
        ("[Zone\x07] A", "contains control character U+0007", "[Zone\x07]"),
        ("   ", "type a sketch", ""),
    ],
)
def test_problems_name_the_text_at_fault_and_change_nothing(line: str, message: str, at: str) -> None:
    model = sketch("Existing")
    with pytest.raises(SketchError) as caught:
        apply_sketch(model, line)
    error = caught.value
    assert message in error.message
    assert line[error.start : error.end].strip() == at.strip()
    assert str(error).startswith(f"column {error.start + 1}: ")
    assert model.components.keys() == {"existing"}  # the model given is never changed


def test_a_line_that_changes_nothing_says_so() -> None:
    model = sketch("A > B")
    with pytest.raises(SketchError, match="nothing to change"):
        apply_sketch(model, "A > B")


def test_a_kind_marker_never_changes_an_existing_kind() -> None:
    model = sketch("Ledger (store)")
    with pytest.raises(SketchError, match="already a data store"):
        apply_sketch(model, "Ledger (process) > Other")


def test_ratings_and_forwarding_are_sketch_facts() -> None:
    model = sketch("Customer > Refunds : https, high integrity")
    flow = next(iter(model.flows.values()))
    assert flow.integrity == "high" and flow.encrypted is True
    model = apply_sketch(model, "Refunds : privileged, low availability, not forwards").model
    refunds = next(c for c in model.components.values() if c.name == "Refunds")
    assert (refunds.privileged, refunds.availability, refunds.forwards) == (True, "low", False)


def test_a_step_may_name_several_components() -> None:
    model = sketch(
        "[Cluster] Refund service",
        "Refund service > Payments service, Refund events queue, Ledger DB, Audit log : tls",
    )
    refund = next(cid for cid, c in model.components.items() if c.name == "Refund service")
    targets = {model.components[f.target].name for f in model.flows.values() if f.source == refund}
    assert targets == {"Payments service", "Refund events queue", "Ledger DB", "Audit log"}
    assert all(f.encrypted is True for f in model.flows.values())  # the facts go on every flow of the line
    fanned_in = sketch("Customer, Partner > API gateway")
    assert len(fanned_in.flows) == 2 and len(fanned_in.components) == 3


def test_a_list_without_a_chain_adds_the_components() -> None:
    model = sketch("Ledger DB, Audit log")
    assert sorted(c.name for c in model.components.values()) == ["Audit log", "Ledger DB"]
    assert not model.flows


def test_a_fan_out_to_itself_is_refused_with_its_columns() -> None:
    with pytest.raises(SketchError) as caught:
        sketch("Refund service > Ledger DB, Refund service")
    assert "two different ends" in caught.value.message and caught.value.start == 0


PLACED = (
    "[Internet]Customer>[Cluster]API gateway>Refund service>Payments service,Refund events queue,"
    "[+Data tier]Ledger DB,Audit log"
)
"""The refund feature in one line: each name typed once, placed as the chain goes."""


def test_the_refund_feature_in_one_placed_chain() -> None:
    result = apply_sketch(empty(), PLACED)
    model = result.model
    parse_model(dump_model(model).encode(), "sketch.toml")
    assert {cid: (c.name, c.kind, c.boundary) for cid, c in model.components.items()} == {
        "customer": ("Customer", "external_entity", "internet"),
        "api-gateway": ("API gateway", "process", "cluster"),
        "refund-service": ("Refund service", "process", "cluster"),
        "payments-service": ("Payments service", "process", "cluster"),
        "refund-events-queue": ("Refund events queue", "data_store", "cluster"),
        "ledger-db": ("Ledger DB", "data_store", "data-tier"),
        "audit-log": ("Audit log", "data_store", "data-tier"),
    }
    assert {bid: (b.name, b.parent) for bid, b in model.boundaries.items()} == {
        "internet": ("Internet", None),
        "cluster": ("Cluster", None),
        "data-tier": ("Data tier", "cluster"),
    }
    assert model.boundaries["internet"].internet is True
    assert {(f.source, f.target) for f in model.flows.values()} == {
        ("customer", "api-gateway"),
        ("api-gateway", "refund-service"),
        ("refund-service", "payments-service"),
        ("refund-service", "refund-events-queue"),
        ("refund-service", "ledger-db"),
        ("refund-service", "audit-log"),
    }
    assert "added boundary Data tier in Cluster" in result.changes
    assert "added data store Ledger DB in Data tier (kind guessed from its name)" in result.changes
    assert result.label.startswith("sketch: added boundary Internet; ")  # one undoable edit for all of it


def test_spaces_around_the_placing_brackets_are_optional() -> None:
    spaced = apply_sketch(empty(), PLACED.replace(">", " > ").replace("]", "] ").replace(",", ", ")).model
    assert spaced == apply_sketch(empty(), PLACED).model


def test_a_placing_bracket_moves_its_list_but_never_a_later_existing_name() -> None:
    model = sketch("[Cluster] Refund service > [+Data tier] Ledger DB", "Worker")
    # Fraud scorer is new (in Cluster), Ledger DB stays in the Data tier, Worker (outside) stays outside
    result = apply_sketch(model, "[Cluster] Fraud scorer > Ledger DB, Worker")
    placed = {c.name: c.boundary for c in result.model.components.values()}
    assert placed == {"Refund service": "cluster", "Ledger DB": "data-tier", "Worker": None, "Fraud scorer": "cluster"}
    assert not [change for change in result.changes if change.startswith("moved")]
    # in the list the bracket begins, an existing name is moved: "[Cluster] A, B" makes them members
    moved = apply_sketch(model, "[Cluster] Worker, Ledger DB")
    assert {c.name: c.boundary for c in moved.model.components.values()}["Worker"] == "cluster"
    assert moved.changes == ["moved Worker into Cluster", "moved Ledger DB into Cluster"]


def test_a_bracket_after_a_name_places_only_that_name() -> None:
    model = sketch("[Cluster] API > Cache [Edge] > Worker > [Partner] Bank, Acquirer > Card network [+Scheme]")
    placed = {c.name: c.boundary for c in model.components.values()}
    assert placed == {
        "API": "cluster",
        "Cache": "edge",  # its own bracket; the line stays in Cluster
        "Worker": "cluster",
        "Bank": "partner",
        "Acquirer": "partner",
        "Card network": "scheme",  # "+": inside the boundary in force there
    }
    assert model.boundaries["scheme"].parent == "partner" and model.boundaries["edge"].parent is None


def test_nesting_with_a_plus_or_a_path_moves_an_existing_boundary() -> None:
    model = sketch("[Data tier] Ledger DB", "[Cluster] API")
    result = apply_sketch(model, "[Cluster] Worker > [+Data tier] Ledger DB")
    assert result.model.boundaries["data-tier"].parent == "cluster"
    assert "moved boundary Data tier into Cluster" in result.changes
    nested = sketch("[Cluster / Data tier]", "[Cluster] A > [+Data tier / Backups] B")
    assert nested.boundaries["backups"].parent == "data-tier"
    assert nested.components["b"].boundary == "backups"


def test_a_placed_list_takes_component_facts() -> None:
    model = sketch("[Cluster] Refund service, Payments service : privileged, rate limited")
    for component in model.components.values():
        assert (component.boundary, component.privileged, component.rate_limited) == ("cluster", True, True)  # type: ignore[union-attr]


def test_a_boundary_cycle_is_refused_in_place() -> None:
    model = sketch("[Cluster / Data tier]")
    with pytest.raises(SketchError) as caught:
        apply_sketch(model, "[Data tier] A > [+Cluster] B")
    assert "[Data tier] A > [+Cluster] B"[caught.value.start : caught.value.end] == "[+Cluster]"


def test_a_new_flow_says_the_facts_it_was_given() -> None:
    result = apply_sketch(empty(), "Browser (user) > API (process) : https, session")
    assert result.changes[-1] == (
        'added flow browser-to-api with protocol = "https", encrypted = true, authentication = "session"'
    )
    plain = apply_sketch(empty(), "Browser (user) > API (process)")
    assert plain.changes[-1] == "added flow browser-to-api"
