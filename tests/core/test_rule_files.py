"""Rule files are untrusted input: every problem stops the run with FILE:LINE and the rule id."""

from __future__ import annotations

import pytest

from stride_tui.core.analysis.rules import DisabledRule, combine, model_rule_paths, parse_rule_file, rules_for
from stride_tui.core.files.diagnostics import ModelError

GOOD = """\
stride_tui_rules = 1

[rules.my-rule]
target = "process"
category = "spoofing"
severity = "low"
title = "t"
description = "d"
mitigations = ["m"]
"""


def errors(text: str) -> list[str]:
    with pytest.raises(ModelError) as info:
        parse_rule_file(text.encode(), "r.toml")
    return [str(d) for d in info.value.diagnostics]


def with_when(when: str) -> str:
    return GOOD + f"when = {when}\n"


def test_python_in_a_condition_is_rejected_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    text = with_when(f"\"__import__('os').system('touch {marker}')\"")
    (error,) = errors(text)
    assert error.startswith("r.toml:10:1: error: rule my-rule: a condition must be a table")
    assert not marker.exists()


def test_python_as_a_fact_value_is_only_data():
    rules = parse_rule_file(with_when('{ fact = "technology", equals = "__import__(\'os\')" }').encode(), "r.toml")
    assert rules.rules[0].condition.value == "__import__('os')"


def test_absurd_depth_is_rejected():
    nested = '{ fact = "audit_log", equals = true }'
    for _ in range(12):
        nested = "{ not = " + nested + " }"
    (error,) = errors(with_when(nested))
    assert "rule my-rule: condition nests deeper than 8 levels" in error


def test_too_many_parts_is_rejected():
    atoms = ", ".join(['{ fact = "audit_log", equals = true }'] * 70)
    (error,) = errors(with_when("{ any = [" + atoms + "] }"))
    assert "more than 64 parts" in error


def test_unknown_operator_and_fact():
    assert "unknown condition with keys eval" in errors(with_when('{ eval = "1" }'))[0]
    (error,) = errors(with_when('{ fact = "encrypted", equals = true }'))
    assert "`encrypted` is not a fact of process components" in error
    (error,) = errors(with_when('{ fact = "audit_lg", equals = true }'))
    assert "(did you mean `audit_log`?)" in error
    (error,) = errors(with_when('{ fact = "audit_log", equals = true, in = [true] }'))
    assert "exactly one of" in error


def test_unknown_key_missing_key_and_bad_values_all_reported_with_lines():
    text = GOOD.replace('severity = "low"', 'severity = "urgent"').replace('title = "t"\n', "") + 'mitigation = ["x"]\n'
    text += '\n[rules.Bad_Id]\ntarget = "flow"\n'
    found = errors(text)
    assert "r.toml:3:1: error: rule my-rule: missing required key `title`" in found
    assert any(e.startswith("r.toml:6:1: error: rule my-rule: `severity`") for e in found)
    assert any("unknown key `mitigation` (did you mean `mitigations`?)" in e for e in found)
    assert any("rule 'Bad_Id': ids are lowercase" in e for e in found)


def test_flow_and_component_targets_cannot_mix():
    (error,) = errors(GOOD.replace('target = "process"', 'target = ["flow", "process"]'))
    assert "either flows or components" in error


def test_attack_is_for_component_rules_and_takes_three_values():
    assert parse_rule_file((GOOD + 'attack = "foothold"\n').encode(), "r.toml").rules[0].attack == "foothold"
    (error,) = errors(GOOD.replace('target = "process"', 'target = "flow"') + 'attack = "build"\n')
    assert "r.toml:" in error and "`attack` = 'build' is for component rules" in error
    (error,) = errors(GOOD + 'attack = "network"\n')
    assert "r.toml:" in error and "attack" in error


def test_header_and_top_level_keys_are_checked():
    assert (
        "must start with `stride_tui_rules = 1`"
        in errors(GOOD.replace("stride_tui_rules = 1", "stride_tui_rules = 2"))[0]
    )
    assert "unknown key `rule`" in errors(GOOD + "\n[rule.x]\na = 1\n")[0]
    assert errors("not toml [")[0].startswith("r.toml:1:")


def test_oversize_rule_file_is_rejected():
    assert "larger than" in errors("#" * (1024 * 1024 + 1))[0]


def test_duplicate_id_across_files_never_shadows():
    a = parse_rule_file(GOOD.encode(), "a.toml")
    b = parse_rule_file(GOOD.encode(), "b.toml")
    with pytest.raises(ModelError) as info:
        combine([a, b])
    assert str(info.value).startswith("b.toml:3: error: rule my-rule: id already defined in a.toml:3")


