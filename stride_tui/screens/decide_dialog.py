"""Deciding a whole threat, or every threat of a story, with one key (DESIGN §8, issue 12).

`DecideDialog` lists the statuses, each on one key (m mitigated, a accepted…); ``e`` asks for a
note and ticket too (`ThreatDecisionForm`). Either way the decision goes through
`core.editing.threat_decisions.decide_threats`, one undoable edit for all the threats.

The one-key answers are bindings, not a key handler: a key typed right after ``d`` can pass the
main screen before ``d`` has opened the dialog (both read in one go on a busy machine) and then
reach the app with the dialog on top, where only the dialog's bindings can still take it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from stride_tui.core.analysis.threats import Threat
from stride_tui.core.editing import EditError
from stride_tui.core.editing.threat_decisions import decide_threats
from stride_tui.core.model.elements import STATUSES, ThreatModel
from widgets import FormField, safe_text

from ._choices import enum_choices
from .dialog import Dialog
from .form_screen import FormResult, FormScreen

VERDICTS: tuple[tuple[str, str, str], ...] = (
    ("m", "mitigated", "fixed, or a control covers it"),
    ("a", "accepted", "the risk is taken knowingly"),
    ("t", "transferred", "someone else owns it"),
    ("n", "not_applicable", "it does not apply here"),
    ("i", "investigating", "still looking (stays undecided)"),
    ("o", "open", "take the decision back"),
)
"""One key per status: the key, the status as the file writes it, what it means."""
NOTE_KEY = "e"


class Verdict(NamedTuple):
    """What the user chose: a status, or (``status`` None) to write a note and ticket first."""

    status: str | None


def threats_summary(threats: Sequence[Threat]) -> str:
    """ "2 threats (5 findings), now open, investigating"."""
    count, findings = len(threats), sum(len(t.findings) for t in threats)
    statuses = ", ".join(dict.fromkeys(t.status for t in threats))
    return (
        f"{count} threat{'s' if count != 1 else ''} ({findings} finding{'s' if findings != 1 else ''}), now {statuses}"
    )


class DecideDialog(Dialog[Verdict | None]):
    """Asks for one status for a threat or a story; dismisses with a `Verdict`, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        *(Binding(key, f"verdict({key!r})", status, show=False) for key, status, _ in VERDICTS),
        Binding(NOTE_KEY, f"verdict({NOTE_KEY!r})", "with a note", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | m a t n i o | Decide: mitigated, accepted, transferred, not_applicable, investigating, open. |
    | e | Decide with a note and a ticket (a form). |
    | up, down, enter | Pick a status from the list. |
    | escape | Close without deciding. |
    """

    def __init__(self, title: Text, summary: str, *, with_note: bool = True) -> None:
        """
        Args:
            title: What is decided (user text is safe: it is a ``Text``).
            summary: What the decision covers, e.g. `threats_summary` of its threats.
            with_note: Offer ``e``, a note and a ticket (the dialog then answers ``Verdict(None)``).
        """
        super().__init__()
        self.title_text: Text = title
        """What is decided."""
        self.summary: str = summary
        """What the decision covers."""
        self.with_note: bool = with_note
        """Whether ``e`` (a note and a ticket) is offered."""

    def compose(self) -> ComposeResult:
        with Vertical(id="decide-dialog", classes="dialog"):
            yield Static(
                Text("Decide: ", style="bold").append_text(self.title_text), id="decide-title", classes="dialog-title"
            )
            yield Static(self._summary_text(), id="decide-summary", markup=False)
            options = [
                Option(Text.assemble((f"{key}  ", "bold"), (status, "bold"), (f"  {meaning}", "dim")), id=status)
                for key, status, meaning in VERDICTS
            ]
            if self.with_note:
                options.append(Option(Text.assemble((f"{NOTE_KEY}  ", "bold"), "with a note and a ticket…"), id="note"))
            yield OptionList(*options, id="decide-options", compact=True)

    def _summary_text(self) -> Text:
        return Text(f"{self.summary}. One key decides; ctrl+z takes it back.", style="dim")

    def take_over(self, title: Text, summary: str) -> bool:
        """Ask again, for ``title`` and ``summary``, once closed (a dialog kept for the next
        decision opens without being composed and styled again); False while it is open."""
        if not self.is_mounted or self in self.app.screen_stack:
            return False  # (not mounted: made ahead and still being composed)
        self.title_text, self.summary = title, summary
        self.query_one("#decide-title", Static).update(Text("Decide: ", style="bold").append_text(title))
        self.query_one("#decide-summary", Static).update(self._summary_text())
        self.query_one(OptionList).highlighted = 0
        self.reopen()
        return True

    def initial_focus(self) -> Widget | None:
        return self.query_one(OptionList)

    def _verdict_of(self, key: str) -> Verdict | None:
        """What ``key`` answers (None: it answers nothing here)."""
        if key == NOTE_KEY:
            return Verdict(None) if self.with_note else None
        return next((Verdict(status) for k, status, _ in VERDICTS if k == key), None)

    def action_verdict(self, key: str) -> None:
        """Decide with ``key``'s status (or ``e``: with a note first)."""
        if self.holding_keys:
            # still opening, so the key came the long way, through the screen below, while the
            # keys typed after it were held here: it takes its turn before them
            self.take_late_key(events.Key(key, key))
            return
        verdict = self._verdict_of(key)
        if verdict is not None:
            self.dismiss(verdict)

    def key_ends_typing(self, key: events.Key) -> Callable[[list[events.Key]], object] | None:
        # the answer typed with the key that opened the dialog: decide, and the keys after it
        # (the next Down, the next d) go to the main screen, as typed
        verdict = self._verdict_of(key.key)
        return None if verdict is None else partial(self._typed_verdict, verdict)

    def _typed_verdict(self, verdict: Verdict, rest: list[events.Key]) -> None:
        self.dismiss(verdict)
        self.pass_on(rest)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = event.option.id
        self.dismiss(Verdict(None if chosen == "note" else chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ThreatDecisionForm(FormScreen):
    """Status, note and ticket for one threat or a story's threats: one decision each."""

    def __init__(self, model: ThreatModel, title: Text, threats: Sequence[Threat], label: str) -> None:
        """
        Args:
            model: The model being edited.
            title: What is decided (safe ``Text``).
            threats: The threats the decision covers.
            label: What undo calls the edit (the threat or story id).
        """
        self.threats: tuple[Threat, ...] = tuple(threats)
        """The threats decided."""
        self.label: str = label
        """The threat or story id, for the undo label."""
        super().__init__(model, Text("Decide: ", style="bold").append_text(title))

    def compose_intro(self) -> Iterable[Widget]:
        ids = ", ".join(t.id for t in self.threats[:6]) + (" …" if len(self.threats) > 6 else "")
        yield Static(safe_text(f"decision key{'s' if len(self.threats) != 1 else ''}: {ids}", style="dim"))

    def build_fields(self) -> list[FormField]:
        first = self.threats[0]
        notes = [f.note for t in self.threats for f in t.findings if f.note]
        tickets = [f.ticket for t in self.threats for f in t.findings if f.ticket]
        return [
            FormField("status", "status", "choice", value=first.status, choices=enum_choices(STATUSES), blank=None),
            FormField("note", "note", "text", value=notes[0] if notes else None, help="Why: what mitigates it."),
            FormField("ticket", "ticket", "line", value=tickets[0] if tickets else None, help="e.g. SEC-412."),
        ]

    def _decided(self, values: dict[str, object]) -> ThreatModel:
        note, ticket = values.get("note"), values.get("ticket")
        return decide_threats(
            self.model,
            self.threats,
            str(values.get("status") or ""),
            note=str(note) if note else None,
            ticket=str(ticket) if ticket else None,
        )

    def check(self, values: dict[str, object]) -> dict[str, str]:
        try:
            self._decided(values)
        except EditError as error:
            return error.errors
        return {}

    def submit(self, values: dict[str, object]) -> FormResult:
        return FormResult(self._decided(values), f"decide {self.label}: {values.get('status')}", None)

    def initial_focus(self) -> Widget | None:
        # the status was just picked with ``e`` in the dialog before: what comes next is the note
        return self.field("note").control
