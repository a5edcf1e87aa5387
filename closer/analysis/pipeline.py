"""Analysing the database: only comments without a result for ANALYSER_VERSION.

`analyse_db(db)` reads the citizen comments (by_institution = false) that have no row in
comment_analysis for the current version, or whose text changed since, analyses them on
all cores, and replaces their rows; a second run on unchanged data analyses nothing.
Institution replies get no row (they are what answers questions, not what citizens say).
Connections are short: one to read what is pending (as Arrow), one per batch to write.
Workers return their results as Arrow columns, chunk by chunk; the parent writes a batch as soon
as its texts are done while the workers go on with the next ones.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from closer import db
from closer.analysis import ANALYSER_VERSION, duplicates, language
from closer.analysis.analyser import Analyser

log = logging.getLogger(__name__)

BATCH_SIZE = 25_000  # comments whose results are assembled at a time
# Results are written at most this often, and at the end: each write is a transaction on a
# short connection whose close folds the write-ahead log into the file (a checkpoint, 0.1 to
# 0.4 s), so a run of 200,000 comments (about 10 s) writes once, with the copies' recount,
# and a run of millions writes every half minute (progress kept, the app reads in between).
FLUSH_SECONDS = 30.0
CHUNK_SIZE = 1_000  # texts per task sent to a worker process
MIN_PARALLEL = 4_000  # below this many distinct texts, workers cost more than they save

PENDING_SQL = """
SELECT c.platform, c.comment_id, c.text, hash(coalesce(c.text, '')) AS text_hash
FROM comments c
LEFT JOIN comment_analysis ca USING (platform, comment_id)
WHERE NOT c.by_institution
  AND (ca.comment_id IS NULL OR ca.analyser_version <> ?
       OR ca.text_hash <> hash(coalesce(c.text, '')))
"""
ALL_SQL = """
SELECT c.platform, c.comment_id, c.text, hash(coalesce(c.text, '')) AS text_hash
FROM comments c WHERE NOT c.by_institution
"""
# Rows whose comment is gone (forgotten run) or turned out to be the institution's.
ORPHANS_SQL = """
DELETE FROM comment_analysis AS ca WHERE NOT EXISTS (
    SELECT 1 FROM comments c
    WHERE c.platform = ca.platform AND c.comment_id = ca.comment_id AND NOT c.by_institution)
"""

RESULT_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("comment_id", pa.string()),
        ("analyser_version", pa.string()),
        ("text_hash", pa.uint64()),
        ("lang", pa.string()),
        ("lang_confidence", pa.float64()),
        ("sentiment", pa.float64()),
        ("sentiment_label", pa.string()),
        ("topics", pa.list_(pa.string())),
        ("is_question", pa.bool_()),
        ("hate", pa.bool_()),
        ("hate_categories", pa.list_(pa.string())),
        ("terms", pa.list_(pa.string())),
        ("dup_group", pa.string()),
        ("dup_count", pa.int32()),
        ("dup_first", pa.bool_()),
        ("analysed_at", pa.timestamp("us", tz="UTC")),
    ]
)
_FIELDS = (
    "lang",
    "lang_confidence",
    "sentiment",
    "sentiment_label",
    "topics",
    "is_question",
    "hate",
    "hate_categories",
    "terms",
    "dup_group",
)


@dataclass
class AnalysisRun:
    """What one `analyse_db` call did."""

    analysed: int = 0
    pending: int = 0
    seconds: float = 0.0
    languages: dict[str, int] = field(default_factory=dict)
    unscored: int = 0
    questions: int = 0
    hate: int = 0
    removed: int = 0

    def summary(self) -> str:
        """One line for the command line and the demo."""
        if not self.analysed:
            return f"analysed 0 comments (all up to date for analyser {ANALYSER_VERSION})"
        langs = ", ".join(
            f"{k} {v}" for k, v in sorted(self.languages.items(), key=lambda kv: -kv[1])
        )
        return (
            f"analysed {self.analysed} comments in {self.seconds:.1f} s ({langs}); "
            f"{self.unscored} unscored, {self.questions} questions, "
            f"{self.hate} flagged as hate/abuse"
        )


def registry_languages(con) -> tuple[str, ...]:
    """Candidate languages for the registry's countries (English included)."""
    countries = [r[0] for r in con.execute("SELECT DISTINCT country FROM institutions").fetchall()]
    return language.languages_for_countries(countries)


