"""What a session produced: counted between two models, and said in the closing dialog's lines."""

from __future__ import annotations

from stride_tui.core.files.loader import load_model
from stride_tui.core.model.elements import Decision
from stride_tui.core.outputs.session_summary import session_summary, summary_lines
from stride_tui.core.session import SessionSummary

from ..shared import SAMPLES


def test_summary_counts_added_elements_and_decisions() -> None:
    start = load_model(SAMPLES / "checkout.toml").model
    decisions = dict(start.decisions)
    decisions["new-rule@x"] = Decision(status="mitigated")
    end = start.model_copy(update={"decisions": decisions, "components": start.components, "flows": {}})
    summary = session_summary(start, end, 4)
    assert (summary.elements_added, summary.findings_decided, summary.stories) == (0, 1, 4)


def test_a_session_that_changed_nothing_counts_nothing() -> None:
    model = load_model(SAMPLES / "checkout.toml").model
    assert session_summary(model, model, 0) == SessionSummary(0, 0, 0)


def test_added_elements_are_counted_in_every_section() -> None:
    start = load_model(SAMPLES / "checkout.toml").model
    end = start.model_copy(update={"components": {}, "flows": {}, "boundaries": {}})
    assert session_summary(end, start, 0).elements_added == len(start.components) + len(start.flows) + len(
        start.boundaries
    )


def test_summary_lines_say_how_long_and_use_singulars() -> None:
    assert summary_lines(SessionSummary(1, 1, 1), 61.0) == [
        "The session ran 01:01 and produced:",
        "  1 element added (components, flows, boundaries)",
        "  1 decision made (threats mitigated, accepted, transferred…)",
        "  1 story for the backlog (of the open and investigating threats)",
    ]
    lines = summary_lines(SessionSummary(2, 0, 3), 1800.0)
    assert lines[0] == "The session ran 30:00 and produced:"
    assert lines[1:] == [
        "  2 elements added (components, flows, boundaries)",
        "  0 decisions made (threats mitigated, accepted, transferred…)",
        "  3 stories for the backlog (of the open and investigating threats)",
    ]
