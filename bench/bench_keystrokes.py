"""Keystrokes to model a feature: the issue 12 "refund a card payment" model, typed in a real terminal.

Run: ``.venv/bin/python bench/bench_keystrokes.py`` (needs ``tmux``; ``--delay`` sets the time
between keys, default 20 ms; ``--keep`` keeps the model file and prints where it is).

The editor runs in a tmux session of 120×40 on a new model file; every key is sent on its own
(``tmux send-keys``), the script counts them and times each phase of the quickest path the
README describes (after an esc it waits 150 ms, as any terminal needs to tell esc from alt+key):

1. **draw** — the sketch line (``a``), one placed chain: Customer in the Internet, API gateway,
   Refund service, Payments service and the Refund events queue in the Cluster, Ledger DB and
   Audit log in a Data tier nested in it; six flows; Tab completes the first two boundaries'
   names; ``ctrl+s`` applies the line and saves the file, ``esc`` closes the line.
2. **decide** — every high and critical threat decided from the STRIDE panel with the keys the
   editor has for it (see `decide_keys`), then ``ctrl+s``.
3. **export** — ``ctrl+e`` opens on the stories (the default, top 6 undecided), enter exports.

Afterwards the saved file is loaded with the core loader and checked: every component, boundary
and flow present with the right names and places, so a lost or misplaced key fails the run.
Free-text notes are not typed (the targets exclude them).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from stride_tui.core.analysis.engine import analyse  # noqa: E402
from stride_tui.core.analysis.rules import builtin_rules  # noqa: E402
from stride_tui.core.analysis.threats import group_threats  # noqa: E402
from stride_tui.core.files.loader import load_model  # noqa: E402
from stride_tui.core.model.elements import CATEGORIES, UNDECIDED  # noqa: E402

TAB, ENTER, ESC, BACKSPACE = "Tab", "Enter", "Escape", "BSpace"
LOOK = "<look>"
LOOK_SECONDS = 0.5
"""A pause, not a key: where a user reads the screen before moving on (after filtering the
STRIDE panel: the rows it now lists decide where the cursor goes)."""
ESC_PAUSE = 0.15
"""Seconds after an esc before the next key (longer than the terminal's escape delay)."""
NAMED = {TAB, ENTER, ESC, BACKSPACE, "C-s", "C-e", "C-q", "Down", "Up", "Home", "Space"}

# The quickest documented path: one chain line creates, places and nests every component and
# flow ([Boundary] places the names after it, [+Inner] nests in the boundary in force); Tab
# completes the first boundaries from the zones (Internet, Cluster); ctrl+s applies the line and
# saves the file; esc closes the line.
DRAW: list[list[str]] = [
    ["a"],  # open the sketch line
    [*"[In", TAB, *"Customer>[Clu", TAB],  # [Internet]Customer>[Cluster]
    [*"API gateway>Refund service>Payments service,Refund events queue,[+Data tier]Ledger DB,Audit log"],
    ["C-s", ESC],  # apply the line and save the file, close the line
]

COMPONENTS = {
    "customer": ("Customer", "external_entity", "internet"),
    "api-gateway": ("API gateway", "process", "cluster"),
    "refund-service": ("Refund service", "process", "cluster"),
    "payments-service": ("Payments service", "process", "cluster"),
    "refund-events-queue": ("Refund events queue", "data_store", "cluster"),
    "ledger-db": ("Ledger DB", "data_store", "data-tier"),
    "audit-log": ("Audit log", "data_store", "data-tier"),
}
BOUNDARIES = {"internet": ("Internet", None), "cluster": ("Cluster", None), "data-tier": ("Data tier", "cluster")}
FLOWS = {
    ("customer", "api-gateway"),
    ("api-gateway", "refund-service"),
    ("refund-service", "payments-service"),
    ("refund-service", "refund-events-queue"),
    ("refund-service", "ledger-db"),
    ("refund-service", "audit-log"),
}


@dataclass
class Phase:
    name: str
    keys: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class Terminal:
    """The editor in a tmux session; every key sent is counted."""

    def __init__(self, session: str, delay: float) -> None:
        self.session = session
        self.delay = delay
        self.sent = 0

    def start(self, command: str) -> None:
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "120", "-y", "40", command], check=True)

    def send(self, keys: list[str]) -> None:
        for key in keys:
            if key == LOOK:
                time.sleep(LOOK_SECONDS)  # not a key: the user looks at the screen
                continue
            if key in NAMED:
                subprocess.run(["tmux", "send-keys", "-t", self.session, key], check=True)
            else:
                subprocess.run(["tmux", "send-keys", "-t", self.session, "-l", key], check=True)
            self.sent += 1
            # a terminal cannot tell esc from the start of an escape sequence until nothing
            # follows for ESCDELAY (Textual: 100 ms); a key sooner would make it alt+key
            time.sleep(ESC_PAUSE if key == ESC else self.delay)

    def screen(self) -> str:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True, text=True)
        return done.stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.screen():
                return
            time.sleep(0.05)
        raise SystemExit(f"timed out waiting for {text!r} on screen:\n{self.screen()}")

    def stop(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)


