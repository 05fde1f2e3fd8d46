"""Git and CI integration: the textconv recipe in a real repository, the pre-commit hooks, the Actions example."""

from __future__ import annotations

import re
import shlex
import shutil
import sys

import pytest

from stride_tui.cli import build_parser

from ..shared import MINIMAL, ROOT, SAMPLES

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"


# ---------------------------------------------------------------------------------------------
# textconv


def test_textconv_is_readable_and_stable(run_cli):
    code, out, err = run_cli("textconv", SAMPLES / "checkout.toml")
    assert (code, err) == (0, "")
    assert out == run_cli("textconv", SAMPLES / "checkout.toml")[1]
    assert 'component checkout-service "Checkout service"  process  in prod-cluster\n' in out
    assert "    crosses: internet (leaving), aws-vpc (entering), prod-cluster (entering)\n" in out
    assert re.search(r"^findings \(built-in rules and custom threats\): \d+, \d+ open$", out, re.MULTILINE)
    code, bare, _ = run_cli("textconv", "--no-findings", SAMPLES / "checkout.toml")
    assert code == 0 and "findings (" not in bare and "    crosses: " in bare


def test_textconv_never_breaks_git_diff_on_invalid_files(tmp_path, run_cli):
    broken = tmp_path / "threat-model.toml"
    broken.write_text(MINIMAL.replace('to = "api"', 'to = "ghost"'))
    code, out, err = run_cli("textconv", broken)
    assert (code, err) == (0, "")
    assert out.startswith("stride-tui: not a valid model (`flows.user-to-api.to` names unknown component `ghost`")
    assert out.endswith(MINIMAL.replace('to = "api"', 'to = "ghost"'))
    assert run_cli("textconv", tmp_path / "missing.toml")[0] == 2


def test_textconv_recipe_in_a_real_repository(git_repo):
    """The docs/git.md recipe: .gitattributes + diff.stride-tui.textconv makes `git diff` semantic."""
    command = f"{shlex.quote(sys.executable)} -m stride_tui textconv"
    (git_repo / ".gitattributes").write_text("threat-model*.toml diff=stride-tui\n")
    git_repo.git("config", "diff.stride-tui.textconv", command)
    git_repo.git("config", "diff.stride-tui.xfuncname", "^(model|boundary|component|flow|decision|threat|findings) .*$")
    model = git_repo / "threat-model.toml"
    shutil.copy(ROOT / "tests/golden/diff/shop-v1.toml", model)
    git_repo.git("add", ".")
    git_repo.git("commit", "-qm", "v1")
    text = model.read_text().replace("validates_input = false", "validates_input = true")
    model.write_text(text)
    diff = git_repo.git("-c", "core.pager=cat", "diff", "threat-model.toml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert "-    validates_input = false" in changed and "+    validates_input = true" in changed
    # the finding that stopped firing shows up too, as one line
    assert any(line.startswith("-    [") and "] open  process-input-not-validated@api " in line for line in changed)
    assert 'component api "Shop API"' in diff  # in the hunk header or the context
    # the raw TOML view stays available
    raw = git_repo.git("-c", "core.pager=cat", "diff", "--no-textconv", "threat-model.toml")
    assert "-validates_input = false" in raw


# ---------------------------------------------------------------------------------------------
# pre-commit


def _parse_hooks(text: str) -> list[dict]:
    """The subset of YAML the hooks file uses: a list of flat mappings, scalars and [a, b] lists."""
    hooks: list[dict] = []
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.startswith("- "):
            hooks.append({})
            line = "  " + line[2:]
        assert line.startswith("  ") and not line.startswith("   "), f"unexpected indentation: {raw!r}"
        key, sep, value = line.strip().partition(": ")
        assert sep, f"not a `key: value` line: {raw!r}"
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            hooks[-1][key] = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        else:
            hooks[-1][key] = value
    return hooks


def test_pre_commit_hooks_file():
    hooks = _parse_hooks(HOOKS_FILE.read_text())
    try:  # when PyYAML is around, the real parser must agree with ours
        import yaml  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        assert yaml.safe_load(HOOKS_FILE.read_text()) == hooks
    assert [h["id"] for h in hooks] == ["stride-tui-validate", "stride-tui-fmt", "stride-tui-check"]
    parser = build_parser()
    for hook in hooks:
        assert set(hook) >= {"id", "name", "entry", "language", "files"}
        assert hook["language"] == "python"
        argv = shlex.split(hook["entry"])
        assert argv[0] == "stride-tui"
        args = parser.parse_args([*argv[1:], "threat-model.toml", "docs/threat-model-payments.toml"])
        assert callable(args.run)
        pattern = re.compile(hook["files"])
        for path in ("threat-model.toml", "services/pay/threat-model.toml", "threat-model-checkout.toml"):
            assert pattern.search(path), (hook["id"], path)
        for path in ("pyproject.toml", "docs/threat-model.md", "my-threat-model.toml", "threat-model/rules.toml"):
            assert not pattern.search(path), (hook["id"], path)


@pytest.mark.parametrize("hook_id", ["stride-tui-validate", "stride-tui-fmt", "stride-tui-check"])
def test_pre_commit_hooks_run_on_several_files(hook_id, tmp_path, run_cli):
    """pre-commit passes every matching file at once: each entry must accept a list of files."""
    hook = next(h for h in _parse_hooks(HOOKS_FILE.read_text()) if h["id"] == hook_id)
    good = tmp_path / "threat-model.toml"
    good.write_text(MINIMAL)
    other = tmp_path / "threat-model-two.toml"
    other.write_text(MINIMAL)
    argv = shlex.split(hook["entry"])[1:]
    if hook_id == "stride-tui-check":
        argv += ["--fail-on", "critical"]  # `args:` in .pre-commit-config.yaml come before the files
    assert run_cli(*argv, good, other)[0] == 0
    broken = tmp_path / "threat-model-broken.toml"
    broken.write_text(MINIMAL.replace('to = "api"', 'to = "ghost"'))
    code, _, err = run_cli(*argv, good, broken)
    assert code == 2 and "ghost" in err


def test_check_on_several_files_reports_the_worst_result(tmp_path, run_cli):
    ok = tmp_path / "threat-model.toml"
    ok.write_text(MINIMAL)
    code, out, _ = run_cli("check", ok, SAMPLES / "checkout.toml", "--fail-on", "high")
    assert code == 1 and out.count(" threats from ") == 2
    assert run_cli("check", ok, "--fail-on", "critical")[0] == 0
    assert run_cli("check", ok, tmp_path / "missing.toml")[0] == 2


# ---------------------------------------------------------------------------------------------
# docs (the Action and its example workflow: test_recipes_actions.py)


def test_git_docs_show_the_recipe():
    text = (ROOT / "docs" / "git.md").read_text()
    for needle in (
        "diff=stride-tui",
        "git config diff.stride-tui.textconv",
        ".pre-commit-hooks.yaml",
        "stride-tui-check",
        "upload-sarif",
        "--fail-on",
    ):
        assert needle in text, needle
