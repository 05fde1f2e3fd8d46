"""The reference ids a rule may cite, and the catalogues that say which ids exist.

A rule's ``references`` name entries of public catalogues (MITRE CWE, CAPEC, ATT&CK; OWASP
ASVS, API Security Top 10, Top 10 for LLM Applications). Their id lists ship as data in
``stride_tui/references`` (see its README for sources and versions), so a reference that does
not exist — a typo, a retired id, CWE-99999 — is refused when the rule file loads instead of
sending a reader to a page that says something else. Each list is read on first use only.
``url`` gives a known id's official page (reports link it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import tomli

from stride_tui.core.text_safety import escape_controls, show_invisible


@dataclass(frozen=True)
class Form:
    """How ids of one catalogue are written."""

    catalogue: str
    """Its key in ``stride_tui/references/catalogues.toml``."""
    pattern: str
    written: str
    """The form in words, for error messages."""


FORMS = (
    Form("capec", r"CAPEC-\d{1,6}", "CAPEC-<n>"),
    Form("cwe", r"CWE-\d{1,6}", "CWE-<n>"),
    # a chapter, a section or a requirement: ASVS-V6, ASVS-V6.2, ASVS-V6.2.1
    Form("asvs", r"ASVS-V\d{1,2}(?:\.\d{1,2}){0,2}", "ASVS-V<chapter>[.<section>[.<requirement>]]"),
    # the year is part of the id (API1:2019 and API1:2023 are different risks), so the form
    # takes any year and the catalogue check says which edition ships
    Form("owasp-api", r"API\d{1,2}:\d{4}", "API<n>:2023"),
    Form("owasp-llm", r"LLM\d{2}:\d{4}", "LLM<nn>:2025"),
    Form("attack", r"ATTACK-T\d{4}(?:\.\d{3})?", "ATTACK-T<nnnn>[.<nnn>]"),
)
LINK_PATTERN = r"https://[^\s<>\"]{1,300}"
REFERENCE_PATTERN = "^(" + "|".join(f.pattern for f in FORMS) + "|" + LINK_PATTERN + ")$"
"""Every accepted reference: an id of one of the catalogues, or an https:// link (not checked)."""

_FORMS = tuple((re.compile(f.pattern), f) for f in FORMS)
_FOLDER = "references"


@dataclass(frozen=True)
class Catalogue:
    """One shipped id list."""

    key: str
    title: str
    version: str
    entries: dict[str, str]

    @property
    def label(self) -> str:
        """``MITRE CWE 4.19.1``: which list, which version."""
        return f"{self.title} {self.version}"


def form_of(reference: str) -> Form | None:
    """The catalogue form ``reference`` is written in; None for links and anything else."""
    for pattern, form in _FORMS:
        if pattern.fullmatch(reference):
            return form
    return None


@functools.cache
def _manifest() -> dict[str, dict]:
    text = (resources.files("stride_tui") / _FOLDER / "catalogues.toml").read_text(encoding="utf-8")
    return tomli.loads(text)


@functools.cache
def catalogue(key: str) -> Catalogue:
    """The catalogue ``key`` (``cwe``, ``capec``, ``asvs``, ``owasp-api``, ``owasp-llm``, ``attack``)."""
    meta = _manifest()[key]
    text = (resources.files("stride_tui") / _FOLDER / meta["file"]).read_text(encoding="utf-8")
    entries = {}
    for line in text.splitlines():
        ref, _, name = line.partition("\t")
        entries[ref] = name
    return Catalogue(key, meta["title"], meta["version"], entries)


def known(reference: str) -> bool:
    """Whether ``reference`` is an entry of the catalogue its form names (links never are)."""
    return name(reference) is not None


def name(reference: str) -> str | None:
    """The entry's name ("Cleartext Transmission of Sensitive Information"), or None."""
    form = form_of(reference)
    if form is None:
        return None
    return catalogue(form.catalogue).entries.get(reference)


def url(reference: str) -> str | None:
    """The official page of a known id; None for links, unknown ids and anything else."""
    form = form_of(reference)
    if form is None or not known(reference):
        return None
    number = reference.partition("-")[2]
    if form.catalogue == "capec":
        return f"https://capec.mitre.org/data/definitions/{number}.html"
    if form.catalogue == "cwe":
        return f"https://cwe.mitre.org/data/definitions/{number}.html"
    if form.catalogue == "attack":  # ATTACK-T1078.004 → /techniques/T1078/004/
        return "https://attack.mitre.org/techniques/" + number.replace(".", "/") + "/"
    if form.catalogue == "asvs":  # no page per requirement: its chapter's page, in the shipped release
        chapter = int(number[1:].partition(".")[0])
        title = name(f"ASVS-V{chapter}") or ""
        tag = f"v{catalogue('asvs').version}_release"
        page = f"0x{chapter + 9}-V{chapter}-{title.replace(' ', '-')}.md"  # 0x10-V1-… to 0x26-V17-…
        return f"https://github.com/OWASP/ASVS/blob/{tag}/5.0/en/{page}"
    title = name(reference) or ""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    risk = int(re.sub(r"\D", "", reference.partition(":")[0]))
    if form.catalogue == "owasp-api":  # API10:2023 → 0xaa-unsafe-consumption-of-apis
        return f"https://owasp.org/API-Security/editions/2023/en/0xa{risk:x}-{slug}/"
    # owasp-llm: the project's 2025 pages are llm<nn>2025-<slug>, except LLM01, which it
    # publishes (and links from its own repository) as llm01-prompt-injection
    page = f"llm{risk:02d}-{slug}" if risk == 1 else f"llm{risk:02d}2025-{slug}"
    return f"https://genai.owasp.org/llmrisk/{page}/"


def problem(reference: str) -> str | None:
    """Why a rule may not cite ``reference``; None when it may (a known id, or an https:// link)."""
    if re.fullmatch(LINK_PATTERN, reference):
        return None
    if form_of(reference) is None:
        return form_problem(reference)
    return catalogue_problem(reference)


def catalogue_problem(reference: str) -> str | None:
    """Why an id written in a catalogue's form may not be cited (it is not in that catalogue);
    None for a known id and for text in no catalogue's form (links, or not a reference)."""
    form = form_of(reference)
    if form is None or known(reference):
        return None
    return (
        f"reference `{reference}` is not an entry of {catalogue(form.catalogue).label} "
        "(the list stride-tui checks ids against: see docs/rules.md, References)"
    )


def form_problem(reference: str) -> str:
    """The error for text that is no reference at all, with the id it probably meant."""
    forms = ", ".join(f.written for f in FORMS)
    hint = _suggestion(reference)
    # the text is the rule file's, not ours: shown escaped and cut short, never obeyed
    shown = show_invisible(escape_controls(reference[:80], one_line=True)) + ("…" if len(reference) > 80 else "")
    return (
        f"`{shown}` is not a reference{f' (did you mean `{hint}`?)' if hint else ''}: write {forms} or an https:// link"
    )


def _suggestion(reference: str) -> str | None:
    # the usual slips: lower case, a bare ATT&CK or ASVS id, a space after the dash
    bare = re.sub(r"\s+", "", reference).upper()
    for candidate in (bare, f"ATTACK-{bare}", f"ASVS-{bare}", f"ASVS-V{bare}"):
        if known(candidate):
            return candidate
    return None
