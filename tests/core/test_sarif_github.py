"""GitHub's documented SARIF requirements, checked one by one on what `threats --format sarif` writes."""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest

from ..shared import SAMPLES

SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


@pytest.fixture(params=["checkout.toml", "platform.toml", "three-tier.toml"])
def log(request: pytest.FixtureRequest, tmp_path: Path, run_cli) -> dict:
    (tmp_path / ".git").mkdir()
    shutil.copytree(SAMPLES, tmp_path / "models")
    code, out, err = run_cli("threats", tmp_path / "models" / request.param, "--format", "sarif")
    assert (code, err) == (0, "")
    return json.loads(out)


def test_github_sarif_requirements(log: dict) -> None:
    """Each property GitHub marks "required", and each limit it sets, in the order of
    https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
    ("Supported SARIF output file properties"; the limits from "Validating your SARIF file").
    GitHub: "You must supply an explicit value for any property marked as required. The empty
    string is not supported for required properties."
    """

    def given(value: object) -> bool:
        return value is not None and value != ""

    # sarifLog object: $schema, version 2.1.0, runs[]; at most 20 runs per file
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert 1 <= len(log["runs"]) <= 20
    (run,) = log["runs"]
    # run object: tool.driver and results[]; one analysis tool per run
    driver = run["tool"]["driver"]
    assert isinstance(run["results"], list)
    assert "extensions" not in run["tool"]
    # toolComponent object: name and rules[]; semanticVersion in Semantic Versioning 2.0 form
    assert driver["name"] == "stride-tui"
    assert SEMVER.match(driver["semanticVersion"])
    rules = driver["rules"]
    assert isinstance(rules, list) and len(rules) <= 25_000
    # reportingDescriptor object
    for rule in rules:
        assert given(rule["id"])
        assert len(rule["name"]) <= 255
        assert given(rule["shortDescription"]["text"]) and len(rule["shortDescription"]["text"]) <= 1024
        assert given(rule["fullDescription"]["text"]) and len(rule["fullDescription"]["text"]) <= 1024
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        assert given(rule["help"]["text"])
        assert given(rule["help"]["markdown"])  # "(Recommended)": shown instead of help.text
        properties = rule["properties"]
        assert len(properties["tags"]) <= 10  # up to 20 accepted, only 10 kept
        # security-severity: a string, greater than 0.0 up to 10.0, for rules tagged `security`
        assert isinstance(properties["security-severity"], str)
        assert 0.0 < float(properties["security-severity"]) <= 10.0
        assert "security" in properties["tags"]
    ids = [rule["id"] for rule in rules]
    assert len(set(ids)) == len(ids)
    # result object: at most 25,000 per run
    assert len(run["results"]) <= 25_000
    for result in run["results"]:
        # ruleId is a rule's id, ruleIndex its index in the tool component's rules
        assert result["ruleId"] in ids and ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("note", "warning", "error")
        assert given(result["message"]["text"])
        # locations[]: required, at most 10, only the first used
        assert 1 <= len(result["locations"]) <= 10
        location = result["locations"][0]["physicalLocation"]
        # physicalLocation object: artifactLocation.uri relative to the repository root, and
        # region.startLine, startColumn, endLine, endColumn
        uri = location["artifactLocation"]["uri"]
        assert given(uri) and not urllib.parse.urlparse(uri).scheme and not uri.startswith("/")
        region = location["region"]
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            assert isinstance(region[key], int) and region[key] >= 1, key
        assert region["endLine"] >= region["startLine"] and region["endColumn"] > region["startColumn"]
        # partialFingerprints: required; "code scanning only uses the primaryLocationLineHash"
        assert given(result["partialFingerprints"]["primaryLocationLineHash"])
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    # runAutomationDetails object: id is `category/run-id`; a trailing `/` gives a category per model
    category, _, run_id = run["automationDetails"]["id"].rpartition("/")
    assert category.startswith("stride-tui/") and category.endswith(".toml") and run_id == ""


def test_paths_are_relative_to_the_repository_root(log: dict) -> None:
    """GitHub: "we recommend that this is a relative path from the root of the GitHub repository
    being analyzed"; the result is annotated on that file."""
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert len(uris) == 1 and next(iter(uris)).startswith("models/")
