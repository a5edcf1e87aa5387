"""The demo path: the bundled sample replayed through the real collectors into a real database.

Uses the session-wide `demo_db` (tests/conftest.py: `closer.demo.build` once per run). The
expected figures are read from the recordings themselves (data/sample/recorded), so a test
fails if the collectors and the recordings disagree, not only if a total changes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
RECORDED = REPO / "data" / "sample" / "recorded"
MANIFEST = json.loads((RECORDED / "manifest.json").read_text())
EPOCHS = [e["name"] for e in MANIFEST["epochs"]]
DELETED = "mastodon:prefecturabradet@social.bradeni.example"  # 404 at the last collection
BROKEN = "feed:https://www.politialocalabradeni.example/feed/"  # broken XML at 2026-09-01
CAMPAIGN = (
    "Spunem NU gropii de gunoi de la Valea Seacă! Sănătatea copiilor noștri nu e de "
    "vânzare. #NuGropiiDeGunoi"
)


def _has(platform: str) -> bool:
    from monitor import collectors

    return platform in collectors()


needs_bluesky = pytest.mark.skipif(not _has("bluesky"), reason="monitor/bluesky.py not written yet")
needs_feed = pytest.mark.skipif(not _has("feed"), reason="monitor/feed.py not written yet")


def _recordings(epoch: str, kind: str) -> list[dict]:
    with gzip.open(RECORDED / epoch / f"{kind}.json.gz", "rt", encoding="utf-8") as fh:
        return json.load(fh)["responses"]


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def runs(con) -> list[str]:
    """The demo's collection runs, one per epoch, in order."""
    return [
        r[0]
        for r in con.execute(
            "SELECT run_id FROM runs WHERE kind = 'collect' ORDER BY started_at"
        ).fetchall()
    ]


def test_registry_has_20_institutions_in_5_regions(con):
    assert con.execute("SELECT count(*), count(DISTINCT region) FROM institutions").fetchone() == (
        20,
        5,
    )
    assert con.execute("SELECT count(*) FROM accounts").fetchone()[0] == 60


def test_one_collection_per_epoch_at_the_recorded_time(con, runs):
    assert len(runs) == len(EPOCHS) == 6
    times = [
        r[0]
        for r in con.execute(
            "SELECT min(snapshot_at) FROM account_snapshots GROUP BY run_id ORDER BY 1"
        ).fetchall()
    ]
    assert [t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") for t in times] == [
        f"{e} 06:00" for e in EPOCHS
    ]


def test_every_mastodon_account_collected_in_every_epoch_except_the_deleted_one(con, runs):
    rows = con.execute(
        "SELECT ra.run_id, ra.account_id, ra.status FROM run_accounts ra "
        "JOIN accounts a USING (account_id) WHERE a.platform = 'mastodon'"
    ).fetchall()
    status = {(r, a): s for r, a, s in rows}
    accounts = {a for _, a, _ in rows}
    assert len(accounts) == 20
    for i, run in enumerate(runs):
        for acct in accounts:
            planned = acct == DELETED and i == len(runs) - 1
            assert status[(run, acct)] == ("failed" if planned else "ok"), (EPOCHS[i], acct)
    errors = con.execute(
        "SELECT run_id, account_id, stage, reason FROM run_errors WHERE platform = 'mastodon'"
    ).fetchall()
    assert errors == [
        (
            runs[-1],
            DELETED,
            "lookup",
            "account @prefecturabradet@social.bradeni.example not found (HTTP 404)",
        )
    ]
    assert con.execute(
        "SELECT status FROM accounts WHERE account_id = ?", [DELETED]
    ).fetchone() == ("not_found",)


def test_one_account_snapshot_per_account_per_epoch(con):
    counts = dict(
        con.execute("SELECT account_id, count(*) FROM account_snapshots GROUP BY 1").fetchall()
    )
    platforms = dict(con.execute("SELECT account_id, platform FROM accounts").fetchall())
    expected = {
        a: len(EPOCHS) - (a in (DELETED, BROKEN))
        for a, p in platforms.items()
        if _has("feed" if p == "feed" else p)
    }
    assert counts == expected


