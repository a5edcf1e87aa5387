"""ui.dashboard, the data of the facilitator's pages: the shaping functions on small tables
computed by hand, build() on the metrics tests' small world, and a few demo figures checked
against SQL written here independently of the modules that compute them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from closer import db
from tests.metrics.conftest import World, three_levels
from ui import dashboard as dsh

# --- shaping functions on hand-made tables ------------------------------------------------


def test_format_value_shows_units_and_na():
    assert dsh.format_value("share", 0.5567) == "56%"
    assert dsh.format_value("count", 1586.0) == "1,586"
    assert dsh.format_value("hours", 3.96) == "4.0 h"
    assert dsh.format_value("rung", 3.0) == "rung 3"
    assert dsh.format_value("gap", 0.8021) == "+0.80"
    assert dsh.format_value("decimal", 0.983607) == "0.98"
    for missing in (None, float("nan"), pd.NA):
        assert dsh.format_value("share", missing) == "n/a"


def test_rank_puts_na_last_and_shares_ties():
    df = pd.DataFrame({"institution_id": ["a", "b", "c", "d"], "x": [0.2, None, 0.5, 0.2]})
    best_high = dsh.rank(df, "x", descending=True)
    assert list(best_high["institution_id"]) == ["c", "a", "d", "b"]
    assert best_high["rank"].tolist()[:3] == [1, 2, 2]
    assert pd.isna(best_high["rank"].iloc[3])  # n/a is not ranked, never counted as 0
    best_low = dsh.rank(df, "x", descending=False)
    assert list(best_low["institution_id"]) == ["a", "d", "c", "b"]


def test_rank_by_continuum_level_uses_the_levels_order():
    df = pd.DataFrame(
        {
            "institution_id": ["a", "b", "c"],
            "continuum_overall": ["moderate", "elaborate", "modest"],
        }
    )
    assert list(dsh.rank(df, "continuum_overall")["institution_id"]) == ["b", "a", "c"]


def test_peer_band_median_and_quartiles_skip_na():
    # values 1, 2, 4, 10 (n/a left out): linear quartiles at positions 0.75, 1.5, 2.25
    band = dsh.peer_band(pd.Series([4.0, None, 1.0, 10.0, 2.0]))
    assert band == {"q1": 1.75, "median": 3.0, "q3": 5.5, "n": 4}
    assert dsh.peer_band(pd.Series([None, None])) == {
        "q1": None,
        "median": None,
        "q3": None,
        "n": 0,
    }


def test_anonymous_labels_are_stable_letters_not_in_id_order():
    ids = ["AR-CJ", "AR-PREF", "AR-PRIM", "AR-SVC"]
    a = dsh.anonymous_labels(ids)
    assert sorted(a.values()) == [f"Institution {x}" for x in "ABCD"]
    assert dsh.anonymous_labels(list(reversed(ids))) == a  # the same set, the same letters
    assert [a[i] for i in ids] != [f"Institution {x}" for x in "ABCD"]  # not the ids' order
    many = dsh.anonymous_labels([f"I{n:02d}" for n in range(28)])
    assert {"Institution Z", "Institution A2", "Institution B2"} <= set(many.values())


def test_latency_bands_end_at_the_tier_limits():
    edges = dsh.latency_band_edges([3, 72, 120])
    assert edges == [1.0, 3.0, 12.0, 24.0, 72.0, 120.0]
    assert dsh.latency_band_labels(edges) == [
        "< 1 h",
        "1 h – 3 h",
        "3 h – 12 h",
        "12 h – 1 day",
        "1 day – 3 days",
        "3 days – 5 days",
        "≥ 5 days",
    ]


def _crit(rows):
    return pd.DataFrame(rows, columns=dsh.RUBRIC_COLUMNS)


def test_rubric_summary_means_over_criteria_rated_from_both_sides():
    # I1: c1 insider 3.0 / outsider 1.0 (gap 2), c2 insider 2.0 / outsider 2.5 (gap -0.5),
    # c3 outsider only (no gap: left out of both means). I2: insiders only.
    crit = _crit(
        [
            ("r1", "I1", "s", "c1", "C1", "insider", 3.0, 3.0, 2, 2.0),
            ("r1", "I1", "s", "c1", "C1", "outsider", 1.0, 1.0, 3, 2.0),
            ("r1", "I1", "s", "c2", "C2", "insider", 2.0, 2.0, 2, -0.5),
            ("r1", "I1", "s", "c2", "C2", "outsider", 2.5, 2.5, 2, -0.5),
            ("r1", "I1", "s", "c3", "C3", "outsider", 4.0, 4.0, 3, None),
            ("r1", "I2", "s", "c1", "C1", "insider", 1.0, 1.0, 1, None),
        ]
    )
    s = dsh.rubric_summary(crit).set_index("institution_id")
    assert s.loc["I1", "rubric_insider_mean"] == 2.5  # (3 + 2) / 2
    assert s.loc["I1", "rubric_outsider_mean"] == 1.75  # (1 + 2.5) / 2, c3 left out
    assert s.loc["I1", "rubric_gap"] == 0.75  # mean of the gaps 2 and -0.5
    assert s.loc["I1", "rubric_criteria"] == 2
    assert s.loc["I1", "rubric_outsider_raters"] == 3
    assert pd.isna(s.loc["I2", "rubric_gap"]) and pd.isna(s.loc["I2", "rubric_outsider_raters"])
    assert s.loc["I2", "rubric_insider_raters"] == 1


def _dash(figures: pd.DataFrame, periods: list[str]) -> dsh.Dashboard:
    pdf = pd.DataFrame(
        [
            {
                "period_key": k,
                "round_id": k.removeprefix("round:"),
                "label": k,
                "first_day": dt.date(2026, 5 + 2 * n, 1),
                "last_day": dt.date(2026, 6 + 2 * n, 30),
                "position": n,
            }
            for n, k in enumerate(periods)
        ]
    )
    inst = pd.DataFrame(
        {
            "institution_id": ["a", "b"],
            "name": ["Alpha", "Beta"],
            "type": ["city_hall", "prefecture"],
            "region": ["R1", "R2"],
            "locality": ["x", "y"],
        }
    )
    e = pd.DataFrame()
    return dsh.Dashboard(None, inst, pdf, figures, e, e, e, e, e, e, e)


def test_change_since_baseline_in_points_and_with_reasons():
    kf = [
        dsh.KeyFigure("response_rate", "Response rate", "% answered", "share", ""),
        dsh.KeyFigure("latency_median_h", "Median response time", "hours", "hours", ""),
    ]
    figures = pd.DataFrame(
        {
            "period_key": ["round:b", "round:e"],
            "institution_id": ["a", "a"],
            "response_rate": [0.25, 0.6],
            "latency_median_h": [None, 5.0],
            "latency_median_h_na_reason": ["no citizen comment of the period was answered", None],
        }
    )
    ch = dsh.change_since_baseline(_dash(figures, ["round:b", "round:e"]), "a", "round:e", kf)
    assert ch["change"].tolist() == [
        "+35 points",
        "n/a (no citizen comment of the period was answered)",
    ]
    assert ch["baseline"].tolist() == ["25%", "n/a"]
    assert ch["now"].tolist() == ["60%", "5.0 h"]


def test_comparison_table_lists_every_na_with_its_reason():
    kf = [dsh.KeyFigure("response_rate", "Response rate", "%", "share", "")]
    df = pd.DataFrame(
        {
            "institution_id": ["a", "b"],
            "region": ["R1", "R1"],
            "type": ["t", "t"],
            "response_rate": [0.5, None],
            "response_rate_na_reason": [None, "no citizen comment in the period"],
            "continuum_overall": ["modest", None],
            "continuum_overall_na_reason": [None, "Channels: n/a (no post)"],
        }
    )
    table, reasons = dsh.comparison_table(df, kf, {"a": "Alpha", "b": "Beta"})
    assert table["Response rate"].tolist() == ["50%", "n/a"]
    assert reasons == [
        "Beta · Response rate: n/a (no citizen comment in the period)",
        "Beta · continuum: n/a (Channels: n/a (no post))",
    ]


# --- build() on a small world ---------------------------------------------------------------


@pytest.fixture
def small(db_path) -> dsh.Dashboard:
    with db.connect(db_path) as con:
        three_levels(World(con))
    with db.connect(db_path, read_only=True) as con:
        return dsh.build(con)


def test_build_on_the_three_levels_world(small):
    f = small.figures.set_index("institution_id")
    assert list(small.periods["period_key"]) == ["round:baseline"]
    # D: ten original posts in May's 31 days; one of two citizen comments answered, after 30 h
    assert f.loc["D", "posts_per_day"] == pytest.approx(10 / 31)
    assert f.loc["D", "response_rate"] == 0.5
    assert f.loc["D", "latency_median_h"] == pytest.approx(30.0)
    assert f.loc["D", "continuum_overall"] == "moderate"
    assert f.loc["E", "continuum_overall"] == "elaborate"
    assert f.loc["M", "continuum_overall"] == "modest"
    assert f.loc["E", "ladder_rung"] == 5 and f.loc["D", "ladder_rung"] == 3
    # N collected nothing: n/a with reasons, never 0
    assert pd.isna(f.loc["N", "continuum_overall"]) and pd.isna(f.loc["N", "ladder_rung"])
    assert (
        f.loc["N", "ladder_rung_na_reason"] == "the institution made no original post in the period"
    )
    assert "no post of its own" in f.loc["N", "continuum_overall_na_reason"]
    # no comment analysis and no rubric in this world: n/a, and said so
    assert f["positive_share"].isna().all()
    assert set(f["sentiment_na_reason"]) == {"comment analysis has not run yet: `closer analyse`"}
    assert set(f["rubric_na_reason"]) == {"no submitted rubric for this institution in the round"}
    # latency bands: D's one answer took 30 h; E's five within the hour
    lat = small.latency.set_index("institution_id")
    assert (lat.loc["D", "label"], lat.loc["D", "comments"]) == ("1 day – 3 days", 1)
    assert (lat.loc["E", "label"], lat.loc["E", "comments"]) == ("< 1 h", 5)


def test_build_on_an_empty_database(db_path):
    with db.connect(db_path, read_only=True) as con:
        d = dsh.build(con)
    assert d.empty and d.institutions.empty and d.periods.empty


# --- the demo database, checked against SQL written here ----------------------------------

ENDLINE = (
    dt.datetime(2026, 8, 31, 21, tzinfo=dt.UTC),  # 1 Sep 2026 00:00 in Bucharest (EEST)
    dt.datetime(2026, 11, 15, 22, tzinfo=dt.UTC),  # 16 Nov 2026 00:00 in Bucharest (EET)
)


@pytest.fixture(scope="module")
def demo(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        return dsh.build(con)


def _sql(demo_db, sql: str, params: list):
    with db.connect(demo_db, read_only=True) as con:
        return con.execute(sql, params).fetchone()


def test_demo_periods_and_institutions(demo):
    assert list(demo.periods["period_key"]) == ["round:baseline", "round:midline", "round:endline"]
    assert len(demo.institutions) == 20
    assert len(demo.figures) == 60
    assert dsh.default_period(demo) == "round:endline"


def test_demo_reach_and_posts_per_day_match_sql(demo, demo_db):
    row = demo.figures.set_index(["period_key", "institution_id"]).loc[("round:endline", "AR-CJ")]
    followers = _sql(
        demo_db,
        """SELECT sum(followers) FROM (
             SELECT s.account_id, arg_max(s.followers, s.snapshot_at) AS followers
             FROM account_snapshots s JOIN accounts a USING (account_id)
             WHERE a.institution_id = 'AR-CJ' AND s.followers IS NOT NULL
               AND s.snapshot_at >= ? AND s.snapshot_at < ? GROUP BY s.account_id)""",
        list(ENDLINE),
    )[0]
    assert row["followers"] == followers
    posts = _sql(
        demo_db,
        """SELECT count(*) FROM posts p JOIN accounts a USING (account_id)
           WHERE a.institution_id = 'AR-CJ' AND p.kind = 'post'
             AND p.created_at >= ? AND p.created_at < ?""",
        list(ENDLINE),
    )[0]
    assert row["posts"] == posts
    assert row["posts_per_day"] == pytest.approx(posts / 76)  # 1 Sep – 15 Nov: 76 days


def test_demo_sentiment_shares_match_sql(demo, demo_db):
    row = demo.figures.set_index(["period_key", "institution_id"]).loc[("round:endline", "AR-PRIM")]
    n, pos, neg, scored = _sql(
        demo_db,
        """SELECT count(*), count(*) FILTER (ca.sentiment_label = 'positive'),
                  count(*) FILTER (ca.sentiment_label = 'negative'), count(ca.sentiment)
           FROM comment_analysis ca JOIN comments c USING (platform, comment_id)
           JOIN accounts a ON a.account_id = c.account_id
           WHERE a.institution_id = 'AR-PRIM' AND ca.dup_first
             AND c.created_at >= ? AND c.created_at < ?""",
        list(ENDLINE),
    )
    assert n > 0
    assert row["positive_share"] == pytest.approx(pos / n)
    assert row["negative_share"] == pytest.approx(neg / n)
    assert row["unscored_share"] == pytest.approx((n - scored) / n)


def test_demo_rubric_means_match_sql(demo, demo_db):
    row = demo.figures.set_index(["period_key", "institution_id"]).loc[("round:baseline", "AR-CJ")]
    outsider, insider = _sql(
        demo_db,
        """WITH per AS (
             SELECT sc.criterion_id, s.perspective, avg(sc.score) AS m
             FROM rubric_submissions s JOIN rubric_scores sc USING (submission_id)
             WHERE s.status = 'submitted' AND s.round_id = 'baseline' AND s.institution_id = 'AR-CJ'
               AND sc.score IS NOT NULL GROUP BY ALL
           ), both_sides AS (
             SELECT criterion_id FROM per GROUP BY criterion_id HAVING count(*) = 2
           )
           SELECT avg(m) FILTER (perspective = 'outsider'), avg(m) FILTER (perspective = 'insider')
           FROM per SEMI JOIN both_sides USING (criterion_id)""",
        [],
    )
    assert row["rubric_outsider_mean"] == pytest.approx(outsider)
    assert row["rubric_insider_mean"] == pytest.approx(insider)
    assert row["rubric_gap"] == pytest.approx(insider - outsider)
    # no rubric in the midline round: n/a with the reason
    mid = demo.figures.set_index(["period_key", "institution_id"]).loc[("round:midline", "AR-CJ")]
    assert pd.isna(mid["rubric_gap"])
    assert mid["rubric_na_reason"] == "no submitted rubric for this institution in the round"
