"""Sketch lines: a data flow typed as fast as it is said, turned into one edit of the model.

    Customer > API gateway > Refund service : https, jwt   a chain of flows, with their facts
    Refund service > Ledger DB, Audit log                   one flow to each of several
    [Internet] Customer > [Cluster] API gateway > Worker    names placed as the chain goes
    [Cluster] API gateway, Refund service                   a boundary and its members
    [Cluster] Refund service > [+Data tier] Ledger DB       a boundary nested in the one before
    [Cluster / Data tier] Ledger DB                         a boundary nested in another
    API gateway [Cluster]                                   a component, in a boundary
    Ledger DB (store)                                       a component, with its kind
    Refund service : privileged, no audit log               a component's facts

A name that is not in the model yet becomes a component; its kind comes from a marker —
``(user)``, ``(process)``, ``(store)``, ``(queue)``, ``(log)`` — or is guessed from its words
("Ledger DB" is a data store, "Customer" an external entity), and the summary says which.
``[Boundary]`` before a name puts that name, the names listed with it (up to the next ``>``)
and every new name after it in the line in that boundary, until the next ``[…]``; an existing
name further on keeps its place, so naming a placed component in a chain never moves it.
``[+Inner]`` is a boundary inside the one in force there. Facts after ``:`` apply to every flow
of the chain, or to the components of a line without ``>``. A boundary called Internet is
marked as the internet. Every problem is a `SketchError` with the columns of the text at fault,
so the editor can point at it without losing the line.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from stride_tui.core.editing.base import EditError
from stride_tui.core.editing.build import build_boundary, build_component, build_flow
from stride_tui.core.editing.checks import propose_id
from stride_tui.core.editing.put import put_boundary, put_component, put_flow
from stride_tui.core.model.elements import ThreatModel

SYNTAX = (
    "A > B > C, D : https, jwt  ·  [Boundary] A > B (new names go in it)  ·  [+Inner] nests  ·  "
    "[Outer / Inner] C  ·  Name [Boundary]  ·  Name (user|process|store|queue|log)  ·  Name : privileged"
)
"""The syntax in one line, for the sketch line's placeholder and the help screen."""

GUESS_NOTE = "a kind was guessed from the name: write (user), (process) or (store) after a name to choose it"

_KIND_MARKERS: dict[str, tuple[str, dict[str, bool]]] = {
    **dict.fromkeys(("user", "person", "entity", "external", "partner", "actor"), ("external_entity", {})),
    **dict.fromkeys(("process", "service", "api", "job", "function", "app"), ("process", {})),
    **dict.fromkeys(("store", "db", "database", "cache", "bucket", "datastore"), ("data_store", {})),
    **dict.fromkeys(("queue", "topic", "stream"), ("data_store", {"is_queue": True})),
    "log": ("data_store", {"is_log": True}),
}
_STORE_WORDS = {
    "db",
    "database",
    "datastore",
    "store",
    "storage",
    "cache",
    "bucket",
    "table",
    "warehouse",
    "lake",
    "redis",
    "postgres",
    "postgresql",
    "mysql",
    "mongodb",
    "dynamodb",
    "s3",
    "files",
}
_QUEUE_WORDS = {"queue", "topic", "stream", "kafka", "sqs", "rabbitmq", "pubsub", "bus"}
_LOG_WORDS = {"log", "logs"}
_PROCESS_WORDS = {
    "service",
    "api",
    "gateway",
    "server",
    "backend",
    "frontend",
    "worker",
    "job",
    "function",
    "lambda",
    "proxy",
    "balancer",
    "ingress",
    "app",
    "daemon",
    "scheduler",
    "bff",
    "engine",
}
_FORWARDER_WORDS = {"gateway", "proxy", "balancer", "ingress", "lb"}
_ENTITY_WORDS = {
    "customer",
    "customers",
    "user",
    "users",
    "browser",
    "client",
    "partner",
    "person",
    "admin",
    "administrator",
    "operator",
    "shopper",
    "visitor",
    "member",
    "employee",
    "supplier",
    "vendor",
    "bank",
    "psp",
    "merchant",
    "third-party",
    "3rd-party",
}

