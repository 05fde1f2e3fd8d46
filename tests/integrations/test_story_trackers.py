"""Stories into trackers: the gh JSON Lines and the README loop (against a fake `gh`), Jira and
GitLab CSV, markers, escaping of hostile text."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.files.loader import load_model, parse_model
from stride_tui.core.outputs.stories import build_stories
from stride_tui.core.outputs.story_trackers import (
    gitlab_text,
    jira_text,
    marker,
    stories_github,
    stories_gitlab,
    stories_jira,
)

from ..shared import MINIMAL, ROOT, SAMPLES

CHECKOUT = SAMPLES / "checkout.toml"


def _stories(path: Path = CHECKOUT):
    model = load_model(path).model
    return model.model.title, build_stories(analyse(model, builtin_rules()))


def _hostile_model() -> tuple[str, list]:
    text = MINIMAL.replace('title = "Minimal"', 'title = "=cmd|calc <b>x</b>"').replace(
        'name = "API"', 'name = "/close [x](javascript:alert(1)) *b* {code} \u202egnp"'
    )
    model = parse_model(text.encode(), "m.toml").model
    return model.model.title, build_stories(analyse(model, builtin_rules()))


def test_gh_lines_carry_title_body_labels_and_a_stable_marker():
    title, stories = _stories()
    text = stories_github(title, stories)
    lines = text.splitlines()
    assert len(lines) == len(stories) > 3
    issues = [json.loads(line) for line in lines]
    for issue, story in zip(issues, stories, strict=True):
        assert issue["title"] == story.title
        assert issue["labels"] == list(story.labels)
        assert issue["marker"] == f"stride-tui-story:checkout/{story.id}"
        # the marker is in the body, hidden from readers in an HTML comment
        assert issue["body"].rstrip().endswith(f"<!-- {issue['marker']} -->")
        for tid in story.threat_ids:
            assert tid in issue["body"]
    assert stories_github(title, stories) == text  # deterministic


def test_hostile_text_is_data_in_every_tracker_format():
    title, stories = _hostile_model()
    assert stories
    body = json.loads(stories_github(title, stories).splitlines()[0])["body"]
    assert "[x](javascript" not in body and "\\[x\\]" in body
    assert "\u202e" not in body and "U+202E" in body
    assert "<b>" not in body
    jira = stories_jira(title, stories)
    assert "\u202e" not in jira
    rows = list(csv.reader(io.StringIO(jira, newline="")))
    description = rows[1][1]
    assert "\\[x\\]" in description and "\\{code\\}" in description and "\\*b\\*" in description
    gitlab = list(csv.reader(io.StringIO(stories_gitlab(title, stories), newline="")))
    gl_description = gitlab[1][1]
    # a name cannot start a quick action; only our own /label line acts
    acting = [line for line in gl_description.splitlines() if line.lstrip().startswith("/")]
    assert acting == [acting[-1]] and acting[-1].startswith('/label ~"security"')
    # the model title is a formula in a spreadsheet unless guarded
    assert marker(title, stories[0]).startswith("stride-tui-story:cmd-calc-b-x-b/")
    assert gitlab_text("/close") == "\\/close" and jira_text("a-b") == "a\\-b"


def test_jira_text_starts_no_heading_or_quote_on_any_line():
    """A two-line note puts its second line at the start of a line of the description."""
    text = jira_text("Fixed in PAY-1\nh1. Not a heading\n  bq. not a quote\nH3. nor this; th1. plain")
    assert [line.strip()[:4] for line in text.splitlines()] == ["Fixe", "h1\\.", "bq\\.", "H3\\."]
    assert "th1. plain" in text


def test_jira_csv_repeats_labels_and_uses_crlf():
    title, stories = _stories()
    text = stories_jira(title, stories)
    assert not text.startswith("\ufeff")
    assert "\n" not in text.replace("\r\n", "")  # every line end, inside cells too, is CRLF
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    assert header[:4] == ["Summary", "Description", "Issue Type", "Priority"]
    assert header.count("Labels") == max(len(s.labels) for s in stories)
    assert header[-1] == "Story ID"
    for row, story in zip(rows[1:], stories, strict=True):
        assert row[0] == story.title
        labels = [v for h, v in zip(header, row, strict=True) if h == "Labels" and v]
        assert labels == list(story.labels)
        assert row[3] in ("Highest", "High", "Medium", "Low")
        assert row[-1] == marker(title, story) and row[1].endswith(row[-1].replace("-", "\\-"))
    assert stories_jira(title, stories, bom=True) == "\ufeff" + text


def test_gitlab_csv_has_the_columns_gitlabs_importer_reads():
    title, stories = _stories()
    rows = list(csv.reader(io.StringIO(stories_gitlab(title, stories), newline="")))
    assert rows[0] == ["title", "description"]
    assert [r[0] for r in rows[1:]] == [s.title for s in stories]
    assert all("stride-tui-story:checkout/" in r[1] for r in rows[1:])


def test_cli_formats_and_bom(run_cli, tmp_path):
    out = tmp_path / "s.csv"
    code, _, err = run_cli("stories", CHECKOUT, "--format", "jira", "--bom", "-o", out)
    assert code == 0, err
    assert out.read_bytes().startswith(b"\xef\xbb\xbfSummary,")
    code, _, err = run_cli("stories", CHECKOUT, "--format", "gh", "--bom")
    assert code == 2 and "--bom is for CSV" in err
    code, out_text, _ = run_cli("stories", CHECKOUT, "--format", "gh", "--all")
    assert code == 0 and len(out_text.splitlines()) == len(_stories()[1])
    code, out_text, _ = run_cli("stories", CHECKOUT, "--format", "gitlab", "--limit", "2")
    assert code == 0 and out_text.startswith("title,description\r\n")


FAKE_GH = r"""#!/bin/sh
# a stand-in for GitHub's CLI: issues live as files in $GH_STATE
state="$GH_STATE"
echo "$*" >> "$state/calls.log"
case "$1 $2" in
  "issue list")
    # only the form the README uses is supported: --json body --jq '.[].body'
    case "$*" in *"--json body"*"--jq .[].body"*) ;; *) echo "unexpected: $*" >&2; exit 9 ;; esac
    for f in "$state"/issue-*; do [ -e "$f/body" ] && cat "$f/body" && echo; done
    ;;
  "label create")
    echo "$3" >> "$state/labels"
    ;;
  "issue create")
    n=$(cat "$state/counter" 2>/dev/null || echo 0)
    n=$((n + 1))
    echo "$n" > "$state/counter"
    mkdir "$state/issue-$n" || exit 9
    title=""; labels=""; body=""
    shift 2
    while [ $# -gt 0 ]; do
      case "$1" in
        --title) title="$2"; shift 2 ;;
        --label) labels="$2"; shift 2 ;;
        --body-file) body="$2"; shift 2 ;;
        *) echo "unexpected option $1" >&2; exit 9 ;;
      esac
    done
    [ "$body" = "-" ] || { echo "body must come on stdin" >&2; exit 9; }
    cat > "$state/issue-$n/body"
    printf '%s' "$title" > "$state/issue-$n/title"
    printf '%s' "$labels" > "$state/issue-$n/labels"
    echo "https://github.com/o/r/issues/$n"
    ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