def test_mastodon_post_snapshots_follow_the_recorded_pages(con, runs):
    """A status gets one snapshot in each collection whose pages held it; counts never fall."""
    expected: dict[str, list[int]] = defaultdict(list)
    for i, epoch in enumerate(EPOCHS):
        for rec in _recordings(epoch, "mastodon"):
            if rec["path"].endswith("/statuses"):
                for s in rec["body"]:
                    expected[s["id"]].append(i)
    order = {r: i for i, r in enumerate(runs)}
    got: dict[str, list[int]] = defaultdict(list)
    series: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for post_id, run_id, likes, shares, replies in con.execute(
        "SELECT post_id, run_id, likes, shares, replies FROM post_snapshots "
        "WHERE platform = 'mastodon' ORDER BY snapshot_at"
    ).fetchall():
        got[post_id].append(order[run_id])
        series[post_id].append((likes, shares, replies))
    assert got == expected
    assert sum(len(v) >= 2 for v in got.values()) > 500  # the overlap re-reads recent posts
    for post_id, values in series.items():
        for before, after in itertools.pairwise(values):
            assert all(b <= a for b, a in zip(before, after)), post_id


def test_mastodon_threads_tell_the_institution_from_citizens(con):
    by_inst, citizens, authors = con.execute(
        "SELECT count(*) FILTER (by_institution), count(*) FILTER (NOT by_institution), "
        "count(DISTINCT author) FILTER (NOT by_institution) FROM comments WHERE platform = 'mastodon'"
    ).fetchone()
    assert by_inst > 500 and citizens > 2 * by_inst and authors > 150
    # the institution's answers are stored under its own account id, never pseudonymised
    assert con.execute(
        "SELECT count(*) FROM comments WHERE by_institution AND author <> account_id"
    ).fetchone() == (0,)
    # a copy-paste campaign: one text from 12 different citizens under one consultation
    # (Mastodon replies start with the mention of the account answered)
    assert con.execute(
        "SELECT count(*), count(DISTINCT author), count(DISTINCT post_id) FROM comments "
        "WHERE platform = 'mastodon' AND text = '@cjdumbrava ' || ?",
        [CAMPAIGN],
    ).fetchone() == (12, 12, 1)
    langs = dict(
        con.execute(
            "SELECT lang, count(*) FROM comments WHERE platform = 'mastodon' "
            "AND NOT by_institution GROUP BY 1"
        ).fetchall()
    )
    assert set(langs) == {"ro", "en", "hu", None}


def test_mastodon_content_forms_and_polls(con):
    forms = dict(
        con.execute(
            "SELECT form, count(*) FROM posts WHERE platform = 'mastodon' GROUP BY 1"
        ).fetchall()
    )
    assert set(forms) == {"text", "photo", "video", "link", "poll", "repost"}
    assert (
        con.execute(
            "SELECT count(*) FROM posts WHERE platform = 'mastodon' AND has_poll"
        ).fetchone()[0]
        == forms["poll"]
    )
    assert (
        con.execute(
            "SELECT count(*) FROM posts WHERE platform = 'mastodon' AND edited_at IS NOT NULL"
        ).fetchone()[0]
        > 0
    )


@pytest.fixture(scope="module")
def rerun(demo_db, tmp_path_factory):
    """The last epoch's collection run again on a copy of the demo database."""
    from monitor import runner
    from monitor.http import HttpClient
    from monitor.replay import ReplayServer, load_recordings

    tmp = tmp_path_factory.mktemp("rerun")
    copy = tmp / "demo.duckdb"
    shutil.copy(demo_db, copy)
    wal = Path(str(demo_db) + ".wal")
    if wal.exists():
        shutil.copy(wal, Path(str(copy) + ".wal"))
    epoch = MANIFEST["epochs"][-1]

    def counts() -> dict[str, int]:
        with duckdb.connect(str(copy), read_only=True) as c:
            out = {
                t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("posts", "comments", "post_snapshots", "account_snapshots")
            }
            out["last_run_snapshots"] = c.execute(
                "SELECT count(*) FROM post_snapshots WHERE run_id = (SELECT max(run_id) FROM runs "
                "WHERE kind = 'collect')"
            ).fetchone()[0]
            return out

    before = counts()
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("CLOSER_PSEUDONYM_KEY", "demo-key")
        mp.setenv("CLOSER_ARCHIVE", str(tmp / "raw"))
        recs = [r for f in epoch["files"] for r in load_recordings(RECORDED / f)]
        srv = ReplayServer()
        srv.load(recs, date=epoch["date_header"])
        with srv:
            mp.setenv("CLOSER_ENDPOINTS", json.dumps(srv.endpoints))
            result = runner.collect(
                copy,
                since=dt.datetime.fromisoformat(epoch["since"]),
                client=HttpClient(attempts=2, backoff=0.01, max_wait=5),
            )
            misses = list(srv.misses)
    finally:
        mp.undo()
    return {"before": before, "after": counts(), "result": result, "misses": misses}


