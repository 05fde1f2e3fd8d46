"""OWASP pytm on the very model ``generate.py`` describes: same ids, nesting and crossings.

Runs inside an interpreter that has pytm installed (its own venv: pytm pins its own
dependencies), so it imports only ``generate.generate_data`` (standard library). Each pytm
element is named by the stride-tui id (``c17``, ``f3``, ``zone-4``; the display name goes in its
description); a component sits in the same boundary, a boundary in the same parent, a flow joins
the same two components, so the same flows cross the same boundaries. Facts that pytm has a
control for are carried over (flow encryption and authentication, encryption at rest).

Usage (``C F B``: components, flows, boundaries):

- ``python pytm_shape.py C F B``: prints ``SECONDS FINDINGS`` of ``check()`` + ``resolve()``
  (what ``bench_analysis.py`` reads);
- ``python pytm_shape.py C F B --time dfd``: prints the seconds of ``dfd()`` (after ``check()``,
  as pytm's ``--dfd`` does);
- ``python pytm_shape.py C F B --json OUT``: pytm's own command line (``TM.process()``) writes its
  JSON output to OUT, as a pytm model script does; time the whole process from outside.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate_data
from pytm import TM, Actor, Boundary, Dataflow, Datastore, Process

_KINDS = {"process": Process, "data_store": Datastore, "external_entity": Actor}


def build(components: int, flows: int, boundaries: int) -> TM:
    """pytm's copy of ``generate_data(components, flows, boundaries)``."""
    data = generate_data(components, flows, boundaries)
    TM.reset()
    tm = TM(data["model"]["title"], description="bench: the shape of bench/generate.py")
    zones: dict[str, Boundary] = {}
    for bid, entry in data["boundaries"].items():  # parents come first (generate.py's order)
        zone = Boundary(bid, description=entry["name"])
        if "parent" in entry:
            zone.inBoundary = zones[entry["parent"]]
        zones[bid] = zone
    elements = {}
    for cid, entry in data["components"].items():
        element = _KINDS[entry["kind"]](cid, description=entry["name"])
        if "boundary" in entry:
            element.inBoundary = zones[entry["boundary"]]
        if entry.get("encrypted_at_rest"):
            element.controls.isEncryptedAtRest = True
        elements[cid] = element
    for fid, entry in data["flows"].items():
        flow = Dataflow(elements[entry["from"]], elements[entry["to"]], fid, description=entry["data"])
        flow.protocol = entry["protocol"].upper()
        flow.controls.isEncrypted = entry["encrypted"]
        if entry["authentication"] != "none":
            flow.controls.authenticatesSource = True
            flow.controls.authenticationScheme = entry["authentication"]
    return tm


def main(argv: list[str]) -> None:
    components, flows, boundaries = (int(a) for a in argv[:3])
    rest = argv[3:]
    tm = build(components, flows, boundaries)
    if rest[:1] == ["--json"]:
        sys.argv = [sys.argv[0], *rest]  # TM.process() reads pytm's own options from argv
        tm.process()
        return
    if rest == ["--time", "dfd"]:
        tm.check()
        start = time.perf_counter()
        dot = tm.dfd()
        print(f"{time.perf_counter() - start:.4f} {len(dot)}")
        return
    start = time.perf_counter()
    tm.check()
    tm.resolve()
    print(f"{time.perf_counter() - start:.4f} {len(tm.findings)}")


if __name__ == "__main__":
    main(sys.argv[1:])