exit 0
"""


def _readme_loop() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- stories-gh-loop -->\s*```sh\n(.*?)```", readme, re.DOTALL)
    assert found, "README lost the gh loop"
    return "\n".join(line[2:] if line.startswith("  ") else line for line in found.group(1).splitlines()) + "\n"


@pytest.mark.skipif(shutil.which("jq") is None and not os.environ.get("CI"), reason="jq not installed")
def test_readme_loop_files_each_story_once_against_a_fake_gh(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (
        ("gh", FAKE_GH),
        ("stride-tui", f'#!/bin/sh\nexec "{sys.executable}" -m stride_tui "$@"\n'),
    ):
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    state = tmp_path / "state"
    state.mkdir()
    work = tmp_path / "repo"
    work.mkdir()
    shutil.copy(CHECKOUT, work / "threat-model.toml")
    # the loop's stride-tui is this checkout's code, the one the test compares with
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        GH_STATE=str(state),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )
    loop = _readme_loop()

    def run() -> subprocess.CompletedProcess:
        done = subprocess.run(["sh", "-e", "-c", loop], cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done

    run()
    title, stories = _stories()
    issues = sorted(state.glob("issue-*"), key=lambda p: int(p.name.split("-")[1]))
    assert len(issues) == len(stories)
    for folder, story in zip(issues, stories, strict=True):
        assert (folder / "title").read_text() == story.title
        assert (folder / "labels").read_text() == ",".join(story.labels)
        assert f"<!-- {marker(title, story)} -->" in (folder / "body").read_text()
    assert set((state / "labels").read_text().split()) == {label for s in stories for label in s.labels}

    second = run()  # a rerun finds every issue by its marker and files nothing
    assert len(list(state.glob("issue-*"))) == len(stories)
    assert second.stdout.count("already filed:") == len(stories)

    # a new story (here: one issue closed and deleted on GitHub) is filed again, alone
    shutil.rmtree(issues[0])
    run()
    assert len(list(state.glob("issue-*"))) == len(stories)
    refiled = state / f"issue-{len(stories) + 1}"
    assert (refiled / "title").read_text() == stories[0].title
