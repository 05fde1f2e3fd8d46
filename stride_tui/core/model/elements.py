"""The threat model as pydantic values: format version 1 of the model file (DESIGN §3).

Field order here is the canonical key order written to disk. Every optional fact defaults to
``None``, which means *unknown*: a rule treats it as "not shown to be mitigated", and the
serialiser leaves it out, so what a user wrote is exactly what gets written back.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from stride_tui.core.text_safety import CONTROL_CHARS, INVISIBLE_CHARS, LINE_CONTROL_CHARS

FORMAT_VERSION = 1

ID_PATTERN = r"^[a-z][a-z0-9_-]{0,63}$"
RULE_ID_PATTERN = r"^[a-z][a-z0-9_.-]{0,63}$"
# rule@element (one finding), remedy@element (one threat), rule@* (one rule everywhere),
# *@element (everything on one element); never *@* (that would decide the whole model)
DECISION_KEY_PATTERN = r"^(?:[a-z][a-z0-9_.-]{0,63}@(?:[a-z][a-z0-9_-]{0,63}|\*)|\*@[a-z][a-z0-9_-]{0,63})$"
# Text may hold tab and newline but no other C0 control, no DEL and no C1 control: those would
# reach the user's terminal as escape sequences (DESIGN §5, reliability notes §6).
TEXT_PATTERN = f"^[^{CONTROL_CHARS}]*$"
LINE_PATTERN = f"^[^{LINE_CONTROL_CHARS}]*$"  # one line: no newline or tab either
# A title or a name must show something: blank, whitespace or invisible characters alone would
# draw an empty box in the diagram and an empty row in the editor.
VISIBLE_LINE_PATTERN = f"^[^{LINE_CONTROL_CHARS}]*[^\\s{INVISIBLE_CHARS}{LINE_CONTROL_CHARS}][^{LINE_CONTROL_CHARS}]*$"

MAX_NAME = 200
MAX_TEXT = 20_000

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
DecisionKey = Annotated[str, StringConstraints(pattern=DECISION_KEY_PATTERN)]
Name = Annotated[str, StringConstraints(pattern=LINE_PATTERN, max_length=MAX_NAME)]
VisibleName = Annotated[str, StringConstraints(pattern=VISIBLE_LINE_PATTERN, max_length=MAX_NAME)]
Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN, max_length=MAX_TEXT)]
Tag = Annotated[str, StringConstraints(pattern=LINE_PATTERN, min_length=1, max_length=64)]
RelPath = Annotated[str, StringConstraints(pattern=LINE_PATTERN, min_length=1, max_length=1024)]

Kind = Literal["external_entity", "process", "data_store"]
Authentication = Literal["none", "api_key", "static_secret", "session", "jwt", "oauth2", "mtls"]
Classification = Literal["public", "internal", "confidential", "restricted"]
SecretsHandling = Literal["none", "plaintext", "environment", "secrets_manager", "repository"]
"""Where a process keeps its secrets; ``repository``: committed to the code repository or baked into its image."""
Status = Literal["open", "investigating", "mitigated", "accepted", "transferred", "not_applicable"]
Severity = Literal["low", "medium", "high", "critical"]
Rating = Literal["low", "medium", "high"]
Deployment = Literal["push", "pull"]
Authorization = Literal["none", "technical_user", "end_user"]
BoundaryKind = Literal["internet", "dmz", "network", "cluster", "namespace", "cloud_account", "host", "third_party"]
Category = Literal[
    "spoofing",
    "tampering",
    "repudiation",
    "information_disclosure",
    "denial_of_service",
    "elevation_of_privilege",
]

KINDS: tuple[str, ...] = get_args(Kind)
STATUSES: tuple[str, ...] = get_args(Status)
UNDECIDED: tuple[str, ...] = ("open", "investigating")
"""Statuses of a finding nobody has decided yet (DESIGN §8: the same word everywhere)."""
SEVERITIES: tuple[str, ...] = get_args(Severity)
CATEGORIES: tuple[str, ...] = get_args(Category)
RATINGS: tuple[str, ...] = get_args(Rating)
BOUNDARY_KINDS: tuple[str, ...] = get_args(BoundaryKind)


class _Strict(BaseModel):
    """Base for every table: unknown keys are errors and TOML types are taken exactly."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ModelMeta(_Strict):
    """The ``[model]`` table: what the model is about and who owns it."""

    title: VisibleName
    description: Text | None = None
    owner: Name | None = None
    rule_files: list[RelPath] | None = Field(default=None, description="extra rule files, relative to the model file")


