"""Decisions whose finding no longer fires (orphans), and rules that failed: review, delete."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Static

from stride_tui.core.analysis.engine import RuleError
from stride_tui.core.analysis.rules import DisabledRule
from stride_tui.core.model.elements import Decision
from widgets import Column, TableRow, VirtualTable, safe_text, status_text

from .dialog import Dialog

_COLUMNS = (
    Column("key", "decision", max_width=64, priority=9),
    Column("status", "status", max_width=14, priority=5),
    Column("ticket", "ticket", max_width=14, priority=2),
    Column("note", "note", flex=True, min_width=10),
)


class OrphansScreen(Dialog[None]):
    """Lists orphan decisions — kept in the file so a rule change never loses a decision — and
    lets the user delete the ones that no longer matter. Also lists rule errors, if any."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("delete,x", "delete", "Delete decision"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | delete, x | Delete the decision under the cursor (undo brings it back). |
    | escape | Close. |
    """

    def __init__(
        self,
        orphans: Sequence[tuple[str, Decision]],
        errors: Sequence[RuleError],
        on_delete: Callable[[str], None],
        disabled: Sequence[DisabledRule] = (),
    ) -> None:
        """
        Args:
            orphans: (key, decision) of every orphan decision.
            errors: Rules that failed on an element.
            on_delete: Called with a decision key to delete it from the model.
            disabled: Rules a rule file switched off (with which file and why).
        """
        super().__init__()
        self.orphans: list[tuple[str, Decision]] = list(orphans)
        """The orphan decisions still listed."""
        self.rule_errors: list[RuleError] = list(errors)
        """The rule errors."""
        self._on_delete = on_delete
        self.disabled_rules: list[DisabledRule] = list(disabled)
        """The disabled rules: a finding nobody sees is named here."""

    def compose(self) -> ComposeResult:
        with Vertical(id="orphans-dialog", classes="dialog"):
            yield Static(Text("Orphan decisions", style="bold"), classes="dialog-title", markup=False)
            yield Static(
                Text(
                    "These decisions are kept in the file, but no rule fires for them any more "
                    "(an element was renamed outside the editor, its facts changed, or a rule was "
                    "removed). Delete the ones that no longer matter.",
                    style="dim",
                ),
                markup=False,
            )
            yield VirtualTable(_COLUMNS, empty_text="No orphan decisions.", id="orphans-table")
            if self.rule_errors:
                lines = Text("Rule errors (these rules could not be checked):\n", style="bold red")
                for error in self.rule_errors:
                    lines.append_text(safe_text(f"  {error.rule_id} on {error.element_id}: {error.message}\n"))
                yield Static(lines, id="orphans-rule-errors", markup=False)
            if self.disabled_rules:
                lines = Text("Disabled rules (their findings are not shown anywhere):\n", style="bold yellow")
                for disabled in self.disabled_rules:
                    lines.append_text(safe_text(f"  {disabled}\n"))
                yield Static(lines, id="orphans-disabled-rules", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Delete  [x]"), id="orphans-delete", variant="error", compact=True)
                yield Button(Text("Close  [esc]"), id="orphans-close", compact=True)

    def on_mount(self) -> None:
        self._fill()

    def initial_focus(self) -> Widget | None:
        return self.query_one(VirtualTable)

    def _fill(self) -> None:
        rows = [
            TableRow(
                key,
                (safe_text(key), status_text(d.status), safe_text(d.ticket or ""), safe_text(d.note or "", limit=200)),
            )
            for key, d in self.orphans
        ]
        table = self.query_one(VirtualTable)
        table.set_rows(rows, keep=table.cursor_key)
        self.query_one("#orphans-delete", Button).disabled = not rows

    def action_delete(self) -> None:
        key = self.query_one(VirtualTable).cursor_key
        if key is None:
            return
        self._on_delete(key)
        self.orphans = [(k, d) for k, d in self.orphans if k != key]
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "orphans-delete":
            self.action_delete()
        else:
            self.dismiss(None)
