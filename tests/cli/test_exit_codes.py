"""Exit codes are one enum (DESIGN §4): its values, and no command spelling its own."""

from __future__ import annotations

import re
from pathlib import Path

from stride_tui.cli import main
from stride_tui.core.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
# a bare number returned or exited with, or a module-level alias such as `EXIT_OK = 0`
_LITERAL_EXIT = re.compile(r"\breturn \d+\b|\bexit\(\d|\bEXIT_\w+\b|^\s*(OK|FAILED|BAD_INPUT)\b.*=\s*\d")


def test_the_documented_values() -> None:
    assert (ExitCode.OK, ExitCode.FAILED, ExitCode.BAD_INPUT, ExitCode.INTERRUPTED) == (0, 1, 2, 130)


def test_usage_errors_and_bad_input_exit_2(tmp_path: Path) -> None:
    assert main(["validate", "--no-such-option"]) == ExitCode.BAD_INPUT
    assert main(["validate", str(tmp_path / "missing.toml")]) == ExitCode.BAD_INPUT
    assert main([]) == ExitCode.OK


def test_no_command_spells_an_exit_code_as_a_number() -> None:
    sources = [
        ROOT / "stride_tui/cli.py",
        ROOT / "stride_tui/app.py",
        *sorted((ROOT / "stride_tui/commands").glob("*.py")),
    ]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _LITERAL_EXIT.search(line)
    ]
    assert offenders == []
