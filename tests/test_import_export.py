"""`closer import` of raw platform responses and `closer export` of the tables (real fixtures,
real DuckDB)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil

import pyarrow.parquet as pq
import pytest

import metrics
from closer import auth, db, registry
from closer.cli import main
from closer.export import TABLES, iso_utc
from closer.pseudonym import Pseudonymiser
from monitor import runner
from monitor.importer import ImportRefused, import_files
from tests.conftest import FIXTURES

MASTODON = FIXTURES / "mastodon"
BSKY = FIXTURES / "bluesky"
FEEDS = FIXTURES / "feeds"
DATA_TABLES = ("posts", "post_snapshots", "comments", "account_snapshots")
WHEN = dt.datetime(2026, 4, 11, 23, 10, tzinfo=dt.UTC)


@pytest.fixture
def inst(db_path):
    with db.connect(db_path) as con:
        for i in ("I1", "I2"):
            con.execute(
                "INSERT INTO institutions (institution_id, name, type, region, country)"
                " VALUES (?, ?, 'city_hall', 'X', 'RO')",
                [i, f"Primăria {i}"],
            )
    return db_path


def cli(db_path, *argv) -> int:
    return main(["--db", str(db_path), *map(str, argv)])


def rows(db_path, sql, params=()):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def snapshot(db_path):
    return {t: rows(db_path, f"SELECT * FROM {t} ORDER BY ALL") for t in DATA_TABLES}


def export_csv(db_path, table, capsys) -> list[dict[str, str]]:
    capsys.readouterr()
    assert cli(db_path, "export", table, "--format", "csv") == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


# --- the acceptance check -----------------------------------------------------------------


def test_import_mastodon_statuses_then_export_posts_csv(inst, capsys):
    """`closer import` of a real statuses array, then `closer export posts --format csv`:
    one row per status, likes = favourites_count, shares = reblogs_count,
    replies = replies_count."""
    statuses = MASTODON / "statuses_remote_samples.json"
    assert cli(inst, "import", "--platform", "mastodon", "--institution", "I1", statuses) == 0
    # the stored metric tables follow the import (the app reads them without refreshing)
    with db.connect(inst, read_only=True) as con:
        assert metrics.stale(con) is None
    assert rows(inst, "SELECT count(*) FROM post_facts") == [(5,)]
    out = export_csv(inst, "posts", capsys)
    raw = json.loads(statuses.read_text())
    assert len(out) == len(raw) == 5
    by_id = {r["post_id"]: r for r in out}
    for s in raw:
        r = by_id[s["id"]]
        assert (r["likes"], r["shares"], r["replies"]) == (
            str(s["favourites_count"]),
            str(s["reblogs_count"]),
            str(s["replies_count"]),
        )
    # the same, written out by hand from the file
    assert sorted(
        (r["post_id"], r["likes"], r["shares"], r["replies"], r["views"]) for r in out
    ) == [
        ("110446223051565765", "1", "0", "0", ""),
        ("110446383900387196", "0", "1", "2", ""),
        ("110447012773105565", "0", "0", "0", ""),
        ("113358687695262945", "0", "1", "1", ""),
        ("113481707975926080", "0", "0", "1", ""),
    ]
    first = by_id["110446223051565765"]
    assert (first["platform"], first["account"], first["created_at"], first["form"]) == (
        "mastodon",
        "mastodon:citizen1@remote.example",
        "2023-05-28T12:06:50Z",
        "video",
    )
    assert list(out[0])[:13] == [
        "platform",
        "account",
        "post_id",
        "created_at",
        "url",
        "form",
        "text",
        "likes",
        "shares",
        "replies",
        "quotes",
        "views",
        "snapshot_at",
    ]
    # the account was not registered: it was added to the institution
    assert rows(inst, "SELECT account_id, institution_id, handle FROM accounts") == [
        ("mastodon:citizen1@remote.example", "I1", "@citizen1@remote.example")
    ]
    assert rows(inst, "SELECT kind, status, posts FROM runs") == [("import", "ok", 5)]


# --- import -------------------------------------------------------------------------------


def test_import_twice_gives_the_same_rows(inst):
    files = [MASTODON / "account_statuses.json", MASTODON / "status_context.json"]
    first = import_files(
        inst, "mastodon", "I1", files, handle="@citizen1@mastodon.social", recorded_at=WHEN
    )
    before = snapshot(inst)
    assert (len(before["posts"]), len(before["post_snapshots"]), len(before["comments"])) == (
        6,
        6,
        1,
    )
    second = import_files(
        inst,
        "mastodon",
        "I1",
        list(reversed(files)),
        handle="@citizen1@mastodon.social",
        recorded_at=WHEN,
    )
    assert second.run_id == first.run_id and second.replaced and not first.replaced
    assert snapshot(inst) == before
    assert rows(inst, "SELECT count(*) FROM runs") == [(1,)]
    # the institution's own answer in the context is marked
    assert rows(inst, "SELECT comment_id, by_institution, author FROM comments") == [
        ("110446984249325790", True, "mastodon:citizen1@mastodon.social")
    ]


def test_import_bluesky_documents_registers_the_account_and_reread_gives_the_same_rows(inst):
    files = [
        BSKY / "getProfile.json",
        BSKY / "getAuthorFeed.json",
        BSKY / "getPostThread_nested_derived.json",
    ]
    result = import_files(inst, "bluesky", "I2", files, recorded_at=WHEN)
    assert (result.posts, result.comments, result.accounts) == (
        10,
        4,
        ["bluesky:example-institution.bsky.social"],
    )
    assert rows(inst, "SELECT institution_id, handle, platform_account_id FROM accounts") == [
        ("I2", "example-institution.bsky.social", "did:plc:exampleinstitutionaaaaaa")
    ]
    assert rows(inst, "SELECT DISTINCT snapshot_at FROM post_snapshots") == [(WHEN,)]
    assert rows(inst, "SELECT count(*) FILTER (by_institution), count(*) FROM comments") == [(1, 4)]
    before = snapshot(inst)
    with db.connect(inst) as con:
        con.execute("DELETE FROM comments")
    again = runner.reread(inst, result.run_id)
    assert (again.posts, again.comments) == (10, 4)
    assert snapshot(inst) == before
    with db.connect(inst) as con:
        con.execute("UPDATE post_snapshots SET likes = 0")
    assert cli(inst, "reread", result.run_id) == 0  # the command line does the same
    assert snapshot(inst) == before


def test_import_a_blog_feed_with_its_comment_feed(inst):
    files = [FEEDS / "wordpress_rss2.xml", FEEDS / "wordpress_comments_rss2_constructed.xml"]
    result = import_files(inst, "feed", "I1", files, recorded_at=WHEN)
    # the account is the feed's self link; the comments find their post by their guid
    assert result.accounts == ["feed:https://www.natashatherobot.com/feed/"]
    assert rows(
        inst,
        "SELECT post_id, count(*), count(*) FILTER (by_institution) FROM comments GROUP BY ALL",
    ) == [("https://www.natashatherobot.com/?p=6592", 3, 1)]


def test_a_comment_feed_alone_needs_the_handle(inst):
    comments = FEEDS / "wordpress_comments_rss2_constructed.xml"
    with pytest.raises(
        ImportRefused, match="cannot tell which account it belongs to; name it with --handle"
    ):
        import_files(inst, "feed", "I1", [comments])
    result = import_files(
        inst, "feed", "I1", [comments], handle="https://www.natashatherobot.com/feed/"
    )
    assert result.comments == 3


def test_bad_files_are_refused_by_name_and_the_others_load(inst, tmp_path, capsys):
    broken = tmp_path / "profile_cut.json"
    broken.write_text((BSKY / "getProfile.json").read_text()[:300])
    empty = tmp_path / "empty.json"
    empty.write_text("")
    feed_xml = tmp_path / "feed.xml"
    shutil.copy(FEEDS / "wordpress_rss2.xml", feed_xml)
    code = cli(
        inst,
        "import",
        "--platform",
        "bluesky",
        "--institution",
        "I1",
        BSKY / "getProfile.json",
        broken,
        BSKY / "error_400_invalid_request.json",
        empty,
        feed_xml,
        BSKY / "getAuthorFeed.json",
    )
    assert code == 0
    err = capsys.readouterr().err
    assert (
        f"refused: {broken}: broken JSON (Expecting property name enclosed in double quotes:"
        " line 12 column 5 (char 300))" in err
    )
    assert (
        f"refused: {BSKY / 'error_400_invalid_request.json'}:"
        " not a raw bluesky API response this importer recognises" in err
    )
    assert f"refused: {empty}: empty file" in err
    assert f"refused: {feed_xml}: not a raw bluesky API response this importer recognises" in err
    assert rows(inst, "SELECT count(*) FROM posts") == [(10,)]
    assert rows(inst, "SELECT status, errors FROM runs") == [("partial", 4)]
    assert rows(inst, "SELECT stage, account_id FROM run_errors") == [("import", None)] * 4


def test_a_broken_feed_file_is_refused_with_the_reason(inst, capsys):
    code = cli(
        inst, "import", "--platform", "feed", "--institution", "I1", FEEDS / "broken_truncated.xml"
    )
    assert code == 1
    assert "broken XML (line 45, column 35: unclosed CDATA section)" in capsys.readouterr().err
    assert rows(inst, "SELECT count(*) FROM runs") == [(0,)]


def test_unknown_institution_and_another_institutions_account_are_refused(inst):
    with pytest.raises(ImportRefused, match="unknown institution 'NOPE'"):
        import_files(inst, "bluesky", "NOPE", [BSKY / "getProfile.json"])
    with db.connect(inst) as con:
        registry.add_account(con, "I2", "bluesky", "example-institution.bsky.social")
    with pytest.raises(ImportRefused, match="belongs to institution I2, not I1"):
        import_files(inst, "bluesky", "I1", [BSKY / "getProfile.json"])


def test_snapshot_time_is_the_files_modification_time_without_recorded_at(inst, tmp_path):
    f = tmp_path / "statuses.json"
    shutil.copy(MASTODON / "account_statuses_page1.json", f)
    stamp = dt.datetime(2026, 8, 1, 13, 50, tzinfo=dt.UTC).timestamp()
    os.utime(f, (stamp, stamp))
    import_files(inst, "mastodon", "I1", [f])
    assert rows(inst, "SELECT DISTINCT snapshot_at FROM post_snapshots") == [
        (dt.datetime(2026, 8, 1, 13, 50, tzinfo=dt.UTC),)
    ]
    assert rows(inst, "SELECT handle FROM accounts") == [("@mastodonpy_test@localhost:3000",)]


# --- export -------------------------------------------------------------------------------


@pytest.fixture
def filled(inst):
    import_files(
        inst,
        "bluesky",
        "I1",
        [
            BSKY / "getProfile.json",
            BSKY / "getAuthorFeed.json",
            BSKY / "getPostThread_nested_derived.json",
        ],
        recorded_at=WHEN,
    )
    import_files(inst, "feed", "I1", [FEEDS / "youtube_channel.xml"], recorded_at=WHEN)
    return inst


def test_export_comments_marks_the_institution_and_pseudonymises_citizens(filled, capsys):
    out = export_csv(filled, "comments", capsys)
    assert list(out[0])[:9] == [
        "platform",
        "post_id",
        "comment_id",
        "parent_id",
        "created_at",
        "by_institution",
        "author",
        "lang",
        "text",
    ]
    p = Pseudonymiser()
    assert sorted(
        (r["comment_id"].rsplit("/", 1)[-1], r["by_institution"], r["author"], r["lang"])
        for r in out
    ) == [
        ("3jujgwywl432g", "false", p("bluesky", "did:plc:citizengaaaaaaaaaaaaaaaa"), ""),
        ("3juml4dkt6z2o", "false", p("bluesky", "did:plc:citizenfaaaaaaaaaaaaaaaa"), ""),
        ("3jve4frgrzy2f", "false", p("bluesky", "did:plc:citizeneaaaaaaaaaaaaaaaa"), ""),
        ("3lof7sovfok2h", "true", "bluesky:example-institution.bsky.social", "en"),
    ]
    assert "citizen" not in "".join(r["author"] for r in out)


def test_export_posts_leaves_counts_not_given_empty(filled, capsys):
    out = {r["post_id"]: r for r in export_csv(filled, "posts", capsys)}
    video = out["yt:video:0A1ouV7iD8o"]
    assert (video["views"], video["likes"], video["shares"], video["replies"], video["quotes"]) == (
        "304321",
        "15020",
        "",
        "",
        "",
    )
    assert (
        video["snapshot_at"] == "2026-04-11T23:10:00Z"
        and video["created_at"] == "2020-12-22T19:15:01Z"
    )
    post = out["at://did:plc:exampleinstitutionaaaaaa/app.bsky.feed.post/3lc5d6zspys2c"]
    assert (post["likes"], post["shares"], post["replies"], post["quotes"], post["views"]) == (
        "12",
        "3",
        "3",
        "2",
        "",
    )
    assert post["created_at"] == "2024-11-30T05:07:15.799Z" and post["has_poll"] == ""
    repost = next(r for r in out.values() if r["kind"] == "repost")
    assert (repost["likes"], repost["snapshot_at"], repost["form"]) == ("", "", "repost")


def test_export_posts_takes_the_latest_snapshot(filled, capsys):
    later = WHEN + dt.timedelta(days=30)
    with db.connect(filled) as con:
        con.execute(
            "INSERT INTO post_snapshots VALUES"
            " ('r-later', 'feed', 'yt:video:0A1ouV7iD8o', ?, 15100, NULL, NULL, NULL, 310000)",
            [later],
        )
    out = {r["post_id"]: r for r in export_csv(filled, "posts", capsys)}
    assert (out["yt:video:0A1ouV7iD8o"]["views"], out["yt:video:0A1ouV7iD8o"]["snapshot_at"]) == (
        "310000",
        "2026-05-11T23:10:00Z",
    )
    snaps = [
        r
        for r in export_csv(filled, "post_snapshots", capsys)
        if r["post_id"] == "yt:video:0A1ouV7iD8o"
    ]
    assert [(r["views"], r["likes"]) for r in snaps] == [("304321", "15020"), ("310000", "15100")]


def test_every_table_exports_in_every_format(filled, tmp_path, capsys):
    for table in TABLES:
        n = rows(filled, f"SELECT count(*) FROM ({TABLES[table]})")[0][0]
        assert (
            cli(filled, "export", table, "--format", "json", "--out", tmp_path / f"{table}.json")
            == 0
        )
        data = json.loads((tmp_path / f"{table}.json").read_text())
        assert len(data) == n
        assert (
            cli(
                filled,
                "export",
                table,
                "--format",
                "parquet",
                "--out",
                tmp_path / f"{table}.parquet",
            )
            == 0
        )
        assert pq.read_table(tmp_path / f"{table}.parquet").num_rows == n
    posts = json.loads((tmp_path / "posts.json").read_text())
    video = next(p for p in posts if p["post_id"] == "yt:video:0A1ouV7iD8o")
    assert (video["shares"], video["views"], video["has_poll"], video["created_at"]) == (
        None,
        304321,
        None,
        "2020-12-22T19:15:01Z",
    )
    t = pq.read_table(tmp_path / "posts.parquet")
    assert str(t.schema.field("created_at").type) == "timestamp[us, tz=UTC]"
    assert rows(filled, "SELECT count(*) FROM posts")[0][0] == len(posts) == 11


def test_parquet_needs_a_file_and_unknown_tables_are_refused(filled, capsys):
    assert cli(filled, "export", "posts", "--format", "parquet") == 1
    assert "parquet is binary: give a file with --out" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(filled, "export", "secrets")


def test_reveal_authors_is_for_admins(filled, capsys, monkeypatch):
    with db.connect(filled) as con:
        ana = auth.add_user(
            con, auth.LOCAL_OPERATOR, "ana", roles=["admin"], password="ana-password-1"
        )
        auth.add_user(con, ana, "vlad", roles=["monitor"], password="vlad-password-1")
    assert cli(filled, "export", "comments", "--reveal-authors") == 1
    assert "this database has users: say who acts with --as USER" in capsys.readouterr().err
    monkeypatch.setenv("CLOSER_PASSWORD", "vlad-password-1")
    assert cli(filled, "export", "comments", "--reveal-authors", "--as", "vlad") == 1
    assert "--reveal-authors is for admins: vlad has monitor" in capsys.readouterr().err
    monkeypatch.setenv("CLOSER_PASSWORD", "ana-password-1")
    capsys.readouterr()
    assert cli(filled, "export", "comments", "--reveal-authors", "--as", "ana") == 0
    captured = capsys.readouterr()
    revealed = list(csv.DictReader(io.StringIO(captured.out)))
    assert "citizens' handles are never stored" in captured.err
    # what is stored is all there is to show: the same pseudonyms
    assert [r["author"] for r in revealed] == [
        r["author"] for r in export_csv(filled, "comments", capsys)
    ]


def test_iso_utc_keeps_the_precision_the_time_has():
    assert iso_utc(dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)) == "2024-05-01T10:00:00Z"
    assert (
        iso_utc(
            dt.datetime(2024, 5, 1, 12, 0, 0, 907000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        )
        == "2024-05-01T10:00:00.907Z"
    )
    assert (
        iso_utc(dt.datetime(2024, 5, 1, 10, 0, 0, 1, tzinfo=dt.UTC))
        == "2024-05-01T10:00:00.000001Z"
    )


def test_exported_times_follow_iso_utc(inst, capsys):
    times = [
        dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC),
        dt.datetime(2024, 5, 1, 12, 0, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.datetime(2024, 5, 1, 10, 0, 7, 907000, tzinfo=dt.UTC),
    ]
    with db.connect(inst) as con:
        for i, t in enumerate(times):
            con.execute(
                "INSERT INTO comments (platform, comment_id, post_id, account_id, created_at,"
                " by_institution, first_run_id, last_run_id)"
                " VALUES ('x', ?, 'p', 'x:a', ?, false, 'r', 'r')",
                [f"c{i}", t],
            )
    out = export_csv(inst, "comments", capsys)
    assert (
        [r["created_at"] for r in out]
        == [iso_utc(t) for t in times]
        == [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:07.000001Z",
            "2024-05-01T10:00:07.907Z",
        ]
    )
