"""Add or edit a trust boundary: its name, where it nests, and whether it is the internet."""

from __future__ import annotations

from rich.text import Text

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import BOUNDARY_KINDS, ThreatModel
from widgets import FormField, safe_text

from ._choices import boundary_choices, descendants, enum_choices
from ._element_form import ElementForm


class BoundaryForm(ElementForm):
    """The trust-boundary form; a boundary cannot nest inside itself or its own descendants."""

    KEPT = True

    SECTION = "boundaries"
    NOUN = "boundary"

    def __init__(self, model: ThreatModel, boundary_id: str | None = None, *, parent: str | None = None) -> None:
        """
        Args:
            model: The model being edited.
            boundary_id: The boundary to edit, or None to add one.
            parent: For a new boundary, the boundary to nest it in.
        """
        self._start = model.boundaries.get(boundary_id) if boundary_id else None
        self._nest_in = parent
        heading = Text("Edit boundary " if boundary_id else "New trust boundary", style="bold")
        if boundary_id:
            heading.append_text(safe_text(boundary_id, style="bold"))
        super().__init__(model, heading, boundary_id)

    def _get(self, key: str) -> object:
        return getattr(self._start, key, None) if self._start is not None else None

    def build_fields(self) -> list[FormField]:
        exclude = {self.old_id, *descendants(self.model, self.old_id)} if self.old_id else set()
        return [
            FormField("name", "name", "line", value=self._get("name"), help="e.g. Production cluster."),
            self.id_field(),
            FormField(
                "parent",
                "inside",
                "choice",
                value=self._get("parent") if self._start else self._nest_in,
                choices=boundary_choices(self.model, exclude),
                blank="nothing (top level)",
                help="The boundary this one nests in; flows between them cross only the inner one.",
            ),
            FormField(
                "internet",
                "internet",
                "bool",
                value=self._get("internet"),
                help="This zone is the public internet: what sits in it is untrusted, and what it reaches is exposed.",
            ),
            FormField(
                "kind",
                "kind",
                "choice",
                value=self._get("kind"),
                choices=enum_choices(BOUNDARY_KINDS),
                blank="not said",
                help="What separates it: internet (the same as internet = yes), dmz, network, cluster, namespace, "
                "cloud account, host, third party.",
            ),
            FormField(
                "enforced_by",
                "enforced by",
                "line",
                value=self._get("enforced_by"),
                help="What enforces it: a firewall, security groups, a NetworkPolicy, a mesh policy.",
            ),
            FormField(
                "description",
                "description",
                "text",
                value=self._get("description"),
                help="What the zone is and what enforces it.",
            ),
        ]

    def build(self, values: dict[str, object]) -> object:
        return edits.build_boundary(values)

    def context_errors(self, new_id: str, item: object) -> dict[str, str]:
        return edits.boundary_errors(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]

    def put(self, new_id: str, item: object) -> ThreatModel:
        return edits.put_boundary(self.model, new_id, item, self.old_id)  # type: ignore[arg-type]
