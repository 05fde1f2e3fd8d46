"""The technology catalogue: recognition by whole words, families as facts, rule files adding
technologies, technology-specific fixes in stories, and a question for what it does not know."""

from __future__ import annotations

import pytest

from stride_tui.core.analysis.engine import analyse
from stride_tui.core.analysis.questions import questions
from stride_tui.core.analysis.rules import builtin_rules, combine, parse_rule_file
from stride_tui.core.analysis.technologies import builtin_catalogue
from stride_tui.core.analysis.threats import group_threats
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.outputs.stories import build_stories

CATALOGUE = builtin_catalogue()


@pytest.mark.parametrize(
    ("text", "families"),
    [
        ("aws rds postgresql 15", ("sql-database",)),
        ("BigQuery", ("sql-database",)),
        ("Orders database", ("sql-database",)),
        ("elasticache redis 6", ("key-value-store",)),
        ("kafka (aws msk)", ("message-broker",)),
        ("ankane/pgvector:latest", ("sql-database",)),
        ("python/django", ("service-runtime", "web-framework")),
        ("llm (third-party api)", ("llm-api",)),
        ("google cloud", ()),  # "go" is a whole word only
        ("cardinality service", ()),
    ],
)
def test_recognised_by_whole_words(text, families):
    assert set(CATALOGUE.families_of(text)) == set(families)


def model(components: dict, flows: dict | None = None) -> ThreatModel:
    return ThreatModel.model_validate(
        {"stride_tui": 1, "model": {"title": "t"}, "components": components, "flows": flows or {}}
    )


def test_sql_injection_reads_the_catalogue_not_a_keyword_list():
    m = model(
        {"api": {"kind": "process"}, "wh": {"kind": "data_store", "technology": "snowflake"}},
        {"q": {"from": "api", "to": "wh"}},
    )
    assert "flow-sql-injection@q" in {f.id for f in analyse(m, builtin_rules()).findings}


def test_a_rule_file_adds_a_technology_and_it_is_recognised():
    extra = b"""stride_tui_rules = 1
[technologies.tigerbeetle]
family = "sql-database"
aliases = ["tigerbeetle"]
fixes = { data-store-authentication = ["Run it on a private network only: it has no client authentication."] }
"""
    ruleset = combine([*_builtin_files(), parse_rule_file(extra, "team.toml")])
    m = model(
        {"api": {"kind": "process"}, "ledger": {"kind": "data_store", "technology": "TigerBeetle 0.15"}},
        {"q": {"from": "api", "to": "ledger"}},
    )
    analysis = analyse(m, ruleset)
    assert "flow-sql-injection@q" in {f.id for f in analysis.findings}
    story = next(s for s in build_stories(analysis) if s.remedy == "data-store-authentication")
    assert story.acceptance_criteria[0].startswith("For Tigerbeetle (ledger): Run it on a private network")


def test_a_rule_file_may_not_replace_a_technology_or_invent_a_family():
    clash = b'stride_tui_rules = 1\n[technologies.postgres]\nfamily = "sql-database"\naliases = ["pg"]\n'
    with pytest.raises(ModelError, match="technology `postgres` is already in the catalogue"):
        combine([*_builtin_files(), parse_rule_file(clash, "team.toml")])
    invented = b'stride_tui_rules = 1\n[technologies.x]\nfamily = "time-machine"\naliases = ["x1"]\n'
    with pytest.raises(ModelError, match="unknown technology family `time-machine`"):
        combine([*_builtin_files(), parse_rule_file(invented, "team.toml")])


def test_stories_use_the_fixes_of_the_technology_they_touch():
    m = model(
        {
            "api": {"kind": "process"},
            "db": {"kind": "data_store", "name": "Orders", "technology": "postgres 16", "classification": "restricted"},
        },
        {"q": {"from": "api", "to": "db", "authentication": "none"}},
    )
    stories = {s.remedy: s for s in build_stories(analyse(m, builtin_rules()))}
    criteria = stories["data-store-authentication"].acceptance_criteria
    assert criteria[0].startswith(
        "For Postgres (Orders): In pg_hba.conf allow only `hostssl` lines with `scram-sha-256`"
    )
    assert not any("mesh" in c for c in criteria[:1])


def test_an_unrecognised_technology_is_asked_about():
    m = model(
        {
            "api": {"kind": "process", "technology": "quux-framework", "privileged": True},
            "u": {"kind": "external_entity"},
        },
        {"in": {"from": "u", "to": "api"}},
    )
    analysis = analyse(m, builtin_rules())
    asked = {q.id: q for q in questions(analysis, group_threats(analysis))}
    question = asked["technology@api"]
    assert question.text == "What is api built with? (`quux-framework` is not in the catalogue)"
    recognised = model(
        {
            "api": {"kind": "process", "technology": "python/fastapi", "privileged": True},
            "u": {"kind": "external_entity"},
        },
        {"in": {"from": "u", "to": "api"}},
    )
    analysis = analyse(recognised, builtin_rules())
    assert "technology@api" not in {q.id for q in questions(analysis, group_threats(analysis))}


def test_a_hand_written_threat_is_never_asked_what_its_element_is_built_with():
    m = ThreatModel.model_validate(
        {
            "stride_tui": 1,
            "model": {"title": "t"},
            "components": {"api": {"kind": "process", "name": "API"}},
            "threats": {"x": {"title": "Replay of signed URLs", "category": "spoofing", "target": "api"}},
        }
    )
    analysis = analyse(m, builtin_rules())
    threats = group_threats(analysis)
    custom = next(t for t in threats if t.headline.custom)
    asked = questions(analysis, threats)
    assert not any(custom.id in q.threat_ids for q in asked)
    # the rules' threats on it are still asked about
    assert any(q.id == "technology@api" for q in asked) == any(not t.headline.custom for t in threats)


def test_a_name_that_only_names_a_person_is_still_asked_what_it_is_built_with():
    m = model(
        {"api": {"kind": "process", "name": "User service", "privileged": True}, "u": {"kind": "external_entity"}},
        {"in": {"from": "u", "to": "api"}},
    )
    analysis = analyse(m, builtin_rules())
    assert builtin_catalogue().families_of(None, "", "User service") == ("person",)
    assert "technology@api" in {q.id for q in questions(analysis, group_threats(analysis))}


def _builtin_files():
    from stride_tui.core.analysis.rules import _builtin_files as files

    return files()


def test_the_tree_of_aliases_matches_as_their_alternation_longest_first():
    """The catalogue's pattern is a tree of its aliases' letters; it finds the very matches (the
    same alias, at the same place) of the plain alternation of the aliases, longest first: on
    each alias alone, inside words, plural, versioned, run together, and among others."""
    import random
    import re

    catalogue = builtin_catalogue()
    aliases = sorted(catalogue._by_alias, key=len, reverse=True)
    plain = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(a) for a in aliases) + r")s?(?![a-z])")
    texts = [
        f"{before}{alias}{after}"
        for alias in aliases
        for before in ("", "x", "1", "my ")
        for after in ("", "s", "x", " 6", "-db")
    ]
    rng = random.Random(3)
    texts += [" ".join(rng.choice(aliases) + rng.choice(("", "s", "x", "-")) for _ in range(3)) for _ in range(3000)]
    texts += ["".join(rng.sample(aliases, 2)) for _ in range(3000)]
    found = 0
    for text in texts:
        expected = [(m.group(1), m.span()) for m in plain.finditer(text)]
        assert [(m.group(1), m.span()) for m in catalogue._pattern.finditer(text)] == expected, text
        found += bool(expected)
    assert found > len(texts) // 2  # most texts name a technology: the test compares matches, not misses
