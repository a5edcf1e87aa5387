"""YouTube Data API v3 collector against a local server replaying real API payloads
(tests/fixtures/youtube, from sns-sdks/python-youtube; SOURCES.md): paging, the channel's
own replies, the daily quota (stop before it, resume in the next run), quotaExceeded."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os

import pytest

from closer import db, registry
from monitor import runner
from monitor.base import AccountRef, RawDoc
from monitor.youtube import YouTubeCollector, channel_query, quota_day
from tests.conftest import FIXTURES, fast_client

F = FIXTURES / "youtube"
KEY = "AIzaSyTESTkey000000000000000000000000"
DEV = "UC_x5XG1OV2P6uZZ5FSM9Ttw"  # Google Developers, in channels_list.json
GOOGLE = "UCK8sQmJBp8GCxrOtXWBpyEA"
API = "/youtube/v3"
CREDS = {"CLOSER_YOUTUBE_API_KEY": KEY}


def load(name):
    return json.loads((F / name).read_text())


@pytest.fixture(autouse=True)
def _no_outside_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    for k in [k for k in os.environ if k.startswith("CLOSER_") and ("TOKEN" in k or "KEY" in k)]:
        monkeypatch.delenv(k)


@pytest.fixture
def api(httpserver, monkeypatch):
    base = httpserver.url_for("/").rstrip("/")
    monkeypatch.setenv(
        "CLOSER_ENDPOINTS", json.dumps({"www.googleapis.com": base, "api.x.com": base})
    )
    return httpserver


def rows(db_path, sql):
    with db.connect(db_path, read_only=True) as c:
        return c.execute(sql).fetchall()


def register(con, *channels):
    con.execute(
        "INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())"
    )
    for ch in channels:
        registry.add_account(con, "I1", "youtube", ch)
    con.close()


# statistics per uploaded video: (viewCount, likeCount, commentCount); None = field absent
STATS = {
    "CvTApw9X8aA": ("7920", "190", "32"),
    "Yh4EKaUY3gg": ("1200", "40", "0"),
    "S-MbpQiwfls": ("800", None, "0"),  # likes hidden by the owner
    "6aSG8SdvkoU": ("300", "12", None),  # comments turned off
    "ECGpZCFUL8s": ("150", "3", "0"),
    "Fu2bldybpkA": ("90", "1", "0"),
}


def videos_response(ids):
    """videos.list for these ids, each item in the recorded video's format (videos_list.json)."""
    template = load("videos_list.json")
    published = {
        it["snippet"]["resourceId"]["videoId"]: it["snippet"]["publishedAt"]
        for n in ("playlist_items_p1.json", "playlist_items_p2.json")
        for it in load(n)["items"]
    }
    items = []
    for vid in ids:
        v = copy.deepcopy(template["items"][0])
        v["id"] = vid
        v["snippet"]["publishedAt"] = published[vid]
        views, likes, comments = STATS[vid]
        st = {"viewCount": views, "favoriteCount": "0"}
        if likes is not None:
            st["likeCount"] = likes
        if comments is not None:
            st["commentCount"] = comments
        v["statistics"] = st
        items.append(v)
    return dict(
        template, items=items, pageInfo={"totalResults": len(items), "resultsPerPage": len(items)}
    )


def replies_list():
    """comments.list(parentId=…) for the thread whose 2 replies are not inline: the channel's
    answer and a citizen's, in the recorded reply format (comment_thread_with_replies.json)."""
    reply = load("comment_thread_with_replies.json")["items"][0]["replies"]["comments"][0]
    parent = "UgwI_ylXVnzPS8Q-oAV4AaABAg"
    own = copy.deepcopy(reply)
    own["id"] = f"{parent}.own1"
    own["snippet"].update(
        authorDisplayName="Google for Developers",
        authorChannelId={"value": DEV},
        parentId=parent,
        textOriginal="Thanks! Slides are linked in the description.",
        publishedAt="2019-11-15T09:00:00.000Z",
        updatedAt="2019-11-15T09:00:00.000Z",
    )
    citizen = copy.deepcopy(reply)
    citizen["id"] = f"{parent}.cit1"
    citizen["snippet"].update(
        parentId=parent,
        publishedAt="2019-11-15T10:00:00.000Z",
        updatedAt="2019-11-16T10:00:00.000Z",
    )
    return {"kind": "youtube#commentListResponse", "etag": "e", "items": [own, citizen]}


def q(**kw):
    return {k: str(v) for k, v in kw.items()}


