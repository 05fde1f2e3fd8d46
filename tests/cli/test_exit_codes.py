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


def test_each_command_is_registered_by_the_module_the_cli_imports_for_it(capsys) -> None:
    """The CLI imports only the module of the command it runs: its table must name, for every
    subcommand, the module that registers it, and the one-module grammar must parse and document
    the command as the whole grammar does."""
    import argparse

    from stride_tui.cli import COMMANDS, build_parser

    def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return dict(action.choices)

    whole = subcommands(build_parser())
    assert set(whole) == {*COMMANDS, "edit"}
    for command, module in COMMANDS.items():
        alone = subcommands(build_parser(module))
        assert command in alone and "edit" in alone
        assert alone[command].format_help() == whole[command].format_help()
    assert main(["threats", "--no-such-option"]) == ExitCode.BAD_INPUT
    assert "usage: stride-tui threats" in capsys.readouterr().err
