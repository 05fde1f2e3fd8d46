"""Round trips: samples are canonical, fmt is idempotent, and any generated model survives save+load."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride_tui.core.files.loader import load_model, parse_model
from stride_tui.core.files.storage import dump_model
from stride_tui.core.model.elements import (
    CATEGORIES,
    SEVERITIES,
    STATUSES,
    VISIBLE_LINE_PATTERN,
    ThreatModel,
)

from ..shared import SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*.toml"))


def test_there_are_sample_models():
    assert {"checkout.toml", "three-tier.toml", "platform.toml"} <= {p.name for p in SAMPLE_FILES}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_sample_is_valid_and_canonical(path):
    loaded = load_model(path)
    assert loaded.warnings == []
    assert dump_model(loaded.model).encode() == path.read_bytes()


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_fmt_is_idempotent_on_reordered_input(path, tmp_path, run_cli):
    """Shuffle keys inside every table: fmt restores the canonical bytes, and a second fmt is a no-op."""
    lines = path.read_text().split("\n\n")
    shuffled = "\n\n".join(block if not block.startswith("[") else _reverse_keys(block) for block in lines)
    target = tmp_path / path.name
    target.write_text(shuffled)
    assert run_cli("fmt", target)[0] == 0
    assert target.read_bytes() == path.read_bytes()
    code, out, _ = run_cli("fmt", target)
    assert (code, out) == (0, "")


def _reverse_keys(block: str) -> str:
    header, *keys = block.split("\n")
    if any(k.endswith(('"""', "[")) or k.startswith(('"""', "]")) for k in keys):
        return block  # leave multi-line values as they are
    return "\n".join([header, *reversed([k for k in keys if k])]) + ("\n" if block.endswith("\n") else "")


# --- generated models -------------------------------------------------------------------------

_FORBIDDEN = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))
one_line = st.text(st.characters(exclude_categories=("Cs",), exclude_characters=_FORBIDDEN), max_size=60)
long_text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters=_FORBIDDEN.replace("\n", "").replace("\t", "")),
    max_size=3000,
)
# titles and names must show something (blank or only invisible characters is an error)
visible_line = one_line.filter(lambda text: re.fullmatch(VISIBLE_LINE_PATTERN, text) is not None)
ids = st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True)
maybe_bool = st.sampled_from([None, True, False])


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def models(draw) -> ThreatModel:
    names = draw(st.lists(ids, min_size=2, max_size=40, unique=True))
    n_boundaries = draw(st.integers(0, min(5, len(names) - 2)))
    boundary_ids, component_ids = names[:n_boundaries], names[n_boundaries:]
    boundaries = {}
    for i, bid in enumerate(boundary_ids):
        parent = draw(st.sampled_from([None, *boundary_ids[:i]]))  # earlier only: never a cycle
        boundaries[bid] = _drop_none({"name": draw(visible_line), "parent": parent, "internet": draw(maybe_bool)})
    components = {}
    for cid in component_ids:
        kind = draw(st.sampled_from(["external_entity", "process", "data_store"]))
        facts = {
            "external_entity": {"trusted": draw(maybe_bool)},
            "process": {
                "audit_log": draw(maybe_bool),
                "secrets": draw(st.sampled_from([None, "plaintext", "secrets_manager"])),
            },
            "data_store": {"is_log": draw(maybe_bool), "classification": draw(st.sampled_from([None, "restricted"]))},
        }[kind]
        components[cid] = _drop_none(
            {
                "kind": kind,
                "name": draw(visible_line),
                "description": draw(st.one_of(st.none(), long_text)),
                "tags": draw(st.one_of(st.none(), st.lists(one_line.filter(bool), max_size=3))),
                "boundary": draw(st.sampled_from([None, *boundary_ids])),
                **facts,
            }
        )
    flows = {}
    for n in range(draw(st.integers(0, 2 * len(component_ids)))):
        source, target = draw(st.lists(st.sampled_from(component_ids), min_size=2, max_size=2, unique=True))
        flows[f"flow-{n}"] = _drop_none(
            {
                "from": source,
                "to": target,
                "data": draw(st.one_of(st.none(), long_text)),
                "encrypted": draw(maybe_bool),
                "authentication": draw(st.sampled_from([None, "none", "mtls"])),
            }
        )
    decisions = {
        f"rule-{n}@{draw(st.sampled_from(component_ids))}": _drop_none(
            {"status": draw(st.sampled_from(STATUSES)), "note": draw(st.one_of(st.none(), long_text))}
        )
        for n in range(draw(st.integers(0, 3)))
    }
    threats = {
        f"t{n}": {
            "title": draw(visible_line),
            "category": draw(st.sampled_from(CATEGORIES)),
            "target": draw(st.sampled_from(component_ids)),
            "severity": draw(st.sampled_from(SEVERITIES)),
        }
        for n in range(draw(st.integers(0, 2)))
    }
    data = {
        "stride_tui": 1,
        "model": {"title": draw(visible_line), "description": draw(long_text)},
        "boundaries": boundaries,
        "components": components,
        "flows": flows,
        "decisions": decisions,
        "threats": threats,
    }
    return ThreatModel.model_validate(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_any_model_round_trips_byte_identically(model):
    text = dump_model(model)
    reloaded = parse_model(text.encode(), "gen.toml").model
    assert reloaded == model
    assert list(reloaded.components) == list(model.components)
    assert dump_model(reloaded) == text


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=200))
def test_any_title_either_loads_or_gives_a_clear_error(title):
    """Arbitrary text (controls included) never crashes the loader; it loads or is refused with a message."""
    import tomli_w

    from stride_tui.core.files.diagnostics import ModelError
    from stride_tui.core.files.storage import model_to_data

    text = tomli_w.dumps({"stride_tui": 1, "model": {"title": title}})
    try:
        loaded = parse_model(text.encode(), "t.toml")
    except ModelError as exc:
        assert all(d.line is not None for d in exc.diagnostics)
        assert any("title" in d.message for d in exc.diagnostics)
    else:
        assert loaded.model.model.title == title
        assert model_to_data(loaded.model)["model"]["title"] == title
