"""Every key of the editor, defined once: the footer, the command palette and help are built from it.

A `KeyAction` names a key, the action it runs, its footer label, its palette entries and the help
row that explains it. `MainScreen.BINDINGS` and `StrideApp.BINDINGS` come from `bindings`, the
palette from `palette_entries`, the help screen's key table from `HELP_ROWS`.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from textual.binding import Binding, BindingType


class HelpRow(NamedTuple):
    """One row of the help screen's key table."""

    keys: str
    """The keys, as help spells them (several actions can share a row)."""
    text: str
    """What they do."""


class PaletteEntry(NamedTuple):
    """One command palette entry for a key's action."""

    title: str
    help: str
    action: str | None = None
    """The action to run, when it is not the key's own (e.g. ``export('report')``)."""


class KeyAction(NamedTuple):
    """A key of the editor and everything that names it."""

    key: str
    """Textual key names, comma-separated."""
    action: str
    description: str
    """The footer label (DESIGN fixes some of these; users rely on them)."""
    help_row: str
    """The `HelpRow.keys` of the row that explains it."""
    palette: tuple[PaletteEntry, ...] = ()
    show: bool = False
    """Shown in the footer (most keys are only named in help and the palette)."""
    key_display: str | None = None
    scope: Literal["screen", "app"] = "screen"
    """Where the binding lives: the main screen, or the app (to work over every screen)."""
    priority: bool = False

    @property
    def palette_action(self) -> str:
        """The action as the palette runs it on the main screen."""
        return f"app.{self.action}" if self.scope == "app" else self.action


def _entry(title: str, help_text: str, action: str | None = None) -> tuple[PaletteEntry, ...]:
    return (PaletteEntry(title, help_text, action),)


KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("ctrl+s", "save", "Save", "ctrl+s / w", _entry("Save", "Write the model to its file (ctrl+s)"), True),
    KeyAction("w", "save_as", "Save as", "ctrl+s / w", _entry("Save as…", "Write the model to another file (w)")),
    KeyAction("ctrl+z", "undo", "Undo", "ctrl+z / ctrl+y", _entry("Undo", "Take back the last edit (ctrl+z)"), True),
    KeyAction("ctrl+y", "redo", "Redo", "ctrl+z / ctrl+y", _entry("Redo", "Do the undone edit again (ctrl+y)")),
    KeyAction(
        "c",
        "add_component",
        "Component",
        "c / f / b / t",
        _entry("Add component", "A process, data store or external entity (c)"),
        True,
    ),
    KeyAction(
        "f",
        "add_flow",
        "Flow",
        "c / f / b / t",
        _entry("Add flow", "A data flow from one component to another (f)"),
        True,
    ),
    KeyAction(
        "b",
        "add_boundary",
        "Boundary",
        "c / f / b / t",
        _entry("Add trust boundary", "A trust zone; boundaries can nest (b)"),
        True,
    ),
    KeyAction(
        "t",
        "add_threat",
        "Threat",
        "c / f / b / t",
        _entry("Add threat", "A hand-written threat on a component or flow (t)"),
    ),
    KeyAction(
        "a",
        "sketch",
        "Sketch",
        "a",
        _entry("Sketch line", "Type the data flow: A > B : https, Name (store), [Boundary] A, B (a)"),
        True,
    ),
    KeyAction(
        "e",
        "edit",
        "Edit",
        "enter, e",
        _entry("Edit selection", "Edit the selected component, flow, boundary or threat (e)"),
        True,
    ),
    KeyAction(
        "delete,x",
        "delete",
        "Delete",
        "delete, x",
        _entry("Delete selection", "Delete the selection; asks first (delete)"),
        True,
        "del",
    ),
    KeyAction(
        "d",
        "decide",
        "Decide",
        "d",
        _entry("Decide threat", "One key decides the whole threat under the STRIDE cursor: m a t n i o (d)"),
        True,
    ),
    KeyAction(
        "y",
        "answer('y')",
        "Answer yes",
        "y / n",
        _entry("Answer yes", "Answer the question under the STRIDE cursor: yes, the fact holds (y)"),
    ),
    KeyAction(
        "n",
        "answer('n')",
        "Answer no",
        "y / n",
        _entry("Answer no", "Answer the question under the STRIDE cursor: no (n)"),
    ),
    KeyAction(
        "r",
        "add_response",
        "Add response",
        "r",
        _entry("Add the response", "Add the response of the selected flow: from its target back, response_to (r)"),
    ),
    KeyAction(
        "p",
        "pick_stories",
        "Pick stories",
        "p",
        _entry("Pick stories", "Keep or drop each top story, decide whole stories, export the kept ones (p)"),
    ),
    KeyAction(
        "m", "edit_model", "Model info", "m", _entry("Edit model info", "Title, description, owner, rule files (m)")
    ),
    KeyAction(
        "escape",
        "select_none",
        "Whole model",
        "escape",
        _entry("Show whole model in STRIDE panel", "Findings of every element, not just the selection (escape)"),
    ),
    KeyAction(
        "o",
        "orphans",
        "Orphan decisions",
        "o",
        _entry("Show orphan decisions", "Decisions whose finding no longer fires, and rule errors (o)"),
    ),
    KeyAction(
        "s",
        "cycle_status",
        "Status filter",
        "s / v",
        _entry("Next status filter", "Cycle the STRIDE panel's status filter (s)"),
    ),
    KeyAction(
        "v",
        "cycle_severity",
        "Severity filter",
        "s / v",
        _entry("Next severity filter", "Cycle the STRIDE panel's minimum severity (v)"),
    ),
    KeyAction(
        "1",
        "focus_pane('components')",
        "Components pane",
        "tab / shift+tab, 1 2 3 4",
        _entry("Focus components", "Move to the components pane (1)"),
    ),
    KeyAction(
        "2",
        "focus_pane('flows')",
        "Flows pane",
        "tab / shift+tab, 1 2 3 4",
        _entry("Focus flows", "Move to the flows pane (2)"),
    ),
    KeyAction(
        "3",
        "focus_pane('boundaries')",
        "Boundaries pane",
        "tab / shift+tab, 1 2 3 4",
        _entry("Focus boundaries", "Move to the boundaries pane (3)"),
    ),
    KeyAction(
        "4",
        "focus_pane('stride-findings')",
        "STRIDE pane",
        "tab / shift+tab, 1 2 3 4",
        _entry("Focus STRIDE panel", "Move to the findings (4)"),
    ),
    KeyAction(
        "g",
        "toggle_diagram",
        "Diagram",
        "g",
        _entry("Diagram view", "The data-flow diagram in the terminal, or back to the panes (g)"),
        True,
    ),
    # the diagram's own keys are named on its title line, not in the crowded footer
    KeyAction(
        "right_square_bracket",
        "diagram_boundary(1)",
        "Next boundary",
        "[ / ]",
        _entry("Diagram: next boundary", "Highlight the next trust boundary and its crossing flows (])"),
        key_display="]",
    ),
    KeyAction(
        "left_square_bracket",
        "diagram_boundary(-1)",
        "Prev boundary",
        "[ / ]",
        _entry("Diagram: previous boundary", "Highlight the previous trust boundary ([)"),
        key_display="[",
    ),
    KeyAction(
        "l",
        "diagram_layout",
        "Layout",
        "l",
        _entry("Diagram: switch layout", "Graphviz layout or the built-in layered one (l)"),
    ),
    KeyAction(
        "ctrl+e",
        "export",
        "Export",
        "ctrl+e",
        (
            PaletteEntry("Export…", "The diagram, the report or the stories, to a file (ctrl+e)"),
            PaletteEntry(
                "Render diagram to a file (SVG, PNG, DOT)", "Export the data-flow diagram (ctrl+e)", "export('diagram')"
            ),
            PaletteEntry(
                "Export report (Markdown, HTML, JSON)",
                "The full threat-model document to a file (ctrl+e)",
                "export('report')",
            ),
            PaletteEntry(
                "Export stories (Markdown, CSV, JSON)",
                "Security stories for the backlog to a file (ctrl+e)",
                "export('stories')",
            ),
        ),
    ),
    KeyAction(
        "ctrl+t",
        "session",
        "Session timer",
        "ctrl+t",
        (
            PaletteEntry(
                "Start session (30-minute threat model)",
                "A clock walks the three phases: draw, STRIDE, stories (ctrl+t)",
            ),
            PaletteEntry("Pause or resume session", "Hold the session clock, or let it run again (ctrl+t)"),
        ),
    ),
    KeyAction(
        "T",
        "session_stop",
        "Stop session",
        "T",
        _entry("Stop session", "End the session now and see what it produced (T)"),
    ),
    KeyAction(
        "question_mark,f1",
        "help",
        "Help",
        "? / f1",
        _entry("Help", "Keys and the STRIDE reference (?)"),
        True,
        "?",
    ),
    KeyAction(
        "ctrl+q",
        "quit",
        "Quit",
        "ctrl+q",
        _entry("Quit", "Quit; asks when there are unsaved changes or the file is gone (ctrl+q)"),
        True,
        scope="app",
        priority=True,
    ),
    KeyAction("tab", "app.focus_next", "Next pane", "tab / shift+tab, 1 2 3 4"),
    KeyAction("shift+tab", "app.focus_previous", "Previous pane", "tab / shift+tab, 1 2 3 4"),
)
"""Every key, in the order of the palette (the footer shows the ``show`` ones in this order)."""

