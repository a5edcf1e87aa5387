"""Two-way communication on hand-built threads: answered in the branch (also deep down),
answered twice (the first answer counts), unanswered, still open, answers elsewhere in the
thread, questions, latency median and p90, response tiers, business hours, and the seam with
comment analysis. Every expected value is worked out by hand in the comments."""

from __future__ import annotations

import shutil

import pytest

from metrics import compute, periods
from metrics import rules as rules_mod

MAY = "2026-05-01:2026-05-31"
LATENCIES = (
    "SELECT c.comment_id, x.latency_s / 3600 FROM _citizen_comments x"
    " JOIN comments c ON hash(c.platform, c.comment_id) = x.k"
)


def run(con, spec=MAY, by="institution", rules=None):
    r = rules or rules_mod.load()
    ps = periods.parse(con, spec, r.timezone)
    return {
        (row["period_key"], row["group_id"]): row for row in compute.compute(con, ps, by, r).rows()
    }


@pytest.fixture
def threads(world):
    """One institution, one Mastodon post with the branches below; data as of 2026-05-20 12:00 UTC."""
    w = world
    w.institution("A")
    a = w.account("A", "mastodon", "@primaria@social.example")
    w.followers(a, "2026-05-20 12:00", 1000)
    p = w.post(a, "2026-05-04 08:00", post_id="P")
    w.counts(a, p, "2026-05-20 12:00", likes=1, shares=0, replies=12)
    ids = {}
    # direct answer: c1 at 09:00, the institution answers it at 10:00 → 1 h
    ids["c1"] = w.comment(a, p, "2026-05-04 09:00", text="Când se repară strada?", comment_id="c1")
    w.comment(
        a, p, "2026-05-04 10:00", parent="c1", by_institution=True, text="Săptămâna viitoare."
    )
    # deep in a branch: c2 ← c3 ← c4 (citizens), the institution answers c4 at 11:00:
    # that answers c2 (2 h), c3 (1.5 h) and c4 (1.25 h)
    w.comment(a, p, "2026-05-04 09:00", text="De ce nu merge apa", comment_id="c2")
    w.comment(a, p, "2026-05-04 09:30", parent="c2", text="ok", comment_id="c3")
    w.comment(
        a, p, "2026-05-04 09:45", parent="c3", text="Și eu am aceeași problemă", comment_id="c4"
    )
    w.comment(a, p, "2026-05-04 11:00", parent="c4", by_institution=True, text="Echipa e pe drum.")
    # answered twice: at 13:00 and at 16:00; the first answer counts → 1 h
    w.comment(a, p, "2026-05-04 12:00", text="Mulțumim pentru informare", comment_id="c5")
    w.comment(a, p, "2026-05-04 13:00", parent="c5", by_institution=True, text="Cu plăcere!")
    w.comment(a, p, "2026-05-04 16:00", parent="c5", by_institution=True, text="Revenim.")
    # never answered, 15 days old at the as-of time → unanswered
    w.comment(a, p, "2026-05-05 08:00", text="Unde pot depune cererea?", comment_id="c6")
    # 1 h old at the thread's as-of time (12:00), under the 3 h of the shortest tier → still open
    w.comment(a, p, "2026-05-20 11:00", text="Cine răspunde?", comment_id="c7")
    # the institution writes on the post itself, not in c8's branch → c8 stays unanswered
    w.comment(a, p, "2026-05-06 08:00", text="Bravo", comment_id="c8")
    w.comment(a, p, "2026-05-06 09:00", by_institution=True, text="Vă așteptăm la eveniment.")
    # a policy suggestion 48 h old: unanswered (older than 3 h) but pending for its 120 h tier
    w.comment(a, p, "2026-05-18 12:00", text="Propun o pistă de biciclete", comment_id="c10")
    return w


