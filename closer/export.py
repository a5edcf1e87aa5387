"""`closer export`: a table of the database as CSV, Parquet or JSON (columns: docs/export.md).

Times are UTC, ISO 8601 with a Z. A count the platform did not give is NULL in the
database and stays missing in the file (empty in CSV, null in JSON), never 0. Comment
authors are exported as stored: citizens as keyed-hash pseudonyms (the clear handle is
never stored), the institution as its account id. Rows stream in batches, so a million
comments export without holding them in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from closer import config, db

FORMATS = ("csv", "parquet", "json")
BATCH_ROWS = 50_000

_LATEST_SNAPSHOT = (
    "SELECT * FROM post_snapshots QUALIFY row_number() OVER"
    " (PARTITION BY platform, post_id ORDER BY snapshot_at DESC, run_id DESC) = 1"
)

TABLES: dict[str, str] = {
    "institutions": (
        "SELECT institution_id, name, type, region, locality, country, updated_at"
        " FROM institutions ORDER BY institution_id"
    ),
    "accounts": (
        "SELECT account_id, institution_id, platform, handle, url, platform_account_id, status,"
        " status_reason, updated_at FROM accounts ORDER BY institution_id, platform, account_id"
    ),
    "account_snapshots": (
        "SELECT a.platform, s.account_id AS account, a.institution_id, s.run_id, s.snapshot_at,"
        " s.followers, s.following, s.posts_count, s.views, s.source"
        " FROM account_snapshots s LEFT JOIN accounts a USING (account_id)"
        " ORDER BY s.account_id, s.snapshot_at, s.run_id"
    ),
    "posts": (
        f"WITH latest AS ({_LATEST_SNAPSHOT})"
        " SELECT p.platform, p.account_id AS account, p.post_id, p.created_at, p.url, p.form,"
        " p.text,"
        " l.likes, l.shares, l.replies, l.quotes, l.views, l.snapshot_at,"
        " a.institution_id, p.kind, p.title, p.lang, p.in_reply_to_id, p.visibility, p.links,"
        " p.has_poll, p.edited_at, p.first_run_id, p.last_run_id"
        " FROM posts p LEFT JOIN latest l USING (platform, post_id)"
        " LEFT JOIN accounts a ON a.account_id = p.account_id"
        " ORDER BY p.platform, p.account_id, p.created_at, p.post_id"
    ),
    "post_snapshots": (
        "SELECT s.platform, p.account_id AS account, s.post_id, s.run_id, s.snapshot_at,"
        " s.likes, s.shares, s.replies, s.quotes, s.views"
        " FROM post_snapshots s LEFT JOIN posts p USING (platform, post_id)"
        " ORDER BY s.platform, s.post_id, s.snapshot_at, s.run_id"
    ),
    "comments": (
        "SELECT platform, post_id, comment_id, parent_id, created_at, by_institution, author,"
        " lang, text,"
        " account_id AS account, likes, edited_at, first_run_id, last_run_id"
        " FROM comments ORDER BY platform, post_id, created_at, comment_id"
    ),
    "runs": (
        "SELECT run_id, kind, status, started_at, finished_at, params, accounts_total, accounts_ok,"
        " accounts_failed, posts, comments, requests, errors, archive_path FROM runs"
        " ORDER BY started_at, run_id"
    ),
    "run_errors": (
        "SELECT run_id, account_id AS account, platform, stage, reason, occurred_at FROM run_errors"
        " ORDER BY occurred_at, run_id"
    ),
}


class ExportError(ValueError):
    """The export cannot be made (unknown table or format, not allowed, no output)."""


def check_admin(actor: Any) -> None:
    """Raise ExportError unless `actor` (a closer.auth.User) holds the admin role."""
    if actor is None:
        raise ExportError("--reveal-authors is for admins: say who you are with --as USER")
    if not actor.has("admin"):
        have = ", ".join(actor.roles) or "no role"
        raise ExportError(f"--reveal-authors is for admins: {actor.username} has {have}")


def iso_utc(value: dt.datetime) -> str:
    """2024-05-01T10:00:00Z, with .fff or .ffffff only when the time has them."""
    v = value.astimezone(dt.UTC) if value.tzinfo else value
    if v.microsecond == 0:
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if v.microsecond % 1000 == 0:
        return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"
    return v.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# A time in UTC, ISO 8601 with a Z, with .fff or .ffffff only when the time has them
# (closer.export.iso_utc, done in SQL: converting a million datetimes in Python is slow).
_TIME_SQL = (
    "CASE WHEN {c} IS NULL THEN NULL"
    " WHEN microsecond({c}) % 1000000 = 0 THEN strftime({c}, '%Y-%m-%dT%H:%M:%SZ')"
    " WHEN microsecond({c}) % 1000 = 0 THEN strftime({c}, '%Y-%m-%dT%H:%M:%S.%gZ')"
    " ELSE strftime({c}, '%Y-%m-%dT%H:%M:%S.%fZ') END"
)


def _text_sql(con, table: str, fmt: str) -> str:
    """The table's query with times as ISO strings and, for CSV, booleans as true/false and
    lists space-separated (URLs hold no spaces)."""
    rel = con.sql(TABLES[table])
    cols = []
    for name, typ in zip(rel.columns, (str(t) for t in rel.types), strict=True):
        c = f'"{name}"'
        if typ.startswith("TIMESTAMP"):
            cols.append(f"{_TIME_SQL.format(c=c)} AS {c}")
        elif typ == "DATE":
            cols.append(f"strftime({c}, '%Y-%m-%d') AS {c}")
        elif fmt == "csv" and typ == "BOOLEAN":
            cols.append(f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END AS {c}")
        elif fmt == "csv" and typ.endswith("[]"):
            cols.append(f"array_to_string({c}, ' ') AS {c}")
        else:
            cols.append(c)
    return f"SELECT {', '.join(cols)} FROM ({TABLES[table]})"


def _utc_schema(schema: pa.Schema) -> pa.Schema:
    fields = []
    for f in schema:
        if pa.types.is_timestamp(f.type) and f.type.tz is not None:
            f = f.with_type(pa.timestamp(f.type.unit, tz="UTC"))
        fields.append(f)
    return pa.schema(fields)


def _batches(con, sql: str) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    rel = con.sql(sql)
    # duckdb 2 names it to_arrow_reader; 1.x record_batch
    reader = (
        rel.to_arrow_reader(BATCH_ROWS)
        if hasattr(rel, "to_arrow_reader")
        else rel.record_batch(BATCH_ROWS)
    )
    schema = _utc_schema(reader.schema)
    return schema, (pa.RecordBatch.from_arrays(b.columns, schema=schema) for b in reader)


def write(con, table: str, fmt: str, out: IO[str] | str | Path) -> int:
    """Write one table to `out` (a text stream for csv/json, a path for parquet); returns rows."""
    if table not in TABLES:
        raise ExportError(f"unknown table {table!r} (known: {', '.join(TABLES)})")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    con.execute("SET TimeZone = 'UTC'")
    n = 0
    if fmt == "parquet":
        import pyarrow.parquet as pq

        schema, batches = _batches(con, TABLES[table])
        with pq.ParquetWriter(str(out), schema) as w:
            for b in batches:
                w.write_batch(b)
                n += b.num_rows
        return n
    assert not isinstance(out, (str, Path))
    schema, batches = _batches(con, _text_sql(con, table, fmt))
    names = schema.names
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(names)
        for b in batches:
            columns = [b.column(i).to_pylist() for i in range(b.num_columns)]
            rows = list(zip(*columns, strict=True))
            w.writerows(rows)  # None is written as an empty field
            n += len(rows)
        return n
    out.write("[")
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for b in batches:
        for row in b.to_pylist():
            out.write(",\n" if n else "\n")
            out.write(dumps(row))
            n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def export(
    db_path: str | Path | None,
    table: str,
    fmt: str = "csv",
    out: str | Path | None = None,
    *,
    reveal_authors: bool = False,
    actor: Any = None,
) -> int:
    """Export `table` to `out` (stdout for csv/json when None or '-'); returns the row count.

    reveal_authors needs an admin (`actor`, a closer.auth.User) and shows what is stored:
    Closer never stores a citizen's handle, so citizens stay keyed-hash pseudonyms
    (docs/export.md).
    """
    if table not in TABLES:
        raise ExportError(f"unknown table {table!r} (known: {', '.join(TABLES)})")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if reveal_authors:
        check_admin(actor)
    dbp = config.db_path(db_path)
    to_stdout = out is None or str(out) == "-"
    if fmt == "parquet" and to_stdout:
        raise ExportError("parquet is binary: give a file with --out")
    with db.connect(dbp, read_only=True) as con:
        if to_stdout:
            return write(con, table, fmt, sys.stdout)
        path = Path(out)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        try:
            if fmt == "parquet":
                n = write(con, table, fmt, tmp)
            else:
                with tmp.open("w", encoding="utf-8", newline="") as fh:
                    n = write(con, table, fmt, fh)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return n