_ENCRYPTED_PROTOCOLS = {"https", "grpcs", "tls", "amqps", "mqtts", "ldaps", "smtps", "sftp", "ssh", "wss"}
_PLAIN_PROTOCOLS = {"http", "ftp", "ws", "telnet"}
_OTHER_PROTOCOLS = {
    "grpc",
    "tcp",
    "amqp",
    "kafka",
    "mqtt",
    "sql",
    "jdbc",
    "redis",
    "ldap",
    "smtp",
    "s3",
    "graphql",
    "rest",
    "soap",
    "postgres",
    "mysql",
    "nats",
}
_FLOW_FACTS: dict[str, dict[str, object]] = {
    "mtls": {"authentication": "mtls", "encrypted": True},
    "jwt": {"authentication": "jwt"},
    "oauth2": {"authentication": "oauth2"},
    "oauth": {"authentication": "oauth2"},
    "session": {"authentication": "session"},
    "api key": {"authentication": "api_key"},
    "static secret": {"authentication": "static_secret"},
    "shared secret": {"authentication": "static_secret"},
    "no auth": {"authentication": "none"},
    "anonymous": {"authentication": "none"},
    "unauthenticated": {"authentication": "none"},
    "encrypted": {"encrypted": True},
    "unencrypted": {"encrypted": False},
    "plaintext": {"encrypted": False},
    "signed": {"signed": True},
    "unsigned": {"signed": False},
    "timeout": {"timeout": True},
    "no timeout": {"timeout": False},
    "circuit breaker": {"circuit_breaker": True},
    "no circuit breaker": {"circuit_breaker": False},
    "correlation id": {"correlation_id": True},
    "no correlation id": {"correlation_id": False},
}
_RATINGS: dict[str, dict[str, object]] = {
    f"{level} {rating}": {rating: level}
    for level in ("low", "medium", "high")
    for rating in ("integrity", "availability")
}
"""``high integrity``, ``low availability``…: facts of every kind and of flows."""
_FLOW_FACTS.update(_RATINGS)
_CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
_COMPONENT_FACTS: dict[str, dict[str, dict[str, object]]] = {
    "external_entity": {"trusted": {"trusted": True}, "untrusted": {"trusted": False}},
    "process": {
        "privileged": {"privileged": True},
        "forwards": {"forwards": True},
        "audit log": {"audit_log": True},
        "least privilege": {"least_privilege": True},
        "validates input": {"validates_input": True},
        "sanitizes errors": {"sanitizes_errors": True},
        "sanitises errors": {"sanitizes_errors": True},
        "rate limited": {"rate_limited": True},
        "secrets manager": {"secrets": "secrets_manager"},
        "plaintext secrets": {"secrets": "plaintext"},
        "env secrets": {"secrets": "environment"},
        "no secrets": {"secrets": "none"},
    },
    "data_store": {
        "encrypted at rest": {"encrypted_at_rest": True},
        "stores credentials": {"stores_credentials": True},
        "restricted access": {"restricted_access": True},
        "log": {"is_log": True},
        "queue": {"is_queue": True},
        **{level: {"classification": level} for level in _CLASSIFICATIONS},
    },
}
for _facts_of_kind in _COMPONENT_FACTS.values():
    _facts_of_kind.update(_RATINGS)


@dataclass
class SketchError(Exception):
    """What is wrong with a sketch line, and where: ``line[start:end]`` is the text at fault."""

    message: str
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return f"column {self.start + 1}: {self.message}"


