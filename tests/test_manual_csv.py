"""`closer import-counts`: counts noted by hand and platform exports, stored as snapshots and
figures marked with their source, refused whole (file:line: field: reason) when wrong.

The export files are written here in the layouts the platforms produce (Meta Business Suite:
UTF-16 with a `sep=,` line and a title line; Facebook Insights "Page data": titles, then a
row of descriptions; YouTube Studio "Table data": a `Total` row first): docs/credentials.md."""

from __future__ import annotations

import datetime as dt

import pytest

from closer import cli, db, registry
from closer.manual_import import CountsRefused, import_counts, parse_count

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def reg(con):
    con.execute(
        "INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())"
    )
    registry.add_account(
        con, "I1", "facebook", "primaria.test", "https://www.facebook.com/primaria.test"
    )
    registry.add_account(con, "I1", "youtube", "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    registry.add_account(con, "I1", "x", "@PrimariaTest")
    con.execute(
        "UPDATE accounts SET platform_account_id = '104000000000001' WHERE account_id = 'facebook:primaria.test'"
    )
    # an API snapshot already there: imports must sit beside it, not over it
    con.execute(
        "INSERT INTO runs (run_id, kind, started_at, status) VALUES ('r-api', 'collect', now(), 'ok')"
    )
    con.execute(
        "INSERT INTO account_snapshots VALUES ('r-api', 'facebook:primaria.test', '2026-02-01 10:00:00+00', 1200, NULL, NULL, NULL, 'api')"
    )
    con.close()


def rows(db_path, sql):
    with db.connect(db_path, read_only=True) as c:
        return c.execute(sql).fetchall()


MANUAL = """account,date,metric,value,noted_by
facebook:primaria.test,2026-01-15,followers,1180,Ana V.
https://www.facebook.com/primaria.test,2026-02-15,followers,"1,250",Ana V.
x:PrimariaTest,2026-02-15,followers,310,Mihai P.
@PrimariaTest,2026-02-15,posts,42,Mihai P.
"""


def test_manual_counts_are_snapshots_marked_manual_beside_the_api(db_path, reg, tmp_path):
    f = tmp_path / "numaratoare.csv"
    f.write_text(MANUAL, encoding="utf-8")
    res = import_counts(db_path, f, today=TODAY)
    assert (res.file_format, res.source, res.figures, res.snapshots) == (
        "manual_counts",
        "manual",
        4,
        3,
    )
    assert len(res.runs) == 2  # one per date
    got = rows(
        db_path,
        "SELECT account_id, snapshot_at, followers, posts_count, source FROM account_snapshots ORDER BY account_id, snapshot_at",
    )
    utc = dt.UTC
    assert got == [
        ("facebook:primaria.test", dt.datetime(2026, 1, 15, tzinfo=utc), 1180, None, "manual"),
        ("facebook:primaria.test", dt.datetime(2026, 2, 1, 10, tzinfo=utc), 1200, None, "api"),
        ("facebook:primaria.test", dt.datetime(2026, 2, 15, tzinfo=utc), 1250, None, "manual"),
        ("x:primariatest", dt.datetime(2026, 2, 15, tzinfo=utc), 310, 42, "manual"),
    ]
    assert rows(
        db_path,
        "SELECT metric, period, value, noted_by, line FROM imported_counts WHERE account_id = 'x:primariatest' ORDER BY line",
    ) == [
        ("followers", "total", 310.0, "Mihai P.", 4),
        ("posts_count", "total", 42.0, "Mihai P.", 5),
    ]
    assert rows(db_path, "SELECT count(*) FROM runs WHERE kind = 'import' AND status = 'ok'") == [
        (2,)
    ]
    # the same file again replaces what it stored: nothing counted twice
    again = import_counts(db_path, f, today=TODAY)
    assert again.replaced and again.runs == res.runs
    assert rows(
        db_path, "SELECT source, count(*) FROM account_snapshots GROUP BY source ORDER BY source"
    ) == [("api", 1), ("manual", 3)]
    assert rows(db_path, "SELECT count(*) FROM imported_counts") == [(4,)]


def test_a_bad_row_refuses_the_whole_file_naming_line_and_field(db_path, reg, tmp_path):
    f = tmp_path / "gresit.csv"
    f.write_text(
        "account,date,metric,value,noted_by\n"
        "facebook:primaria.test,2026-01-15,followers,1180,Ana V.\n"
        "facebook:nu.exista,2026-01-15,followers,10,Ana V.\n"
        "facebook:primaria.test,15/01/2026,followers,10,Ana V.\n"
        "facebook:primaria.test,2026-01-16,likes,10,Ana V.\n"
        "facebook:primaria.test,2026-01-17,followers,1.2K,Ana V.\n"
        "facebook:primaria.test,2026-01-15,followers,1181,Ana V.\n"
        "facebook:primaria.test,2026-01-18,followers,1190,\n"
        "facebook:primaria.test,2027-01-18,followers,1190,Ana V.\n",
        encoding="utf-8",
    )
    with pytest.raises(CountsRefused) as exc:
        import_counts(db_path, f, today=TODAY)
    assert exc.value.errors == [
        f"{f}:3: account: 'facebook:nu.exista' is not a registered account (closer registry list)",
        f"{f}:4: date: '15/01/2026' is not a date (YYYY-MM-DD)",
        f"{f}:5: metric: 'likes' is not one of followers, subscribers, following, posts_count, posts, videos, views",
        f"{f}:6: value: '1.2K' is not a number",
        f"{f}:7: metric: followers of facebook:primaria.test on 2026-01-15 already given on line 2",
        f"{f}:8: noted_by: empty",
        f"{f}:9: date: 2027-01-18 is in the future",
    ]
    assert rows(db_path, "SELECT count(*) FROM imported_counts") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM account_snapshots WHERE source <> 'api'") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM runs WHERE kind = 'import'") == [(0,)]