def wait_until(check, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False


def saved_model(path: Path):
    try:
        return load_model(path).model
    except Exception:
        return None


def drawn(path: Path) -> bool:
    model = saved_model(path)
    return model is not None and len(model.flows) == len(FLOWS)


def check_model(path: Path) -> list[str]:
    """What is wrong with the saved model (empty: every key landed where it should)."""
    model = load_model(path).model
    problems = []
    for cid, (name, kind, boundary) in COMPONENTS.items():
        component = model.components.get(cid)
        if component is None:
            problems.append(f"component {cid} missing")
        elif (component.name, component.kind, component.boundary) != (name, kind, boundary):
            problems.append(f"component {cid}: {(component.name, component.kind, component.boundary)}")
    for bid, (name, parent) in BOUNDARIES.items():
        boundary = model.boundaries.get(bid)
        if boundary is None or (boundary.name, boundary.parent) != (name, parent):
            problems.append(f"boundary {bid}: {boundary}")
    ends = {(f.source, f.target) for f in model.flows.values()}
    if ends != FLOWS:
        problems.append(f"flows: missing {FLOWS - ends}, extra {ends - FLOWS}")
    extra = set(model.components) - set(COMPONENTS)
    if extra:
        problems.append(f"extra components {extra}")
    return problems


def high_threats(path: Path) -> list:
    """The undecided high and critical threats of the saved model."""
    analysis = analyse(load_model(path).model, builtin_rules())
    return [t for t in group_threats(analysis) if t.severity in ("high", "critical") and t.status in UNDECIDED]


def decide_keys(path: Path) -> tuple[list[str], int]:
    """Keys that decide every undecided high and critical threat from the STRIDE panel, and how
    many threats that is.

    ``esc`` shows the whole model in the panel, ``4`` focuses it, ``s`` keeps the undecided and
    ``v v`` those of high risk or more. The panel lists a heading per STRIDE category with its
    threats under it (each under its first category); for each threat ``home`` and ``↓`` reach
    its row, ``d`` opens the decision and ``m`` records it as mitigated (a decided threat leaves
    the list, so the rows are counted again for the next one). ``ctrl+s`` saves.
    """
    threats = high_threats(path)
    keys = [ESC, "4", "s", "v", "v", LOOK]
    remaining = list(threats)
    while remaining:
        rows: list[str] = []
        for category in CATEGORIES:
            rows.append(f"#{category}")
            rows += [t.id for t in remaining if t.categories[0] == category]
        target = remaining.pop(0)
        keys += ["Home", *["Down"] * rows.index(target.id), "d", "m", LOOK]
    return [*keys, "C-s"], len(threats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between keys (default 0.02)")
    parser.add_argument("--keep", action="store_true", help="keep the model and exported stories")
    parser.add_argument("--session", default=f"stride-keys-{os.getpid()}", help="the tmux session's name")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("bench_keystrokes: skipped, tmux is not installed", file=sys.stderr)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="stride-keys-"))
    path = folder / "refund.toml"
    env = {
        "XDG_STATE_HOME": str(folder / "state"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"cd {shlex.quote(str(ROOT))} && {exports} {shlex.quote(sys.executable)} -m stride_tui {path}"
    terminal = Terminal(args.session, args.delay)
    phases: list[Phase] = []
    failures: list[str] = []
    try:
        terminal.start(command)
        terminal.wait_for("Components")
        time.sleep(1.0)  # the first paint is not the end of start-up: let it settle before typing

        draw = Phase("draw")
        start, before = time.perf_counter(), terminal.sent
        for line in DRAW:
            terminal.send(line)
        if not wait_until(lambda: drawn(path)):
            raise SystemExit(f"the model was not saved as drawn:\n{terminal.screen()}")
        draw.keys, draw.seconds = terminal.sent - before, time.perf_counter() - start
        problems = check_model(path)
        draw.notes = problems or ["every component, boundary and flow present with its name and place"]
        failures += problems
        phases.append(draw)

        decide = Phase("decide")
        keys, threats = decide_keys(path)
        start, before = time.perf_counter(), terminal.sent
        terminal.send(keys)
        wait_until(lambda: not high_threats(path), timeout=15)
        decide.keys, decide.seconds = terminal.sent - before, time.perf_counter() - start
        left = len(high_threats(path))
        decide.notes = [f"{threats} high/critical threats, {threats - left} decided in the file"]
        if left:
            failures.append(f"{left} high/critical threats left undecided; the screen:\n{terminal.screen()}")
        phases.append(decide)

        export = Phase("export")
        stories = folder / "refund-stories.md"
        start, before = time.perf_counter(), terminal.sent
        terminal.send(["C-e", ENTER])
        ok = wait_until(stories.exists)
        export.keys, export.seconds = terminal.sent - before, time.perf_counter() - start
        export.notes = [f"{stories.name}: {stories.read_text().count(chr(10) + '## ')} stories" if ok else "no file"]
        if not ok:
            failures.append("no stories exported")
        phases.append(export)
        terminal.send(["C-q"])
    finally:
        terminal.stop()

    total = sum(p.keys for p in phases)
    print(f"Keystrokes for the refund feature at {args.delay * 1000:.0f} ms between keys (tmux, 120x40)")
    for phase in phases:
        print(f"  {phase.name:<7} {phase.keys:>4} keys  {phase.seconds:6.1f} s   {'; '.join(phase.notes)}")
    print(f"  {'total':<7} {total:>4} keys  {sum(p.seconds for p in phases):6.1f} s")
    print("  targets: draw <= 120 keys, whole workflow <= 250 keys (free-text notes excluded)")
    if args.keep:
        print(f"  files kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    for failure in failures:
        print(f"bench_keystrokes: FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
