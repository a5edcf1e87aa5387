"""The stored response table: per-citizen-comment results, computed once, refreshed incrementally.

`comment_responses` (migration 011) keeps, for every citizen comment, its first institution
answer in its branch, whether it asks, its tier and its latency on the response clock: the
per-comment work of _citizen_comments (metrics/comment_answers.sql). `refresh(con)` brings it
up to date with the comments, the comment analysis and the rules:

- the rules' signature (the SQL of the question, tier and response-clock rules) changed, or
  the table is new: every row is rebuilt;
- otherwise only the threads (posts) that have comments from a collection run that is new or
  whose comment count or latest time changed, or a comment analysed after the last refresh, are
  recomputed (a new institution reply answers comments only in its own thread);
- a collection run whose post snapshots are new or changed updates the seen time of its
  posts' threads (seen_at: the post's latest snapshot, when the thread was last read; and
  seen_age_s: an unanswered comment's age then, on the response clock); a run that lost
  snapshots updates every thread's;
- if afterwards the table does not hold exactly one row per citizen comment (comments deleted,
  analysis rows removed), it is rebuilt whole.

What depends on the request (periods, grouping, the account's or the data's as-of time for a
thread whose post has no snapshot, thread_coverage for "unverified", the tiers' limits) is
applied when the metrics aggregate the rows (metrics.compute), not stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import duckdb

from metrics import rules as rules_mod
from metrics.rules import Rules

log = logging.getLogger(__name__)

# The macros whose results are stored (asks, tier, clock); their SQL is the rules' signature.
_STORED_MACROS = ("comment_keyword_hit", "comment_asks", "comment_tier", "response_clock")
# The stored columns' layout: a new one changes the signature, so old tables are rebuilt.
LAYOUT = "3: tier_ord, seen_at, seen_age_s, outcome_code"


TABLES = (
    "comment_responses",
    "comment_responses_state",
    "comment_responses_runs",
    "comment_responses_snapshots",
)


def has_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> bool:
    """Whether the database has every one of these (migrated) tables."""
    listed = ", ".join(f"'{t}'" for t in names)
    return (
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
            f" AND table_name IN ({listed})"
        ).fetchone()[0]
        == len(names)
    )


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return has_tables(con, TABLES)


def read_only(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT current_setting('access_mode')").fetchone()[0] == "read_only"


def rules_signature(rules: Rules) -> str:
    text = "\n".join(
        m for m in rules.macros() if m.split(" MACRO ")[1].split("(")[0] in _STORED_MACROS
    )
    text += "\n".join(["", tier_ord_macro(rules), *outcome_macros(rules), LAYOUT])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def tier_ord_macro(rules: Rules) -> str:
    """tier_ord_of(tier): a tier's position in response_tiers.yaml (0 = first), NULL for none."""
    whens = " ".join(f"WHEN {rules_mod.sql_str(t.name)} THEN {i}" for i, t in enumerate(rules.tiers))
    return f"CREATE OR REPLACE TEMP MACRO tier_ord_of(tier) AS (CASE tier {whens} END)::UTINYINT"


# What a citizen comment's outcome code means (metrics/comment_counts.sql names them).
OUTCOMES = {
    0: ("answered", "met"),
    1: ("answered", "late"),
    2: ("still_open", "pending"),
    3: ("unverified", "pending"),
    4: ("unanswered", "pending"),
    5: ("unverified", "unverified"),
    6: ("unanswered", "overdue"),
    7: ("still_open", "unverified"),
    8: ("still_open", "overdue"),
}


