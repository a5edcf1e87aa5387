"""Periods: ISO weeks, months, rounds and date ranges in Bucharest time; keys; days so far."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import periods
from metrics.periods import PeriodError

TZ = "Europe/Bucharest"
UTC = dt.UTC


def test_month_boundaries_are_local_midnights():
    p = periods.month(2026, 5, TZ)
    assert (p.key, p.first_day, p.last_day) == (
        "2026-05",
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
    )
    # Bucharest is UTC+3 in summer, UTC+2 in winter
    assert p.starts_at == dt.datetime(2026, 4, 30, 21, tzinfo=UTC)
    assert p.ends_at == dt.datetime(2026, 5, 31, 21, tzinfo=UTC)
    assert periods.month(2026, 12, TZ).ends_at == dt.datetime(2026, 12, 31, 22, tzinfo=UTC)


def test_iso_week_and_range_keys():
    w = periods.iso_week(dt.date(2026, 5, 7), TZ)
    assert (w.key, w.first_day, w.last_day) == (
        "2026-W19",
        dt.date(2026, 5, 4),
        dt.date(2026, 5, 10),
    )
    assert periods.iso_week(dt.date(2027, 1, 1), TZ).key == "2026-W53"
    r = periods.date_range(dt.date(2026, 5, 1), dt.date(2026, 6, 30), TZ)
    assert r.key == "2026-05-01:2026-06-30"
    with pytest.raises(PeriodError, match="the end date is before the start date"):
        periods.date_range(dt.date(2026, 6, 1), dt.date(2026, 5, 1), TZ)


def test_days_until():
    p = periods.month(2026, 5, TZ)
    assert p.days_until(dt.datetime(2026, 5, 20, 12, tzinfo=UTC)) == 20
    assert (
        p.days_until(dt.datetime(2026, 5, 31, 21, 30, tzinfo=UTC)) == 31
    )  # 1 June local: all of May
    assert p.days_until(dt.datetime(2026, 4, 30, 20, tzinfo=UTC)) == 0
    assert p.days_until(None) == 0


def test_parse_from_the_data(world, con):
    w = world
    w.institution("A")
    a = w.account("A", "mastodon", "@a@social.example")
    w.post(a, "2026-04-29 10:00")
    w.followers(a, "2026-06-02 10:00", 5)
    con.execute(
        "INSERT INTO rounds VALUES ('baseline', 'Baseline', DATE '2026-05-01', DATE '2026-05-31'),"
        " ('midline', 'Midline', DATE '2026-06-01', DATE '2026-07-31')"
    )
    assert [p.key for p in periods.parse(con, "month", TZ)] == ["2026-04", "2026-05", "2026-06"]
    assert [p.key for p in periods.parse(con, "week", TZ)][:2] == ["2026-W18", "2026-W19"]
    assert [p.key for p in periods.parse(con, None, TZ)] == ["round:baseline", "round:midline"]
    assert [p.key for p in periods.parse(con, "round", TZ, "midline")] == ["round:midline"]
    # months within a round, clipped to it
    june_july = periods.parse(con, "month", TZ, "midline")
    assert [(p.key, p.first_day, p.last_day) for p in june_july] == [
        ("2026-06", dt.date(2026, 6, 1), dt.date(2026, 6, 30)),
        ("2026-07", dt.date(2026, 7, 1), dt.date(2026, 7, 31)),
    ]
    assert periods.default_continuum_period(con, TZ).key == "round:midline"  # begun by 2 June
    with pytest.raises(PeriodError, match=r"no round 'endline' \(rounds: baseline, midline\)"):
        periods.parse(con, "round", TZ, "endline")
    with pytest.raises(
        PeriodError, match="the period is week, month, round or YYYY-MM-DD:YYYY-MM-DD"
    ):
        periods.parse(con, "fortnight", TZ)


@pytest.mark.parametrize("key", ["2026-05", "2026-W19", "2026-05-01:2026-06-30"])
def test_from_key_round_trip(con, key):
    assert periods.from_key(con, key, TZ).key == key


def test_from_key_refuses(con):
    with pytest.raises(
        PeriodError, match="a period is round:ROUND, YYYY-MM, YYYY-Www or YYYY-MM-DD:YYYY-MM-DD"
    ):
        periods.from_key(con, "May", TZ)
    with pytest.raises(PeriodError, match="no such ISO week"):
        periods.from_key(con, "2026-W60", TZ)


def test_empty_database_has_no_periods(con):
    assert periods.parse(con, "month", TZ) == []
    assert periods.default_continuum_period(con, TZ) is None