def test_answered_in_branch_first_answer_unanswered_and_still_open(threads, con):
    row = run(con)[(MAY, "A")]
    assert row["citizen_comments"] == 9
    assert row["answered"] == 5  # c1, c2, c3, c4, c5
    assert row["unanswered"] == 3  # c6, c8, c10
    assert row["still_open"] == 1  # c7
    assert row["response_rate"] == pytest.approx(5 / 8)


def test_latency_median_and_p90_over_first_answers(threads, con):
    row = run(con)[(MAY, "A")]
    # latencies in hours: c1 1, c2 2, c3 1.5, c4 1.25, c5 1 (not 4: the first answer counts)
    # sorted [1, 1, 1.25, 1.5, 2]: median 1.25; p90 at rank 0.9 × 4 = 3.6 → 1.5 + 0.6 × 0.5 = 1.8
    assert row["latency_median_h"] == pytest.approx(1.25)
    assert row["latency_p90_h"] == pytest.approx(1.8)


def test_each_comment_gets_its_first_answer(threads, con):
    run(con)
    got = dict(
        con.execute(
            "SELECT c.comment_id, x.status || coalesce(' ' || (x.latency_s / 3600)::VARCHAR, '')"
            " FROM _citizen_comments x JOIN comments c ON hash(c.platform, c.comment_id) = x.k"
        ).fetchall()
    )
    assert got == {
        "c1": "answered 1.0",
        "c2": "answered 2.0",
        "c3": "answered 1.5",
        "c4": "answered 1.25",
        "c5": "answered 1.0",
        "c6": "unanswered",
        "c7": "still_open",
        "c8": "unanswered",
        "c10": "unanswered",
    }


def test_questions_from_the_text_rule(threads, con):
    row = run(con)[(MAY, "A")]
    # "?" in c1, c6, c7; c2 starts with "De ce": 4 questions; answered c1, c2; unanswered c6;
    # c7 still open → 2 / 3
    assert row["questions"] == 4
    assert row["questions_answered"] == 2
    assert row["question_response_rate"] == pytest.approx(2 / 3)


def test_response_tiers_compliance(threads, con):
    row = run(con)[(MAY, "A")]
    # review (72 h): c1 "repară", c4 "problemă", c6 "cererea": c1 1 h met, c4 1.25 h met,
    # c6 not answered after 15 days, overdue → 2 of 3
    assert (row["tier_review_comments"], row["tier_review_due"]) == (3, 3)
    assert row["tier_review_compliance"] == pytest.approx(2 / 3)
    # simple (3 h): c2 2 h met, c3 1.5 h met, c5 1 h met, c8 overdue, c7 pending → 3 of 4
    assert (row["tier_simple_comments"], row["tier_simple_due"]) == (5, 4)
    assert row["tier_simple_compliance"] == pytest.approx(3 / 4)
    # policy (120 h): c10 is 48 h old, not answered: pending, so nothing is due yet
    assert (row["tier_policy_comments"], row["tier_policy_due"]) == (1, 0)
    assert row["tier_policy_compliance"] is None
    assert (
        row["tier_policy_compliance_na_reason"]
        == "none of the 1 comments in this tier is due yet (pending or unverified)"
    )


def test_weekly_periods_split_the_comments(threads, con):
    rows = run(con, "week")
    # week 19 (4-10 May): c1-c6, c8; week 21 (18-24 May): c10, c7
    w19, w21 = rows[("2026-W19", "A")], rows[("2026-W21", "A")]
    assert (w19["citizen_comments"], w19["answered"], w19["unanswered"]) == (7, 5, 2)
    assert (w21["citizen_comments"], w21["unanswered"], w21["still_open"]) == (2, 1, 1)
    assert w21["response_rate"] == 0.0
    assert w21["latency_median_h"] is None
    assert w21["latency_median_h_na_reason"] == "no citizen comment of the period was answered"
    assert rows[("2026-W20", "A")]["response_rate_na_reason"] == "no citizen comment in the period"