def test_semicolons_day_first_dates_and_grouped_thousands(db_path, reg, tmp_path):
    f = tmp_path / "excel_ro.csv"
    f.write_text(
        "Account;Date;Metric;Value;Noted_by\nyoutube:UC_x5XG1OV2P6uZZ5FSM9Ttw;15.02.2026;subscribers;2 260 000;Ioana\n",
        encoding="utf-8",
    )
    import_counts(db_path, f, today=TODAY)
    assert rows(
        db_path, "SELECT followers, source FROM account_snapshots WHERE account_id LIKE 'youtube:%'"
    ) == [(2260000, "manual")]
    assert (
        parse_count("1.234.567") == 1234567
        and parse_count("") is None
        and parse_count("12.5") == 12.5
    )


def meta_series(title, values):
    lines = ["sep=,", f'"{title}"', '"Date","Primary"'] + [
        f'"{d}T00:00:00","{v}"' for d, v in values
    ]
    return ("\n".join(lines) + "\n").encode(
        "utf-16"
    )  # Meta Business Suite writes UTF-16 with a BOM


def test_meta_business_suite_daily_series_are_figures_not_snapshots(db_path, reg, tmp_path):
    f = tmp_path / "Follows (1).csv"
    f.write_bytes(
        meta_series("Facebook follows", [("2026-01-01", 20), ("2026-01-02", 0), ("2026-01-03", 7)])
    )
    with pytest.raises(CountsRefused) as exc:
        import_counts(db_path, f, today=TODAY)
    assert exc.value.errors == [
        f"{f}:2: account: this export does not name its page: give --account"
    ]
    res = import_counts(db_path, f, account="facebook:primaria.test", today=TODAY)
    assert (res.file_format, res.source, res.snapshots) == ("meta_page_series", "export", 0)
    assert rows(
        db_path, "SELECT metric, period, on_date, value FROM imported_counts ORDER BY on_date"
    ) == [
        ("new_follows", "day", dt.date(2026, 1, 1), 20.0),
        ("new_follows", "day", dt.date(2026, 1, 2), 0.0),
        ("new_follows", "day", dt.date(2026, 1, 3), 7.0),
    ]
    # daily new follows are not a follower count: account_snapshots only holds the API's
    assert rows(db_path, "SELECT source FROM account_snapshots") == [("api",)]


