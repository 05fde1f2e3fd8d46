"""The speed table of issue 16 in one run: this working tree, the engine before it, and pytm 1.4.

Run: ``.venv/bin/python bench/bench_speed.py`` (N = 1,000 and 5,000, about 12 minutes on the
2 shared cores); ``--quick`` for N = 1,000 only with fewer rounds (about 6 minutes); ``--sizes
1000,2000`` and ``--edits 60`` to choose; ``--only edit,samples`` measures only those rows (the
Pilot edits and escapes, and the sample models: a few minutes). The table is printed and written to
``bench/results/speed.md``. pytm 1.4 runs in its own venv, ``bench/.pytm-venv``, made on first
use (``pip install pytm==1.4``), or ``--pytm-python PATH``; ``--no-pytm`` leaves it out.

Models: ``generate.py``'s shape of N components, 2N flows and N/10 boundaries, written once as a
TOML file; pytm gets the same model from ``pytm_shape.py`` (same ids, nesting and crossings).
*Before* is commit ``3ef9822`` (``--baseline REV``) checked out with ``git worktree add`` in a
temporary folder (removed at the end); *after* is the working tree. The two are measured in
alternation (before, after, before, after …) so that the machine's noise hits both; each run is a
separate process with ``PYTHONPATH`` set to its tree. Times are medians unless a row says p50/p95.

Rows:

- *one edit → STRIDE panel repainted*: Textual's Pilot (``App.run_test(size=(120, 40))``) on the
  model file: a process component is selected in the components pane, its form opened with
  ``e``, its validates-input fact set with ``y`` / ``n`` (the other value each time: its
  input-validation threat comes and goes, so the panel's rows change), then the clock
  runs from ``ctrl+s`` (apply the form and save the file) until the main screen holds the edited
  model, ``MainScreen.current_analysis`` is the analysis of it, every pending message is handled
  and the next frame is rendered. p50 and p95 over ``--edits`` edits (two processes per tree).
- *escape*: the same app, a component selected, then ``escape`` (the key that shows the whole
  model) until the selection is the whole model, its analysis is current and the frame rendered.
- *open → first frame with findings*: the real ``stride-tui MODEL`` in a 120×40 pseudo-terminal,
  from spawn until a threat count other than zero (``3 threats ·``) reaches the terminal.
- *full analysis*: ``analyse(model, builtin_rules())`` in process (a fresh analyzer) vs pytm
  ``check()`` + ``resolve()`` on the same model.
- *threats --format json* and *check*: ``stride-tui threats MODEL --format json > file`` and
  ``stride-tui check MODEL`` as whole processes (start-up, load, analysis, output; peak memory
  from ``wait4``) vs pytm's command line ``--json FILE`` on a model script of the same model.
- *save*: ``storage.save_model`` (the atomic save the editor and the recovery journal use) in
  process: the first save of the model as loaded (nothing kept from an earlier save), and the
  save after one edit (a fact of one component toggled since the last save: what the editor's
  next ``ctrl+s`` and the journal write).
- *DOT build*: ``build_dot(model, analysis)`` in process vs pytm ``dfd()`` (after ``check()``).
- *report*: ``stride-tui report sample_models/platform.toml -o report.md``, whole process.
- *sample models*: for each ``sample_models/*.toml``, p95 through Pilot of each interaction:
  select (down / up in the components pane → panel repainted), open a component's form (``e``),
  edit (``ctrl+s`` on a toggled fact → panel repainted), answer (``y`` on a question in the STRIDE
  panel → panel repainted; undone after), decide (``d`` → its dialog, then ``m`` → panel
  repainted; undone after). Goal: under 16 ms. The first row, *probe's own wait*, is the
  wait every other row ends with (every widget handles its pending messages, then a frame is
  rendered), timed on the idle editor with no key pressed: each row's time includes one.

Each probe waits a second once the model is open and analysed, as a user reads the screen before
the first key (the editor makes its kept dialogs and forms meanwhile). Polling waits sleep 1 ms between looks (never ``sleep(0)``, which would take GIL time from the
workers being measured); a wait adds at most that 1 ms. A step a tree cannot do (a key it does
not bind) is reported as n/a. The machine is shared and noisy: compare columns of one run, not
runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _load_pytm_venv():  # type: ignore[no-untyped-def]
    """bench/pytm_venv.py of this tree, loaded from its file: putting this tree first on
    ``sys.path`` would make every probe import this tree's stride_tui whatever its PYTHONPATH
    says (the "before" column measured the working tree)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_pytm_venv", BENCH / "pytm_venv.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_PYTM_VENV = _load_pytm_venv()
