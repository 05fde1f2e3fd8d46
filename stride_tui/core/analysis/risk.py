"""Risk = likelihood × impact, each low / medium / high, combined by the OWASP Risk Rating matrix.

Likelihood comes from where an attacker must stand (an untrusted caller, the internet through
gateways, another zone, a neighbour inside the zone), the caller's authentication, whether the
attack comes through the callers at all (the rule's ``attack``: a backdoored image does not;
root matters only after a first compromise), and whether the finding rests only on unknown
facts. Impact comes from what is at stake for the finding's STRIDE category: the data's
classification for disclosure, the ``integrity`` and ``availability`` ratings for tampering and
denial of service, the target's privilege for spoofing, elevation and repudiation. The rule's severity is the base: a weakness its rule rates
critical weighs more, a generic per-element one less (DESIGN §8). Every level carries its
reason in words, so every output can say why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stride_tui.core.analysis.facts import STRONG_AUTHENTICATION
from stride_tui.core.analysis.rules import Rule
from stride_tui.core.analysis.stakes import DATA_STAKES, PRIVILEGE_STAKES

LEVELS = ("low", "medium", "high")
# OWASP Risk Rating: rows are impact, columns likelihood; its "note" is our low
_MATRIX = (
    ("low", "low", "medium"),
    ("low", "medium", "high"),
    ("medium", "high", "critical"),
)
COMPONENT_RISK_FACTS = (
    "untrusted",
    "reachable_unauthenticated",
    "reachable_from_internet",
    "entered_across_boundary",
    "behind_waf",
    "privileged",
    "stores_credentials",
    "classification",
    "stakes",
    "availability",
    "integrity",
)
"""The facts `assess` reads of a component (its own: likelihood, the WAF, impact). The analysis
memoises ratings on these values: a fact `assess` reads must be listed here."""
FLOW_RISK_FACTS = (
    "from_internet",
    "source.reachable_from_internet",
    "source.forwards",
    "crosses_boundary",
    "authentication",
    "source.behind_waf",
    "target.behind_waf",
    "target.privileged",
    "target.stores_credentials",
    "classification",
    "target.classification",
    "availability",
    "target.availability",
    "integrity",
    "target.integrity",
    "stakes",
    "target.stakes",
)
"""The facts `assess` reads of a flow: its likelihood's, its ends' WAF, what it carries
and its target's stakes."""

_SEVERITY_INDEX = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_CALLER_CATEGORIES = ("spoofing", "tampering", "elevation_of_privilege", "denial_of_service")


@dataclass(frozen=True, slots=True)
class Risk:
    """One finding's rating and why."""

    likelihood: str
    impact: str
    severity: str
    reasons: tuple[str, ...]


def combine(likelihood: str, impact: str) -> str:
    """The OWASP matrix: low / medium / high likelihood and impact into low … critical."""
    return _MATRIX[LEVELS.index(impact)][LEVELS.index(likelihood)]


def assess(rule: Rule, facts: Mapping[str, object], kind: str, provisional: bool) -> Risk:
    """Rate one finding of ``rule`` on an element of ``kind`` with ``facts``."""
    level, why = (_flow_likelihood if kind == "flow" else _component_likelihood)(rule, facts)
    likelihood_reasons = [why]
    if level > 0 and filtered_by_waf(rule, facts, kind):
        level -= 1
        likelihood_reasons.append("a web application firewall filters what reaches it")
    if provisional and level > 0:
        # nothing recorded says the weakness is there: unlikely until its question is answered
        # (the gate still rates it as if the answer were bad: see the confirmed severity)
        level = 0
        likelihood_reasons.append("it rests only on unknown facts")
    impact, impact_why = _impact(rule.category, facts, kind)
    impact_reasons = [impact_why]
    if rule.severity == "critical" and impact < 2:
        impact += 1
        impact_reasons.append("its rule rates the weakness critical")
    elif rule.severity == "low" and impact > 0:
        impact -= 1
        impact_reasons.append("its rule rates it low on its own")
    severity = combine(LEVELS[level], LEVELS[impact])
    reasons = [
        f"likelihood {LEVELS[level]}: {'; '.join(likelihood_reasons)}",
        f"impact {LEVELS[impact]}: {'; '.join(impact_reasons)}",
    ]
    if not rule.raise_severity and _SEVERITY_INDEX[severity] > _SEVERITY_INDEX[rule.severity]:
        severity = rule.severity
        reasons.append(f"kept at its rule's {rule.severity} (the rule is never rated higher)")
    return Risk(LEVELS[level], LEVELS[impact], severity, tuple(reasons))


WAF_REMEDIES = ("input-validation", "output-encoding")
"""The controls a web application firewall stands in front of (injection, XSS): it lowers the
likelihood of their findings a step, never settles them."""


def filtered_by_waf(rule: Rule, facts: Mapping[str, object], kind: str) -> bool:
    """A finding about malicious input to an element behind a WAF (``behind_waf = true``)."""
    if rule.remedy not in WAF_REMEDIES:
        return False
    if kind == "flow":
        return facts.get("target.behind_waf") is True or facts.get("source.behind_waf") is True
    return facts.get("behind_waf") is True


