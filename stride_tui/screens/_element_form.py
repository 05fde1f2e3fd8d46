"""What the component, flow, boundary and threat forms share: an id proposed from the name,
kept unique, and a rename that says what it will update."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import ThreatModel
from widgets import FormField

from .form_screen import FormResult, FormScreen

_SHOWN_REFERENCES = 4


class ElementForm(FormScreen):
    """A form for one item of ``section``, new (``old_id`` None) or existing.

    While the user has not typed an id of their own, the id follows the fields named in
    ``ID_SOURCES`` (usually the name), made unique. Editing an existing item never changes its
    id by itself; changing it is a rename, and the form says which references it updates.
    """

    SECTION = "components"
    """The model section the item lives in."""
    ID_SOURCES: tuple[str, ...] = ("name",)
    """The fields whose values the proposed id is made from."""

    def __init__(self, model: ThreatModel, heading: Text, old_id: str | None = None) -> None:
        """
        Args:
            model: The model being edited.
            heading: The form's title.
            old_id: The id of the item being edited, or None for a new one.
        """
        self.old_id: str | None = old_id
        """The id of the item being edited; None when adding."""
        self._proposed: str | None = None
        self._id_touched = old_id is not None
        super().__init__(model, heading)

    def id_field(self) -> FormField:
        """The id field, starting with the item's id (or a proposal from its empty name)."""
        start = self.old_id or ""
        return FormField(
            "id",
            "id",
            "line",
            value=start,
            help="The item's key in the file: lowercase letters, digits, - and _. "
            "Proposed from the name; renaming updates every reference to it.",
        )

    def scope_fields(self, get: Callable[[str], object], reason_help: str) -> list[FormField]:
        """``out_of_scope`` and its reason, as components and flows both have them; ``get`` reads
        the item's current value of a key."""
        return [
            FormField(
                "out_of_scope",
                "out of scope",
                "bool",
                value=get("out_of_scope"),
                help="Drawn in the diagram but left out of the analysis.",
            ),
            FormField(
                "out_of_scope_reason",
                "why out of scope",
                "text",
                value=get("out_of_scope_reason"),
                help=reason_help,
            ),
        ]

    def id_source(self, values: dict[str, object]) -> str:
        """The text a new id is proposed from."""
        return " ".join(str(values.get(key) or "") for key in self.ID_SOURCES).strip()

    def on_mount(self) -> None:
        if self.old_id is None:
            self._propose()
        super().on_mount()

    def _propose(self) -> None:
        proposal = edits.propose_id(self.model, self.id_source(self.values()), self.SECTION)
        self._proposed = proposal
        field = self.field("id")
        if field.value != proposal:
            field.set_value(proposal)

    def field_changed(self, field: FormField) -> None:
        if field.key == "id":
            self._id_touched = field.value != self._proposed
            self._show_rename(field)
        elif field.key in self.ID_SOURCES and not self._id_touched:
            self._propose()

    def _show_rename(self, field: FormField) -> None:
        new_id = field.value
        if self.old_id is None or not new_id or new_id == self.old_id:
            field.set_hint(None)
            return
        refs = edits.references_to(self.model, self.old_id)
        if not refs:
            field.set_hint(f"renames {self.old_id}; nothing else refers to it")
            return
        shown = ", ".join(refs[:_SHOWN_REFERENCES]) + (" …" if len(refs) > _SHOWN_REFERENCES else "")
        field.set_hint(f"renames {self.old_id} and updates {len(refs)} reference(s): {shown}")

    def new_id(self, values: dict[str, object]) -> str:
        """The id typed, or the one proposed from ``values`` (never one behind the name)."""
        if not self._id_touched:
            return edits.propose_id(self.model, self.id_source(values), self.SECTION)
        return str(values.get("id") or "")

    # ------------------------------------------------- what subclasses provide

    NOUN = "component"
    """What the item is called in undo labels."""

    def build(self, values: dict[str, object]) -> object:
        """The item from the form's values (without its id); raise ``EditError``."""
        raise NotImplementedError

    def context_errors(self, new_id: str, item: object) -> dict[str, str]:
        """What is wrong with putting ``item`` at ``new_id`` in the model."""
        raise NotImplementedError

    def put(self, new_id: str, item: object) -> ThreatModel:
        """The model with ``item`` put at ``new_id`` (renaming ``old_id``)."""
        raise NotImplementedError

    # ------------------------------------------------------------ check, submit

    def check(self, values: dict[str, object]) -> dict[str, str]:
        new_id = self.new_id(values)
        try:
            item = self.build({k: v for k, v in values.items() if k != "id"})
        except edits.EditError as error:
            errors = dict(error.errors)
            if (problem := edits.id_error(self.model, self.SECTION, new_id, self.old_id)) is not None:
                errors.setdefault("id", problem)
            return errors
        return self.context_errors(new_id, item)

    def submit(self, values: dict[str, object]) -> FormResult:
        new_id = self.new_id(values)
        model = self.put(new_id, self.build({k: v for k, v in values.items() if k != "id"}))
        if self.old_id is None:
            label = f"add {self.NOUN} {new_id}"
        elif self.old_id != new_id:
            label = f"rename {self.NOUN} {self.old_id} → {new_id}"
        else:
            label = f"edit {self.NOUN} {new_id}"
        return FormResult(model, label, (self.SECTION, new_id))
