"""Mastodon collector against a local server replaying real recorded responses
(tests/fixtures/mastodon, from Mastodon.py's cassettes; see SOURCES.md there)."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from closer import db, registry
from monitor import runner
from monitor.base import AccountRef
from monitor.mastodon import MastodonCollector
from tests.conftest import FIXTURES, fast_client

M = FIXTURES / "mastodon"
HOST = "social.example"
HANDLE = "@mastodonpy_test@social.example"
OWN_ID = "117020565966271181"


def load(name):
    return json.loads((M / name).read_text())


@pytest.fixture
def endpoint(httpserver, monkeypatch):
    monkeypatch.setenv("CLOSER_ENDPOINTS", json.dumps({HOST: httpserver.url_for("/").rstrip("/")}))
    return httpserver


@pytest.fixture
def registered(con):
    con.execute("INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())")
    registry.add_account(con, "I1", "mastodon", HANDLE)
    return con


def serve_timeline(httpserver, pages, lookup=None):
    """lookup, then `pages` (lists of statuses) linked by real-format Link headers, then []."""
    httpserver.expect_request("/api/v1/accounts/lookup", query_string={"acct": "mastodonpy_test"}).respond_with_json(lookup or load("account_lookup.json"))
    max_id = None
    for page in [*pages, []]:
        qs = {"limit": "40"} if max_id is None else {"limit": "40", "max_id": max_id}
        headers = {}
        if page:
            nxt = page[-1]["id"]
            headers["Link"] = (
                f'<https://{HOST}/api/v1/accounts/{OWN_ID}/statuses?limit=40&max_id={nxt}>; rel="next", '
                f'<https://{HOST}/api/v1/accounts/{OWN_ID}/statuses?limit=40&min_id={page[0]["id"]}>; rel="prev"'
            )
            max_id = nxt
        httpserver.expect_request(f"/api/v1/accounts/{OWN_ID}/statuses", query_string=qs).respond_with_json(page, headers=headers)


def collect(db_path, **kw):
    return runner.collect(db_path, client=kw.pop("client", None) or fast_client(), **kw)


def rows(db_path, sql):
    with db.connect(db_path, read_only=True) as c:
        return c.execute(sql).fetchall()


def test_paging_follows_the_link_header_and_stores_every_status(db_path, registered, endpoint):
    registered.close()
    serve_timeline(endpoint, [load("account_statuses_page1.json"), load("account_statuses_page2.json")])
    res = collect(db_path)
    assert res.status == "ok", res.errors
    got = rows(db_path, "SELECT post_id FROM posts ORDER BY post_id DESC")
    expected = [s["id"] for s in load("account_statuses_page1.json") + load("account_statuses_page2.json")]
    assert [r[0] for r in got] == sorted(expected, reverse=True)
    assert len(expected) == 10
    # 1 lookup + 3 timeline pages (the last one empty); no context: no status has replies
    assert rows(db_path, "SELECT requests, posts FROM runs") == [(4, 10)]
    assert rows(db_path, "SELECT followers, following, posts_count FROM account_snapshots") == [(0, 0, 0)]


def test_forms_kinds_and_counts_from_real_statuses():
    acct = AccountRef("mastodon:citizen1@remote.example", "I1", "mastodon", "@citizen1@remote.example")
    from monitor.base import RawDoc

    t = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    docs = [RawDoc("statuses", "u", t, 200, load("account_statuses.json")), RawDoc("statuses", "u", t, 200, load("statuses_localhost_samples.json"))]
    batch = MastodonCollector.normalize(acct, docs, lambda p, a: "p_x")
    by_id = {p["post_id"]: p for p in batch.posts}
    assert (by_id["110447098625216345"]["form"], by_id["110447098625216345"]["kind"]) == ("link", "post")
    assert (by_id["110447003454258227"]["form"], by_id["110447003454258227"]["kind"]) == ("photo", "reply")
    assert by_id["110447001287656894"]["form"] == "video"
    assert by_id["110446183735368325"]["form"] == "poll" and by_id["110446183735368325"]["has_poll"] is True
    assert by_id["110446983178245440"]["form"] == "text"
    assert (by_id["117020569768720055"]["kind"], by_id["117020569768720055"]["form"]) == ("repost", "repost")
    assert by_id["117020576664345360"]["form"] == "photo"
    assert by_id["110446183735368325"]["created_at"] == dt.datetime(2023, 5, 28, 11, 57, 0, 378000, tzinfo=dt.timezone.utc)
    snaps = {s["post_id"]: s for s in batch.post_snapshots}
    src = {s["id"]: s for s in load("account_statuses.json")}
    for sid, s in src.items():
        assert (snaps[sid]["likes"], snaps[sid]["shares"], snaps[sid]["replies"]) == (s["favourites_count"], s["reblogs_count"], s["replies_count"])
        assert snaps[sid]["views"] is None  # Mastodon gives no views: NULL, not 0
        assert snaps[sid]["snapshot_at"] == t


def _status(template, sid, account, created, reply_to=None, text="<p>x</p>"):
    s = copy.deepcopy(template)
    s.update(id=sid, created_at=created, in_reply_to_id=reply_to, content=text, account=account, replies_count=0)
    return s


def test_thread_tells_institution_replies_from_citizens_and_pseudonymises(db_path, registered, endpoint):
    registered.close()
    real = load("account_statuses_page1.json")
    own = real[0]["account"]
    citizen = copy.deepcopy(load("status_context.json")["descendants"][0]["account"])
    root = dict(real[0], replies_count=2)
    descendants = [
        _status(real[1], "900", citizen, "2026-08-01T14:00:00.000Z", root["id"], "<p>Când se repară strada?</p>"),
        _status(real[1], "901", own, "2026-08-01T15:30:00.000Z", "900", "<p>Mâine dimineață.</p>"),
        _status(real[1], "902", citizen, "2026-08-01T16:00:00.000Z", "901", "<p>Mulțumesc!</p>"),
    ]
    serve_timeline(endpoint, [[root]])
    endpoint.expect_request(f"/api/v1/statuses/{root['id']}/context").respond_with_json({"ancestors": [], "descendants": descendants})
    res = collect(db_path)
    assert res.status == "ok", res.errors
    got = rows(db_path, "SELECT comment_id, post_id, parent_id, by_institution, author, text FROM comments ORDER BY comment_id")
    assert [g[:4] for g in got] == [("900", root["id"], root["id"], False), ("901", root["id"], "900", True), ("902", root["id"], "901", False)]
    assert got[1][4] == "mastodon:mastodonpy_test@social.example"
    assert got[0][4] == got[2][4] and got[0][4].startswith("p_") and len(got[0][4]) == 18
    assert got[0][5] == "Când se repară strada?"
    raw = db_path.read_bytes()
    assert citizen["acct"].encode() not in raw and citizen["url"].encode() not in raw


def test_429_waits_as_retry_after_says_then_succeeds(db_path, registered, endpoint):
    registered.close()
    endpoint.expect_oneshot_request("/api/v1/accounts/lookup").respond_with_json({"error": "Too many requests"}, status=429, headers={"Retry-After": "7"})
    serve_timeline(endpoint, [load("account_statuses_page1.json")])
    client = fast_client()
    res = collect(db_path, client=client)
    assert res.status == "ok", res.errors
    assert client.waits == [7.0]
    assert rows(db_path, "SELECT count(*) FROM posts") == [(5,)]


def test_429_waits_until_x_ratelimit_reset(db_path, registered, endpoint):
    registered.close()
    reset = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    endpoint.expect_oneshot_request("/api/v1/accounts/lookup").respond_with_json({"error": "Too many requests"}, status=429, headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    serve_timeline(endpoint, [])
    client = fast_client()
    assert collect(db_path, client=client).status == "ok"
    assert len(client.waits) == 1 and 115 < client.waits[0] <= 120


def test_500_then_success(db_path, registered, endpoint):
    registered.close()
    endpoint.expect_oneshot_request("/api/v1/accounts/lookup").respond_with_data("oops", status=500)
    endpoint.expect_oneshot_request("/api/v1/accounts/lookup").respond_with_data("oops", status=502)
    serve_timeline(endpoint, [load("account_statuses_page1.json")])
    client = fast_client(backoff=1.0)
    assert collect(db_path, client=client).status == "ok"
    assert client.waits == [1.0, 2.0]  # exponential backoff
    assert rows(db_path, "SELECT count(*) FROM posts") == [(5,)]


def test_a_404_account_is_recorded_and_the_others_are_stored(db_path, registered, endpoint):
    registry.add_account(registered, "I1", "mastodon", "@gone@social.example")
    registered.close()
    endpoint.expect_request("/api/v1/accounts/lookup", query_string={"acct": "gone"}).respond_with_json(load("error_404_record_not_found.json"), status=404)
    serve_timeline(endpoint, [load("account_statuses_page1.json")])
    res = collect(db_path)
    assert (res.status, res.accounts_ok, res.accounts_failed) == ("partial", 1, 1)
    assert rows(db_path, "SELECT account_id, stage, reason FROM run_errors") == [
        ("mastodon:gone@social.example", "lookup", "account @gone@social.example not found (HTTP 404)")
    ]
    assert rows(db_path, "SELECT account_id, status FROM accounts ORDER BY account_id") == [
        ("mastodon:gone@social.example", "not_found"),
        ("mastodon:mastodonpy_test@social.example", "active"),
    ]
    assert rows(db_path, "SELECT count(*) FROM posts") == [(5,)]
    assert rows(db_path, "SELECT status, accounts_ok, accounts_failed, errors FROM runs") == [("partial", 1, 1, 1)]


def test_malformed_json_is_recorded_not_fatal(db_path, registered, endpoint):
    registry.add_account(registered, "I1", "mastodon", "@broken@social.example")
    registered.close()
    endpoint.expect_request("/api/v1/accounts/lookup", query_string={"acct": "broken"}).respond_with_data('{"id": "5", "acct": ', content_type="application/json")
    serve_timeline(endpoint, [load("account_statuses_page1.json")])
    res = collect(db_path)
    assert (res.status, res.accounts_ok, res.accounts_failed) == ("partial", 1, 1)
    [(acc, stage, reason)] = rows(db_path, "SELECT account_id, stage, reason FROM run_errors")
    assert acc == "mastodon:broken@social.example" and stage == "fetch"
    assert reason.startswith("malformed response from http://") and "invalid JSON" in reason


def test_rerunning_and_rereading_never_double_count(db_path, registered, endpoint):
    registered.close()
    serve_timeline(endpoint, [load("account_statuses_page1.json"), load("account_statuses_page2.json")])
    first = collect(db_path)
    second = collect(db_path)
    assert rows(db_path, "SELECT count(*), count(DISTINCT post_id) FROM posts") == [(10, 10)]
    # counts are a time series: one snapshot per post per run
    assert rows(db_path, "SELECT count(*) FROM post_snapshots") == [(20,)]
    assert rows(db_path, "SELECT count(*) FROM account_snapshots") == [(2,)]
    before = rows(db_path, "SELECT * FROM post_snapshots ORDER BY run_id, post_id")
    runner.reread(db_path, first.run_id)
    runner.reread(db_path, second.run_id)
    assert rows(db_path, "SELECT * FROM post_snapshots ORDER BY run_id, post_id") == before
    assert rows(db_path, "SELECT count(*) FROM posts") == [(10,)]
    assert rows(db_path, "SELECT first_run_id, last_run_id FROM posts LIMIT 1") == [(first.run_id, second.run_id)]


def test_since_stops_paging_at_the_window(db_path, registered, endpoint):
    registered.close()
    page1 = load("account_statuses_page1.json")
    # only the first page is served: the collector must not ask for the second
    serve_timeline(endpoint, [page1])
    cut = dt.datetime.fromisoformat(page1[2]["created_at"].replace("Z", "+00:00"))
    res = collect(db_path, since=cut)
    assert res.status == "ok"
    assert rows(db_path, "SELECT requests FROM runs") == [(2,)]
