"""The stored tables (metrics/stored.py, migrations 011 and 012; metrics/post_facts.py,
migration 013): the same results as the on-the-fly path on the hand-built threads, refreshed
incrementally (only the threads or posts that changed), rebuilt when the rules or the
accounts change, and a read-only connection falling back."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

import metrics
from closer import db
from metrics import compute, periods, post_facts, stored
from metrics import rules as rules_mod
from tests.metrics.conftest import three_levels
from tests.metrics.test_responses import MAY, threads  # noqa: F401 (fixture)

COMMENTS = (
    "SELECT c.comment_id, x.* EXCLUDE (k, post_k) FROM _citizen_comments x"
    " JOIN comments c ON hash(c.platform, c.comment_id) = x.k ORDER BY c.comment_id"
)


def both(con, spec=MAY, by="institution", rules=None, only=None):
    r = rules or rules_mod.load()
    ps = periods.parse(con, spec, r.timezone) if isinstance(spec, str) else spec(con, r.timezone)
    fly = compute.compute(con, ps, by, r, only=only, use_stored=False)
    fly_rows = con.execute(COMMENTS).fetchall()
    kept = compute.compute(con, ps, by, r, only=only)
    kept_rows = con.execute(COMMENTS).fetchall()
    return fly, fly_rows, kept, kept_rows


def test_both_paths_agree_on_the_threads(threads, con):  # noqa: F811
    fly, fly_rows, kept, kept_rows = both(con)
    assert fly.comments_source == "on the fly: asked for"
    assert kept.comments_source == "stored"
    assert kept.rows() == fly.rows()
    assert kept_rows == fly_rows
    # weekly, by account, and one metric without the text rules (asks and tier left NULL)
    for spec, by, only in (
        (lambda c, tz: [periods.iso_week(dt.date(2026, 5, 4), tz)], "account", None),
        (MAY, "region", ["responses"]),
    ):
        fly, fly_rows, kept, kept_rows = both(con, spec, by, only=only)
        assert kept.comments_source == "stored"
        assert (kept.rows(), kept_rows) == (fly.rows(), fly_rows)


def test_both_paths_agree_on_three_levels(world, con):
    three_levels(world)
    fly, fly_rows, kept, kept_rows = both(con, periods.rounds)
    assert kept.comments_source == "stored"
    assert kept.rows() == fly.rows()
    assert kept_rows == fly_rows


def test_incremental_refresh_recomputes_only_changed_threads(threads, con):  # noqa: F811
    w = threads
    assert stored.refresh(con)["mode"] == "full"
    assert stored.refresh(con) == {"mode": "none", "threads": 0, "rows": 0, "seen": 0}
    assert stored.stale(con) is None
    # a second thread; then, in a new collection run r1, the institution answers c6 (thread P)
    q = w.post("mastodon:primaria@social.example", "2026-05-07 08:00", post_id="Q")
    w.comment("mastodon:primaria@social.example", q, "2026-05-07 09:00", text="Hm", comment_id="q1")
    assert stored.stale(con) == "new or changed comments"
    # the World writes every comment in run r0, which grew: its threads P and Q are recomputed
    assert stored.refresh(con) == {"mode": "incremental", "threads": 2, "rows": 10, "seen": 0}
    con.execute(
        "INSERT INTO comments (platform, comment_id, post_id, parent_id, account_id, created_at,"
        " by_institution, author, text, first_run_id, last_run_id) VALUES ('mastodon', 'a6', 'P',"
        " 'c6', 'mastodon:primaria@social.example', TIMESTAMPTZ '2026-05-05 10:00:00+00', true,"
        " 'mastodon:primaria@social.example', 'Da', 'r1', 'r1')"
    )
    # thread P again: its 9 citizen comments are recomputed, Q's is not
    assert stored.refresh(con) == {"mode": "incremental", "threads": 1, "rows": 9, "seen": 0}
    c6 = con.execute(
        "SELECT answered_at IS NOT NULL, latency_s / 3600 FROM comment_responses"
        " WHERE comment_id = 'c6'"
    ).fetchone()
    assert c6 == (True, pytest.approx(2.0))
    fly, fly_rows, kept, kept_rows = both(con)
    assert (kept.rows(), kept_rows) == (fly.rows(), fly_rows)
    assert kept.rows()[0]["answered"] == 6


def test_new_analysis_refreshes_its_threads(threads, con):  # noqa: F811
    stored.refresh(con)
    con.execute(
        "INSERT INTO comment_analysis (platform, comment_id, analyser_version, text_hash, lang,"
        " topics, is_question, dup_count, dup_first, analysed_at) VALUES"
        " ('mastodon', 'c8', 't', 1, 'ro', ['roads'], true, 1, true, now())"
    )
    assert stored.stale(con) == "comment analysis changed"
    assert stored.refresh(con) == {"mode": "incremental", "threads": 1, "rows": 9, "seen": 0}
    assert con.execute(
        "SELECT asks, tier FROM comment_responses WHERE comment_id = 'c8'"
    ).fetchone() == (True, "review")


def test_a_new_snapshot_of_the_post_updates_its_threads_seen_time(threads, con):  # noqa: F811
    w = threads
    stored.refresh(con)
    age = "SELECT seen_at, seen_age_s / 3600 FROM comment_responses WHERE comment_id = ?"
    # c7 was 1 h old when thread P was last read (its snapshot of 2026-05-20 12:00): still open
    assert con.execute(age, ["c7"]).fetchone()[1] == pytest.approx(1.0)
    assert both(con)[2].rows()[0]["still_open"] == 1
    # a later collection reads P again at 15:00: c7 is 4 h old then, over the 3 h shortest tier
    w.counts("mastodon:primaria@social.example", "P", "2026-05-20 15:00", likes=2, replies=12)
    assert stored.stale(con) == "new or changed post snapshots (when threads were last read)"
    assert stored.refresh(con) == {"mode": "incremental", "threads": 0, "rows": 0, "seen": 1}
    seen_at, hours = con.execute(age, ["c7"]).fetchone()
    assert (seen_at.isoformat(), hours) == ("2026-05-20T15:00:00+00:00", pytest.approx(4.0))
    # answered comments keep no age; every comment of the thread has the new seen time
    assert con.execute(age, ["c1"]).fetchone()[1] is None
    assert con.execute(
        "SELECT count(DISTINCT seen_at), count(*) FROM comment_responses"
    ).fetchone() == (1, 9)
    fly, fly_rows, kept, kept_rows = both(con)
    assert (kept.rows(), kept_rows) == (fly.rows(), fly_rows)
    assert (kept.rows()[0]["still_open"], kept.rows()[0]["unanswered"]) == (0, 4)
    # that run's snapshot removed again (a run lost snapshots): every thread is re-read
    con.execute("DELETE FROM post_snapshots WHERE snapshot_at = TIMESTAMPTZ '2026-05-20 15:00:00+00'")
    assert stored.refresh(con) == {"mode": "incremental", "threads": 0, "rows": 0, "seen": 1}
    assert con.execute(age, ["c7"]).fetchone()[1] == pytest.approx(1.0)
    assert both(con)[2].rows()[0]["still_open"] == 1


def test_changed_rules_rebuild_the_table(threads, con, tmp_path):  # noqa: F811
    stored.refresh(con)
    d = tmp_path / "defs"
    shutil.copytree(rules_mod.DEFINITIONS, d)
    text = (d / "response_tiers.yaml").read_text(encoding="utf-8")
    (d / "response_tiers.yaml").write_text(
        text.replace("  enabled: false", "  enabled: true"), encoding="utf-8"
    )
    r = rules_mod.load(d)
    assert stored.stale(con, r) == "never built, or the rules changed"
    assert stored.refresh(con, r)["mode"] == "full"
    fly, fly_rows, kept, kept_rows = both(con, rules=r)
    assert (kept.rows(), kept_rows) == (fly.rows(), fly_rows)


def test_read_only_stale_table_falls_back(threads, con, db_path):  # noqa: F811
    r = rules_mod.load()
    ps = periods.parse(con, MAY, r.timezone)
    want = compute.compute(con, ps, "institution", r).rows()  # builds the table
    con.execute(
        "INSERT INTO comments (platform, comment_id, post_id, parent_id, account_id, created_at,"
        " by_institution, author, text, first_run_id, last_run_id) VALUES ('mastodon', 'a6', 'P',"
        " 'c6', 'mastodon:primaria@social.example', TIMESTAMPTZ '2026-05-05 10:00:00+00', true,"
        " 'mastodon:primaria@social.example', 'Da', 'r1', 'r1')"
    )
    con.close()
    with db.connect(db_path, read_only=True) as ro:
        res = compute.compute(ro, ps, "institution", r)
        assert res.comments_source.startswith("on the fly: comment_responses is stale")
        got = res.rows()[0]
        assert (got["answered"], want[0]["answered"]) == (6, 5)
    with db.connect(db_path) as rw:
        res = compute.compute(rw, ps, "institution", r)
        assert res.comments_source == "stored"
        assert res.rows()[0] == got
    with db.connect(db_path, read_only=True) as ro:
        assert compute.compute(ro, ps, "institution", r).comments_source == "stored"


def test_post_facts_are_stored_and_refreshed_post_by_post(threads, con):  # noqa: F811
    w = threads
    done = metrics.refresh(con)
    assert done["posts"] == {"mode": "full", "posts": 1}
    assert post_facts.stale(con) is None
    assert metrics.refresh(con)["posts"] == {"mode": "none", "posts": 0}
    # a second account of A, and a post of P's account in a new run r1 that links to it:
    # the registry changed, so the facts are rebuilt whole
    yt = w.account("A", "youtube", "@primaria", url="https://www.youtube.com/@primaria")
    assert post_facts.stale(con) == "the registry's accounts changed"
    assert metrics.refresh(con)["posts"] == {"mode": "full", "posts": 1}
    con.execute(
        "INSERT INTO posts (platform, post_id, account_id, created_at, url, kind, form, text,"
        " links, first_run_id, last_run_id) VALUES ('mastodon', 'V', 'mastodon:primaria@social.example',"
        " TIMESTAMPTZ '2026-05-08 10:00:00+00', 'https://social.example/@primaria/V', 'post', 'link',"
        " 'Votați proiectul preferat! Video: https://youtube.com/@primaria/videos',"
        " ['https://youtube.com/@primaria/videos'], 'r1', 'r1')"
    )
    assert post_facts.stale(con) == "new or changed posts"
    # only the new run's post is computed: a vote, linking to the YouTube account
    assert metrics.refresh(con)["posts"] == {"mode": "incremental", "posts": 1}
    assert con.execute(
        "SELECT post_id, is_vote, is_poll, linked_accounts FROM post_facts ORDER BY post_id"
    ).fetchall() == [("P", False, False, None), ("V", True, False, [yt])]
    fly = compute.compute(con, periods.parse(con, MAY, "Europe/Bucharest"), use_stored=False)
    kept = compute.compute(con, periods.parse(con, MAY, "Europe/Bucharest"))
    assert (kept.posts_source, fly.posts_source) == ("stored", "on the fly: asked for")
    assert kept.rows() == fly.rows()
    row = kept.rows()[0]
    assert (row["vote_posts"], row["cross_link_posts"], row["cross_linked_channels"]) == (1, 1, 1)


def test_read_only_stale_post_facts_are_computed_on_the_fly(threads, con, db_path):  # noqa: F811
    r = rules_mod.load()
    ps = periods.parse(con, MAY, r.timezone)
    want = compute.compute(con, ps, "institution", r).rows()  # builds the tables
    threads.post("mastodon:primaria@social.example", "2026-05-09 08:00", text="Concurs foto!")
    con.execute("CHECKPOINT")
    con.close()
    with db.connect(db_path, read_only=True) as ro:
        res = compute.compute(ro, ps, "institution", r)
        assert res.posts_source == (
            "on the fly: post_facts is stale (new or changed posts) and the database is read-only"
        )
        assert res.rows()[0]["contest_posts"] == 1
        assert res.rows()[0]["posts"] == want[0]["posts"] + 1
