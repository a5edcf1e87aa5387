"""Bluesky collector: real AppView payloads (tests/fixtures/bluesky) served by a local server."""

from __future__ import annotations

import copy
import datetime as dt
import json
import time

import pytest

from closer import db, registry
from closer.pseudonym import Pseudonymiser
from monitor import runner
from monitor.base import AccountRef, RawDoc
from monitor.bluesky import BlueskyCollector, content_form, sort_at
from tests.conftest import FIXTURES

BSKY = FIXTURES / "bluesky"
HANDLE = "example-institution.bsky.social"
DID = "did:plc:exampleinstitutionaaaaaa"
AID = f"bluesky:{HANDLE}"
POST = "at://did:plc:exampleinstitutionaaaaaa/app.bsky.feed.post/"
ENCODED = (
    "at%3A%2F%2Fdid%3Aplc%3Aexampleinstitutionaaaaaa%2Fapp.bsky.feed.post%2F"  # POST in a query
)
AT = dt.datetime(2025, 5, 19, 17, 26, 24, tzinfo=dt.UTC)
HEADERS = json.loads((BSKY / "response_headers.json").read_text())["getAuthorFeed.json"]
HEADERS = {
    k: v
    for k, v in HEADERS.items()
    if not k.startswith("_") and not k.startswith("RateLimit-Reset")
}


def load(name: str):
    return json.loads((BSKY / name).read_text(encoding="utf-8"))


def utc(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s)


@pytest.fixture
def bsky(httpserver, monkeypatch, db_path):
    """The local AppView, and the institution's account registered."""
    monkeypatch.setenv(
        "CLOSER_ENDPOINTS", json.dumps({"public.api.bsky.app": httpserver.url_for("").rstrip("/")})
    )
    with db.connect(db_path) as con:
        con.execute(
            "INSERT INTO institutions (institution_id, name, type, region, country)"
            " VALUES ('I1', 'Primăria X', 'city_hall', 'X', 'RO')"
        )
        registry.add_account(con, "I1", "bluesky", HANDLE)
    return httpserver


def serve_profile(server):
    server.expect_request(
        "/xrpc/app.bsky.actor.getProfile", query_string={"actor": HANDLE}
    ).respond_with_json(load("getProfile.json"), headers=HEADERS)


def split_feed():
    """The real 10-item getAuthorFeed cut in two pages, the first ending with a cursor."""
    feed = load("getAuthorFeed.json")
    first = {"feed": feed["feed"][:5], "cursor": feed["feed"][4]["post"]["indexedAt"]}
    second = {"feed": feed["feed"][5:]}  # the last page: no cursor
    return first, second


def queries(server, path):
    return [r.query_string.decode() for r, _ in server.log if r.path == path]


def table(db_path, sql):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_normalize_real_profile_and_author_feed():
    docs = [
        RawDoc("profile", "u", AT, 200, load("getProfile.json")),
        RawDoc("author_feed", "u", AT, 200, load("getAuthorFeed.json")),
    ]
    batch = BlueskyCollector.normalize(
        AccountRef(AID, "I1", "bluesky", HANDLE), docs, Pseudonymiser(b"k")
    )
    assert batch.account_snapshot == {
        "snapshot_at": AT,
        "followers": 554,
        "following": 296,
        "posts_count": 65,
        "views": None,
        "platform_account_id": DID,
    }
    posts = {p["post_id"].rsplit("/", 1)[-1]: p for p in batch.posts}
    assert len(posts) == 10
    assert {k: (p["kind"], p["form"]) for k, p in posts.items()} == {
        "3lof7sovfok2h": ("reply", "text"),
        "3loagm2phgk2t": ("post", "quote"),  # recordWithMedia
        "3lo7irc7njk2p": ("post", "link"),  # external
        "3lnneysi3ps2c#repost-by-did:plc:exampleinstitutionaaaaaa": ("repost", "repost"),
        "3llfoawcdhk26": ("post", "photo"),  # images
        "3lktjjvxvdk2g": ("post", "quote"),  # record
        "3lhh3shhmcc2p": ("post", "text"),
        "3lc5d6zspys2c": ("post", "quote"),
        "3l3qbvrkwvp2s": ("reply", "text"),
        "3koakqbeoil22": ("post", "photo"),
    }
    # Bluesky has no polls: NULL, never False
    assert {p["has_poll"] for p in batch.posts} == {None}
    # the earlier of createdAt (20:20:50.590) and indexedAt (20:20:50.224)
    assert posts["3lktjjvxvdk2g"]["created_at"] == utc("2025-03-20T20:20:50.224Z")
    assert (
        posts["3lof7sovfok2h"]["in_reply_to_id"]
        == f"at://{Pseudonymiser(b'k')('bluesky', 'did:plc:citizendaaaaaaaaaaaaaaaa')}"
        "/app.bsky.feed.post/3lobj4swhjo2x"
    )  # a citizen's DID is pseudonymised, the same way as in comment ids
    assert posts["3lo7irc7njk2p"]["url"] == f"https://bsky.app/profile/{HANDLE}/post/3lo7irc7njk2p"
    assert posts["3lo7irc7njk2p"]["links"] == [
        "https://github.com/example-institution-gh/harvard-diss"
    ]
    assert posts["3lo7irc7njk2p"]["lang"] == "en"
    # the repost: the repost's time; the reposted citizen's DID pseudonymised in the id and
    # no link to their post; not its text or counts
    repost = posts["3lnneysi3ps2c#repost-by-did:plc:exampleinstitutionaaaaaa"]
    citizen_e = Pseudonymiser(b"k")("bluesky", "did:plc:citizeneaaaaaaaaaaaaaaaa")
    assert repost["post_id"].startswith(f"at://{citizen_e}/app.bsky.feed.post/")
    assert repost["created_at"] == utc("2025-04-25T18:43:12.048Z")
    assert repost["url"] is None
    assert repost["text"] is None
    snaps = {s["post_id"].rsplit("/", 1)[-1]: s for s in batch.post_snapshots}
    assert len(snaps) == 9 and not any("repost" in k for k in snaps)
    assert snaps["3lc5d6zspys2c"] == {
        "post_id": POST + "3lc5d6zspys2c",
        "snapshot_at": AT,
        "likes": 12,
        "shares": 3,
        "replies": 3,
        "quotes": 2,
        "views": None,
    }


