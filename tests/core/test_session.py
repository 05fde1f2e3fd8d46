"""The 30-minute session clock: phases, pause and resume, stop, notices."""

import pytest

from stride_tui.core.session import PHASES, Session, clock


def test_phases_follow_each_other():
    session = Session(now=100.0, minutes=(1, 2, 3))
    assert session.status(100.0).phase_name == PHASES[0]
    assert session.status(159.0).phase == 0
    status = session.status(161.0)
    assert (status.phase, round(status.phase_left), round(status.total_left)) == (1, 119, 299)
    assert session.status(100 + 60 + 120 + 1).phase_name == "Capture stories"
    assert session.status(100 + 360).finished


def test_pause_stops_the_clock():
    session = Session(now=0.0, minutes=(1, 1, 1))
    session.pause(30.0)
    assert session.status(500.0).phase_left == pytest.approx(30.0)
    assert session.status(500.0).paused
    session.resume(500.0)
    assert session.status(510.0).phase_left == pytest.approx(20.0)


def test_phase_change_is_reported_once():
    session = Session(now=0.0, minutes=(1, 1, 1))
    assert session.phase_change(10.0) is None
    assert session.phase_change(61.0).phase == 1
    assert session.phase_change(62.0) is None
    assert session.phase_change(200.0).finished


def test_stop_finishes():
    session = Session(now=0.0)
    session.stop(5.0)
    assert session.status(6.0).finished and session.status(6.0).describe() == "Session finished"


def test_describe_and_clock():
    session = Session(now=0.0)
    assert session.status(0.0).describe() == "1/3 Draw the data flow 10:00 left · 30:00 in all"
    assert clock(-3) == "00:00" and clock(61.2) == "01:02"


def test_invalid_lengths():
    with pytest.raises(ValueError):
        Session(now=0.0, minutes=(10, 0, 10))