def serve_dev(srv):
    srv.expect_request(
        f"{API}/channels", query_string=q(part="snippet,statistics,contentDetails", id=DEV)
    ).respond_with_json(load("channels_list.json"))
    pl = {
        "part": "snippet,contentDetails",
        "playlistId": "UU_x5XG1OV2P6uZZ5FSM9Ttw",
        "maxResults": 50,
    }
    srv.expect_request(f"{API}/playlistItems", query_string=q(**pl)).respond_with_json(
        load("playlist_items_p1.json")
    )
    srv.expect_request(
        f"{API}/playlistItems", query_string=q(**pl, pageToken="CAoQAA")
    ).respond_with_json(load("playlist_items_p2.json"))
    ids = list(STATS)
    srv.expect_request(
        f"{API}/videos",
        query_string=q(
            part="snippet,statistics,contentDetails,status", id=",".join(ids), maxResults=50
        ),
    ).respond_with_json(videos_response(ids))
    th = {
        "part": "snippet,replies",
        "videoId": "CvTApw9X8aA",
        "maxResults": 100,
        "textFormat": "plainText",
    }
    p1 = load("comment_threads_p1.json")
    srv.expect_request(f"{API}/commentThreads", query_string=q(**th)).respond_with_json(p1)
    srv.expect_request(
        f"{API}/commentThreads", query_string=q(**th, pageToken=p1["nextPageToken"])
    ).respond_with_json(load("comment_thread_with_replies.json"))
    srv.expect_request(
        f"{API}/comments",
        query_string=q(
            part="snippet",
            parentId="UgwI_ylXVnzPS8Q-oAV4AaABAg",
            maxResults=100,
            textFormat="plainText",
        ),
    ).respond_with_json(replies_list())


def serve_google(srv):
    srv.expect_request(
        f"{API}/channels", query_string=q(part="snippet,statistics,contentDetails", id=GOOGLE)
    ).respond_with_json(load("channels_list.json"))
    empty = {
        "kind": "youtube#playlistItemListResponse",
        "etag": "e",
        "items": [],
        "pageInfo": {"totalResults": 0, "resultsPerPage": 50},
    }
    srv.expect_request(
        f"{API}/playlistItems",
        query_string=q(
            part="snippet,contentDetails", playlistId="UUK8sQmJBp8GCxrOtXWBpyEA", maxResults=50
        ),
    ).respond_with_json(empty)


def test_channel_uploads_videos_and_threads(db_path, con, api):
    register(con, DEV)
    serve_dev(api)
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "ok", res.errors
    # the key goes in a header, never in a URL
    assert all(req.headers["X-Goog-Api-Key"] == KEY and "key" not in req.args for req, _ in api.log)
    assert rows(db_path, "SELECT requests, posts, comments FROM runs") == [(7, 6, 8)]
    assert rows(
        db_path, "SELECT followers, following, posts_count, views FROM account_snapshots"
    ) == [(2260000, None, 5652, 208790084)]
    assert rows(db_path, "SELECT platform_account_id FROM accounts") == [(DEV,)]
    got = rows(
        db_path,
        "SELECT post_id, form, url, views, likes, replies, shares FROM posts JOIN post_snapshots USING (platform, post_id) ORDER BY post_id",
    )
    assert got == [
        (
            "6aSG8SdvkoU",
            "video",
            "https://www.youtube.com/watch?v=6aSG8SdvkoU",
            300,
            12,
            None,
            None,
        ),
        (
            "CvTApw9X8aA",
            "video",
            "https://www.youtube.com/watch?v=CvTApw9X8aA",
            7920,
            190,
            32,
            None,
        ),
        ("ECGpZCFUL8s", "video", "https://www.youtube.com/watch?v=ECGpZCFUL8s", 150, 3, 0, None),
        ("Fu2bldybpkA", "video", "https://www.youtube.com/watch?v=Fu2bldybpkA", 90, 1, 0, None),
        ("S-MbpQiwfls", "video", "https://www.youtube.com/watch?v=S-MbpQiwfls", 800, None, 0, None),
        ("Yh4EKaUY3gg", "video", "https://www.youtube.com/watch?v=Yh4EKaUY3gg", 1200, 40, 0, None),
    ]
    c = {
        r[0]: r
        for r in rows(
            db_path,
            "SELECT comment_id, post_id, parent_id, by_institution, author, text, edited_at FROM comments",
        )
    }
    assert len(c) == 8
    own = c["UgwI_ylXVnzPS8Q-oAV4AaABAg.own1"]
    assert own[1:6] == (
        "CvTApw9X8aA",
        "UgwI_ylXVnzPS8Q-oAV4AaABAg",
        True,
        "youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw",
        "Thanks! Slides are linked in the description.",
    )
    cit = c["UgwI_ylXVnzPS8Q-oAV4AaABAg.cit1"]
    assert (
        cit[3] is False
        and cit[4].startswith("p_")
        and cit[6] == dt.datetime(2019, 11, 16, 10, tzinfo=dt.UTC)
    )
    top = c["UgyZ1jqkHKYvi1-ruOZ4AaABAg"]
    assert top[1:4] == ("CvTApw9X8aA", "CvTApw9X8aA", False) and top[5] == "Google.com"
    assert sum(r[3] for r in c.values()) == 1
    assert rows(
        db_path, "SELECT credential_name, status, never_expires FROM credential_status"
    ) == [("CLOSER_YOUTUBE_API_KEY", "ok", True)]
    assert rows(
        db_path, "SELECT credential_name, quota_day, units_used, calls FROM quota_ledger"
    ) == [("CLOSER_YOUTUBE_API_KEY", dt.date.fromisoformat(quota_day()), 7, 7)]


