"""``stride-tui add MODEL LINE…``: sketch lines from the command line, saved once or not at all."""

from __future__ import annotations

import shlex
from pathlib import Path

from stride_tui.core.files.loader import load_model

from ..shared import MINIMAL


def test_add_builds_the_refund_feature_and_saves_a_valid_canonical_file(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "refund.toml"
    assert run_cli("new", model, "--title", "Refund")[0] == 0
    code, out, err = run_cli(
        "add",
        model,
        "[Internet] Customer",
        "[Cluster] API gateway, Refund service",
        "Customer > API gateway > Refund service : https, jwt",
    )
    assert (code, err) == (0, "")
    assert "added flow customer-to-api-gateway" in out and "note: a kind was guessed" in out
    loaded = load_model(model)
    assert set(loaded.model.components) == {"customer", "api-gateway", "refund-service"}
    assert loaded.model.flows["api-gateway-to-refund-service"].authentication == "jwt"
    assert run_cli("fmt", "--check", model)[0] == 0  # saved through the canonical save path


def test_a_bad_line_writes_nothing_and_points_at_the_fault(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "m.toml"
    model.write_text(MINIMAL, encoding="utf-8")
    before = model.read_bytes()
    code, out, err = run_cli("add", model, "API > Cache", "API > Cache : htps")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"{model}: error: line 2, column 15: 'htps' is not a fact of a flow (did you mean 'https'?)"
    assert lines[1] == "  API > Cache : htps"
    assert lines[2] == "  " + " " * 14 + "^^^^"
    assert model.read_bytes() == before  # line 1 was fine, but nothing is written


def test_dry_run_and_comments(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "m.toml"
    model.write_text("# our model\n" + MINIMAL, encoding="utf-8")
    before = model.read_bytes()
    code, out, _ = run_cli("add", "--dry-run", model, "API > Cache (store)")
    assert code == 0 and "would change" in out and model.read_bytes() == before
    code, _, err = run_cli("add", model, "API > Cache (store)")
    assert code == 2 and "has comments (lines 1)" in err and model.read_bytes() == before
    assert run_cli("add", "--drop-comments", model, "API > Cache (store)")[0] == 0
    assert "cache" in load_model(model).model.components


def test_hostile_text_never_reaches_the_terminal(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "m.toml"
    model.write_text(MINIMAL, encoding="utf-8")
    code, out, err = run_cli("add", model, "API > X : \x1b]52;c;aGk=\x07\u202e")
    assert code == 2
    assert "\x1b" not in err + out and "\x07" not in err and "\u202e" not in err
    assert "\\u001b" in err and "<U+202E>" in err


def test_a_control_character_in_a_new_name_is_placed_like_any_problem(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "m.toml"
    model.write_text(MINIMAL, encoding="utf-8")
    code, out, err = run_cli("add", model, "Ctl\x1bName > Customer")
    assert code == 2 and "internal error" not in err and "\x1b" not in err + out
    assert f"{model}: error: line 1, column 1: name: `name` contains control character U+001B" in err
    assert model.read_text(encoding="utf-8") == MINIMAL


def test_a_missing_or_invalid_model_is_exit_2(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("add", tmp_path / "missing.toml", "A > B")
    assert code == 2 and "missing.toml" in err


def test_one_placed_chain_line_builds_the_refund_feature(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "refund.toml"
    assert run_cli("new", model, "--title", "Refund")[0] == 0
    line = "[Internet] Customer > [Cluster] API gateway > Refund service > Payments service, [+Data tier] Ledger DB"
    code, out, err = run_cli("add", model, line)
    assert (code, err) == (0, "")
    assert "added boundary Data tier in Cluster" in out
    loaded = load_model(model).model
    assert {cid: c.boundary for cid, c in loaded.components.items()} == {
        "customer": "internet",
        "api-gateway": "cluster",
        "refund-service": "cluster",
        "payments-service": "cluster",
        "ledger-db": "data-tier",
    }
    assert loaded.boundaries["data-tier"].parent == "cluster" and len(loaded.flows) == 4


def test_a_nesting_bracket_with_nothing_to_nest_in_writes_nothing(tmp_path: Path, run_cli) -> None:
    model = tmp_path / "m.toml"
    model.write_text(MINIMAL, encoding="utf-8")
    before = model.read_bytes()
    code, _, err = run_cli("add", model, "API > [+Data tier] Ledger DB")
    assert code == 2 and "[+Data tier] nests in the boundary named before it" in err
    assert err.splitlines()[2] == "  " + " " * 6 + "^" * len("[+Data tier]")
    assert model.read_bytes() == before


def test_add_help_gives_the_placing_syntax(run_cli) -> None:
    code, out, _ = run_cli("add", "--help")
    assert code == 0
    assert "[Internet] Customer > [Cluster] API gateway > Refund service" in out
    assert "[+Inner] is a boundary inside the one in" in out


def test_the_examples_of_add_help_run_in_order_on_a_new_model(tmp_path: Path, run_cli) -> None:
    _, help_text, _ = run_cli("add", "--help")
    examples = [
        line.split("model.toml ", 1)[1] for line in help_text.splitlines() if "stride-tui add model.toml" in line
    ]
    assert len(examples) >= 5
    model = tmp_path / "model.toml"
    assert run_cli("new", model, "--title", "Refund")[0] == 0
    for example in examples:
        line = shlex.split(example)[0]
        code, _, err = run_cli("add", model, line)
        assert (code, err) == (0, ""), line
    assert load_model(model).model.boundaries["data-tier"].parent == "cluster"