@dataclass
class SketchResult:
    """The model after one sketch line, and what the line did, in words."""

    model: ThreatModel
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Hints for the user that are not changes (how to choose a guessed kind)."""

    @property
    def label(self) -> str:
        """The undo label of the whole line."""
        return "sketch: " + "; ".join(self.changes) if self.changes else "sketch"


@dataclass(frozen=True)
class _Span:
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def strip(self) -> _Span:
        stripped = self.text.lstrip()
        if not stripped:
            return _Span("", self.start)  # an empty part points at its gap
        return _Span(stripped.rstrip(), self.start + len(self.text) - len(stripped))


def _split(span: _Span, separator: str) -> list[_Span]:
    """``span`` cut at ``separator`` outside brackets, parentheses and quotes."""
    parts, depth, quoted, begin = [], 0, False, 0
    for index, char in enumerate(span.text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "[(":
            depth += 1
        elif not quoted and char in "])":
            depth -= 1
        elif not quoted and depth == 0 and span.text.startswith(separator, index):
            parts.append(_Span(span.text[begin:index], span.start + begin))
            begin = index + len(separator)
    parts.append(_Span(span.text[begin:], span.start + begin))
    return [part.strip() for part in parts]


_ITEM = re.compile(
    r"^(?:\[(?P<scope>[^\[\]]*)\])?\s*(?P<name>[^()\[\]]*?)\s*"
    r"(?:\((?P<kind>[^()]*)\))?\s*(?:\[(?P<boundary>[^\[\]]*)\])?$"
)
"""One name of a chain: ``[Scope] Name (kind) [Boundary]``, every part but the name optional."""
_BOUNDARY_FORMS = "[Cluster], [Cluster / Data tier] or [+Data tier]"


@dataclass(frozen=True)
class _Path:
    """A boundary as written: its names outermost first; ``nested``: ``[+Name]``, inside the
    boundary the line is in at that point."""

    names: list[str]
    nested: bool
    span: _Span


@dataclass(frozen=True)
class _NameRef:
    name: str
    kind: str | None
    boundary: _Path | None
    """``Name [Boundary]``: this name's boundary."""
    scope: _Path | None
    """``[Boundary] Name``: the boundary this name and the names after it go in."""
    span: _Span


def _path(match: re.Match[str], group: str, span: _Span) -> _Path | None:
    text = match.group(group)
    if text is None:
        return None
    start = span.start + match.start(group)
    nested = text.lstrip().startswith("+")
    names = [part.strip() for part in text.strip().removeprefix("+").split("/")]
    if not all(names):
        raise SketchError(f"a boundary needs a name: {_BOUNDARY_FORMS}", start - 1, start + len(text) + 1)
    return _Path(names, nested, _Span(f"[{text}]", start - 1))


def _name_ref(span: _Span) -> _NameRef:
    match = _ITEM.match(span.text)
    if match is None:
        raise SketchError(
            f"expected a name, not {span.text!r} (e.g. API gateway, Ledger DB (store), [Cluster] Web)",
            span.start,
            max(span.end, span.start + 1),
        )
    scope, boundary = _path(match, "scope", span), _path(match, "boundary", span)
    name = " ".join(match.group("name").split())
    if not name and (scope is None or match.group("kind") is not None or boundary is not None):
        what = "a name" if not span.text else f"a name, not {span.text!r}"
        raise SketchError(
            f"expected {what} (e.g. API gateway, Ledger DB (store), [Cluster] Web)",
            span.start,
            max(span.end, span.start + 1),
        )
    if scope is not None and boundary is not None:
        raise SketchError(
            f"{name} is given two boundaries: write [Cluster] {name} or {name} [Cluster], not both",
            span.start,
            span.end,
        )
    kind = match.group("kind")
    if kind is not None and kind.strip().lower() not in _KIND_MARKERS:
        start = span.start + match.start("kind")
        raise SketchError(
            f"unknown kind ({kind}): write (user), (process), (store), (queue) or (log)", start, start + len(kind)
        )
    return _NameRef(name, kind and kind.strip().lower(), boundary, scope, span)


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", name.lower())


def guess_kind(name: str) -> tuple[str, dict[str, bool]]:
    """The kind a new component named ``name`` most likely has, with the facts its name gives."""
    words = set(_words(name))
    last = _words(name)[-1] if _words(name) else ""
    store_like = words & (_STORE_WORDS | _QUEUE_WORDS | _LOG_WORDS)
    if last in _STORE_WORDS | _QUEUE_WORDS | _LOG_WORDS or (store_like and not words & _PROCESS_WORDS):
        facts = {"is_queue": True} if words & _QUEUE_WORDS else {"is_log": True} if words & _LOG_WORDS else {}
        return "data_store", facts
    if words & _FORWARDER_WORDS:  # gateways, proxies and load balancers pass requests on
        return "process", {"forwards": True}
    if words & _PROCESS_WORDS:
        return "process", {}
    if words & _ENTITY_WORDS:
        return "external_entity", {}
    return "process", {}


_KIND_WORDS = {"external_entity": "external entity", "process": "process", "data_store": "data store"}


