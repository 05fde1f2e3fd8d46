"""The git recipe of docs/git.md, as written there: hunk headers name the element or the table."""

from __future__ import annotations

import re
import shlex
import shutil
import sys

from ..shared import ROOT

GIT_DOC = ROOT / "docs" / "git.md"


def _documented(key: str) -> str:
    """The value docs/git.md gives to `git config <key> '<value>'` (the recipe under test)."""
    match = re.search(rf"^git config {re.escape(key)} (.+)$", GIT_DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"docs/git.md no longer sets {key}"
    (value,) = shlex.split(match.group(1), comments=True)
    return value


def _hunk_headers(diff: str) -> list[str]:
    return [line.split("@@", 2)[2].strip() for line in diff.splitlines() if line.startswith("@@")]


def test_xfuncname_names_the_table_in_every_hunk_header(git_repo):
    (git_repo / ".gitattributes").write_text("threat-model*.toml diff=stride-tui\n")
    git_repo.git("config", "diff.stride-tui.xfuncname", _documented("diff.stride-tui.xfuncname"))
    model = git_repo / "threat-model.toml"
    shutil.copy(ROOT / "tests/golden/diff/shop-v1.toml", model)
    git_repo.git("add", ".")
    git_repo.git("commit", "-qm", "v1")
    text = model.read_text()
    assert "validates_input = false" in text
    model.write_text(text.replace("validates_input = false", "validates_input = true"))

    # without textconv (or with --no-textconv, and in `git add -p`): the TOML table's header
    raw = _hunk_headers(git_repo.git("-c", "core.pager=cat", "diff", "threat-model.toml"))
    assert raw == ["[components.api]"]

    # with the textconv of the same recipe: the element's whole header line, not one word
    command = f"{shlex.quote(sys.executable)} -m stride_tui textconv"
    git_repo.git("config", "diff.stride-tui.textconv", command)
    readable = _hunk_headers(git_repo.git("-c", "core.pager=cat", "diff", "threat-model.toml"))
    assert readable and all(" " in header for header in readable), readable
    assert any(header.startswith("findings (built-in rules and custom threats): ") for header in readable)
    assert all(re.match(r"^(model|boundary|component|flow|decision|threat|findings) \S", h) for h in readable)
    no_textconv = _hunk_headers(git_repo.git("-c", "core.pager=cat", "diff", "--no-textconv", "threat-model.toml"))
    assert no_textconv == ["[components.api]"]


def test_the_old_recipe_really_was_broken(git_repo):
    """Why the recipe changed: with one group around the keyword, git shows only that group."""
    (git_repo / ".gitattributes").write_text("threat-model*.toml diff=stride-tui\n")
    git_repo.git("config", "diff.stride-tui.xfuncname", "^(model|boundary|component|flow|decision|threat|findings) .*$")
    git_repo.git("config", "diff.stride-tui.textconv", f"{shlex.quote(sys.executable)} -m stride_tui textconv")
    model = git_repo / "threat-model.toml"
    shutil.copy(ROOT / "tests/golden/diff/shop-v1.toml", model)
    git_repo.git("add", ".")
    git_repo.git("commit", "-qm", "v1")
    model.write_text(model.read_text().replace("validates_input = false", "validates_input = true"))
    headers = _hunk_headers(git_repo.git("-c", "core.pager=cat", "diff", "threat-model.toml"))
    assert headers and all(
        h in ("model", "boundary", "component", "flow", "decision", "threat", "findings") for h in headers
    )
