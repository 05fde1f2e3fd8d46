"""Rule references are ids of shipped catalogues (CWE, CAPEC, ATT&CK, ASVS, OWASP API and LLM
Top 10): every built-in one exists, a user's unknown id is refused with FILE:LINE, each form
links to its official page."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import tomli

from stride_tui.core.analysis import reference_catalogue as rc
from stride_tui.core.analysis.rules import builtin_rules, parse_rule_file
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.outputs.report import reference_url

RULE = """\
stride_tui_rules = 1

[rules.my-rule]
target = "process"
category = "spoofing"
severity = "low"
title = "t"
description = "d"
mitigations = ["m"]
references = {references}
"""
REFERENCES_LINE = 10

KEYS = ("capec", "cwe", "asvs", "owasp-api", "owasp-llm", "attack")


def rule_file(*references: str) -> bytes:
    return RULE.format(references="[" + ", ".join(f'"{r}"' for r in references) + "]").encode()


def errors(raw: bytes, name: str = "r.toml") -> list[str]:
    with pytest.raises(ModelError) as info:
        parse_rule_file(raw, name)
    return [str(d) for d in info.value.diagnostics]


def builtin_references() -> list[tuple[str, str, str]]:
    """(file, rule id, reference) for every reference the shipped rule files write, read from
    the TOML itself so the check does not depend on the loader it tests."""
    found = []
    for path in sorted((resources.files("stride_tui") / "rules").iterdir(), key=lambda p: p.name):
        if path.name.endswith(".toml"):
            data = tomli.loads(path.read_text(encoding="utf-8"))
            for rule_id, body in data.get("rules", {}).items():
                found += [(path.name, rule_id, ref) for ref in body.get("references", [])]
    return found


def test_every_builtin_reference_exists_in_the_catalogue_it_names():
    refs = builtin_references()
    assert len(refs) > 100  # the library cites well over a hundred; an empty walk proves nothing
    wrong = [
        f"{file} {rule_id}: {ref}"
        for file, rule_id, ref in refs
        if not ref.startswith("https://") and not rc.known(ref)
    ]
    assert wrong == []
    assert builtin_rules().rules  # and the loader, which now checks them too, accepts the library


def test_each_catalogue_file_is_sorted_unique_well_formed_and_as_large_as_its_manifest_says():
    manifest = tomli.loads((resources.files("stride_tui") / "references" / "catalogues.toml").read_text("utf-8"))
    assert sorted(manifest) == sorted(KEYS)
    patterns = {f.catalogue: re.compile(f.pattern) for f in rc.FORMS}
    for key in KEYS:
        raw = (resources.files("stride_tui") / "references" / manifest[key]["file"]).read_bytes()
        assert raw.endswith(b"\n") and b"\r" not in raw
        lines = raw.decode("utf-8").splitlines()
        ids = [line.split("\t")[0] for line in lines]
        assert all(line.count("\t") == 1 for line in lines), key
        assert all(patterns[key].fullmatch(ref) for ref in ids), key
        assert len(set(ids)) == len(ids) == manifest[key]["entries"], key
        numbers = [tuple(int(n) for n in re.findall(r"\d+", ref)) for ref in ids]
        assert numbers == sorted(numbers), key
        names = [line.split("\t")[1] for line in lines]
        assert all(name and name == " ".join(name.split()) for name in names), key


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("CWE-319", "Cleartext Transmission of Sensitive Information"),
        ("CWE-89", "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')"),
        ("CAPEC-157", "Sniffing Attacks"),
        ("ATTACK-T1190", "Exploit Public-Facing Application"),
        ("ATTACK-T1078.004", "Valid Accounts: Cloud Accounts"),
        ("ASVS-V6", "Authentication"),
        ("ASVS-V6.2", "Password Security"),
        ("API1:2023", "Broken Object Level Authorization"),
        ("API10:2023", "Unsafe Consumption of APIs"),
        ("LLM01:2025", "Prompt Injection"),
        ("LLM06:2025", "Excessive Agency"),
    ],
)
def test_known_ids_have_their_official_names(ref, name):
    assert rc.known(ref)
    assert rc.name(ref) == name


def test_asvs_requirements_are_named_by_their_text():
    assert (rc.name("ASVS-V6.2.1") or "").startswith("Verify that user set passwords are at least 8 characters")


@pytest.mark.parametrize(
    "ref",
    [
        "CWE-99999",
        "CWE-1187",  # deprecated in CWE
        "CWE-1000",  # a view, not a weakness
        "CAPEC-409",  # deprecated in CAPEC
        "ATTACK-T1086",  # revoked (now T1059.001)
        "ATTACK-T9999",
        "ASVS-V18",  # 5.0.0 has 17 chapters
        "ASVS-V6.2.99",
        "API1:2019",  # another edition's numbering
        "API11:2023",
        "LLM11:2025",
        "LLM01:2023",
        "https://cwe.mitre.org/data/definitions/89.html",  # links are accepted, but not catalogue ids
        "SQL injection",
    ],
)
def test_unknown_ids_retired_ids_and_other_text_are_not_known(ref):
    assert not rc.known(ref)
    assert rc.name(ref) is None


def test_an_unknown_id_in_a_user_rule_file_is_refused_naming_file_line_rule_and_catalogue():
    (error,) = errors(rule_file("CWE-319", "CWE-99999"), "team/rules.toml")
    assert error == (
        f"team/rules.toml:{REFERENCES_LINE}:1: error: rule my-rule: reference `CWE-99999` is not an entry of "
        "MITRE CWE 4.19.1 (the list stride-tui checks ids against: see docs/rules.md, References)"
    )


def test_every_bad_reference_is_reported_at_once_ids_and_forms_alike():
    found = errors(rule_file("ATTACK-T9999", "T1190", "API1:2019", "cwe-89"))
    assert len(found) == 4
    assert all(e.startswith(f"r.toml:{REFERENCES_LINE}:1: error: rule my-rule: ") for e in found)
    text = "\n".join(found)
    assert "reference `ATTACK-T9999` is not an entry of MITRE ATT&CK Enterprise 18.1" in text
    assert "reference `API1:2019` is not an entry of OWASP API Security Top 10 2023" in text
    assert "`T1190` is not a reference (did you mean `ATTACK-T1190`?)" in text
    assert "`cwe-89` is not a reference (did you mean `CWE-89`?)" in text


def test_a_reference_in_no_form_lists_the_forms_and_is_shown_escaped():
    (error,) = errors(RULE.format(references='["x\\u001b]0;pwned\\u0007"]').encode())
    assert "`x\\u001b]0;pwned\\u0007` is not a reference: write CAPEC-<n>, CWE-<n>, ASVS-V<chapter>" in error
    assert "LLM<nn>:2025, ATTACK-T<nnnn>[.<nnn>] or an https:// link" in error
    assert "\x1b" not in error and "\x07" not in error


def test_a_multi_line_list_points_at_its_key_and_names_the_id():
    text = RULE.format(references='[\n  "CWE-319",\n  "CAPEC-99999",\n]')
    (error,) = errors(text.encode())
    assert error.startswith(f"r.toml:{REFERENCES_LINE}:1: error: rule my-rule: reference `CAPEC-99999` ")


def test_the_new_forms_load():
    refs = ("ASVS-V6.2.1", "ASVS-V12", "API1:2023", "LLM01:2025", "ATTACK-T1190", "ATTACK-T1078.004")
    (rule,) = parse_rule_file(rule_file(*refs, "https://example.org/our-standard#7"), "r.toml").rules
    assert rule.references == (*refs, "https://example.org/our-standard#7")


def test_the_cli_refuses_the_rule_file_with_exit_2_and_no_traceback(tmp_path, run_cli):
    rules = tmp_path / "team.toml"
    rules.write_bytes(rule_file("CWE-319", "CWE-99999"))
    code, out, err = run_cli("rules", "--rules", rules)
    assert code == 2
    assert f"{rules}:{REFERENCES_LINE}:1: error: rule my-rule: reference `CWE-99999`" in err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize(
    ("ref", "url"),
    [
        ("CWE-319", "https://cwe.mitre.org/data/definitions/319.html"),
        ("CAPEC-157", "https://capec.mitre.org/data/definitions/157.html"),
        ("ATTACK-T1190", "https://attack.mitre.org/techniques/T1190/"),
        ("ATTACK-T1078.004", "https://attack.mitre.org/techniques/T1078/004/"),
        ("ASVS-V6.2.1", "https://github.com/OWASP/ASVS/blob/v5.0.0_release/5.0/en/0x15-V6-Authentication.md"),
        ("ASVS-V1", "https://github.com/OWASP/ASVS/blob/v5.0.0_release/5.0/en/0x10-V1-Encoding-and-Sanitization.md"),
        (
            "ASVS-V16.3",
            "https://github.com/OWASP/ASVS/blob/v5.0.0_release/5.0/en/0x25-V16-Security-Logging-and-Error-Handling.md",
        ),
        ("API1:2023", "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/"),
        ("API10:2023", "https://owasp.org/API-Security/editions/2023/en/0xaa-unsafe-consumption-of-apis/"),
        ("LLM01:2025", "https://genai.owasp.org/llmrisk/llm01-prompt-injection/"),
        ("LLM08:2025", "https://genai.owasp.org/llmrisk/llm082025-vector-and-embedding-weaknesses/"),
    ],
)
def test_each_form_links_to_its_official_page(ref, url):
    assert reference_url(ref) == url


@pytest.mark.parametrize("ref", ["CWE-99999", "API1:2019", "https://evil.example/x", "T1190"])
def test_unknown_ids_and_user_links_are_never_linked(ref):
    assert reference_url(ref) is None


def test_the_report_links_the_new_forms(tmp_path, minimal_file, run_cli):
    rules = tmp_path / "team.toml"
    rules.write_bytes(rule_file("ASVS-V8.2.1", "API1:2023", "ATTACK-T1190"))
    code, out, _ = run_cli("report", minimal_file, "--rules", rules)
    assert code == 0
    assert (
        "References: [ASVS-V8.2.1](https://github.com/OWASP/ASVS/blob/v5.0.0_release/5.0/en/0x17-V8-Authorization.md), "
        "[API1:2023](https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/), "
        "[ATTACK-T1190](https://attack.mitre.org/techniques/T1190/)"
    ) in out


def test_catalogues_load_only_when_a_reference_needs_them():
    rc.catalogue.cache_clear()
    parse_rule_file(rule_file(), "r.toml")
    assert rc.catalogue.cache_info().currsize == 0
    parse_rule_file(rule_file("LLM01:2025"), "r.toml")
    assert rc.catalogue.cache_info().currsize == 1
