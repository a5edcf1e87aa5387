"""The stored post facts: per-post two-way categories and cross-links, refreshed incrementally.

`post_facts` (migration 013) keeps, for every post, what metrics/post_facts.sql derives from
its text and links: its two-way categories (keywords.yaml) and the other accounts of its
institution it links to. None of it depends on a request, and running the keyword rules over
a million posts' texts on every request would cost more than all the post metrics together.
`refresh(con)` brings it up to date with the posts, the accounts and the rules:

- the rules' signature (the SQL of the two-way keyword rules, of the URL comparison and of
  metrics/post_facts.sql) changed, the registry of accounts changed (a new account, address
  or institution changes which links are cross-links), or the table is new: every row is
  rebuilt;
- otherwise only the posts of a collection run that is new or whose post count or latest
  time (created or edited) changed are recomputed;
- if afterwards the table does not hold exactly one row per post, it is rebuilt whole.

A request (metrics.compute) reads the stored rows when they are current; on a read-only
connection with a stale table it computes the same facts for the posts in scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import string

import duckdb

from metrics import catalog, stored
from metrics import rules as rules_mod
from metrics.rules import Rules

log = logging.getLogger(__name__)

TABLES = ("post_facts", "post_facts_state", "post_facts_runs")
_STORED_MACROS = ("two_way_hit", "two_way_vote", "two_way_contest", "two_way_consultation", "two_way_question")

URL_KEY_MACRO = (
    "CREATE OR REPLACE TEMP MACRO url_key(u) AS (rtrim(regexp_replace(lower(trim(u)),"
    " '^([a-z][a-z0-9+.-]*://)?(www\\.)?', ''), '/'))"
)


def _source(stage: str) -> catalog.Source:
    return next(s for s in catalog.sources() if s.stage == stage)


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return stored.has_tables(con, TABLES)


def rules_signature(rules: Rules) -> str:
    text = "\n".join(
        m for m in rules.macros() if m.split(" MACRO ")[1].split("(")[0] in _STORED_MACROS
    )
    text += "\n" + URL_KEY_MACRO + "\n" + _source("_account_urls").sql + _source("_post_facts").sql
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def accounts_signature(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the registry's accounts (who they belong to, where they live)."""
    row = con.execute(
        "SELECT count(*), md5(coalesce(string_agg(concat_ws('|', account_id, institution_id,"
        " platform, handle, url), '\n' ORDER BY account_id), '')) FROM accounts"
    ).fetchone()
    return f"{row[0]}:{row[1]}"


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT name, value FROM post_facts_state").fetchall())


# Each collection run's posts: (run_id, posts, latest created or edited time).
POST_RUNS = (
    "SELECT last_run_id AS run_id, count(*), max(greatest(created_at, coalesce(edited_at,"
    " created_at))) FROM posts GROUP BY ALL"
)


def _changed_runs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Collection runs whose posts differ from what the table was built from."""
    return [r for r, _ in stored.changed_runs(con, POST_RUNS, "post_facts_runs")]


def stale(con: duckdb.DuckDBPyConnection, rules: Rules | None = None) -> str | None:
    """Why the stored facts are not current (a short reason), or None when they are."""
    if not has_table(con):
        return "no post_facts table (database not migrated to 013)"
    rules = rules or rules_mod.load()
    st = _state(con)
    if st.get("rules_signature") != rules_signature(rules):
        return "never built, or the rules changed"
    if st.get("accounts") != accounts_signature(con):
        return "the registry's accounts changed"
    if _changed_runs(con):
        return "new or changed posts"
    return None


def prepare(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """The macros and the _account_urls table the facts are computed with."""
    for m in rules.macros():
        con.execute(m)
    con.execute(URL_KEY_MACRO)
    con.execute(_source("_account_urls").sql)


def _build(con: duckdb.DuckDBPyConnection, where: str) -> None:
    con.execute(string.Template(_source("_post_facts").sql).substitute(posts_where=where))


def refresh(
    con: duckdb.DuckDBPyConnection, rules: Rules | None = None, full: bool = False
) -> dict[str, object]:
    """Bring post_facts up to date (idempotent, incremental); returns what it did.

    {"mode": "full" | "incremental" | "none", "posts": rows written}. Needs a writable,
    migrated connection. All or nothing: one transaction.
    """
    rules = rules or rules_mod.load()
    if not has_table(con):
        raise RuntimeError("post_facts is missing: migrate the database (closer init)")
    sig = rules_signature(rules)
    accounts = accounts_signature(con)
    prepare(con, rules)
    st = _state(con)
    mode, written = "none", 0
    con.execute("BEGIN")
    try:
        full = full or st.get("rules_signature") != sig or st.get("accounts") != accounts
        if not full:
            runs = _changed_runs(con)
            if runs:
                con.execute("CREATE OR REPLACE TEMP TABLE _pf_runs (run_id VARCHAR)")
                con.executemany("INSERT INTO _pf_runs VALUES (?)", [(r,) for r in runs])
                _build(con, "p.last_run_id IN (SELECT run_id FROM _pf_runs)")
                con.execute(
                    "DELETE FROM post_facts WHERE post_k IN (SELECT post_k FROM _post_facts)"
                )
                con.execute("INSERT INTO post_facts BY NAME SELECT * FROM _post_facts")
                written = con.execute("SELECT count(*) FROM _post_facts").fetchone()[0]
                mode = "incremental"
            kept, live = con.execute(
                "SELECT (SELECT count(*) FROM post_facts), (SELECT count(*) FROM posts p"
                " WHERE p.account_id IN (SELECT account_id FROM accounts))"
            ).fetchone()
            if kept != live:
                log.info("post_facts: %s rows for %s posts: rebuilding", kept, live)
                full = True
        if full:
            _build(con, "true")
            con.execute("DELETE FROM post_facts")
            con.execute("INSERT INTO post_facts BY NAME SELECT * FROM _post_facts")
            written = con.execute("SELECT count(*) FROM _post_facts").fetchone()[0]
            mode = "full"
        if mode != "none":
            stored.remember_runs(con, POST_RUNS, "post_facts_runs")
            con.execute("DELETE FROM post_facts_state")
            con.executemany(
                "INSERT INTO post_facts_state VALUES (?, ?)",
                [
                    ("rules_signature", sig),
                    ("accounts", accounts),
                    ("refreshed_at", dt.datetime.now(dt.UTC).isoformat()),
                ],
            )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    for t in ("_post_facts", "_pf_runs"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    log.info("post_facts refreshed: %s, %s posts", mode, written)
    return {"mode": mode, "posts": written}


# Replaces metrics/post_facts.sql in a request when the stored table is current.
STORED_SQL = "CREATE OR REPLACE TEMP VIEW _post_facts AS SELECT * FROM main.post_facts"
