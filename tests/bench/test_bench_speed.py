"""The bench's pure helpers: percentiles, how times read, and the verdicts of the goal column."""

from __future__ import annotations

import pytest

from bench.bench_speed import Cell, Goal, Row, faster_than_pytm, markdown_table, percentile, seconds_text, within


def test_percentile_interpolates_between_ranks() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]  # unsorted on purpose
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_seconds_read_in_the_unit_people_use() -> None:
    assert seconds_text(0.0042) == "4.2 ms"
    assert seconds_text(0.543) == "543 ms"
    assert seconds_text(2.514) == "2.51 s"


def test_cells_show_a_median_or_p50_and_p95_and_say_why_there_is_no_number() -> None:
    assert Cell([0.3, 0.1, 0.2]).text() == "200 ms"
    assert Cell([0.3, 0.1, 0.2], rss_mib=471.6).text() == "200 ms, 472 MiB"
    assert Cell([0.01, 0.02, 0.03], spread=True).text() == "p50 20 ms, p95 29 ms"
    missing = Cell([0.1], missing="n/a")
    assert missing.text() == "n/a"
    assert missing.value is None


def test_goals_judge_the_after_column_against_thresholds_and_pytm() -> None:
    fast, slow = Cell([0.010, 0.012, 0.060]), Cell([0.5])
    assert within(0.016)(fast, Cell())
    assert not within(0.016, 0.050)(fast, Cell())  # its p95 is over 50 ms
    assert faster_than_pytm(20)(Cell([0.02]), slow)
    assert not faster_than_pytm(20)(Cell([0.03]), slow)
    assert not faster_than_pytm(20)(Cell([0.02]), Cell(missing="not run"))


def test_the_table_has_ratios_and_a_verdict_per_row() -> None:
    row = Row(
        "full analysis", "1,000", Cell([0.2]), Cell([0.1]), Cell([1.0]), Goal("≥ 20× faster", faster_than_pytm(20))
    )
    unjudged = Row("check", "1,000", Cell([0.4]), Cell(missing="n/a"), Cell(), Goal("—"))
    lines = markdown_table([row, unjudged]).splitlines()
    assert lines[0].startswith("| operation | N | before")
    assert lines[2] == "| full analysis | 1,000 | 200 ms | 100 ms | 1.00 s | 10.0× | 2.0× | ≥ 20× faster | **no** |"
    assert lines[3] == "| check | 1,000 | 400 ms | n/a | — | — | — | — | — |"
