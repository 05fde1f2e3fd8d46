"""What the editor keeps between analyses: the analyzer per rule files, findings by element,
and which element an undo brought back."""

from __future__ import annotations

from pathlib import Path

from stride_tui.core.analysis.finding_index import FindingIndex
from stride_tui.core.analysis.rule_cache import RuleCache
from stride_tui.core.editing.changes import changed_element
from stride_tui.core.editing.put import put_component
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import Process

from ..shared import SAMPLES


def checkout():
    return load_model(SAMPLES / "checkout.toml").model


def test_the_analyzer_is_kept_while_the_rule_files_stay_the_same(tmp_path: Path) -> None:
    model, cache = checkout(), RuleCache()
    path = tmp_path / "model.toml"
    first = cache.analyzer(model, path)
    assert cache.analyzer(model, path) is first and cache.problem is None
    cache.forget()
    assert cache.analyzer(model, path) is not first


_TEAM_RULE = """stride_tui_rules = 1

[rules.team-flows-named]
target = "flow"
category = "information_disclosure"
severity = "low"
remedy = "team-review"
control = "a review by the team"
title = "{element} needs the team's review"
description = "Every flow of {element}'s kind is reviewed by the team."
mitigations = ["Review it."]
references = ["CWE-319"]
when.all = [ { fact = "encrypted", equals = %s } ]
"""


def test_a_rule_file_edited_on_disk_is_used_at_the_next_analysis(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # rule files must stay inside the model's repository
    (tmp_path / "team.toml").write_text(_TEAM_RULE % "true", encoding="utf-8")
    model = checkout()
    model = model.model_copy(update={"model": model.model.model_copy(update={"rule_files": ["team.toml"]})})
    cache, path = RuleCache(), tmp_path / "model.toml"

    def fired() -> set[str]:
        return {f.element_id for f in cache.analyse(model, path).findings if f.rule_id == "team-flows-named"}

    encrypted = {fid for fid, f in model.flows.items() if f.encrypted is True and not f.out_of_scope}
    assert fired() == encrypted and cache.problem is None
    first = cache.analyzer(model, path)
    (tmp_path / "team.toml").write_text(_TEAM_RULE % "false", encoding="utf-8")
    assert cache.analyzer(model, path) is not first
    assert fired() == {fid for fid, f in model.flows.items() if f.encrypted is False and not f.out_of_scope}


def test_missing_rule_files_fall_back_to_the_builtin_rules_and_say_why(tmp_path: Path) -> None:
    model = checkout()
    meta = model.model.model_copy(update={"rule_files": ["missing.toml"]})
    broken = model.model_copy(update={"model": meta})
    cache = RuleCache()
    analysis = cache.analyse(broken, tmp_path / "model.toml")
    assert cache.problem is not None and cache.problem.startswith("rule files not used")
    assert analysis.findings  # the built-in rules ran


def test_the_index_answers_like_the_analysis(tmp_path: Path) -> None:
    analysis = RuleCache().analyse(checkout(), tmp_path / "model.toml")
    index = FindingIndex(analysis)
    assert index.for_selection(None) == analysis.findings
    for element_id in list(analysis.model.components) + list(analysis.model.flows):
        assert index.for_selection("component", element_id) == analysis.for_element(element_id)
    for boundary_id in analysis.model.boundaries:
        assert {f.id for f in index.for_selection("boundary", boundary_id)} == {
            f.id for f in analysis.for_boundary(boundary_id)
        }


def test_the_changed_element_is_the_one_an_edit_touched() -> None:
    before = checkout()
    after = put_component(before, "web", Process(kind="process", name="Web"))
    assert changed_element(before, after) == ("components", "web")
    assert changed_element(after, after) is None
    decided = next(iter(before.decisions))
    without = before.model_copy(update={"decisions": {k: v for k, v in before.decisions.items() if k != decided}})
    assert changed_element(without, before) == ("findings", decided)