# The analyser of a worker process: set in the parent before forking, so workers share the
# loaded tables and models instead of loading them again.
_WORKER_ANALYSER: Analyser | None = None
_RESULT_TYPES = [RESULT_SCHEMA.field(name).type for name in _FIELDS]


def _analyse_chunk(texts: list[str]) -> pa.RecordBatch:
    """The results of `texts` as columns (_FIELDS): built in the worker, so the parent only
    concatenates and reorders them (Arrow, no Python object per value)."""
    assert _WORKER_ANALYSER is not None
    analyse = _WORKER_ANALYSER.analyse
    columns: list[list] = [[] for _ in _FIELDS]
    appends = [c.append for c in columns]
    for text in texts:
        r = analyse(text)
        for append, value in zip(
            appends,
            (
                r.lang,
                r.lang_confidence,
                r.sentiment,
                r.sentiment_label,
                r.topics,
                r.is_question,
                r.hate,
                r.hate_categories,
                r.terms,
                r.dup_group,
            ),
        ):
            append(value)
    return pa.RecordBatch.from_arrays(
        [pa.array(c, type=t) for c, t in zip(columns, _RESULT_TYPES)], names=list(_FIELDS)
    )


def _pool(workers: int, analyser: Analyser):
    """`workers` processes forked now, each with `analyser` (and its loaded tables)."""
    global _WORKER_ANALYSER
    _WORKER_ANALYSER = analyser
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        ctx = multiprocessing.get_context()
    return ctx.Pool(workers)


def default_workers() -> int:
    """Worker processes to use: one per core."""
    return max(1, os.cpu_count() or 1)


def _results(unique: list[str], analyser: Analyser, pool) -> Iterator[pa.RecordBatch]:
    """Results of the unique texts, chunk by chunk, in order: from the pool's workers (which
    keep analysing while the caller writes what it has) or, without a pool, here."""
    global _WORKER_ANALYSER
    _WORKER_ANALYSER = analyser
    chunks = (unique[i : i + CHUNK_SIZE] for i in range(0, len(unique), CHUNK_SIZE))
    if pool is None:
        return map(_analyse_chunk, chunks)
    return pool.imap(_analyse_chunk, chunks)


def analyse_texts(
    texts: Sequence[str | None], analyser: Analyser, workers: int | None = None
) -> list[tuple]:
    """Analyse texts (identical texts once), in worker processes when it pays; returns one
    tuple of _FIELDS per text, in order."""
    unique = list(dict.fromkeys(t or "" for t in texts))
    workers = default_workers() if workers is None else workers
    pool = _pool(workers, analyser) if workers > 1 and len(unique) >= MIN_PARALLEL else None
    try:
        batches = list(_results(unique, analyser, pool))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    table = pa.Table.from_batches(batches, schema=_result_schema())
    rows = list(zip(*(table.column(name).to_pylist() for name in _FIELDS)))
    by_text = dict(zip(unique, rows))
    return [by_text[t or ""] for t in texts]


@functools.cache
def _result_schema() -> pa.Schema:
    return pa.schema([RESULT_SCHEMA.field(name) for name in _FIELDS])


INSERT_SQL = f"""
INSERT INTO comment_analysis ({", ".join(RESULT_SCHEMA.names)})
SELECT platform, comment_id, $version, text_hash, {", ".join(_FIELDS)},
       1, true, $now
FROM _analysed
"""


def _write(
    db_path, tables: list[pa.Table], now: dt.datetime, recount: bool = False
) -> None:
    """Replace the rows of the comments in `tables` (platform, comment_id, text_hash and
    _FIELDS) in one transaction; with recount, also recount the copies (duplicates)."""
    with db.connect(db_path) as con, db.transaction(con):
        if tables:
            con.register("_analysed", pa.concat_tables(tables))
            try:
                con.execute(
                    "DELETE FROM comment_analysis AS ca USING _analysed AS s"
                    " WHERE ca.platform = s.platform AND ca.comment_id = s.comment_id"
                )
                con.execute(INSERT_SQL, {"version": ANALYSER_VERSION, "now": now})
            finally:
                con.unregister("_analysed")
        if recount:
            con.execute(duplicates.RECOUNT_SQL)