PYTM_VERSION: str = _PYTM_VENV.PYTM_VERSION
pytm_python = _PYTM_VENV.pytm_python

BASELINE = "3ef9822"
"""Today's engine: the commit before issue 16's work."""
STRIDE_TUI = ROOT / ".venv" / "bin" / "stride-tui"
RESULTS = BENCH / "results" / "speed.md"
POLL = 0.001
"""Seconds a polling wait sleeps between looks: a real sleep, so the workers keep the GIL (the
main thread takes it back only to look); short, because a look comes up to that late and the
goal of an interaction is 16 ms (5 ms added 0–5 ms, 2.5 ms on average, to every number)."""
IDLE_AFTER_OPEN = 1.0
"""Seconds the probes wait once the model is open and analysed, before the first key."""
FACT = "validates_input"
"""The process fact every edit toggles: it decides whether the component has an input-validation threat."""
FIRST_FINDINGS = re.compile(rb"[1-9][0-9]* threats? \xc2\xb7")
"""What the STRIDE panel's border shows once it holds threats ("3 threats · 2 undecided")."""


# ---------------------------------------------------------------- pure helpers (tested)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values``, interpolating between the two nearest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def seconds_text(seconds: float) -> str:
    """``4.2 ms``, ``543 ms``, ``2.51 s``: three significant digits at most, in words people read."""
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


@dataclass
class Cell:
    """One measurement: its samples (seconds), how to summarise them, peak memory, or why none."""

    samples: list[float] = field(default_factory=list)
    spread: bool = False
    """Show p50 and p95 (interactions) instead of the median."""
    rss_mib: float | None = None
    missing: str = ""
    """Why there is no number ("n/a": the tree cannot do it; "failed: …")."""

    @property
    def value(self) -> float | None:
        """The number ratios and goals use: the median (the p50)."""
        return statistics.median(self.samples) if self.samples and not self.missing else None

    @property
    def p95(self) -> float | None:
        return percentile(self.samples, 95) if self.samples and not self.missing else None

    def text(self) -> str:
        if self.missing or not self.samples:
            return self.missing or "—"
        if self.spread:
            out = f"p50 {seconds_text(percentile(self.samples, 50))}, p95 {seconds_text(percentile(self.samples, 95))}"
        else:
            out = seconds_text(statistics.median(self.samples))
        return out + (f", {self.rss_mib:.0f} MiB" if self.rss_mib is not None else "")


@dataclass(frozen=True)
class Goal:
    """A row's goal at one size: its words, and a test of the *after* cell (None: nothing to test)."""

    text: str
    met: Callable[[Cell, Cell], bool] | None = None
    """Called with (after, pytm)."""


def within(p50: float, p95: float | None = None) -> Callable[[Cell, Cell], bool]:
    """The goal "median ≤ p50 seconds (and p95 ≤ p95 seconds)"."""

    def met(after: Cell, _: Cell) -> bool:
        value = after.value
        if value is None or value > p50:
            return False
        return p95 is None or (after.p95 is not None and after.p95 <= p95)

    return met


def faster_than_pytm(times: float) -> Callable[[Cell, Cell], bool]:
    """The goal "at least ``times`` × faster than pytm"."""

    def met(after: Cell, pytm: Cell) -> bool:
        return after.value is not None and pytm.value is not None and pytm.value >= times * after.value

    return met


def ratio_text(slow: Cell, fast: Cell) -> str:
    """How many times ``fast`` beats ``slow`` (``4.4×``; below 1 it is slower), or — ."""
    if slow.value is None or fast.value is None or fast.value <= 0:
        return "—"
    ratio = slow.value / fast.value
    return f"{ratio:.1f}×" if ratio < 100 else f"{ratio:.0f}×"


@dataclass
class Row:
    """One line of the table: an operation at one size."""

    operation: str
    size: str
    before: Cell
    after: Cell
    pytm: Cell
    goal: Goal


