"""Saving normalised rows: bulk, idempotent, time series kept.

Posts and comments are stored once per (platform, id) and updated in place when seen
again (edits); their counts and the accounts' followers are snapshots keyed by run, so
re-running or re-reading a run replaces that run's rows and never double counts.
Rows go in as Arrow tables and are merged in SQL (a million comments in about a second).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

POST_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("post_id", pa.string()),
        ("account_id", pa.string()),
        ("created_at", TS),
        ("url", pa.string()),
        ("kind", pa.string()),
        ("form", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("lang", pa.string()),
        ("in_reply_to_id", pa.string()),
        ("visibility", pa.string()),
        ("links", pa.list_(pa.string())),
        ("has_poll", pa.bool_()),
        ("edited_at", TS),
        ("first_run_id", pa.string()),
        ("last_run_id", pa.string()),
    ]
)
POST_SNAPSHOT_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("platform", pa.string()),
        ("post_id", pa.string()),
        ("snapshot_at", TS),
        ("likes", pa.int64()),
        ("shares", pa.int64()),
        ("replies", pa.int64()),
        ("quotes", pa.int64()),
        ("views", pa.int64()),
    ]
)
COMMENT_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("comment_id", pa.string()),
        ("post_id", pa.string()),
        ("parent_id", pa.string()),
        ("account_id", pa.string()),
        ("created_at", TS),
        ("by_institution", pa.bool_()),
        ("author", pa.string()),
        ("lang", pa.string()),
        ("text", pa.string()),
        ("likes", pa.int64()),
        ("edited_at", TS),
        ("first_run_id", pa.string()),
        ("last_run_id", pa.string()),
    ]
)
ACCOUNT_SNAPSHOT_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("account_id", pa.string()),
        ("snapshot_at", TS),
        ("followers", pa.int64()),
        ("following", pa.int64()),
        ("posts_count", pa.int64()),
        ("views", pa.int64()),
        ("source", pa.string()),
    ]
)

_POST_UPDATABLE = ("account_id", "url", "kind", "form", "title", "text", "lang", "in_reply_to_id", "visibility", "links", "has_poll", "edited_at", "last_run_id")
_COMMENT_UPDATABLE = ("post_id", "parent_id", "account_id", "by_institution", "author", "lang", "text", "likes", "edited_at", "last_run_id")


def _table(rows: Any, schema: pa.Schema, fill: dict[str, Any]) -> pa.Table:
    """Rows (list of dicts, DataFrame or Arrow table) → an Arrow table of `schema`.

    `fill` sets a column to one value for every row; a None value leaves the rows' own.
    """
    fill = {k: v for k, v in fill.items() if v is not None}
    if isinstance(rows, pa.Table):
        t = rows
    elif hasattr(rows, "columns") and hasattr(rows, "to_dict"):  # pandas
        t = pa.Table.from_pandas(rows, preserve_index=False)
    else:
        rows = list(rows)
        cols = {}
        for name in schema.names:
            if name in fill:
                continue
            cols[name] = [r.get(name) for r in rows]
        n = len(rows)
        for name, value in fill.items():
            cols[name] = [value] * n
        return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)
    n = t.num_rows
    arrays = []
    for f in schema:
        if f.name in fill:
            arrays.append(pa.array([fill[f.name]] * n, type=f.type))
        elif f.name in t.column_names:
            arrays.append(t.column(f.name).cast(f.type))
        else:
            arrays.append(pa.nulls(n, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _stage_dedup(con: duckdb.DuckDBPyConnection, name: str, keys: tuple[str, ...]) -> str:
    """Copy registered rows `name` into temp table _dedup, one row per key; returns the key list."""
    keylist = ", ".join(keys)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _dedup AS SELECT * EXCLUDE (_rn) FROM ("
        f" SELECT *, row_number() OVER (PARTITION BY {keylist}) AS _rn FROM {name}) WHERE _rn = 1"
    )
    return keylist


def _merge(con: duckdb.DuckDBPyConnection, table: str, staged: pa.Table, keys: tuple[str, ...], updatable: tuple[str, ...]) -> int:
    """Upsert `staged` into `table` on `keys` (last duplicate in the batch wins)."""
    if staged.num_rows == 0:
        return 0
    name = f"_staged_{table}"
    con.register(name, staged)
    try:
        keylist = _stage_dedup(con, name, keys)
        sets = ", ".join(f"{c} = s.{c}" for c in updatable)
        on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
        con.execute(f"UPDATE {table} AS t SET {sets} FROM _dedup AS s WHERE {on}")
        con.execute(f"INSERT INTO {table} SELECT s.* FROM _dedup AS s ANTI JOIN {table} AS t USING ({keylist})")
        n = con.execute("SELECT count(*) FROM _dedup").fetchone()[0]
        con.execute("DROP TABLE _dedup")
        return n
    finally:
        con.unregister(name)


def _replace_snapshots(con: duckdb.DuckDBPyConnection, table: str, staged: pa.Table, keys: tuple[str, ...]) -> int:
    """Insert snapshots, replacing any with the same keys (the same run seen again)."""
    if staged.num_rows == 0:
        return 0
    name = f"_staged_{table}"
    con.register(name, staged)
    try:
        _stage_dedup(con, name, keys)
        con.execute(f"DELETE FROM {table} AS t USING _dedup AS s WHERE " + " AND ".join(f"t.{k} = s.{k}" for k in keys))
        con.execute(f"INSERT INTO {table} SELECT * FROM _dedup")
        n = con.execute("SELECT count(*) FROM _dedup").fetchone()[0]
        con.execute("DROP TABLE _dedup")
        return n
    finally:
        con.unregister(name)


def save_posts(con: duckdb.DuckDBPyConnection, run_id: str, platform: str, account_id: str, rows: Any) -> int:
    t = _table(rows, POST_SCHEMA, {"platform": platform, "account_id": account_id, "first_run_id": run_id, "last_run_id": run_id})
    return _merge(con, "posts", t, ("platform", "post_id"), _POST_UPDATABLE)


def save_post_snapshots(con: duckdb.DuckDBPyConnection, run_id: str, platform: str, rows: Any) -> int:
    t = _table(rows, POST_SNAPSHOT_SCHEMA, {"run_id": run_id, "platform": platform})
    return _replace_snapshots(con, "post_snapshots", t, ("run_id", "platform", "post_id"))


def save_comments(con: duckdb.DuckDBPyConnection, run_id: str, platform: str, account_id: str, rows: Any) -> int:
    t = _table(rows, COMMENT_SCHEMA, {"platform": platform, "account_id": account_id, "first_run_id": run_id, "last_run_id": run_id})
    return _merge(con, "comments", t, ("platform", "comment_id"), _COMMENT_UPDATABLE)


def save_account_snapshot(con: duckdb.DuckDBPyConnection, run_id: str, account_id: str, snap: dict[str, Any], source: str = "api") -> int:
    row = {k: snap.get(k) for k in ("snapshot_at", "followers", "following", "posts_count", "views")}
    t = _table([row], ACCOUNT_SNAPSHOT_SCHEMA, {"run_id": run_id, "account_id": account_id, "source": source})
    if snap.get("platform_account_id"):
        con.execute(
            "UPDATE accounts SET platform_account_id = ? WHERE account_id = ?",
            [str(snap["platform_account_id"]), account_id],
        )
    return _replace_snapshots(con, "account_snapshots", t, ("run_id", "account_id", "source"))


def save_batch(con: duckdb.DuckDBPyConnection, run_id: str, platform: str, account_id: str, batch) -> dict[str, int]:
    """Store one account's batch in one transaction; returns row counts."""
    con.execute("BEGIN")
    try:
        out = {"posts": 0, "post_snapshots": 0, "comments": 0, "account_snapshots": 0}
        if batch.account_snapshot is not None:
            out["account_snapshots"] = save_account_snapshot(con, run_id, account_id, batch.account_snapshot)
        out["posts"] = save_posts(con, run_id, platform, account_id, batch.posts)
        out["post_snapshots"] = save_post_snapshots(con, run_id, platform, batch.post_snapshots)
        out["comments"] = save_comments(con, run_id, platform, account_id, batch.comments)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return out


def forget_run_rows(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Remove what exactly this run wrote (its snapshots; posts/comments only it has seen)."""
    con.execute("DELETE FROM post_snapshots WHERE run_id = ?", [run_id])
    con.execute("DELETE FROM account_snapshots WHERE run_id = ?", [run_id])
    con.execute("DELETE FROM posts WHERE first_run_id = ? AND last_run_id = ?", [run_id, run_id])
    con.execute("DELETE FROM comments WHERE first_run_id = ? AND last_run_id = ?", [run_id, run_id])
