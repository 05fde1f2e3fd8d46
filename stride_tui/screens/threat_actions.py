"""The STRIDE panel's one-key actions: decide a threat or a story, answer a question, add a
flow's response (offered in a notice right after the flow is added), pick and export the stories.

Each opens its dialog on the model as it is, and what the user confirms comes back to the
screen as one `EditDialogs.Edited` (one undoable edit), like every other dialog's edit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rich.text import Text
from textual import work

from stride_tui.core import editing as edits
from stride_tui.core.analysis.questions import Question
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.editing.responses import add_response, can_have_response
from stride_tui.core.editing.threat_decisions import decide_threats
from stride_tui.core.files.storage import SaveError, atomic_write
from stride_tui.core.model.elements import ThreatModel
from stride_tui.core.outputs.stories import Story, stories_csv, stories_json, stories_markdown
from widgets import plain_text, safe_text

from .choice_screen import Choice, ChoiceScreen
from .decide_dialog import DecideDialog, ThreatDecisionForm, threats_summary
from .edit_dialogs import EditDialogs, EditSender
from .form_screen import FormResult
from .story_picker import Picked, StoryPicker


def stories_path(model_path: Path, extension: str) -> Path:
    """Where picked stories are exported: next to the model, ``<model>-stories.<ext>``."""
    return model_path.with_name(f"{model_path.stem}-stories.{extension}")


def picked_bytes(title: str, picked: Picked) -> bytes:
    """The kept stories in the picked format (the same writers as `stride-tui stories`)."""
    stories = list(picked.stories)
    if picked.fmt == "csv":
        return stories_csv(stories).encode("utf-8")
    if picked.fmt == "json":
        return stories_json(title, stories).encode("utf-8")
    return stories_markdown(title, stories).encode("utf-8")


class ThreatActions(EditSender):
    """Opens the STRIDE panel's dialogs and hands on the edits they produce; shows nothing itself."""

    DEFAULT_CSS = """
    ThreatActions {
        display: none;
    }
    """

    _kept_dialog: DecideDialog | None = None

    def _post(
        self, model: ThreatModel, label: str, select: tuple[str, str] | None = None, save_file: bool = False
    ) -> None:
        self.deliver(EditDialogs.Edited(model, label, select, save_file))

    def decide(self, model: ThreatModel, threats: Sequence[Threat], title: Text, label: str) -> None:
        """Ask for one status for ``threats`` (a threat, or a story's) and post it as one edit."""
        threats = tuple(threats)
        select = ("findings", threats[0].id) if len(threats) == 1 else None

        def chosen(verdict: object) -> None:
            if verdict is None:
                return
            status = getattr(verdict, "status", None)
            if status is None:  # a note and a ticket first
                self.app.push_screen(ThreatDecisionForm(model, title, threats, label), saved)
                return
            self._post(decide_threats(model, threats, status), f"decide {label}: {status}", select)

        def saved(result: FormResult | None) -> None:
            if result is not None:  # ctrl+s in the form saves the file too, as in every form
                self._post(result.model, result.label, select, result.save_file)

        self.app.push_screen(self._decide_dialog(title, threats_summary(threats)), chosen)

    def prepare(self) -> bool:
        """Make the kept decide dialog ahead, without showing it: composed and mounted, then
        styled, laid out and drawn (`Dialog.lay_out_ahead`), while the editor is idle, so that
        even the first ``d`` fills it as every later one does (made then, it took ~20 ms more).
        True while there is more to do: call again a moment later."""
        kept = self._kept_dialog
        if kept is None:
            self.app._get_screen(self._decide_dialog(Text(""), ""))  # Textual starts a screen it is given
            return True
        if not kept.is_mounted:
            return kept.is_attached  # still being composed
        kept.lay_out_ahead()
        return False

    def _decide_dialog(self, title: Text, summary: str) -> DecideDialog:
        """The decide dialog, kept once made (composing it again was most of the time ``d`` took)."""
        kept = self._kept_dialog
        if kept is not None and kept.take_over(title, summary):
            return kept
        dialog = DecideDialog(title, summary)
        if kept is None:
            self.app.install_screen(dialog, f"kept-decide-{id(self)}")
            self._kept_dialog = dialog
        return dialog

    def answer(self, model: ThreatModel, question: Question, key: str) -> bool:
        """Set the fact ``question`` asks about to the answer of ``key`` (y / n); False when the
        key answers nothing (the fact takes a value that needs the element's form)."""
        if key not in question.answers:
            return False
        value = question.answers[key]
        try:
            changed = edits.set_fact(model, question.element_id, question.fact, value)
        except edits.EditError as error:
            self.notify(plain_text(str(error)), severity="error", markup=False)
            return True
        shown = "true" if value is True else "false" if value is False else str(value)
        self._post(changed, f"answer {question.fact} = {shown} on {question.element_id}")
        return True

    def offer_response(self, model: ThreatModel, flow_id: str) -> None:
        """Say, right after a flow was added, that one key (r) adds its response. A notice, not
        a dialog: whoever types on is never stopped by it."""
        if can_have_response(model, flow_id):
            flow = model.flows[flow_id]
            names = f"{model.display_name(flow.target)} → {model.display_name(flow.source)}"
            self.notify(plain_text(f"r adds its response, {names}"), title="Flow added", markup=False, timeout=8)

    def add_response(self, model: ThreatModel, flow_id: str) -> None:
        """Add the response of ``flow_id`` (``response_to``), as one edit."""
        if not can_have_response(model, flow_id):
            why = "it is a response itself" if model.flows[flow_id].response_to else "it has one already"
            self.notify(plain_text(f"{flow_id} gets no response: {why}."), markup=False, timeout=4)
            return
        try:
            changed, response_id = add_response(model, flow_id)
        except edits.EditError as error:
            self.notify(plain_text(str(error)), severity="error", markup=False)
            return
        self._post(changed, f"add flow {response_id} (response to {flow_id})", ("flows", response_id))

    @work(group="story-picker", description="pick stories")
    async def pick_stories(
        self,
        model_path: Path,
        title: str,
        stories: Sequence[Story],
        decide: Callable[[Story, str], bool],
        done: Callable[[Picked | None, Path | None], None],
    ) -> None:
        """Let the user keep or drop each story, then export the kept ones; ``done`` hears what
        was exported and where (None, None when nothing was)."""
        picked = await self.app.push_screen_wait(StoryPicker(stories, decide))
        if picked is None:
            done(None, None)
            return
        path = stories_path(model_path, picked.extension)
        if path.exists():
            question = [Text.assemble(safe_text(str(path), style="bold"), " exists already.")]
            choices = [Choice("overwrite", "Replace it", "o", "warning"), Choice("cancel", "Cancel", "c")]
            answer = await self.app.push_screen_wait(ChoiceScreen("The file exists", question, choices))
            if answer != "overwrite":
                done(None, None)
                return
        try:
            atomic_write(path, picked_bytes(title, picked))
        except SaveError as error:
            self.notify(plain_text(str(error)), title="Export failed", severity="error", markup=False)
            done(None, None)
            return
        kept = len(picked.stories)
        self.notify(plain_text(f"{kept} of {picked.offered} stories exported to {path}"), title="Stories", markup=False)
        done(picked, path)
