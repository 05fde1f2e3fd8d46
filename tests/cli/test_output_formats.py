"""The output format of render, report and stories: --format, else OUT's extension, never a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_models"


@pytest.mark.parametrize(
    ("command", "name", "what"),
    [("render", "d.pdf", "diagram"), ("report", "r.docx", "report"), ("stories", "s.txt", "story list")],
)
def test_an_extension_no_format_is_written_as_is_refused_and_nothing_written(run_cli, tmp_path, command, name, what):
    out = tmp_path / name
    code, _, err = run_cli(command, SAMPLES / "checkout.toml", "-o", out)
    assert code == 2
    assert f"no {what} format is written as .{out.suffix[1:]}" in err and "--format" in err
    assert not out.exists()


def test_format_given_or_no_extension_writes_that_format(run_cli, tmp_path):
    named = tmp_path / "d.pdf"
    code, _, err = run_cli("render", SAMPLES / "checkout.toml", "-o", named, "--format", "dot")
    assert code == 0, err
    assert named.read_text(encoding="utf-8").startswith("digraph dfd {")
    bare = tmp_path / "diagram"
    code, _, err = run_cli("render", SAMPLES / "checkout.toml", "-o", bare, "--format", "mermaid")
    assert code == 0, err
    assert bare.read_text(encoding="utf-8").startswith("flowchart")
    report = tmp_path / "REPORT"
    code, _, err = run_cli("report", SAMPLES / "checkout.toml", "-o", report)
    assert code == 0, err
    assert report.read_text(encoding="utf-8").startswith("# ")  # Markdown, the default


def test_the_extension_is_read_whatever_its_case(run_cli, tmp_path):
    out = tmp_path / "d.MMD"
    code, _, err = run_cli("render", SAMPLES / "checkout.toml", "-o", out)
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("flowchart")


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf"])
@pytest.mark.parametrize("command", ["render", "report"])
def test_a_timeout_must_be_a_positive_number_of_seconds(run_cli, command, value):
    code, _, err = run_cli(command, SAMPLES / "checkout.toml", f"--timeout={value}")
    assert code == 2
    assert "argument --timeout" in err
