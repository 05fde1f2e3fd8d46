"""One finding in full — why it fired, mitigations, references — and the team's decision on it."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from stride_tui.core import editing as edits
from stride_tui.core.analysis.engine import Finding
from stride_tui.core.model.elements import STATUSES, ThreatModel
from widgets import FormField, finding_details, safe_text

from ._choices import enum_choices
from .form_screen import FormResult, FormScreen

_STATUS_HELP = (
    "mitigated: fixed · accepted: risk taken knowingly · transferred: owned elsewhere · not_applicable: does not apply"
)


class FindingScreen(FormScreen):
    """Shows a finding and edits its decision (status, note, ticket).

    A rule finding's decision is written to ``[decisions."<finding-id>"]``; a hand-written
    threat keeps status, note and ticket in its own table.
    """

    def __init__(self, model: ThreatModel, finding: Finding) -> None:
        """
        Args:
            model: The model being edited.
            finding: The finding to show and decide.
        """
        self.finding: Finding = finding
        """The finding shown."""
        heading = Text("Finding: ", style="bold")
        heading.append_text(safe_text(finding.title, style="bold", limit=120))
        super().__init__(model, heading)

    def compose_intro(self) -> Iterable[Widget]:
        details = Static(finding_details(self.finding, self.model), id="finding-details", markup=False)
        yield VerticalScroll(details, id="finding-scroll")
        yield Static(Text("Decision", style="bold underline"), id="finding-decision-heading", markup=False)

    def build_fields(self) -> list[FormField]:
        finding = self.finding
        return [
            FormField(
                "status",
                "status",
                "choice",
                value=finding.status,
                choices=enum_choices(STATUSES),
                blank=None,
                help=_STATUS_HELP,
            ),
            FormField(
                "note", "note", "text", value=finding.note, help="Why: what mitigates it, or why the risk is accepted."
            ),
            FormField("ticket", "ticket", "line", value=finding.ticket, help="The backlog item, e.g. SEC-412."),
        ]

    def _decided(self, values: dict[str, object]) -> ThreatModel:
        return edits.set_decision(
            self.model,
            self.finding.id,
            str(values.get("status") or ""),
            note=values.get("note"),  # type: ignore[arg-type]
            ticket=values.get("ticket"),  # type: ignore[arg-type]
        )

    def check(self, values: dict[str, object]) -> dict[str, str]:
        try:
            self._decided(values)
        except edits.EditError as error:
            return error.errors
        return {}

    def submit(self, values: dict[str, object]) -> FormResult:
        return FormResult(
            self._decided(values),
            f"decide {self.finding.id}: {values.get('status')}",
            ("findings", self.finding.id),
        )

    def initial_focus(self) -> Widget | None:
        return self.field("status").control
