"""The question before a delete: what goes, and what else in the model changes with it."""

from __future__ import annotations

from rich.text import Text

from stride_tui.core import editing as edits
from stride_tui.core.model.elements import ThreatModel
from widgets import safe_text

from .choice_screen import Choice, ChoiceScreen

NOUNS = {"components": "component", "flows": "flow", "boundaries": "boundary", "threats": "threat"}
"""The word for one item of each section that can be deleted."""


def delete_confirmation(model: ThreatModel, section: str, element_id: str) -> ChoiceScreen:
    """A dialog that asks to delete ``element_id`` of ``section``; it answers ``delete`` or ``cancel``."""
    impact = edits.delete_impact(model, section, element_id)
    noun = NOUNS[section]
    name = model.display_name(element_id) if section != "threats" else model.threats[element_id].title
    lines: list[Text] = [Text(f"Delete {noun} ").append_text(safe_text(element_id, style="bold"))]
    if name != element_id:
        lines[0].append(" (").append_text(safe_text(name, limit=80)).append(")")
    consequences = impact.consequences()
    if consequences:
        lines.append(Text(""))
        lines.append(Text("This also changes the model:", style="bold"))
        lines += [Text("  • ").append_text(safe_text(line)) for line in consequences]
    else:
        lines.append(Text("Nothing else refers to it.", style="dim"))
    lines += [Text(""), Text("Undo (ctrl+z) brings it all back.", style="dim")]
    return ChoiceScreen(
        f"Delete {noun}?",
        lines,
        [Choice("delete", "Delete", "y", "error"), Choice("cancel", "Cancel", "n")],
        default="cancel",
    )
