"""Add or edit a component: every key of the format, with the facts of its kind."""

from __future__ import annotations

from rich.text import Text

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import COMPONENT_CLASSES, KINDS, ThreatModel
from widgets import FormField, safe_text

from ._choices import boundary_choices, enum_choices
from ._element_form import ElementForm

_KIND_LABELS = {
    "external_entity": "external entity (user, partner, third party)",
    "process": "process (service, function, job)",
    "data_store": "data store (database, queue, bucket, log)",
}
# (key, label, kind of field, help); facts belong to the kinds whose class has the key.
_FACTS: tuple[tuple[str, str, str, str], ...] = (
    ("trusted", "trusted", "bool", "The team controls or vouches for this entity (not anonymous users)."),
    (
        "llm",
        "language model",
        "bool",
        "It is, or drives, a language model or an AI agent (for an entity: a model API).",
    ),
    ("privileged", "privileged", "bool", "Runs privileged actions: payments, admin, money or account changes."),
    (
        "forwards",
        "forwards",
        "bool",
        "Only passes requests on (gateway, load balancer, proxy): exposure goes through it.",
    ),
    (
        "authorization",
        "authorisation",
        "choice",
        (
            "How it decides what a caller may do: none; technical user (it trusts the calling service); "
            "end user (it checks the user's rights on every object)."
        ),
    ),
    ("audit_log", "audit log", "bool", "Writes an audit record of every privileged action."),
    ("least_privilege", "least privilege", "bool", "Its credentials and IAM grant only what it needs."),
    ("validates_input", "validates input", "bool", "Validates every input against a schema or allow-list."),
    ("sanitizes_errors", "sanitises errors", "bool", "Errors carry no stack traces, internal URLs or secrets."),
    ("rate_limited", "rate limited", "bool", "Callers are rate-limited or have quotas."),
    (
        "secrets",
        "secrets",
        "choice",
        "Where its secrets live: plaintext config, environment, a secrets manager, or the code repository.",
    ),
    ("encodes_output", "encodes output", "bool", "Encodes everything it renders for its context (no XSS)."),
    ("csrf_protected", "CSRF protected", "bool", "State-changing requests need an anti-CSRF token."),
    (
        "verifies_signatures",
        "verifies signatures",
        "bool",
        "Checks the signature of every message or webhook it consumes before acting on it.",
    ),
    (
        "logs_prompts",
        "logs prompts",
        "bool",
        "Writes prompts, model answers or tool arguments to its logs or traces (LLM frameworks often do).",
    ),
    ("egress_restricted", "egress restricted", "bool", "Its outbound traffic reaches only listed destinations."),
    ("behind_waf", "behind a WAF", "bool", "A web application firewall filters the requests that reach it."),
    (
        "deployment",
        "deployment",
        "choice",
        "push: a pipeline with production credentials deploys it; pull: an agent beside it pulls signed releases.",
    ),
    ("runs_as_root", "runs as root", "bool", "Its container or process runs as root."),
    (
        "hardened",
        "hardened",
        "bool",
        "Minimal image, read-only filesystem, no shell or package manager, capabilities dropped.",
    ),
    (
        "image_pinned",
        "image pinned",
        "bool",
        "Its image and dependencies are pinned by digest and their provenance checked.",
    ),
    ("is_log", "is a log", "bool", "Holds logs or audit records."),
    ("is_queue", "is a queue", "bool", "A queue, topic or event stream."),
    ("encrypted_at_rest", "encrypted at rest", "bool", "Data is encrypted on disk."),
    ("stores_credentials", "stores credentials", "bool", "Holds passwords, keys or tokens."),
    ("restricted_access", "restricted access", "bool", "Only named principals may read or write (ACLs, IAM)."),
    ("classification", "classification", "choice", "The most sensitive data it holds."),
    ("dead_letter_queue", "dead-letter queue", "bool", "A queue: failing messages go to a watched dead-letter queue."),
    (
        "separate_read_write",
        "separate read/write",
        "bool",
        "A queue: producers may only write to it, consumers only read from it.",
    ),
    ("backed_up", "backed up", "bool", "Backed up out of reach of its own credentials, with a tested restore."),
    ("integrity", "integrity", "choice", "How much harm a wrong or forged write does: rates tampering."),
    ("availability", "availability", "choice", "How much harm an outage does: rates denial of service."),
)
_ENUMS = {
    "secrets": ("none", "plaintext", "environment", "secrets_manager", "repository"),
    "classification": ("public", "internal", "confidential", "restricted"),
    "authorization": ("none", "technical_user", "end_user"),
    "deployment": ("push", "pull"),
    "integrity": ("low", "medium", "high"),
    "availability": ("low", "medium", "high"),
}


