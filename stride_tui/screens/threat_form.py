"""Add or edit a hand-written threat: what, on which component or flow, how bad, decided how."""

from __future__ import annotations

from rich.text import Text

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES, ThreatModel
from stride_tui.core.stride import CATEGORY_LABELS
from widgets import FormField, safe_text

from ._choices import enum_choices, target_choices
from ._element_form import ElementForm


class ThreatForm(ElementForm):
    """The form for a threat the rules do not find; it joins the STRIDE panel as a finding."""

    SECTION = "threats"
    NOUN = "threat"
    ID_SOURCES = ("title",)

    def __init__(
        self,
        model: ThreatModel,
        threat_id: str | None = None,
        *,
        target: str | None = None,
        category: str | None = None,
    ) -> None:
        """
        Args:
            model: The model being edited.
            threat_id: The threat to edit, or None to add one.
            target: For a new threat, the component or flow it is about.
            category: For a new threat, its STRIDE category.
        """
        self._start = model.threats.get(threat_id) if threat_id else None
        self._defaults = {"target": target, "category": category}
        heading = Text("Edit threat " if threat_id else "New threat", style="bold")
        if threat_id:
            heading.append_text(safe_text(threat_id, style="bold"))
        super().__init__(model, heading, threat_id)

    def _get(self, key: str) -> object:
        if self._start is not None:
            return getattr(self._start, key, None)
        return self._defaults.get(key)

    def build_fields(self) -> list[FormField]:
        categories = [(Text(CATEGORY_LABELS[c]), c) for c in CATEGORIES]
        return [
            FormField("title", "title", "line", value=self._get("title"), help="One line: what can go wrong."),
            self.id_field(),
            FormField(
                "category",
                "category",
                "choice",
                value=self._get("category"),
                choices=categories,
                blank="choose a STRIDE category",
                help="Spoofing, Tampering, Repudiation, …",
            ),
            FormField(
                "target",
                "on",
                "choice",
                value=self._get("target"),
                choices=target_choices(self.model),
                blank="choose a component or flow",
                help="The component or flow it threatens.",
            ),
            FormField(
                "severity",
                "severity",
                "choice",
                value=self._get("severity"),
                choices=enum_choices(SEVERITIES),
                blank="medium (default)",
                help="How bad if it happens.",
            ),
            FormField(
                "status",
                "status",
                "choice",
                value=self._get("status"),
                choices=enum_choices(STATUSES),
                blank="open (default)",
                help="The team's decision on it.",
            ),
            FormField(
                "description", "description", "text", value=self._get("description"), help="How the attack works."
            ),
            FormField("mitigation", "mitigation", "text", value=self._get("mitigation"), help="What stops it."),
            FormField("note", "note", "text", value=self._get("note"), help="Why the status is what it is."),
            FormField("ticket", "ticket", "line", value=self._get("ticket"), help="e.g. SEC-412."),
        ]

    def build(self, values: dict[str, object]) -> object:
        return edits.build_threat(values)

    def context_errors(self, new_id: str, item: object) -> dict[str, str]:
        return edits.threat_errors(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]

    def put(self, new_id: str, item: object) -> ThreatModel:
        return edits.put_threat(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]