def test_disable_turns_off_by_id_with_a_reason_and_refuses_unknown_ids():
    base = parse_rule_file(GOOD.encode(), "a.toml")
    off = parse_rule_file(b'stride_tui_rules = 1\n\n[disable]\nmy-rule = "the mesh does it"\n', "off.toml")
    ruleset = combine([base, off])
    assert ruleset.for_kind("process") == []
    assert ruleset.disabled == {"my-rule": DisabledRule("my-rule", "off.toml", "the mesh does it")}
    assert str(ruleset.disabled["my-rule"]) == "my-rule (disabled by off.toml: the mesh does it)"
    bad = parse_rule_file(b'stride_tui_rules = 1\n[disable]\nnope = "x"\n', "bad.toml")
    with pytest.raises(ModelError) as unknown:
        combine([base, bad])
    assert str(unknown.value) == "bad.toml:3: error: `disable` names unknown rule `nope`"


def test_a_disabled_rule_needs_a_reason():
    with pytest.raises(ModelError) as listed:
        parse_rule_file(b'stride_tui_rules = 1\ndisable = ["my-rule", "other"]\n', "old.toml")
    assert str(listed.value) == (
        "old.toml:2: error: a disabled rule needs a reason, so reviewers see why: write\n[disable]\n"
        'my-rule = "why it does not apply here"\nother = "why it does not apply here"\n'
    )
    with pytest.raises(ModelError, match="disabled rule `my-rule` needs a reason that says why"):
        parse_rule_file(b'stride_tui_rules = 1\n[disable]\nmy-rule = "  "\n', "blank.toml")


def test_model_rule_files_must_stay_inside_the_repository(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "models").mkdir()
    model_file = repo / "models" / "m.toml"
    assert model_rule_paths(model_file, ["../rules/x.toml"]) == [repo / "rules" / "x.toml"]
    with pytest.raises(ModelError, match="outside the model's repository"):
        model_rule_paths(model_file, ["../../elsewhere.toml"])
    (repo / "models" / "link.toml").symlink_to(tmp_path / "outside.toml")
    with pytest.raises(ModelError, match="outside the model's repository"):
        model_rule_paths(model_file, ["link.toml"])


def test_missing_configured_rule_file_is_an_error(tmp_path):
    (tmp_path / ".git").mkdir()
    with pytest.raises(ModelError, match="cannot read rule file"):
        rules_for(tmp_path / "m.toml", ["missing.toml"])


def test_model_rule_files_and_cli_rules_add_to_builtins(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    (tmp_path / "team.toml").write_text(GOOD)
    (tmp_path / "m.toml").write_text(
        'stride_tui = 1\n\n[model]\ntitle = "M"\nrule_files = ["team.toml"]\n\n'
        '[components.svc]\nkind = "process"\nname = "Svc"\n'
    )
    code, out, _ = run_cli("threats", tmp_path / "m.toml", "--element", "svc", "--format", "json")
    assert code == 0 and '"id": "my-rule@svc"' in out
    other = tmp_path / "other.toml"
    other.write_text(GOOD.replace("my-rule", "cli-rule"))
    code, out, _ = run_cli("threats", tmp_path / "m.toml", "--rules", other, "--format", "csv")
    assert code == 0 and "cli-rule@svc" in out and "my-rule@svc" in out
    code, _, err = run_cli("threats", tmp_path / "m.toml", "--rules", tmp_path / "team.toml")
    assert code == 2 and "id already defined" in err


def test_rule_texts_fill_only_their_placeholders():
    from stride_tui.core.analysis.rules import Template

    values = {
        "element": "Api {0}",
        "source": "Web }",
        "target": "Db",
        "boundaries": "Zone",
        "data": "cards",
        "protocol": "https",
    }
    texts = {
        "no placeholder, {braces} and {{doubled}} kept": "no placeholder, {braces} and {{doubled}} kept",
        "{element} is exposed": "Api {0} is exposed",
        "{source} → {target}": "Web } → Db",
        "{source} sends {data} to {target}": "Web } sends cards to Db",
        "{source} sends {data} to {target} over {protocol}": "Web } sends cards to Db over https",
        "{source} sends {data} to {target} over {protocol} across {boundaries}": (
            "Web } sends cards to Db over https across Zone"
        ),
        "{source} sends {data} to {target} over {protocol} across {boundaries} ({element}) {x}": (
            "Web } sends cards to Db over https across Zone (Api {0}) {x}"
        ),
    }
    for text, filled in texts.items():
        assert Template(text).fill(values) == filled


def test_every_problem_of_a_models_rule_files_is_named_at_once(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    model_file = repo / "m.toml"
    (repo / "bad.toml").write_text("stride_tui_rules = 1\n[rules.x]\nnope = 1\n")
    with pytest.raises(ModelError) as info:
        rules_for(model_file, ["missing.toml", "../elsewhere.toml", "bad.toml"])
    messages = [d.message for d in info.value.diagnostics]
    assert "rule file `../elsewhere.toml` is outside the model's repository" in messages[0]
    assert messages[1].startswith("cannot read rule file")
    assert messages[2:] and all(m.startswith("rule x: ") for m in messages[2:])  # bad.toml's own