def _kinds_with(key: str) -> set[str]:
    return {kind for kind, cls in COMPONENT_CLASSES.items() if key in cls.model_fields}


class ComponentForm(ElementForm):
    """The component form. Changing the kind swaps the facts shown; facts of another kind are
    not kept (the file format forbids them)."""

    KEPT = True

    SECTION = "components"
    NOUN = "component"

    def __init__(self, model: ThreatModel, component_id: str | None = None, *, boundary: str | None = None) -> None:
        """
        Args:
            model: The model being edited.
            component_id: The component to edit, or None to add one.
            boundary: For a new component, the boundary to put it in.
        """
        self._start = model.components.get(component_id) if component_id else None
        self._boundary = boundary
        self._fact_kinds: dict[str, set[str]] = {}
        heading = Text("Edit component " if component_id else "New component", style="bold")
        if component_id:
            heading.append_text(safe_text(component_id, style="bold"))
        super().__init__(model, heading, component_id)

    def _get(self, key: str) -> object:
        return getattr(self._start, key, None) if self._start is not None else None

    def build_fields(self) -> list[FormField]:
        kind = self._get("kind") or "process"
        fields = [
            FormField("name", "name", "line", value=self._get("name"), help="What the team calls it."),
            self.id_field(),
            FormField(
                "kind",
                "kind",
                "choice",
                value=kind,
                blank=None,
                choices=[(Text(_KIND_LABELS[k]), k) for k in KINDS],
                help="External entity, process or data store: decides which STRIDE threats apply.",
            ),
            FormField(
                "boundary",
                "boundary",
                "choice",
                value=self._get("boundary") if self._start else self._boundary,
                choices=boundary_choices(self.model),
                blank="none",
                help="The innermost trust boundary it sits in.",
            ),
            FormField(
                "technology",
                "technology",
                "line",
                value=self._get("technology"),
                help="e.g. python/fastapi, postgres 15, kafka.",
            ),
        ]
        for key, label, field_kind, help_text in _FACTS:
            choices = enum_choices(_ENUMS[key]) if key in _ENUMS else ()
            field = FormField(key, label, field_kind, value=self._get(key), choices=choices, help=help_text)  # type: ignore[arg-type]
            self._fact_kinds[key] = _kinds_with(key)
            field.display = kind in self._fact_kinds[key]
            fields.append(field)
        fields += [
            FormField("tags", "tags", "tags", value=self._get("tags"), help="Comma-separated words, e.g. pci, edge."),
            FormField(
                "description",
                "description",
                "text",
                value=self._get("description"),
                help="What it does, in a sentence or two.",
            ),
            *self.scope_fields(self._get, "Who covers it instead, e.g. another team's model."),
        ]
        return fields

    def field_changed(self, field: FormField) -> None:
        super().field_changed(field)
        if field.key == "kind":
            for other in self.fields:
                kinds = self._fact_kinds.get(other.key)
                if kinds is not None:
                    other.display = field.value in kinds

    def build(self, values: dict[str, object]) -> object:
        return edits.build_component(values)

    def context_errors(self, new_id: str, item: object) -> dict[str, str]:
        return edits.component_errors(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]

    def put(self, new_id: str, item: object) -> ThreatModel:
        return edits.put_component(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]
