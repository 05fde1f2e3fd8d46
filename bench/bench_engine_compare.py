"""Analysis speed against an earlier engine, measured in the same run (the machine is shared).

Times, on the 5,000-component generated model, the full analysis and the re-analysis after one
edit, for this checkout and for REV (default: the engine before analysis version 2) checked out
in a temporary git worktree. Runs alternate between the two so that noise hits both alike;
medians are reported. Threat grouping, risk and questions exist only in the new engine: their
cost is reported on top.

Wall time is what a user waits; CPU time (process time) is shown beside it because the machine is
shared: it is less disturbed by other processes.

Run: ``.venv/bin/python bench/bench_engine_compare.py [--rev REV] [--rounds N]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_V2 = "bb7d225"
"""The last commit before analysis version 2 (threat grouping existed; risk, exposure and
questions did not)."""

# runs inside the tree under test: prints one JSON line of seconds
_PROBE = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
from bench.generate import generate_model
from stride_tui.core.analysis.engine import Analyzer
from stride_tui.core.analysis.rules import builtin_rules
rules = builtin_rules()
model = generate_model(5000, 10000, 500)
analyzer = Analyzer(rules)
cpu = time.process_time(); start = time.perf_counter(); analysis = Analyzer(rules).analyse(model)
full = time.perf_counter() - start; full_cpu = time.process_time() - cpu
analyzer.analyse(model)
fid = next(iter(model.flows))
edited = model.model_copy(update={"flows": {**model.flows, fid: model.flows[fid].model_copy(update={"encrypted": True})}})
start = time.perf_counter(); analyzer.analyse(edited); edit = time.perf_counter() - start
extra = None
try:
    from stride_tui.core.analysis.threats import group_threats
    from stride_tui.core.analysis.questions import questions
    start = time.perf_counter(); threats = group_threats(analysis); questions(analysis, threats)
    extra = time.perf_counter() - start
except ImportError:
    pass
print(json.dumps({"full": full, "full_cpu": full_cpu, "edit": edit, "threats": extra, "findings": len(analysis.findings)}))
"""


def probe(tree: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tree)], check=True, capture_output=True, text=True, cwd=tree
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", default=BEFORE_V2, help=f"the engine to compare with (default {BEFORE_V2})")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(old_tree), args.rev], check=True, cwd=ROOT)
        try:
            runs: dict[str, list[dict]] = {"old": [], "new": []}
            for _ in range(args.rounds):
                runs["old"].append(probe(old_tree))
                runs["new"].append(probe(ROOT))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], check=True, cwd=ROOT)
    print(f"5,000 components, 10,000 flows, 500 boundaries; medians of {args.rounds} alternating runs")
    print(f"{'engine':<22}{'findings':>9}{'full analysis':>15}{'(CPU)':>9}{'one edit':>11}{'threats+questions':>19}")
    for name, label in (("old", f"before ({args.rev})"), ("new", "this checkout")):
        rows = runs[name]
        full = statistics.median(r["full"] for r in rows)
        cpu = statistics.median(r["full_cpu"] for r in rows)
        edit = statistics.median(r["edit"] for r in rows)
        extras = [r["threats"] for r in rows if r["threats"] is not None]
        extra = f"{statistics.median(extras) * 1000:.0f} ms" if extras else "—"
        print(
            f"{label:<22}{rows[0]['findings']:>9}{full * 1000:>12.0f} ms{cpu * 1000:>6.0f} ms"
            f"{edit * 1000:>8.0f} ms{extra:>19}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
