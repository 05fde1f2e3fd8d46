"""The STRIDE table: one entry per model category, in the model's order, and the only label source."""

from __future__ import annotations

import re
from pathlib import Path

from stride_tui.core.model.elements import CATEGORIES
from stride_tui.core.stride import CATEGORY_LABELS, STRIDE

ROOT = Path(__file__).resolve().parents[2]


def test_one_entry_per_category_in_the_model_order() -> None:
    assert tuple(c.id for c in STRIDE) == CATEGORIES
    assert "".join(c.letter for c in STRIDE) == "STRIDE"
    assert all(c.label[0] == c.letter and c.violates and c.example and c.mitigations for c in STRIDE)
    assert CATEGORY_LABELS["information_disclosure"] == "Information disclosure"


def test_no_other_module_spells_the_labels() -> None:
    label = re.compile(r'"(Information disclosure|Denial of service|Elevation of privilege)"')
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("stride_tui", "widgets")
        for path in (ROOT / folder).rglob("*.py")
        if path != ROOT / "stride_tui/core/stride.py" and label.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