def test_content_form_of_a_video_embed_and_a_link_without_card():
    video = {
        "record": {"text": "x"},
        "embed": {"$type": "app.bsky.embed.video#view", "cid": "c", "playlist": "p"},
    }
    assert content_form(video) == "video"
    facet = {
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://primaria.example/"}]
    }
    assert content_form({"record": {"text": "see primaria.example", "facets": [facet]}}) == "link"
    assert content_form({"record": {"text": "hello"}}) == "text"


def test_sort_at_takes_the_earlier_time():
    assert sort_at(
        {"record": {"createdAt": "2030-01-01T00:00:00Z"}, "indexedAt": "2025-01-01T00:00:00.5Z"}
    ) == utc("2025-01-01T00:00:00.5Z")


def test_paging_sends_the_exact_queries_and_stops_without_cursor(bsky, db_path, client):
    serve_profile(bsky)
    first, second = split_feed()
    path = "/xrpc/app.bsky.feed.getAuthorFeed"
    bsky.expect_request(path, query_string={"actor": HANDLE, "limit": "100"}).respond_with_json(
        first
    )
    bsky.expect_request(
        path, query_string={"actor": HANDLE, "limit": "100", "cursor": first["cursor"]}
    ).respond_with_json(second)
    bsky.expect_request("/xrpc/app.bsky.feed.getPostThread").respond_with_json(
        {"error": "NotFound", "message": "Post not found"}, status=400
    )
    result = runner.collect(db_path, platform="bluesky", client=client)
    assert queries(bsky, path) == [
        f"actor={HANDLE}&limit=100",
        f"actor={HANDLE}&limit=100&cursor=2025-03-28T01%3A33%3A14.077Z",
    ]
    assert queries(bsky, "/xrpc/app.bsky.actor.getProfile") == [f"actor={HANDLE}"]
    assert result.posts == 10
    assert table(
        db_path, "SELECT count(*), count(DISTINCT post_id) FROM posts WHERE platform = 'bluesky'"
    ) == [(10, 10)]
    # the four own posts with replies each asked for their thread; the lost threads are warnings
    assert len(queries(bsky, "/xrpc/app.bsky.feed.getPostThread")) == 4
    assert table(db_path, "SELECT count(*) FROM run_errors WHERE stage = 'thread'") == [(4,)]
    assert result.status == "partial"


