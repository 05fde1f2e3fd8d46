"""What tests share: paths, a minimal model, and the Graphviz skip rule."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_models"
INVALID = Path(__file__).resolve().parent / "invalid"

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
