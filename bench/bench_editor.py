"""Editor speed: start to first paint, selection → STRIDE panel, and typing in a form.

Run: ``.venv/bin/python bench/bench_editor.py`` (``--runs N`` for more start-up runs).

- *Start to first paint* runs the real ``stride-tui MODEL`` in a pseudo-terminal of 120×40 and
  times from the spawn until the terminal has been sent the components pane with its count
  (the model is on screen), for ``sample_models/checkout.toml`` and the large sample
  ``sample_models/platform.toml``. Python start-up and imports are included.
- *Selection → STRIDE panel* opens the generated model of N = 1,000 components, 2,000 flows
  and 100 boundaries (``generate_model(*shape(1000))``, the N = 1,000 of ``bench_speed.py``) in
  a headless app at 120×40, waits for its analysis, then times selecting boundaries, components
  and flows until the panel holds the selection's findings and the screen has been rendered.
  Budget: median under 100 ms.
- *Typing* times one key press in the component form of the same model (analysis never runs
  while a form is open; the budget is one frame, ~16 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import re
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate_model, shape  # noqa: E402
from stride_tui.core.files.loader import load_model  # noqa: E402
from stride_tui.core.files.storage import dump_model  # noqa: E402

STRIDE_TUI = ROOT / ".venv" / "bin" / "stride-tui"


POLL_SECONDS = 0.005
"""How long a polling wait sleeps between looks: a real sleep, so the app's workers keep the GIL
(``sleep(0)`` would hand it straight back to the loop that is waiting, stealing their time)."""


def first_paint_seconds(
    model: Path,
    marker: bytes | re.Pattern[bytes],
    timeout: float = 30.0,
    *,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> float:
    """Seconds from spawning the editor on ``model`` until ``marker`` (bytes or a pattern) reaches
    the terminal.

    ``command`` is the editor to run (default ``.venv/bin/stride-tui``; the model is appended),
    ``env`` what to add to the environment (``PYTHONPATH`` of another tree, say). The terminal
    is a pseudo-terminal of 120×40.
    """
    primary, secondary = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40", **(env or {}))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*(command or [str(STRIDE_TUI)]), str(model)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
    )
    os.close(secondary)
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([primary], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:
                    break
                seen += chunk
                window = seen[-len(chunk) - 256 :]  # the marker may straddle two reads
                if marker in window if isinstance(marker, bytes) else marker.search(window):
                    elapsed = time.perf_counter() - start
                    break
        os.write(primary, b"\x11")  # ctrl+q: nothing was edited, so it quits at once
        # keep reading: an app whose terminal output is not drained blocks and cannot quit
        deadline = time.perf_counter() + 10
        while proc.poll() is None and time.perf_counter() < deadline:
            if select.select([primary], [], [], 0.05)[0]:
                try:
                    os.read(primary, 65536)
                except OSError:
                    break
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    finally:
        os.close(primary)
    if elapsed is None:
        raise RuntimeError(f"{model}: {marker!r} never reached the terminal")
    return elapsed


async def _until(condition, limit: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds, looking every 5 ms (adds at most that)."""
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("the app never got there")
        await asyncio.sleep(POLL_SECONDS)


async def _selection_timings(path: Path) -> dict[str, list[float]]:
    """Time input → handled → screen laid out and rendered, the way a frame does it.

    The key or selection goes in as an event; the clock stops once its handlers have run, every
    message they caused is processed, and the screen's next frame (layout and rendering of what
    changed) is done. Pilot's own pauses sleep until the CPU is idle, so they are not used here.
    """
    from textual import events

    from stride_tui.app import StrideApp
    from stride_tui.screens import MainScreen
    from widgets import BoundaryTree, ComponentTable, FlowTable

    app = StrideApp(path)
    timings: dict[str, list[float]] = {"boundary": [], "component": [], "flow": [], "typing": [], "open+analyse": []}
    opened = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(lambda: isinstance(app.screen, MainScreen) and app.screen.analysis is not None, 60)
        timings["open+analyse"].append(time.perf_counter() - opened)
        screen = app.screen
        await pilot.pause()

        async def painted(start: float, done) -> float:
            await _until(done)
            await pilot._wait_for_screen()
            screen_now = app.screen
            screen_now._on_timer_update()  # the frame: layout if needed, then render what changed
            return time.perf_counter() - start

        tree = screen.query_one(BoundaryTree)
        tree.focus()
        await pilot.pause()
        for boundary_id in list(screen.model.boundaries)[:40]:
            start = time.perf_counter()
            tree.select(("boundary", boundary_id))
            timings["boundary"].append(await painted(start, lambda: screen.selection == ("boundary", boundary_id)))
        for table_type, kind in ((ComponentTable, "component"), (FlowTable, "flow")):
            table = screen.query_one(table_type)
            table.focus()
            await pilot.pause()
            for _ in range(40):
                target = table.rows[table.cursor_row + 1].key
                start = time.perf_counter()
                app.post_message(events.Key("down", None))
                timings[kind].append(await painted(start, lambda: screen.selection == (kind, target)))
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        name = form.query_one("#field-name").control
        for char in "inventory-service":
            expected = name.value + char
            start = time.perf_counter()
            app.post_message(events.Key(char if char.isalnum() else "minus", char))
            timings["typing"].append(await painted(start, lambda: name.value == expected))
        await pilot.press("escape")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per model (median reported)")
    args = parser.parse_args()

    print("start to first paint (real terminal 120×40, includes Python start-up):")
    for name in ("checkout.toml", "platform.toml"):
        sample = ROOT / "sample_models" / name
        model = load_model(sample).model
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / name
            copy.write_bytes(sample.read_bytes())
            marker = f"Components · {len(model.components)}".encode()
            runs = [first_paint_seconds(copy, marker) for _ in range(args.runs)]
        size = len(model.components) + len(model.flows) + len(model.boundaries)
        print(
            f"  {name:<14} {size:>4} elements: median {statistics.median(runs) * 1000:6.0f} ms "
            f"(min {min(runs) * 1000:.0f}, max {max(runs) * 1000:.0f}, {len(runs)} runs)"
        )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.toml"
        path.write_text(dump_model(generate_model(*shape(1000))))
        timings = asyncio.run(_selection_timings(path))
    print("N = 1,000 components, 2,000 flows, 100 boundaries (generate_model(*shape(1000))), headless 120×40:")
    print(f"  open + first analysis: {timings['open+analyse'][0] * 1000:.0f} ms")
    for kind in ("boundary", "component", "flow"):
        values = timings[kind]
        print(
            f"  select a {kind:<9} → STRIDE panel painted: median {statistics.median(values) * 1000:5.1f} ms, "
            f"max {max(values) * 1000:5.1f} ms ({len(values)} selections; budget: median < 100 ms)"
        )
    typing = timings["typing"]
    print(
        f"  one key press in the component form → painted: median {statistics.median(typing) * 1000:.1f} ms, "
        f"max {max(typing) * 1000:.1f} ms (no analysis runs while a form is open)"
    )


if __name__ == "__main__":
    main()
