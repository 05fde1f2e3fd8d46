"""Pure model edits (``core.edits``) and undo history (``core.history``): values in, values out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stride_tui.core import editing as edits
from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.editing import GENERAL, EditError
from stride_tui.core.editing.history import History
from stride_tui.core.files.loader import load_model, parse_model
from stride_tui.core.files.storage import dump_model
from stride_tui.core.model.elements import Boundary, ModelMeta, ThreatModel

from ..shared import MINIMAL, SAMPLES


@pytest.fixture(scope="module")
def checkout() -> ThreatModel:
    return load_model(SAMPLES / "checkout.toml").model


def minimal() -> ThreatModel:
    return parse_model(MINIMAL.encode()).model


def reloads(model: ThreatModel) -> ThreatModel:
    """The model survives a save and a strict reload (schema and references)."""
    again = parse_model(dump_model(model).encode()).model
    assert again == model
    return again


def component(**values) -> object:
    return edits.build_component({"kind": "process", **values})


# -------------------------------------------------------------------------------- ids


def test_propose_id_slugs_names_and_keeps_ids_unique_across_sections() -> None:
    model = minimal()
    assert edits.propose_id(model, "Checkout API (v2)", "components") == "checkout-api-v2"
    assert edits.propose_id(model, "API", "components") == "api-2"
    assert edits.propose_id(model, "User to API", "flows") == "user-to-api-2"
    assert edits.propose_id(model, "Internet", "boundaries") == "internet-2"
    assert edits.propose_id(model, "API", "components", current="api") == "api"
    assert edits.propose_id(model, "", "components") == "component"
    assert edits.propose_id(model, "42 ☃", "flows") == "flow"
    assert edits.propose_id(model, "API", "threats") == "api"  # threats have their own ids


def test_bad_and_taken_ids_are_field_errors() -> None:
    model = minimal()
    assert "starting with a letter" in edits.component_errors(model, "9lives", component())["id"]
    assert "`checkout-api`" in edits.component_errors(model, "Checkout API", component())["id"]
    assert edits.component_errors(model, "user-to-api", component())["id"] == (
        "`user-to-api` is already the id of a flow"
    )
    assert edits.component_errors(model, "", component())["id"] == "required"
    assert edits.component_errors(model, "api", component(), old_id="api") == {}


# --------------------------------------------------------------------------- building


def test_build_component_reports_each_field() -> None:
    with pytest.raises(EditError) as caught:
        edits.build_component({"kind": "process", "name": "two\nlines", "technology": "x" * 201})
    assert set(caught.value.errors) == {"name", "technology"}
    assert "one line" in caught.value.errors["name"]
    assert "too long" in caught.value.errors["technology"]
    with pytest.raises(EditError) as caught:
        edits.build_component({"name": "no kind"})
    assert set(caught.value.errors) == {"kind"}


def test_blank_values_mean_unknown_and_other_kinds_facts_are_dropped() -> None:
    built = edits.build_component(
        {
            "kind": "data_store",
            "name": "DB",
            "technology": "  ",
            "tags": ["", "pci"],
            "is_log": None,
            "encrypted_at_rest": False,
            "audit_log": True,
        }
    )
    assert built.technology is None and built.tags == ["pci"] and built.is_log is None
    assert built.encrypted_at_rest is False
    assert not hasattr(built, "audit_log")  # a process fact left over from a kind change


def test_control_characters_are_refused_at_the_field() -> None:
    with pytest.raises(EditError) as caught:
        edits.build_flow({"from": "a", "to": "b", "protocol": "x\x1b]0;PWNED\x07"})
    assert "control character" in caught.value.errors["protocol"]


def test_required_keys_say_required() -> None:
    with pytest.raises(EditError) as caught:
        edits.build_threat({"category": "spoofing", "target": "api"})
    assert caught.value.errors == {"title": "required"}
    with pytest.raises(EditError) as caught:
        edits.build_meta({"title": "   "})
    assert caught.value.errors == {"title": "required"}


# ------------------------------------------------------------------------ putting things


def test_add_component_appends_and_never_mutates_the_given_model() -> None:
    model = minimal()
    before = dump_model(model)
    new = edits.put_component(model, "db", edits.build_component({"kind": "data_store", "name": "DB"}))
    assert dump_model(model) == before
    assert list(new.components) == ["user", "api", "db"]
    reloads(new)


def test_unknown_references_are_refused() -> None:
    model = minimal()
    with pytest.raises(EditError) as caught:
        edits.put_component(model, "db", component(boundary="nowhere"))
    assert caught.value.errors == {"boundary": "no boundary `nowhere`"}
    flow = edits.build_flow({"from": "api", "to": "ghost"})
    assert edits.flow_errors(model, "f", flow) == {"to": "no component `ghost`"}
    loop = edits.build_flow({"from": "api", "to": "api"})
    assert "itself" in edits.flow_errors(model, "f", loop)["to"]
    threat = edits.build_threat({"title": "t", "category": "spoofing", "target": "internet"})
    assert edits.threat_errors(model, "t", threat) == {"target": "no component or flow `internet`"}
    with pytest.raises(EditError) as caught:
        edits.put_flow(model, "f", loop, old_id="nope")
    assert GENERAL in caught.value.errors


def test_boundary_nesting_refuses_cycles_self_parents_and_depth() -> None:
    model = minimal()
    model = edits.put_boundary(model, "cluster", Boundary(name="Cluster"))
    model = edits.put_boundary(model, "ns", Boundary(parent="cluster"))
    assert edits.boundary_errors(model, "cluster", Boundary(parent="cluster"), "cluster") == {
        "parent": "a boundary cannot be its own parent"
    }
    cycle = edits.boundary_errors(model, "cluster", Boundary(parent="ns"), "cluster")
    assert cycle["parent"] == "that would nest boundaries in a cycle: cluster → ns → cluster"
    # renaming while picking a descendant as parent is still a cycle
    assert "cycle" in edits.boundary_errors(model, "k8s", Boundary(parent="ns"), "cluster")["parent"]
    deep = minimal()
    deep = edits.put_boundary(deep, "b0", Boundary())
    for i in range(1, 32):
        deep = edits.put_boundary(deep, f"b{i}", Boundary(parent=f"b{i - 1}"))
    assert "at most 32" in edits.boundary_errors(deep, "b32", Boundary(parent="b31"))["parent"]
    # moving the top of a 32-deep chain under another boundary makes it too deep as well
    assert "33 deep" in edits.boundary_errors(deep, "b0", Boundary(parent="internet"), "b0")["parent"]
    reloads(deep)


def test_edit_in_place_keeps_the_table_order(checkout: ThreatModel) -> None:
    api = checkout.components["checkout-service"].model_copy(update={"audit_log": True})
    new = edits.put_component(checkout, "checkout-service", api, old_id="checkout-service")
    assert list(new.components) == list(checkout.components)
    assert new.components["checkout-service"].audit_log is True
    assert checkout.components["checkout-service"].audit_log is False


def test_set_meta_requires_a_title_and_keeps_rule_files() -> None:
    model = minimal().model_copy(update={"model": ModelMeta(title="T", rule_files=["r.toml"])})
    meta = edits.build_meta({"title": "New", "owner": "squad", "rule_files": model.model.rule_files})
    new = edits.set_meta(model, meta)
    assert new.model.title == "New" and new.model.rule_files == ["r.toml"]
    with pytest.raises(EditError) as caught:
        edits.build_meta({"title": " "})
    assert caught.value.errors == {"title": "required"}
    for invisible in ("\u200b", "\u202e \u2066"):  # a title must show something
        with pytest.raises(EditError) as caught:
            edits.build_meta({"title": invisible})
        assert caught.value.errors["title"].endswith(
            "needs visible text: blanks and invisible characters alone are not a name"
        )


# --------------------------------------------------------------------------- renaming


def test_renaming_a_component_updates_every_reference(checkout: ThreatModel) -> None:
    refs = edits.references_to(checkout, "checkout-service")
    assert "flows.checkout-to-payment.from" in refs and "flows.gateway-to-checkout.to" in refs
    renamed = edits.rename_id(checkout, "checkout-service", "checkout")
    assert list(renamed.components).index("checkout") == list(checkout.components).index("checkout-service")
    assert "checkout-service" not in renamed.components
    for flow in renamed.flows.values():
        assert "checkout-service" not in (flow.source, flow.target)
    assert renamed.flows["checkout-to-payment"].source == "checkout"
    assert renamed.flows["gateway-to-checkout"].target == "checkout"
    reloads(renamed)
    assert checkout.flows["checkout-to-payment"].source == "checkout-service"


def test_renaming_a_flow_moves_its_decisions_and_threats(checkout: ThreatModel) -> None:
    renamed = edits.rename_id(checkout, "checkout-to-order", "create-order")
    key = "flow-unencrypted-crossing@create-order"
    assert key in renamed.decisions
    assert list(renamed.decisions).index(key) == 1  # same place in the file
    renamed = edits.rename_id(renamed, "customer-to-psp", "card-entry")
    assert renamed.threats["card-skimming"].target == "card-entry"
    reloads(renamed)
    findings = {f.id: f for f in analyse(renamed, builtin_rules()).findings}
    assert findings[key].status == "accepted"  # the decision still applies
    assert findings["card-skimming"].element_id == "card-entry"


def test_renaming_a_boundary_updates_members_and_children(checkout: ThreatModel) -> None:
    renamed = edits.rename_id(checkout, "prod-cluster", "eks")
    assert renamed.boundaries["payments-ns"].parent == "eks"
    assert renamed.components["checkout-service"].boundary == "eks"
    assert list(renamed.boundaries).index("eks") == list(checkout.boundaries).index("prod-cluster")
    reloads(renamed)


def test_put_with_a_new_id_is_a_rename(checkout: ThreatModel) -> None:
    vault = checkout.components["vault"].model_copy(update={"name": "Vault"})
    new = edits.put_component(checkout, "vault-2", vault, old_id="vault")
    assert new.components["vault-2"].name == "Vault"
    assert new.flows["payment-to-vault"].target == "vault-2"
    threat = checkout.threats["webhook-replay"]
    new = edits.put_threat(new, "replay", threat, old_id="webhook-replay")
    assert list(new.threats) == ["card-skimming", "replay"]
    reloads(new)


def test_rename_refuses_taken_ids_and_orphan_decisions() -> None:
    model = minimal()
    with pytest.raises(EditError) as caught:
        edits.rename_id(model, "api", "user")
    assert caught.value.errors["id"] == "`user` is already the id of a component"
    orphan = edits.set_decision(model, "some-rule@gone", "accepted", note="old")
    with pytest.raises(EditError) as caught:
        edits.rename_id(orphan, "api", "gone")
    assert "delete them first" in caught.value.errors["id"]
    assert edits.propose_id(orphan, "gone", "components") == "gone-2"
    with pytest.raises(EditError):
        edits.rename_id(model, "ghost", "x")
    assert edits.rename_id(model, "api", "api") is model


# -------------------------------------------------------------------------- decisions


def test_set_decision_adds_replaces_and_clears() -> None:
    model = minimal()
    key = "flow-unencrypted-crossing@user-to-api"
    decided = edits.set_decision(model, key, "mitigated", note="TLS 1.3", ticket="SEC-1")
    assert decided.decisions[key].status == "mitigated" and decided.decisions[key].ticket == "SEC-1"
    assert model.decisions == {}
    again = edits.set_decision(decided, key, "accepted", note="", ticket=None)
    assert again.decisions[key].note is None and again.decisions[key].status == "accepted"
    assert edits.set_decision(again, key, "open").decisions == {}
    assert edits.set_decision(model, key, "open", note="keep an eye on it").decisions[key].note
    reloads(decided)


def test_set_decision_on_a_hand_written_threat_writes_the_threat(checkout: ThreatModel) -> None:
    new = edits.set_decision(checkout, "card-skimming", "mitigated", note="CSP", ticket="SEC-9")
    threat = new.threats["card-skimming"]
    assert (threat.status, threat.note, threat.ticket) == ("mitigated", "CSP", "SEC-9")
    assert new.decisions == checkout.decisions


def test_set_decision_validates_its_fields() -> None:
    model = minimal()
    with pytest.raises(EditError) as caught:
        edits.set_decision(model, "r@user", "done")
    assert "status" in caught.value.errors
    with pytest.raises(EditError) as caught:
        edits.set_decision(model, "r@user", "accepted", ticket="a\nb")
    assert "ticket" in caught.value.errors
    with pytest.raises(EditError):
        edits.set_decision(model, "Bad Key@user", "accepted")
    with pytest.raises(EditError):
        edits.set_decision(model, "no-such-threat", "accepted")


def test_delete_decision() -> None:
    model = edits.set_decision(minimal(), "r@gone", "accepted")
    assert edits.delete_decision(model, "r@gone").decisions == {}
    with pytest.raises(EditError):
        edits.delete_decision(model, "r@other")


# --------------------------------------------------------------------------- deleting


def test_deleting_a_component_takes_its_flows_threats_and_decisions(checkout: ThreatModel) -> None:
    impact = edits.delete_impact(checkout, "components", "order-service")
    assert set(impact.flows) == {
        "checkout-to-order",
        "order-to-orders-db",
        "order-to-events",
        "fulfilment-to-order",
    }
    assert impact.decisions == (
        "flow-unencrypted-crossing@checkout-to-order",
        "service-auth-static-secret@order-to-events",
        "process-no-audit-log@order-service",
    )
    lines = impact.consequences()
    assert lines[0].startswith("4 flows (its flows: checkout-to-order, ")
    assert lines[1].startswith("3 decisions (on its findings: ")
    new = edits.delete(checkout, "components", "order-service")
    assert "order-service" not in new.components
    assert not set(impact.flows) & set(new.flows)
    assert not set(impact.decisions) & set(new.decisions)
    reloads(new)
    threat_impact = edits.delete_impact(checkout, "components", "customer")
    assert threat_impact.threats == ("card-skimming",)
    reloads(edits.delete(checkout, "components", "customer"))


def test_deleting_a_boundary_moves_its_contents_up(checkout: ThreatModel) -> None:
    impact = edits.delete_impact(checkout, "boundaries", "prod-cluster")
    parent = checkout.boundaries["prod-cluster"].parent
    assert impact.new_parent == parent
    assert "payments-ns" in impact.moved_boundaries
    assert "checkout-service" in impact.moved_components
    new = edits.delete(checkout, "boundaries", "prod-cluster")
    assert new.boundaries["payments-ns"].parent == parent
    assert new.components["checkout-service"].boundary == parent
    reloads(new)
    top = edits.delete(checkout, "boundaries", "internet")
    assert top.components["customer"].boundary is None
    assert edits.delete_impact(checkout, "boundaries", "internet").consequences() == [
        "1 component (inside it: customer) will move to no boundary"
    ]


def test_deleting_flows_and_threats(checkout: ThreatModel) -> None:
    impact = edits.delete_impact(checkout, "flows", "psp-webhook")
    assert impact.threats == ("webhook-replay",) and impact.flows == ()
    new = edits.delete(checkout, "flows", "psp-webhook")
    assert "webhook-replay" not in new.threats
    new = edits.delete(new, "threats", "card-skimming")
    assert new.threats == {}
    assert edits.delete_impact(checkout, "threats", "card-skimming").consequences() == []
    reloads(new)
    with pytest.raises(EditError):
        edits.delete(checkout, "flows", "ghost")
    with pytest.raises(EditError):
        edits.delete(checkout, "decisions", "x")


# ----------------------------------------------------------------- random edit sequences


_OPS = st.lists(
    st.tuples(st.sampled_from(["add", "rename", "delete", "decide", "move"]), st.integers(0, 10_000)),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(_OPS)
def test_any_sequence_of_edits_leaves_a_valid_model(ops) -> None:
    """Each edit does what it says (checked right after it), and the model stays loadable."""
    model = load_model(SAMPLES / "checkout.toml").model
    rules = builtin_rules()
    for op, n in ops:
        sections = [s for s in ("boundaries", "components", "flows", "threats") if getattr(model, s)]
        if not sections:
            op = "add"
        else:
            section = sections[n % len(sections)]
            ids = list(getattr(model, section))
            target = ids[n % len(ids)]
        before, before_data = model, model.model_dump()
        if op == "add":
            new_id = edits.propose_id(model, f"New {n}", "components")
            model = edits.put_component(model, new_id, component(boundary=next(iter(model.boundaries), None)))
            assert new_id not in before.components and new_id in model.components
        elif op == "rename":
            new_id = edits.propose_id(model, f"r{n}", section)
            model = edits.rename_id(model, target, new_id)
            assert target not in getattr(model, section) and new_id in getattr(model, section)
            assert not edits.references_to(model, target)
        elif op == "delete":
            model = edits.delete(model, section, target)
            assert target not in getattr(model, section)
            assert not edits.references_to(model, target)
        elif op == "decide":
            findings = analyse(model, rules).findings
            if not findings:
                continue
            finding = findings[n % len(findings)]
            model = edits.set_decision(model, finding.id, "accepted", note=str(n))
            decided = model.threats[finding.id] if finding.custom else model.decisions[finding.id]
            assert decided.status == "accepted" and decided.note == str(n)
        elif op == "move" and model.boundaries:
            bids = list(model.boundaries)
            bid, parent = bids[n % len(bids)], bids[(n // 7) % len(bids)]
            if model.boundaries[bid].parent == parent:
                continue
            boundary = model.boundaries[bid].model_copy(update={"parent": parent})
            if edits.boundary_errors(model, bid, boundary, bid):
                assert bid == parent or parent in _descendants(model, bid)  # refused only for a cycle
                continue
            model = edits.put_boundary(model, bid, boundary, bid)
            assert model.boundaries[bid].parent == parent
        else:
            continue
        assert before.model_dump() == before_data  # an edit makes a new model, the old one is untouched
        assert model != before or op == "decide"  # deciding again the same way changes nothing
    reloads(model)


def _descendants(model: ThreatModel, boundary_id: str) -> set[str]:
    found, frontier = set(), {boundary_id}
    while frontier:
        frontier = {b for b, v in model.boundaries.items() if v.parent in frontier} - found
        found |= frontier
    return found


# ---------------------------------------------------------------------------- history


def test_history_undo_redo_and_dirty() -> None:
    first = minimal()
    history = History(first)
    assert not history.dirty and not history.can_undo and history.undo() is None
    second = edits.put_component(first, "db", component())
    assert history.record(second, "add component db")
    assert history.dirty and history.undo_label == "add component db"
    assert not history.record(second.model_copy(), "no change")  # equal model: nothing recorded
    assert history.undo() == "add component db"
    assert history.current is first and not history.dirty
    assert history.redo_label == "add component db"
    assert history.redo() == "add component db" and history.current is second
    history.mark_saved()
    assert not history.dirty
    assert history.undo() and history.dirty  # the file now holds `second`
    third = edits.put_component(first, "q", component())
    history.record(third, "add component q")  # forgets the undone edit
    assert not history.can_redo and history.current is third and history.dirty


def test_history_limit_and_reset() -> None:
    model = minimal()
    history = History(model, limit=3)
    for i in range(5):
        model = edits.put_component(model, f"c{i}", component())
        history.record(model, f"add c{i}")
    undone = []
    while (label := history.undo()) is not None:
        undone.append(label)
    assert undone == ["add c4", "add c3", "add c2"]
    history.reset(minimal())
    assert not history.dirty and not history.can_undo and not history.can_redo


def test_a_new_model_is_not_dirty_until_edited_but_never_saved() -> None:
    history = History(minimal(), saved=False)
    assert history.dirty
