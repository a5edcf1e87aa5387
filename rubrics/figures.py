"""Collected figures shown beside the rubric criteria they inform (docs/rubric.md).

Simple figures read straight from the core tables (account_snapshots, posts, comments) for
one institution and one round's window, so a rater sees the evidence while scoring. The
metric definitions proper live in metrics/ (docs/metrics); these follow the same words.
A figure that cannot be computed is None with the reason, never 0.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import duckdb

# key → (label, definition). Criteria name the keys they show in their `figures` list.
FIGURES: dict[str, tuple[str, str]] = {
    "followers": (
        "followers (latest)",
        (
            "sum over the institution's accounts of the latest follower count collected up to "
            "the round's end; accounts whose platform gives none are left out"
        ),
    ),
    "active_channels": (
        "active channels",
        "accounts with at least one original post in the round, of the accounts registered",
    ),
    "posts_per_day": (
        "posts per day",
        (
            "original posts (not replies or reposts) in the round divided by the days of the "
            "round that have passed"
        ),
    ),
    "form_mix": (
        "content forms",
        "share of the round's original posts by form (text, photo, video, link, poll, ...)",
    ),
    "link_share": (
        "posts with links",
        "share of the round's original posts carrying at least one outbound link",
    ),
    "citizen_comments": (
        "citizens' comments",
        "comments by citizens (not by the institution) under its posts in the round",
    ),
    "response_rate": (
        "response rate",
        "share of the round's citizen comments that got a direct reply from the institution",
    ),
    "response_latency": (
        "response time (median, p90)",
        (
            "hours from a citizen comment to the institution's first direct reply, over the "
            "answered comments of the round"
        ),
    ),
    "seoul_3h": (
        "answered within 3 hours",
        (
            "share of answered citizen comments answered within 3 hours (Seoul's tier for simple "
            "requests, seed 003)"
        ),
    ),
    "polls": ("polls", "original posts in the round with a poll"),
    "post_languages": (
        "post languages",
        "languages declared by the platform for the round's original posts",
    ),
}

FIGURES_SQL = """
WITH acc AS (SELECT account_id FROM accounts WHERE institution_id = $1),
win AS (SELECT $2::TIMESTAMPTZ AS t0, $3::TIMESTAMPTZ AS t1),
latest AS (
    SELECT s.account_id, s.followers,
           row_number() OVER (PARTITION BY s.account_id ORDER BY s.snapshot_at DESC) AS rn
    FROM account_snapshots s JOIN acc USING (account_id), win
    WHERE s.followers IS NOT NULL AND s.snapshot_at < win.t1
),
p AS (
    SELECT p.* FROM posts p JOIN acc USING (account_id), win
    WHERE p.kind = 'post' AND p.created_at >= win.t0 AND p.created_at < win.t1
),
cit AS (
    SELECT c.platform, c.comment_id, c.created_at FROM comments c JOIN acc USING (account_id), win
    WHERE NOT c.by_institution AND c.created_at >= win.t0 AND c.created_at < win.t1
),
rep AS (
    SELECT r.platform, r.parent_id, min(r.created_at) AS first_reply
    FROM comments r JOIN acc USING (account_id) WHERE r.by_institution GROUP BY ALL
),
ans AS (
    SELECT cit.*, epoch(rep.first_reply - cit.created_at) / 3600.0 AS hours
    FROM cit LEFT JOIN rep ON rep.platform = cit.platform AND rep.parent_id = cit.comment_id
)
SELECT
    (SELECT count(*) FROM acc) AS accounts,
    (SELECT sum(followers) FROM latest WHERE rn = 1) AS followers,
    (SELECT count(DISTINCT account_id) FROM p) AS active_accounts,
    (SELECT string_agg(DISTINCT a.platform, ', ' ORDER BY a.platform)
       FROM p JOIN accounts a USING (account_id)) AS active_platforms,
    (SELECT count(*) FROM p) AS posts,
    (SELECT count(*) FILTER (WHERE len(coalesce(links, [])) > 0) FROM p) AS posts_with_links,
    (SELECT count(*) FILTER (WHERE has_poll OR form = 'poll') FROM p) AS polls,
    (SELECT string_agg(form || ' ' || n, ', ' ORDER BY n DESC, form)
       FROM (SELECT form, count(*) AS n FROM p GROUP BY form)) AS form_counts,
    (SELECT string_agg(coalesce(lang, 'undeclared') || ' ' || n, ', ' ORDER BY n DESC, lang)
       FROM (SELECT lang, count(*) AS n FROM p GROUP BY lang)) AS lang_counts,
    (SELECT count(*) FROM ans) AS citizen_comments,
    (SELECT count(hours) FROM ans) AS answered,
    (SELECT quantile_cont(hours, 0.5) FROM ans) AS latency_median_h,
    (SELECT quantile_cont(hours, 0.9) FROM ans) AS latency_p90_h,
    (SELECT count(*) FILTER (WHERE hours <= 3) FROM ans) AS answered_3h