def test_all_still_open_is_not_a_zero(world, con):
    w = world
    w.institution("A")
    a = w.account("A", "mastodon", "@a@social.example")
    p = w.post(a, "2026-05-20 08:00", post_id="P")
    w.counts(a, p, "2026-05-20 12:00", likes=0)
    w.comment(a, p, "2026-05-20 10:30", text="?")
    row = run(con)[(MAY, "A")]
    assert row["still_open"] == 1
    assert row["response_rate"] is None
    assert row["response_rate_na_reason"] == "all 1 citizen comments are still open"


def test_answer_before_the_comment_does_not_count(world, con):
    """A reply timestamped before the comment it sits under (clock skew) is not an answer."""
    w = world
    w.institution("A")
    a = w.account("A", "mastodon", "@a@social.example")
    p = w.post(a, "2026-05-04 08:00", post_id="P")
    w.counts(a, p, "2026-05-20 12:00", likes=0)
    w.comment(a, p, "2026-05-04 10:00", text="hm", comment_id="c1")
    w.comment(a, p, "2026-05-04 09:59", parent="c1", by_institution=True, text="da")
    row = run(con)[(MAY, "A")]
    assert (row["answered"], row["unanswered"]) == (0, 1)


def _business_rules(tmp_path, holidays="[]"):
    d = tmp_path / "definitions"
    shutil.copytree(rules_mod.DEFINITIONS, d)
    p = d / "response_tiers.yaml"
    text = p.read_text(encoding="utf-8").replace("  enabled: false", "  enabled: true")
    text = text.replace("  holidays: []", f"  holidays: {holidays}")
    p.write_text(text, encoding="utf-8")
    return rules_mod.load(d)


def _weekend(world):
    w = world
    w.institution("A")
    a = w.account("A", "mastodon", "@a@social.example")
    p = w.post(a, "2026-05-08 06:00", post_id="P")
    w.counts(a, p, "2026-05-20 12:00", likes=0)
    # Bucharest is UTC+3 in May: Friday 8 May 17:00 local = 14:00 UTC; Friday 16:00 = 13:00 UTC;
    # Monday 11 May 10:00 local = 07:00 UTC
    w.comment(a, p, "2026-05-08 14:00", text="hm", comment_id="fri17")
    w.comment(a, p, "2026-05-11 07:00", parent="fri17", by_institution=True, text="da")
    w.comment(a, p, "2026-05-08 13:00", text="hm", comment_id="fri16")
    w.comment(a, p, "2026-05-11 07:00", parent="fri16", by_institution=True, text="da")


def test_business_hours_over_a_weekend(world, con, tmp_path):
    _weekend(world)
    r = _business_rules(tmp_path)
    run(con, rules=r)
    got = dict(con.execute(LATENCIES).fetchall())
    # Friday 17:00 (closing) → Monday 10:00: only Monday 09:00-10:00 counts: 1 h;
    # Friday 16:00 → Monday 10:00: Friday 16-17 and Monday 9-10: 2 h
    assert got == {"fri17": pytest.approx(1.0), "fri16": pytest.approx(2.0)}


def test_wall_clock_without_business_hours(world, con):
    _weekend(world)
    run(con)
    got = dict(con.execute(LATENCIES).fetchall())
    assert got == {"fri17": pytest.approx(65.0), "fri16": pytest.approx(66.0)}


def test_business_hours_skip_holidays(world, con, tmp_path):
    w = world
    w.institution("A")
    a = w.account("A", "mastodon", "@a@social.example")
    p = w.post(a, "2026-05-29 06:00", post_id="P")
    w.counts(a, p, "2026-06-10 12:00", likes=0)
    # Friday 29 May 17:00 local → Tuesday 2 June 10:00 local, Monday 1 June a holiday: 1 h
    w.comment(a, p, "2026-05-29 14:00", text="hm", comment_id="c")
    w.comment(a, p, "2026-06-02 07:00", parent="c", by_institution=True, text="da")
    run(con, spec="2026-05-01:2026-06-30", rules=_business_rules(tmp_path, "[2026-06-01]"))
    assert con.execute("SELECT latency_s / 3600 FROM _citizen_comments").fetchone()[
        0
    ] == pytest.approx(1.0)
    run(con, spec="2026-05-01:2026-06-30", rules=_business_rules(tmp_path / "no-holiday"))
    assert con.execute("SELECT latency_s / 3600 FROM _citizen_comments").fetchone()[
        0
    ] == pytest.approx(9.0)


