"""The one module that owns DuckDB connections and the schema (numbered migrations).

DuckDB allows one writing process, and a writer locks other processes out even for
reading (docs/storage.md). So every process connects briefly: open, do one unit of work,
close. `connect` waits a bounded time for a lock held by another process instead of
failing at once.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from closer import config

log = logging.getLogger(__name__)

_MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class DatabaseBusy(RuntimeError):
    """Another process holds the database lock longer than we were willing to wait."""


class DatabaseMissing(FileNotFoundError):
    """The database file does not exist (run `closer init`)."""


def migrations() -> list[tuple[int, str, str]]:
    """All migrations shipped with Closer: (version, name, sql), in version order."""
    found = []
    for entry in resources.files("closer.migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations this database has not seen; returns the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        log.info("applied migration %03d_%s", version, name)
        applied.append(version)
    return applied


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def open_connection(
    path: str | Path | None = None, *, read_only: bool = False, wait: float = 30.0
) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting up to `wait` seconds for another process's lock.

    A read-write open applies pending migrations. A read-only open of a missing file
    raises DatabaseMissing.
    """
    p = config.db_path(path)
    if read_only and not p.exists():
        raise DatabaseMissing(f"{p}: no database here; run `closer init` first")
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(p), read_only=read_only)
            break
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            # IOException: another process holds the file lock. ConnectionException: this
            # process (e.g. another Streamlit session) has the file open in the other mode,
            # which DuckDB refuses within one process. Both pass: wait for it.
            if not (_is_lock_error(exc) or "different configuration" in str(exc)):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"{p}: the database is in use by another connection (a collection run, "
                    f"or another session of the app); waited {wait:.1f} s"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    if not read_only:
        try:
            migrate(con)
        except Exception:
            con.close()
            raise
    return con


@contextlib.contextmanager
def connect(
    path: str | Path | None = None, *, read_only: bool = False, wait: float = 30.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection: `with connect(db) as con: ...`; closed on exit."""
    con = open_connection(path, read_only=read_only, wait=wait)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any exception (nothing half-written)."""
    con.execute("BEGIN")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def data_version(path: str | Path | None = None) -> tuple[float, float]:
    """A cheap cache key that changes whenever any process writes (db and WAL mtimes)."""
    p = config.db_path(path)
    wal = Path(str(p) + ".wal")
    m1 = p.stat().st_mtime if p.exists() else 0.0
    m2 = wal.stat().st_mtime if wal.exists() else 0.0
    return (m1, m2)