"""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str | None  # formatted for display; None: n/a
    reason: str | None = None  # why n/a
    definition: str = ""

    @property
    def shown(self) -> str:
        return self.value if self.value is not None else f"n/a ({self.reason})"


def window(
    starts_on: dt.date, ends_on: dt.date, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime, float]:
    """[start, end) of a round in UTC, and the days of it that have passed (for rates)."""
    t0 = dt.datetime.combine(starts_on, dt.time(), dt.UTC)
    t1 = dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time(), dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    days = (min(t1, max(now, t0)) - t0).total_seconds() / 86400
    return t0, t1, days


def query_params(institution_id: str, t0: dt.datetime, t1: dt.datetime) -> list[Any]:
    """Parameters of FIGURES_SQL, in order."""
    return [institution_id, t0, t1]


def institution_row(
    con: duckdb.DuckDBPyConnection, institution_id: str, t0: dt.datetime, t1: dt.datetime
) -> dict[str, Any]:
    """The raw figures of one institution in [t0, t1) as a dict (see FIGURES_SQL)."""
    cur = con.execute(FIGURES_SQL, query_params(institution_id, t0, t1))
    cols = [d[0] for d in cur.description]
    return dict(zip(cols, cur.fetchone(), strict=True))


def _is_missing(v: Any) -> bool:
    if isinstance(v, float):
        return math.isnan(v)
    return str(v) in ("<NA>", "NaT", "nan")


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}% ({n} of {d})"


def figures_from_row(row: dict[str, Any], days: float) -> dict[str, Figure]:
    """Formatted figures by key from a FIGURES_SQL row; n/a with the reason where needed."""
    out: dict[str, Figure] = {}
    # Rows that went through pandas carry NaN/NA for NULL.
    row = {k: (None if v is None or _is_missing(v) else v) for k, v in row.items()}

    def put(key: str, value: str | None, reason: str | None = None) -> None:
        label, definition = FIGURES[key]
        out[key] = Figure(key, label, value, reason if value is None else None, definition)

    accounts = int(row.get("accounts") or 0)
    posts = int(row.get("posts") or 0)
    no_posts = "no original posts collected in this round"
    if accounts == 0:
        for key in FIGURES:
            put(key, None, "no accounts registered for this institution")
        return out
    f = row.get("followers")
    put(
        "followers",
        f"{int(f):,}" if f is not None else None,
        "no follower count collected (or the platforms give none)",
    )
    active = int(row.get("active_accounts") or 0)
    put(
        "active_channels",
        f"{active} of {accounts} accounts" + (f" ({row['active_platforms']})" if active else ""),
    )
    if days <= 0:
        put("posts_per_day", None, "the round has not started")
    else:
        put("posts_per_day", f"{posts / days:.2f} ({posts} posts in {days:.0f} days)")
    put("form_mix", row.get("form_counts") if posts else None, no_posts)
    put(
        "link_share",
        _pct(int(row.get("posts_with_links") or 0), posts) if posts else None,
        no_posts,
    )
    put("polls", str(int(row.get("polls") or 0)) if posts else None, no_posts)
    put("post_languages", row.get("lang_counts") if posts else None, no_posts)
    cit = int(row.get("citizen_comments") or 0)
    answered = int(row.get("answered") or 0)
    put("citizen_comments", str(cit))
    no_cit = "no citizen comments collected in this round"
    put("response_rate", _pct(answered, cit) if cit else None, no_cit)
    if answered:
        put(
            "response_latency",
            f"{row['latency_median_h']:.1f} h median, {row['latency_p90_h']:.1f} h p90",
        )
        put("seoul_3h", _pct(int(row.get("answered_3h") or 0), answered))
    else:
        reason = no_cit if not cit else "no citizen comment was answered"
        put("response_latency", None, reason)
        put("seoul_3h", None, reason)
    return out
