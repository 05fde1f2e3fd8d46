"""Incremental screen updates: after any sequence of edits, undos and redos, each pane that was
updated element by element shows exactly what a freshly filled pane shows for the same model;
threat indexes made from the previous one equal indexes made from scratch; lazy panel rows
measure what they draw."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets.tree import TreeNode

from bench.generate import generate_model
from stride_tui.core import ThreatModel
from stride_tui.core import editing as edits
from stride_tui.core.analysis.engine import Analyzer
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.editing import EditError
from stride_tui.screens.threat_view import ThreatIndex, ThreatView
from widgets import BoundaryTree, ComponentTable, FlowTable, StridePanel, stride_panel
from widgets.boundary_tree import TreeEntry
from widgets.element_panes import ElementPanes
from widgets.model_diff import TableDiff, diff_table
from widgets.virtual_table import TableRow, VirtualTable

Edit = Callable[[ThreatModel, random.Random], ThreatModel]


def _pick(rng: random.Random, table: dict) -> str:
    return rng.choice(sorted(table))


def _rename_component(model: ThreatModel, rng: random.Random) -> ThreatModel:
    cid = _pick(rng, model.components)
    name = rng.choice(["Ledger", "[/] bold", "Zed\u202eevil", "API", None])
    return edits.put_component(model, cid, model.components[cid].model_copy(update={"name": name}), cid)


def _scope_component(model: ThreatModel, rng: random.Random) -> ThreatModel:
    cid = _pick(rng, model.components)
    component = model.components[cid]
    return edits.put_component(
        model, cid, component.model_copy(update={"out_of_scope": not component.out_of_scope}), cid
    )


def _move_component(model: ThreatModel, rng: random.Random) -> ThreatModel:
    cid = _pick(rng, model.components)
    where = rng.choice([None, *sorted(model.boundaries)])
    return edits.put_component(model, cid, model.components[cid].model_copy(update={"boundary": where}), cid)


def _add_component(model: ThreatModel, rng: random.Random) -> ThreatModel:
    template = model.components[_pick(rng, model.components)]
    new_id = f"new-{rng.randrange(10_000)}"
    return edits.put_component(model, new_id, template.model_copy(update={"name": f"New {new_id}"}))


def _delete_component(model: ThreatModel, rng: random.Random) -> ThreatModel:
    return edits.delete(model, "components", _pick(rng, model.components))


def _rename_id(model: ThreatModel, rng: random.Random) -> ThreatModel:
    section = rng.choice(["components", "flows", "boundaries"])
    table = getattr(model, section)
    return edits.rename_id(model, _pick(rng, table), f"renamed-{rng.randrange(10_000)}") if table else model


def _add_flow(model: ThreatModel, rng: random.Random) -> ThreatModel:
    template = model.flows[_pick(rng, model.flows)]
    source, target = rng.sample(sorted(model.components), 2)
    flow = template.model_copy(update={"source": source, "target": target})
    return edits.put_flow(model, f"flow-{rng.randrange(10_000)}", flow)


def _edit_flow(model: ThreatModel, rng: random.Random) -> ThreatModel:
    fid = _pick(rng, model.flows)
    flow = model.flows[fid]
    update = rng.choice([{"protocol": rng.choice(["https", "x" * 90, None])}, {"out_of_scope": not flow.out_of_scope}])
    return edits.put_flow(model, fid, flow.model_copy(update=update), fid)


def _delete_flow(model: ThreatModel, rng: random.Random) -> ThreatModel:
    return edits.delete(model, "flows", _pick(rng, model.flows))


def _rename_boundary(model: ThreatModel, rng: random.Random) -> ThreatModel:
    bid = _pick(rng, model.boundaries)
    name = rng.choice(["DMZ", "Zone [b]x[/b]", None])
    return edits.put_boundary(model, bid, model.boundaries[bid].model_copy(update={"name": name}), bid)


def _nest_boundary(model: ThreatModel, rng: random.Random) -> ThreatModel:
    bid = _pick(rng, model.boundaries)
    parent = rng.choice([None, *sorted(model.boundaries)])
    return edits.put_boundary(model, bid, model.boundaries[bid].model_copy(update={"parent": parent}), bid)


def _add_boundary(model: ThreatModel, rng: random.Random) -> ThreatModel:
    template = model.boundaries[_pick(rng, model.boundaries)]
    return edits.put_boundary(model, f"zone-new-{rng.randrange(10_000)}", template.model_copy(update={"parent": None}))


def _delete_boundary(model: ThreatModel, rng: random.Random) -> ThreatModel:
    return edits.delete(model, "boundaries", _pick(rng, model.boundaries))


EDITS: tuple[Edit, ...] = (
    _rename_component,
    _scope_component,
    _move_component,
    _move_component,
    _add_component,
    _delete_component,
    _rename_id,
    _add_flow,
    _edit_flow,
    _delete_flow,
    _rename_boundary,
    _nest_boundary,
    _add_boundary,
    _delete_boundary,
)


def edit_sequence(model: ThreatModel, seed: int, steps: int) -> list[ThreatModel]:
    """The models an editing session goes through: random edits, with undo and redo (a jump
    back or forward through the models seen so far)."""
    rng = random.Random(seed)
    seen, position, shown = [model], 0, [model]
    while len(shown) < steps:
        roll = rng.random()
        if roll < 0.15 and position > 0:
            position -= 1  # undo
        elif roll < 0.25 and position < len(seen) - 1:
            position += 1  # redo
        else:
            try:
                new = rng.choice(EDITS)(seen[position], rng)
            except (EditError, ValueError, IndexError):
                continue
            del seen[position + 1 :]
            seen.append(new)
            position += 1
        shown.append(seen[position])
    return shown


def table_state(table: VirtualTable) -> tuple[object, ...]:
    rows = tuple(
        (row.key, row.heading, tuple((cell.plain, str(cell.style), tuple(cell.spans)) for cell in row.cells))
        for row in table.rows
    )
    return rows, str(table.border_title), tuple(table._natural)


def tree_state(tree: BoundaryTree) -> tuple[object, ...]:
    lines: list[object] = []

    def walk(node: TreeNode[TreeEntry], depth: int) -> None:
        for child in node.children:
            label = child.label
            assert isinstance(label, Text)
            lines.append((depth, child.data, label.plain, tuple(label.spans), str(label.style), child.allow_expand))
            walk(child, depth + 1)

    walk(tree.root, 0)
    return tuple(lines), str(tree.border_title)


def pane_states(panes: ElementPanes) -> dict[str, tuple[object, ...]]:
    return {
        "components": table_state(panes.query_one(ComponentTable)),
        "flows": table_state(panes.query_one(FlowTable)),
        "boundaries": tree_state(panes.query_one(BoundaryTree)),
    }


class PanesApp(App[None]):
    def compose(self) -> ComposeResult:
        with Vertical(id="holder"):
            yield ElementPanes(id="incremental")


def test_incrementally_updated_panes_show_what_a_fresh_fill_shows() -> None:
    models = edit_sequence(generate_model(40, 80, 8), seed=16, steps=90)
    assert len({id(m) for m in models}) > 60  # mostly real edits, some undos and redos

    async def main() -> None:
        app = PanesApp()
        async with app.run_test(size=(120, 60)) as pilot:
            panes = app.query_one("#incremental", ElementPanes)
            for step, model in enumerate(models):
                panes.show(model)
                fresh = ElementPanes()
                await app.query_one("#holder").mount(fresh)
                fresh.show(model)
                await pilot.pause()
                assert pane_states(panes) == pane_states(fresh), f"step {step}"
                await fresh.remove()

    asyncio.run(main())


def test_an_incremental_update_makes_rows_only_for_what_changed() -> None:
    model = generate_model(60, 120, 6)
    edited = edits.put_component(model, "c3", model.components["c3"].model_copy(update={"name": "Renamed"}), "c3")

    async def main() -> None:
        app = PanesApp()
        async with app.run_test(size=(120, 60)):
            panes = app.query_one("#incremental", ElementPanes)
            panes.show(model)
            components, flows = panes.query_one(ComponentTable), panes.query_one(FlowTable)
            tree = panes.query_one(BoundaryTree)
            before_rows = {row.key: row for row in components.rows}
            before_flows = list(flows.rows)
            before_nodes = dict(tree._entry_nodes)
            panes.show(edited)
            assert [k for k, row in ((r.key, r) for r in components.rows) if row is not before_rows[k]] == ["c3"]
            assert components.get_row("c3")[2].plain == "Renamed"
            assert all(a is b for a, b in zip(flows.rows, before_flows, strict=True))  # flows untouched
            assert tree._entry_nodes == before_nodes  # the same nodes, one relabelled
            assert tree._entry_nodes[TreeEntry("component", "c3")].label.plain.startswith("Renamed")  # type: ignore[union-attr]

    asyncio.run(main())


def test_threat_indexes_made_from_the_previous_one_equal_fresh_ones() -> None:
    models = edit_sequence(generate_model(30, 60, 5), seed=7, steps=40)
    analyzer = Analyzer(builtin_rules())
    previous: ThreatIndex | None = None
    last_findings: dict[str, tuple[object, ...]] = {}
    incremental_steps = 0
    for model in models:
        analysis = analyzer.analyse(model)
        by_element: dict[str, tuple[object, ...]] = {}
        for finding in analysis.findings:
            by_element[finding.element_id] = (*by_element.get(finding.element_id, ()), finding)
        if getattr(analysis, "changed", None) is None and previous is not None:
            # an analyzer that does not say what changed yet: say it from the findings
            changed = {e for e in by_element.keys() | last_findings.keys() if by_element.get(e) != last_findings.get(e)}
            analysis.changed = frozenset(changed)  # type: ignore[attr-defined]
        last_findings = by_element
        index = ThreatIndex(analysis, previous)
        fresh = ThreatIndex(analysis)
        incremental_steps += previous is not None and analysis.changed is not None  # type: ignore[attr-defined]
        assert index.threats == fresh.threats
        assert index.by_id == fresh.by_id
        assert index._by_element == fresh._by_element
        for kind, element_id in [(None, ""), ("outside", ""), *(("boundary", b) for b in model.boundaries)]:
            assert index.view(kind, element_id) == fresh.view(kind, element_id)
        previous = index
    assert incremental_steps == len(models) - 1


class PanelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StridePanel(id="stride")


def test_lazy_panel_rows_measure_what_they_draw() -> None:
    model = generate_model(30, 60, 5)
    analysis = Analyzer(builtin_rules()).analyse(model)
    view = ThreatIndex(analysis).view(None)
    assert len(view.threats) > 50

    async def main() -> None:
        app = PanelApp()
        async with app.run_test(size=(120, 40)) as pilot:
            panel = app.query_one(StridePanel)
            for show_element in (True, False):
                panel.show(view.threats, Text("whole model"), questions=view.questions, show_element=show_element)
                await pilot.pause()
                rows = [row for row in panel.table.rows if not row.heading]
                assert any(row.key.startswith("?") for row in rows)  # questions too
                built = sum(row._cells is not None for row in rows)
                assert built < 60  # only what was drawn (a screenful and a little) has cells
                for row in rows:
                    assert row.widths == tuple(cell.cell_len for cell in row.cells), row.key

    asyncio.run(main())


def test_a_view_shown_again_is_laid_out_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stride_panel, "_KEEP_LAID_OUT", 10)
    model = generate_model(30, 60, 5)
    index = ThreatIndex(Analyzer(builtin_rules()).analyse(model))
    whole, one = index.view(None), index.view("component", "c1")

    async def main() -> None:
        app = PanelApp()
        async with app.run_test(size=(120, 40)) as pilot:
            panel = app.query_one(StridePanel)

            def show(view: ThreatView) -> list[TableRow]:
                panel.show(view.threats, Text("x"), questions=view.questions)
                return list(panel.table.rows)

            first = show(whole)
            show(one)
            again = show(whole)
            assert all(a is b for a, b in zip(first, again, strict=True))  # the very rows
            panel.status_filter = "mitigated"
            await pilot.pause()
            filtered = list(panel.table.rows)
            assert len(filtered) < len(first)
            panel.status_filter = "all"
            await pilot.pause()
            assert [r.key for r in panel.table.rows] == [r.key for r in first]
            fresh = StridePanel()
            await app.mount(fresh)
            fresh.show(whole.threats, Text("x"), questions=whole.questions)
            assert table_state(panel.table) == table_state(fresh.table)

    asyncio.run(main())


def test_a_table_diff_names_the_entries_an_edit_replaced_and_whether_the_rows_move() -> None:
    a, b, c = object(), object(), object()
    old = {"a": a, "b": b}
    assert diff_table(old, old) == TableDiff(frozenset(), False)
    assert diff_table(old, {"a": a, "b": b}) == TableDiff(frozenset(), False)  # a copy, nothing replaced
    assert diff_table(old, {"a": a, "b": c}) == TableDiff(frozenset({"b"}), False)
    assert diff_table(old, {"a": a, "b": b, "c": c}) == TableDiff(frozenset({"c"}), True)  # added
    assert diff_table(old, {"a": a}) == TableDiff(frozenset({"b"}), True)  # removed
    assert diff_table(old, {"a": a, "z": b}) == TableDiff(frozenset({"b", "z"}), True)  # renamed in place
    assert diff_table(old, {"z": b, "a": a}) == TableDiff(frozenset({"b", "z"}), True)