def _count(run: AnalysisRun, results: pa.Table) -> None:
    """Add a batch's languages, unscored, questions and flags to the run's summary."""
    for item in pc.value_counts(results.column("lang")).to_pylist():
        run.languages[item["values"]] = run.languages.get(item["values"], 0) + item["counts"]
    run.unscored += results.column("sentiment").null_count
    run.questions += int(pc.sum(pc.fill_null(results.column("is_question"), False)).as_py() or 0)
    run.hate += int(pc.sum(pc.fill_null(results.column("hate"), False)).as_py() or 0)


def analyse_db(
    db_path: str | Path | None = None, *, all: bool = False, workers: int | None = None
) -> AnalysisRun:
    """Analyse the citizen comments without a current result (all of them with all=True)."""
    started = time.perf_counter()
    run = AnalysisRun()
    with db.connect(db_path) as con:
        if all:
            rows = con.sql(ALL_SQL).to_arrow_table()
        else:
            rows = con.sql(PENDING_SQL, params=[ANALYSER_VERSION]).to_arrow_table()
        run.removed = con.execute(ORPHANS_SQL).fetchone()[0] if _has_orphans(con) else 0
        languages = registry_languages(con) if rows.num_rows else ()
    run.pending = rows.num_rows
    if not rows.num_rows:
        if run.removed:
            _write(db_path, [], dt.datetime.now(dt.UTC), recount=True)
        run.seconds = time.perf_counter() - started
        log.info("comment analysis: nothing to do (analyser %s)", ANALYSER_VERSION)
        return run
    # Each distinct text once: `index` gives every row its text's place among `unique`.
    positions: dict[str, int] = {}
    index = [positions.setdefault(t or "", len(positions)) for t in rows.column("text").to_pylist()]
    unique = list(positions)
    analyser = Analyser(languages)
    analyser.warm_up()
    workers = default_workers() if workers is None else workers
    pool = _pool(workers, analyser) if workers > 1 and len(unique) >= MIN_PARALLEL else None
    keys = rows.select(["platform", "comment_id", "text_hash"])
    pending: list[pa.Table] = []  # results assembled and not written yet
    last_write = time.monotonic()
    try:
        results = _results(unique, analyser, pool)
        done: list[pa.RecordBatch] = []
        have = 0  # unique texts analysed so far
        needed = 0  # unique texts the rows so far need (texts are numbered as first seen)
        for start in range(0, rows.num_rows, BATCH_SIZE):
            batch_index = index[start : start + BATCH_SIZE]
            needed = max(needed, max(batch_index) + 1)
            while have < needed:  # the workers go on with the next chunks meanwhile
                got = next(results)
                done.append(got)
                have += got.num_rows
            analysed = pa.Table.from_batches(done, schema=_result_schema()).take(
                pa.array(batch_index, type=pa.int64())
            )
            table = keys.slice(start, len(batch_index))
            for name in _FIELDS:
                table = table.append_column(name, analysed.column(name))
            pending.append(table)
            _count(run, analysed)
            run.analysed += len(batch_index)
            log.info("comment analysis: %d of %d comments", run.analysed, rows.num_rows)
            if time.monotonic() - last_write >= FLUSH_SECONDS:
                _write(db_path, pending, dt.datetime.now(dt.UTC))
                pending, last_write = [], time.monotonic()
    except BaseException:
        if pending:  # keep what was analysed (best effort): the next run skips it
            try:
                _write(db_path, pending, dt.datetime.now(dt.UTC), recount=True)
            except Exception as exc:  # noqa: BLE001 - the first error is the one to report
                log.warning("comment analysis: %d results not written: %s", run.analysed, exc)
        raise
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    _write(db_path, pending, dt.datetime.now(dt.UTC), recount=True)
    run.seconds = time.perf_counter() - started
    log.info("comment analysis: %s", run.summary())
    return run


def _has_orphans(con) -> bool:
    return bool(
        con.execute(
            "SELECT EXISTS (SELECT 1 FROM comment_analysis AS ca WHERE NOT EXISTS ("
            " SELECT 1 FROM comments c WHERE c.platform = ca.platform"
            " AND c.comment_id = ca.comment_id AND NOT c.by_institution))"
        ).fetchone()[0]
    )
