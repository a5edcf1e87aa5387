"""What the comments page and `closer topics` show: SQL over comment_analysis.

All figures are about citizen comments (institution replies are not analysed) whose
`created_at` falls in the period [start, end). Topic and sentiment figures count each copy
group once (`dup_first`: campaigns and re-shares do not outvote individual voices);
question and hate figures count every comment. Definitions: docs/analysis.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

UTC = dt.UTC

# Citizen comments with their institution, analysis and period.
_BASE = """
SELECT ca.*, c.created_at, c.parent_id, a.institution_id
FROM comment_analysis ca
JOIN comments c USING (platform, comment_id)
JOIN accounts a ON a.account_id = c.account_id
"""

# Per month: comments counted once per copy group, by sentiment label; unscored = NULL.
SENTIMENT_BY_MONTH_SQL = f"""
WITH base AS ({_BASE})
SELECT date_trunc('month', created_at AT TIME ZONE 'UTC') AS month,
       count(*) AS comments,
       count(*) FILTER (WHERE sentiment_label = 'positive') AS positive,
       count(*) FILTER (WHERE sentiment_label = 'neutral') AS neutral,
       count(*) FILTER (WHERE sentiment_label = 'negative') AS negative,
       count(*) FILTER (WHERE sentiment IS NULL) AS unscored,
       avg(sentiment) AS mean_sentiment
FROM base
WHERE institution_id = $1 AND dup_first
  AND created_at >= $2 AND created_at < $3
GROUP BY ALL ORDER BY month
"""

# Per topic: comments (once per copy group) in the period and in the period just before
# of the same length.
TOPICS_SQL = f"""
WITH base AS ({_BASE}), topical AS (
    SELECT unnest(topics) AS topic, created_at FROM base
    WHERE institution_id = $1 AND dup_first AND topics IS NOT NULL
)
SELECT topic,
       count(*) FILTER (WHERE created_at >= $2 AND created_at < $3) AS comments,
       count(*) FILTER (WHERE created_at >= $2 - ($3 - $2) AND created_at < $2)
         AS previous
FROM topical GROUP BY topic
HAVING comments > 0 OR previous > 0
ORDER BY comments DESC, topic
"""

# Answered = an institution comment later in the same branch: one whose ancestor chain
# (comments.parent_id, upwards) includes the question.
ANSWERED_CTE = """
WITH RECURSIVE chain(platform, reply_at, ancestor_id, depth) AS (
    SELECT platform, created_at, parent_id, 1 FROM comments
    WHERE by_institution AND parent_id IS NOT NULL
    UNION ALL
    SELECT ch.platform, ch.reply_at, p.parent_id, ch.depth + 1
    FROM chain ch JOIN comments p ON p.platform = ch.platform AND p.comment_id = ch.ancestor_id
    WHERE p.parent_id IS NOT NULL AND ch.depth < 200
), answered AS (
    SELECT DISTINCT q.platform, q.comment_id
    FROM comments q JOIN chain ch ON ch.platform = q.platform AND ch.ancestor_id = q.comment_id
    WHERE NOT q.by_institution AND ch.reply_at > q.created_at
)"""

QUESTIONS_SQL = f"""
{ANSWERED_CTE}, base AS ({_BASE})
SELECT count(*) FILTER (WHERE b.is_question) AS questions,
       count(*) FILTER (WHERE b.is_question AND an.comment_id IS NOT NULL) AS answered,
       count(*) AS comments
FROM base b LEFT JOIN answered an USING (platform, comment_id)
WHERE b.institution_id = $1 AND b.created_at >= $2 AND b.created_at < $3
"""

# Hate/abuse flags per category; `assessed` = comments in a language with a lexicon.
HATE_SQL = f"""
WITH base AS ({_BASE}), period AS (
    SELECT * FROM base
    WHERE institution_id = $1 AND created_at >= $2 AND created_at < $3
)
SELECT category, count(*) AS comments,
       (SELECT count(*) FROM period WHERE hate IS NOT NULL) AS assessed,
       (SELECT count(*) FROM period WHERE hate) AS flagged
FROM (SELECT unnest(hate_categories) AS category FROM period WHERE hate)
GROUP BY category ORDER BY comments DESC, category
"""
HATE_TOTALS_SQL = f"""
WITH base AS ({_BASE})
SELECT count(*) FILTER (WHERE hate IS NOT NULL) AS assessed,
       count(*) FILTER (WHERE hate) AS flagged, count(*) AS comments