META_POSTS = (
    "Post ID,Page ID,Page name,Title,Description,Duration (sec),Publish time,Caption type,Permalink,Is crosspost,"
    "Is share,Post type,Languages,Custom labels,Funded content status,Data comment,Date,Views,Reach,"
    '"Reactions, Comments and Shares",Reactions,Comments,Shares,Total clicks\n'
    "122158000000000001,104000000000001,Primăria Test,Ședință de consiliu,,,01/20/2026 10:30,,"
    'https://www.facebook.com/104000000000001/posts/122158000000000001,No,No,Photos,,,,,Lifetime,"1,540",980,64,51,9,4,120\n'
    "122158000000000002,104000000000001,Primăria Test,Program de vară,,42,01/22/2026 18:00,,"
    "https://www.facebook.com/reel/122158000000000002,No,No,Reels,,,,,Lifetime,300,250,12,10,2,0,\n"
)


def test_meta_business_suite_post_export(db_path, reg, tmp_path):
    f = tmp_path / "Jan-01-2026_Jan-31-2026_1234.csv"
    f.write_text("\ufeff" + META_POSTS, encoding="utf-8")
    res = import_counts(db_path, f, as_of=dt.date(2026, 2, 1), today=TODAY)
    assert (res.file_format, res.accounts, res.snapshots) == (
        "meta_posts",
        ["facebook:primaria.test"],
        0,
    )
    got = rows(
        db_path,
        "SELECT post_id, metric, value FROM imported_counts WHERE post_id LIKE '%0001' ORDER BY metric",
    )
    pid = "104000000000001_122158000000000001"  # the Graph API's post id: <page>_<post>
    assert got == [
        (pid, "comments", 9.0),
        (pid, "reach", 980.0),
        (pid, "reactions", 51.0),
        (pid, "reactions_comments_and_shares", 64.0),
        (pid, "shares", 4.0),
        (pid, "total_clicks", 120.0),
        (pid, "views", 1540.0),
    ]
    assert rows(db_path, "SELECT DISTINCT period, on_date FROM imported_counts") == [
        ("total", dt.date(2026, 2, 1))
    ]
    # an empty cell is not given: no row, never 0
    assert rows(
        db_path,
        "SELECT count(*) FROM imported_counts WHERE post_id LIKE '%0002' AND metric = 'total_clicks'",
    ) == [(0,)]


INSIGHTS = (
    "Date,Lifetime Total Likes,Daily New Likes,Daily Unlikes,Daily Page Engaged Users,Weekly Total Reach\n"
    ",Lifetime: The total number of people who have liked your Page. (Unique Users),Daily: The number of new people who have liked your Page (Unique Users),"
    "Daily: The number of Unlikes of your Page (Unique Users),Daily: The number of people who engaged with your Page. Engagement includes any click or story created. (Unique Users),"
    "Weekly: The number of people who had any content from your Page or about your Page enter their screen. (Unique Users)\n"
    "2019-09-29,217,1,0,5,140\n"
    "2019-09-30,217,0,0,3,150\n"
    "2019-10-01,216,0,1,,151\n"
)


def test_facebook_insights_page_export(db_path, reg, tmp_path):
    f = tmp_path / "Facebook Insights Data Export - Primaria Test - 2019-10-02.csv"
    f.write_text(INSIGHTS, encoding="utf-8")
    res = import_counts(db_path, f, account="https://www.facebook.com/primaria.test", today=TODAY)
    assert (res.file_format, res.snapshots, len(res.runs)) == ("facebook_insights_page", 3, 3)
    assert rows(
        db_path,
        "SELECT snapshot_at::DATE, followers FROM account_snapshots WHERE source = 'export' ORDER BY 1",
    ) == [(dt.date(2019, 9, 29), 217), (dt.date(2019, 9, 30), 217), (dt.date(2019, 10, 1), 216)]
    assert rows(
        db_path,
        "SELECT metric, period, value FROM imported_counts WHERE on_date = '2019-10-01' ORDER BY metric",
    ) == [
        ("followers", "total", 216.0),
        ("new_likes", "day", 0.0),
        ("total_reach", "week", 151.0),
        ("unlikes", "day", 1.0),
    ]  # the empty "Daily Page Engaged Users" cell: not given, no row


