"""Feed collector: real RSS 2.0, Atom and YouTube channel feeds (tests/fixtures/feeds), served
locally."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from closer import db, registry
from closer.pseudonym import Pseudonymiser
from monitor import runner
from monitor.base import AccountRef, RawDoc
from monitor.feed import BrokenFeed, FeedCollector, decode
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
BLOG = "https://www.natashatherobot.com/feed/"
ATOM = "http://onefoottsunami.com/feed/atom/"
YT = "https://www.youtube.com/feeds/videos.xml?channel_id=UC7_gcs09iThXybpVgjHZ_7g"
RSS = {"Content-Type": "application/rss+xml; charset=UTF-8"}


def text(name: str) -> str:
    return (FEEDS / name).read_text(encoding="utf-8")


def utc(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s)


def table(db_path, sql, params=()):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture
def feeds(httpserver, monkeypatch, db_path):
    """Every feed host pointed at the local server; an institution to register accounts to."""
    base = httpserver.url_for("").rstrip("/")
    hosts = ("www.natashatherobot.com", "onefoottsunami.com", "www.youtube.com", "broken.example")
    monkeypatch.setenv("CLOSER_ENDPOINTS", json.dumps({h: base for h in hosts}))
    with db.connect(db_path) as con:
        con.execute(
            "INSERT INTO institutions (institution_id, name, type, region, country)"
            " VALUES ('I1', 'Primăria X', 'city_hall', 'X', 'RO')"
        )
    return httpserver


def register(db_path, *handles):
    with db.connect(db_path) as con:
        for h in handles:
            registry.add_account(con, "I1", "feed", h)


def paths(server):
    return [(r.path, r.query_string.decode()) for r, _ in server.log]


def test_wordpress_rss2_posts_counts_and_comments(feeds, db_path, client):
    register(db_path, BLOG)
    feeds.expect_request("/feed/").respond_with_data(text("wordpress_rss2.xml"), headers=RSS)
    feeds.expect_request(
        "/swift-alternative-to-default-implementations-in-protocols/feed/"
    ).respond_with_data(text("wordpress_comments_rss2_constructed.xml"), headers=RSS)
    feeds.expect_request("/url-apple-wallet-passkit-pass/feed/").respond_with_data(
        "gone", status=404
    )
    result = runner.collect(
        db_path, platform="feed", since=utc("2017-03-25T00:00:00Z"), client=client
    )
    # the post of 24 March is before the window: its comments are not asked for
    assert paths(feeds) == [
        ("/feed/", ""),
        ("/url-apple-wallet-passkit-pass/feed/", ""),
        ("/swift-alternative-to-default-implementations-in-protocols/feed/", ""),
    ]
    assert table(
        db_path,
        "SELECT p.post_id, p.created_at, p.kind, p.form, p.title, p.lang,"
        " s.likes, s.shares, s.replies, s.views"
        " FROM posts p JOIN post_snapshots s USING (platform, post_id) ORDER BY p.created_at",
    ) == [
        (
            "https://www.natashatherobot.com/?p=6578",
            utc("2017-03-24T13:19:34Z"),
            "post",
            "text",
            "Swift: Why You Shouldn’t Use Default Implementations in Protocols",
            "en",
            None,
            None,
            4,
            None,
        ),
        (
            "https://www.natashatherobot.com/?p=6592",
            utc("2017-03-26T23:51:49Z"),
            "post",
            "text",
            "Swift: Alternative to Default Implementations in Protocols",
            "en",
            None,
            None,
            3,
            None,
        ),
        (
            "https://www.natashatherobot.com/?p=6602",
            utc("2017-07-07T11:06:10Z"),
            "post",
            "text",
            "The Easiest Way to Get a URL for your Apple Wallet Passkit Pass",
            "en",
            None,
            None,
            6,
            None,
        ),
    ]
    assert table(db_path, "SELECT text FROM posts WHERE post_id LIKE '%6578'") == [
        ("Why I decided against a nice refactor...",)
    ]
    p = Pseudonymiser()
    post = "https://www.natashatherobot.com/?p=6592"
    assert table(
        db_path,
        "SELECT comment_id, post_id, parent_id, by_institution, author, text FROM comments"
        " ORDER BY created_at",
    ) == [
        (
            post + "#comment-31391",
            post,
            post,
            False,
            p("feed", "natashatherobot.com|citizen one"),
            "Does this still work when the protocol has an associated type?",
        ),
        (
            post + "#comment-31398",
            post,
            post + "#comment-31391",
            True,
            f"feed:{BLOG}",
            "Yes, the extension only applies where the constraint holds.",
        ),
        (
            post + "#comment-31407",
            post,
            post,
            False,
            p("feed", "natashatherobot.com|citizen two"),
            "Thanks, that helped.",
        ),
    ]
    # feeds give no follower counts: NULL, never 0
    assert table(
        db_path, "SELECT followers, following, posts_count, views FROM account_snapshots"
    ) == [(None, None, None, None)]
    assert table(db_path, "SELECT stage, reason FROM run_errors") == [
        (
            "thread",
            (
                "comments of https://www.natashatherobot.com/?p=6602: HTTP 404 from "
                "https://www.natashatherobot.com/url-apple-wallet-passkit-pass/feed/"
            ),
        )
    ]
    assert (result.posts, result.comments, result.status) == (3, 3, "partial")


def test_atom_link_posts_and_no_comment_counts(feeds, db_path, client):
    register(db_path, ATOM)
    feeds.expect_request("/feed/atom/").respond_with_data(
        text("wordpress_atom.xml"), headers={"Content-Type": "application/atom+xml"}
    )
    result = runner.collect(db_path, platform="feed", client=client)
    assert result.status == "ok" and paths(feeds) == [("/feed/atom/", "")]
    assert table(
        db_path, "SELECT post_id, form, url, title, edited_at FROM posts ORDER BY created_at"
    ) == [
        (
            "http://onefoottsunami.com/?p=14858",
            "link",
            "http://www.rollingstone.com/sports/features/space-jam-forever-the-website-that-wouldnt-die-20150819?print=true",
            "Link: Space Jam Forever",
            None,
        ),
        (
            "http://onefoottsunami.com/?p=14861",
            "text",
            "http://onefoottsunami.com/2015/09/07/perverse-incentives-2/",
            "Perverse Incentives",
            utc("2015-09-07T12:21:22Z"),
        ),
        (
            "http://onefoottsunami.com/?p=14863",
            "link",
            "http://www.nytimes.com/2015/09/05/us/at-west-point-annual-pillow-fight-becomes-weaponized.html?mwrsm=Email&_r=1&pagewanted=all",
            "Link: Pillow Fight Leaves 24 Concussed",
            None,
        ),
    ]
    # the feed says nothing about comments: NULL, not 0
    assert table(db_path, "SELECT count(*), count(replies), count(likes) FROM post_snapshots") == [
        (3, 0, 0)
    ]


def test_youtube_channel_feed_views_and_likes_per_snapshot(feeds, db_path, client):
    register(db_path, YT)
    feeds.expect_request(
        "/feeds/videos.xml", query_string={"channel_id": "UC7_gcs09iThXybpVgjHZ_7g"}
    ).respond_with_data(
        text("youtube_channel.xml"), headers={"Content-Type": "text/xml; charset=UTF-8"}
    )
    runner.collect(db_path, platform="feed", client=client)
    assert paths(feeds) == [("/feeds/videos.xml", "channel_id=UC7_gcs09iThXybpVgjHZ_7g")]
    assert table(
        db_path,
        "SELECT post_id, created_at, form, url, title, s.views, s.likes, s.replies, s.shares"
        " FROM posts JOIN post_snapshots s USING (platform, post_id)",
    ) == [
        (
            "yt:video:0A1ouV7iD8o",
            utc("2020-12-22T19:15:01Z"),
            "video",
            "https://www.youtube.com/watch?v=0A1ouV7iD8o",
            "Navigating with Quantum Entanglement",
            304321,
            15020,
            None,
            None,
        )
    ]
    assert table(db_path, "SELECT platform_account_id FROM accounts") == [
        ("UC7_gcs09iThXybpVgjHZ_7g",)
    ]
    assert table(db_path, "SELECT count(*) FROM comments") == [(0,)]


def test_broken_xml_is_an_error_for_that_account_and_the_run_goes_on(feeds, db_path, client):
    register(db_path, "https://broken.example/feed/", ATOM)
    feeds.expect_request("/feed/").respond_with_data(text("broken_truncated.xml"), headers=RSS)
    feeds.expect_request("/feed/atom/").respond_with_data(text("wordpress_atom.xml"))
    result = runner.collect(db_path, platform="feed", client=client)
    assert (result.accounts_ok, result.accounts_failed, result.status) == (1, 1, "partial")
    assert table(db_path, "SELECT account_id, stage, reason FROM run_errors") == [
        (
            "feed:https://broken.example/feed/",
            "feed",
            (
                "https://broken.example/feed/: broken XML"
                " (line 45, column 35: unclosed CDATA section);"
                " feedparser's lenient parser recovered 2 entries,"
                " not stored as the document is damaged"
            ),
        ),
    ]
    assert table(db_path, "SELECT account_id, count(*) FROM posts GROUP BY ALL") == [
        (f"feed:{ATOM}", 3)
    ]
    assert table(db_path, "SELECT account_id, status FROM run_accounts ORDER BY account_id") == [
        ("feed:http://onefoottsunami.com/feed/atom/", "ok"),
        ("feed:https://broken.example/feed/", "failed"),
    ]


def test_a_page_that_is_not_a_feed_is_an_error(feeds, db_path, client):
    register(db_path, "https://broken.example/feed/")
    feeds.expect_request("/feed/").respond_with_data(
        "<html><body>Maintenance</body></html>", headers={"Content-Type": "text/html"}
    )
    result = runner.collect(db_path, platform="feed", client=client)
    assert result.status == "failed"
    assert table(db_path, "SELECT reason FROM run_errors") == [
        ("https://broken.example/feed/: not an RSS or Atom feed (no feed elements found)",)
    ]


def test_reread_gives_the_same_rows_as_the_original_run(feeds, db_path, client):
    register(db_path, BLOG, YT)
    feeds.expect_request("/feed/").respond_with_data(text("wordpress_rss2.xml"), headers=RSS)
    feeds.expect_request(
        "/swift-alternative-to-default-implementations-in-protocols/feed/"
    ).respond_with_data(text("wordpress_comments_rss2_constructed.xml"), headers=RSS)
    feeds.expect_request("/feeds/videos.xml").respond_with_data(text("youtube_channel.xml"))
    feeds.expect_request("/url-apple-wallet-passkit-pass/feed/").respond_with_data(
        "gone", status=404
    )
    feeds.expect_request("/swift-use-default-implementations-protocols/feed/").respond_with_data(
        "gone", status=404
    )
    result = runner.collect(db_path, platform="feed", client=client)
    tables = ("posts", "post_snapshots", "comments", "account_snapshots")
    before = {t: table(db_path, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    assert (len(before["posts"]), len(before["comments"])) == (4, 3)
    with db.connect(db_path) as con:
        con.execute("DELETE FROM comments")
        con.execute("UPDATE post_snapshots SET views = 0")
    again = runner.reread(db_path, result.run_id)
    assert (again.posts, again.comments) == (4, 3)
    assert {t: table(db_path, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_detect_and_the_feed_url_a_document_names():
    assert FeedCollector.detect(text("wordpress_rss2.xml")) == "feed"
    assert FeedCollector.detect(text("wordpress_atom.xml")) == "feed"
    assert FeedCollector.detect(text("youtube_channel.xml")) == "feed"
    assert FeedCollector.detect(text("wordpress_comments_rss2_constructed.xml")) == "comments"
    with pytest.raises(BrokenFeed, match="unclosed CDATA section"):
        FeedCollector.detect(text("broken_truncated.xml"))
    assert FeedCollector.detect({"feed": []}) is None
    assert FeedCollector.import_handle("feed", text("wordpress_rss2.xml")) == (BLOG, None)
    assert FeedCollector.import_handle("feed", text("wordpress_atom.xml")) == (ATOM, None)
    # the fixture has no self link: the channel feed's URL is built from the videos' channel id
    assert FeedCollector.import_handle("feed", text("youtube_channel.xml")) == (
        YT,
        "UC7_gcs09iThXybpVgjHZ_7g",
    )


def test_decode_uses_the_declared_encoding():
    doc = (
        '<?xml version="1.0" encoding="ISO-8859-2"?><rss version="2.0"><channel>'
        "<title>Primăria Târgu Jiu</title></channel></rss>"
    )
    raw = doc.encode("iso-8859-2")
    assert "Primăria Târgu Jiu" in decode(raw, "text/xml")
    assert "Primăria Târgu Jiu" in decode(doc.encode("utf-8"), "application/rss+xml; charset=UTF-8")


def test_enclosures_and_media_give_the_form():
    doc = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>P</title>'
        "<link>https://primaria.example</link>"
        "<item><title>a</title><link>https://primaria.example/a</link><guid>https://primaria.example/?p=1</guid>"
        "<pubDate>Mon, 01 Jun 2026 06:00:00 +0000</pubDate>"
        '<enclosure url="https://primaria.example/a.mp4" type="video/mp4" length="1"/></item>'
        "<item><title>b</title><link>https://primaria.example/b</link><guid>https://primaria.example/?p=2</guid>"
        "<pubDate>Mon, 01 Jun 2026 07:00:00 +0000</pubDate>"
        '<media:content url="https://primaria.example/b.jpg" medium="image"/></item>'
        "<item><title>c</title><link>https://primaria.example/c</link>"
        '<guid isPermaLink="false">3</guid>'
        "<pubDate>Mon, 01 Jun 2026 08:00:00 +0000</pubDate></item>"
        "</channel></rss>"
    )
    at = utc("2026-06-02T00:00:00Z")
    batch = FeedCollector.normalize(
        AccountRef("feed:x", "I1", "feed", "https://primaria.example/feed/"),
        [RawDoc("feed", "u", at, 200, doc)],
        Pseudonymiser(b"k"),
    )
    assert [(p["post_id"], p["form"], p["has_poll"]) for p in batch.posts] == [
        ("https://primaria.example/?p=1", "video", None),
        ("https://primaria.example/?p=2", "photo", None),
        ("https://primaria.example#3", "text", None),  # a bare guid is made unique with the site
    ]