class Boundary(_Strict):
    """A trust zone; ``parent`` nests it inside another boundary."""

    name: VisibleName | None = None
    description: Text | None = None
    parent: Id | None = None
    internet: bool | None = Field(default=None, description="this zone is the public internet (raises exposure)")
    kind: BoundaryKind | None = Field(
        default=None, description='what separates it: "internet" (same as internet = true), "dmz", "network", …'
    )
    enforced_by: Name | None = Field(
        default=None, description="what enforces it: a firewall, security groups, a NetworkPolicy, a mesh policy"
    )


class _ComponentBase(_Strict):
    """Keys every component kind shares."""

    kind: Kind
    name: VisibleName | None = None
    description: Text | None = None
    technology: Name | None = None
    tags: list[Tag] | None = None
    boundary: Id | None = None
    integrity: Rating | None = Field(default=None, description="how much harm a wrong or forged write does")
    availability: Rating | None = Field(default=None, description="how much harm an outage does")
    out_of_scope: bool | None = None
    out_of_scope_reason: Text | None = None


class ExternalEntity(_ComponentBase):
    """A user, partner or third-party system outside the team's control."""

    kind: Literal["external_entity"]
    trusted: bool | None = None
    llm: bool | None = Field(default=None, description="a language-model API or an AI agent")


class Process(_ComponentBase):
    """Code the team runs: a service, function or job."""

    kind: Literal["process"]
    privileged: bool | None = None
    forwards: bool | None = Field(
        default=None, description="passes requests on (gateway, load balancer, proxy): exposure flows through it"
    )
    audit_log: bool | None = None
    least_privilege: bool | None = None
    validates_input: bool | None = None
    sanitizes_errors: bool | None = None
    rate_limited: bool | None = None
    secrets: SecretsHandling | None = None
    authorization: Authorization | None = Field(
        default=None,
        description="how it decides what a caller may do: none; technical_user (it trusts the calling service); "
        "end_user (it checks the end user's rights on each object)",
    )
    encodes_output: bool | None = Field(default=None, description="encodes what it renders for its context (no XSS)")
    csrf_protected: bool | None = Field(default=None, description="state-changing requests need an anti-CSRF token")
    runs_as_root: bool | None = Field(default=None, description="its container or process runs as root")
    hardened: bool | None = Field(
        default=None,
        description="its image and runtime follow a hardening baseline: minimal base image, read-only filesystem, no shell or package manager, dropped capabilities",
    )
    image_pinned: bool | None = Field(
        default=None, description="its image and dependencies are pinned by digest and their provenance checked"
    )
    llm: bool | None = Field(default=None, description="it is, or drives, a language model or an AI agent")
    logs_prompts: bool | None = Field(
        default=None, description="it writes prompts, completions or tool arguments to its logs or traces"
    )
    verifies_signatures: bool | None = Field(
        default=None, description="it checks the signature of every message or webhook before acting on it"
    )
    egress_restricted: bool | None = Field(
        default=None, description="its outbound traffic can reach only listed destinations (egress proxy or firewall)"
    )
    behind_waf: bool | None = Field(
        default=None, description="a web application firewall filters the requests that reach it"
    )
    deployment: Deployment | None = Field(
        default=None,
        description='how releases reach it: "push" (a pipeline holding production credentials deploys it) '
        'or "pull" (an agent beside it pulls signed releases, GitOps)',
    )


