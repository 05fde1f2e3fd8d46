"""The file commands: new, validate, fmt, schema — outputs and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import tomli

from stride_tui.core.files.loader import load_model

from ..shared import MINIMAL, SAMPLES


def test_new_writes_a_valid_minimal_model(tmp_path, run_cli):
    path = tmp_path / "payments-api.toml"
    code, out, _ = run_cli("new", path)
    assert (code, out) == (0, f"created {path}\n")
    assert load_model(path).model.model.title == "Payments api"
    assert run_cli("new", path, "--title", "Other")[0] == 2  # never overwrites
    assert load_model(path).model.model.title == "Payments api"


def test_new_with_title(tmp_path, run_cli):
    path = tmp_path / "m.toml"
    assert run_cli("new", path, "--title", "Checkout [v2]")[0] == 0
    assert path.read_text() == 'stride_tui = 1\n\n[model]\ntitle = "Checkout [v2]"\n'


def test_new_refuses_control_characters_in_title(tmp_path, run_cli):
    code, _, err = run_cli("new", tmp_path / "m.toml", "--title", "a\x1bb")
    assert code == 2 and "invalid --title" in err
    assert not (tmp_path / "m.toml").exists()


def test_validate_many_files_reports_each(tmp_path, minimal_file, run_cli):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.replace('to = "api"', 'to = "ghost"'))
    code, out, err = run_cli("validate", minimal_file, bad)
    assert code == 2
    assert out == f"{minimal_file}: ok (2 components, 1 flow, 1 boundary)\n"
    assert err.startswith(f"{bad}:21:1: error: `flows.user-to-api.to` names unknown component `ghost`")


def test_validate_quiet_prints_nothing_when_valid(minimal_file, run_cli):
    assert run_cli("validate", "-q", minimal_file) == (0, "", "")


def test_validate_checks_the_rule_files_a_model_loads(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    model = tmp_path / "m.toml"
    model.write_text(MINIMAL.replace('title = "Minimal"', 'title = "Minimal"\nrule_files = ["nope.toml"]'))
    code, out, err = run_cli("validate", model)
    assert code == 2 and "ok" not in out
    assert f"{tmp_path / 'nope.toml'}: error: cannot read rule file" in err
    (tmp_path / "nope.toml").write_text("stride_tui_rules = 1\n")
    assert run_cli("validate", "-q", model) == (0, "", "")


def test_validate_missing_file(tmp_path, run_cli):
    code, _, err = run_cli("validate", tmp_path / "none.toml")
    assert code == 2 and err == f"{tmp_path / 'none.toml'}: error: no such file\n"


def test_fmt_check_reports_and_changes_nothing(minimal_file, run_cli):
    messy = MINIMAL.replace('title = "Minimal"', 'title    =   "Minimal"')
    minimal_file.write_text(messy)
    code, _, err = run_cli("fmt", "--check", minimal_file)
    assert code == 1 and "not canonical" in err
    assert minimal_file.read_text() == messy
    assert run_cli("fmt", minimal_file)[:2] == (0, f"reformatted {minimal_file}\n")
    assert minimal_file.read_text() == MINIMAL
    assert run_cli("fmt", "--check", minimal_file) == (0, "", "")


def test_fmt_diff_shows_the_change(minimal_file, run_cli):
    minimal_file.write_text(MINIMAL.replace('title = "Minimal"', "title='Minimal'"))
    code, out, _ = run_cli("fmt", "--check", "--diff", minimal_file)
    assert code == 1
    assert "-title='Minimal'\n+title = \"Minimal\"\n" in out


def test_fmt_keeps_files_with_comments_unless_told(minimal_file, run_cli):
    commented = "# owned by payments\n" + MINIMAL.replace("title = ", "title  = ")
    minimal_file.write_text(commented)
    code, _, err = run_cli("fmt", minimal_file)
    assert code == 2 and ":1: error: has comments (lines 1)" in err
    assert minimal_file.read_text() == commented
    assert run_cli("fmt", "--drop-comments", minimal_file)[0] == 0
    assert minimal_file.read_text() == MINIMAL


def test_fmt_normalises_crlf_and_bom(minimal_file, run_cli):
    minimal_file.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    assert run_cli("fmt", minimal_file)[0] == 0
    assert minimal_file.read_bytes() == MINIMAL.encode()


def test_fmt_invalid_file_is_left_alone(tmp_path, run_cli):
    bad = tmp_path / "bad.toml"
    bad.write_text("stride_tui = 1\n[model]\n")
    code, _, err = run_cli("fmt", bad)
    assert code == 2 and "missing required key `title`" in err
    assert bad.read_text() == "stride_tui = 1\n[model]\n"


def test_schema_is_valid_json_schema_and_accepts_every_sample(run_cli):
    code, out, _ = run_cli("schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in SAMPLES.glob("*.toml"):
        assert list(validator.iter_errors(tomli.loads(path.read_text()))) == [], path


def test_schema_rejects_what_the_loader_rejects(run_cli):
    schema = json.loads(run_cli("schema")[1])
    validator = jsonschema.Draft202012Validator(schema)
    data = tomli.loads(MINIMAL)
    data["flows"]["user-to-api"]["protocl"] = "https"
    data["components"]["api"]["trusted"] = True
    data["stride_tui"] = 2
    assert len(list(validator.iter_errors(data))) >= 3


def test_unknown_option_and_command_exit_2(run_cli, minimal_file):
    assert run_cli("validate", "--bogus", minimal_file)[0] == 2
    assert run_cli("fmt")[0] == 2


def test_python_dash_m_and_help_work():
    result = subprocess.run([sys.executable, "-m", "stride_tui", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("new", "validate", "fmt", "schema", "edit"):
        assert command in result.stdout
    for command in ("new", "validate", "fmt", "schema"):
        sub = subprocess.run([sys.executable, "-m", "stride_tui", command, "--help"], capture_output=True, text=True)
        assert sub.returncode == 0 and "usage: stride-tui " + command in sub.stdout


def test_internal_errors_print_no_traceback(monkeypatch, run_cli, minimal_file):
    from stride_tui.commands import files

    monkeypatch.setattr(files, "load_model", lambda _: 1 / 0)
    code, _, err = run_cli("validate", minimal_file)
    assert code == 2
    assert "internal error: ZeroDivisionError" in err and "Traceback" not in err


def test_readme_example_model_is_valid_and_canonical(tmp_path, run_cli):
    readme = (SAMPLES.parent / "README.md").read_text()
    section = readme.split("## The model file", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.toml"
    path.write_text(example)
    assert run_cli("validate", "-q", path) == (0, "", "")
    assert run_cli("fmt", "--check", path) == (0, "", "")
