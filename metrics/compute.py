"""Compute the metrics: every metrics/*.sql over one set of periods and one grouping.

The scope (periods, the accounts of each group, the rules as macros) goes into temporary
tables and macros of the connection; the building blocks (`stage` files) run first, then
each metric file, and the results are joined into one row per period and group. The staged
tables (_scope_posts, _citizen_comments, …) stay on the connection afterwards, for the
continuum's and the ladder's evidence. All in DuckDB, nothing row by row in Python.
"""

from __future__ import annotations

import datetime as dt
import logging
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from metrics import catalog
from metrics import periods as periods_mod
from metrics import post_facts as post_facts_mod
from metrics import rules as rules_mod
from metrics import stored as stored_mod
from metrics.periods import Period
from metrics.rules import Rules, sql_str

log = logging.getLogger(__name__)

GROUPINGS = ("institution", "account", "type", "region")

_MEMBERS = {
    "institution": "SELECT a.account_id, a.institution_id AS group_id, a.institution_id, a.platform FROM accounts a",
    "account": "SELECT a.account_id, a.account_id AS group_id, a.institution_id, a.platform FROM accounts a",
    "type": "SELECT a.account_id, i.type AS group_id, a.institution_id, a.platform FROM accounts a JOIN institutions i USING (institution_id)",
    "region": "SELECT a.account_id, i.region AS group_id, a.institution_id, a.platform FROM accounts a JOIN institutions i USING (institution_id)",
}
_GROUPS = {
    "institution": "SELECT institution_id AS group_id, name AS group_label FROM institutions",
    "account": "SELECT account_id AS group_id, platform || ' ' || handle AS group_label FROM accounts",
    "type": "SELECT DISTINCT type AS group_id, type AS group_label FROM institutions",
    "region": "SELECT DISTINCT region AS group_id, region AS group_label FROM institutions",
}


class MetricsError(ValueError):
    """A request the metrics cannot answer (unknown grouping, no period)."""


@dataclass
class Result:
    """One row per period and group: period_key … group_label, then every metric column."""

    table: pa.Table
    periods: list[Period]
    by: str
    as_of: dt.datetime | None
    rules: Rules
    # Where the per-comment figures came from: "stored" (comment_responses, metrics.stored)
    # or "on the fly: <why>" (metrics/comment_answers.sql over the comments).
    comments_source: str = "on the fly"
    # Where the posts' facts came from: "stored" (post_facts, metrics.post_facts) or
    # "on the fly: <why>" (metrics/post_facts.sql over the posts in scope).
    posts_source: str = "on the fly"

    def rows(self) -> list[dict]:
        return self.table.to_pylist()


def ts_literal(t: dt.datetime | None) -> str:
    if t is None:
        return "NULL::TIMESTAMPTZ"
    return f"TIMESTAMPTZ '{t.astimezone(dt.UTC).isoformat()}'"