def outcome_macros(rules: Rules) -> list[str]:
    """tier_limit_of(ord): the tier's limit in seconds; outcome_status(code), outcome_tier(code):
    the names of a code (OUTCOMES); outcome_code(...): one small integer for a comment's status
    and tier outcome, by the rules of _citizen_comments:
    answered (met within the tier's limit, else late); not answered: still open while younger
    than the shortest tier's limit, pending while younger than its tier's, unverified under a
    thread not read completely, else unanswered and overdue."""
    by_ord = ", ".join(f"{t.limit_hours * 3600:g}" for t in rules.tiers)
    shortest = f"{rules.shortest_tier.limit_hours * 3600:g}"
    statuses = ", ".join(rules_mod.sql_str(st) for st, _ in OUTCOMES.values())
    tier_outcomes = ", ".join(rules_mod.sql_str(out) for _, out in OUTCOMES.values())
    return [
        f"CREATE OR REPLACE TEMP MACRO tier_limit_of(ord) AS ([{by_ord}]::DOUBLE[])[ord + 1]",
        f"CREATE OR REPLACE TEMP MACRO outcome_status(code) AS ([{statuses}])[code + 1]",
        f"CREATE OR REPLACE TEMP MACRO outcome_tier(code) AS ([{tier_outcomes}])[code + 1]",
        (
            "CREATE OR REPLACE TEMP MACRO outcome_code(answered, latency_s, age_s, limit_s, gap) AS ("
            " CASE WHEN answered THEN (CASE WHEN latency_s <= limit_s THEN 0 ELSE 1 END)"
            f" WHEN age_s < {shortest} THEN (CASE WHEN age_s < limit_s THEN 2 WHEN gap THEN 7 ELSE 8 END)"
            " WHEN age_s < limit_s THEN (CASE WHEN gap THEN 3 ELSE 4 END)"
            " ELSE (CASE WHEN gap THEN 5 ELSE 6 END) END)::UTINYINT"
        ),
    ]


def _has_analysis(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main'"
            " AND table_name = 'comment_analysis' AND column_name = 'analysed_at'"
        ).fetchone()[0]
    )


