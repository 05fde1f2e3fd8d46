"""Help: the editor's keys, and the STRIDE reference (category, threat, example, mitigation)."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from stride_tui.core.editing.sketch import SYNTAX
from stride_tui.core.stride import STRIDE

from .dialog import Dialog
from .keymap import HELP_ROWS

SESSION_HELP = (
    "A session walks the squad through the 30-minute threat model: 1. draw the data flow, "
    "2. STRIDE each trust boundary, 3. capture 3–6 stories. The status bar shows the phase and the "
    "time left; a notice marks each new phase; at the end you see what the session produced and "
    "can export the stories."
)
SKETCH_HELP = (
    "a opens the sketch line at the bottom; Enter applies a line as one undoable edit and keeps the "
    "line open (esc closes it). A > B > C : https, jwt is a chain of flows (new names become "
    "components; facts after ':' go on every flow: https, grpc, kafka…, mtls, jwt, oauth2, session, "
    'api key, no auth, signed, timeout, "quoted data"); A > B, C fans out. [Boundary] before a name '
    "puts it, the names listed with it and every new name after it in that boundary until the next "
    "[...]; [+Inner] nests in the boundary in force: [Internet] Customer > [Cluster] API > Worker > "
    "[+Data tier] Ledger DB places all in one line. [Outer / Inner] C nests; Name [Boundary] places "
    "one name; Ledger DB (store) gives a kind: (user), (process), (store), (queue), (log), else it is "
    "guessed and said. Name : privileged, no audit log sets facts. Tab completes names from the model "
    "and the line (a boundary with its ], or a zone: Internet, DMZ, Cluster…). A line with a problem "
    "stays as typed, its wrong part highlighted. ctrl+z takes back the last line; ctrl+s applies the "
    "line and saves the file. The same lines work in stride-tui add MODEL LINE…"
)
FORMS_HELP = (
    "Tab / shift+tab move between fields. Drop-downs list elements by name, A to Z (values such as "
    "severity in their own order): enter or ↓ opens one, typing a few letters jumps to the first "
    "option that contains them, enter picks it. Yes/no/unknown facts: ← → or y n u. Enter in a "
    "one-line field applies the form; ctrl+s applies it and saves the file. Esc closes an unchanged "
    "form at once and asks (discard / keep editing) when something was changed."
)
SAFETY_HELP = (
    "Unsaved edits are copied to a recovery file every few seconds and on a crash, SIGTERM or "
    "SIGHUP; the next start offers to restore them. A change of the file on disk is noticed "
    "within seconds and always before a save: reload, overwrite or save as."
)


class HelpScreen(Dialog[None]):
    """The keys of the editor and a STRIDE cheat sheet; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape, q, ?, f1 | Close help. |
    """

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        for row in HELP_ROWS:
            keys.add_row(row.keys, row.text)
        stride = Table.grid(padding=(0, 2))
        stride.add_column(style="bold", no_wrap=True)
        stride.add_column()
        for entry in STRIDE:
            stride.add_row(
                Text(f"{entry.letter}  {entry.label}", style="bold"),
                Text.assemble((entry.threat, "bold"), f"  (violates {entry.violates})"),
            )
            stride.add_row("   example", Text(entry.example))
            stride.add_row("   mitigations", Text(entry.mitigations))
            stride.add_row("", "")
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static(Text("stride-tui help", style="bold"), classes="dialog-title", markup=False)
            with VerticalScroll(id="help-body"):
                yield Static(
                    Group(
                        Text("Keys", style="bold underline"),
                        keys,
                        Text(""),
                        Text("Sketch line (a)", style="bold underline"),
                        Text(SYNTAX, style="bold"),
                        Text(SKETCH_HELP),
                        Text(""),
                        Text("Forms", style="bold underline"),
                        Text(FORMS_HELP),
                        Text(""),
                        Text("STRIDE at a trust boundary", style="bold underline"),
                        stride,
                        Text(
                            "A flow crosses a boundary when exactly one of its ends is inside it. Select a "
                            "boundary to see the findings of every flow that crosses it; a fact left "
                            "unknown is treated as not mitigated, so answering it (yes / no) is often the "
                            "quickest way to close a finding.",
                            style="dim",
                        ),
                        Text(""),
                        Text("30-minute session", style="bold underline"),
                        Text(SESSION_HELP),
                        Text(""),
                        Text("Never losing work", style="bold underline"),
                        Text(SAFETY_HELP),
                    ),
                    markup=False,
                )
            yield Static(Text("esc to close", style="dim"), markup=False)

    def initial_focus(self) -> Widget | None:
        return self.query_one("#help-body")

    def action_close(self) -> None:
        self.dismiss(None)
