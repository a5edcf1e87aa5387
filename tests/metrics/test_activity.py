"""Activity and reach on hand-built tables: followers and growth, posts per day and week,
share of days with a post (in Bucharest time), content-form mix, interactions per post with
counts a platform does not give, engagement per 1,000 followers, active channels,
cross-links between an institution's accounts, two-way posts. Expected values by hand."""

from __future__ import annotations

import pytest

from metrics import compute, periods
from metrics import rules as rules_mod

MAY = "2026-05-01:2026-05-31"


def run(con, spec=MAY, by="institution"):
    r = rules_mod.load()
    ps = periods.parse(con, spec, r.timezone)
    return {
        (row["period_key"], row["group_id"]): row for row in compute.compute(con, ps, by, r).rows()
    }


@pytest.fixture
def two(world):
    w = world
    w.institution("A", type="city_hall", region="R1")
    w.institution("B", type="county_council", region="R1")
    m = w.account("A", "mastodon", "@primaria@social.example", "https://social.example/@primaria")
    b = w.account("A", "bluesky", "primaria.bsky.social")
    f = w.account(
        "A", "feed", "https://www.primaria.example/feed/", "https://www.primaria.example/"
    )
    x = w.account("B", "mastodon", "@b@social.example")
    # followers: m 1000 → 1100 → 1200 in May (900 in April, outside); b 300 once; the feed none
    w.followers(m, "2026-04-28 10:00", 900)
    w.followers(m, "2026-05-02 10:00", 1000)
    w.followers(m, "2026-05-10 10:00", 1100)
    w.followers(m, "2026-05-25 10:00", 1200)
    w.followers(b, "2026-05-25 10:00", 300)
    w.followers(f, "2026-05-25 10:00", None)
    w.followers(x, "2026-05-25 10:00", 50)
    # posts (UTC; Bucharest is UTC+3): p7 at 30 Apr 22:00 is 1 May 01:00 local → May;
    # p2 at 2 May 22:30 is 3 May local
    w.post(m, "2026-04-20 08:00", post_id="p0")
    w.post(m, "2026-04-30 22:00", text="Bună dimineața", post_id="p7")
    w.post(
        m, "2026-05-02 08:00", text="Anunț: program", links=["https://news.example/x"], post_id="p1"
    )
    w.post(m, "2026-05-02 22:30", form="photo", text="Ce părere aveți despre parc?", post_id="p2")
    w.post(m, "2026-05-03 08:00", kind="reply", text="Ce mai faceți?", post_id="r1")
    w.post(m, "2026-05-04 08:00", kind="repost", form="repost", post_id="rp1")
    w.post(
        m,
        "2026-05-10 08:00",
        form="video",
        text="Video de la ședința consiliului",
        links=["https://bsky.app/profile/primaria.bsky.social/post/3k"],
        post_id="p3",
    )
    w.post(
        m,
        "2026-05-11 08:00",
        form="poll",
        has_poll=True,
        text="Votați noul logo",
        links=["https://social.example/@primaria/99"],
        post_id="p4",
    )
    w.post(
        b,
        "2026-05-12 08:00",
        form="link",
        text="Citiți pe site",
        links=["https://www.primaria.example/stiri/1", "https://social.example/@primaria/123"],
        post_id="p5",
    )
    w.post(
        f, "2026-05-20 08:00", title="Concurs", text="Concurs de desene pentru copii", post_id="p6"
    )
    w.post(x, "2026-05-05 08:00", text="Comunicat", post_id="q1")
    # counts: p1 at its latest snapshot before the end of May (13, not the June one's 25);
    # p2 has only a June snapshot, its first after the end (4); mastodon gives no quotes
    w.counts(m, "p1", "2026-05-05 10:00", likes=10, shares=2, replies=1)
    w.counts(m, "p1", "2026-06-03 10:00", likes=20, shares=3, replies=2)
    w.counts(m, "p2", "2026-06-03 10:00", likes=4, shares=0, replies=0)
    w.counts(m, "p3", "2026-05-15 10:00", likes=6, shares=1, replies=3)
    w.counts(m, "p4", "2026-05-15 10:00", likes=2, shares=0, replies=0)
    w.counts(b, "p5", "2026-05-15 10:00", likes=5, shares=1, replies=0, quotes=2)
    w.counts(f, "p6", "2026-05-25 10:00")  # a feed gives no counts
    w.counts(x, "q1", "2026-05-06 10:00", likes=3, replies=1)
    return w


def test_reach_and_growth(two, con):
    rows = run(con)
    a, b = rows[(MAY, "A")], rows[(MAY, "B")]
    assert (a["followers"], a["followers_accounts"]) == (1500, 2)  # 1200 + 300; the feed gives none
    assert a["followers_growth"] == 200  # only m has two snapshots: 1200 − 1000
    assert a["followers_growth_pct"] == pytest.approx(20.0)
    assert (b["followers"], b["followers_growth"]) == (50, None)
    assert b["followers_growth_na_reason"] == "only one follower snapshot per account in the period"


