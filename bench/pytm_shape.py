"""Run OWASP pytm on a synthetic model shaped like ``generate.py``'s and print seconds.

Runs inside a separate interpreter that has pytm installed (see bench_analysis.py), because
pytm pins its own dependencies. Usage: ``python pytm_shape.py COMPONENTS FLOWS BOUNDARIES``.
"""

import random
import sys
import time

from pytm import TM, Actor, Boundary, Dataflow, Datastore, Process

components, flows, boundaries = (int(a) for a in sys.argv[1:4])
rng = random.Random(7)
TM.reset()
tm = TM("synthetic", description="bench")
zones = [Boundary(f"Zone {i}") for i in range(boundaries)]
for i, zone in enumerate(zones):
    if i >= 10:
        zone.inBoundary = zones[rng.randrange(0, i)]
kinds = (Process, Process, Process, Datastore, Datastore, Actor)
elements = []
for i in range(components):
    element = kinds[i % len(kinds)](f"Component {i}")
    if zones:
        element.inBoundary = rng.choice(zones)
    elements.append(element)
for i in range(flows):
    a, b = rng.sample(elements, 2)
    flow = Dataflow(a, b, f"flow {i}")
    flow.protocol = rng.choice(["HTTPS", "gRPC", "AMQP"])
    flow.controls.isEncrypted = rng.random() < 0.6
start = time.perf_counter()
tm.check()
tm.resolve()
print(f"{time.perf_counter() - start:.3f} {len(tm.findings)}")