def test_quota_stops_youtube_before_it_is_spent_and_the_next_run_resumes(
    db_path, con, api, monkeypatch
):
    register(con, DEV, GOOGLE)
    serve_dev(api)
    serve_google(api)
    monkeypatch.setenv("CLOSER_YOUTUBE_DAILY_QUOTA", "6")
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    # accounts run in handle order: Google (channel, empty uploads: 2 units), then Google
    # Developers (channel, 2 upload pages, videos: 4 units); its first comment thread would be the 7th
    assert len(api.log) == 6
    assert [r[0].path for r in api.log][-1] == f"{API}/videos"
    assert res.status == "partial"
    assert rows(db_path, "SELECT account_id, status FROM run_accounts ORDER BY account_id") == [
        (f"youtube:{GOOGLE}", "ok"),
        (f"youtube:{DEV}", "failed"),
    ]
    stage, reason = rows(
        db_path, f"SELECT stage, reason FROM run_errors WHERE account_id = 'youtube:{DEV}'"
    )[0]
    assert stage == "quota" and "6 of 6 units used" in reason and "resumes" in reason
    # what was fetched is kept: the channel's counts, its 6 videos with their counts
    assert rows(db_path, "SELECT count(*) FROM post_snapshots") == [(6,)]
    assert rows(
        db_path, f"SELECT followers FROM account_snapshots WHERE account_id = 'youtube:{DEV}'"
    ) == [(2260000,)]
    assert rows(db_path, "SELECT count(*) FROM comments") == [(0,)]
    assert rows(db_path, "SELECT platform, post_id, complete FROM thread_coverage") == [
        ("youtube", "CvTApw9X8aA", False)
    ]
    cursor = json.loads(rows(db_path, "SELECT cursor FROM collect_cursors")[0][0])
    assert cursor == {"stats": [], "threads": ["CvTApw9X8aA"]}
    assert rows(db_path, "SELECT units_used FROM quota_ledger") == [(6,)]

    # the same day, the ledger says the quota is spent: nothing is asked of YouTube
    api.clear_log()
    runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert len(api.log) == 0
    assert rows(db_path, "SELECT units_used FROM quota_ledger") == [(6,)]

    # more quota (the next day, or a raised limit): the run resumes and finishes both channels
    api.clear_log()
    monkeypatch.setenv("CLOSER_YOUTUBE_DAILY_QUOTA", "10000")
    res = runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert res.status == "ok", res.errors
    assert len(api.log) == 7 + 2
    assert rows(db_path, "SELECT count(*) FROM comments") == [(8,)]
    assert rows(db_path, "SELECT count(*) FROM collect_cursors") == [(0,)]
    assert rows(db_path, "SELECT units_used, calls FROM quota_ledger") == [(15, 15)]
    # Google was collected in the first and the third run: one snapshot each
    assert rows(
        db_path, f"SELECT followers FROM account_snapshots WHERE account_id = 'youtube:{GOOGLE}'"
    ) == [(10700000,), (10700000,)]