def as_of_time(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The data's as-of time (periods.data_as_of), else the latest post or comment."""
    t = periods_mod.data_as_of(con)
    if t is None:
        t = con.execute(
            "SELECT greatest((SELECT max(created_at) FROM posts), (SELECT max(created_at) FROM comments))"
        ).fetchone()[0]
    return t.astimezone(dt.UTC) if t is not None else None


def _period_case(periods: list[Period]) -> str:
    """CASE mapping a time to its period's id (periods sorted, not overlapping); NULL outside."""
    parts = []
    prev_end = None
    for i, p in enumerate(periods):
        if prev_end is None or p.starts_at != prev_end:
            parts.append(f"WHEN ts < {ts_literal(p.starts_at)} THEN NULL")
        parts.append(f"WHEN ts < {ts_literal(p.ends_at)} THEN {i}")
        prev_end = p.ends_at
    return f"CASE {' '.join(parts)} ELSE NULL END"


def _drop_temp(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a temporary table or view of this connection, whichever it is."""
    for kind, fn in (("VIEW", "duckdb_views"), ("TABLE", "duckdb_tables")):
        if con.execute(
            f"SELECT count(*) FROM {fn}() WHERE temporary AND {fn.removeprefix('duckdb_')[:-1]}_name = ?",
            [name],
        ).fetchone()[0]:
            con.execute(f"DROP {kind} {name}")


def _comment_analysis_view(con: duckdb.DuckDBPyConnection, use: bool = True) -> str:
    """The seam with comment analysis (migration 020): its is_question and topics per comment.

    Without the table (or its key columns) an empty stand-in is used, and the text rules apply.
    """
    cols = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'comment_analysis' AND schema_name = 'main'"
        ).fetchall()
    }
    if not use or not {"platform", "comment_id"} <= cols or not ({"is_question", "topics"} & cols):
        return "CREATE OR REPLACE TEMP TABLE _comment_analysis (k UBIGINT, is_question BOOLEAN, topics VARCHAR[])"
    q = "is_question" if "is_question" in cols else "NULL::BOOLEAN AS is_question"
    t = "topics::VARCHAR[] AS topics" if "topics" in cols else "NULL::VARCHAR[] AS topics"
    # 020_comment_analysis.sql keeps one row per (platform, comment_id): a plain join.
    return (
        f"CREATE OR REPLACE TEMP VIEW _comment_analysis AS SELECT hash(platform, comment_id) AS k, {q}, {t}"
        " FROM main.comment_analysis"
    )


def _thread_gaps_table(con: duckdb.DuckDBPyConnection) -> str:
    """Threads the latest collection did not read completely (migration 052's thread_coverage).

    A comment without an answer under such a thread may have one we did not see: it is
    counted as "unverified", not as unanswered. Without the table, every thread counts as read.
    """
    n = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'thread_coverage' AND schema_name = 'main'"
    ).fetchone()[0]
    if not n:
        return "CREATE OR REPLACE TEMP TABLE _thread_gaps (post_k UBIGINT, reason VARCHAR)"
    return (
        "CREATE OR REPLACE TEMP TABLE _thread_gaps AS SELECT hash(platform, post_id) AS post_k,"
        " arg_max(reason, run_id) AS reason FROM main.thread_coverage GROUP BY platform, post_id"
        " HAVING NOT arg_max(complete, run_id)"
    )


def _prepare(
    con: duckdb.DuckDBPyConnection,
    periods: list[Period],
    by: str,
    rules: Rules,
    as_of: dt.datetime | None,
    use_comment_analysis: bool = True,
) -> dict[str, str]:
    rows = [
        (i, p.key, p.label, p.first_day, p.last_day, p.starts_at, p.ends_at, p.days_until(as_of))
        for i, p in enumerate(periods)
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _periods (period_id INTEGER, period_key VARCHAR, period_label VARCHAR,"
        " first_day DATE, last_day DATE, starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ, days INTEGER)"
    )
    con.executemany("INSERT INTO _periods VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _members AS {_MEMBERS[by]}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _groups AS {_GROUPS[by]}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _frame AS SELECT p.period_id, g.group_id, p.days, p.starts_at, p.ends_at"
        " FROM _periods p CROSS JOIN _groups g"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _tiers (tier VARCHAR, label VARCHAR, limit_s DOUBLE, ord INTEGER)"
    )
    con.executemany(
        "INSERT INTO _tiers VALUES (?, ?, ?, ?)",
        [(t.name, t.label, t.limit_hours * 3600, i) for i, t in enumerate(rules.tiers)],
    )
    for m in rules.macros():
        con.execute(m)
    con.execute(stored_mod.tier_ord_macro(rules))
    for m in stored_mod.outcome_macros(rules):
        con.execute(m)
    con.execute(f"CREATE OR REPLACE TEMP MACRO period_of(ts) AS ({_period_case(periods)})")
    con.execute(post_facts_mod.URL_KEY_MACRO)
    _drop_temp(con, "_comment_analysis")
    con.execute(_comment_analysis_view(con, use_comment_analysis))
    con.execute(_thread_gaps_table(con))
    scope_start = ts_literal(min(p.starts_at for p in periods))
    scope_end = ts_literal(max(p.ends_at for p in periods))
    return {
        "scope_start": scope_start,
        "scope_end": scope_end,
        "posts_where": f"p.created_at >= {scope_start} AND p.created_at < {scope_end}"
        " AND p.account_id IN (SELECT account_id FROM _members)",
        "as_of": ts_literal(as_of),
        "timezone": sql_str(rules.timezone),
        "shortest_tier_s": f"{rules.shortest_tier.limit_hours * 3600:g}",
    }


def _pivot_long(src: catalog.Source, rules: Rules) -> str:
    """response_tiers-style long results (one row per tier) → one column set per tier."""
    cols = []
    for t in rules.tiers:
        q = sql_str(t.name)
        for c in ("comments", "due", "compliance"):
            cols.append(f"first({c}) FILTER (tier = {q}) AS tier_{t.name}_{c}")
        cols.append(
            f"first(compliance_na_reason) FILTER (tier = {q}) AS tier_{t.name}_compliance_na_reason"
        )
    return f"SELECT period_id, group_id, {', '.join(cols)} FROM _m_{src.name} GROUP BY period_id, group_id"


def _non_overlapping(periods: list[Period]) -> list[list[Period]]:
    batches: list[list[Period]] = []
    for p in sorted(periods, key=lambda p: (p.first_day, p.last_day)):
        for b in batches:
            if not b[-1].overlaps(p):
                b.append(p)
                break
        else:
            batches.append([p])
    return batches


def compute(
    con: duckdb.DuckDBPyConnection,
    periods: Iterable[Period],
    by: str = "institution",
    rules: Rules | None = None,
    only: Iterable[str] | None = None,
    use_comment_analysis: bool = True,
    use_stored: bool = True,
) -> Result:
    """Every metric for every group of `by` in every period; `only` limits to some metric files.

    use_comment_analysis=False ignores the comment_analysis table (the text rules decide).
    The per-comment figures come from the stored table comment_responses (metrics.stored),
    refreshed first when it is stale and the connection can write; on a read-only connection
    with a stale table, or with use_stored=False or use_comment_analysis=False, they are
    computed on the fly (metrics/comment_answers.sql). Result.comments_source says which.
    """
    if by not in GROUPINGS:
        raise MetricsError(f"{by!r}: group by one of {', '.join(GROUPINGS)}")
    periods = list(periods)
    rules = rules or rules_mod.load()
    as_of = as_of_time(con)
    if not periods:
        raise MetricsError("no period to compute (no data yet, or an empty round)")
    batches = _non_overlapping(periods)
    source = _comments_source(con, rules, only, use_stored and use_comment_analysis)
    posts_source = _posts_source(con, rules, only, use_stored)
    # The staged tables need no order: let DuckDB fill them from all threads at once.
    keep_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        tables = [
            _compute_batch(
                con, b, by, rules, as_of, only, use_comment_analysis, source, posts_source
            )
            for b in batches
        ]
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if keep_order else 'false'}")
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    if len(tables) > 1:
        order = {p.key: i for i, p in enumerate(periods)}
        idx = sorted(
            range(table.num_rows),
            key=lambda i: (
                order[table["period_key"][i].as_py()],
                table["group_id"][i].as_py() or "",
            ),
        )
        table = table.take(pa.array(idx))
    return Result(table, periods, by, as_of, rules, source, posts_source)


def _needs_stage(only: Iterable[str] | None, stage: str) -> bool:
    """Whether the metric files asked for read `stage` (directly or via another stage)."""
    if only is None:
        return True
    srcs = catalog.sources()
    by_stage = {s.stage: s for s in srcs if s.stage}
    names = set(only)
    todo = [n for s in srcs if s.name in names for n in s.needs]
    seen: set[str] = set()
    while todo:
        st = todo.pop()
        if st in seen or st not in by_stage:
            continue
        seen.add(st)
        todo.extend(by_stage[st].needs)
    return stage in seen


def _stored_source(con, rules: Rules, only, use_stored: bool, stage: str, what: str, mod) -> str:
    """Which path compute() takes for `stage`: "stored" (the stored table of `mod`, refreshed
    first if stale and the connection can write), else "on the fly: <why>"."""
    table = mod.TABLES[0]
    if not use_stored:
        return "on the fly: asked for"
    if not _needs_stage(only, stage):
        return f"on the fly: no {what} metric asked for"
    if not mod.has_table(con):
        return f"on the fly: no {table} table (database not migrated)"
    why = mod.stale(con, rules)
    if why is None:
        return "stored"
    if stored_mod.read_only(con):
        log.info("%s is stale (%s) and the connection is read-only", table, why)
        return f"on the fly: {table} is stale ({why}) and the database is read-only"
    mod.refresh(con, rules)
    return "stored"


def _comments_source(con, rules: Rules, only, use_stored: bool) -> str:
    """The per-comment path: comment_responses (metrics.stored) or comment_answers.sql."""
    return _stored_source(con, rules, only, use_stored, "_citizen_comments", "comment", stored_mod)


def _posts_source(con, rules: Rules, only, use_stored: bool) -> str:
    """The posts' facts: post_facts (metrics.post_facts) or post_facts.sql."""
    return _stored_source(con, rules, only, use_stored, "_post_facts", "post", post_facts_mod)


def _compute_batch(
    con,
    periods: list[Period],
    by: str,
    rules: Rules,
    as_of,
    only,
    use_comment_analysis=True,
    source: str = "on the fly",
    posts_source: str = "on the fly",
) -> pa.Table:
    subst = _prepare(con, periods, by, rules, as_of, use_comment_analysis)
    srcs = catalog.sources()
    run = {s.name for s in srcs}
    if only is not None:
        run = set(only)
        unknown = run - {s.name for s in srcs if s.stage is None}
        if unknown:
            raise MetricsError(f"no metric file {', '.join(sorted(unknown))}")
        by_stage = {s.stage: s for s in srcs if s.stage}
        todo = [n for s in srcs if s.name in run for n in s.needs]
        while todo:
            stage = by_stage[todo.pop()]
            if stage.name not in run:
                run.add(stage.name)
                todo.extend(stage.needs)
    text_rules = any(s.text_rules for s in srcs if s.name in run)
    if not text_rules:
        # Nothing asked for reads asks or tier: skip the text rules and comment analysis.
        con.execute("CREATE OR REPLACE TEMP MACRO comment_keyword_hit(txt) AS (false)")
        con.execute("CREATE OR REPLACE TEMP MACRO comment_asks(txt) AS (NULL::BOOLEAN)")
        con.execute(
            "CREATE OR REPLACE TEMP MACRO comment_tier(txt, asks, topics, hit) AS (NULL::VARCHAR)"
        )
        _drop_temp(con, "_comment_analysis")
        con.execute(_comment_analysis_view(con, False))
    joins = []
    for src in srcs:
        if src.name not in run or not src.sql.strip():
            continue
        sql = string.Template(src.sql).substitute(subst)
        if src.stage == "_citizen_comments" and source == "stored":
            sql = string.Template(stored_mod.CITIZEN_COMMENTS_SQL).substitute(
                subst,
                asks="r.asks" if text_rules else "NULL::BOOLEAN",
                tier="r.tier" if text_rules else "NULL::VARCHAR",
                tier_ord="r.tier_ord" if text_rules else "NULL::UTINYINT",
                stored_code="r.outcome_code" if text_rules else "NULL::UTINYINT",
            )
        elif src.stage == "_thread_seen" and source == "stored":
            sql = stored_mod.MEMBERS_SEEN_SQL
        elif src.stage == "_post_facts" and posts_source == "stored":
            sql = post_facts_mod.STORED_SQL
        if src.stage == "_post_facts":
            _drop_temp(con, "_post_facts")  # a table on the fly, a view when stored
        started = time.perf_counter()
        if src.stage == "_citizen_comments":
            _drop_temp(con, "_citizen_comments")  # a table on the fly, a view when stored
        if src.stage is not None:
            con.execute(sql)
            log.debug("%s: %.3f s", src.name, time.perf_counter() - started)
            continue
        con.execute(f"CREATE OR REPLACE TEMP TABLE _m_{src.name} AS {sql.rstrip().rstrip(';')}")
        log.debug("%s: %.3f s", src.name, time.perf_counter() - started)
        if src.long:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _m_{src.name}_wide AS {_pivot_long(src, rules)}"
            )
            joins.append(f"_m_{src.name}_wide")
        else:
            joins.append(f"_m_{src.name}")
    select = [
        "p.period_key",
        "p.period_label",
        "p.first_day AS period_first_day",
        "p.last_day AS period_last_day",
        "p.days",
        "f.group_id",
        "g.group_label",
    ]
    from_ = ["_frame f JOIN _periods p USING (period_id) JOIN _groups g USING (group_id)"]
    for j in joins:
        select.append(f"{j}.* EXCLUDE (period_id, group_id)")
        from_.append(f"LEFT JOIN {j} USING (period_id, group_id)")
    sql = f"SELECT {', '.join(select)} FROM {' '.join(from_)} ORDER BY f.period_id, f.group_id"
    return con.sql(sql).to_arrow_table()


def metric_columns(result: Result) -> list[str]:
    """The metric columns of a result (no period/group columns, no reasons), in order."""
    skip = {
        "period_key",
        "period_label",
        "period_first_day",
        "period_last_day",
        "days",
        "group_id",
        "group_label",
    }
    return [c for c in result.table.column_names if c not in skip and not c.endswith("_na_reason")]


def reason_for(row: dict, column: str) -> str | None:
    """Why `column` is n/a in `row` (from its reason column), or None when it has a value."""
    if row.get(column) is not None:
        return None
    for m in catalog.metrics():
        if m.name == column:
            return row.get(m.reason_column)
    if column.startswith("form_") and column.endswith("_share"):
        return row.get("form_na_reason")
    if column.startswith("tier_") and column.endswith("_compliance"):
        return row.get(f"{column}_na_reason")
    return row.get(f"{column}_na_reason")
