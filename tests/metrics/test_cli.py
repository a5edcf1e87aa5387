"""`closer metrics`: the table with n/a reasons, the CSV with every column, bad periods refused."""

from __future__ import annotations

import csv
import io

from closer import cli
from tests.metrics.conftest import three_levels


def test_table_with_reasons(world, con, db_path, capsys):
    three_levels(world)
    con.close()
    assert (
        cli.main(
            ["--db", str(db_path), "metrics", "--columns", "posts,response_rate,latency_median_h"]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0]
        == "data as of 2026-06-01 10:00 UTC; by institution; n/a = cannot be computed (reasons below)"
    )
    assert out[1].split() == ["period", "institution", "posts", "response_rate", "latency_median_h"]
    assert [line.split() for line in out[3:7]] == [
        ["round:baseline", "D", "10", "0.5", "30.0"],
        ["round:baseline", "E", "64", "1", "0.5"],
        ["round:baseline", "M", "4", "0", "n/a"],
        ["round:baseline", "N", "0", "n/a", "n/a"],
    ]
    assert out[8:] == [
        "n/a:",
        "  latency_median_h: no citizen comment of the period was answered (M round:baseline)",
        "  response_rate: no citizen comment in the period (N round:baseline)",
        "  latency_median_h: no citizen comment in the period (N round:baseline)",
    ]


def test_csv_by_month_and_account(world, con, db_path, capsys):
    three_levels(world)
    con.close()
    assert (
        cli.main(
            [
                "--db",
                str(db_path),
                "metrics",
                "--period",
                "month",
                "--by",
                "account",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    may = {r["group_id"]: r for r in rows if r["period_key"] == "2026-05"}
    assert may["bluesky:d.bsky.social"]["citizen_comments"] == "2"
    assert may["bluesky:d.bsky.social"]["response_rate"] == "0.5"
    assert may["feed:https://www.e.example/feed/"]["followers"] == ""
    assert (
        may["feed:https://www.e.example/feed/"]["followers_na_reason"]
        == "no follower count collected in the period"
    )
    assert {r["period_key"] for r in rows} == {"2026-05", "2026-06"}


def test_bad_period_is_refused(world, con, db_path, capsys):
    three_levels(world)
    con.close()
    assert cli.main(["--db", str(db_path), "metrics", "--period", "2026-13-01:2026-14-01"]) == 1
    assert capsys.readouterr().err.startswith(
        "closer: 2026-13-01:2026-14-01: month must be in 1..12"
    )
    assert cli.main(["--db", str(db_path), "metrics", "--columns", "nope"]) == 1
    assert "unknown column(s): nope" in capsys.readouterr().err


def test_empty_database(db_path, capsys):
    assert cli.main(["--db", str(db_path), "metrics", "--period", "month"]) == 1
    assert (
        capsys.readouterr().err.strip()
        == "closer: no data to compute metrics over yet (run `closer collect` first)"
    )
