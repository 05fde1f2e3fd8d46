"""Add or edit a data flow: its ends, what it carries, and the facts rules read."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import ThreatModel
from widgets import FormField, safe_text

from ._choices import component_choices, enum_choices, request_choices
from ._element_form import ElementForm

_AUTHENTICATION = ("none", "api_key", "static_secret", "session", "jwt", "oauth2", "mtls")
_CLASSIFICATION = ("public", "internal", "confidential", "restricted")
_FACTS: tuple[tuple[str, str, str, str], ...] = (
    ("encrypted", "encrypted", "bool", "Encrypted in transit (TLS, mTLS, an encrypted tunnel)."),
    (
        "authentication",
        "authentication",
        "choice",
        "How the receiver knows the sender: none, api key, static shared secret, session, jwt, oauth2, mTLS.",
    ),
    ("signed", "signed", "bool", "Messages are signed by the producer and verified by the consumer."),
    ("timeout", "timeout", "bool", "The caller sets a timeout on this call."),
    ("circuit_breaker", "circuit breaker", "bool", "The caller stops calling a failing receiver for a while."),
    ("correlation_id", "correlation id", "bool", "A correlation id is propagated and logged on this hop."),
    ("classification", "classification", "choice", "The most sensitive data it carries."),
    ("mfa", "MFA", "bool", "The person sending it signed in with multi-factor authentication."),
    (
        "replay_protected",
        "replay protected",
        "bool",
        "A replayed copy is refused (idempotency key, nonce or timestamp).",
    ),
    (
        "credential_shared",
        "credential shared",
        "bool",
        "The caller's credential is also used by other clients or people.",
    ),
    ("integrity", "integrity", "choice", "How much harm a forged or altered message does: rates tampering."),
    ("availability", "availability", "choice", "How much harm losing this flow does: rates denial of service."),
)
_RATINGS = ("low", "medium", "high")
_ENUMS = {
    "authentication": _AUTHENTICATION,
    "classification": _CLASSIFICATION,
    "integrity": _RATINGS,
    "availability": _RATINGS,
}


class FlowForm(ElementForm):
    """The data-flow form; the id is proposed from the name, or from "source to target"."""

    KEPT = True

    SECTION = "flows"
    NOUN = "flow"
    ID_SOURCES = ("name", "from", "to")

    def __init__(
        self,
        model: ThreatModel,
        flow_id: str | None = None,
        *,
        source: str | None = None,
        target: str | None = None,
    ) -> None:
        """
        Args:
            model: The model being edited.
            flow_id: The flow to edit, or None to add one.
            source: For a new flow, the component it starts from.
            target: For a new flow, the component it goes to.
        """
        self._start = model.flows.get(flow_id) if flow_id else None
        self._ends = (source, target)
        heading = Text("Edit flow " if flow_id else "New flow", style="bold")
        if flow_id:
            heading.append_text(safe_text(flow_id, style="bold"))
        super().__init__(model, heading, flow_id)

    def _get(self, key: str) -> object:
        return getattr(self._start, key, None) if self._start is not None else None

    def build_fields(self) -> list[FormField]:
        components = component_choices(self.model)
        source = self._get("source") or self._ends[0]
        target = self._get("target") or self._ends[1]
        fields = [
            FormField(
                "from",
                "from",
                "choice",
                value=source,
                choices=components,
                blank="choose a component",
                help="The component that sends the data (for a request/response, the caller).",
            ),
            FormField(
                "to",
                "to",
                "choice",
                value=target,
                choices=components,
                blank="choose a component",
                help="The component that receives it.",
            ),
            FormField("name", "name", "line", value=self._get("name"), help="Optional; e.g. Checkout requests."),
            self.id_field(),
            FormField(
                "data", "data", "text", value=self._get("data"), help="What it carries, e.g. card token, basket."
            ),
            FormField("protocol", "protocol", "line", value=self._get("protocol"), help="e.g. https, grpc, amqp."),
        ]
        for key, label, kind, help_text in _FACTS:
            choices = enum_choices(_ENUMS[key]) if key in _ENUMS else ()
            fields.append(FormField(key, label, kind, value=self._get(key), choices=choices, help=help_text))  # type: ignore[arg-type]
        fields.append(
            FormField(
                "response_to",
                "answers",
                "choice",
                value=self._get("response_to"),
                choices=request_choices(self.model, self.old_id),
                blank="nothing (it is a request)",
                help="The request this flow answers (it goes back the other way): analysed for what it "
                "carries, never as a call; it takes the request's protocol and encryption.",
            )
        )
        fields += [
            FormField("tags", "tags", "tags", value=self._get("tags"), help="Comma-separated words."),
            FormField(
                "description", "description", "text", value=self._get("description"), help="Anything worth knowing."
            ),
            *self.scope_fields(self._get, "Who covers it instead."),
        ]
        return fields

    def id_source(self, values: dict[str, object]) -> str:
        if values.get("name"):
            return str(values["name"])
        if values.get("from") and values.get("to"):
            return f"{values['from']} to {values['to']}"
        return ""

    def build(self, values: dict[str, object]) -> object:
        return edits.build_flow(values)

    def context_errors(self, new_id: str, item: object) -> dict[str, str]:
        return edits.flow_errors(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]

    def put(self, new_id: str, item: object) -> ThreatModel:
        return edits.put_flow(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]

    def initial_focus(self) -> Widget | None:
        # a flow added from a selected component has its "from": what the user picks next is "to",
        # and the keys typed as the form opens go there, not over the prefilled "from"
        values = self.values()
        if self.old_id is None and values.get("from") and not values.get("to"):
            return self.field("to").control
        return super().initial_focus()
