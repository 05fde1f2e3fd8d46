"""The evaluation corpus (bench/corpus) is well formed: every model loads, and every expected threat
names a remedy of the vocabulary, an element of its model that is not a response, a risk band and
STRIDE categories, once per (remedy, element). The scores are bench/bench_corpus.py's, never a test's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import CATEGORIES

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "corpus"
MODELS = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.toml").exists())
# the remedy vocabulary is the table of bench/corpus/README.md
VOCABULARY = set(re.findall(r"^\| `([a-z-]+)` \| ", (CORPUS / "README.md").read_text(encoding="utf-8"), re.M))


def test_the_corpus_has_its_models_and_vocabulary():
    assert len(MODELS) >= 16 and {"robot-shop", "serverless-airline"} <= set(MODELS)
    assert {"tls-in-transit", "authorization", "data-minimisation"} <= VOCABULARY


@pytest.mark.parametrize("name", MODELS)
def test_a_corpus_model_loads_and_its_expectations_name_what_it_has(name: str) -> None:
    model = load_model(CORPUS / name / "model.toml").model
    expected = tomllib.loads((CORPUS / name / "expected.toml").read_text(encoding="utf-8"))["threat"]
    assert expected
    keys = [(t["remedy"], t["element"]) for t in expected]
    assert len(keys) == len(set(keys)), "a (remedy, element) pair twice"
    for threat in expected:
        where = f"{threat['remedy']}@{threat['element']}"
        assert threat["remedy"] in VOCABULARY, where
        assert threat["element"] in model.components or threat["element"] in model.flows, where
        flow = model.flows.get(threat["element"])
        assert flow is None or flow.response_to is None, f"{where}: placed on a response"
        assert threat["risk"] in ("low", "medium", "high", "critical"), where
        assert threat["categories"] and set(threat["categories"]) <= set(CATEGORIES), where
        assert threat["why"].strip(), where
