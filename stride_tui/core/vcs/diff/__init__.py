"""Semantic diff of two versions of a model: what a reviewer of a pull request needs to see.

``compare`` computes the diff; ``changes`` holds its values, ``summary`` and the ``render_*``
modules show it. Every name callers need is importable from here.
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