def test_paging_stops_at_the_first_page_reaching_past_since(bsky, db_path, client):
    serve_profile(bsky)
    first, second = split_feed()
    path = "/xrpc/app.bsky.feed.getAuthorFeed"
    bsky.expect_request(path, query_string={"actor": HANDLE, "limit": "100"}).respond_with_json(
        first
    )
    bsky.expect_request(
        path, query_string={"actor": HANDLE, "limit": "100", "cursor": first["cursor"]}
    ).respond_with_json(second)
    bsky.expect_request("/xrpc/app.bsky.feed.getPostThread").respond_with_json(
        load("getPostThread_nested_derived.json")
    )
    runner.collect(db_path, platform="bluesky", since=utc("2025-05-01T00:00:00Z"), client=client)
    assert queries(bsky, path) == [f"actor={HANDLE}&limit=100"]
    # in the window and with replies: 3lof7sovfok2h (1 reply) and 3lo7irc7njk2p (2)
    assert sorted(queries(bsky, "/xrpc/app.bsky.feed.getPostThread")) == [
        f"uri={ENCODED}3lo7irc7njk2p&depth=10&parentHeight=0",
        f"uri={ENCODED}3lof7sovfok2h&depth=10&parentHeight=0",
    ]


def test_thread_with_nested_deleted_and_blocked_replies(bsky, db_path, client):
    serve_profile(bsky)
    feed = load("getAuthorFeed.json")
    feed.pop("cursor")
    bsky.expect_request("/xrpc/app.bsky.feed.getAuthorFeed").respond_with_json(feed)
    thread = "/xrpc/app.bsky.feed.getPostThread"
    bsky.expect_request(
        thread, query_string={"uri": POST + "3lo7irc7njk2p", "depth": "10", "parentHeight": "0"}
    ).respond_with_json(load("getPostThread_nested_derived.json"))
    # the post was deleted since: the thread's root itself is a notFoundPost
    gone = {
        "thread": {
            "$type": "app.bsky.feed.defs#notFoundPost",
            "uri": POST + "3lhh3shhmcc2p",
            "notFound": True,
        }
    }
    bsky.expect_request(
        thread, query_string={"uri": POST + "3lhh3shhmcc2p", "depth": "10", "parentHeight": "0"}
    ).respond_with_json(gone)
    # a thread that is not under the account's post (not stored)
    bsky.expect_request(
        thread, query_string={"uri": POST + "3lof7sovfok2h", "depth": "10", "parentHeight": "0"}
    ).respond_with_json(load("getPostThread_single.json"))
    bsky.expect_request(
        thread, query_string={"uri": POST + "3lc5d6zspys2c", "depth": "10", "parentHeight": "0"}
    ).respond_with_json(
        {"error": "NotFound", "message": "Post not found: " + POST + "3lc5d6zspys2c"}, status=400
    )
    result = runner.collect(db_path, platform="bluesky", client=client)
    rows = table(
        db_path,
        "SELECT comment_id, post_id, parent_id, by_institution, author, lang, text, likes,"
        " created_at FROM comments ORDER BY created_at",
    )
    p = Pseudonymiser()
    # citizens' DIDs (public, resolvable identities) are replaced by their pseudonyms in ids
    e = f"at://{p('bluesky', 'did:plc:citizeneaaaaaaaaaaaaaaaa')}/app.bsky.feed.post/3jve4frgrzy2f"
    f = f"at://{p('bluesky', 'did:plc:citizenfaaaaaaaaaaaaaaaa')}/app.bsky.feed.post/3juml4dkt6z2o"
    g = f"at://{p('bluesky', 'did:plc:citizengaaaaaaaaaaaaaaaa')}/app.bsky.feed.post/3jujgwywl432g"
    answer = POST + "3lof7sovfok2h"
    root = POST + "3lo7irc7njk2p"
    assert [(r[0], r[1], r[2], r[3], r[4], r[7]) for r in rows] == [
        (g, root, answer, False, p("bluesky", "did:plc:citizengaaaaaaaaaaaaaaaa"), 3),
        (f, root, root, False, p("bluesky", "did:plc:citizenfaaaaaaaaaaaaaaaa"), 1),
        (e, root, root, False, p("bluesky", "did:plc:citizeneaaaaaaaaaaaaaaaa"), 1),
        (answer, root, e, True, AID, 0),
    ]
    assert rows[3][5:7] == ("en", rows[3][6]) and rows[3][6].startswith(
        "If you’re running this on GHA"
    )
    assert rows[2][8] == utc("2023-05-10T06:00:40.690Z")
    assert b"did:plc:citizen" not in db_path.read_bytes()
    assert table(db_path, "SELECT stage, reason FROM run_errors") == [
        (
            "thread",
            (
                f"thread of {POST}3lc5d6zspys2c: HTTP 400 NotFound:"
                f" Post not found: {POST}3lc5d6zspys2c"
            ),
        )
    ]
    assert result.comments == 4
    # no citizen handle or display name anywhere in the stored comments
    dump = json.dumps(table(db_path, "SELECT * FROM comments"), default=str)
    assert "citizen1.bsky.social" not in dump and "Citizen " not in dump