STUDIO = (
    "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers,Likes,Comments added,Shares,Impressions click-through rate (%)\n"
    "Total,,,,2100,10.5,3,60,7,3,4.1\n"
    'CvTApw9X8aA,"Ședința, pe scurt","Sep 20, 2025",612,1900,9.25,3,55,6,2,5.2\n'
    "Yh4EKaUY3gg,Program,2025-09-01,45,200,1.25,0,5,1,1,1.9\n"
)


def test_youtube_studio_table_with_its_range_from_the_folder_name(db_path, reg, tmp_path):
    folder = tmp_path / "Content 2025-09-01_2025-11-30 Primaria Test"
    folder.mkdir()
    f = folder / "Table data.csv"
    f.write_text(STUDIO, encoding="utf-8")
    res = import_counts(db_path, f, account="youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw", today=TODAY)
    assert (res.file_format, res.snapshots, res.notes) == ("youtube_studio_table", 0, [])
    assert rows(
        db_path,
        "SELECT post_id, metric, value FROM imported_counts WHERE post_id IN ('', 'CvTApw9X8aA') ORDER BY post_id, metric",
    ) == [
        ("", "comments", 7.0),
        ("", "likes", 60.0),
        ("", "shares", 3.0),
        ("", "subscribers_net", 3.0),
        ("", "views", 2100.0),
        ("", "watch_time_hours", 10.5),
        ("CvTApw9X8aA", "comments", 6.0),
        ("CvTApw9X8aA", "likes", 55.0),
        ("CvTApw9X8aA", "shares", 2.0),
        ("CvTApw9X8aA", "subscribers_net", 3.0),
        ("CvTApw9X8aA", "views", 1900.0),
        ("CvTApw9X8aA", "watch_time_hours", 9.25),
    ]
    assert rows(db_path, "SELECT DISTINCT period, range_start, on_date FROM imported_counts") == [
        ("range", dt.date(2025, 9, 1), dt.date(2025, 11, 30))
    ]


def test_youtube_studio_totals_series(db_path, reg, tmp_path):
    f = tmp_path / "Totals.csv"
    f.write_text("Date,Views\n2025-09-01,44\n2025-09-02,31\n", encoding="utf-8")
    res = import_counts(db_path, f, account="youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw", today=TODAY)
    assert res.file_format == "daily_series"
    assert rows(
        db_path, "SELECT metric, period, on_date, value FROM imported_counts ORDER BY on_date"
    ) == [("views", "day", dt.date(2025, 9, 1), 44.0), ("views", "day", dt.date(2025, 9, 2), 31.0)]


def test_unknown_file_is_refused_by_its_columns(db_path, reg, tmp_path):
    f = tmp_path / "altceva.csv"
    f.write_text("nume,prenume\nA,B\n", encoding="utf-8")
    with pytest.raises(CountsRefused) as exc:
        import_counts(db_path, f, today=TODAY)
    assert exc.value.errors[0].startswith(
        f"{f}:1: header: not a counts file this command knows (columns: nume, prenume)"
    )


def test_cli_import_counts(db_path, reg, tmp_path, capsys):
    good = tmp_path / "bun.csv"
    good.write_text(MANUAL.replace("2026-02-15", "2026-01-20"), encoding="utf-8")
    bad = tmp_path / "rau.csv"
    bad.write_text(
        "account,date,metric,value,noted_by\nfacebook:primaria.test,2026-01-15,followers,x,Ana\n",
        encoding="utf-8",
    )
    code = cli.main(["--db", str(db_path), "import-counts", str(good), str(bad)])
    out, err = capsys.readouterr()
    assert code == 1
    assert (
        f"{good}: manual_counts, source manual: 4 figures for facebook:primaria.test, x:primariatest; 3 account snapshots in 2 runs"
        in out
    )
    assert f"refused, nothing stored from {bad}:\n  {bad}:2: value: 'x' is not a number" in err
    assert "closer: 1 of 2 files refused" in err
