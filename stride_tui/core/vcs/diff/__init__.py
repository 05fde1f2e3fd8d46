"""Semantic diff of two versions of a model: what a reviewer of a pull request needs to see.

Elements (boundaries, components, flows, custom threats) added, removed, renamed and changed —
with each changed key, old → new; flows whose boundary crossings changed; findings new, gone and
changed (analysis runs on both versions); decisions added, removed and changed; rules newly
disabled. A **rename** is an element whose id changed while everything else stayed the same;
finding and decision ids follow renames too, so a rename alone shows no finding churn.
Everything is ordered deterministically.

``compare`` computes the diff, ``changes`` holds its values and the gate, ``summary`` and the
``render_*`` modules show it. Every name callers need is importable from here.
"""

from __future__ import annotations

from .changes import (
    KEY_ORDER,
    SECTIONS,
    CrossingChange,
    ElementChange,
    FieldChange,
    FindingChange,
    ModelDiff,
    SectionDiff,
    element_name,
    finding_order,
)
from .compare import (
    diff_models,
)
from .render_json import (
    diff_json,
)
from .render_markdown import (
    diff_markdown,
)
from .render_text import (
    diff_text,
)
from .summary import (
    gate_line,
    summary_line,
)

__all__ = [
    "KEY_ORDER",
    "SECTIONS",
    "CrossingChange",
    "ElementChange",
    "FieldChange",
    "FindingChange",
    "ModelDiff",
    "SectionDiff",
    "diff_json",
    "diff_markdown",
    "diff_models",
    "diff_text",
    "element_name",
    "finding_order",
    "gate_line",
    "summary_line",
]
