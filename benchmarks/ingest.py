"""Ingest speed: 1,000,000 comments and 100,000 post snapshots through closer.store.

Baseline: a row-by-row `executemany` INSERT of the same rows (on a sample, scaled up to
the full count), measured in the same run. Target: ≥ 100× the baseline and under 3 s for
the million comments on a 2-core machine.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from closer import db, store  # noqa: E402

N_COMMENTS = 1_000_000
N_SNAPSHOTS = 100_000
SAMPLE = 5_000


def comments_table(n: int, offset: int = 0) -> pa.Table:
    rng = np.random.default_rng(1)
    ids = np.arange(offset, offset + n)
    t0 = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1e6)
    texts = ["Când se repară strada?", "Mulțumim pentru informare!", "Thank you for the update", "Nu e normal ce se întâmplă cu gunoiul"]
    return pa.table(
        {
            "comment_id": pa.array(ids.astype(str)),
            "post_id": pa.array((ids // 20).astype(str)),
            "parent_id": pa.array((ids // 20).astype(str)),
            "account_id": pa.array([f"mastodon:acct{i % 1000}@social.example" for i in ids]),
            "created_at": pa.array(t0 + ids * 31_000_000, type=store.TS),
            "by_institution": pa.array(rng.random(n) < 0.1),
            "author": pa.array([f"p_{i % 50_000:016x}" for i in ids]),
            "lang": pa.array(["ro"] * n),
            "text": pa.array([texts[i % 4] for i in ids]),
            "likes": pa.array(rng.integers(0, 50, n)),
        }
    )


def snapshots_table(n: int) -> pa.Table:
    ids = np.arange(n)
    t = int(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc).timestamp() * 1e6)
    return pa.table(
        {
            "post_id": pa.array(ids.astype(str)),
            "snapshot_at": pa.array(np.full(n, t), type=store.TS),
            "likes": pa.array(ids % 97),
            "shares": pa.array(ids % 13),
            "replies": pa.array(ids % 7),
            "quotes": pa.nulls(n, pa.int64()),
            "views": pa.nulls(n, pa.int64()),
        }
    )


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    comments = comments_table(N_COMMENTS)
    snaps = snapshots_table(N_SNAPSHOTS)

    with db.connect(tmp / "closer.duckdb") as con:
        t = time.perf_counter()
        store.save_comments(con, "run-1", "mastodon", None, comments)
        t_comments = time.perf_counter() - t
        t = time.perf_counter()
        store.save_post_snapshots(con, "run-1", "mastodon", snaps)
        t_snaps = time.perf_counter() - t
        t = time.perf_counter()
        store.save_comments(con, "run-2", "mastodon", None, comments)
        t_again = time.perf_counter() - t
        n = con.execute("SELECT count(*) FROM comments").fetchone()[0]
        assert n == N_COMMENTS, n

    # Baseline: row-by-row executemany INSERT of a sample of the same rows, scaled up.
    sample = comments.slice(0, SAMPLE).to_pylist()
    cols = ["platform", "comment_id", "post_id", "parent_id", "account_id", "created_at", "by_institution", "author", "lang", "text", "likes", "first_run_id", "last_run_id"]
    params = [["mastodon", r["comment_id"], r["post_id"], r["parent_id"], r["account_id"], r["created_at"], r["by_institution"], r["author"], r["lang"], r["text"], r["likes"], "run-1", "run-1"] for r in sample]
    with db.connect(tmp / "baseline.duckdb") as con:
        t = time.perf_counter()
        con.executemany(f"INSERT INTO comments ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", params)
        t_base_sample = time.perf_counter() - t
    t_base = t_base_sample * N_COMMENTS / SAMPLE

    print(f"comments stored:        {N_COMMENTS:>9,} rows in {t_comments:6.2f} s  (target < 3 s)")
    print(f"  same run again:       {N_COMMENTS:>9,} rows in {t_again:6.2f} s  (upsert, no duplicates: {n:,} rows)")
    print(f"post snapshots stored:  {N_SNAPSHOTS:>9,} rows in {t_snaps:6.2f} s")
    print(f"baseline executemany:   {SAMPLE:>9,} rows in {t_base_sample:6.2f} s → {t_base:8.1f} s for {N_COMMENTS:,} (scaled)")
    print(f"ratio (baseline / closer): {t_base / t_comments:,.0f}×  (target ≥ 100×)")


if __name__ == "__main__":
    main()
