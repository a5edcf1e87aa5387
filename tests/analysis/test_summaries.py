"""The page's figures (closer/analysis/summaries.py) on a small thread, counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from closer import db
from closer.analysis import summaries
from tests.analysis.conftest import add_comments

MAY = dt.datetime(2024, 5, 10, tzinfo=dt.UTC)
JUNE = dt.datetime(2024, 6, 10, tzinfo=dt.UTC)


def minutes(t: dt.datetime) -> int:
    return int((t - dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)).total_seconds() // 60)


# comment_id, when, parent, by_institution, analysis (lang, sentiment, label, topics, question,
# hate, categories, dup_first) — None for institution replies (they get no analysis row)
ROWS = [
    ("q1", MAY, "p1", False, ("ro", 0.0, "neutral", ["roads"], True, False, [], True)),
    ("r1", MAY + dt.timedelta(hours=1), "q1", True, None),
    (
        "q2",
        MAY + dt.timedelta(minutes=1),
        "p1",
        False,
        ("ro", -0.5, "negative", ["roads", "water"], True, False, [], True),
    ),
    (
        "c3",
        MAY + dt.timedelta(minutes=2),
        "q2",
        False,
        ("ro", 0.6, "positive", [], False, False, [], True),
    ),
    ("r2", MAY + dt.timedelta(hours=2), "c3", True, None),  # answers q2 deeper in its branch
    (
        "q3",
        MAY + dt.timedelta(minutes=3),
        "p1",
        False,
        ("hu", None, None, None, True, None, None, True),
    ),
    ("r3", MAY + dt.timedelta(hours=3), "p1", True, None),  # another branch: does not answer q3
    (
        "q4",
        MAY + dt.timedelta(hours=4),
        "r1",
        False,
        ("en", 0.7, "positive", [], True, False, [], True),
    ),
    (
        "s5",
        MAY + dt.timedelta(hours=5),
        "p1",
        False,
        ("ro", 0.7, "positive", ["roads"], False, False, [], False),
    ),  # a copy
    ("h1", JUNE, "p1", False, ("ro", -0.6, "negative", ["waste"], False, True, ["insult"], True)),
    (
        "h2",
        JUNE + dt.timedelta(minutes=1),
        "p1",
        False,
        ("ro", -0.9, "negative", ["waste", "roads"], False, True, ["insult", "threat"], True),
    ),
    (
        "j3",
        JUNE + dt.timedelta(minutes=2),
        "p1",
        False,
        ("und", None, None, [], False, False, [], True),
    ),
]


@pytest.fixture
def thread_db(registry_db):
    with db.connect(registry_db) as con:
        add_comments(
            con,
            "mastodon:a",
            [
                {
                    "comment_id": c,
                    "text": "…",
                    "minutes": minutes(t),
                    "parent_id": parent,
                    "by_institution": inst,
                }
                for c, t, parent, inst, _ in ROWS
            ],
        )
        for c, _, _, _, a in ROWS:
            if a is None:
                continue
            lang, s, label, topics, q, hate, cats, first = a
            con.execute(
                "INSERT INTO comment_analysis (platform, comment_id, analyser_version,"
                " text_hash, lang,"
                " sentiment, sentiment_label, topics, is_question, hate, hate_categories, terms,"
                " dup_count, dup_first, analysed_at)"
                " VALUES ('mastodon', ?, 'test', 0, ?, ?, ?, ?, ?, ?, ?, [], 1, ?, now())",
                [c, lang, s, label, topics, q, hate, cats, first],
            )
    return registry_db


def query(db_path, sql, params):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql, params).fetchall()


MAY_P = summaries.parse_period("2024-05")
JUNE_P = summaries.parse_period("2024-06")


def test_questions_answered_down_the_branch(thread_db):
    # q1: the reply r1 is its child; q2: r2 replies to c3, a reply to q2; q3: r3 is in
    # another branch; q4 replies to r1 and nobody answered it. Institution replies: no row.
    assert query(thread_db, summaries.QUESTIONS_SQL, summaries.period_params("A", MAY_P)) == [
        (4, 2, 6)
    ]


def test_sentiment_shares_count_copies_once_and_show_unscored(thread_db):
    rows = query(
        thread_db,
        summaries.SENTIMENT_BY_MONTH_SQL,
        summaries.period_params("A", summaries.ALL_TIME),
    )
    (may, n, pos, neu, neg, unscored, mean), (june, *rest) = rows
    assert (may.month, n, pos, neu, neg, unscored) == (
        5,
        5,
        2,
        1,
        1,
        1,
    )  # s5 is a copy: not counted
    assert mean == pytest.approx((0.0 - 0.5 + 0.6 + 0.7) / 4)  # unscored rows are not zeros
    assert (june.month, rest[:5]) == (6, [3, 0, 0, 2, 1])


def test_topics_with_the_period_before(thread_db):
    # June against the 30 days before it (2 May – 31 May): roads 2 → 1, water 1 → 0, waste 0 → 2
    rows = query(thread_db, summaries.TOPICS_SQL, summaries.period_params("A", JUNE_P))
    assert rows == [("waste", 2, 0), ("roads", 1, 2), ("water", 0, 1)]


def test_hate_counts_by_category_of_assessed_comments(thread_db):
    params = summaries.period_params("A", summaries.ALL_TIME)
    assert query(thread_db, summaries.HATE_SQL, params) == [
        ("insult", 2, 8, 2),
        ("threat", 1, 8, 2),
    ]
    assert query(thread_db, summaries.HATE_TOTALS_SQL, params) == [
        (8, 2, 9)
    ]  # q3 (hu): not assessed


def test_comparison_of_institutions(thread_db):
    rows = query(
        thread_db, summaries.COMPARISON_SQL, (summaries.ALL_TIME.start, summaries.ALL_TIME.end)
    )
    assert rows == [
        ("A", "Primăria A", "Județul A", 9, 8, 6, 2, 3, 4, 2, 8, 2, "roads, waste, water"),
        ("B", "Primăria B", "Județul B", 0, 0, 0, 0, 0, 0, 0, 0, 0, None),
    ]


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2024", "2024-01-01", "2025-01-01"),
        ("2024-12", "2024-12-01", "2025-01-01"),
        ("2024-05-03..2024-05-04", "2024-05-03", "2024-05-05"),
        ("baseline", "2024-03-01", "2024-04-01"),
    ],
)
def test_periods(text, start, end):
    p = summaries.parse_period(text, {"baseline": (dt.date(2024, 3, 1), dt.date(2024, 3, 31))})
    assert (p.start.date().isoformat(), p.end.date().isoformat()) == (start, end)


@pytest.mark.parametrize(
    "text, message",
    [
        ("2024-13", "month must be 01-12"),
        ("2024-05-04..2024-05-01", "ends before it starts"),
        ("last week", "expected all, YYYY"),
        ("2024-02-30..2024-03-01", "day is out of range"),
    ],
)
def test_bad_period_says_why(text, message):
    with pytest.raises(summaries.PeriodError, match=message):
        summaries.parse_period(text)
