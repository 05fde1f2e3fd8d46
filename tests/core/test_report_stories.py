"""The report (Markdown, HTML, JSON) and the security stories: content and escaping."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.rules import builtin_rules
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import SEVERITIES
from stride_tui.core.outputs.report_html import sanitize_svg
from stride_tui.core.outputs.stories import build_stories

from ..shared import SAMPLES, needs_graphviz

HOSTILE = """\
stride_tui = 1

[model]
title = "</title><script>alert(1)</script>"
description = "{{7*7}} {% raw %} <img src=x onerror=alert(1)>"

[boundaries.internet]
name = "<b>Internet</b>"
internet = true

[components.user]
kind = "external_entity"
name = "[x](javascript:alert(1))"
boundary = "internet"

[components.api]
kind = "process"
name = "</script><script>alert(1)</script>"
description = "# not a heading\\n- not a list"

[flows.user-to-api]
from = "user"
to = "api"
data = "a | b"
"""


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.toml"
    path.write_text(HOSTILE)
    return path


def test_html_report_is_self_contained_and_escaped(hostile, run_cli, tmp_path):
    out = tmp_path / "r.html"
    assert run_cli("report", hostile, "-o", out)[0] == 0
    page = out.read_text()
    assert "<script" not in page.lower()
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{7*7}} {% raw %}" in page  # no template evaluation
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # the only links lead to the catalogues a reference names (MITRE, OWASP): never user text
    official = r"https://(capec|cwe|attack)\.mitre\.org/|https://owasp\.org/|https://genai\.owasp\.org/|https://github\.com/OWASP/"
    links = re.findall(r"""(?:src|href)=["']?((?:https?:|//|javascript:)[^"' >]*)""", page)
    assert links and all(re.match(official, link) for link in links), links


@needs_graphviz()
def test_html_report_inlines_the_diagram_as_svg(run_cli, tmp_path):
    out = tmp_path / "r.html"
    assert run_cli("report", SAMPLES / "checkout.toml", "--format", "html", "-o", out)[0] == 0
    page = out.read_text()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert page.count("<svg") == 1 and "<?xml" not in page and "<a " not in svg
    assert svg.count('class="node"') == 14  # 13 components and the legend


def test_html_report_without_graphviz_says_why(monkeypatch, run_cli, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = tmp_path / "r.html"
    code, _, err = run_cli("report", SAMPLES / "checkout.toml", "-o", out)
    assert code == 0 and "warning: Diagram not included" in err
    assert "Diagram not included: Graphviz `dot` not found" in out.read_text()


def test_sanitize_svg_strips_links_scripts_and_handlers():
    svg = '<?xml version="1.0"?><svg onload="x()"><script>bad()</script><a xlink:href="javascript:x" href=\'y\'><text>t</text></a></svg>'
    assert sanitize_svg(svg) == "<svg><text>t</text></svg>"


def test_markdown_report_escapes_user_text(hostile, run_cli):
    code, out, _ = run_cli("report", hostile)
    assert code == 0
    assert "\\[x\\](javascript:alert(1))" in out
    assert "\\<b\\>Internet\\</b\\>" in out
    assert "\n# not a heading" not in out
    assert "a \\| b" in out


def test_markdown_report_sections(run_cli):
    out = run_cli("report", SAMPLES / "checkout.toml")[1]
    for heading in (
        "## Summary",
        "## Data-flow diagram",
        "## Elements",
        "### Components",
        "### Data flows",
        "## Threats by trust boundary",
        "## Questions",
        "## Threats",
        "## Hand-written threats",
        "## Orphan decisions",
    ):
        assert f"\n{heading}\n" in out, heading
    assert "~~~~dot\ndigraph dfd {" in out
    assert "[CWE-319](https://cwe.mitre.org/data/definitions/319.html)" in out


def test_json_report_has_model_boundaries_and_findings(run_cli):
    document = json.loads(run_cli("report", SAMPLES / "checkout.toml", "--format", "json")[1])
    assert set(document) == {
        "model",
        "summary",
        "threats",
        "questions",
        "boundaries",
        "findings",
        "orphans",
        "disabled_rules",
    }
    assert document["disabled_rules"] == []
    assert document["model"]["stride_tui"] == 1
    payments = next(b for b in document["boundaries"] if b["id"] == "payments-ns")
    assert {c["flow"] for c in payments["crossings"]} >= {"checkout-to-payment"}
    assert document["summary"]["total"] == len(document["threats"])
    assert document["summary"]["findings"] == len(document["findings"])


# --- stories --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkout_analysis():
    model = load_model(SAMPLES / "checkout.toml").model
    return analyse(model, builtin_rules())


def test_findings_of_one_rule_merge_into_one_story(checkout_analysis):
    stories = build_stories(checkout_analysis)
    by_rule: dict[str, set[str]] = {}
    for f in checkout_analysis.findings:
        if f.status in ("open", "investigating", "accepted") and not f.custom:
            by_rule.setdefault(f.rule_id, set()).add(f.id)
    for story in stories:
        if story.id in by_rule:
            assert set(story.finding_ids) == by_rule[story.id]
            assert story.merged == (len(story.finding_ids) > 1)
    covered = [fid for s in stories for fid in s.finding_ids]
    assert len(covered) == len(set(covered))  # every finding in at most one story


def test_a_story_is_one_remedy_across_the_threats_that_need_it(checkout_analysis):
    stories = build_stories(checkout_analysis)
    story = next(s for s in stories if s.id == "credential-rotation")
    assert story.remedy == "credential-rotation"
    assert story.narrative.startswith("As a service owner, I want the credentials used on Create order, ")
    assert story.narrative.endswith(
        "to be short-lived or rotated automatically, so that a leaked secret soon stops working."
    )
    assert story.acceptance_criteria[0].startswith("Replace the shared secret")
    assert all("`" not in c or not c.startswith("Set `") for c in story.acceptance_criteria)  # bookkeeping moved
    assert story.bookkeeping.startswith("Then record it in the threat model: ")
    assert story.labels == ("security", "stride-spoofing", f"severity-{story.severity}")
    assert story.title.startswith("Short-lived or rotated credentials instead of a shared static secret: ")
    assert len(story.threat_ids) >= 2 and all(t.startswith("credential-rotation@") for t in story.threat_ids)
    assert len({s.id for s in stories}) == len(stories)  # one story per remedy


def test_the_closing_line_names_each_fact_to_record_once(checkout_analysis):
    tls = next(s for s in build_stories(checkout_analysis) if s.id == "tls-in-transit")
    assert len(tls.finding_ids) > 3  # several rules of one remedy, each saying it its own way
    assert tls.bookkeeping.count("`encrypted = true`") == 1


def test_decided_threats_leave_the_list(checkout_analysis):
    stories = build_stories(checkout_analysis)
    covered = {fid for s in stories for fid in s.finding_ids}
    decided = {f.id for f in checkout_analysis.findings if f.status not in ("open", "investigating")}
    assert decided
    threats_with_only_decided = {f.threat_id for f in checkout_analysis.findings} - {
        f.threat_id for f in checkout_analysis.findings if f.status in ("open", "investigating")
    }
    assert threats_with_only_decided and not threats_with_only_decided & {t for s in stories for t in s.threat_ids}
    assert covered  # and what is undecided is there


def test_a_story_on_unanswered_questions_says_how_bad_it_would_be_and_ranks_by_it(run_cli, tmp_path):
    # a sketch whose facts are unknown: every threat is provisional, rated unlikely until answered
    model = tmp_path / "sketch.toml"
    model.write_text(
        'stride_tui = 1\n\n[model]\ntitle = "Sketch"\n\n[boundaries.internet]\nname = "Internet"\n'
        'internet = true\n\n[components.customer]\nkind = "external_entity"\nboundary = "internet"\n\n'
        '[components.refunds]\nkind = "process"\nname = "Refund service"\nprivileged = true\n\n'
        '[flows.request]\nfrom = "customer"\nto = "refunds"\nclassification = "restricted"\n',
        encoding="utf-8",
    )
    analysis = analyse(load_model(model).model, builtin_rules())
    stories = build_stories(analysis)
    assert stories and all(s.severity in ("low", "medium") for s in stories)
    held_down = [s for s in stories if s.confirmed_severity != s.severity]
    assert held_down
    # among stories of one risk, the one that would be worst if confirmed comes first
    for first, second in itertools.pairwise(stories):
        if first.severity == second.severity:
            assert SEVERITIES.index(first.confirmed_severity) >= SEVERITIES.index(second.confirmed_severity)
    code, out, _ = run_cli("stories", model, "--all")
    story = held_down[0]
    assert code == 0 and f"**Risk:** {story.severity}, {story.confirmed_severity} if confirmed" in out
    code, out, _ = run_cli("stories", model, "--all", "--format", "json")
    assert json.loads(out)["stories"][0]["confirmed_severity"] == stories[0].confirmed_severity


def test_stories_carry_the_tickets_and_notes_of_what_they_cover(checkout_analysis):
    stories = build_stories(checkout_analysis, ("open", "investigating", "accepted", "mitigated"))
    with_ticket = [s for s in stories if s.tickets]
    assert with_ticket
    for story in with_ticket:
        findings = [f for f in checkout_analysis.findings if f.id in story.finding_ids]
        assert set(story.tickets) == {f.ticket for f in findings if f.ticket}


def test_stories_default_to_the_top_six_and_say_how_many_more(run_cli):
    code, out, _ = run_cli("stories", SAMPLES / "checkout.toml", "--format", "json")
    document = json.loads(out)
    assert code == 0 and len(document["stories"]) == 6 and document["more"] > 0
    every = json.loads(run_cli("stories", SAMPLES / "checkout.toml", "--format", "json", "--all")[1])
    assert len(every["stories"]) == 6 + document["more"] and every["more"] == 0
    assert [s["id"] for s in every["stories"][:6]] == [s["id"] for s in document["stories"]]
    markdown = run_cli("stories", SAMPLES / "checkout.toml")[1]
    assert markdown.rstrip().endswith("`stride-tui stories --all` lists every one.")
    for key in ("id", "remedy", "title", "severity", "threat_ids", "elements", "tickets"):
        assert key in document["stories"][0]


def test_stories_csv_columns_and_options(run_cli):
    code, out, err = run_cli(
        "stories", SAMPLES / "checkout.toml", "--format", "csv", "--min-severity", "high", "--limit", "4"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 4
    assert list(rows[0]) == [
        "Summary",
        "Description",
        "Issue Type",
        "Priority",
        "Labels",
        "Story ID",
        "Threat IDs",
        "Tickets",
    ]
    assert rows[0]["Priority"] in ("Highest", "High") and rows[0]["Issue Type"] == "Story"
    assert rows[0]["Description"].startswith("As a ")
    assert "more undecided stories; --all lists every one" in err


def test_stories_json_and_status_filter(run_cli):
    document = json.loads(run_cli("stories", SAMPLES / "checkout.toml", "--format", "json", "--status", "mitigated")[1])
    threats = {t.id: t for t in group_threats(analyse(load_model(SAMPLES / "checkout.toml").model, builtin_rules()))}
    shown = [tid for s in document["stories"] for tid in s["threat_ids"]]
    mitigated = sorted(tid for tid, t in threats.items() if t.status == "mitigated")
    assert mitigated and sorted(shown) == mitigated  # a threat's status: undecided while any finding is
    accepted = json.loads(run_cli("stories", SAMPLES / "checkout.toml", "--format", "json", "--status", "accepted")[1])
    assert accepted["stories"] == []  # its accepted finding's threat still has open findings
    assert run_cli("stories", SAMPLES / "checkout.toml", "--status", "done")[0] == 2
    assert run_cli("stories", SAMPLES / "checkout.toml", "--limit", "0")[0] == 2
    assert run_cli("stories", SAMPLES / "checkout.toml", "--limit", "2", "--all")[0] == 2


def test_a_story_asks_for_what_its_remedy_delivers_not_for_its_first_category():
    """A TLS story settles spoofing, tampering and disclosure threats; it asks for TLS. Every
    built-in remedy has its own sentence, and a remedy of a rule file's own reads by category."""
    from stride_tui.core.outputs.stories import _CATEGORY_NARRATIVE, _REMEDY_NARRATIVE

    assert {rule.remedy for rule in builtin_rules().rules.values()} == set(_REMEDY_NARRATIVE)
    by_remedy = {}
    for name in ("checkout.toml", "three-tier.toml", "platform.toml"):
        for story in build_stories(analyse(load_model(SAMPLES / name).model, builtin_rules())):
            by_remedy.setdefault(story.remedy, story)
    tls = by_remedy["tls-in-transit"]
    assert "to travel over TLS, with the server's identity verified" in tls.narrative
    assert "prove who it is" not in tls.narrative
    assert "escalate" not in by_remedy["csrf-protection"].narrative
    assert by_remedy["rate-limiting"].narrative.startswith(
        "As an on-call engineer, I want what any one caller can send"
    )
    custom = next(s for s in by_remedy.values() if s.remedy not in _REMEDY_NARRATIVE)
    role, want, _ = _CATEGORY_NARRATIVE[custom.category]
    assert custom.as_a == role and custom.i_want.startswith(want.split("{elements}")[0])


def test_a_story_without_facts_to_set_closes_with_the_decision_to_write():
    stories = {
        s.remedy: s for s in build_stories(analyse(load_model(SAMPLES / "platform.toml").model, builtin_rules()))
    }
    custom = next(s for s in stories.values() if len(s.threat_ids) == 1 and "@" not in s.threat_ids[0])
    assert custom.bookkeeping == (
        f'Then record it in the threat model: Set `status = "mitigated"` in [threats.{custom.threat_ids[0]}] once it is done.'
    )
    csrf = stories["csrf-protection"]
    assert csrf.bookkeeping == (
        f'Then record it in the threat model: Decide {csrf.threat_ids[0]} as `status = "mitigated"` in [decisions] once it is done.'
    )
    many = stories["least-privilege"]
    assert len(many.threat_ids) > 4
    assert f"Decide {', '.join(sorted(many.threat_ids)[:3])} and {len(many.threat_ids) - 3} more as" in many.bookkeeping