HELP_ROWS: tuple[HelpRow, ...] = (
    HelpRow("tab / shift+tab, 1 2 3 4", "move between panes; 1 2 3 4 jump to components, flows, boundaries, STRIDE"),
    HelpRow("↑ ↓ pgup pgdn home end", "move in a pane; the STRIDE panel follows the selection"),
    HelpRow("a", "sketch line: type the data flow, one line per edit (syntax below); enter applies, esc closes"),
    HelpRow("c / f / b / t", "add a component / flow / boundary / hand-written threat"),
    HelpRow(
        "enter, e", "edit what is selected (in the STRIDE panel: decide the threat; on a question: edit its element)"
    ),
    HelpRow("delete, x", "delete what is selected (asks first and says what goes with it)"),
    HelpRow("d", "decide the whole threat under the STRIDE cursor: then one key, m a t n i o (e: with a note)"),
    HelpRow("y / n", "answer the question under the STRIDE cursor (or the first one of the threat there)"),
    HelpRow("r", "add the response of the selected flow (offered right after a flow is added)"),
    HelpRow("p", "pick the stories: space keeps or drops one, d decides it, m / c / j exports the kept ones"),
    HelpRow("s / v", "STRIDE filter: next status / next minimum severity"),
    HelpRow("escape", "STRIDE panel: the whole model's threats (not just the selection)"),
    HelpRow("o", "orphan decisions and rule errors"),
    HelpRow("m", "model title, description, owner, rule files"),
    HelpRow("ctrl+z / ctrl+y", "undo / redo"),
    HelpRow("ctrl+s / w", "save / save as"),
    HelpRow("g", "diagram view instead of the panes, and back; edits, undo and save work there too"),
    HelpRow("[ / ]", "diagram: highlight the previous / next trust boundary and its crossing flows"),
    HelpRow("l", "diagram: Graphviz layout (when installed) or the built-in layered one"),
    HelpRow(
        "arrows, pgup pgdn", "diagram: scroll (shift+pgup/pgdn sideways; the mouse wheel too; click a box to select it)"
    ),
    HelpRow(
        "ctrl+e",
        "export: opens on what (↑ ↓ or s d r; enter exports it): the stories (top 6 undecided; how many, minimum "
        "severity), the diagram (SVG, PNG, DOT) or the report (Markdown, HTML, JSON)",
    ),
    HelpRow("ctrl+t", "start a 30-minute session (asks the phase lengths); while one runs: pause / resume"),
    HelpRow("T", "stop the session and see what it produced (then export the stories)"),
    HelpRow("? / f1", "this help"),
    HelpRow("ctrl+p", "command palette: every action by name"),
    HelpRow("ctrl+q", "quit (asks when there are unsaved changes or the file is gone)"),
    HelpRow(
        "in forms",
        "tab between fields; enter applies, ctrl+s applies and saves the file; esc closes (asks if changed); "
        "drop-downs: type letters to jump; yes/no/unknown: ← → or y n u",
    ),
)
"""The help screen's key table, in order; rows with no `KeyAction` describe keys of widgets and forms."""


def bindings(scope: Literal["screen", "app"] = "screen") -> list[BindingType]:
    """The Textual bindings of ``scope``, in registry order."""
    return [
        Binding(key.key, key.action, key.description, show=key.show, key_display=key.key_display, priority=key.priority)
        for key in KEY_ACTIONS
        if key.scope == scope
    ]


def palette_entries() -> tuple[tuple[str, str, str], ...]:
    """Every palette entry of every key: title, help, and the action it runs on the main screen."""
    return tuple(
        (entry.title, entry.help, entry.action or key.palette_action) for key in KEY_ACTIONS for entry in key.palette
    )
