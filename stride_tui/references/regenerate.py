"""Rebuild the reference catalogues in this folder from checkouts of their public sources.

Not imported by stride-tui: a maintainer runs it when MITRE or OWASP publish a new version
(see README.md here for the sources, versions and the exact command). Standard library only.
Each catalogue becomes ``<name>.tsv`` (one ``ID<TAB>name`` line per current entry, in id
order) and ``catalogues.toml`` records its title, version and size.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _tidy(text: str) -> str:
    # one line of text per entry: the sources wrap names and requirements over several lines
    return " ".join(text.split())


def _natural(ref: str) -> tuple:
    """Order ids by their numbers (CWE-9 before CWE-10), the order MITRE and OWASP list them in."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ref))


def _stix_objects(folder: Path) -> Iterator[dict]:
    for path in sorted(folder.glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        yield from bundle.get("objects", [bundle])


def _external_id(obj: dict, source: str) -> str | None:
    for ref in obj.get("external_references", []):
        if ref.get("source_name") == source and "external_id" in ref:
            return str(ref["external_id"])
    return None


def capec(cti: Path) -> tuple[dict[str, str], str]:
    """CAPEC attack patterns from mitre/cti ``capec/2.1``; deprecated ones are left out."""
    entries, versions = {}, set()
    for obj in _stix_objects(cti / "capec" / "2.1" / "attack-pattern"):
        ref = _external_id(obj, "capec")
        if ref is None or obj.get("revoked") or obj.get("x_capec_status") == "Deprecated":
            continue
        entries[ref] = _tidy(obj["name"])
        versions.add(obj.get("x_capec_version", "0"))
    return entries, max(versions, key=_natural)


def attack(cti: Path) -> dict[str, str]:
    """ATT&CK Enterprise techniques and sub-techniques; revoked and deprecated ones left out.
    A sub-technique is named as ATT&CK shows it, after its technique ("Data Obfuscation: Junk Data")."""
    names = {}
    for obj in _stix_objects(cti / "enterprise-attack" / "attack-pattern"):
        ref = _external_id(obj, "mitre-attack")
        if ref is None or obj.get("revoked") or obj.get("x_mitre_deprecated"):
            continue
        names[ref] = _tidy(obj["name"])
    entries = {}
    for ref, name in names.items():
        parent = names.get(ref.partition(".")[0]) if "." in ref else None
        entries[f"ATTACK-{ref}"] = f"{parent}: {name}" if parent else name
    return entries


def cwe(repo: Path) -> tuple[dict[str, str], str]:
    """CWE weaknesses and categories from CWE-CAPEC/REST-API-wg ``json_repo`` (views and
    deprecated entries left out: neither is something a threat can be an instance of)."""
    root = repo / "json_repo"
    entries = {}
    for kind in ("W", "C"):
        for path in sorted((root / kind).glob("*.json")):
            if not path.stem.isdigit():
                continue  # weaknesses.json / categories.json: the same entries again, in one file
            entry = json.loads(path.read_text(encoding="utf-8"))
            if entry.get("Status") != "Deprecated":
                entries[f"CWE-{entry['ID']}"] = _tidy(entry["Name"])
    version = json.loads((root / "cwev.json").read_text(encoding="utf-8"))["ContentVersion"]
    return entries, str(version)


def asvs(release_json: Path) -> tuple[dict[str, str], str]:
    """ASVS chapters, sections and requirements from the release's JSON export; a chapter or
    section is named by its title, a requirement by its text."""
    data = json.loads(release_json.read_text(encoding="utf-8"))
    entries = {}
    for chapter in data["Requirements"]:
        entries[f"ASVS-{chapter['Shortcode']}"] = _tidy(chapter["Name"])
        for section in chapter["Items"]:
            entries[f"ASVS-{section['Shortcode']}"] = _tidy(section["Name"])
            for requirement in section["Items"]:
                entries[f"ASVS-{requirement['Shortcode']}"] = _tidy(requirement["Description"])
    return entries, str(data["Version"])


_TOP10_HEADING = re.compile(r"^#{1,3}\s+((?:API|LLM)\d{1,2}:\d{4})\s*-?\s*(.+?)\s*$", re.MULTILINE)


def top10(files: Iterable[Path]) -> dict[str, str]:
    """An OWASP Top 10 from its per-risk Markdown pages: the first heading names the risk."""
    entries = {}
    for path in sorted(files):
        match = _TOP10_HEADING.search(path.read_text(encoding="utf-8"))
        if match:
            entries[match.group(1)] = _tidy(match.group(2))
    return entries


def write(name: str, entries: dict[str, str]) -> None:
    lines = [f"{ref}\t{title}\n" for ref, title in sorted(entries.items(), key=lambda kv: _natural(kv[0]))]
    (HERE / f"{name}.tsv").write_text("".join(lines), encoding="utf-8", newline="\n")


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cti", type=Path, required=True, help="checkout of github.com/mitre/cti")
    parser.add_argument("--attack-version", required=True, help="the ATT&CK version of that checkout (its tag)")
    parser.add_argument("--cwe", type=Path, required=True, help="checkout of github.com/CWE-CAPEC/REST-API-wg")
    parser.add_argument("--asvs", type=Path, required=True, help="checkout of github.com/OWASP/ASVS at a release tag")
    parser.add_argument("--api", type=Path, required=True, help="checkout of github.com/OWASP/API-Security")
    parser.add_argument(
        "--llm", type=Path, required=True, help="checkout of the OWASP Top 10 for LLM Applications repository"
    )
    args = parser.parse_args(argv)

    capec_entries, capec_version = capec(args.cti)
    cwe_entries, cwe_version = cwe(args.cwe)
    asvs_json = next(iter(sorted((args.asvs / "5.0" / "docs_en").glob("*_en.json"))))
    asvs_entries, asvs_version = asvs(asvs_json)
    catalogues = [
        ("capec", "MITRE CAPEC", capec_version, capec_entries),
        ("cwe", "MITRE CWE", cwe_version, cwe_entries),
        ("asvs", "OWASP ASVS", asvs_version, asvs_entries),
        ("owasp-api", "OWASP API Security Top 10", "2023", top10((args.api / "editions/2023/en").glob("0xa*.md"))),
        ("owasp-llm", "OWASP Top 10 for LLM Applications", "2025", top10((args.llm / "2_0_vulns").glob("LLM*_*.md"))),
        ("attack", "MITRE ATT&CK Enterprise", args.attack_version, attack(args.cti)),
    ]
    manifest = ["# Written by regenerate.py: what each catalogue file holds (README.md says where from).\n"]
    for name, title, version, entries in catalogues:
        write(name, entries)
        manifest += [
            f"\n[{name}]\n",
            f'file = "{name}.tsv"\n',
            f"title = {_quoted(title)}\n",
            f"version = {_quoted(version)}\n",
            f"entries = {len(entries)}\n",
        ]
        print(f"{name}.tsv: {len(entries)} entries ({title} {version})")
    (HERE / "catalogues.toml").write_text("".join(manifest), encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main()
