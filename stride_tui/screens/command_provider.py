"""Command palette entries (ctrl+p) for every action of the editor, found by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from stride_tui.core.model.elements import SEVERITIES, STATUSES

# (title, help, action on the main screen)
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Save", "Write the model to its file (ctrl+s)", "save"),
    ("Save as…", "Write the model to another file (w)", "save_as"),
    ("Undo", "Take back the last edit (ctrl+z)", "undo"),
    ("Redo", "Do the undone edit again (ctrl+y)", "redo"),
    ("Add component", "A process, data store or external entity (c)", "add_component"),
    ("Add flow", "A data flow from one component to another (f)", "add_flow"),
    ("Add trust boundary", "A trust zone; boundaries can nest (b)", "add_boundary"),
    ("Add threat", "A hand-written threat on a component or flow (t)", "add_threat"),
    ("Edit selection", "Edit the selected component, flow, boundary or threat (e)", "edit"),
    ("Delete selection", "Delete the selection; asks first (delete)", "delete"),
    ("Decide finding", "Open the finding under the STRIDE cursor and record a decision (d)", "decide"),
    ("Edit model info", "Title, description, owner, rule files (m)", "edit_model"),
    ("Show whole model in STRIDE panel", "Findings of every element, not just the selection (escape)", "select_none"),
    ("Show orphan decisions", "Decisions whose finding no longer fires, and rule errors (o)", "orphans"),
    ("Next status filter", "Cycle the STRIDE panel's status filter (s)", "cycle_status"),
    ("Next severity filter", "Cycle the STRIDE panel's minimum severity (v)", "cycle_severity"),
    ("Focus components", "Move to the components pane (1)", "focus_pane('components')"),
    ("Focus flows", "Move to the flows pane (2)", "focus_pane('flows')"),
    ("Focus boundaries", "Move to the boundaries pane (3)", "focus_pane('boundaries')"),
    ("Focus STRIDE panel", "Move to the findings (4)", "focus_pane('stride-findings')"),
    ("Diagram view", "The data-flow diagram in the terminal, or back to the panes (g)", "toggle_diagram"),
    ("Diagram: next boundary", "Highlight the next trust boundary and its crossing flows (])", "diagram_boundary(1)"),
    ("Diagram: previous boundary", "Highlight the previous trust boundary ([)", "diagram_boundary(-1)"),
    ("Diagram: switch layout", "Graphviz layout or the built-in layered one (l)", "diagram_layout"),
    ("Export…", "The diagram, the report or the stories, to a file (ctrl+e)", "export"),
    ("Render diagram to a file (SVG, PNG, DOT)", "Export the data-flow diagram (ctrl+e)", "export('diagram')"),
    ("Export report (Markdown, HTML, JSON)", "The full threat-model document to a file (ctrl+e)", "export('report')"),
    (
        "Export stories (Markdown, CSV, JSON)",
        "Security stories for the backlog to a file (ctrl+e)",
        "export('stories')",
    ),
    (
        "Start session (30-minute threat model)",
        "A clock walks the three phases: draw, STRIDE, stories (ctrl+t)",
        "session",
    ),
    ("Pause or resume session", "Hold the session clock, or let it run again (ctrl+t)", "session"),
    ("Stop session", "End the session now and see what it produced (T)", "session_stop"),
    ("Help", "Keys and the STRIDE reference (?)", "help"),
    ("Quit", "Quit; asks when there are unsaved changes (ctrl+q)", "app.quit"),
)
FILTERS: tuple[tuple[str, str, str], ...] = (
    *(
        (f"Filter status: {status}", f"Show {status} findings in the STRIDE panel", f"set_status_filter('{status}')")
        for status in ("all", "undecided", *STATUSES)
    ),
    *(
        (
            f"Filter severity: {'any' if s == 'all' else 'at least ' + s}",
            "Minimum severity in the STRIDE panel",
            f"set_severity_filter('{s}')",
        )
        for s in ("all", *SEVERITIES[1:])
    ),
)


class EditorCommands(Provider):
    """One palette entry per editor action (and per filter value), run on the main screen."""

    def _entries(self) -> tuple[tuple[str, str, str], ...]:
        return ACTIONS + FILTERS

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)

    async def discover(self) -> Hits:
        for title, help_text, action in ACTIONS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=help_text)
