"""Fixtures for the comment analysis tests: a registry and comments in a real DuckDB file."""

from __future__ import annotations

import datetime as dt

import pytest

from closer import db, store

T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)


def add_registry(con, institutions=(("A", "RO"), ("B", "RO"))) -> None:
    """Institutions with one Mastodon account each ('mastodon:<id lower>')."""
    for iid, country in institutions:
        con.execute(
            "INSERT INTO institutions (institution_id, name, type, region, country)"
            " VALUES (?, ?, 'city_hall', ?, ?)",
            [iid, f"Primăria {iid}", f"Județul {iid}", country],
        )
        con.execute(
            "INSERT INTO accounts (account_id, institution_id, platform, handle)"
            " VALUES (?, ?, 'mastodon', ?)",
            [f"mastodon:{iid.lower()}", iid, iid.lower()],
        )
    con.execute(
        "INSERT INTO runs (run_id, kind, started_at, finished_at, status)"
        " VALUES ('run1', 'collect', ?, ?, 'ok')",
        [T0, T0],
    )


def add_comments(con, account: str, rows: list[dict], run_id: str = "run1") -> None:
    """Comments under post 'p1' (rows: comment_id, text, minutes, by_institution, parent_id)."""
    out = []
    for r in rows:
        out.append(
            {
                "comment_id": r["comment_id"],
                "post_id": r.get("post_id", "p1"),
                "parent_id": r.get("parent_id", "p1"),
                "created_at": T0 + dt.timedelta(minutes=r.get("minutes", 0)),
                "by_institution": r.get("by_institution", False),
                "author": account if r.get("by_institution") else f"u-{r['comment_id']}",
                "text": r["text"],
            }
        )
    store.save_comments(con, run_id, "mastodon", account, out)


@pytest.fixture
def registry_db(db_path):
    """A database with institutions A and B (Romania) and no comments yet."""
    with db.connect(db_path) as con:
        add_registry(con)
    return db_path


def results(db_path, columns: str = "*") -> dict[str, tuple]:
    """comment_id → the selected columns of comment_analysis."""
    with db.connect(db_path, read_only=True) as con:
        rows = con.execute(
            f"SELECT comment_id, {columns} FROM comment_analysis ORDER BY comment_id"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}
