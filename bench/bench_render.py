"""Diagram speed: DOT of the 5,000-component model (budget 1 s), SVG of the platform sample,
and what Graphviz does with 1,000 components.

Run: ``.venv/bin/python bench/bench_render.py`` (``--dot-only``: the DOT build alone, no
Graphviz; the SVG of 1,000 components waits up to two minutes for Graphviz). Needs Graphviz for
the SVG parts.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate_model  # noqa: E402
from stride_tui.core.analysis.engine import analyse  # noqa: E402
from stride_tui.core.analysis.rules import builtin_rules  # noqa: E402
from stride_tui.core.files.loader import load_model  # noqa: E402
from stride_tui.core.outputs.dot import build_dot  # noqa: E402
from stride_tui.core.outputs.graphviz import RenderError, run_dot  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dot-only", action="store_true", help="only the DOT build of 5,000 components")
    args = parser.parse_args()
    rules = builtin_rules()
    big = generate_model(5000, 10000, 500)
    analysis = analyse(big, rules)
    times = [timed(lambda: build_dot(big, analysis))[0] for _ in range(3)]
    print(
        f"DOT, 5000 components / 10000 flows / 500 boundaries: median {statistics.median(times) * 1000:.0f} ms (budget 1000 ms)"
    )
    if args.dot_only:
        return

    platform = load_model(ROOT / "sample_models" / "platform.toml").model
    dot = build_dot(platform, analyse(platform, rules))
    seconds, svg = timed(lambda: run_dot(dot, "svg"))
    print(
        f"SVG of sample_models/platform.toml ({len(platform.components)} components, {len(platform.flows)} flows): {seconds:.2f} s, {len(svg) / 1e6:.1f} MB"
    )

    for components, flows, zones in ((300, 600, 30), (1000, 2000, 100)):
        model = generate_model(components, flows, zones)
        dot = build_dot(model, analyse(model, rules))
        try:
            seconds, svg = timed(lambda: run_dot(dot, "svg", timeout=120))
            print(f"SVG, {components} components / {flows} flows / {zones} boundaries: {seconds:.1f} s")
        except RenderError as exc:
            print(f"SVG, {components} components / {flows} flows / {zones} boundaries: {exc}")


if __name__ == "__main__":
    main()
