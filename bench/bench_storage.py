"""Load+validate and save of a 5,000-component / 10,000-flow / 500-boundary model.

Run: ``.venv/bin/python bench/bench_storage.py``. Prints the median of several runs and the ratio
to a baseline measured in the same run (bare ``tomllib.loads`` + ``tomli_w.dumps`` of the same
data), because this machine is shared and absolute times drift.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate_model
from stride_tui.core.files.loader import load_model
from stride_tui.core.files.storage import dump_model, model_to_data, save_model


def median_seconds(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    model = generate_model(5000, 10000, 500)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.toml"
        text = dump_model(model)
        path.write_text(text)
        data = model_to_data(model)
        size = len(text.encode())

        base_load = median_seconds(lambda: tomllib.loads(path.read_text()))
        base_save = median_seconds(lambda: tomli_w.dumps(data))
        load = median_seconds(lambda: load_model(path))
        save = median_seconds(lambda: save_model(model, path))

    print(f"model: 5000 components, 10000 flows, 500 boundaries, {size / 1e6:.1f} MB of TOML")
    print(f"baseline tomllib.loads : {base_load * 1000:7.0f} ms")
    print(f"baseline tomli_w.dumps : {base_save * 1000:7.0f} ms")
    print(
        f"load + validate        : {load * 1000:7.0f} ms  ({load / base_load:.2f}x baseline load, budget 1000 ms and 3x)"
    )
    print(
        f"save (atomic, checked) : {save * 1000:7.0f} ms  ({save / base_save:.2f}x baseline dump, budget 1000 ms and 3x)"
    )


if __name__ == "__main__":
    main()
