"""A first analysis that shows one element's threats first (`Analyzer.preview`): the threats it
gives for that element are exactly the ones the whole analysis gives it, and the analysis that
goes on from it is the same as one that never previewed anything, edits after it included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate_model
from stride_tui.core.analysis.engine import Analysis, Analyzer
from stride_tui.core.analysis.questions import questions
from stride_tui.core.analysis.threats import Threat, group_threats
from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import ThreatModel

from ..shared import SAMPLES
from .test_incremental_analysis import RULES, TODAY, edits_agree, same

MODELS = {
    **{name: load_model(SAMPLES / name).model for name in ("checkout.toml", "three-tier.toml", "platform.toml")},
    "generated-120": generate_model(120, 240, 12),
}


def shown_for(analysis: Analysis, element_id: str) -> list[tuple[object, ...]]:
    """What the STRIDE panel shows for a component or flow: the threats with a finding on it or
    whose control it owns (every field the panel and its details read), and their questions."""
    threats = [t for t in group_threats(analysis) if element_id == t.element_id or element_id in t.elements]
    return [_fields(t) for t in threats] + [
        (q.id, q.text, q.threat_ids, q.answers, q.choices) for q in questions(analysis, threats)
    ]


def _fields(threat: Threat) -> tuple[object, ...]:
    return (
        threat.id,
        threat.severity,
        threat.confirmed_severity,
        threat.status,
        threat.provisional,
        threat.categories,
        threat.risk_reasons,
        [(f.id, f.severity, f.status, f.title, f.explanation) for f in threat.findings],
    )


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_preview_shows_every_element_the_threats_the_whole_analysis_gives_it(name: str) -> None:
    model = MODELS[name]
    whole = Analyzer(RULES, TODAY).analyse(model)
    for element_id in [*model.components, *model.flows]:
        preview = Analyzer(RULES, TODAY).preview(model, element_id)
        assert preview is not None and preview.partial
        assert shown_for(preview, element_id) == shown_for(whole, element_id), element_id


def test_a_preview_reads_a_few_elements_not_the_model() -> None:
    model = MODELS["generated-120"]
    element_id = next(iter(model.components))
    preview = Analyzer(RULES, TODAY).preview(model, element_id)
    assert preview is not None
    whole = Analyzer(RULES, TODAY).analyse(model)
    on = {f.element_id for f in preview.findings}
    assert element_id in on and len(on) < len({f.element_id for f in whole.findings}) // 5
    assert not whole.partial


def test_only_a_first_analysis_previews() -> None:
    model = MODELS["checkout.toml"]
    analyzer = Analyzer(RULES, TODAY)
    assert analyzer.preview(model, "no-such-element") is None
    analyzer.analyse(model)
    assert analyzer.preview(model, next(iter(model.components))) is None


@pytest.mark.parametrize("sample", ["checkout.toml", "three-tier.toml"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_analysis_after_a_preview_is_a_whole_one_and_edits_go_on_from_it(sample: str, data: st.DataObject) -> None:
    model: ThreatModel = MODELS[sample]
    elements = [*model.components, *model.flows]
    analyzer = Analyzer(RULES, TODAY)
    for element_id in data.draw(st.lists(st.sampled_from(elements), min_size=1, max_size=3)):
        analyzer.preview(model, element_id)  # the user moves on before the rest is analysed
    same(analyzer.analyse(model), Analyzer(RULES, TODAY).analyse(model))
    edits_agree(analyzer, model, data, data.draw(st.integers(0, 5)))


def test_a_preview_of_another_model_is_not_where_its_analysis_goes_on_from() -> None:
    model = MODELS["checkout.toml"]
    other = MODELS["three-tier.toml"]
    analyzer = Analyzer(RULES, TODAY)
    analyzer.preview(other, next(iter(other.components)))
    same(analyzer.analyse(model), Analyzer(RULES, TODAY).analyse(model))
