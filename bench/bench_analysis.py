"""Analysis speed: the 5,000-component model, re-analysis after one edit at 1,000 elements,
and OWASP pytm on models of the same shape for a ratio.

Run: ``.venv/bin/python bench/bench_analysis.py``. The pytm part needs an interpreter with pytm
installed: pass ``--pytm-python PATH``, or let the script create ``bench/.pytm-venv`` on first use
(``pip install pytm==1.4``, see ``pytm_venv.py``); ``--no-pytm`` skips it. Medians of several runs; ratios are measured in
the same run because the machine is shared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate_model  # noqa: E402
from bench.pytm_venv import pytm_python  # noqa: E402
from stride_tui.core.analysis.engine import Analyzer, analyse  # noqa: E402
from stride_tui.core.analysis.rules import builtin_rules  # noqa: E402


def median_seconds(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pytm-python")
    parser.add_argument("--no-pytm", action="store_true")
    args = parser.parse_args()
    rules = builtin_rules()
    print(f"rules: {len(rules.enabled())} built-in")

    big = generate_model(5000, 10000, 500)
    result = analyse(big, rules)
    full = median_seconds(lambda: analyse(big, rules), repeat=3)
    print(
        f"full analysis, 5000 components / 10000 flows: {full * 1000:.0f} ms, {len(result.findings)} findings (budget 1000 ms)"
    )

    medium = generate_model(400, 600, 40)
    flow_id = next(iter(medium.flows))
    cold = median_seconds(lambda: analyse(medium, rules), repeat=11)
    analyzer = Analyzer(rules)  # the editor keeps one: unchanged elements come from its cache
    analyzer.analyse(medium)

    state = [False]

    def edit_and_reanalyse():
        state[0] = not state[0]
        flows = dict(medium.flows)
        flows[flow_id] = flows[flow_id].model_copy(update={"encrypted": state[0]})
        analyzer.analyse(medium.model_copy(update={"flows": flows}))

    one_edit = median_seconds(edit_and_reanalyse, repeat=21)
    print(f"analysis from scratch, 1000 elements: median {cold * 1000:.1f} ms")
    print(f"re-analysis after one edit, 1000 elements: median {one_edit * 1000:.1f} ms (budget 50 ms)")

    python = pytm_python(args)
    if python is None:
        return
    print("OWASP pytm on models of the same shape (check + resolve), vs stride-tui analysis:")
    for components in (50, 500, 2000, 5000):
        flows, zones = 2 * components, max(2, components // 10)
        out = subprocess.run(
            [python, str(ROOT / "bench" / "pytm_shape.py"), str(components), str(flows), str(zones)],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if out.returncode != 0:
            print(f"  {components}: pytm failed: {out.stderr.strip().splitlines()[-1:]}")
            break
        pytm_seconds, pytm_findings = out.stdout.split()
        model = generate_model(components, flows, zones)
        ours = median_seconds(lambda: analyse(model, rules), repeat=3)
        ours_findings = len(analyse(model, rules).findings)
        print(
            f"  {components:>5} components / {flows:>5} flows: pytm {float(pytm_seconds) * 1000:8.0f} ms "
            f"({pytm_findings} findings), stride-tui {ours * 1000:6.0f} ms ({ours_findings} findings), "
            f"ratio {float(pytm_seconds) / ours:.1f}x"
        )


if __name__ == "__main__":
    main()