def _flow_likelihood(rule: Rule, facts: Mapping[str, object]) -> tuple[int, str]:
    if facts.get("from_internet"):
        level, why = 2, "the sender is untrusted (on the internet or outside the team's control)"
    elif (
        facts.get("source.reachable_from_internet") and facts.get("source.forwards") is True and not _on_the_wire(rule)
    ):
        # internet callers' requests pass through, but only what the forwarder lets by: one step
        # removed from a direct exposure
        level, why = 1, "the sender forwards requests that come from the internet"
    elif facts.get("crosses_boundary"):
        level, why = 1, "it crosses a trust boundary"
    else:
        return 0, "only a neighbour inside the same zone could try"
    authentication = facts.get("authentication")
    if authentication in STRONG_AUTHENTICATION and (rule.caller or rule.category in _CALLER_CATEGORIES):
        return level - 1, f"{why}, but the caller authenticates ({authentication})"
    return level, why


def _on_the_wire(rule: Rule) -> bool:
    """Reading a flow in transit: the attacker must be on its network path, so where its
    requests come from (the internet, through a forwarder) does not make it likelier."""
    return rule.category == "information_disclosure" and not rule.caller


def _component_likelihood(rule: Rule, facts: Mapping[str, object]) -> tuple[int, str]:
    level, why = _exposure_likelihood(facts)
    if rule.attack == "build" and level > 1 and not facts.get("untrusted"):
        # its callers do not make a backdoor likelier; one only neighbours reach stays low (a
        # backdoor still has to be reached)
        return (
            1,
            f"{why}, but an attacker must come through what it is built from (a registry, a dependency, the build)",
        )
    if rule.attack == "foothold" and level > 0:
        return level - 1, f"{why}, and an attacker must first run code in it"
    return level, why


def _exposure_likelihood(facts: Mapping[str, object]) -> tuple[int, str]:
    if facts.get("untrusted"):
        return 2, "it is outside the team's control (on the internet or an outside entity)"
    if facts.get("reachable_unauthenticated"):
        return 2, "requests from the internet reach it without authentication"
    if facts.get("reachable_from_internet"):
        return 1, "requests from the internet reach it, after authentication"
    if facts.get("entered_across_boundary"):
        return 1, "it is called across a trust boundary"
    return 0, "only a neighbour inside its zone can reach it"


_CLASSIFICATION_IMPACT = {"restricted": 2, "confidential": 2, "internal": 1, "public": 0}
_RATING = {"low": 0, "medium": 1, "high": 2}


def _impact(category: str, facts: Mapping[str, object], kind: str) -> tuple[int, str]:
    """What is at stake for ``category``: the level and the reason."""
    flow = kind == "flow"
    target = "its target" if flow else "it"

    def at(key: str) -> object:
        # on a flow, what is at stake is what it carries and what it reaches
        value = facts.get(key)
        return facts.get(f"target.{key}") if value is None and flow else value

    privileged = facts.get("target.privileged" if flow else "privileged")
    credentials = facts.get("target.stores_credentials" if flow else "stores_credentials") is True
    classification = at("classification")
    target_words = _words(facts.get("target.stakes" if flow else "stakes"))
    own_words = _words(facts.get("stakes"))  # a flow's name and data; a component's name
    data_words = own_words + (target_words if flow else ())
    if privileged is None:  # unknown: read the names (a set fact always wins over the words)
        hint = next((w for w in target_words if w in PRIVILEGE_STAKES), None)
        privilege_reason = f"{target} is named for {hint} (privilege not recorded)" if hint else None
    else:
        privilege_reason = f"{target} performs privileged actions" if privileged else None
    sensitive = next((w for w in data_words if w in DATA_STAKES), None) if classification is None else None
    # the words a flow carries are its data; any other are an element's name
    if sensitive is None:
        sensitive_reason = ""
    elif flow and sensitive in own_words:
        sensitive_reason = f"the data mentions {sensitive} (classification not recorded)"
    else:
        sensitive_reason = f"{target} is named for {sensitive} (classification not recorded)"
    if category == "information_disclosure":
        if credentials:
            return 2, f"{target} holds credentials"
        if classification is not None:
            return _CLASSIFICATION_IMPACT[str(classification)], f"the data is {classification}"
        if sensitive:
            return 2, sensitive_reason
        return 1, "the data's classification is unknown"
    if category == "denial_of_service":
        rating = at("availability")
        if rating is not None:
            return _RATING[str(rating)], f"availability is rated {rating}"
        return 1, "availability is not rated"
    if category == "tampering":
        rating = at("integrity")
        if rating is not None:
            return _RATING[str(rating)], f"integrity is rated {rating}"
        money = next((w for w in data_words if w == "money"), None)
        if money:
            return 2, "it carries money movements (integrity not rated)"
    if privilege_reason:
        return 2, privilege_reason
    if credentials:
        return 2, f"{target} holds credentials"
    if category == "repudiation":
        return 0, "no privileged action is recorded" if privileged is False else "no privileged action is known"
    # posing as a caller gains that caller's rights, not the data's worth; tampering with data or
    # taking over the element reaches the data itself
    if category != "spoofing":
        if classification in ("restricted", "confidential"):
            return 2, f"the data is {classification}"
        if sensitive:
            return 2, sensitive_reason
    if category == "tampering":
        return 1, "integrity is not rated"
    return 1, "nothing privileged or sensitive is recorded"


def _words(value: object) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ()


def rating(severity: str, confirmed_severity: str) -> str:
    """ "medium", or "medium, critical if confirmed" when unanswered questions hold a threat down."""
    return severity if confirmed_severity == severity else f"{severity}, {confirmed_severity} if confirmed"


def risk_line(severity: str, reasons: tuple[str, ...]) -> str:
    """The rating and both factors in one line: "high risk: likelihood high: …; impact medium: …"."""
    return f"{severity} risk: " + "; ".join(reasons) if reasons else f"{severity} risk"
