"""Deterministic synthetic models of any size, for benchmarks (``generate_model(5000, 10000, 500)``).

``generate_data`` needs only the standard library, so ``pytm_shape.py`` builds pytm's copy of
the same model from it inside pytm's own interpreter (same ids, nesting and crossings).

Run: ``.venv/bin/python bench/generate.py 1000 -o n1000.toml`` writes the benchmarks' model of
1,000 components (2,000 flows, 100 boundaries: `shape`) as a canonical model file; ``--flows``,
``--boundaries`` and ``--seed`` choose another one.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stride_tui.core.model.elements import ThreatModel

_KINDS = ("process", "process", "process", "data_store", "data_store", "external_entity")


def generate_data(components: int, flows: int, boundaries: int, seed: int = 7) -> dict:
    """The plain TOML document of a synthetic model, with nested boundaries and varied facts."""
    rng = random.Random(seed)
    data: dict = {"stride_tui": 1, "model": {"title": f"Synthetic {components}", "owner": "bench"}}
    bids = [f"zone-{i}" for i in range(boundaries)]
    data["boundaries"] = {}
    for i, bid in enumerate(bids):
        entry: dict[str, object] = {"name": f"Zone {i}"}
        if i >= 10:
            entry["parent"] = bids[rng.randrange(0, i)]  # earlier zone: a forest, never a cycle
        if i == 0:
            entry["internet"] = True
        data["boundaries"][bid] = entry
    data["components"] = {}
    cids = []
    for i in range(components):
        kind = _KINDS[i % len(_KINDS)]
        cid = f"c{i}"
        cids.append(cid)
        entry = {
            "kind": kind,
            "name": f"Component {i}",
            "technology": rng.choice(["go", "python", "postgres", "kafka"]),
        }
        if bids:
            entry["boundary"] = rng.choice(bids)
        if kind == "process":
            entry["audit_log"] = rng.random() < 0.5
            entry["secrets"] = rng.choice(["plaintext", "secrets_manager", "environment"])
        elif kind == "data_store":
            entry["encrypted_at_rest"] = rng.random() < 0.5
            entry["is_log"] = rng.random() < 0.1
        else:
            entry["trusted"] = False
        data["components"][cid] = entry
    data["flows"] = {}
    for i in range(flows):
        a, b = rng.sample(cids, 2)
        data["flows"][f"f{i}"] = {
            "from": a,
            "to": b,
            "data": "orders, customer ids",
            "protocol": rng.choice(["https", "grpc", "amqp"]),
            "encrypted": rng.random() < 0.6,
            "authentication": rng.choice(["none", "mtls", "jwt", "static_secret"]),
        }
    return data


def generate_model(components: int, flows: int, boundaries: int, seed: int = 7) -> ThreatModel:
    """A validated synthetic model."""
    from stride_tui.core.model.elements import ThreatModel  # here: generate_data runs without stride_tui

    return ThreatModel.model_validate(generate_data(components, flows, boundaries, seed))


def shape(components: int) -> tuple[int, int, int]:
    """The benchmarks' shape for ``components``: (N components, 2N flows, N/10 boundaries)."""
    return components, 2 * components, max(2, components // 10)


def main(argv: list[str] | None = None) -> None:
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("components", type=int)
    parser.add_argument("--flows", type=int, help="default: twice the components")
    parser.add_argument("--boundaries", type=int, help="default: a tenth of the components (at least 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", required=True, help="the model file to write")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from stride_tui.core.files.storage import dump_model

    components, flows, boundaries = shape(args.components)
    model = generate_model(
        components,
        flows if args.flows is None else args.flows,
        boundaries if args.boundaries is None else args.boundaries,
        args.seed,
    )
    Path(args.output).write_text(dump_model(model), encoding="utf-8")


if __name__ == "__main__":
    main()
