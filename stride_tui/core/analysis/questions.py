"""Questions instead of guesses: each unknown fact that provisional findings rest on, asked once.

A finding that fires only because facts are unknown is provisional (`unknowns.settling_facts`).
Rather than showing each of them, the editor asks about each unknown fact once — "Is Gateway →
Refund service encrypted in transit?" — and lists the threats the answer settles; answering sets
the fact (`stride_tui.core.editing.set_fact`). Decided threats ask nothing. `check` still counts
provisional threats as open (fail closed) and says how many rest on questions (DESIGN §8).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from stride_tui.core.analysis.engine import Analysis, unrecognised_components, without_gc
from stride_tui.core.analysis.rules import Template
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.analysis.unknowns import ANSWERABLE
from stride_tui.core.model.elements import SEVERITIES, UNDECIDED

# (question, the value "y" sets, the value "n" sets); {element}, {source} and {target} are names
_BOOLEAN: dict[str, tuple[str, object, object]] = {
    "trusted": ("Is {element} trusted (the team controls or vouches for it)?", True, False),
    "privileged": ("Does {element} perform privileged actions (payments, admin, account changes)?", True, False),
    "forwards": ("Does {element} pass requests on (a gateway, load balancer or proxy)?", True, False),
    "audit_log": ("Does {element} write an audit record of every privileged action?", True, False),
    "least_privilege": ("Are {element}'s credentials and permissions limited to what it needs?", True, False),
    "validates_input": ("Does {element} validate every input against a schema or allow-list?", True, False),
    "sanitizes_errors": ("Does {element} keep stack traces and internals out of its errors?", True, False),
    "rate_limited": ("Are callers of {element} rate-limited?", True, False),
    "is_log": ("Does {element} hold logs or audit records?", True, False),
    "is_queue": ("Is {element} a queue, topic or event stream?", True, False),
    "encrypted_at_rest": ("Is {element} encrypted at rest?", True, False),
    "stores_credentials": ("Does {element} hold passwords, keys or tokens?", True, False),
    "restricted_access": ("Can only named principals read or write {element}?", True, False),
    "encrypted": ("Is {element} encrypted in transit (TLS)?", True, False),
    "signed": ("Are the messages of {element} signed?", True, False),
    "timeout": ("Does {source} call {target} with a timeout?", True, False),
    "circuit_breaker": ("Does {source} stop calling {target} while it fails (a circuit breaker)?", True, False),
    "correlation_id": ("Does {element} carry a correlation id?", True, False),
    "encodes_output": ("Does {element} encode everything it renders for its context?", True, False),
    "csrf_protected": ("Do state-changing requests to {element} need an anti-CSRF token?", True, False),
    "runs_as_root": ("Does {element} run as root?", True, False),
    "hardened": ("Is {element} hardened (minimal image, read-only filesystem, no shell)?", True, False),
    "verifies_signatures": ("Does {element} verify the signature of each message before acting on it?", True, False),
    "logs_prompts": ("Does {element} write prompts or model answers to its logs or traces?", True, False),
    "egress_restricted": ("Can {element} reach only listed destinations on the way out?", True, False),
    "behind_waf": ("Does a web application firewall filter what reaches {element}?", True, False),
    "dead_letter_queue": ("Do messages that keep failing on {element} go to a watched dead-letter queue?", True, False),
    "separate_read_write": ("On {element}, may producers only write and consumers only read?", True, False),
    "image_pinned": ("Are {element}'s image and dependencies pinned by digest and verified?", True, False),
    "backed_up": ("Is {element} backed up, with a restore that has been tested?", True, False),
    "mfa": ("Does the person behind {element} sign in with a second factor?", True, False),
    "replay_protected": ("Does {target} refuse a replayed copy of {element}?", True, False),
    "credential_shared": ("Do other clients use the same credential as {source} on {element}?", True, False),
}
# facts with more than two answers: the question, what "n" sets (None: no one-key no)
_CHOICE: dict[str, tuple[str, object]] = {
    "authentication": ("How does {source} authenticate to {target}?", "none"),
    "authorization": ("How does {element} decide what each caller may do?", "none"),
    "secrets": ("Where does {element} keep its secrets?", None),
    "classification": ("How sensitive is the data of {element}?", None),
    "integrity": ("How much harm does a forged or altered write to {element} do?", None),
    "availability": ("How much harm does an outage of {element} do?", None),
    "deployment": ("Is {element} deployed by a pipeline that pushes, or does it pull its releases?", None),
}


@dataclass(slots=True)
class Question:
    """One unknown fact of one element, and the threats its answer settles.

    Treat it as a value (never mutate one): not frozen, because a large model asks tens of
    thousands and frozen dataclasses are slow to create."""

    element_id: str
    fact: str
    text: str
    threat_ids: tuple[str, ...]
    answers: dict[str, object]
    """What one key sets: ``{"y": True, "n": False}``; a fact with several values has only the
    answers that are one word (``"n"`` for authentication is ``"none"``) and lists `choices`."""
    choices: tuple[object, ...] = ()
    """Every value the fact can take, for a fact that is not true/false (empty for free text)."""

    @property
    def id(self) -> str:
        return f"{self.fact}@{self.element_id}"


def questions(analysis: Analysis, threats: list[Threat]) -> list[Question]:
    """The questions of every undecided threat: first those that settle the riskiest threats,
    then those that settle the most (a stable order: ties keep the threats' order)."""
    with without_gc(kept=True):
        return _questions(analysis, threats)


def _questions(analysis: Analysis, threats: list[Threat]) -> list[Question]:
    asked: dict[tuple[str, str], dict[str, None]] = {}  # a dict keeps the threats' order, once each
    # the undecided threats of each component asked what it is built with: its own threats
    # first, then those with a finding on it (one walk over the threats for both)
    unrecognised = _unrecognised(analysis)
    threats_of: dict[str, dict[str, None]] = {}
    for threat in threats:
        if threat.status not in UNDECIDED:  # `Threat.undecided`, without a call per threat
            continue
        tid = threat.id
        # a hand-written threat is the team's own: no answer about the technology settles it
        built_with = not threat.headline.custom
        element_id = threat.element_id
        if built_with and element_id in unrecognised:
            threats_of.setdefault(element_id, {})[tid] = None
        for finding in threat.findings:
            element_id = finding.element_id
            if built_with and element_id in unrecognised:
                ids = threats_of.get(element_id)
                if ids is None:
                    ids = threats_of[element_id] = {}
                ids[tid] = None
            for key in finding.rests_on:
                ids = asked.get(key)
                if ids is None:
                    ids = asked[key] = {}
                ids[tid] = None
    # the wording of a question depends only on the model: made once per analysis (the panel
    # asks for the questions of each view it shows)
    worded: dict[tuple[str, str], Question] = analysis.__dict__.setdefault("_worded_questions", {})
    out = []
    names_of: dict[str, tuple[dict[str, str], str]] = {}
    for key, ids in asked.items():
        template = worded.get(key)
        if template is None:  # worded now: the question itself is kept as the wording
            out.append(_question(analysis, key[0], key[1], tuple(ids), names_of))
            worded[key] = out[-1]
            continue
        out.append(
            Question(template.element_id, template.fact, template.text, tuple(ids), template.answers, template.choices)
        )
    out += _technology_questions(analysis, threats_of, asked)
    # the question that settles the riskiest threats first, then the one that settles most
    risk = {t.id: _RANK[t.severity] for t in threats}
    # (what a technology is only refines threats: after the facts that settle them)
    riskiest = risk.__getitem__
    return sorted(out, key=lambda q: (-max(map(riskiest, q.threat_ids)), q.fact == "technology", -len(q.threat_ids)))


_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def _unrecognised(analysis: Analysis) -> dict[str, str]:
    """The processes and stores whose technology the catalogue does not recognise, each with
    what to ask: "What is X built with?". Worked out once per analysis (it depends only on the
    model), so the walk over the threats looks each finding's element up in this alone; the
    analyzer hands its analyses theirs, kept up to date across edits."""
    cell = analysis.unrecognised
    found = cell[0]
    if found is None:
        found = cell[0] = unrecognised_components(analysis.catalogue, analysis.model.components)
    return found


def _technology_questions(
    analysis: Analysis, threats_of: dict[str, dict[str, None]], asked: Mapping[tuple[str, str], object]
) -> list[Question]:
    """ "What is X built with?" for each process or store with undecided threats (by component:
    ``threats_of``) whose technology the catalogue does not recognise: the answer picks the
    rules and fixes that fit, so an unknown technology is asked about, never silently skipped.
    (Its technology asked as a fact already, it is not asked twice.)"""
    texts = _unrecognised(analysis)
    return [
        Question(element_id, "technology", texts[element_id], tuple(ids), {}, ())
        for element_id, ids in threats_of.items()
        if (element_id, "technology") not in asked
    ]


def _question(
    analysis: Analysis,
    element_id: str,
    fact: str,
    threat_ids: tuple[str, ...],
    names_of: dict[str, tuple[dict[str, str], str]] | None = None,
) -> Question:
    """The question of ``fact`` on ``element_id``; ``names_of`` keeps each element's names and
    kind for its next question (an element is asked about several facts)."""
    found = names_of.get(element_id) if names_of is not None else None
    if found is None:
        found = _names(analysis, element_id)
        if names_of is not None:
            names_of[element_id] = found
    names, kind = found
    if fact in _BOOLEAN:
        return Question(element_id, fact, _FILLS[fact](names), threat_ids, _ANSWERS[fact], (True, False))
    choices = _choices(kind, fact)
    if fact in _CHOICE:
        return Question(element_id, fact, _FILLS[fact](names), threat_ids, _ANSWERS[fact], choices)
    text = f"What is the `{fact}` of {names['element']}?"
    return Question(element_id, fact, text, threat_ids, {}, choices)


def _names(analysis: Analysis, element_id: str) -> tuple[dict[str, str], str]:
    """What a question's text fills in for an element, and its kind."""
    model = analysis.model
    flow = model.flows.get(element_id)
    if flow is not None:
        source, target = model.display_name(flow.source), model.display_name(flow.target)
        # `flow_display_name`, from the two names just looked up
        return {"element": flow.name or f"{source} → {target}", "source": source, "target": target}, "flow"
    name = model.display_name(element_id)
    return {"element": name, "source": name, "target": name}, model.components[element_id].kind


# each question's wording as a function of the names (`str.format_map` parsed the text again for
# each of tens of thousands of questions; an f-string of its pieces does not)
_FILLS: dict[str, Callable[[dict[str, str]], str]] = {
    fact: Template(text).fill for fact, (text, _, _) in _BOOLEAN.items()
}
_FILLS.update({fact: Template(text).fill for fact, (text, _) in _CHOICE.items()})

# what one key sets, per fact: one dict for every question of the fact (a question is a value)
_ANSWERS: dict[str, dict[str, object]] = {fact: {"y": yes, "n": no} for fact, (_, yes, no) in _BOOLEAN.items()}
_ANSWERS.update({fact: ({"n": no} if no is not None else {}) for fact, (_, no) in _CHOICE.items()})


@functools.lru_cache(maxsize=1024)
def _choices(kind: str, fact: str) -> tuple[object, ...]:
    return tuple(ANSWERABLE.get(kind, {}).get(fact) or ())
