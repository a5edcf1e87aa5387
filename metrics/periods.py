"""Periods the metrics are computed over: ISO weeks, months, rounds, or any date range.

A period is a half-open interval [starts_at, ends_at) of instants, its boundaries being local
midnights in calendar.yaml's time zone. Its `key` names it everywhere (CSV, overrides):
"2026-W19", "2026-05", "round:baseline", "2026-05-01:2026-06-30" (end date included).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import duckdb

UTC = dt.UTC
_RANGE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """A period that cannot be understood (bad syntax, unknown round, end before start)."""


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    first_day: dt.date  # local calendar days, inclusive
    last_day: dt.date
    timezone: str

    @property
    def starts_at(self) -> dt.datetime:
        return _midnight(self.first_day, self.timezone)

    @property
    def ends_at(self) -> dt.datetime:
        return _midnight(self.last_day + dt.timedelta(days=1), self.timezone)

    def days_until(self, as_of: dt.datetime | None) -> int:
        """Calendar days of the period begun by `as_of` (all of them when it is over); 0 if none."""
        if as_of is None:
            return 0
        last_seen = as_of.astimezone(zoneinfo.ZoneInfo(self.timezone)).date()
        end = min(self.last_day, last_seen)
        return max((end - self.first_day).days + 1, 0)

    def overlaps(self, other: Period) -> bool:
        return self.first_day <= other.last_day and other.first_day <= self.last_day


def _midnight(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(tz)).astimezone(UTC)


def date_range(first: dt.date, last: dt.date, tz: str) -> Period:
    if last < first:
        raise PeriodError(f"{first}:{last}: the end date is before the start date")
    return Period(
        f"{first.isoformat()}:{last.isoformat()}",
        f"{first:%d %b %Y} – {last:%d %b %Y}",
        first,
        last,
        tz,
    )


def month(year: int, mon: int, tz: str) -> Period:
    first = dt.date(year, mon, 1)
    nxt = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return Period(f"{year:04d}-{mon:02d}", f"{first:%b %Y}", first, nxt - dt.timedelta(days=1), tz)


def iso_week(day: dt.date, tz: str) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    y, w, _ = monday.isocalendar()
    return Period(
        f"{y:04d}-W{w:02d}",
        f"week {w} of {y} ({monday:%d %b})",
        monday,
        monday + dt.timedelta(days=6),
        tz,
    )


def rounds(con: duckdb.DuckDBPyConnection, tz: str, only: str | None = None) -> list[Period]:
    """The registry's rounds (all, or the one named), in date order; PeriodError if unknown."""
    rows = con.execute(
        "SELECT round_id, name, starts_on, ends_on FROM rounds ORDER BY starts_on, round_id"
    ).fetchall()
    if only is not None:
        rows = [r for r in rows if r[0] == only]
        if not rows:
            known = [
                r[0]
                for r in con.execute("SELECT round_id FROM rounds ORDER BY starts_on").fetchall()
            ]
            raise PeriodError(
                f"no round {only!r} (rounds: {', '.join(known) or 'none registered'})"
            )
    return [Period(f"round:{r[0]}", str(r[1]), r[2], r[3], tz) for r in rows]