class _Sketch:
    """One line being applied: the model so far and what was done to it."""

    def __init__(self, model: ThreatModel) -> None:
        self.model = model
        self.changes: list[str] = []
        self.guessed = False
        """A new component's kind was guessed: the summary says how to choose it."""
        self.current: str | None = None
        """The boundary new names go in at this point of the line (the last ``[Boundary]``)."""

    # ------------------------------------------------------------------- lookups

    def find_component(self, name: str) -> str | None:
        wanted = name.casefold()
        for component_id, component in self.model.components.items():
            if component_id == wanted or (component.name or "").casefold() == wanted:
                return component_id
        return None

    def find_boundary(self, name: str) -> str | None:
        wanted = name.casefold()
        for boundary_id, boundary in self.model.boundaries.items():
            if boundary_id == wanted or (boundary.name or "").casefold() == wanted:
                return boundary_id
        return None

    # ------------------------------------------------------------------ elements

    def boundary(self, path: _Path) -> str:
        """The id of the innermost boundary of ``path``, creating and nesting what is missing."""
        if path.nested and self.current is None:
            raise SketchError(
                f"[+{path.names[0]}] nests in the boundary named before it in the line: "
                f"write [Cluster] first, or [Cluster / {path.names[0]}]",
                path.span.start,
                path.span.end,
            )
        parent = self.current if path.nested else None
        for depth, name in enumerate(path.names):
            boundary_id = self.find_boundary(name)
            inside = f" in {self.boundary_name(parent)}" if parent else ""
            if boundary_id is None:
                values: dict[str, object] = {"name": name, "parent": parent}
                if name.casefold() in ("internet", "the internet", "public internet"):
                    values["internet"] = True
                boundary_id = propose_id(self.model, name, "boundaries")
                self.model = self._put(put_boundary, boundary_id, partial(build_boundary, values), path.span)
                self.changes.append(f"added boundary {name}{inside}")
            elif (depth > 0 or path.nested) and self.model.boundaries[boundary_id].parent != parent:
                moved = partial(self.model.boundaries[boundary_id].model_copy, update={"parent": parent})
                self.model = self._put(put_boundary, boundary_id, moved, path.span, old_id=boundary_id)
                self.changes.append(f"moved boundary {name} into {self.boundary_name(parent)}")
            parent = boundary_id
        assert parent is not None
        return parent

    def boundary_name(self, boundary_id: str | None) -> str:
        boundary = self.model.boundaries.get(boundary_id or "")
        return (boundary.name or boundary_id or "") if boundary is not None else ""

    def component(self, ref: _NameRef, listed: bool) -> str:
        """The id of the component ``ref`` names, added (or moved into its boundary) as needed.

        Its boundary is the one written after it, else the line's current one (`current`): a new
        name goes in it, an existing one moves there only when ``listed`` (it is in the list
        that ``[Boundary]`` begins), so a later mention of a placed component never moves it.
        """
        boundary_id: str | None = self.current
        move = listed
        if ref.boundary is not None:
            boundary_id, move = self.boundary(ref.boundary), True
        component_id = self.find_component(ref.name)
        where = f" in {self.boundary_name(boundary_id)}" if boundary_id else ""
        if component_id is None:
            if ref.kind is not None:
                kind, facts = _KIND_MARKERS[ref.kind]
                how = ""
            else:
                kind, facts = guess_kind(ref.name)
                how = " (kind guessed from its name" + (", passes requests on" if facts.get("forwards") else "") + ")"
                self.guessed = True
            values: dict[str, object] = {"kind": kind, "name": ref.name, "boundary": boundary_id, **facts}
            component_id = propose_id(self.model, ref.name, "components")
            self.model = self._put(put_component, component_id, lambda: build_component(values), ref.span)
            self.changes.append(f"added {_KIND_WORDS[kind]} {ref.name}{where}{how}")
            return component_id
        component = self.model.components[component_id]
        if ref.kind is not None and _KIND_MARKERS[ref.kind][0] != component.kind:
            raise SketchError(
                f"{ref.name} is already a {_KIND_WORDS[component.kind]}: change its kind in its form (e)",
                ref.span.start,
                ref.span.end,
            )
        if move and boundary_id is not None and component.boundary != boundary_id:
            moved = component.model_copy(update={"boundary": boundary_id})
            self.model = self._put(put_component, component_id, lambda: moved, ref.span, old_id=component_id)
            self.changes.append(f"moved {ref.name} into {self.boundary_name(boundary_id)}")
        return component_id

    def flow(self, source: str, target: str, facts: Mapping[str, object], span: _Span) -> None:
        """Add the flow ``source`` → ``target`` with ``facts``, or set them on the one there is."""
        existing = next((fid for fid, f in self.model.flows.items() if (f.source, f.target) == (source, target)), None)
        if existing is None:
            flow_id = propose_id(self.model, f"{source} to {target}", "flows")
            values: dict[str, object] = {"from": source, "to": target, **facts}
            self.model = self._put(put_flow, flow_id, lambda: build_flow(values), span)
            self.changes.append(f"added flow {flow_id}" + (f" with {_describe(facts)}" if facts else ""))
        elif facts:
            flow = self.model.flows[existing]
            data = flow.model_dump(by_alias=True, exclude_none=True) | dict(facts)
            self.model = self._put(put_flow, existing, lambda: build_flow(data), span, old_id=existing)
            self.changes.append(f"set {_describe(facts)} on {existing}")

    def set_facts(self, component_id: str, facts: Mapping[str, object], span: _Span) -> None:
        component = self.model.components[component_id]
        data = component.model_dump(exclude_none=True) | dict(facts)
        self.model = self._put(put_component, component_id, lambda: build_component(data), span, old_id=component_id)
        self.changes.append(f"set {_describe(facts)} on {component.name or component_id}")

    def _put(
        self,
        put: Callable[..., ThreatModel],
        element_id: str,
        element: Callable[[], object],
        span: _Span,
        old_id: str | None = None,
    ) -> ThreatModel:
        """``put`` the element ``element()`` makes, with a problem of either (a name with a
        control character, a fact of the wrong type) reported at ``span``."""
        try:
            return put(self.model, element_id, element(), old_id)
        except EditError as error:
            raise SketchError(str(error), span.start, span.end) from None