def test_rerunning_the_last_collection_changes_no_post_or_comment(rerun):
    before, after = rerun["before"], rerun["after"]
    assert after["posts"] == before["posts"]
    assert after["comments"] == before["comments"]
    # the same responses again: one more snapshot of each post and account seen last time
    assert after["last_run_snapshots"] == before["last_run_snapshots"] > 1000
    assert after["post_snapshots"] == before["post_snapshots"] + before["last_run_snapshots"]
    unsupported = (0 if _has("bluesky") else 17) + (0 if _has("feed") else 23)
    assert rerun["result"].accounts_failed == 1 + unsupported  # the deleted Mastodon account


def test_no_replay_misses_for_mastodon(rerun):
    hosts = {r["host"] for e in EPOCHS for r in _recordings(e, "mastodon")}
    assert not [m for m in rerun["misses"] if m.lstrip("/").split("/")[0] in hosts]


@needs_bluesky
def test_bluesky_collected_in_every_epoch_with_threads(con, runs, rerun):
    bad = con.execute(
        "SELECT ra.account_id, ra.status FROM run_accounts ra JOIN accounts a "
        "USING (account_id) WHERE a.platform = 'bluesky' AND ra.status <> 'ok'"
    ).fetchall()
    assert bad == []
    assert con.execute(
        "SELECT count(DISTINCT account_id) FROM accounts WHERE platform = 'bluesky'"
    ).fetchone() == (17,)
    assert not [m for m in rerun["misses"] if m.startswith("/public.api.bsky.app/")]
    assert con.execute("SELECT count(*) FROM run_errors WHERE platform = 'bluesky'").fetchone() == (
        0,
    )
    by_inst, citizens = con.execute(
        "SELECT count(*) FILTER (by_institution), count(*) FILTER (NOT by_institution) "
        "FROM comments WHERE platform = 'bluesky'"
    ).fetchone()
    assert by_inst > 200 and citizens > 2 * by_inst
    assert con.execute(
        "SELECT count(*), count(DISTINCT author) FROM comments WHERE platform = 'bluesky' "
        "AND text = ?",
        [CAMPAIGN],
    ).fetchone() == (8, 8)
    # counts are a time series that never falls
    falls = con.execute(
        "SELECT count(*) FROM (SELECT likes, lag(likes) OVER (PARTITION BY post_id ORDER BY snapshot_at) "
        "AS prev FROM post_snapshots WHERE platform = 'bluesky') WHERE likes < prev"
    ).fetchone()[0]
    assert falls == 0
    assert (
        con.execute(
            "SELECT count(*) FROM (SELECT post_id FROM post_snapshots WHERE platform = "
            "'bluesky' GROUP BY 1 HAVING count(*) >= 2)"
        ).fetchone()[0]
        > 200
    )


@needs_feed
def test_feeds_collected_with_the_planned_broken_document(con, runs, rerun):
    errors = con.execute(
        "SELECT run_id, account_id, stage FROM run_errors WHERE platform = 'feed'"
    ).fetchall()
    assert errors == [(runs[3], BROKEN, "feed")]
    assert not [m for m in rerun["misses"] if "example/" in m or "youtube" in m]
    videos = con.execute(
        "SELECT count(DISTINCT p.post_id), min(s.views), count(*) FILTER (s.views IS NULL) FROM posts p "
        "JOIN post_snapshots s USING (platform, post_id) WHERE p.platform = 'feed' AND p.url LIKE "
        "'https://www.youtube.com/watch%'"
    ).fetchone()
    assert videos[0] > 100 and videos[1] > 0 and videos[2] == 0
    by_inst, citizens = con.execute(
        "SELECT count(*) FILTER (by_institution), count(*) FILTER (NOT by_institution) "
        "FROM comments WHERE platform = 'feed'"
    ).fetchone()
    assert by_inst > 50 and citizens > by_inst


def test_committed_sample_is_what_the_generator_writes(tmp_path, monkeypatch):
    """The recordings are generated, not hand-edited: the first epoch comes out byte-identical."""
    import importlib.util
    import sys

    monkeypatch.setattr(sys, "path", list(sys.path))  # generate.py puts data/sample on it
    spec = importlib.util.spec_from_file_location(
        "sample_generate", REPO / "data/sample/generate.py"
    )
    generate = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(generate)
        sizes = generate.generate(tmp_path, only={EPOCHS[0]})
    finally:
        for name in [m for m in sys.modules if m == "gen" or m.startswith("gen.")]:
            del sys.modules[name]
    assert sorted(sizes) == sorted(MANIFEST["epochs"][0]["files"])
    for rel in sizes:
        assert (tmp_path / rel).read_bytes() == (RECORDED / rel).read_bytes(), rel
