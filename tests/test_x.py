"""X API v2 collector against a local server replaying real API v2 payloads
(tests/fixtures/x, from sns-sdks/python-twitter and the X API docs; SOURCES.md)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import time

import pytest

from closer import db, registry
from monitor import runner
from monitor.base import AccountRef, RawDoc
from monitor.x import XCollector, username_of
from tests.conftest import FIXTURES, fast_client

F = FIXTURES / "x"
BEARER = "AAAAAAAAAAAAAAAAAAAAAtestBEARERq9z"
UID = "2244994945"
CREDS = {"CLOSER_X_BEARER_TOKEN": BEARER}


def load(name):
    return json.loads((F / name).read_text())


@pytest.fixture(autouse=True)
def _no_outside_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    for k in [k for k in os.environ if k.startswith("CLOSER_") and "TOKEN" in k]:
        monkeypatch.delenv(k)


@pytest.fixture
def api(httpserver, monkeypatch):
    monkeypatch.setenv(
        "CLOSER_ENDPOINTS", json.dumps({"api.x.com": httpserver.url_for("/").rstrip("/")})
    )
    return httpserver


def register(con, *handles):
    con.execute(
        "INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())"
    )
    for h in handles:
        registry.add_account(con, "I1", "x", h)
    con.close()


def rows(db_path, sql):
    with db.connect(db_path, read_only=True) as c:
        return c.execute(sql).fetchall()


RECENT = "1364275610764201984"  # made 1 day old below, so recent search covers it


def timeline_pages():
    p1 = load("user_tweets.json")
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    for t in p1["data"]:
        if t["id"] == RECENT:
            t["created_at"] = yesterday.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            t["conversation_id"] = RECENT
    last = load("tweet_full_fields.json")  # an own reply with an animated GIF: the last page
    p2 = {
        "data": [last],
        "includes": {"media": [{"media_key": "16_1211797899316740096", "type": "animated_gif"}]},
        "meta": {"result_count": 1, "newest_id": last["id"], "oldest_id": last["id"]},
    }
    return p1, p2


def replies_page():
    body = copy.deepcopy(load("search_recent_replies.json"))
    # one reply in the conversation is the institution's own (author edited)
    body["data"][1]["author_id"] = UID
    return body


def serve(srv, replies=None):
    srv.expect_request("/2/users/by/username/TwitterDev").respond_with_json(
        load("users_by_username.json")
    )
    p1, p2 = timeline_pages()
    srv.expect_oneshot_request(f"/2/users/{UID}/tweets").respond_with_json(p1)
    srv.expect_request(f"/2/users/{UID}/tweets").respond_with_json(p2)
    if replies is not None:
        srv.expect_request("/2/tweets/search/recent").respond_with_json(*replies)


def test_user_timeline_paging_and_recent_replies(db_path, con, api):
    register(con, "@TwitterDev")
    serve(api, (replies_page(),))
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "ok", res.errors
    assert all(req.headers["Authorization"] == f"Bearer {BEARER}" for req, _ in api.log)
    paths = [(req.path, dict(req.args)) for req, _ in api.log]
    assert paths[2][1]["pagination_token"] == "7140dibdnow9c7btw3w3itbygz8uu5pbs45oy6erjc2ls"
    assert (
        paths[3] == ("/2/tweets/search/recent", paths[3][1])
        and paths[3][1]["query"] == f"conversation_id:{RECENT}"
    )
    assert rows(db_path, "SELECT requests, posts, comments FROM runs") == [(4, 6, 4)]
    assert rows(
        db_path, "SELECT followers, following, posts_count, views FROM account_snapshots"
    ) == [(514020, 2038, 3639, None)]
    got = rows(
        db_path,
        "SELECT post_id, kind, form, likes, shares, replies, quotes, views FROM posts JOIN post_snapshots USING (platform, post_id) ORDER BY post_id",
    )
    assert got == [
        ("1212092628029698048", "reply", "video", 40, 8, 2, 1, None),
        ("1362439336910675970", "post", "link", 74, 16, 9, 3, None),
        ("1362439338169016324", "post", "text", 8, 1, 2, 0, None),
        ("1362439338978467841", "post", "text", 9, 0, 2, 0, None),
        ("1362876655061073928", "post", "link", 58, 21, 7, 1, None),
        ("1364275610764201984", "post", "link", 37, 10, 2, 1, None),
    ]
    assert rows(
        db_path, "SELECT in_reply_to_id FROM posts WHERE post_id = '1212092628029698048'"
    ) == [("1212092627178287104",)]
    c = rows(
        db_path,
        "SELECT comment_id, post_id, parent_id, by_institution, author FROM comments ORDER BY comment_id",
    )
    assert [r[:4] for r in c] == [
        ("1275653067283759104", RECENT, "1274086728471461889", False),
        ("1275763727908798470", RECENT, "1275653067283759104", False),
        ("1275882613572583424", RECENT, "1273733248749690880", True),
        ("1276035977375477760", RECENT, "1275653067283759104", False),
    ]
    assert c[2][4] == "x:twitterdev" and c[0][4].startswith("p_")
    # the 4 older own posts with replies: beyond recent search's 7 days, marked in the data
    cov = rows(db_path, "SELECT post_id, complete, reason FROM thread_coverage ORDER BY post_id")
    assert [r[0] for r in cov] == [
        "1362439336910675970",
        "1362439338169016324",
        "1362439338978467841",
        "1362876655061073928",
    ]
    assert all(
        r[1] is False and "older than the 7 days X recent search covers" in r[2] for r in cov
    )
    # citizens' names never stored (their texts may quote a @mention: what they wrote)
    assert b"Citizen 1" not in db_path.read_bytes()


def test_429_waits_for_x_rate_limit_reset_then_goes_on(db_path, con, api):
    register(con, "@TwitterDev")
    reset = int(time.time()) + 30
    api.expect_oneshot_request("/2/users/by/username/TwitterDev").respond_with_json(
        load("error_429_too_many_requests.json"),
        status=429,
        headers={
            "x-rate-limit-limit": "300",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
    )
    serve(api, ({"meta": {"result_count": 0}},))
    client = fast_client()
    res = runner.collect(db_path, client=client, credentials=CREDS)
    assert res.status == "ok", res.errors
    assert len(client.waits) == 1 and 0 < client.waits[0] <= 30


def test_429_longer_than_the_run_waits_stops_x(db_path, con, api):
    register(con, "@TwitterDev", "@XDevelopers")
    api.expect_request("/2/users/by/username/TwitterDev").respond_with_json(
        load("error_429_too_many_requests.json"),
        status=429,
        headers={"x-rate-limit-reset": str(int(time.time()) + 3600)},
    )
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "failed"
    assert len(api.log) == 1
    reason = rows(db_path, "SELECT reason FROM run_errors WHERE account_id = 'x:twitterdev'")[0][0]
    assert "X rate limit" in reason and "stopped for this run" in reason
    assert rows(db_path, "SELECT account_id, status FROM run_accounts ORDER BY account_id") == [
        ("x:twitterdev", "skipped"),
        ("x:xdevelopers", "skipped"),
    ]


def test_refused_bearer_token_marks_the_credential(db_path, con, api):
    register(con, "@TwitterDev")
    api.expect_request("/2/users/by/username/TwitterDev").respond_with_json(
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
        status=401,
    )
    runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert rows(db_path, "SELECT status FROM accounts") == [("token_invalid",)]
    assert rows(db_path, "SELECT status, credential_name FROM credential_status") == [
        ("token_invalid", "CLOSER_X_BEARER_TOKEN")
    ]


def test_search_not_allowed_by_the_access_level_is_recorded_once(db_path, con, api):
    register(con, "@TwitterDev")
    forbidden = {
        "client_id": "1",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.",
        "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
        "title": "Client Forbidden",
        "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    serve(api, (forbidden, 403))
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "partial"  # the posts are stored; the warning is recorded
    assert rows(db_path, "SELECT count(*) FROM posts") == [(6,)]
    assert rows(db_path, "SELECT stage, reason FROM run_errors") == [
        (
            "thread",
            "this X app's access level does not allow recent search (HTTP 403): replies not collected",
        )
    ]
    assert rows(db_path, f"SELECT reason FROM thread_coverage WHERE post_id = '{RECENT}'")[0][
        0
    ].startswith("this X app's access level")


def test_unknown_user(db_path, con, api):
    register(con, "@nosuchinst")
    api.expect_request("/2/users/by/username/nosuchinst").respond_with_json(
        {
            "errors": [
                {
                    "value": "nosuchinst",
                    "detail": "Could not find user with username: [nosuchinst].",
                    "title": "Not Found Error",
                    "resource_type": "user",
                    "parameter": "username",
                    "resource_id": "nosuchinst",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
            ]
        }
    )
    runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert rows(db_path, "SELECT status FROM accounts") == [("not_found",)]


def test_handles():
    assert username_of("https://x.com/PrimariaTest") == "PrimariaTest"
    assert username_of("twitter.com/PrimariaTest/") == "PrimariaTest"
    assert username_of("@PrimariaTest") == "PrimariaTest"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("users_by_username.json", "user"),
        ("user_tweets.json", "tweets"),
        ("quote_tweets_with_conversation_id.json", "tweets"),
        ("search_recent_replies.json", "replies"),
        ("tweet_full_fields.json", "tweets"),
        ("error_429_too_many_requests.json", None),
        ("error_400_invalid_request_real.json", None),
    ],
)
def test_detect_recognises_recorded_payloads(name, kind):
    assert XCollector.detect(load(name)) == kind


def test_recorded_payloads_normalise_through_detect_as_closer_import_does():
    acct = AccountRef("x:twitterdev", "I1", "x", "TwitterDev")
    t = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    names = ("users_by_username.json", "user_tweets.json", "quote_tweets_with_conversation_id.json")
    docs = [RawDoc(XCollector.detect(load(n)), f"file:{n}", t, 200, load(n)) for n in names]
    batch = XCollector.normalize(acct, docs, lambda p, a: "p_0123456789abcdef" if a else None)
    assert batch.account_snapshot["followers"] == 514020
    assert len(batch.posts) == 8
    assert XCollector.import_handle("user", load("users_by_username.json")) == ("TwitterDev", UID)
