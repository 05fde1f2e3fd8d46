"""`stride-tui diff`: semantic diff of two model versions (files or git revisions), golden outputs, the gate."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model, parse_model
from stride_tui.core.vcs.diff import diff_models, diff_text

from ..shared import MINIMAL, ROOT, SAMPLES

GOLDEN = ROOT / "tests" / "golden" / "diff"
V1 = "tests/golden/diff/shop-v1.toml"
V2 = "tests/golden/diff/shop-v2.toml"


def _diff(old_text: str, new_text: str):
    rules = builtin_rules()
    old = parse_model(old_text.encode(), "old.toml").model
    new = parse_model(new_text.encode(), "new.toml").model
    return diff_models(old, new, analyse(old, rules), analyse(new, rules), "old", "new")


@pytest.mark.parametrize(
    ("fmt", "golden", "extra"),
    [
        ("text", "shop.diff.txt", ()),
        ("json", "shop.diff.json", ()),
        ("markdown", "shop.diff.md", ("--fail-on", "high")),
    ],
)
def test_golden_diff(fmt, golden, extra, run_cli, monkeypatch):
    """The whole output for two small versions of a model, byte for byte (regenerate: STRIDE_UPDATE_GOLDEN=1)."""
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli("diff", V1, V2, "--format", fmt, *extra)
    assert code == (1 if extra else 0), err
    assert err == ""
    path = GOLDEN / golden
    if os.environ.get("STRIDE_UPDATE_GOLDEN"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_the_text_gate_rates_blocking_threats_as_check_does(run_cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run_cli("diff", V1, V2, "--fail-on", "high")
    assert code == 1
    gate = out[out.index("FAILED --fail-on high") :].splitlines()
    assert "  [high] card-skimming: Malicious script skims card data in the browser" in gate
    # provisional: blocks at the risk it has if its questions are answered badly, and says so
    assert any(line.startswith("  [medium, high if confirmed] data-store-authentication@orders-db: ") for line in gate)
    assert not any(line.startswith("  [medium]") for line in gate)


def test_golden_reverse_diff_is_the_mirror(run_cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, forward, _ = run_cli("diff", V1, V2, "--format", "json")
    _, backward, _ = run_cli("diff", V2, V1, "--format", "json")
    f, b = json.loads(forward), json.loads(backward)
    for section in ("boundaries", "components", "flows", "threats", "decisions"):
        assert sorted(x["id"] for x in f[section]["added"]) == sorted(x["id"] for x in b[section]["removed"])
        assert sorted(x["id"] for x in f[section]["removed"]) == sorted(x["id"] for x in b[section]["added"])
        assert sorted((r["old_id"], r["new_id"]) for r in f[section]["renamed"]) == sorted(
            (r["new_id"], r["old_id"]) for r in b[section]["renamed"]
        )
    assert sorted(x["id"] for x in f["findings"]["new"]) == sorted(x["id"] for x in b["findings"]["gone"])


def test_diff_content(run_cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, out, _ = run_cli("diff", V1, V2, "--format", "json")
    d = json.loads(out)
    assert [c["id"] for c in d["components"]["added"]] == ["payment-service"]
    assert [c["id"] for c in d["components"]["removed"]] == ["legacy-ftp"]
    assert d["components"]["renamed"] == [{"old_id": "db", "new_id": "orders-db"}]
    api = next(c for c in d["components"]["changed"] if c["id"] == "api")
    assert {x["key"]: (x["old"], x["new"]) for x in api["changes"]}["validates_input"] == (False, True)
    assert {x["key"]: (x["old"], x["new"]) for x in api["changes"]}["audit_log"] == (None, True)
    # a renamed component does not make the flows that reference it "changed"
    assert "api-to-db" not in [c["id"] for c in d["flows"]["changed"]]
    crossings = {c["flow"]: c for c in d["crossings"]}
    assert crossings["api-to-db"]["old"] == [] and crossings["api-to-db"]["new"] == [
        {"boundary": "payments", "direction": "leaving"}
    ]
    assert "flow-unencrypted-crossing@customer-to-api" in [f["id"] for f in d["findings"]["new"]]
    assert "service-call-unauthenticated@api-to-ftp" in [f["id"] for f in d["findings"]["gone"]]
    # the decision on the renamed store follows its rename: no finding churn for it
    assert d["decisions"]["renamed"] == [
        {"old_id": "datastore-unencrypted-at-rest@db", "new_id": "datastore-unencrypted-at-rest@orders-db"}
    ]
    assert not any("orders-db" in f["id"] or "@db" in f["id"] for f in d["findings"]["new"] + d["findings"]["gone"])
    changed = {c["id"]: c for c in d["findings"]["changed"]}
    assert changed["process-broad-permissions@api"]["status"] == {"old": "accepted", "new": "open"}
    assert d["orphans_new"] == ["flow-remote-code-execution@customer-to-api"]
    assert [t["id"] for t in d["threats"]["added"]] == ["card-skimming"]


def test_gate_counts_new_and_reopened_threats(run_cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run_cli("diff", V1, V2, "--fail-on", "high", "--format", "json")
    gate = json.loads(out)["gate"]
    assert code == 1 and gate["failed"]
    # one threat for the edge flow's missing TLS, however many of its rules fire; and, as check
    # does, the new provisional threats that would be high if their questions were answered badly
    assert gate["blocking"] == [
        "card-skimming",
        "tls-in-transit@customer-to-api",
        "data-store-authentication@orders-db",
        "tls-in-transit@api-to-db",
    ]
    _, out, _ = run_cli("diff", V1, V2, "--fail-on", "low", "--format", "json")
    blocking = json.loads(out)["gate"]["blocking"]
    assert "least-privilege@api" in blocking  # re-opened (low): its decision was removed
    assert "audit-trail@payment-service" in blocking  # new with the new service
    assert run_cli("diff", V1, V2, "--fail-on", "critical")[0] == 0
    assert run_cli("diff", V1, V2)[0] == 0  # no --fail-on: never 1 for findings


def test_gate_ignores_findings_that_were_already_open(tmp_path, run_cli):
    old = tmp_path / "old.toml"
    new = tmp_path / "new.toml"
    old.write_text(MINIMAL)
    new.write_text(MINIMAL.replace('title = "Minimal"', 'title = "Minimal v2"'))
    code, out, _ = run_cli("diff", old, new, "--fail-on", "low")
    assert code == 0
    assert "passed --fail-on low" in out


def test_identical_models(tmp_path, run_cli):
    path = SAMPLES / "checkout.toml"
    code, out, err = run_cli("diff", path, path)
    assert (code, err) == (0, "")
    assert out == f"stride-tui diff: {path} → {path}\n\nSummary: no differences\n"
    assert json.loads(run_cli("diff", path, path, "--format", "json")[1])["identical"] is True


def test_rename_of_a_component_is_followed_everywhere():
    renamed = MINIMAL.replace("[components.api]", "[components.backend]").replace('to = "api"', 'to = "backend"')
    d = _diff(MINIMAL, renamed)
    assert d.sections["components"].renamed == [("api", "backend")]
    assert not d.sections["flows"] and not d.findings_new and not d.findings_gone
    assert "~ api → backend (renamed)" in diff_text(d)


def test_boundary_move_shows_crossing_change():
    moved = MINIMAL.replace('name = "User"\nboundary = "internet"', 'name = "User"')
    d = _diff(MINIMAL, moved)
    [change] = d.crossings
    assert change.flow_id == "user-to-api"
    assert [c.boundary for c in change.removed] == ["internet"] and change.added == []
    text = diff_text(d)
    assert "~ user-to-api" in text and "    - crosses internet (leaving)" in text


def test_long_text_changes_show_line_diffs():
    old = MINIMAL.replace('title = "Minimal"', 'title = "Minimal"\ndescription = """\nline one\nline two"""')
    new = MINIMAL.replace('title = "Minimal"', 'title = "Minimal"\ndescription = """\nline one\nline 2"""')
    text = diff_text(_diff(old, new))
    assert "~ description:\n      - line two\n      + line 2\n" in text


def test_output_is_deterministic(run_cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    runs = {
        run_cli("diff", "sample_models/checkout.toml", "sample_models/platform.toml", "--format", f)[1]
        for f in ("json",) * 3
    }
    assert len(runs) == 1


def test_bad_inputs_exit_2(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "model.toml"
    good.write_text(MINIMAL)
    code, out, err = run_cli("diff", "missing.toml", good)
    assert (code, out) == (2, "")
    assert err == "missing.toml: error: no such file (nor a git revision of one, like main:threat-model.toml)\n"
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.replace('to = "api"', 'to = "ghost"'))
    code, _, err = run_cli("diff", good, bad)
    assert code == 2 and "names unknown component `ghost`" in err
    code, _, err = run_cli("diff", "HEAD:model.toml", good)  # tmp_path is no git repository
    assert (
        code == 2
        and err.startswith("HEAD:model.toml: error: not a file, and ")
        and "not inside a git repository" in err
    )
    code, _, err = run_cli("diff", "--output=/tmp/x:y", good)
    assert code == 2  # never reaches git as an option
    code, _, err = run_cli("diff", good, good, "--fail-on", "extreme")
    assert code == 2 and "invalid choice" in err


def test_git_revisions(git_repo, run_cli, monkeypatch):
    model = git_repo / "threat-model.toml"
    shutil.copy(ROOT / V1, model)
    git_repo.git("add", "threat-model.toml")
    git_repo.git("commit", "-qm", "v1")
    shutil.copy(ROOT / V2, model)
    git_repo.git("commit", "-qam", "v2")
    monkeypatch.chdir(git_repo.path)
    code, out, err = run_cli("diff", "HEAD~1:threat-model.toml", "main:threat-model.toml", "--format", "json")
    assert (code, err) == (0, "")
    d = json.loads(out)
    assert d["old"] == "HEAD~1:threat-model.toml" and d["components"]["renamed"] == [
        {"old_id": "db", "new_id": "orders-db"}
    ]
    # same result as comparing the files
    _, from_files, _ = run_cli("diff", ROOT / V1, ROOT / V2, "--format", "json")
    strip = lambda doc: {k: v for k, v in json.loads(doc).items() if k not in ("old", "new")}  # noqa: E731
    assert strip(out) == strip(from_files)
    # a revision against the working tree, from a sub-folder with a ./-relative path
    (git_repo / "sub").mkdir()
    monkeypatch.chdir(git_repo / "sub")
    code, out, _ = run_cli("diff", "HEAD~1:./../threat-model.toml", "../threat-model.toml")
    assert code == 0 and "~ db → orders-db (renamed)" in out


def test_git_revision_errors(git_repo, run_cli, monkeypatch):
    (git_repo / "threat-model.toml").write_text(MINIMAL)
    (git_repo / "folder").mkdir()
    (git_repo / "folder" / "x.toml").write_text(MINIMAL)
    git_repo.git("add", ".")
    git_repo.git("commit", "-qm", "v1")
    monkeypatch.chdir(git_repo.path)
    cases = {
        "nope:threat-model.toml": "cannot read it with git: invalid object name 'nope'.",
        "HEAD:missing.toml": "cannot read it with git: path 'missing.toml' does not exist in 'HEAD'",
        "HEAD:folder": "`folder` is a folder in `HEAD`, not a file",
    }
    for spec, message in cases.items():
        code, out, err = run_cli("diff", spec, "threat-model.toml")
        assert (code, out) == (2, "")
        assert err == f"{spec}: error: {message}\n"


def test_git_revision_with_rule_files_reads_them_at_that_revision(git_repo, run_cli, monkeypatch):
    rules_v1 = (
        'stride_tui_rules = 1\n\n[rules.custom-no-name]\ntarget = "process"\ncategory = "tampering"\nseverity = "critical"\n'
        'title = "{element} is custom"\ndescription = "A custom rule."\nmitigations = ["Do something."]\n'
    )
    (git_repo / "rules.toml").write_text(rules_v1)
    model = MINIMAL.replace('title = "Minimal"', 'title = "Minimal"\nrule_files = ["rules.toml"]')
    (git_repo / "threat-model.toml").write_text(model)
    git_repo.git("add", ".")
    git_repo.git("commit", "-qm", "v1")
    (git_repo / "rules.toml").write_text(
        rules_v1.replace('"process"', '"data_store"')
    )  # working tree: rule no longer fires
    monkeypatch.chdir(git_repo.path)
    code, out, err = run_cli(
        "diff", "HEAD:threat-model.toml", "threat-model.toml", "--fail-on", "critical", "--format", "json"
    )
    assert code == 0, err
    assert [f["id"] for f in json.loads(out)["findings"]["gone"]] == ["custom-no-name@api"]


def test_revision_read_ignores_textconv(git_repo, run_cli, monkeypatch):
    """A configured textconv must not change what `diff REV:PATH` parses."""
    (git_repo / "threat-model.toml").write_text(MINIMAL)
    (git_repo / ".gitattributes").write_text("*.toml diff=stride-tui\n")
    git_repo.git("config", "diff.stride-tui.textconv", "false")
    git_repo.git("add", ".")
    git_repo.git("commit", "-qm", "v1")
    monkeypatch.chdir(git_repo.path)
    assert run_cli("diff", "HEAD:threat-model.toml", "threat-model.toml")[0] == 0


def test_core_diff_needs_no_files():
    loaded = load_model(SAMPLES / "three-tier.toml")
    rules = builtin_rules()
    analysis = analyse(loaded.model, rules)
    d = diff_models(loaded.model, loaded.model, analysis, analysis)
    assert d.empty and d.newly_open_threats("low") == []
