"""Facebook Pages collector against a local server replaying real Graph API payloads
(tests/fixtures/facebook, from sns-sdks/python-facebook and the Graph API docs; SOURCES.md)."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from closer import db, registry
from monitor import runner
from monitor.base import AccountRef, RawDoc
from monitor.facebook import POST_FIELDS, FacebookCollector, page_ref, post_form, token_expiry
from tests.conftest import FIXTURES, fast_client

F = FIXTURES / "facebook"
TOKEN = "EAAGfbTESTpageTOKEN7c1d"
PAGE_ID = "19292868552"
V = "/v21.0"
CREDS = {"CLOSER_FACEBOOK_TOKEN__I1": TOKEN}


def load(name):
    return json.loads((F / name).read_text())


@pytest.fixture(autouse=True)
def _no_outside_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    for k in [k for k in __import__("os").environ if k.startswith("CLOSER_") and "TOKEN" in k]:
        monkeypatch.delenv(k)


@pytest.fixture
def graph(httpserver, monkeypatch):
    monkeypatch.setenv(
        "CLOSER_ENDPOINTS", json.dumps({"graph.facebook.com": httpserver.url_for("/").rstrip("/")})
    )
    return httpserver


@pytest.fixture
def registered(con):
    con.execute(
        "INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())"
    )
    registry.add_account(con, "I1", "facebook", "https://www.facebook.com/FacebookforDevelopers/")
    con.close()
    return "facebook:https://www.facebook.com/FacebookforDevelopers/"


def rows(db_path, sql, params=None):
    with db.connect(db_path, read_only=True) as c:
        return c.execute(sql, params or []).fetchall()


def page_doc():
    p = load("page_fields.json")
    p.update(id=PAGE_ID, username="FacebookforDevelopers", name="Facebook for Developers")
    return p


def serve_page_and_posts(srv):
    srv.expect_request(f"{V}/FacebookforDevelopers").respond_with_json(page_doc())
    srv.expect_request(f"{V}/debug_token").respond_with_json(load("debug_token.json"))
    srv.expect_request(f"{V}/{PAGE_ID}/posts").respond_with_json(load("page_feed_p1.json"))
    # page_feed_p1's own paging.next, as recorded: /v10.0/19292868552/feed?…&after=after
    srv.expect_request(f"/v10.0/{PAGE_ID}/feed").respond_with_json(load("page_feed_p2.json"))


CITIZEN_ID = "2711636948859886"


def comments_of_first_post():
    """A citizen's comment (real, comment_with_from.json) and the page's answer to it."""
    citizen = load("comment_with_from.json")
    answer = {
        "id": "10158349356748553_4000000000000001",
        "created_time": "2021-07-23T10:05:18+0000",
        "message": "Mulțumim, revenim cu detalii.",
        "from": {"name": "Facebook for Developers", "id": PAGE_ID},
        "parent": {"id": citizen["id"]},
        "like_count": 2,
        "comment_count": 0,
    }
    return {"data": [citizen, answer], "paging": {"cursors": {"before": "b", "after": "a"}}}


def test_page_posts_paging_forms_counts_and_threads(db_path, registered, graph):
    serve_page_and_posts(graph)
    first, second, *others = [
        p["id"] for p in load("page_feed_p1.json")["data"] + load("page_feed_p2.json")["data"]
    ]
    graph.expect_request(f"{V}/{first}/comments").respond_with_json(comments_of_first_post())
    graph.expect_request(f"{V}/{second}/comments").respond_with_json(load("comments_p1.json"))
    # comments_p1's recorded paging.next → /v11.0/<post>/comments?…&after=after: the last page
    graph.expect_request("/v11.0/19292868552_10158407654328553/comments").respond_with_json(
        {"data": []}
    )
    for pid in others:
        graph.expect_request(f"{V}/{pid}/comments").respond_with_json({"data": []})
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "ok", res.errors

    # the token travels in the Authorization header, never in a query string
    for req, _ in graph.log:
        assert "access_token" not in req.args
        assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    # page + debug_token + 2 post pages + 5 comment lists (+1 second page for the 2nd post)
    assert rows(db_path, "SELECT requests, posts, comments FROM runs") == [(10, 5, 6)]

    assert rows(
        db_path, "SELECT followers, following, posts_count, views, source FROM account_snapshots"
    ) == [
        (214507731, None, None, None, "api")  # no followers_count in this page: fan_count
    ]
    assert rows(db_path, "SELECT platform_account_id FROM accounts") == [(PAGE_ID,)]
    got = rows(
        db_path,
        "SELECT p.post_id, form, likes, shares, replies, views FROM posts p JOIN post_snapshots s USING (platform, post_id) ORDER BY created_at DESC",
    )
    assert got == [
        ("19292868552_10158349356748553", "photo", 125, 10, 13, None),
        ("19292868552_10158347294088553", "link", 131, 6, 17, None),
        ("19292868552_10158333323653553", "video", 179, 15, 49, None),
        ("19292868552_10158331020098553", "link", 157, 17, 23, None),
        ("19292868552_10158329301388553", "photo", 219, 19, 16, None),
    ]
    link = rows(db_path, "SELECT links FROM posts WHERE post_id = '19292868552_10158347294088553'")[
        0
    ][0]
    assert link[0].startswith(
        "https://engineering.fb.com/2021/05/20/networking-traffic/peering-automation/"
    )

    c = rows(
        db_path,
        "SELECT comment_id, post_id, parent_id, by_institution, author, created_at FROM comments ORDER BY created_at",
    )
    assert len(c) == 6
    citizen = next(r for r in c if r[0] == "2954961744718970_2966313500250461")
    answer = next(r for r in c if r[0] == "10158349356748553_4000000000000001")
    assert citizen[1:4] == (first, first, False) and citizen[4].startswith("p_")
    assert answer[1:5] == (first, "2954961744718970_2966313500250461", True, registered)
    assert answer[5] == dt.datetime(2021, 7, 23, 10, 5, 18, tzinfo=dt.UTC)
    # comments_p1 (no `from`: a token without the page's own access): author unknown, not guessed
    reply = next(r for r in c if r[0] == "10158347294088553_10158409983033553")
    assert reply[1:5] == (second, "10158347294088553_10158407903973553", False, None)
    raw = db_path.read_bytes()
    assert b"Citizen One" not in raw and CITIZEN_ID.encode() not in raw

    # the admin sees the token's expiry: the earlier of expires_at and data_access_expires_at
    assert rows(
        db_path,
        "SELECT status, credential_name, expires_at, never_expires, expiry_source, scopes FROM credential_status",
    ) == [
        (
            "ok",
            "CLOSER_FACEBOOK_TOKEN__I1",
            dt.datetime(2019, 12, 26, 8, 0, tzinfo=dt.UTC),
            False,
            "platform",
            ["email", "read_insights", "manage_pages", "pages_show_list", "public_profile"],
        )
    ]


def test_code_4_waits_as_the_usage_header_says_then_goes_on(db_path, registered, graph):
    usage = {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 20,
                "estimated_time_to_regain_access": 2,
            }
        ]
    }
    graph.expect_oneshot_request(f"{V}/FacebookforDevelopers").respond_with_json(
        {
            "error": {
                "message": "(#4) Application request limit reached",
                "type": "OAuthException",
                "code": 4,
                "fbtrace_id": "Aa1",
            }
        },
        status=403,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )
    graph.expect_request(f"{V}/FacebookforDevelopers").respond_with_json(page_doc())
    graph.expect_request(f"{V}/debug_token").respond_with_json(load("debug_token.json"))
    graph.expect_request(f"{V}/{PAGE_ID}/posts").respond_with_json({"data": []})
    client = fast_client()
    res = runner.collect(db_path, client=client, credentials=CREDS)
    assert res.status == "ok", res.errors
    assert client.waits == [120.0]  # estimated_time_to_regain_access: 2 minutes
    assert rows(db_path, "SELECT followers FROM account_snapshots") == [(214507731,)]


def test_persistent_throttling_stops_facebook_for_the_run_after_bounded_waits(db_path, con, graph):
    con.execute("INSERT INTO institutions VALUES ('I1', 'A', 'city_hall', 'R', NULL, 'RO', now())")
    registry.add_account(con, "I1", "facebook", "pagina.a")
    registry.add_account(con, "I1", "facebook", "pagina.b")
    con.close()
    body = {
        "error": {
            "message": "(#613) Calls to this api have exceeded the rate limit.",
            "type": "OAuthException",
            "code": 613,
            "fbtrace_id": "Ab2",
        }
    }
    graph.expect_request(f"{V}/pagina.a").respond_with_json(body, status=400)
    client = fast_client()
    res = runner.collect(db_path, client=client, credentials={"CLOSER_FACEBOOK_TOKEN": TOKEN})
    assert res.status == "failed"
    assert client.waits == [60.0, 120.0, 240.0]  # no usage header: backoff, 3 waits at most
    assert len(graph.log) == 4  # pagina.b is not tried
    # the runner records an account that stopped its platform before any document as skipped
    assert rows(db_path, "SELECT account_id, status FROM run_accounts ORDER BY account_id") == [
        ("facebook:pagina.a", "skipped"),
        ("facebook:pagina.b", "skipped"),
    ]
    errs = rows(db_path, "SELECT account_id, stage, reason FROM run_errors ORDER BY account_id")
    assert (
        errs[0][1] == "rate_limit"
        and "Graph error 613" in errs[0][2]
        and "stopped for this run" in errs[0][2]
    )
    assert errs[1][1] == "skipped"
    assert rows(db_path, "SELECT account_id, status FROM credential_status") == [
        ("facebook:pagina.a", "rate_limited")
    ]


def test_page_throttling_fails_only_that_page(db_path, con, graph):
    con.execute("INSERT INTO institutions VALUES ('I1', 'A', 'city_hall', 'R', NULL, 'RO', now())")
    registry.add_account(con, "I1", "facebook", "pagina.a")
    registry.add_account(con, "I1", "facebook", "pagina.b")
    con.close()
    graph.expect_request(f"{V}/pagina.a").respond_with_json(
        load("error_32_page_rate_limit_docs_example.json"), status=400
    )
    page_b = dict(page_doc(), id="222", username="pagina.b", followers_count=1500)
    graph.expect_request(f"{V}/pagina.b").respond_with_json(page_b)
    graph.expect_request(f"{V}/debug_token").respond_with_json(load("debug_token.json"))
    graph.expect_request(f"{V}/222/posts").respond_with_json({"data": []})
    res = runner.collect(
        db_path, client=fast_client(), credentials={"CLOSER_FACEBOOK_TOKEN": TOKEN}
    )
    assert res.status == "partial"
    assert rows(db_path, "SELECT account_id, status FROM run_accounts ORDER BY account_id") == [
        ("facebook:pagina.a", "failed"),
        ("facebook:pagina.b", "ok"),
    ]
    assert rows(db_path, "SELECT account_id, followers FROM account_snapshots") == [
        ("facebook:pagina.b", 1500)
    ]


def test_expired_token_marks_the_account_with_a_clear_message(db_path, registered, graph):
    expired = load("error_190_docs_example.json")
    expired["error"].update(
        message="Error validating access token: Session has expired on Thursday, 01-Jan-26 00:00:00 PST.",
        error_subcode=463,
    )
    graph.expect_request(f"{V}/FacebookforDevelopers").respond_with_json(expired, status=400)
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "failed"
    status, reason = rows(db_path, "SELECT status, status_reason FROM accounts")[0]
    assert status == "token_expired"
    assert (
        "has expired" in reason
        and "CLOSER_FACEBOOK_TOKEN__I1" in reason
        and "Graph error 190/463" in reason
    )
    assert TOKEN not in reason
    assert rows(db_path, "SELECT status, credential_name FROM credential_status") == [
        ("token_expired", "CLOSER_FACEBOOK_TOKEN__I1")
    ]


def test_unknown_object_marks_the_account_not_found(db_path, registered, graph):
    graph.expect_request(f"{V}/FacebookforDevelopers").respond_with_json(
        load("error_100_object_missing_real.json"), status=400
    )
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "failed"
    assert rows(db_path, "SELECT status FROM accounts") == [("not_found",)]
    assert "Graph error 100" in rows(db_path, "SELECT reason FROM run_errors")[0][0]


def test_no_token_skips_the_account_with_the_reason(db_path, registered, graph):
    res = runner.collect(db_path, client=fast_client())
    assert len(graph.log) == 0
    assert rows(db_path, "SELECT status FROM run_accounts") == [("skipped",)]
    stage, reason = rows(db_path, "SELECT stage, reason FROM run_errors")[0]
    assert stage == "credentials"
    assert reason.startswith(
        "no token configured for facebook:https://www.facebook.com/FacebookforDevelopers/: set CLOSER_FACEBOOK_TOKEN__I1"
    )
    assert rows(db_path, "SELECT status FROM accounts") == [("no_token",)]
    assert res.accounts_failed == 1


def test_since_stops_paging_at_older_posts(db_path, registered, graph):
    graph.expect_request(f"{V}/FacebookforDevelopers").respond_with_json(page_doc())
    graph.expect_request(f"{V}/debug_token").respond_with_json(load("debug_token.json"))
    graph.expect_request(f"{V}/{PAGE_ID}/posts").respond_with_json(load("page_feed_p1.json"))
    graph.expect_request(f"{V}/19292868552_10158349356748553/comments").respond_with_json(
        {"data": []}
    )
    since = dt.datetime(2021, 7, 9, tzinfo=dt.UTC)
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS, since=since)
    assert res.status == "ok", res.errors
    ((req, _),) = [e for e in graph.log if e[0].path.endswith("/posts")]
    assert req.args["since"] == str(int(since.timestamp()))
    # page 1 already reaches posts older than `since`: no second page; posts kept are in the window
    assert not [e for e in graph.log if "/feed" in e[0].path]
    assert rows(db_path, "SELECT count(*) FROM comments") == [(0,)]


def test_forms_from_attachments():
    feed = load("page_feed_p1.json")["data"]
    assert [post_form(p) for p in feed] == ["photo", "link", "video"]
    assert post_form(load("post_album_attachment.json")) == "photo"
    assert (
        post_form(
            {
                "attachments": {
                    "data": [{"type": "event", "url": "https://www.facebook.com/events/1/"}]
                }
            }
        )
        == "event"
    )
    assert (
        post_form({"status_type": "mobile_status_update", "message": "Program: luni 8-16"})
        == "text"
    )
    assert post_form({"message": "Detalii: https://primaria.example/anunt"}) == "link"


def test_handles_and_token_expiry():
    assert page_ref("https://www.facebook.com/primaria.arinesti/") == "primaria.arinesti"
    assert page_ref("https://www.facebook.com/profile.php?id=100064") == "100064"
    assert page_ref("https://www.facebook.com/people/Primaria-X/100065/") == "100065"
    assert page_ref("primaria.arinesti") == "primaria.arinesti"
    assert token_expiry({"expires_at": 0, "data_access_expires_at": 0, "scopes": []}) == {
        "scopes": None,
        "never_expires": True,
    }
    assert token_expiry({"expires_at": 0, "data_access_expires_at": 1585040349})[
        "expires_at"
    ] == dt.datetime(2020, 3, 24, 8, 59, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("page.json", "page"),
        ("page_fields.json", "page"),
        ("page_feed_p1.json", "posts"),
        ("post_album_attachment.json", "posts"),
        ("comments_p1.json", "comments"),
        ("comment_with_from.json", "comments"),
        ("debug_token.json", "token"),
        ("error_190_docs_example.json", None),
    ],
)
def test_detect_recognises_recorded_payloads(name, kind):
    assert FacebookCollector.detect(load(name)) == kind


def test_recorded_payloads_normalise_through_detect_as_closer_import_does():
    acct = AccountRef("facebook:FacebookforDevelopers", "I1", "facebook", "FacebookforDevelopers")
    t = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    docs = [
        RawDoc(FacebookCollector.detect(load(n)), f"file:{n}", t, 200, load(n))
        for n in ("page.json", "page_feed_p2.json", "comment_with_from.json")
    ]
    batch = FacebookCollector.normalize(acct, docs, lambda p, a: f"p_{a}"[:18] if a else None)
    assert (
        batch.account_snapshot["followers"] == 214507731
        and batch.account_snapshot["snapshot_at"] == t
    )
    assert [(p["post_id"], p["form"]) for p in batch.posts] == [
        ("19292868552_10158331020098553", "link"),
        ("19292868552_10158329301388553", "photo"),
    ]
    # a comment file without its post: the post is read from the permalink
    assert [(c["post_id"], c["by_institution"]) for c in batch.comments] == [
        ("2121008874780932_2954961744718970", False)
    ]
    assert FacebookCollector.import_handle("page", load("page.json")) == (
        "facebookapp",
        "20531316728",
    )


def test_shares_absent_means_none_shared_when_counts_were_asked():
    post = copy.deepcopy(load("post_album_attachment.json"))
    acct = AccountRef("facebook:x", "I1", "facebook", "x")
    t = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    snap = FacebookCollector.normalize(
        acct, [RawDoc("posts", "u", t, 200, post)], lambda p, a: None
    ).post_snapshots[0]
    assert (snap["likes"], snap["shares"], snap["replies"]) == (8878, 0, 47)
    bare = {"id": "1_2", "created_time": "2026-01-01T10:00:00+0000", "message": "x"}
    snap = FacebookCollector.normalize(
        acct, [RawDoc("posts", "u", t, 200, {"data": [bare]})], lambda p, a: None
    ).post_snapshots[0]
    assert (snap["likes"], snap["shares"], snap["replies"]) == (None, None, None)


def test_a_page_too_heavy_for_graph_is_asked_again_smaller(db_path, registered, graph):
    graph.expect_request(f"{V}/FacebookforDevelopers").respond_with_json(page_doc())
    graph.expect_request(f"{V}/debug_token").respond_with_json(load("debug_token.json"))
    heavy = {
        "error": {
            "message": "Please reduce the amount of data you're asking for, then retry your request",
            "code": 1,
            "type": "OAuthException",
            "fbtrace_id": "Ac3",
        }
    }
    posts = f"{V}/{PAGE_ID}/posts"
    graph.expect_request(posts, query_string={"fields": POST_FIELDS, "limit": "50"}).respond_with_json(heavy, status=500)
    graph.expect_request(posts, query_string={"fields": POST_FIELDS, "limit": "25"}).respond_with_json({"data": []})
    client = fast_client()
    res = runner.collect(db_path, client=client, credentials=CREDS)
    assert res.status == "ok", res.errors
    limits = [req.args["limit"] for req, _ in graph.log if req.path.endswith("/posts")]
    # HTTP 500: the shared client tries 5 times, then Closer asks for half as many posts
    assert limits == ["50"] * 5 + ["25"]
