"""Analysis speed against an earlier engine, measured in the same run (the machine is shared).

Times, on generated models of N components, 2N flows and N/10 boundaries (``--sizes``, default
1,000 and 5,000), the first analysis in a fresh process, the full analysis by a fresh analyzer
(what ``bench_speed.py`` reports as the in-process analysis row), and the re-analysis after one
edit by the analyzer that made the last one, and the editor's edit (a process's fact toggled, then
what the editor asks for: the analysis, the threat index made from the last one and the view of
the edited component, as ``main_screen`` does in its analysis thread), for this checkout and for
REV (default: the engine before analysis version 2) checked out in a temporary git worktree.
Runs alternate between the two so that noise hits both alike; medians are reported. Threat
grouping, risk and questions exist only in engines since version 2: their cost is reported on
top when the tree has them.

Wall time is what a user waits; CPU time (process time) is shown beside it because the machine is
shared: it is less disturbed by other processes.

Run: ``.venv/bin/python bench/bench_engine_compare.py [--rev REV] [--rounds N] [--sizes 1000,5000]``
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
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from bench.generate import generate_model
from stride_tui.core.analysis.engine import Analyzer
from stride_tui.core.analysis.rules import builtin_rules
n, repeat = int(sys.argv[2]), int(sys.argv[3])
rules = builtin_rules()
model = generate_model(n, 2 * n, max(2, n // 10))
start = time.perf_counter(); analysis = Analyzer(rules).analyse(model); first = time.perf_counter() - start
full, full_cpu = [], []
for _ in range(repeat):
    cpu = time.process_time(); start = time.perf_counter()
    Analyzer(rules).analyse(model)  # dropped at once, as bench_speed.py's row does
    full.append(time.perf_counter() - start); full_cpu.append(time.process_time() - cpu)
analyzer = Analyzer(rules)
analyzer.analyse(model)
fid = next(iter(model.flows))
edits = []
for i in range(2 * repeat + 1):
    flow = model.flows[fid].model_copy(update={"encrypted": i % 2 == 0})
    edited = model.model_copy(update={"flows": {**model.flows, fid: flow}})
    start = time.perf_counter(); analyzer.analyse(edited); edits.append(time.perf_counter() - start)
# the editor's edit (main_screen._analyse_and_index): a process's fact toggled as its form does,
# the analysis, the threat index made from the last one, and the view of the edited component
editor = None
try:
    from stride_tui.core.editing.put import put_component
    from stride_tui.screens.threat_view import ThreatIndex
except ImportError:
    pass
else:
    analyzer = Analyzer(rules)
    current = model
    index = ThreatIndex(analyzer.analyse(current))
    cid = next(c for c, comp in current.components.items() if comp.kind == "process")
    index.view("component", cid)
    editor = []
    for _ in range(4 * repeat + 1):
        component = current.components[cid]
        current = put_component(current, cid, component.model_copy(update={"validates_input": not component.validates_input}), cid)
        start = time.perf_counter()
        edited_analysis = analyzer.analyse(current)
        index = ThreatIndex(edited_analysis, index)
        index.view("component", cid)
        editor.append(time.perf_counter() - start)
    editor = statistics.median(editor)
extra = None
try:
    from stride_tui.core.analysis.threats import group_threats
    from stride_tui.core.analysis.questions import questions
    start = time.perf_counter(); threats = group_threats(analysis); questions(analysis, threats)
    extra = time.perf_counter() - start
except ImportError:
    pass
print(json.dumps({
    "first": first,
    "full": statistics.median(full),
    "full_cpu": statistics.median(full_cpu),
    "edit": statistics.median(edits),
    "editor": editor,
    "threats": extra,
    "findings": len(analysis.findings),
}))
"""


def probe(tree: Path, n: int, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tree), str(n), str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", default=BEFORE_V2, help=f"the engine to compare with (default {BEFORE_V2})")
    parser.add_argument("--rounds", type=int, default=5, help="processes per tree and size (default 5)")
    parser.add_argument("--repeat", type=int, default=5, help="analyses per process (default 5)")
    parser.add_argument("--sizes", default="1000,5000", help="N values (components), comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runs: dict[tuple[int, str], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(old_tree), args.rev], check=True, cwd=ROOT)
        try:
            for n in sizes:
                for _ in range(args.rounds):
                    for name, tree in (("old", old_tree), ("new", ROOT)):
                        runs.setdefault((n, name), []).append(probe(tree, n, args.repeat))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], check=True, cwd=ROOT)
    print(f"N components, 2N flows, N/10 boundaries; medians of {args.rounds} alternating processes per tree")
    print(
        f"{'N':>6}  {'engine':<22}{'findings':>9}{'first':>9}{'full analysis':>15}{'(CPU)':>9}"
        f"{'one edit':>11}{'editor edit':>14}{'threats+questions':>19}"
    )
    for n in sizes:
        for name, label in (("old", f"before ({args.rev})"), ("new", "this checkout")):
            rows = runs[(n, name)]

            def ms(key: str, rows: list[dict] = rows) -> str:
                values = [r[key] for r in rows if r.get(key) is not None]
                return (
                    f"{statistics.median(values) * 1000:.{1 if key in ('edit', 'editor') else 0}f} ms"
                    if values
                    else "—"
                )

            print(
                f"{n:>6}  {label:<22}{rows[0]['findings']:>9}{ms('first'):>9}{ms('full'):>15}{ms('full_cpu'):>9}"
                f"{ms('edit'):>11}{ms('editor'):>14}{ms('threats'):>19}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
