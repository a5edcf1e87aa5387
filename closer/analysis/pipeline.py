"""Analysing the database: only comments without a result for ANALYSER_VERSION.

`analyse_db(db)` reads the citizen comments (by_institution = false) that have no row in
comment_analysis for the current version, or whose text changed since, analyses them on
all cores, and replaces their rows; a second run on unchanged data analyses nothing.
Institution replies get no row (they are what answers questions, not what citizens say).
Connections are short: one to read what is pending, one per batch to write.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from closer import db
from closer.analysis import ANALYSER_VERSION, duplicates, language
from closer.analysis.analyser import Analyser

log = logging.getLogger(__name__)

BATCH_SIZE = 50_000  # comments analysed and written per transaction
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


def _analyse_chunk(texts: list[str]) -> list[tuple]:
    assert _WORKER_ANALYSER is not None
    out = []
    for text in texts:
        r = _WORKER_ANALYSER.analyse(text)
        out.append(tuple(getattr(r, f) for f in _FIELDS))
    return out


def _pool(workers: int):
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        ctx = multiprocessing.get_context()
    return ctx.Pool(workers)


def default_workers() -> int:
    """Worker processes to use: one per core."""
    return max(1, os.cpu_count() or 1)


def analyse_texts(
    texts: Sequence[str | None], analyser: Analyser, workers: int | None = None, pool=None
) -> list[tuple]:
    """Analyse texts (identical texts once), in worker processes when it pays; returns one
    tuple of _FIELDS per text, in order."""
    global _WORKER_ANALYSER
    unique = list(dict.fromkeys(t or "" for t in texts))
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(unique) < MIN_PARALLEL:
        _WORKER_ANALYSER = analyser
        results = _analyse_chunk(unique)
    else:
        chunks = [unique[i : i + CHUNK_SIZE] for i in range(0, len(unique), CHUNK_SIZE)]
        own = pool is None
        if own:
            _WORKER_ANALYSER = analyser
            pool = _pool(workers)
        try:
            results = [r for part in pool.map(_analyse_chunk, chunks) for r in part]
        finally:
            if own:
                pool.close()
                pool.join()
    by_text = dict(zip(unique, results))
    return [by_text[t or ""] for t in texts]


def _table(rows: list[tuple], results: list[tuple], now: dt.datetime) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in RESULT_SCHEMA.names}
    for (platform, comment_id, _text, text_hash), result in zip(rows, results):
        cols["platform"].append(platform)
        cols["comment_id"].append(comment_id)
        cols["analyser_version"].append(ANALYSER_VERSION)
        cols["text_hash"].append(text_hash)
        for name, value in zip(_FIELDS, result):
            cols[name].append(value)
        cols["dup_count"].append(1)
        cols["dup_first"].append(True)
        cols["analysed_at"].append(now)
    return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in RESULT_SCHEMA})


def _write(db_path, table: pa.Table) -> None:
    with db.connect(db_path) as con, db.transaction(con):
        con.register("_analysed", table)
        try:
            con.execute(
                "DELETE FROM comment_analysis AS ca USING _analysed AS s"
                " WHERE ca.platform = s.platform AND ca.comment_id = s.comment_id"
            )
            con.execute("INSERT INTO comment_analysis SELECT * FROM _analysed")
        finally:
            con.unregister("_analysed")


def analyse_db(
    db_path: str | Path | None = None, *, all: bool = False, workers: int | None = None
) -> AnalysisRun:
    """Analyse the citizen comments without a current result (all of them with all=True)."""
    started = time.perf_counter()
    run = AnalysisRun()
    with db.connect(db_path) as con:
        if all:
            rows = con.execute(ALL_SQL).fetchall()
        else:
            rows = con.execute(PENDING_SQL, [ANALYSER_VERSION]).fetchall()
        run.removed = con.execute(ORPHANS_SQL).fetchone()[0] if _has_orphans(con) else 0
        languages = registry_languages(con) if rows else ()
    run.pending = len(rows)
    if not rows:
        if run.removed:
            with db.connect(db_path) as con, db.transaction(con):
                con.execute(duplicates.RECOUNT_SQL)
        run.seconds = time.perf_counter() - started
        log.info("comment analysis: nothing to do (analyser %s)", ANALYSER_VERSION)
        return run
    analyser = Analyser(languages)
    analyser.warm_up()
    workers = default_workers() if workers is None else workers
    distinct = len({r[2] or "" for r in rows})
    pool = None
    if workers > 1 and distinct >= MIN_PARALLEL:
        global _WORKER_ANALYSER
        _WORKER_ANALYSER = analyser
        pool = _pool(workers)
    langs: Counter[str] = Counter()
    try:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            results = analyse_texts([r[2] for r in batch], analyser, workers, pool=pool)
            now = dt.datetime.now(dt.UTC)
            _write(db_path, _table(batch, results, now))
            for r in results:
                langs[r[0]] += 1
                run.unscored += r[2] is None
                run.questions += bool(r[5])
                run.hate += bool(r[6])
            run.analysed += len(batch)
            log.info("comment analysis: %d of %d comments", run.analysed, len(rows))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with db.connect(db_path) as con, db.transaction(con):
        con.execute(duplicates.RECOUNT_SQL)
    run.languages = dict(langs)
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
