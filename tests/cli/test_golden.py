"""Golden outputs for every sample model: findings (JSON), diagram (DOT), report and stories.

They pin the whole pipeline byte for byte, so any change in rules, analysis or rendering shows
up as a reviewable diff. After an intended change, regenerate with
``STRIDE_UPDATE_GOLDEN=1 make test ARGS=tests/cli/test_golden.py`` and review the diff in git.
"""

from __future__ import annotations

import os

import pytest

from ..shared import SAMPLES

GOLDEN = SAMPLES.parent / "tests" / "golden"
SAMPLE_NAMES = ["checkout", "three-tier", "platform"]
OUTPUTS = {
    "findings.json": ("threats", "--format", "json"),
    "dot": ("render", "--format", "dot"),
    "report.md": ("report", "--format", "markdown"),
    "stories.md": ("stories", "--format", "markdown"),
}
CASES = [(sample, output) for sample in SAMPLE_NAMES for output in ("findings.json", "dot")]
CASES += [("checkout", "report.md"), ("checkout", "stories.md")]  # the big ones once: they are large


@pytest.mark.parametrize(("sample", "output"), CASES)
def test_golden_output(sample, output, run_cli, monkeypatch):
    monkeypatch.chdir(SAMPLES.parent)  # paths in outputs are relative, as a user would run it
    command, *options = OUTPUTS[output]
    code, out, err = run_cli(command, f"sample_models/{sample}.toml", *options)
    assert code == 0, err
    golden = GOLDEN / f"{sample}.{output}"
    if os.environ.get("STRIDE_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