FROM base
WHERE institution_id = $1 AND created_at >= $2 AND created_at < $3
"""

# One row per institution for the facilitator's comparison.
COMPARISON_SQL = f"""
{ANSWERED_CTE}, base AS ({_BASE}), period AS (
    SELECT b.*, an.comment_id IS NOT NULL AS was_answered
    FROM base b LEFT JOIN answered an USING (platform, comment_id)
    WHERE b.created_at >= $1 AND b.created_at < $2
), topic_rank AS (
    SELECT institution_id, topic,
           row_number() OVER (PARTITION BY institution_id ORDER BY count(*) DESC, topic) AS rn
    FROM (SELECT institution_id, unnest(topics) AS topic FROM period WHERE dup_first)
    GROUP BY institution_id, topic
), top_topics AS (
    SELECT institution_id, string_agg(topic, ', ' ORDER BY rn) AS top_topics
    FROM topic_rank WHERE rn <= 3 GROUP BY institution_id
)
SELECT i.institution_id, i.name, i.region,
       count(p.comment_id) AS comments,
       count(p.comment_id) FILTER (WHERE p.dup_first) AS distinct_comments,
       count(p.comment_id) FILTER (WHERE p.dup_first AND p.sentiment IS NOT NULL) AS scored,
       count(p.comment_id) FILTER (WHERE p.dup_first AND p.sentiment_label = 'positive')
         AS positive,
       count(p.comment_id) FILTER (WHERE p.dup_first AND p.sentiment_label = 'negative')
         AS negative,
       count(p.comment_id) FILTER (WHERE p.is_question) AS questions,
       count(p.comment_id) FILTER (WHERE p.is_question AND p.was_answered) AS answered,
       count(p.comment_id) FILTER (WHERE p.hate IS NOT NULL) AS hate_assessed,
       count(p.comment_id) FILTER (WHERE p.hate) AS hate_flagged,
       any_value(tt.top_topics) AS top_topics
FROM institutions i
LEFT JOIN period p ON p.institution_id = i.institution_id
LEFT JOIN top_topics tt ON tt.institution_id = i.institution_id
GROUP BY i.institution_id, i.name, i.region
ORDER BY i.region, i.institution_id
"""


@dataclass(frozen=True)
class Period:
    start: dt.datetime  # inclusive, UTC
    end: dt.datetime  # exclusive, UTC
    label: str


class PeriodError(ValueError):
    """A period that cannot be read."""


ALL_TIME = Period(
    dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(9999, 1, 1, tzinfo=UTC), "all time"
)


def _day(text: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=UTC)


def parse_period(text: str, rounds: dict[str, tuple[dt.date, dt.date]] | None = None) -> Period:
    """'all', 'YYYY', 'YYYY-MM', 'YYYY-MM-DD..YYYY-MM-DD' (end day included) or a round id."""
    text = text.strip()
    if text in ("", "all"):
        return ALL_TIME
    if rounds and text in rounds:
        starts, ends = rounds[text]  # dates (or pandas Timestamps from the app)
        first = dt.datetime(starts.year, starts.month, starts.day, tzinfo=UTC)
        last = dt.datetime(ends.year, ends.month, ends.day, tzinfo=UTC)
        return Period(first, last + dt.timedelta(days=1), f"round {text}")
    if re.fullmatch(r"\d{4}", text):
        y = int(text)
        return Period(dt.datetime(y, 1, 1, tzinfo=UTC), dt.datetime(y + 1, 1, 1, tzinfo=UTC), text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        y, m = map(int, text.split("-"))
        if not 1 <= m <= 12:
            raise PeriodError(f"period {text!r}: month must be 01-12")
        end = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=UTC)
        return Period(dt.datetime(y, m, 1, tzinfo=UTC), end, text)
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text)
    if m:
        try:
            start, last = _day(m.group(1)), _day(m.group(2))
        except ValueError as exc:
            raise PeriodError(f"period {text!r}: {exc}") from None
        if last < start:
            raise PeriodError(f"period {text!r}: ends before it starts")
        return Period(start, last + dt.timedelta(days=1), text)
    known = f"; rounds: {', '.join(sorted(rounds))}" if rounds else ""
    raise PeriodError(
        f"period {text!r}: expected all, YYYY, YYYY-MM, YYYY-MM-DD..YYYY-MM-DD or a round id{known}"
    )


def rounds(con) -> dict[str, tuple[dt.date, dt.date]]:
    """Monitoring rounds: round_id → (starts_on, ends_on)."""
    rows = con.execute("SELECT round_id, starts_on, ends_on FROM rounds").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def period_params(institution_id: str, period: Period) -> tuple:
    """Parameters ($1 institution, $2 start, $3 end) of the per-institution SQL above;
    COMPARISON_SQL takes ($1 start, $2 end)."""
    return (institution_id, period.start, period.end)