def markdown_table(rows: Sequence[Row], baseline: str = BASELINE) -> str:
    """The table: every row with before, after, pytm, the two ratios, the goal and whether it is met."""
    head = (
        f"| operation | N | before ({baseline}) | after (working tree) | pytm 1.4 | pytm ÷ after | before ÷ after "
        "| goal | met |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for row in rows:
        met = row.goal.met
        verdict = "—" if met is None or row.after.value is None else ("yes" if met(row.after, row.pytm) else "**no**")
        cells = (
            row.operation,
            row.size,
            row.before.text(),
            row.after.text(),
            row.pytm.text(),
            ratio_text(row.pytm, row.after),
            ratio_text(row.before, row.after),
            row.goal.text,
            verdict,
        )
        lines.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


# ---------------------------------------------------------------- probes (run inside one tree)
#
# ``bench_speed.py --probe KIND ...`` runs in a process whose PYTHONPATH is the tree under test,
# so ``stride_tui`` and ``widgets`` come from that tree; it prints one JSON line.


def key_event(key: str):
    """The Key event a terminal sends for ``key`` ("y", "ctrl+s", "escape")."""
    from textual import events

    return events.Key(key, key if len(key) == 1 else None)


class Driver:
    """Keys into a running app and waits on its public state, the way a user's terminal would."""

    def __init__(self, app, pilot) -> None:
        self.app, self.pilot = app, pilot
        from stride_tui.screens import MainScreen

        self.main: MainScreen = app.screen  # type: ignore[assignment]

    def press(self, key: str) -> None:
        self.app.post_message(key_event(key))

    async def until(self, condition: Callable[[], bool], limit: float = 60.0) -> None:
        deadline = time.perf_counter() + limit
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the app never got there")
            await asyncio.sleep(POLL)

    async def painted(self) -> None:
        """Every message queued so far handled, then the frame rendered (what Pilot's pause does
        after its idle wait, which is left out: it would add its own sleeps to the time)."""
        await self.pilot._wait_for_screen()
        self.app.screen._on_timer_update()

    async def timed(self, key: str, done: Callable[[], bool]) -> float:
        """Seconds from ``key`` to ``done()`` holding and the screen painted."""
        start = time.perf_counter()
        self.press(key)
        await self.until(done)
        await self.painted()
        return time.perf_counter() - start

    async def settle(self) -> None:
        """Untimed: let saves, analyses and refreshes finish before the next step."""
        await self.painted()
        await self.until(lambda: all(w.is_finished for w in self.app.workers), 120)
        await asyncio.sleep(0.02)
        await self.painted()

    def analysed(self) -> bool:
        return self.app.screen is self.main and self.main.current_analysis is not None

    def binds(self, key: str) -> bool:
        """Whether ``key`` does something on the main screen here (an older tree may lack it)."""
        return key in self.main.active_bindings

    @property
    def panel(self):
        from widgets import StridePanel

        return self.main.query_one(StridePanel)

    async def press_until(self, key: str, condition: Callable[[], bool], tries: int = 60) -> bool:
        """Press ``key`` until ``condition()`` holds (untimed navigation)."""
        for _ in range(tries):
            if condition():
                return True
            self.press(key)
            await self.settle()
        return condition()


def _is_process(driver: Driver) -> bool:
    selection = driver.main.selection
    if selection is None or selection.kind != "component":
        return False
    component = driver.main.model.components.get(selection.element_id)
    return component is not None and component.kind == "process"


async def select_process(driver: Driver) -> str:
    """Focus the components pane (``1``) and move down to a process component; its id."""
    driver.press("1")
    await driver.settle()
    if not await driver.press_until("down", lambda: _is_process(driver), tries=200):
        raise RuntimeError("no process component reachable in the components pane")
    assert driver.main.selection is not None
    return driver.main.selection.element_id


async def open_form(driver: Driver) -> float:
    """``e`` on the selection: seconds until its form is on top, taking keys, and painted."""

    def ready() -> bool:
        screen = driver.app.screen
        return screen is not driver.main and screen.is_mounted and not getattr(screen, "holding_keys", False)

    return await driver.timed("e", ready)


async def one_edit(driver: Driver, component_id: str) -> tuple[float, float]:
    """Open the form, toggle ``FACT``, ``ctrl+s``: (seconds to the form, seconds to the panel)."""
    to_form = await open_form(driver)
    form = driver.app.screen
    form.query_one(f"#field-{FACT}").control.focus()
    before = getattr(driver.main.model.components[component_id], FACT)
    await driver.settle()
    driver.press("n" if before else "y")
    await driver.settle()
    old = driver.main.model
    to_panel = await driver.timed("ctrl+s", lambda: driver.main.model is not old and driver.analysed())
    if getattr(driver.main.model.components[component_id], FACT) == before:
        raise RuntimeError(f"the edit did not change {FACT} of {component_id}")
    await driver.settle()
    if driver.main.document.dirty:
        raise RuntimeError("ctrl+s in the form did not save the file")
    return to_form, to_panel


async def probe_edits(driver: Driver, edits: int, escapes: int) -> dict:
    """The N rows: ``edits`` edits and ``escapes`` escapes; whether the panel followed the edits."""
    out: dict = {"edit": [], "escape": []}
    if not (driver.binds("e") and driver.binds("ctrl+s")):
        out["edit"] = "n/a"
    else:
        component = await select_process(driver)
        seen: set[tuple[str, ...]] = set()
        for _ in range(edits):
            out["edit"].append((await one_edit(driver, component))[1])
            seen.add(tuple((threat.id, len(threat.findings)) for threat in driver.panel.threats))
        out["panel_changed"] = len(seen) > 1
    if not driver.binds("escape"):
        out["escape"] = "n/a"
        return out
    for _ in range(escapes):
        await select_process(driver)
        out["escape"].append(await driver.timed("escape", lambda: driver.main.selection is None and driver.analysed()))
        await driver.settle()
    return out


async def probe_wait(driver: Driver, times: int) -> list[float]:
    """What the probe's own wait (`Driver.painted`) takes on the idle editor, no key pressed:
    every interaction's time includes one such wait."""
    spent = []
    for _ in range(times):
        await asyncio.sleep(0.05)
        start = time.perf_counter()
        await driver.painted()
        spent.append(time.perf_counter() - start)
    return spent


async def probe_selection(driver: Driver, times: int) -> list[float]:
    driver.press("1")
    await driver.settle()
    spent = []
    for i in range(times):
        before = driver.main.selection
        spent.append(
            await driver.timed(
                "down" if i % 2 == 0 else "up", lambda: driver.main.selection != before and driver.analysed()
            )
        )
        await driver.settle()
    return spent


async def probe_form_and_edit(driver: Driver, times: int) -> tuple[list[float], list[float]]:
    component = await select_process(driver)
    forms, edits = [], []
    for _ in range(times):
        to_form, to_panel = await one_edit(driver, component)
        forms.append(to_form)
        edits.append(to_panel)
    return forms, edits


async def _to_row(driver: Driver, wanted: Callable[[], bool], from_end: bool = False) -> bool:
    """The whole model in the STRIDE panel, focused (``escape``, ``4``), the cursor moved from the
    top (or the end: questions come last) to the first row where ``wanted()`` holds."""
    if driver.app.focused is driver.panel.table and wanted():
        return True  # still there after the undo of the last repetition
    for key in ("escape", "4", "end" if from_end else "home"):
        driver.press(key)
        await driver.settle()
    return await driver.press_until("up" if from_end else "down", wanted, tries=100)


async def probe_answers(driver: Driver, times: int) -> list[float] | str:
    panel = driver.panel
    spent = []
    for _ in range(times):

        def answerable() -> bool:  # y answers it (a question whose answer needs the form does not count)
            question = panel.highlighted_question
            return question is not None and "y" in question.answers

        if not await _to_row(driver, answerable, from_end=True):
            return "n/a (no question)"
        old = driver.main.model
        spent.append(await driver.timed("y", lambda: driver.main.model is not old and driver.analysed()))
        await driver.settle()
        driver.press("ctrl+z")
        await driver.settle()
    return spent


async def probe_decisions(driver: Driver, times: int) -> tuple[list[float], list[float]] | str:
    panel = driver.panel
    dialogs, applied = [], []
    for _ in range(times):
        if not await _to_row(driver, lambda: panel.highlighted is not None):
            return "n/a (no threat)"
        dialogs.append(await driver.timed("d", lambda: driver.app.screen is not driver.main))
        await driver.settle()
        old = driver.main.model
        applied.append(await driver.timed("m", lambda: driver.main.model is not old and driver.analysed()))
        await driver.settle()
        driver.press("ctrl+z")
        await driver.settle()
    return dialogs, applied


async def _step(out: dict, names: Sequence[str], probe) -> None:
    """Run one probe; a tree that cannot do it gets the reason instead of numbers."""
    try:
        result = await probe
    except (TimeoutError, RuntimeError, LookupError) as exc:
        result = tuple(f"failed: {exc}" for _ in names)
    if isinstance(result, str):
        result = tuple(result for _ in names)
    if len(names) == 1:
        result = (result,)
    out.update(zip(names, result, strict=True))


async def run_pilot(path: Path, kind: str, count: int) -> dict:
    """Open ``path`` in the app at 120×40 and run the ``kind`` probe (``edits`` or ``samples``)."""
    from stride_tui.app import StrideApp
    from stride_tui.screens import MainScreen

    app = StrideApp(path)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.perf_counter() + 120
        while not (isinstance(app.screen, MainScreen) and app.screen.current_analysis is not None):
            if time.perf_counter() > deadline:
                raise TimeoutError("the model never opened")
            await asyncio.sleep(0.05)
        driver = Driver(app, pilot)
        await driver.settle()
        # a user reads the screen before the first key: the editor makes its kept dialogs meanwhile
        await asyncio.sleep(IDLE_AFTER_OPEN)
        await driver.settle()
        if kind == "edits":
            return await probe_edits(driver, count, escapes=max(3, count // 4))
        out: dict = {}
        await _step(out, [PROBE_WAIT], probe_wait(driver, count))
        await _step(out, ["select"], probe_selection(driver, count))
        await _step(out, ["open form", "edit"], probe_form_and_edit(driver, count))
        await _step(out, ["answer"], probe_answers(driver, count))
        await _step(out, ["decide: d", "decide: m"], probe_decisions(driver, count))
        return out


def median_time(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def run_core(path: Path, repeat: int) -> dict:
    """Full analysis, save and DOT build of ``path`` in process, ``repeat`` times each."""
    from stride_tui.core.analysis.engine import analyse
    from stride_tui.core.analysis.rules import builtin_rules
    from stride_tui.core.editing.put import set_fact
    from stride_tui.core.files.loader import load_model
    from stride_tui.core.files.storage import save_model
    from stride_tui.core.outputs.dot import build_dot

    try:  # a tree that keeps each entry's text for the next save (the "after" tree)
        from stride_tui.core.files import model_text
    except ImportError:
        model_text = None

    def forget_texts() -> None:
        if model_text is not None:
            model_text._kept = {}

    model = load_model(path).model
    rules = builtin_rules()
    analysis = analyse(model, rules)
    copy = path.with_name("saved-" + path.name)

    def first_save() -> None:  # of a model just opened (`fmt`, the editor's first ctrl+s)
        forget_texts()
        save_model(model, copy)

    # then the editor's next ctrl+s, or the recovery journal: one fact toggled since the last save
    process = next(cid for cid, c in model.components.items() if c.kind == "process")
    edited, after_an_edit = model, []
    save_model(model, copy)
    for _ in range(repeat):
        edited = set_fact(edited, process, FACT, not getattr(edited.components[process], FACT))
        start = time.perf_counter()
        save_model(edited, copy)
        after_an_edit.append(time.perf_counter() - start)
    return {
        "analysis": median_time(lambda: analyse(model, rules), repeat),
        "save": median_time(first_save, repeat),
        "save after an edit": after_an_edit,
        "dot": median_time(lambda: build_dot(model, analysis), repeat),
        "findings": len(analysis.findings),
    }


def probe_main(args: argparse.Namespace) -> None:
    path = Path(args.probe_model)
    if args.probe == "core":
        result = run_core(path, args.probe_count)
    else:
        result = asyncio.run(run_pilot(path, args.probe, args.probe_count))
    print(json.dumps(result))


# ---------------------------------------------------------------- the run (outside the trees)


@dataclass(frozen=True)
class Tree:
    """A checkout under test: its name in the table and where its code is."""

    name: str
    path: Path

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.path)}


def byte_compiled(tree: Tree) -> Tree:
    """``tree`` with every module byte-compiled: Python only reads ``.pyc`` files when
    PYTHONDONTWRITEBYTECODE is set (as on this machine), so a module changed since it was last
    compiled would be compiled again in every process measured, for one tree and not the other."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "stride_tui", "widgets"], cwd=tree.path, check=False)
    return tree


@contextmanager
def baseline_tree(rev: str, folder: Path) -> Iterator[Tree]:
    """``rev`` checked out with ``git worktree add`` in ``folder``; removed afterwards."""
    path = folder / "before"
    subprocess.run(["git", "worktree", "add", "-q", "--detach", str(path), rev], check=True, cwd=ROOT)
    try:
        yield byte_compiled(Tree("before", path))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], check=True, cwd=ROOT)


def probe(tree: Tree, kind: str, model: Path, count: int, scratch: Path) -> dict:
    """Run one probe in a fresh process of ``tree`` on a fresh copy of ``model``."""
    folder = Path(tempfile.mkdtemp(dir=scratch))
    copy = folder / model.name
    shutil.copyfile(model, copy)
    env = {
        **os.environ,
        **tree.env(),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_STATE_HOME": str(folder / "state"),
    }
    command = [sys.executable, str(BENCH / "bench_speed.py"), "--probe", kind]
    command += ["--probe-model", str(copy), "--probe-count", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=folder, timeout=1800)
    shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{tree.name} probe {kind} on {model.name} failed: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_process(
    command: list[str], env: dict[str, str] | None = None, stdout: Path | None = None
) -> tuple[float, float]:
    """Seconds and peak memory (MiB) of one whole process (its output to ``stdout`` or nowhere)."""
    sink = open(stdout, "wb") if stdout is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout is not None:
            sink.close()  # type: ignore[union-attr]
    if proc.returncode not in (0, 1):  # check exits 1 when its gate trips
        raise RuntimeError(f"{command[:3]} exited {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024


def whole_process(command: list[str], runs: int, env: dict[str, str] | None = None, out: Path | None = None) -> Cell:
    cell = Cell()
    for _ in range(runs):
        seconds, rss = run_process(command, env, out)
        cell.samples.append(seconds)
        cell.rss_mib = max(cell.rss_mib or 0.0, rss)
    return cell


def pytm_cell(python: str | None, counts: tuple[int, int, int], mode: list[str], runs: int) -> Cell:
    """pytm's in-process time (``pytm_shape.py`` prints it) over ``runs`` processes."""
    if python is None:
        return Cell(missing="not run")
    cell = Cell()
    for _ in range(runs):
        done = subprocess.run(
            [python, str(BENCH / "pytm_shape.py"), *map(str, counts), *mode], capture_output=True, text=True, check=True
        )
        cell.samples.append(float(done.stdout.split()[0]))
    return cell


PARTS = ("edit", "open", "core", "commands", "pytm", "report", "samples")
"""What ``--only`` can choose: the Pilot edits and escapes, the pty opening, analysis / save /
DOT in process, threats and check as processes, pytm, the report, the sample models."""


@dataclass
class Plan:
    """How much of everything to measure."""

    sizes: list[int]
    edits: int
    rounds: int
    """Processes per tree for the Pilot probes (the edits are split among them)."""
    runs: dict[int, int]
    """Whole-process runs per size."""
    samples: int
    """Repetitions of each interaction on each sample model."""
    only: frozenset[str] = frozenset(PARTS)
    """Which parts are measured (`PARTS`)."""


def alternate(trees: Sequence[Tree], rounds: int, measure: Callable[[Tree], None]) -> None:
    """``measure`` each tree in turn, ``rounds`` times: noise hits every tree alike."""
    for _ in range(rounds):
        for tree in trees:
            measure(tree)


def goals(n: int) -> dict[str, Goal]:
    """Issue 16's goal column at N = 1,000 and 5,000 (other sizes: none)."""
    big = n >= 5000
    if n not in (1000, 5000):
        return {}
    return {
        "edit": Goal("p50 ≤ 16 ms, p95 ≤ 50 ms", within(0.016, 0.050)),
        "open": Goal("≤ 2.0 s" if big else "≤ 1.0 s", within(2.0 if big else 1.0)),
        "escape": Goal("≤ 200 ms" if big else "≤ 50 ms", within(0.2 if big else 0.05)),
        "analysis": Goal("≥ 20× faster", faster_than_pytm(20)),
        "threats": Goal("≥ 10× faster", faster_than_pytm(10)),
        "save": Goal("≤ 750 ms" if big else "≤ 150 ms", within(0.75 if big else 0.15)),
        "save after an edit": Goal("≤ 750 ms" if big else "≤ 150 ms", within(0.75 if big else 0.15)),
        "dot": Goal("≤ 350 ms" if big else "≤ 60 ms", within(0.35 if big else 0.06)),
    }


OPERATIONS = {
    "edit": "one edit → STRIDE panel repainted",
    "open": "open → first frame with findings (pty)",
    "escape": "escape (whole model in the panel)",
    "analysis": "full analysis in process vs pytm `check()+resolve()`",
    "threats": "`threats --format json`, whole process vs pytm `--json`",
    "check": "`check`, whole process",
    "save": "save (`storage.save_model`), first save of the model",
    "save after an edit": "save after one edit (editor's ctrl+s, recovery journal)",
    "dot": "DOT build in process vs pytm `dfd()`",
}


def pilot_cells(result: dict, key: str, cell: Cell) -> None:
    """Add a probe's samples (or its reason for none) to ``cell``."""
    value = result.get(key)
    if isinstance(value, str):
        cell.missing = value
    elif value is not None:
        cell.samples.extend(value)


def measure_size(n: int, trees: Sequence[Tree], plan: Plan, python: str | None, scratch: Path) -> list[Row]:
    """Every row at N = ``n``."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate_model, shape
    from stride_tui.core.files.storage import dump_model

    counts = shape(n)
    model = scratch / f"n{n}.toml"
    model.write_text(dump_model(generate_model(*counts)), encoding="utf-8")
    cells = {op: {tree.name: Cell(spread=op == "edit") for tree in trees} for op in OPERATIONS}
    per_round = -(-plan.edits // plan.rounds)
    changed: list[bool] = []

    def pilot(tree: Tree) -> None:
        print(f"  N={n} {tree.name}: {per_round} edits through Pilot…", flush=True)
        result = probe(tree, "edits", model, per_round, scratch)
        pilot_cells(result, "edit", cells["edit"][tree.name])
        pilot_cells(result, "escape", cells["escape"][tree.name])
        changed.append(result.get("panel_changed", True))

    if "edit" in plan.only:
        alternate(trees, plan.rounds, pilot)
    if not all(changed):
        print(f"  warning: at N={n} the STRIDE panel's threats did not change with the edited fact", flush=True)

    from bench_editor import first_paint_seconds

    def opening(tree: Tree) -> None:
        copy = scratch / f"open-{tree.name}-{model.name}"
        shutil.copyfile(model, copy)
        env = {**tree.env(), "XDG_CONFIG_HOME": str(scratch / "config"), "XDG_STATE_HOME": str(scratch / "state")}
        cells["open"][tree.name].samples.append(first_paint_seconds(copy, FIRST_FINDINGS, 60, env=env))

    runs = plan.runs.get(n, 3)
    if "open" in plan.only:
        print(f"  N={n}: open in a pty, {runs} runs per tree…", flush=True)
        alternate(trees, runs, opening)

    def core(tree: Tree) -> None:
        result = probe(tree, "core", model, 3, scratch)
        for op in ("analysis", "save", "save after an edit", "dot"):
            cells[op][tree.name].samples.extend(result[op])

    if "core" in plan.only:
        print(f"  N={n}: analysis, save, DOT in process…", flush=True)
        alternate(trees, 2, core)

    out = scratch / "threats.json"

    def commands(tree: Tree) -> None:
        for op, argv in (("threats", ["threats", str(model), "--format", "json"]), ("check", ["check", str(model)])):
            one = whole_process([str(STRIDE_TUI), *argv], 1, tree.env(), out if op == "threats" else None)
            target = cells[op][tree.name]
            target.samples.extend(one.samples)
            target.rss_mib = max(target.rss_mib or 0.0, one.rss_mib or 0.0)

    if "commands" in plan.only:
        print(f"  N={n}: threats and check as whole processes, {runs} runs per tree…", flush=True)
        alternate(trees, runs, commands)

    pytm = {op: Cell() for op in OPERATIONS}
    if "pytm" in plan.only:
        print(f"  N={n}: pytm {PYTM_VERSION}…", flush=True)
        pytm_runs = max(2, runs - 2) if n >= 5000 else runs
        pytm["analysis"] = pytm_cell(python, counts, [], pytm_runs)
        pytm["dot"] = pytm_cell(python, counts, ["--time", "dfd"], pytm_runs)
        if python is not None:
            command = [python, str(BENCH / "pytm_shape.py"), *map(str, counts), "--json", str(scratch / "pytm.json")]
            pytm["threats"] = whole_process(command, pytm_runs)
    measured = {
        "edit": "edit",
        "escape": "edit",
        "open": "open",
        "analysis": "core",
        "save": "core",
        "save after an edit": "core",
        "dot": "core",
        "threats": "commands",
        "check": "commands",
    }
    return [
        Row(OPERATIONS[op], f"{n:,}", cells[op]["before"], cells[op]["after"], pytm[op], goals(n).get(op, Goal("—")))
        for op in OPERATIONS
        if measured[op] in plan.only
    ]


def measure_report(trees: Sequence[Tree], runs: int, scratch: Path) -> Row:
    cells = {tree.name: Cell() for tree in trees}

    def report(tree: Tree) -> None:
        command = [str(STRIDE_TUI), "report", str(ROOT / "sample_models" / "platform.toml")]
        cells[tree.name].samples.extend(
            whole_process([*command, "-o", str(scratch / "report.md")], 1, tree.env()).samples
        )

    alternate(trees, runs, report)
    return Row("report (`platform.toml`), whole process", "—", cells["before"], cells["after"], Cell(), Goal("—"))


PROBE_WAIT = "probe's own wait (no key)"
INTERACTIONS = (PROBE_WAIT, "select", "open form", "edit", "answer", "decide: d", "decide: m")


def measure_samples(trees: Sequence[Tree], plan: Plan, scratch: Path) -> list[Row]:
    """p95 of every interaction on every sample model, both trees."""
    rows = []
    for model in sorted((ROOT / "sample_models").glob("*.toml")):
        cells = {name: {tree.name: Cell() for tree in trees} for name in INTERACTIONS}

        def interactions(tree: Tree, model: Path = model, cells: dict = cells) -> None:
            print(f"  {model.name} {tree.name}: {plan.samples} of each interaction…", flush=True)
            result = probe(tree, "samples", model, plan.samples, scratch)
            for name in INTERACTIONS:
                pilot_cells(result, name, cells[name][tree.name])

        alternate(trees, 1, interactions)
        for name in INTERACTIONS:
            before, after = cells[name]["before"], cells[name]["after"]
            if name == PROBE_WAIT:  # what each other row's time includes: no goal of its own
                goal = Goal("—")
            else:
                goal = Goal("p95 < 16 ms", lambda a, _: a.p95 is not None and a.p95 < 0.016)
            rows.append(Row(name, model.stem, p95_cell(before), p95_cell(after), Cell(), goal))
    return rows


def p95_cell(cell: Cell) -> Cell:
    """A cell that shows (and is judged by) the p95 of ``cell``'s samples."""
    if cell.missing or not cell.samples:
        return Cell(missing=cell.missing or "—")
    return Cell(samples=[percentile(cell.samples, 95)])


def samples_table(rows: Sequence[Row]) -> str:
    """The sample models' table: interaction, model, p95 before and after, goal, met."""
    head = "| interaction | model | p95 before | p95 after | goal | met |\n|---|---|---|---|---|---|\n"
    lines = []
    for row in rows:
        met = row.goal.met
        verdict = "—" if met is None or row.after.value is None else ("yes" if met(row.after, row.pytm) else "**no**")
        lines.append(
            f"| {row.operation} | {row.size} | {row.before.text()} | {row.after.text()} | {row.goal.text} | {verdict} |"
        )
    return head + "\n".join(lines) + "\n"


def machine_note(plan: Plan, started: float) -> str:
    cores = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {time.time() - started:.0f} s on a shared, "
        f"noisy machine ({cores} cores; load average {load} at the end): "
        "compare the columns of this run, not runs. Before and after alternate, each run a fresh process. "
        f"Edits: {plan.edits} per tree and size in {plan.rounds} processes; whole-process rows: medians of "
        + ", ".join(f"{runs} runs at N = {n:,}" for n, runs in plan.runs.items() if n in plan.sizes)
        + f"; sample-model interactions: {plan.samples} of each.\n"
    )


def make_plan(args: argparse.Namespace) -> Plan:
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    edits = args.edits if args.edits is not None else (10 if args.quick else 40)
    runs = {n: (3 if args.quick else (5 if n < 5000 else 3)) for n in sizes}
    only = frozenset(args.only.split(",")) if args.only else frozenset(PARTS)
    if unknown := only - set(PARTS):
        raise SystemExit(f"--only: no such part {', '.join(sorted(unknown))} (parts: {', '.join(PARTS)})")
    return Plan(sizes, edits, rounds=1 if args.quick else 2, runs=runs, samples=6 if args.quick else 12, only=only)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000", help="N values (components), comma-separated")
    parser.add_argument("--edits", type=int, help="edits per tree and size (default 40; --quick 10)")
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only, fewer rounds (a fast check)")
    parser.add_argument("--baseline", default=BASELINE, help=f"the commit measured as 'before' (default {BASELINE})")
    parser.add_argument("--pytm-python", help="an interpreter with pytm 1.4 (default: bench/.pytm-venv)")
    parser.add_argument("--no-pytm", action="store_true")
    parser.add_argument("--only", help=f"measure only these parts, comma-separated ({', '.join(PARTS)})")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the Markdown goes")
    parser.add_argument("--probe", choices=("edits", "samples", "core"), help=argparse.SUPPRESS)
    parser.add_argument("--probe-model", help=argparse.SUPPRESS)
    parser.add_argument("--probe-count", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe_main(args)
        return 0
    plan, started = make_plan(args), time.time()
    python = pytm_python(args) if "pytm" in plan.only else None
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as folder:
        scratch = Path(folder)
        with baseline_tree(args.baseline, scratch) as before:
            trees = (before, byte_compiled(Tree("after", ROOT)))
            rows: list[Row] = []
            for n in plan.sizes:
                rows += measure_size(n, trees, plan, python, scratch)
            if "report" in plan.only:
                print("  report on platform.toml…", flush=True)
                rows.append(measure_report(trees, 3, scratch))
            sample_rows = measure_samples(trees, plan, scratch) if "samples" in plan.only else []
    rows.sort(
        key=lambda row: list(OPERATIONS.values()).index(row.operation) if row.operation in OPERATIONS.values() else 99
    )
    text = (
        f"# Speed: issue 16's table (`bench/bench_speed.py{' --quick' if args.quick else ''}`)\n\n"
        f"N components, 2N flows, N/10 boundaries; before = `{args.baseline}`, after = the working tree, "
        f"pytm {PYTM_VERSION} on the same model.\n\n"
        + markdown_table(rows, args.baseline)
        + "\n## Sample models: every interaction through Pilot (goal: p95 under 16 ms)\n\n"
        + samples_table(sample_rows)
        + "\n"
        + machine_note(plan, started)
    )
    print("\n" + text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