def _describe(facts: Mapping[str, object]) -> str:
    return ", ".join(
        f"{key} = {value!r}".replace("'", '"').replace("True", "true").replace("False", "false")
        for key, value in facts.items()
    )


def _facts(span: _Span, vocabulary: Mapping[str, Mapping[str, object]], flows: bool) -> dict[str, object]:
    """The facts a comma-separated list of phrases sets (protocols and quoted data for flows)."""
    facts: dict[str, object] = {}
    for item in _split(span, ","):
        if not item.text:
            raise SketchError("empty fact between commas", item.start, item.start + 1)
        if flows and item.text.startswith('"') and item.text.endswith('"') and len(item.text) > 1:
            facts["data"] = item.text[1:-1].strip()
            continue
        phrase = " ".join(item.text.lower().replace("_", " ").split())
        if phrase in vocabulary:
            facts.update(vocabulary[phrase])
            continue
        negated = _negated(phrase, vocabulary)
        if negated is not None:
            facts.update(negated)
            continue
        position = item.start
        for word in item.text.split():
            start = item.text.index(word, position - item.start) + item.start
            position = start + len(word)
            found = _fact_word(word, start, vocabulary, flows)
            if "protocol" in facts and "protocol" in found:
                del found["protocol"]  # "postgres, tls": the first names the protocol, tls only encrypts
            facts.update(found)
    return facts


def _negated(phrase: str, vocabulary: Mapping[str, Mapping[str, object]]) -> dict[str, object] | None:
    """ "no audit log", "not privileged": the yes/no facts of the phrase after the negation, as false."""
    for prefix in ("no ", "not ", "without "):
        if phrase.startswith(prefix) and phrase[len(prefix) :] in vocabulary:
            facts = vocabulary[phrase[len(prefix) :]]
            if all(isinstance(value, bool) for value in facts.values()):
                return {key: not value for key, value in facts.items()}
    return None


