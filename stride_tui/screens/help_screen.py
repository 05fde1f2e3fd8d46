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
    "a opens the sketch line at the bottom; type one line, Enter applies it as one undoable edit and "
    "the line stays open for the next (esc closes it). A > B > C : https, jwt is a chain of flows "
    "(names not in the model become components; facts after ':' go on every flow: https, grpc, "
    "kafka…, mtls, jwt, oauth2, session, api key, no auth, signed, timeout, correlation id, "
    '"quoted data"); A > B, C fans out, A, B > C fans in. [Boundary] before a name places the '
    "names as the chain goes: that name, the names listed with it and every new name after it go "
    "in that boundary until the next [...] (a name already in the model further on keeps its "
    "place), so [Internet] Customer > [Cluster] API gateway > Worker > [+Data tier] Ledger DB draws "
    "and places everything in one line; [+Inner] is a boundary inside the one in force there, "
    "[Outer / Inner] one inside Outer, Name [Boundary] places that name alone. Ledger DB (store) "
    "gives a component its kind: (user), (process), (store), (queue), (log); without one the kind "
    "is guessed from the name and the line says so. Name : privileged, no audit log sets a "
    "component's facts. Spaces around > , and [ ] are optional. Tab completes the component or "
    "boundary name being typed, from the model and from the names typed earlier in the line (a "
    "boundary with its ], and one that matches neither from the zones Internet, DMZ, Cluster, "
    "Namespace…; several matches complete as far as they agree and are listed). A line with a "
    "problem stays as typed, with the wrong part highlighted. ctrl+z takes back the last line; "
    "ctrl+s applies the line typed and saves the file in one key. The same lines work from the "
    "command line: stride-tui add MODEL LINE…"
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