def test_posts_per_day_week_and_days_with_a_post(two, con):
    a = run(con)[(MAY, "A")]
    # original posts in May (local time): p7, p1, p2, p3, p4, p5, p6 = 7 (r1 a reply, rp1 a
    # repost, p0 April); the data run to 3 June, so all 31 days of May count
    assert a["posts"] == 7
    assert a["days"] == 31
    assert a["posts_per_day"] == pytest.approx(7 / 31)
    assert a["posts_per_week"] == pytest.approx(49 / 31)
    # local days with a post: 1, 2, 3, 10, 11, 12, 20 May
    assert a["active_days_share"] == pytest.approx(7 / 31)


def test_a_period_not_over_counts_its_days_so_far(two, con):
    rows = run(con, "2026-06-01:2026-06-30")
    # as of 3 June 10:00 UTC (13:00 local): 3 days of June begun
    assert rows[("2026-06-01:2026-06-30", "A")]["days"] == 3
    later = run(con, "2026-07-01:2026-07-31")[("2026-07-01:2026-07-31", "A")]
    assert (later["days"], later["posts_per_day"]) == (0, None)
    assert later["posts_per_day_na_reason"] == "the period had not begun at the data's as-of time"


def test_content_form_mix(two, con):
    a = run(con)[(MAY, "A")]
    # posts and reposts: 7 + rp1 = 8; text p7 p1 p6, photo p2, video p3, poll p4, link p5, repost rp1
    assert a["timeline_posts"] == 8
    shares = {
        f: a[f"form_{f}_share"]
        for f in ("text", "photo", "video", "link", "poll", "event", "quote", "repost")
    }
    assert shares == {
        "text": 3 / 8,
        "photo": 1 / 8,
        "video": 1 / 8,
        "link": 1 / 8,
        "poll": 1 / 8,
        "event": 0.0,
        "quote": 0.0,
        "repost": 1 / 8,
    }
    assert a["rich_form_share"] == pytest.approx(4 / 8)


def test_interactions_with_counts_a_platform_does_not_give(two, con):
    rows = run(con)
    a, b = rows[(MAY, "A")], rows[(MAY, "B")]
    # p1 13, p2 4, p3 10, p4 2, p5 8 (with its 2 quotes); p6 (feed) has no counts, p7 no snapshot
    assert a["interactions_posts"] == 5
    assert a["interactions_per_post"] == pytest.approx(37 / 5)
    assert a["interactions_counts_used"] == "likes+shares+replies+quotes"
    # B's platform gave likes and replies only, no shares, quotes or views: 3 + 1
    assert (b["interactions_per_post"], b["interactions_counts_used"]) == (4.0, "likes+replies")


def test_engagement_per_1000_followers(two, con):
    rows = run(con)
    # A: m's 4 posts (29) with 1,200 followers each, b's p5 (8) with 300: 1000 × 37 / 5100
    assert rows[(MAY, "A")]["engagement_per_1000_followers"] == pytest.approx(1000 * 37 / 5100)
    assert rows[(MAY, "B")]["engagement_per_1000_followers"] == pytest.approx(80.0)  # 1000 × 4 / 50


def test_channels_and_cross_links(two, con):
    rows = run(con)
    a, b = rows[(MAY, "A")], rows[(MAY, "B")]
    assert (a["accounts"], a["active_channels"]) == (3, 3)
    # p3 links to b's profile; p5 to the website (the feed's site) and to m; p4 links to m
    # itself and p1 to a news site: not cross-links
    assert a["cross_link_posts"] == 2
    assert a["cross_link_share"] == pytest.approx(2 / 7)
    assert a["cross_linked_channels"] == 3
    assert (b["accounts"], b["active_channels"], b["cross_link_posts"]) == (1, 1, 0)


def test_two_way_posts(two, con):
    a = run(con)[(MAY, "A")]
    # p2 asks ("?", "ce părere aveți"), p4 is a poll calling to vote, p6 announces a contest;
    # r1 asks too but is a reply, not an original post
    assert a["two_way_posts"] == 3
    assert a["two_way_share"] == pytest.approx(3 / 7)
    assert {
        k: a[f"{k}_posts"] for k in ("poll", "vote", "contest", "consultation", "question")
    } == {"poll": 1, "vote": 1, "contest": 1, "consultation": 0, "question": 1}


def test_groupings(two, con):
    by_account = run(con, by="account")
    assert by_account[(MAY, "mastodon:primaria@social.example")]["posts"] == 5  # p7 p1 p2 p3 p4
    assert by_account[(MAY, "mastodon:primaria@social.example")]["followers_growth"] == 200
    by_type = run(con, by="type")
    assert (by_type[(MAY, "city_hall")]["posts"], by_type[(MAY, "county_council")]["posts"]) == (
        7,
        1,
    )
    by_region = run(con, by="region")
    assert by_region[(MAY, "R1")]["posts"] == 8
    assert by_region[(MAY, "R1")]["followers"] == 1550


def test_an_institution_without_accounts_shows_zeros_and_na(two, con):
    two.institution("C")
    c = run(con)[(MAY, "C")]
    assert (c["accounts"], c["posts"], c["citizen_comments"]) == (0, 0, 0)
    assert (
        c["followers"] is None
        and c["followers_na_reason"] == "no follower count collected in the period"
    )
    assert (
        c["rich_form_share"] is None and c["form_na_reason"] == "no posts or reposts in the period"
    )
