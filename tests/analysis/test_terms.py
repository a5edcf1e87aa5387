"""Distinctive terms: weighted log-odds with an informative Dirichlet prior, by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from closer import db
from closer.analysis import terms
from tests.analysis.conftest import T0, add_comments

# institution → [(comment_id, terms, dup_first)]
TERMS = {
    "A": [
        ("a1", ["autobuz", "drum"], True),
        ("a2", ["autobuz"], True),
        ("a3", ["autobuz", "parc"], True),
        ("a4", ["drum"], True),
        ("a5", ["parc", "parc2"], False),
    ],  # a5: a later copy, not counted
    "B": [
        ("b1", ["drum", "parc"], True),
        ("b2", ["parc"], True),
        ("b3", ["parc"], True),
        ("b4", ["drum", "școală"], True),
    ],
}
START, END = T0, T0 + dt.timedelta(days=1)


@pytest.fixture
def terms_db(registry_db):
    with db.connect(registry_db) as con:
        for inst, rows in TERMS.items():
            add_comments(
                con,
                f"mastodon:{inst.lower()}",
                [{"comment_id": c, "text": "x", "minutes": i} for i, (c, _, _) in enumerate(rows)],
            )
            for c, words, first in rows:
                con.execute(
                    "INSERT INTO comment_analysis (platform, comment_id, analyser_version,"
                    " text_hash, lang,"
                    " topics, terms, dup_count, dup_first, analysed_at)"
                    " VALUES ('mastodon', ?, 'test', 0, 'ro', [], ?, 1, ?, now())",
                    [c, words, first],
                )
    return registry_db


def z(y_i, y_j, n_i, n_j, y, n, alpha0):
    a = alpha0 * y / n
    delta = math.log((y_i + a) / (n_i + alpha0 - y_i - a)) - math.log(
        (y_j + a) / (n_j + alpha0 - y_j - a)
    )
    return delta / math.sqrt(1 / (y_i + a) + 1 / (y_j + a))


def test_log_odds_by_hand(terms_db):
    # A: autobuz 3, drum 2, parc 1 (n 6); B: drum 2, parc 3, școală 1 (n 6); all: 12 uses.
    # α0 = 12 → α autobuz 3, drum 4, parc 4.
    # autobuz: δ = ln(6/12) − ln(3/15) = ln 2.5 = 0.9163; σ² = 1/6 + 1/3 → z = 1.2958
    # drum: δ = 0 (same counts) → not listed; parc: δ < 0 for A → not listed.
    with db.connect(terms_db, read_only=True) as con:
        got = terms.distinctive_terms(con, "A", START, END, min_count=1, alpha0=12)
        assert got.comparable and got.reason is None
        assert [(t.term, t.comments, t.other_comments) for t in got.terms] == [("autobuz", 3, 0)]
        assert (
            got.terms[0].z
            == pytest.approx(math.log(2.5) / math.sqrt(0.5))
            == pytest.approx(1.29584, abs=1e-5)
        )
        assert got.terms[0].z == pytest.approx(z(3, 0, 6, 6, 3, 12, 12))
        # B: parc δ = ln(7/11) − ln(5/13) = 0.5035, σ² = 1/7 + 1/5 → z = 0.8599;
        # școală (α 1): δ = ln(2/16) − ln(1/17) = ln(17/8), σ² = 1/2 + 1/1 → z = 0.6155
        got = terms.distinctive_terms(con, "B", START, END, min_count=1, alpha0=12)
        assert [(t.term, t.comments, t.other_comments) for t in got.terms] == [
            ("parc", 3, 1),
            ("școală", 1, 0),
        ]
        assert got.terms[0].z == pytest.approx(0.85993, abs=1e-5)
        assert (
            got.terms[1].z
            == pytest.approx(math.log(17 / 8) / math.sqrt(1.5))
            == pytest.approx(0.61546, abs=1e-5)
        )


def test_default_minimum_count(terms_db):
    with db.connect(terms_db, read_only=True) as con:
        got = terms.distinctive_terms(con, "A", START, END)
    assert [t.term for t in got.terms] == ["autobuz"]  # the only term A uses in 3+ comments
    assert got.terms[0].z == pytest.approx(z(3, 0, 6, 6, 3, 12, terms.ALPHA0))


def test_nothing_to_compare_says_why(terms_db):
    with db.connect(terms_db, read_only=True) as con:
        later = terms.distinctive_terms(con, "A", END, END + dt.timedelta(days=1))
        assert (later.terms, later.comparable) == ([], False)
        assert later.reason == "no analysed comments with terms for this institution in the period"
        con.execute("SELECT 1")
    with db.connect(terms_db) as con:
        con.execute("DELETE FROM comment_analysis WHERE comment_id LIKE 'b%'")
        alone = terms.distinctive_terms(con, "A", START, END)
    assert (
        alone.reason == "no other institution has analysed comments in the period to compare with"
    )
