"""Edit the ``[model]`` table: title, description, owner and extra rule files."""

from __future__ import annotations

from rich.text import Text

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import ThreatModel
from widgets import FormField

from .form_screen import FormResult, FormScreen


class ModelForm(FormScreen):
    """The model's own facts. Rule files are paths relative to the model file."""

    def __init__(self, model: ThreatModel) -> None:
        super().__init__(model, Text("Model", style="bold"))

    def build_fields(self) -> list[FormField]:
        meta = self.model.model
        return [
            FormField("title", "title", "line", value=meta.title, help="What the model is about (required)."),
            FormField(
                "description",
                "description",
                "text",
                value=meta.description,
                help="The feature or system, in a sentence or two.",
            ),
            FormField("owner", "owner", "line", value=meta.owner, help="The team that owns it, e.g. payments-squad."),
            FormField(
                "rule_files",
                "rule files",
                "tags",
                value=meta.rule_files,
                help="Extra rule files, comma-separated, relative to the model file (inside its repository).",
            ),
        ]

    def check(self, values: dict[str, object]) -> dict[str, str]:
        try:
            edits.set_meta(self.model, edits.build_meta(values))
        except edits.EditError as error:
            return error.errors
        return {}

    def submit(self, values: dict[str, object]) -> FormResult:
        return FormResult(edits.set_meta(self.model, edits.build_meta(values)), "edit model")