class DataStore(_ComponentBase):
    """Data at rest: a database, queue, bucket, cache or log."""

    kind: Literal["data_store"]
    is_log: bool | None = None
    is_queue: bool | None = None
    encrypted_at_rest: bool | None = None
    stores_credentials: bool | None = None
    restricted_access: bool | None = Field(
        default=None, description="only named principals may read or write (ACLs, IAM)"
    )
    classification: Classification | None = None
    dead_letter_queue: bool | None = Field(
        default=None, description="a queue: messages that keep failing go to a dead-letter queue someone watches"
    )
    separate_read_write: bool | None = Field(
        default=None, description="a queue: producers may only write to it and consumers only read from it"
    )
    backed_up: bool | None = Field(default=None, description="backed up, and restoring it has been tested")
    image_pinned: bool | None = Field(
        default=None, description="its image is pinned by digest and its provenance checked (self-run stores)"
    )


Component = Annotated[ExternalEntity | Process | DataStore, Field(discriminator="kind")]
COMPONENT_CLASSES: dict[str, type[_ComponentBase]] = {
    "external_entity": ExternalEntity,
    "process": Process,
    "data_store": DataStore,
}


class Flow(_Strict):
    """A directed data flow ``from`` one component ``to`` another."""

    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    response_to: Id | None = Field(
        default=None,
        description="the flow this one answers: analysed for what it carries, never as a call",
    )
    name: VisibleName | None = None
    description: Text | None = None
    data: Text | None = None
    protocol: Name | None = None
    encrypted: bool | None = None
    authentication: Authentication | None = None
    signed: bool | None = None
    timeout: bool | None = None
    circuit_breaker: bool | None = None
    correlation_id: bool | None = None
    classification: Classification | None = None
    integrity: Rating | None = Field(default=None, description="how much harm a forged or altered message does")
    availability: Rating | None = Field(default=None, description="how much harm losing this flow does")
    mfa: bool | None = Field(
        default=None, description="the person sending it signed in with multi-factor authentication"
    )
    replay_protected: bool | None = Field(
        default=None, description="a replayed message is refused (idempotency key, nonce or timestamp checked)"
    )
    credential_shared: bool | None = Field(
        default=None, description="the caller's credential is also used by other clients or people"
    )
    tags: list[Tag] | None = None
    out_of_scope: bool | None = None
    out_of_scope_reason: Text | None = None


class Decision(_Strict):
    """The team's verdict, keyed by what it covers: ``<rule>@<element>`` (one finding),
    ``<remedy>@<element>`` (one threat), ``<rule>@*`` (a rule everywhere) or ``*@<element>``
    (everything on an element); the most specific one that covers a finding wins."""

    status: Status
    note: Text | None = None
    ticket: Name | None = None
    expires: datetime.date | None = Field(
        default=None, description="after this date the decision no longer holds: the finding is open again"
    )


class Threat(_Strict):
    """A threat written by hand against a component or flow."""

    title: VisibleName
    category: Category
    target: Id
    severity: Severity | None = None
    status: Status | None = None
    description: Text | None = None
    mitigation: Text | None = None
    note: Text | None = None
    ticket: Name | None = None


class ThreatModel(_Strict):
    """A whole model file. Dicts keep the user's order of tables."""

    stride_tui: int = FORMAT_VERSION
    model: ModelMeta
    boundaries: dict[Id, Boundary] = Field(default_factory=dict)
    components: dict[Id, Component] = Field(default_factory=dict)
    flows: dict[Id, Flow] = Field(default_factory=dict)
    decisions: dict[DecisionKey, Decision] = Field(default_factory=dict)
    threats: dict[Id, Threat] = Field(default_factory=dict)

    def display_name(self, element_id: str) -> str:
        """The name of a component, flow or boundary, falling back to its id."""
        for table in (self.components, self.flows, self.boundaries):
            element = table.get(element_id)
            if element is not None:
                return element.name or element_id
        return element_id


SECTIONS: tuple[str, ...] = ("boundaries", "components", "flows", "decisions", "threats")