def test_quota_exceeded_answer_stops_youtube_but_not_the_run(db_path, con, api):
    register(con, DEV)
    con_ = db.open_connection(db_path)
    registry.add_account(con_, "I1", "x", "@TwitterDev")
    con_.close()
    api.expect_request(f"{API}/channels").respond_with_json(load("channels_list.json"))
    api.expect_request(f"{API}/playlistItems").respond_with_json(
        load("error_403_quotaExceeded.json"), status=403
    )
    xf = FIXTURES / "x"
    api.expect_request("/2/users/by/username/TwitterDev").respond_with_json(
        json.loads((xf / "users_by_username.json").read_text())
    )
    api.expect_request("/2/users/2244994945/tweets").respond_with_json(
        {"meta": {"result_count": 0}}
    )
    res = runner.collect(
        db_path,
        client=fast_client(),
        credentials={**CREDS, "CLOSER_X_BEARER_TOKEN": "AAAAAAAAAAAAAAAAAAAAAtestbearer"},
    )
    assert res.status == "partial"
    assert rows(db_path, "SELECT account_id, status FROM run_accounts ORDER BY account_id") == [
        ("x:twitterdev", "ok"),
        (f"youtube:{DEV}", "failed"),
    ]
    reason = rows(db_path, "SELECT reason FROM run_errors WHERE platform = 'youtube'")[0][0]
    assert "quotaExceeded" in reason and "2 units counted" in reason
    assert rows(db_path, "SELECT status FROM credential_status WHERE platform = 'youtube'") == [
        ("quota_exceeded",)
    ]
    exhausted = rows(db_path, "SELECT exhausted_at IS NOT NULL FROM quota_ledger")
    assert exhausted == [(True,)]
    # the channel's counts fetched before the 403 are kept
    assert rows(
        db_path, f"SELECT followers FROM account_snapshots WHERE account_id = 'youtube:{DEV}'"
    ) == [(2260000,)]
    # later the same day: no call to YouTube at all
    api.clear_log()
    runner.collect(db_path, client=fast_client(), credentials=CREDS, platform="youtube")
    assert len(api.log) == 0


def test_invalid_key_is_a_credential_problem(db_path, con, api):
    register(con, DEV)
    api.expect_request(f"{API}/channels").respond_with_json(
        load("error_400_keyInvalid_real.json"), status=400
    )
    runner.collect(db_path, client=fast_client(), credentials=CREDS)
    assert rows(db_path, "SELECT status FROM accounts") == [("token_invalid",)]
    assert rows(db_path, "SELECT status FROM credential_status") == [("token_invalid",)]
    assert "CLOSER_YOUTUBE_API_KEY" in rows(db_path, "SELECT reason FROM run_errors")[0][0]


def test_hidden_subscriber_count_is_null_not_zero():
    body = load("channels_list.json")
    body["items"][1]["statistics"].update(hiddenSubscriberCount=True)
    acct = AccountRef(f"youtube:{DEV}", "I1", "youtube", DEV)
    t = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    snap = YouTubeCollector.normalize(
        acct, [RawDoc("channels", "u", t, 200, body)], lambda p, a: None
    ).account_snapshot
    assert (snap["followers"], snap["views"], snap["posts_count"]) == (None, 208790084, 5652)


def test_channel_selectors():
    assert channel_query(DEV) == {"id": DEV}
    assert channel_query(f"https://www.youtube.com/channel/{DEV}") == {"id": DEV}
    assert channel_query(f"https://www.youtube.com/feeds/videos.xml?channel_id={DEV}") == {
        "id": DEV
    }
    assert channel_query("https://www.youtube.com/@primariatest") == {"forHandle": "@primariatest"}
    assert channel_query("@primariatest") == {"forHandle": "@primariatest"}
    assert channel_query("https://www.youtube.com/user/PrimariaTest") == {
        "forUsername": "PrimariaTest"
    }


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("channels_list.json", "channels"),
        ("playlist_items_p1.json", "playlist_items"),
        ("videos_list.json", "videos"),
        ("comment_threads_p1.json", "comment_threads"),
        ("comment_thread_with_replies.json", "comment_threads"),
        ("error_403_quotaExceeded.json", None),
    ],
)
def test_detect_recognises_recorded_payloads(name, kind):
    assert YouTubeCollector.detect(load(name)) == kind


def test_recorded_payloads_normalise_through_detect_as_closer_import_does():
    acct = AccountRef(f"youtube:{DEV}", "I1", "youtube", DEV)
    t = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    names = ("channels_list.json", "videos_list.json", "comment_thread_with_replies.json")
    docs = [RawDoc(YouTubeCollector.detect(load(n)), f"file:{n}", t, 200, load(n)) for n in names]
    batch = YouTubeCollector.normalize(acct, docs, lambda p, a: "p_0123456789abcdef" if a else None)
    assert batch.account_snapshot["followers"] == 2260000
    assert [(p["post_id"], p["title"], p["lang"]) for p in batch.posts] == [
        ("D-lhorsDlUQ", "What are Actions on Google (Assistant on Air)", "en")
    ]
    assert [(s["views"], s["likes"], s["replies"]) for s in batch.post_snapshots] == [
        (7920, 190, 32)
    ]
    assert [(c["comment_id"], c["parent_id"]) for c in batch.comments] == [
        ("UgydxWWoeA7F1OdqypJ4AaABAg", "D-lhorsDlUQ"),
        ("UgydxWWoeA7F1OdqypJ4AaABAg.8wWQ3tdHcFx8xcDheui-qb", "UgydxWWoeA7F1OdqypJ4AaABAg"),
    ]
    assert YouTubeCollector.import_handle("videos", load("videos_list.json")) == (DEV, DEV)
