"""First frame first: the panes are laid out before the analysis starts, and an analysis that
finishes before the focused pane has said what it selects shows that element's threats, never
the whole model's."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from textual.pilot import Pilot

from bench.generate import generate_model
from stride_tui.app import StrideApp
from stride_tui.core.analysis.engine import Analyzer
from stride_tui.core.analysis.threats import Threat
from stride_tui.core.files.storage import dump_model
from widgets import ComponentTable, StridePanel
from widgets._element_table import ElementTable

from .harness import main_screen, run, settle

T = TypeVar("T")


@pytest.fixture
def large_model(tmp_path: Path) -> Path:
    path = tmp_path / "large.toml"
    path.write_text(dump_model(generate_model(200, 300, 20)))  # analysed in a thread
    return path


def when_the_whole_analysis_starts(monkeypatch: pytest.MonkeyPatch, look: Callable[[StrideApp], T]) -> list[T]:
    """What ``look`` sees of the app as the whole analysis of the large model begins (in the
    analysis thread), once: the list is filled as the test runs."""
    seen: list[T] = []
    app_box: list[StrideApp] = []
    real_analyse = Analyzer.analyse

    def analyse(self: Analyzer, model):  # type: ignore[no-untyped-def]
        # only this test's model (a thread of an earlier test may still be analysing its own)
        if not seen and app_box and len(model.components) == 200:
            seen.append(look(app_box[0]))
        return real_analyse(self, model)

    monkeypatch.setattr(Analyzer, "analyse", analyse)
    original_init = StrideApp.__init__

    def init(self: StrideApp, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        app_box.append(self)

    monkeypatch.setattr(StrideApp, "__init__", init)
    return seen


def test_the_panes_are_laid_out_before_the_analysis_starts(large_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def table_shape(app: StrideApp) -> tuple[int, int]:
        table = main_screen(app).query_one(ComponentTable)
        return table.row_count, table.region.height

    seen = when_the_whole_analysis_starts(monkeypatch, table_shape)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        assert main_screen(app).current_analysis is not None

    run(large_model, scenario)
    rows, height = seen[0]
    assert rows == 200 and height > 0  # filled and laid out when the analysis began


def test_an_analysis_done_before_the_pane_speaks_shows_the_cursors_element(
    large_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[int] = []
    real_show = StridePanel.show

    def show(self: StridePanel, threats: Sequence[Threat], *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        shown.append(len(threats))
        real_show(self, threats, *args, **kwargs)

    monkeypatch.setattr(StridePanel, "show", show)
    # the race: the focused pane never gets to post its selection before the analysis is done
    monkeypatch.setattr(ElementTable, "_post_selected", lambda self: None)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        table = screen.query_one(ComponentTable)
        assert table.has_focus and table.selected_id == "c0"
        assert screen.selection == ("component", "c0")
        index = screen.threat_index
        assert index is not None and index.analysis is screen.current_analysis
        panel = screen.query_one(StridePanel)
        assert [t.id for t in panel.threats] == [t.id for t in index.view("component", "c0").threats]
        whole = len(index.view(None).threats)
        assert whole > 10 * max(shown)  # the whole model was never put in the panel

    run(large_model, scenario)


def test_the_collector_is_held_while_a_model_opens_and_runs_again_once_it_is_analysed(
    large_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[bool] = []
    real_analyse = Analyzer.analyse

    def analyse(self: Analyzer, model):  # type: ignore[no-untyped-def]
        if len(model.components) == 200:
            held.append(gc.isenabled())
        return real_analyse(self, model)

    monkeypatch.setattr(Analyzer, "analyse", analyse)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        await pilot.pause()
        assert held[0] is False  # the first analysis ran with the collector off
        assert gc.isenabled()  # and it is on again now that its threats are shown

    assert gc.isenabled()
    run(large_model, scenario)
    broken = tmp_path / "broken.toml"
    broken.write_text("stride_tui = 1\n[components.x]\nkind = 3\n")

    async def failed(app: StrideApp, pilot: Pilot) -> None:
        assert app.load_errors
        assert gc.isenabled()  # a file that cannot be opened lets it go too

    run(broken, failed)


def slow_analyses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every analysis takes 0.3 s more (longer than the screen waits for one) while the list
    returned is not empty."""
    real_analyse = Analyzer.analyse
    slow: list[bool] = []

    def analyse(self: Analyzer, model):  # type: ignore[no-untyped-def]
        if slow:
            time.sleep(0.3)
        return real_analyse(self, model)

    monkeypatch.setattr(Analyzer, "analyse", analyse)
    return slow


def test_an_edit_of_a_large_model_analysed_in_time_is_shown_with_its_threats_at_once(
    large_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = slow_analyses(monkeypatch)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        component = next(c for c, v in screen.model.components.items() if v.kind == "process")
        for at_once in (True, False):
            slow[:] = [] if at_once else [True]
            old = screen.model.components[component]
            edited = old.model_copy(update={"validates_input": not getattr(old, "validates_input", None)})
            model = screen.model.model_copy(update={"components": {**screen.model.components, component: edited}})
            screen.restore(model, "a test")
            # in time: analysed before the screen paints, no worker; else a worker brings it later
            assert (screen.current_analysis is not None) is at_once
            assert any(w.group == "analysis" and not w.is_finished for w in app.workers) is not at_once
            await settle(app, pilot)
            analysis = screen.current_analysis
            assert analysis is not None and analysis.model is model
            assert screen.threat_index is not None and screen.threat_index.analysis is analysis

    run(large_model, scenario)


def test_the_selected_elements_threats_are_shown_before_the_rest_of_the_model_is_analysed(
    large_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def panel_state(app: StrideApp) -> tuple[str, list[str], bool]:
        # the whole analysis starts once the preview is on screen
        screen = main_screen(app)
        panel = screen.query_one(StridePanel)
        return str(panel.border_title), [t.id for t in panel.threats], screen.current_analysis is None

    before_the_rest = when_the_whole_analysis_starts(monkeypatch, panel_state)

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        assert screen.selection == ("component", "c0")
        index = screen.threat_index
        assert index is not None
        title, shown, waiting = before_the_rest[0]
        assert waiting and "analysing the rest of the model" in title
        assert shown and shown == [t.id for t in index.view("component", "c0").threats]
        panel = screen.query_one(StridePanel)
        assert "analysing the rest" not in str(panel.border_title)  # the whole analysis replaced it

    run(large_model, scenario)


def test_the_story_pick_while_an_analysis_runs_says_so(large_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = slow_analyses(monkeypatch)
    messages: list[str] = []
    monkeypatch.setattr(StrideApp, "notify", lambda self, message, **kwargs: messages.append(message))

    async def scenario(app: StrideApp, pilot: Pilot) -> None:
        screen = main_screen(app)
        component = next(iter(screen.model.components))
        old = screen.model.components[component]
        edited = old.model_copy(update={"name": "Renamed"})
        slow.append(True)
        screen.restore(
            screen.model.model_copy(update={"components": {**screen.model.components, component: edited}}), "a test"
        )
        assert screen.current_analysis is None
        screen.action_pick_stories()
        assert any("Still analysing" in m for m in messages), messages
        assert not any("No undecided threats" in m for m in messages)
        await settle(app, pilot)

    run(large_model, scenario)