def _live_analysis(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    if not _has_analysis(con):
        return "none", ""
    n, latest = con.execute("SELECT count(*), max(analysed_at) FROM comment_analysis").fetchone()
    return str(n), latest.isoformat() if latest is not None else ""


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT name, value FROM comment_responses_state").fetchall())


# Each collection run's rows, as the stored tables remember them: (run_id, rows, latest time).
COMMENT_RUNS = (
    "SELECT last_run_id AS run_id, count(*), max(greatest(created_at, coalesce(edited_at,"
    " created_at))) FROM comments GROUP BY ALL"
)
SNAPSHOT_RUNS = "SELECT run_id, count(*), max(snapshot_at) FROM post_snapshots GROUP BY ALL"


def changed_runs(con: duckdb.DuckDBPyConnection, live: str, saved: str) -> list[tuple[str, bool]]:
    """The runs whose rows (`live`, a COMMENT_RUNS-like query) differ from those remembered
    in the table `saved`, each with whether it lost rows (removed or shrunk: which rows it
    held is no longer known)."""
    return con.execute(
        f"""
        SELECT coalesce(l.run_id, s.run_id), l.n IS NULL OR l.n < s.n
        FROM ({live}) AS l(run_id, n, latest)
        FULL JOIN {saved} AS s(run_id, n, latest) USING (run_id)
        WHERE l.n IS DISTINCT FROM s.n OR l.latest IS DISTINCT FROM s.latest
        """
    ).fetchall()


def remember_runs(con: duckdb.DuckDBPyConnection, live: str, saved: str) -> None:
    """Replace what `saved` remembers of each run with `live`."""
    con.execute(f"DELETE FROM {saved}")
    con.execute(f"INSERT INTO {saved} {live}")


def _changed_runs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Collection runs whose comments differ from what the table was built from."""
    return [r for r, _ in changed_runs(con, COMMENT_RUNS, "comment_responses_runs")]


def _changed_snapshot_runs(con: duckdb.DuckDBPyConnection) -> tuple[list[str], bool]:
    """Collection runs whose post snapshots differ from the last refresh, and whether any of
    them lost snapshots."""
    rows = changed_runs(con, SNAPSHOT_RUNS, "comment_responses_snapshots")
    return [r for r, _ in rows], any(lost for _, lost in rows)


def stale(con: duckdb.DuckDBPyConnection, rules: Rules | None = None) -> str | None:
    """Why the stored table is not current (a short reason), or None when it is."""
    if not has_table(con):
        return "no comment_responses table (database not migrated to 011)"
    rules = rules or rules_mod.load()
    st = _state(con)
    if st.get("rules_signature") != rules_signature(rules):
        return "never built, or the rules changed"
    n, latest = _live_analysis(con)
    if (st.get("analysis_rows"), st.get("analysis_latest")) != (n, latest):
        return "comment analysis changed"
    if _changed_runs(con):
        return "new or changed comments"
    if _changed_snapshot_runs(con)[0]:
        return "new or changed post snapshots (when threads were last read)"
    return None


def _build_sql(where: str) -> list[str]:
    """Statements filling _cr_new with the rows of the comments matching `where` (a condition
    on platform and post_id, or on the comments' columns when `where` is "true")."""
    return [
        _seen_sql(where),
        f"""
        CREATE OR REPLACE TEMP TABLE _cr_links AS
        SELECT hash(platform, comment_id) AS k, hash(platform, parent_id) AS pk,
               created_at, by_institution
        FROM comments WHERE {where}
        """,
        """
        CREATE OR REPLACE TEMP TABLE _cr_answers AS
        WITH RECURSIVE branch(k, pk, created_at, by_institution, answered_at, depth) AS (
            SELECT a.k, a.pk, a.created_at, a.by_institution, i.created_at, 1
            FROM _cr_links i JOIN _cr_links a ON a.k = i.pk
            WHERE i.by_institution
            UNION ALL
            SELECT a.k, a.pk, a.created_at, a.by_institution, b.answered_at, b.depth + 1
            FROM branch b JOIN _cr_links a ON a.k = b.pk
            WHERE b.depth < 10000
        )
        SELECT k, min(answered_at) AS answered_at
        FROM branch
        WHERE NOT by_institution AND answered_at > created_at
        GROUP BY k
        """,
        f"""
        CREATE OR REPLACE TEMP TABLE _cr_new AS
        WITH c AS (
            SELECT hash(platform, comment_id) AS k, hash(platform, post_id) AS post_k, platform,
                   comment_id, account_id, created_at, text
            FROM comments WHERE NOT by_institution AND ({where})
        ), asked AS (
            SELECT c.*, a.answered_at, ca.topics, comment_keyword_hit(c.text) AS hit,
                   coalesce(ca.is_question, comment_asks(c.text)) AS asks
            FROM c LEFT JOIN _cr_answers a USING (k) LEFT JOIN _comment_analysis ca USING (k)
        )
        SELECT k, post_k, platform, comment_id, account_id, created_at, answered_at, asks, tier,
               tier_ord_of(tier) AS tier_ord, created_clock, latency_s, seen_at,
               seen_age_s,
               {_stored_code("answered_at", "latency_s", "seen_age_s", "tier_ord_of(tier)")}
                   AS outcome_code
        FROM (
            SELECT *, response_clock(answered_at) - created_clock AS latency_s,
                   CASE WHEN answered_at IS NULL THEN response_clock(seen_at) - created_clock END
                       AS seen_age_s
            FROM (
                SELECT a.*, comment_tier(text, asks, topics, hit) AS tier,
                       response_clock(created_at) AS created_clock, s.seen_at
                FROM asked a LEFT JOIN _cr_seen s USING (post_k)
            )
        )
        """,
    ]


def _stored_code(answered_at: str, latency_s: str, age_s: str, tier_ord: str) -> str:
    """The outcome code kept for a comment as of its thread's last read (its thread read
    completely as far as known); NULL for one not answered whose thread has no seen time, left
    to the request (its account's or the data's as-of time)."""
    return (
        f"CASE WHEN {answered_at} IS NOT NULL OR {age_s} IS NOT NULL THEN outcome_code("
        f"{answered_at} IS NOT NULL, {latency_s}, {age_s}, tier_limit_of({tier_ord}), false) END"
    )


def _seen_sql(where: str) -> str:
    """_cr_seen: the latest snapshot of each post matching `where` (when its thread was read)."""
    return f"""
        CREATE OR REPLACE TEMP TABLE _cr_seen AS
        SELECT hash(platform, post_id) AS post_k, max(snapshot_at) AS seen_at
        FROM post_snapshots WHERE {where} GROUP BY ALL
    """


def refresh(
    con: duckdb.DuckDBPyConnection, rules: Rules | None = None, full: bool = False
) -> dict[str, object]:
    """Bring comment_responses up to date (idempotent, incremental); returns what it did.

    {"mode": "full" | "incremental" | "none", "threads": n recomputed, "rows": rows written,
    "seen": threads whose seen time was updated (new post snapshots)}.
    Needs a writable, migrated connection. All or nothing: one transaction.
    """
    from metrics import compute as compute_mod  # the rules' macros and the analysis seam

    rules = rules or rules_mod.load()
    if not has_table(con):
        raise RuntimeError("comment_responses is missing: migrate the database (closer init)")
    sig = rules_signature(rules)
    for m in rules.macros():
        con.execute(m)
    con.execute(tier_ord_macro(rules))
    for m in outcome_macros(rules):
        con.execute(m)
    compute_mod._drop_temp(con, "_comment_analysis")
    con.execute(compute_mod._comment_analysis_view(con, True))
    st = _state(con)
    n_an, latest_an = _live_analysis(con)
    threads = written = seen = 0
    mode = "none"
    con.execute("BEGIN")
    try:
        full = full or st.get("rules_signature") != sig
        # analysis rows removed: which comments lost theirs is not known, rebuild
        prev_rows = st.get("analysis_rows", "none")
        if prev_rows != "none" and (n_an == "none" or int(n_an) < int(prev_rows)):
            full = True
        if not full:
            runs = _changed_runs(con)
            prev_latest = st.get("analysis_latest") or ""
            parts = []
            if runs:
                con.execute("CREATE OR REPLACE TEMP TABLE _cr_runs (run_id VARCHAR)")
                con.executemany("INSERT INTO _cr_runs VALUES (?)", [(r,) for r in runs])
                parts.append(
                    "SELECT hash(platform, post_id) AS post_k FROM comments"
                    " WHERE last_run_id IN (SELECT run_id FROM _cr_runs)"
                )
            if (st.get("analysis_rows"), prev_latest) != (n_an, latest_an) and n_an != "none":
                cond = f"a.analysed_at > TIMESTAMPTZ '{prev_latest}'" if prev_latest else "true"
                parts.append(
                    "SELECT hash(c.platform, c.post_id) AS post_k FROM comment_analysis a"
                    f" JOIN comments c USING (platform, comment_id) WHERE {cond}"
                )
            if parts:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE _cr_posts AS SELECT DISTINCT post_k FROM ("
                    + " UNION ALL ".join(parts)
                    + ")"
                )
                threads = con.execute("SELECT count(*) FROM _cr_posts").fetchone()[0]
                for sql in _build_sql("hash(platform, post_id) IN (SELECT post_k FROM _cr_posts)"):
                    con.execute(sql)
                con.execute(
                    "DELETE FROM comment_responses WHERE post_k IN (SELECT post_k FROM _cr_posts)"
                )
                con.execute("INSERT INTO comment_responses BY NAME SELECT * FROM _cr_new")
                written = con.execute("SELECT count(*) FROM _cr_new").fetchone()[0]
                mode = "incremental"
            stored, live = con.execute(
                "SELECT (SELECT count(*) FROM comment_responses),"
                " (SELECT count(*) FROM comments WHERE NOT by_institution)"
            ).fetchone()
            if stored != live:
                log.info(
                    "comment_responses: %s rows for %s citizen comments: rebuilding", stored, live
                )
                full = True
        if full:
            for sql in _build_sql("true"):
                con.execute(sql)
            con.execute("DELETE FROM comment_responses")
            con.execute("INSERT INTO comment_responses BY NAME SELECT * FROM _cr_new")
            written = con.execute("SELECT count(*) FROM _cr_new").fetchone()[0]
            threads = con.execute("SELECT count(DISTINCT post_k) FROM _cr_new").fetchone()[0]
            mode = "full"
        else:
            seen = _refresh_seen(con)
            if seen and mode == "none":
                mode = "incremental"
        if mode != "none":
            remember_runs(con, COMMENT_RUNS, "comment_responses_runs")
            remember_runs(con, SNAPSHOT_RUNS, "comment_responses_snapshots")
            con.execute("DELETE FROM comment_responses_state")
            con.executemany(
                "INSERT INTO comment_responses_state VALUES (?, ?)",
                [
                    ("rules_signature", sig),
                    ("analysis_rows", n_an),
                    ("analysis_latest", latest_an),
                    ("refreshed_at", dt.datetime.now(dt.UTC).isoformat()),
                ],
            )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    for t in ("_cr_links", "_cr_answers", "_cr_new", "_cr_posts", "_cr_runs", "_cr_seen"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    log.info(
        "comment_responses refreshed: %s, %s threads, %s rows, %s seen times",
        mode,
        threads,
        written,
        seen,
    )
    return {"mode": mode, "threads": threads, "rows": written, "seen": seen}


def _refresh_seen(con: duckdb.DuckDBPyConnection) -> int:
    """Update seen_at and seen_age_s of the threads whose posts have new or changed snapshots
    (all threads when a run lost snapshots); returns how many threads were updated."""
    runs, shrunk = _changed_snapshot_runs(con)
    if not runs:
        return 0
    if shrunk:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _cr_posts AS SELECT DISTINCT post_k FROM comment_responses"
        )
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE _cr_runs (run_id VARCHAR)")
        con.executemany("INSERT INTO _cr_runs VALUES (?)", [(r,) for r in runs])
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _cr_posts AS SELECT DISTINCT hash(platform, post_id) AS post_k"
            " FROM post_snapshots WHERE run_id IN (SELECT run_id FROM _cr_runs)"
        )
    con.execute(_seen_sql("hash(platform, post_id) IN (SELECT post_k FROM _cr_posts)"))
    con.execute(
        f"""
        UPDATE comment_responses r
        SET seen_at = s.seen_at,
            seen_age_s = CASE WHEN r.answered_at IS NULL
                              THEN response_clock(s.seen_at) - r.created_clock END,
            outcome_code = {_stored_code(
                "r.answered_at", "r.latency_s", "response_clock(s.seen_at) - r.created_clock",
                "r.tier_ord")}
        FROM (SELECT p.post_k, s.seen_at FROM _cr_posts p LEFT JOIN _cr_seen s USING (post_k)) s
        WHERE r.post_k = s.post_k AND r.seen_at IS DISTINCT FROM s.seen_at
        """
    )
    return con.execute("SELECT count(*) FROM _cr_posts").fetchone()[0]


# Replaces metrics/comment_answers.sql when the stored table is current: the same columns of
# _citizen_comments, from the stored rows plus what depends on the request. A view, not a
# table: each metric reads only the columns it needs straight from comment_responses, which
# costs less than writing ten million rows into a temporary table. A thread's seen time is
# stored (seen_age_s); only a thread whose post has no snapshot falls back to its account's
# latest snapshot, else the data's as-of time.
CITIZEN_COMMENTS_SQL = """
CREATE OR REPLACE TEMP VIEW _citizen_comments AS
WITH c AS (
    SELECT r.k, r.post_k, m.group_id, period_of(r.created_at) AS period_id, r.created_at,
           r.answered_at, ${asks} AS asks, ${tier} AS tier, ${tier_ord} AS tier_ord, r.latency_s,
           CASE WHEN r.answered_at IS NULL
                THEN coalesce(r.seen_age_s,
                              response_clock(coalesce(m.seen_at, ${as_of})) - r.created_clock)
           END AS age_s,
           r.answered_at IS NULL AND g.post_k IS NOT NULL AS thread_gap,
           ${stored_code} AS stored_code
    FROM comment_responses r
    JOIN _members_seen m USING (account_id)
    LEFT JOIN _thread_gaps g USING (post_k)
    WHERE r.created_at >= ${scope_start} AND r.created_at < ${scope_end}
      AND period_of(r.created_at) IS NOT NULL
), coded AS (
    SELECT k, post_k, group_id, period_id, created_at, answered_at, age_s, asks, tier, tier_ord,
           tier_limit_of(tier_ord) AS limit_s, latency_s, thread_gap,
           CASE WHEN stored_code IS NOT NULL AND NOT thread_gap THEN stored_code
                ELSE outcome_code(answered_at IS NOT NULL, latency_s, age_s,
                                  tier_limit_of(tier_ord), thread_gap) END AS outcome_code
    FROM c
)
SELECT *, outcome_status(outcome_code) AS status, outcome_tier(outcome_code) AS tier_outcome
FROM coded
"""

# Replaces metrics/thread_seen.sql when the stored table is current: the threads' seen times
# are stored, only the accounts' (the fallback) are needed.
MEMBERS_SEEN_SQL = """
CREATE OR REPLACE TEMP TABLE _members_seen AS
SELECT m.account_id, m.group_id, s.seen_at
FROM _members m
LEFT JOIN (SELECT account_id, max(snapshot_at) AS seen_at FROM account_snapshots GROUP BY ALL) s USING (account_id);
"""