def test_comment_analysis_decides_questions_and_topics(threads, con):
    # comment analysis (migration 020) says c8 "Bravo" asks about roads, and c1 does not ask
    con.execute(
        "INSERT INTO comment_analysis (platform, comment_id, analyser_version, text_hash, lang, topics,"
        " is_question, dup_count, dup_first, analysed_at) VALUES"
        " ('mastodon', 'c8', 't', 1, 'ro', ['roads'], true, 1, true, now()),"
        " ('mastodon', 'c1', 't', 2, 'ro', [], false, 1, true, now())"
    )
    row = run(con)[(MAY, "A")]
    # questions: c2, c6, c7 by the text rule, c8 by analysis; c1 no longer → 4; answered: c2 only;
    # unanswered c6, c8 → 1 / 3
    assert row["questions"] == 4
    assert row["question_response_rate"] == pytest.approx(1 / 3)
    # c8 is now a question about roads: review tier (rule 3), overdue → review 2 met of 4 due
    assert (row["tier_review_comments"], row["tier_review_due"]) == (4, 4)
    assert row["tier_review_compliance"] == pytest.approx(2 / 4)


def test_without_the_comment_analysis_table(threads, con):
    con.execute("DROP TABLE comment_analysis")
    row = run(con)[(MAY, "A")]
    assert (row["questions"], row["question_response_rate"]) == (4, pytest.approx(2 / 3))


def test_comments_of_other_institutions_are_theirs(threads, con):
    w = threads
    w.institution("B")
    b = w.account("B", "bluesky", "b.bsky.social")
    p = w.post(b, "2026-05-04 08:00", post_id="Q")
    w.counts(b, p, "2026-05-20 12:00", likes=0)
    w.comment(b, p, "2026-05-04 09:00", text="Salut", comment_id="q1")
    w.comment(b, p, "2026-05-04 09:10", parent="q1", by_institution=True, text="Salut!")
    rows = run(con)
    assert rows[(MAY, "A")]["citizen_comments"] == 9
    assert (rows[(MAY, "B")]["citizen_comments"], rows[(MAY, "B")]["latency_median_h"]) == (
        1,
        pytest.approx(10 / 60),
    )
    region = run(con, by="region")[(MAY, "Județul Test")]
    assert (region["citizen_comments"], region["answered"]) == (10, 6)


def test_threads_not_read_completely_leave_comments_unverified(threads, con):
    # the latest collection of P could not read all replies (e.g. X's 7-day search window)
    con.execute(
        "INSERT INTO thread_coverage VALUES ('20260519T000000Z-a', 'mastodon', 'P', 'mastodon:primaria@social.example', true, 'read'),"
        " ('20260520T000000Z-b', 'mastodon', 'P', 'mastodon:primaria@social.example', false, 'older than the 7 days X recent search covers')"
    )
    row = run(con)[(MAY, "A")]
    # c6, c8, c10 had no answer in what was read: unverified, not unanswered; c7 still open
    assert (row["answered"], row["unanswered"], row["unverified"], row["still_open"]) == (
        5,
        0,
        3,
        1,
    )
    assert row["response_rate"] == 1.0
    # review: c6 unverified → 2 met of 2 due; simple: c8 unverified → 3 of 3; policy: c10 pending
    assert (row["tier_review_due"], row["tier_review_compliance"]) == (2, 1.0)
    assert (row["tier_simple_due"], row["tier_simple_compliance"]) == (3, 1.0)