def _fact_word(word: str, start: int, vocabulary: Mapping[str, Mapping[str, object]], flows: bool) -> dict:
    lower = word.lower()
    if lower in vocabulary:
        return dict(vocabulary[lower])
    if flows:
        if lower in _ENCRYPTED_PROTOCOLS:
            return {"protocol": lower, "encrypted": True}
        if lower in _PLAIN_PROTOCOLS:
            return {"protocol": lower, "encrypted": False}
        if lower in _OTHER_PROTOCOLS:
            return {"protocol": lower}
        if lower in _CLASSIFICATIONS:
            return {"classification": lower}
    known = list(vocabulary) + (sorted(_ENCRYPTED_PROTOCOLS | _PLAIN_PROTOCOLS | _OTHER_PROTOCOLS) if flows else [])
    close = difflib.get_close_matches(lower, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    what = "a flow" if flows else "this component"
    raise SketchError(f"{word!r} is not a fact of {what}{hint}", start, start + len(word))


def apply_sketch(model: ThreatModel, line: str) -> SketchResult:
    """The model after ``line`` (see the module docstring); raise `SketchError` on any problem.

    Nothing is changed when the line has a problem: the result is all of the line or none of it.
    """
    whole = _Span(line, 0).strip()
    if not whole.text:
        raise SketchError(f"type a sketch: {SYNTAX}")
    _check_brackets(whole)
    sketch = _Sketch(model)
    _chain_line(sketch, whole)
    if not sketch.changes:
        raise SketchError("nothing to change: all of that is in the model already", whole.start, whole.end)
    notes = [GUESS_NOTE] if sketch.guessed else []
    return SketchResult(sketch.model, sketch.changes, notes)


def _check_brackets(whole: _Span) -> None:
    """Every ``[`` closed by a ``]`` before the next one (outside quotes), said where not."""
    opened, quoted = None, False
    for index, char in enumerate(whole.text):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "[":
            if opened is not None:
                break
            opened = index
        elif char == "]":
            if opened is None:
                at = whole.start + index
                raise SketchError("']' without its '[': a boundary is written [Cluster]", at, at + 1)
            opened = None
    if opened is not None:
        at = whole.start + opened
        raise SketchError(f"'[' without its ']': a boundary is written {_BOUNDARY_FORMS}", at, whole.end)


def _chain_line(sketch: _Sketch, whole: _Span) -> None:
    parts = _split(whole, ":")
    if len(parts) > 2:
        second = whole.text.index(":", parts[1].end - whole.start) + whole.start
        raise SketchError("one ':' per line: the facts come after it", second, second + 1)
    facts_span = parts[1] if len(parts) == 2 else None
    # each step of a chain may name several components: "A > B, C" is A → B and A → C
    steps = [[_name_ref(name) for name in _split(step, ",")] for step in _split(parts[0], ">")]
    if len(steps) == 1 and len(steps[0]) == 1 and not steps[0][0].name:
        ref = steps[0][0]  # "[Cluster]" alone, or "[Cluster / Data tier]": the boundary only
        assert ref.scope is not None
        if facts_span is not None:
            raise SketchError(
                "facts go on components and flows: [Cluster] API : privileged", facts_span.start, facts_span.end
            )
        sketch.boundary(ref.scope)
        return
    ids: list[list[str]] = []
    for step in steps:
        listed = False  # in the list "[Boundary]" begins (up to the next ">"): placed even if it exists
        ids.append([])
        for ref in step:
            if ref.scope is not None:
                sketch.current, listed = sketch.boundary(ref.scope), True
            if not ref.name:
                raise SketchError(
                    f"expected a name after {ref.scope.span.text if ref.scope else 'this'}",
                    ref.span.start,
                    ref.span.end,
                )
            ids[-1].append(sketch.component(ref, listed))
    if len(ids) == 1:
        if facts_span is not None:
            for component_id in ids[0]:
                kind = sketch.model.components[component_id].kind
                facts = _facts(facts_span, _COMPONENT_FACTS[kind], flows=False)
                sketch.set_facts(component_id, facts, facts_span)
        return
    flow_facts = _facts(facts_span, _FLOW_FACTS, flows=True) if facts_span is not None else {}
    for (sources, source_refs), (targets, target_refs) in itertools.pairwise(zip(ids, steps, strict=True)):
        for source, source_ref in zip(sources, source_refs, strict=True):
            for target, target_ref in zip(targets, target_refs, strict=True):
                if source == target:
                    raise SketchError(
                        f"a flow needs two different ends: {source_ref.name} > {target_ref.name}",
                        source_ref.span.start,
                        target_ref.span.end,
                    )
                sketch.flow(source, target, flow_facts, _Span(whole.text, whole.start))
