"""The built-in diagram never draws a component inside a boundary it does not belong to.

A property test over generated models (nested boundaries, components in and out of them,
random flows) checks every drawn frame against every box, for both the layered layout and
made-up "Graphviz" positions that interleave boundaries on purpose.
"""

from __future__ import annotations

from random import Random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.model.topology import Topology
from stride_tui.core.outputs.text_diagram import TextDiagram, draw, layered_ranks

from ..shared import SAMPLES


@st.composite
def models(draw_: st.DrawFn) -> ThreatModel:
    n_boundaries = draw_(st.integers(0, 5))
    boundaries: dict[str, dict[str, object]] = {}
    for i in range(n_boundaries):
        parent = draw_(st.sampled_from([None, *boundaries]))
        boundaries[f"b{i}"] = {"name": f"Zone {i}", **({"parent": parent} if parent else {})}
    n_components = draw_(st.integers(1, 9))
    kinds = st.sampled_from(["process", "data_store", "external_entity"])
    components = {
        f"c{i}": {
            "kind": draw_(kinds),
            "name": draw_(st.sampled_from(["A", "Service", "A rather long component name"])),
            **({"boundary": b} if (b := draw_(st.sampled_from([None, *boundaries]))) else {}),
        }
        for i in range(n_components)
    }
    pairs = st.tuples(st.integers(0, n_components - 1), st.integers(0, n_components - 1))
    edges = draw_(st.lists(pairs.filter(lambda p: p[0] != p[1]), max_size=12, unique=True))
    flows = {f"f{i}": {"from": f"c{a}", "to": f"c{b}"} for i, (a, b) in enumerate(edges)}
    return ThreatModel.model_validate(
        {"stride_tui": 1, "model": {"title": "T"}, "boundaries": boundaries, "components": components, "flows": flows}
    )


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def assert_frames_hold_only_their_members(model: ThreatModel, diagram: TextDiagram) -> None:
    topology = Topology(model)
    with_members = {bid for chain in topology.component_chain.values() for bid in chain}
    assert set(diagram.frames) == with_members  # a frame for every boundary that holds a component
    for bid, (top, left, bottom, right) in diagram.frames.items():
        # the rectangle is the one drawn: its title sits on its top border, and every cell of
        # its borders is the frame's, or a flow's that runs over it (never a box's)
        assert diagram.lines[top][left + 3 :].startswith((model.boundaries[bid].name or bid)[:4]), bid
        cells = [(r, c) for r in (top, bottom) for c in range(left, right + 1)]
        cells += [(r, c) for c in (left, right) for r in range(top, bottom + 1)]
        for r, c in cells:
            assert diagram.tags[r][c] in ("frame", "flow", "crossing"), (bid, r, c)
    for cid, box in diagram.boxes.items():
        chain = set(topology.component_chain[cid])
        area = (box.row, box.col, box.row + box.height - 1, box.col + box.width - 1)
        for bid, frame in diagram.frames.items():
            inside = frame[0] < area[0] and frame[1] < area[1] and area[2] < frame[2] and area[3] < frame[3]
            if bid in chain:
                assert inside, f"{cid} is drawn outside its boundary {bid}"
            else:
                assert not _overlaps(area, frame), f"{cid} is drawn inside {bid}, which it is not in"
    for a, fa in diagram.frames.items():
        for b, fb in diagram.frames.items():
            if a < b and a not in topology.chains[b] and b not in topology.chains[a]:
                assert not _overlaps(fa, fb), f"frames {a} and {b} overlap but do not nest"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_layered_layout_frames_hold_only_their_members(model: ThreatModel) -> None:
    assert_frames_hold_only_their_members(model, draw(model))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), st.randoms(use_true_random=False))
def test_any_given_positions_are_fixed_up(model: ThreatModel, random: Random) -> None:
    # positions as Graphviz might give them, shuffled so that boundaries interleave
    ranks = {cid: (rank, random.uniform(0, 30)) for cid, (rank, _) in layered_ranks(model).items()}
    assert_frames_hold_only_their_members(model, draw(model, ranks=ranks))


def test_checkout_frames_hold_only_their_members() -> None:
    # the case: the data subnets frame was drawn around the fraud service and the queue
    model = load_model(SAMPLES / "checkout.toml").model
    diagram = draw(model)
    assert_frames_hold_only_their_members(model, diagram)
    top, left, bottom, right = diagram.frames["data-subnet"]
    fraud = diagram.boxes["fraud-service"]
    assert not (top <= fraud.row <= bottom and left <= fraud.col <= right)


def test_a_layout_that_already_fits_is_kept() -> None:
    model = ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "T"},
            "boundaries": {"dc": {"name": "DC"}},
            "components": {"a": {"kind": "process", "boundary": "dc"}, "b": {"kind": "data_store", "boundary": "dc"}},
            "flows": {"ab": {"from": "a", "to": "b"}},
        }
    )
    diagram = draw(model)
    assert diagram.boxes["a"].col == diagram.boxes["b"].col  # one column: nothing to fix
