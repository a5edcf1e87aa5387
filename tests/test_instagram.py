"""Instagram collector against a local server replaying real Instagram Graph API payloads
(tests/fixtures/instagram, from sns-sdks/python-facebook; SOURCES.md)."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from closer import db, registry
from monitor import runner
from monitor.base import AccountRef, RawDoc
from monitor.instagram import InstagramCollector, media_form, username_of
from tests.conftest import FIXTURES, fast_client

F = FIXTURES / "instagram"
TOKEN = "EAAGigTESTpageTOKEN99xq"
IG_ID = "17841406338772941"  # the owner of the recorded media (username citizen1 in the files)
V = "/v21.0"


def load(name):
    return json.loads((F / name).read_text())


@pytest.fixture(autouse=True)
def _no_outside_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    for k in [k for k in os.environ if k.startswith("CLOSER_") and "TOKEN" in k]:
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
    registry.add_account(con, "I1", "instagram", "@citizen1")
    con.close()
    return "instagram:citizen1"


def rows(db_path, sql):
    with db.connect(db_path, read_only=True) as c:
        return c.execute(sql).fetchall()


def page_lookup(username="citizen1"):
    # GET /me?fields=id,name,instagram_business_account{id,username} with a page token
    # (shape from the Instagram Graph API "Getting started" page)
    return {
        "id": "134895793791914",
        "name": "Primăria Test",
        "instagram_business_account": {"id": IG_ID, "username": username},
    }


def serve(srv):
    srv.expect_request(f"{V}/me").respond_with_json(page_lookup())
    user = load("user.json")
    user.update(id=IG_ID, username="citizen1", follows_count=120)
    srv.expect_request(f"{V}/{IG_ID}").respond_with_json(user)
    srv.expect_request(f"{V}/debug_token").respond_with_json(
        json.loads((FIXTURES / "facebook" / "debug_token.json").read_text())
    )
    srv.expect_request(f"{V}/{IG_ID}/media").respond_with_json(load("medias_p1.json"))
    srv.expect_request(f"/v6.0/{IG_ID}/media").respond_with_json(
        load("medias_p2.json")
    )  # medias_p1's paging.next
    srv.expect_request(f"{V}/17896622936197745/comments").respond_with_json(
        load("comments_with_user_p1.json")
    )
    srv.expect_request("/v5.0/17955956875141196/comments").respond_with_json(
        load("media_comments_p1.json")
    )
    srv.expect_request("/v11.0/17846368219941692/comments").respond_with_json({"data": []})


def test_profile_media_paging_and_comments_with_the_page_token(db_path, registered, graph):
    serve(graph)
    # no Instagram token: the institution's Facebook page token serves its Instagram account
    res = runner.collect(
        db_path, client=fast_client(), credentials={"CLOSER_FACEBOOK_TOKEN__I1": TOKEN}
    )
    assert res.status == "ok", res.errors
    assert all(
        req.headers["Authorization"] == f"Bearer {TOKEN}" and "access_token" not in req.args
        for req, _ in graph.log
    )
    # /me, user, debug_token, 2 media pages, 3 comment pages
    assert rows(db_path, "SELECT requests, posts, comments FROM runs") == [(8, 4, 8)]
    assert rows(
        db_path, "SELECT followers, following, posts_count, views FROM account_snapshots"
    ) == [(64363, 120, 427, None)]
    assert rows(db_path, "SELECT platform_account_id FROM accounts") == [(IG_ID,)]
    got = rows(
        db_path,
        "SELECT p.post_id, form, text, likes, replies, shares FROM posts p JOIN post_snapshots USING (platform, post_id) ORDER BY created_at DESC",
    )
    assert got == [
        ("17895731045244887", "photo", None, 0, 0, None),
        ("17896622936197745", "photo", None, 2, 6, None),
        ("17896129349106152", "photo", "ALBUM", 1, 0, None),
        ("17893085207160254", "photo", "Peach new", 1, 0, None),
    ]
    c = rows(
        db_path,
        "SELECT comment_id, post_id, parent_id, by_institution, author FROM comments ORDER BY comment_id",
    )
    assert len(c) == 8
    by_id = {r[0]: r for r in c}
    # comments carrying `user`: written by the account itself
    assert by_id["17862949873623188"][1:] == (
        "17896622936197745",
        "17896622936197745",
        True,
        registered,
    )
    assert by_id["17850033184810160"][1:] == (
        "17896622936197745",
        "17862949873623188",
        True,
        registered,
    )
    # the second page: no username in these fields, so the author is unknown (not guessed)
    assert by_id["17858154961981086"][1:] == ("17896622936197745", "17896622936197745", False, None)
    assert sum(r[3] for r in c) == 6
    assert rows(db_path, "SELECT credential_name, status FROM credential_status") == [
        ("CLOSER_FACEBOOK_TOKEN__I1", "ok")
    ]


def test_a_token_of_another_instagram_account_is_refused_by_name(db_path, registered, graph):
    graph.expect_request(f"{V}/me").respond_with_json(page_lookup("alt_cont"))
    res = runner.collect(
        db_path, client=fast_client(), credentials={"CLOSER_INSTAGRAM_TOKEN__I1": TOKEN}
    )
    assert res.status == "failed"
    stage, reason = rows(db_path, "SELECT stage, reason FROM run_errors")[0]
    assert stage == "lookup" and "reaches @alt_cont, not @citizen1" in reason


def test_instagram_needs_a_token(db_path, registered, graph):
    runner.collect(db_path, client=fast_client())
    reason = rows(db_path, "SELECT reason FROM run_errors")[0][0]
    assert "CLOSER_INSTAGRAM_TOKEN__I1" in reason and "CLOSER_FACEBOOK_TOKEN" in reason
    assert rows(db_path, "SELECT status FROM run_accounts") == [("skipped",)]


def test_media_types_map_to_forms():
    assert [
        media_form({"media_type": t}) for t in ("IMAGE", "VIDEO", "CAROUSEL_ALBUM", "REELS")
    ] == ["photo", "video", "photo", "video"]
    assert media_form({"media_type": "VIDEO", "media_product_type": "REELS"}) == "video"
    assert username_of("https://www.instagram.com/primaria.test/") == "primaria.test"
    assert username_of("@Primaria.Test") == "primaria.test"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("user.json", "user"),
        ("medias_p1.json", "media"),
        ("media.json", "media"),
        ("media_comments_p1.json", "comments"),
        ("comments_with_user_p1.json", "comments"),
        ("comments_by_ids.json", "comments"),
        ("comment_replies.json", "comments"),
        ("comment.json", "comments"),
    ],
)
def test_detect_recognises_recorded_payloads(name, kind):
    assert InstagramCollector.detect(load(name)) == kind


def test_recorded_payloads_normalise_through_detect_as_closer_import_does():
    acct = AccountRef("instagram:citizen1", "I1", "instagram", "citizen1")
    t = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    names = ("media.json", "comment.json")
    docs = [RawDoc(InstagramCollector.detect(load(n)), f"file:{n}", t, 200, load(n)) for n in names]
    batch = InstagramCollector.normalize(
        acct, docs, lambda p, a: "p_0123456789abcdef" if a else None
    )
    assert [(p["post_id"], p["form"], p["text"]) for p in batch.posts] == [
        ("17896129349106152", "photo", "ALBUM")
    ]
    # comment.json names its medium; its reply follows it
    assert [
        (c["comment_id"], c["post_id"], c["parent_id"], c["by_institution"]) for c in batch.comments
    ] == [
        ("17892250648466172", "17846368219941692", "17846368219941692", True),
        ("17845747489952795", "17846368219941692", "17892250648466172", False),
    ]
