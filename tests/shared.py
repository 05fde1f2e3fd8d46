"""What tests share: paths, a minimal model, and the Graphviz skip rule."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_models"
INVALID = Path(__file__).resolve().parent / "invalid"


def with_meta(model, **changes):
    """``model`` with its ``[model]`` table changed (models are immutable values: edits copy)."""
    return model.model_copy(update={"model": model.model.model_copy(update=changes)})


MINIMAL = """\
stride_tui = 1

[model]
title = "Minimal"

[boundaries.internet]
name = "Internet"
internet = true

[components.user]
kind = "external_entity"
name = "User"
boundary = "internet"

[components.api]
kind = "process"
name = "API"

[flows.user-to-api]
from = "user"
to = "api"
protocol = "https"
"""


def needs_graphviz() -> pytest.MarkDecorator:
    """Skip only when `dot` is absent and this is not CI: in CI Graphviz tests must run."""
    missing = shutil.which("dot") is None
    return pytest.mark.skipif(missing and not os.environ.get("CI"), reason="Graphviz `dot` not installed")
