"""Help: the editor's keys, and the STRIDE reference (category, threat, example, mitigation)."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("tab / shift+tab", "move between panes (1 2 3 4 jump to components, flows, boundaries, STRIDE)"),
    ("↑ ↓ pgup pgdn home end", "move in a pane; the STRIDE panel follows the selection"),
    ("c / f / b / t", "add a component / flow / boundary / hand-written threat"),
    ("enter, e", "edit what is selected (in the STRIDE panel: open the finding and decide it)"),
    ("delete, x", "delete what is selected (asks first and says what goes with it)"),
    ("d", "decide the finding under the STRIDE cursor"),
    ("s / v", "STRIDE filter: next status / next minimum severity"),
    ("escape", "STRIDE panel: the whole model's findings (not just the selection)"),
    ("o", "orphan decisions and rule errors"),
    ("m", "model title, description, owner, rule files"),
    ("ctrl+z / ctrl+y", "undo / redo"),
    ("ctrl+s / w", "save / save as"),
    ("ctrl+p", "command palette: every action by name"),
    ("ctrl+q", "quit (asks when there are unsaved changes)"),
    ("in forms", "tab between fields, ctrl+s or enter saves, esc cancels; yes/no/unknown: ← → or y n u"),
)
STRIDE: tuple[tuple[str, str, str, str], ...] = (
    ("Spoofing", "pretending to be someone or something else",
     "a service calls the payment API with a leaked static key", "mTLS, short-lived scoped tokens, service identity"),
    ("Tampering", "changing data in transit or at rest",
     "an unsigned order event is rewritten on the queue", "TLS, message signing and verification, queue ACLs"),
    ("Repudiation", "denying having done something",
     "a refund is issued and no log says who asked", "immutable audit log, correlation ids on every call"),
    ("Information disclosure", "reading data one should not",
     "a stack trace leaks internal URLs and a DB password", "sanitised errors, secrets manager, encryption"),
    ("Denial of service", "making the system unavailable",
     "a slow downstream without a timeout exhausts every thread", "timeouts, circuit breakers, rate limits, bulkheads"),
    ("Elevation of privilege", "gaining rights one should not have",
     "a worker's broad IAM token can delete every bucket", "least privilege, scoped tokens, regular IAM review"),
)


class HelpScreen(ModalScreen[None]):
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
        for key, what in KEYS:
            keys.add_row(key, what)
        stride = Table(show_lines=False, expand=True, box=None, padding=(0, 1))
        for heading in ("category", "threat", "example", "mitigation"):
            stride.add_column(heading, style="bold" if heading == "category" else "", ratio=1)
        for row in STRIDE:
            stride.add_row(*row)
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static(Text("stride-tui help", style="bold"), classes="dialog-title", markup=False)
            with VerticalScroll(id="help-body"):
                yield Static(
                    Group(
                        Text("Keys", style="bold underline"),
                        keys,
                        Text(""),
                        Text("STRIDE at a trust boundary", style="bold underline"),
                        stride,
                        Text(""),
                        Text(
                            "A flow crosses a boundary when exactly one of its ends is inside it. Select a "
                            "boundary to see the findings of every flow that crosses it; a fact left "
                            "unknown is treated as not mitigated, so answering it (yes / no) is often the "
                            "quickest way to close a finding.",
                            style="dim",
                        ),
                    ),
                    markup=False,
                )
            yield Static(Text("esc to close", style="dim"), markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
