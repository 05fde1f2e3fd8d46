"""What the details pane and the STRIDE panel's heading say about a threat or an empty boundary:
the question's own answer keys, an element's id only when its name is not that id, and where
the threats of a boundary's crossing flows went."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.questions import questions
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.files.loader import load_model
from stride_tui.screens.stride_heading import StrideHeading
from widgets.threat_text import threat_details

NESTED = """\
stride_tui = 1

[model]
title = "Nested"

[boundaries.internet]
name = "Internet"
internet = true

[boundaries.cluster]
name = "Cluster"

[boundaries.tier]
name = "Data tier"
parent = "cluster"

[components.user]
kind = "external_entity"
name = "Shopper"
boundary = "internet"

[components.ledger]
kind = "process"
boundary = "tier"

[flows.pay]
from = "user"
to = "ledger"
"""


def _analysed(tmp_path: Path):
    path = tmp_path / "nested.toml"
    path.write_text(NESTED, encoding="utf-8")
    analysis = analyse(load_model(path).model, builtin_rules())
    threats = group_threats(analysis)
    return analysis, threats, questions(analysis, threats)


def _plain(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_threat_says_the_keys_its_own_question_takes(tmp_path: Path) -> None:
    analysis, threats, asked = _analysed(tmp_path)
    seen = set()
    for threat in threats:
        mine = [q for q in asked if threat.id in q.threat_ids]
        if not mine:
            continue
        text = _plain(threat_details(threat, analysis.model, mine))
        keys = " / ".join(mine[0].answers)
        lead = "rests on unanswered questions" if threat.provisional else "a question could settle it"
        how = f"{keys} in the panel answers" if keys else "the element's form (e) answers"
        assert f"? {lead}: {how} " in text, text
        seen.add((threat.provisional, keys))
    assert any(keys == "y / n" for _, keys in seen), seen
    assert any(keys not in ("y / n", "") for _, keys in seen), "a fact of several values has fewer keys"


def test_an_element_without_a_name_is_not_named_by_its_id_twice(tmp_path: Path) -> None:
    analysis, threats, _ = _analysed(tmp_path)
    on_ledger = next(t for t in threats if t.element_id == "ledger")
    on_pay = next(t for t in threats if t.element_id == "pay")
    assert "on process ledger\n" in _plain(threat_details(on_ledger, analysis.model))
    assert "pay" in _plain(threat_details(on_pay, analysis.model))
    assert "(pay)" not in _plain(threat_details(on_pay, analysis.model))


def test_an_empty_boundary_says_where_its_crossing_flows_were_walked(tmp_path: Path) -> None:
    analysis, _, _ = _analysed(tmp_path)
    heading = StrideHeading.of(analysis, "boundary", "cluster", None)
    assert heading.empty == (
        "No threats here: 1 flow crosses it, each walked at the boundary it enters (or leaves): Data tier (1)."
    )
