"""Run bookkeeping: each collection, import or re-read is a row in `runs`."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

import duckdb

from monitor.http import redact_text


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_run_id(at: dt.datetime | None = None) -> str:
    at = at or now()
    return at.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def start(con: duckdb.DuckDBPyConnection, kind: str, params: dict[str, Any], archive_path: str | None = None, run_id: str | None = None) -> str:
    run_id = run_id or new_run_id()
    con.execute(
        "INSERT INTO runs (run_id, kind, started_at, status, params, archive_path) VALUES (?, ?, ?, 'running', ?, ?)",
        [run_id, kind, now(), json.dumps(params, default=str), archive_path],
    )
    return run_id


def record_error(con: duckdb.DuckDBPyConnection, run_id: str, account_id: str | None, platform: str | None, stage: str, reason: str) -> None:
    con.execute(
        "INSERT INTO run_errors (run_id, account_id, platform, stage, reason, occurred_at) VALUES (?, ?, ?, ?, ?, ?)",
        [run_id, account_id, platform, stage, redact_text(str(reason))[:2000], now()],
    )


def record_account(con: duckdb.DuckDBPyConnection, run_id: str, account_id: str, status: str, posts: int = 0, comments: int = 0, requests: int = 0) -> None:
    con.execute("DELETE FROM run_accounts WHERE run_id = ? AND account_id = ?", [run_id, account_id])
    con.execute(
        "INSERT INTO run_accounts VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_id, account_id, status, posts, comments, requests, now()],
    )


def finish(con: duckdb.DuckDBPyConnection, run_id: str, requests: int = 0) -> str:
    """Close the run with its totals; status ok, partial (some errors) or failed (nothing stored)."""
    ok, failed, total, posts, comments = con.execute(
        "SELECT count(*) FILTER (status = 'ok'), count(*) FILTER (status = 'failed'), count(*),"
        " coalesce(sum(posts), 0), coalesce(sum(comments), 0) FROM run_accounts WHERE run_id = ?",
        [run_id],
    ).fetchone()
    errors = con.execute("SELECT count(*) FROM run_errors WHERE run_id = ?", [run_id]).fetchone()[0]
    if errors == 0:
        status = "ok"
    elif ok > 0:
        status = "partial"
    else:
        status = "failed"
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, accounts_total = ?, accounts_ok = ?, accounts_failed = ?,"
        " posts = ?, comments = ?, requests = ?, errors = ? WHERE run_id = ?",
        [now(), status, total, ok, failed, posts, comments, requests, errors, run_id],
    )
    return status


def last_finished(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The latest run that finished (any status), for "data as of …"."""
    row = con.execute(
        "SELECT run_id, kind, started_at, finished_at, status FROM runs WHERE finished_at IS NOT NULL"
        " ORDER BY finished_at DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return dict(zip(("run_id", "kind", "started_at", "finished_at", "status"), row))