def test_rate_limited_profile_waits_until_ratelimit_reset_then_succeeds(bsky, db_path, client):
    reset = int(time.time()) + 30
    bsky.expect_oneshot_request("/xrpc/app.bsky.actor.getProfile").respond_with_json(
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        status=429,
        headers={
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": "3000;w=300",
        },
    )
    serve_profile(bsky)
    bsky.expect_request("/xrpc/app.bsky.feed.getAuthorFeed").respond_with_json({"feed": []})
    result = runner.collect(db_path, platform="bluesky", client=client)
    assert result.status == "ok"
    assert (
        len(client.waits) == 1 and 28 <= client.waits[0] <= 30
    )  # the seconds until the reset epoch
    assert queries(bsky, "/xrpc/app.bsky.actor.getProfile") == [
        f"actor={HANDLE}",
        f"actor={HANDLE}",
    ]
    assert table(db_path, "SELECT followers, following, posts_count FROM account_snapshots") == [
        (554, 296, 65)
    ]


def test_unknown_profile_marks_the_account_not_found_and_the_run_goes_on(bsky, db_path, client):
    with db.connect(db_path) as con:
        registry.add_account(con, "I1", "bluesky", "other.bsky.social")
    serve_profile(bsky)
    bsky.expect_request(
        "/xrpc/app.bsky.actor.getProfile", query_string={"actor": "other.bsky.social"}
    ).respond_with_json({"error": "InvalidRequest", "message": "Profile not found"}, status=400)
    bsky.expect_request("/xrpc/app.bsky.feed.getAuthorFeed").respond_with_json({"feed": []})
    result = runner.collect(db_path, platform="bluesky", client=client)
    assert (result.accounts_ok, result.accounts_failed, result.status) == (1, 1, "partial")
    assert table(db_path, "SELECT account_id, status FROM accounts ORDER BY account_id") == [
        (AID, "active"),
        ("bluesky:other.bsky.social", "not_found"),
    ]


def test_reread_gives_the_same_rows_as_the_original_run(bsky, db_path, client):
    serve_profile(bsky)
    feed = load("getAuthorFeed.json")
    feed.pop("cursor")
    bsky.expect_request("/xrpc/app.bsky.feed.getAuthorFeed").respond_with_json(feed)
    bsky.expect_request("/xrpc/app.bsky.feed.getPostThread").respond_with_json(
        load("getPostThread_nested_derived.json")
    )
    result = runner.collect(db_path, platform="bluesky", client=client)
    tables = ("posts", "post_snapshots", "comments", "account_snapshots")
    before = {t: table(db_path, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    assert len(before["posts"]) == 10 and len(before["comments"]) == 4
    with db.connect(db_path) as con:  # a normaliser bug had damaged the run's rows
        con.execute("UPDATE comments SET by_institution = false, text = 'damaged'")
        con.execute("DELETE FROM post_snapshots")
    again = runner.reread(db_path, result.run_id)
    assert (again.posts, again.comments) == (10, 4)
    assert {t: table(db_path, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_detect_recognises_each_real_response():
    assert BlueskyCollector.detect(load("getProfile.json")) == "profile"
    assert BlueskyCollector.detect(load("getAuthorFeed.json")) == "author_feed"
    assert BlueskyCollector.detect({"feed": []}) == "author_feed"
    for name in (
        "getPostThread.json",
        "getPostThread_single.json",
        "getPostThread_recordWithMedia.json",
    ):
        assert BlueskyCollector.detect(load(name)) == "thread"
    assert BlueskyCollector.detect(load("error_400_invalid_request.json")) is None
    assert BlueskyCollector.detect(load("getQuotes.json")) is None
    assert BlueskyCollector.detect([1, 2]) is None


def test_a_repost_record_uri_is_the_reposts_id_when_the_appview_gives_it():
    feed = load("getAuthorFeed.json")
    item = copy.deepcopy(feed["feed"][3])
    item["reason"]["uri"] = f"at://{DID}/app.bsky.feed.repost/3lnnfyzabc22x"
    batch = BlueskyCollector.normalize(
        AccountRef(AID, "I1", "bluesky", HANDLE, None, DID),
        [RawDoc("author_feed", "u", AT, 200, {"feed": [item]})],
        Pseudonymiser(b"k"),
    )
    assert [(p["post_id"], p["kind"]) for p in batch.posts] == [
        (f"at://{DID}/app.bsky.feed.repost/3lnnfyzabc22x", "repost")
    ]
    assert batch.post_snapshots == []