def data_as_of(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The data's as-of time: the latest snapshot (account or post), else the latest finished run."""
    t = con.execute(
        "SELECT greatest((SELECT max(snapshot_at) FROM account_snapshots),"
        " (SELECT max(snapshot_at) FROM post_snapshots))"
    ).fetchone()[0]
    if t is None:
        t = con.execute(
            "SELECT max(finished_at) FROM runs WHERE finished_at IS NOT NULL"
        ).fetchone()[0]
    return t.astimezone(UTC) if t is not None else None


def data_first_day(con: duckdb.DuckDBPyConnection, tz: str) -> dt.date | None:
    """The local day of the earliest post or comment stored."""
    t = con.execute(
        "SELECT least((SELECT min(created_at) FROM posts), (SELECT min(created_at) FROM comments))"
    ).fetchone()[0]
    return t.astimezone(zoneinfo.ZoneInfo(tz)).date() if t is not None else None


def _clip(p: Period, first: dt.date, last: dt.date) -> Period | None:
    a, b = max(p.first_day, first), min(p.last_day, last)
    if b < a:
        return None
    if (a, b) == (p.first_day, p.last_day):
        return p
    return Period(p.key, p.label, a, b, p.timezone)


def parse(
    con: duckdb.DuckDBPyConnection, spec: str | None, tz: str, round_id: str | None = None
) -> list[Period]:
    """Periods for `--period week|month|round|YYYY-MM-DD:YYYY-MM-DD` and `--round R`.

    week/month: every week or month from the first stored post or comment to the data's as-of
    day, or within the round when one is given (clipped to it). round: every round, or the
    one given. No --period: the round given, else every round, else every month.
    """
    spec = (spec or "").strip().lower() or None
    if spec is None:
        spec = (
            "round"
            if round_id or con.execute("SELECT count(*) FROM rounds").fetchone()[0]
            else "month"
        )
    if spec == "round":
        return rounds(con, tz, round_id)
    m = _RANGE_RE.match(spec)
    if m:
        try:
            first, last = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError as exc:
            raise PeriodError(f"{spec}: {exc}") from None
        p = date_range(first, last, tz)
        if round_id:
            r = rounds(con, tz, round_id)[0]
            clipped = _clip(p, r.first_day, r.last_day)
            return [clipped] if clipped else []
        return [p]
    if spec not in ("week", "month"):
        raise PeriodError(f"{spec!r}: the period is week, month, round or YYYY-MM-DD:YYYY-MM-DD")
    if round_id:
        r = rounds(con, tz, round_id)[0]
        first, last = r.first_day, r.last_day
    else:
        first = data_first_day(con, tz)
        as_of = data_as_of(con)
        if first is None or as_of is None:
            return []
        last = max(as_of.astimezone(zoneinfo.ZoneInfo(tz)).date(), first)
    out: list[Period] = []
    if spec == "month":
        y, mo = first.year, first.month
        while dt.date(y, mo, 1) <= last:
            p = _clip(month(y, mo, tz), first, last) if round_id else month(y, mo, tz)
            if p:
                out.append(p)
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    else:
        day = first - dt.timedelta(days=first.weekday())
        while day <= last:
            p = _clip(iso_week(day, tz), first, last) if round_id else iso_week(day, tz)
            if p:
                out.append(p)
            day += dt.timedelta(days=7)
    return out


def from_key(con: duckdb.DuckDBPyConnection, key: str, tz: str) -> Period:
    """The one period a key names: 'round:R', '2026-05', '2026-W19' or '2026-05-01:2026-06-30'."""
    key = key.strip()
    if key.startswith("round:"):
        return rounds(con, tz, key.removeprefix("round:"))[0]
    m = re.fullmatch(r"(\d{4})-(\d{2})", key)
    if m and 1 <= int(m.group(2)) <= 12:
        return month(int(m.group(1)), int(m.group(2)), tz)
    m = re.fullmatch(r"(\d{4})-W(\d{2})", key)
    if m:
        try:
            return iso_week(dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1), tz)
        except ValueError:
            raise PeriodError(f"{key}: no such ISO week") from None
    m = _RANGE_RE.match(key)
    if m:
        try:
            return date_range(
                dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2)), tz
            )
        except ValueError as exc:
            raise PeriodError(f"{key}: {exc}") from None
    raise PeriodError(
        f"{key!r}: a period is round:ROUND, YYYY-MM, YYYY-Www or YYYY-MM-DD:YYYY-MM-DD"
    )


def default_continuum_period(con: duckdb.DuckDBPyConnection, tz: str) -> Period | None:
    """The latest round begun by the data's as-of day; without rounds, all the data's days."""
    as_of = data_as_of(con)
    today = as_of.astimezone(zoneinfo.ZoneInfo(tz)).date() if as_of else None
    rs = rounds(con, tz)
    begun = [r for r in rs if today is None or r.first_day <= today]
    if begun:
        return begun[-1]
    if rs:
        return rs[0]
    first = data_first_day(con, tz)
    if first is None or today is None:
        return None
    return date_range(first, max(today, first), tz)
