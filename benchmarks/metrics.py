"""Metrics speed: every metric, every institution, one year by month, on a large database.

Generated inside DuckDB with SQL generators: 1,000 accounts (250 institutions), 1,000,000
posts with two snapshots each, 10,000,000 comments in branching threads (citizens' comments
and the institutions' answers, some deep in a branch), weekly follower snapshots.

Printed, all measured in the same run: the time of all metrics (closer's metrics.compute, the
code `closer metrics` runs), the time of the response-latency metric alone (responses.sql and
the answers it needs), and the time of a pandas implementation of the same response-latency
metric (first institution answer in each citizen comment's branch, median and p90 per
institution and month) with the ratio. Targets: everything ≤ 3 s, latency ≥ 10× pandas.

    python benchmarks/metrics.py              # full size
    python benchmarks/metrics.py --scale 0.01 # 1% of it, to try things out
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# This file is named like the metrics package: put the repository first, not this folder.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from closer import db
from metrics import compute, periods, post_facts, rules, stored

YEAR_START = "2025-01-01 00:00:00+00"
PLATFORMS = ["mastodon", "bluesky", "feed", "facebook"]


# Citizens' comments in the style of the demo sample (about a quarter ask with "?", a fifth
# name a problem or make a proposal); each gets a unique tail so no two texts are equal.
TEXTS = [
    "Când se repară trotuarul de pe strada noastră?",
    "Cum se face înscrierea la grădiniță? Ce acte trebuie?",
    "Ce acte trebuie pentru dosar?",
    "Intrarea e liberă și pentru copii?",
    "Până când durează lucrările?",
    "When does the new timetable start?",
    "De ce nu a trecut mașina de gunoi",
    "Unde pot depune cererea",
    "Propunere: bănci și umbrare în stațiile de autobuz.",
    "Ar trebui mai multe locuri de parcare în centru.",
    "I suggest more bike lanes downtown.",
    "Parcul e plin de gunoaie după fiecare weekend. Inadmisibil.",
    "Am depus o sesizare acum două săptămâni și nimic.",
    "Iluminatul nu funcționează pe aleea din spatele blocului.",
    "Superb concertul de aseară, mulțumim!",
    "Ai dreptate, nu e normal.",
    "Ok, mulțumesc, aștept.",
    "Sunt de acord cu proiectul, dar lipsesc locurile de parcare pentru riverani.",
    "Felicitări pentru organizare!",
    "Bravo, așa da!",
    "Thank you for the update.",
    "Foarte frumos, felicitări echipei!",
    "Nu e corect ce se întâmplă aici.",
    "Vom veni cu toată familia.",
    "Mulțumim pentru informare.",
    "Excelent, în sfârșit!",
    "Și eu am aceeași părere.",
    "Frumos, dar cam târziu.",
    "Așa da, o inițiativă bună.",
    "Super!",
    "Nu mai ține cont nimeni de cetățeni.",
    "Great news for the neighbourhood.",
]


def generate(
    con: duckdb.DuckDBPyConnection, n_accounts: int, n_posts: int, n_comments: int
) -> None:
    """Fill an empty, migrated database with a year of synthetic data, all in SQL."""
    n_inst = max(n_accounts // 4, 1)
    per_thread = max(n_comments // max(n_posts, 1), 1)
    con.execute(f"""
        CREATE TEMP MACRO h(x, salt) AS hash(x, salt);
        CREATE TEMP MACRO u(x, salt) AS (hash(x, salt) % 1000000) / 1000000.0;
        -- the account that made post p: skewed, some accounts post far more than others
        CREATE TEMP MACRO post_account(p) AS least(floor(pow(u(p, 1), 1.6) * {n_accounts}), {n_accounts - 1})::BIGINT;
        CREATE TEMP MACRO post_time(p) AS TIMESTAMPTZ '{YEAR_START}' + to_seconds(({p_step(n_posts)} * p + h(p, 2) % 3600)::BIGINT);
    """)
    con.execute(f"""
        INSERT INTO institutions (institution_id, name, type, region, country)
        SELECT 'I' || i, 'Instituția ' || i,
               (['city_hall', 'county_council', 'prefecture', 'public_service', 'agency'])[(i % 5 + 1)::BIGINT],
               'Județul ' || (i % 42), 'RO'
        FROM range({n_inst}) t(i)
    """)
    con.execute(f"""
        INSERT INTO accounts (account_id, institution_id, platform, handle, url)
        SELECT platform || ':inst' || i, 'I' || (i // 4), platform, 'inst' || i,
               CASE platform WHEN 'mastodon' THEN 'https://social.example/@inst' || i
                             WHEN 'bluesky' THEN 'https://bsky.app/profile/inst' || i || '.bsky.social'
                             WHEN 'feed' THEN 'https://www.inst' || i || '.example/'
                             ELSE 'https://www.facebook.com/inst' || i END
        FROM (SELECT i, ({PLATFORMS!r})[(i % 4 + 1)::BIGINT] AS platform FROM range({n_accounts}) t(i))
    """)
    con.execute(f"""
        INSERT INTO runs (run_id, kind, started_at, finished_at, status)
        SELECT 'run' || k, 'collect', TIMESTAMPTZ '{YEAR_START}' + INTERVAL (7 * k) DAY + INTERVAL 6 HOUR,
               TIMESTAMPTZ '{YEAR_START}' + INTERVAL (7 * k) DAY + INTERVAL 7 HOUR, 'ok'
        FROM range(53) t(k)
    """)
    con.execute(f"""
        INSERT INTO account_snapshots (run_id, account_id, snapshot_at, followers, following, posts_count, views, source)
        SELECT 'run' || k, a.account_id, TIMESTAMPTZ '{YEAR_START}' + INTERVAL (7 * k) DAY + INTERVAL 6 HOUR,
               CASE WHEN a.platform <> 'feed' THEN (500 + h(a.account_id, 3) % 20000 + k * (h(a.account_id, 4) % 40))::BIGINT END,
               NULL, NULL, NULL, 'api'
        FROM accounts a, range(53) t(k)
    """)
    con.execute(f"""
        INSERT INTO posts
        SELECT platform, 'p' || p, account_id, created_at, 'https://example.test/p' || p, kind,
               CASE WHEN kind = 'repost' THEN 'repost' WHEN kind = 'reply' THEN 'text'
                    WHEN f < 0.40 THEN 'text' WHEN f < 0.70 THEN 'photo' WHEN f < 0.80 THEN 'video'
                    WHEN f < 0.92 THEN 'link' WHEN f < 0.95 THEN 'poll' WHEN f < 0.98 THEN 'event' ELSE 'quote' END,
               NULL,
               -- about one post in ten invites input (a question, a vote, a contest, a consultation)
               CASE WHEN h(p, 5) % 40 = 0 THEN 'Ce părere aveți despre noul parc?'
                    WHEN h(p, 5) % 40 = 1 THEN 'Votați proiectul preferat în bugetul participativ'
                    WHEN h(p, 5) % 40 = 2 THEN 'Concurs de fotografie: câștigă un premiu'
                    WHEN h(p, 5) % 40 = 3 THEN 'Consultare publică privind regulamentul de parcare'
                    ELSE (['Anunț: programul de lucru cu publicul se schimbă de luni', 'Lucrări de asfaltare pe strada Principală',
                           'Felicitări elevilor olimpici!', 'Road works on the main street this week',
                           'Astăzi a avut loc ședința ordinară a consiliului local', 'Informare privind colectarea deșeurilor',
                           'Program special de sărbători', 'Echipele intervin pentru remedierea avariei'])[(h(p, 5) % 8 + 1)::BIGINT]
               END || ' (' || p || ')',
               'ro', NULL, 'public',
               CASE WHEN u(p, 6) < 0.06 THEN [sibling_url]
                    WHEN u(p, 6) < 0.20 THEN ['https://news.example/a/' || (p % 5003)] ELSE [] END,
               CASE WHEN platform IN ('mastodon', 'bluesky') THEN kind = 'post' AND f >= 0.92 AND f < 0.95 END,
               NULL, 'run0', 'run0'
        FROM (
            SELECT p, a.platform, a.account_id, post_time(p) AS created_at, u(p, 7) AS f,
                   CASE WHEN u(p, 8) < 0.88 THEN 'post' WHEN u(p, 8) < 0.95 THEN 'reply' ELSE 'repost' END AS kind,
                   s.url AS sibling_url
            FROM range({n_posts}) t(p)
            JOIN accounts a ON a.account_id = ({PLATFORMS!r})[(post_account(p) % 4 + 1)::BIGINT] || ':inst' || post_account(p)
            JOIN accounts s ON s.account_id = ({PLATFORMS!r})[((post_account(p) + 1) % 4 + 1)::BIGINT] || ':inst'
                 || (post_account(p) // 4 * 4 + (post_account(p) + 1) % 4)
        )
    """)
    # Two snapshots a post: at the first weekly run after it, and four runs later (when there is one).
    con.execute(f"""
        INSERT INTO post_snapshots
        SELECT 'run' || r, p.platform, p.post_id, TIMESTAMPTZ '{YEAR_START}' + INTERVAL (7 * r) DAY + INTERVAL 6 HOUR,
               CASE WHEN p.platform <> 'feed' THEN (h(p.post_id, 9) % 200 + 10 * w)::BIGINT END,
               CASE WHEN p.platform <> 'feed' THEN (h(p.post_id, 10) % 30 + w)::BIGINT END,
               CASE WHEN p.platform <> 'feed' THEN (h(p.post_id, 11) % 20)::BIGINT END,
               CASE WHEN p.platform = 'bluesky' THEN (h(p.post_id, 12) % 5)::BIGINT END,
               NULL
        FROM (SELECT platform, post_id, 1 + (epoch(created_at) - epoch(TIMESTAMPTZ '{YEAR_START}') - 21600) // 604800 AS r0
              FROM posts) p, (VALUES (0), (4)) v(w), LATERAL (SELECT (p.r0 + v.w)::BIGINT AS r)
        WHERE r <= 52
    """)
    # Comments: threads of `per_thread` under posts; comment j of a thread answers the post or an
    # earlier comment of the thread, so branches grow several levels deep. About 12% are the
    # institution's, mostly answers to a citizen in the branch.
    texts = "[" + ", ".join("'" + t.replace("'", "''") + "'" for t in TEXTS) + "]"
    con.execute(f"""
        INSERT INTO comments
        SELECT platform, 'c' || n, post_id,
               CASE WHEN j = 0 OR (NOT inst AND u(n, 13) < 0.5) OR (inst AND u(n, 13) < 0.1) THEN post_id
                    ELSE 'c' || (thread * {per_thread} + h(n, 14) % j) END,
               account_id,
               created_at + to_seconds((j * step + h(n, 15) % 600)::BIGINT),
               inst, CASE WHEN inst THEN account_id ELSE 'p_' || (h(n, 16) % 400000) END, 'ro',
               CASE WHEN inst THEN (['Vă mulțumim, am transmis sesizarea colegilor.', 'Bună ziua, lucrările încep luni.',
                                      'Programul este afișat pe site.', 'Mulțumim pentru semnalare!'])[(h(n, 22) % 4 + 1)::BIGINT]
                    ELSE CASE WHEN h(n, 17) % 2 = 0 THEN '@' || split_part(account_id, ':', 2) || ' ' ELSE '' END
                         || {texts}[(h(n, 18) % {len(TEXTS)} + 1)::BIGINT] || ' (' || n || ')'
               END,
               (h(n, 19) % 10)::BIGINT, NULL, 'run0', 'run0'
        FROM (
            SELECT n, n // {per_thread} AS thread, n % {per_thread} AS j, u(n, 20) < 0.12 AND n % {per_thread} > 0 AS inst,
                   p.platform, p.post_id, p.account_id, p.created_at,
                   ([300, 1800, 10800, 43200])[(h(n // {per_thread}, 21) % 4 + 1)::BIGINT] AS step
            FROM range({n_comments}) t(n)
            JOIN posts p ON p.post_id = 'p' || (n // {per_thread})
        )
    """)


def analyse(con: duckdb.DuckDBPyConnection) -> None:
    """comment_analysis rows for every citizen comment, as the analysis step writes them."""
    con.execute("""
        INSERT INTO comment_analysis (platform, comment_id, analyser_version, text_hash, lang, topics,
                                      is_question, dup_count, dup_first, analysed_at)
        SELECT platform, comment_id, 'bench', hash(text), 'ro',
               CASE WHEN contains(text, 'gunoi') THEN ['waste'] WHEN contains(text, 'parcare') THEN ['parking']
                    WHEN contains(text, 'trotuar') THEN ['roads'] ELSE [] END,
               contains(text, '?'), 1, true, TIMESTAMPTZ '2026-01-01 00:00:00+00'
        FROM comments WHERE NOT by_institution
    """)


def p_step(n_posts: int) -> str:
    return f"{365 * 86400 / max(n_posts, 1):.6f}"


def pandas_latency(
    c: pd.DataFrame, acct_inst: pd.Series, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """The response-latency metric in pandas: median and p90 hours per institution and month."""
    c = c.assign(
        key=c["platform"] + ":" + c["comment_id"], parent_key=c["platform"] + ":" + c["parent_id"]
    )
    lookup = c.set_index("key")[["parent_key", "created_at", "by_institution"]]
    frontier = c.loc[c["by_institution"], ["parent_key", "created_at"]].rename(
        columns={"parent_key": "anc", "created_at": "answered_at"}
    )
    found = []
    while len(frontier):
        m = frontier.merge(lookup, left_on="anc", right_index=True, how="inner")
        hit = m[~m["by_institution"] & (m["answered_at"] > m["created_at"])]
        found.append(hit[["anc", "answered_at"]])
        frontier = m[["parent_key", "answered_at"]].rename(columns={"parent_key": "anc"})
    first = pd.concat(found).groupby("anc")["answered_at"].min()
    cit = c.loc[~c["by_institution"], ["key", "account_id", "created_at"]]
    cit = cit[(cit["created_at"] >= start) & (cit["created_at"] < end)]
    answered_at = cit["key"].map(first)
    lat = (answered_at - cit["created_at"]).dt.total_seconds() / 3600
    out = pd.DataFrame(
        {
            "institution_id": cit["account_id"].map(acct_inst).to_numpy(),
            "month": cit["created_at"]
            .dt.tz_convert("Europe/Bucharest")
            .dt.strftime("%Y-%m")
            .to_numpy(),
            "latency_h": lat.to_numpy(),
        }
    ).dropna(subset=["latency_h"])
    g = out.groupby(["month", "institution_id"])["latency_h"]
    return pd.DataFrame({"median": g.median(), "p90": g.quantile(0.9)}).reset_index()


def main() -> None:
    ap = argparse.ArgumentParser(description="metrics benchmark")
    ap.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full size (default 1)"
    )
    ap.add_argument("--db", help="reuse (or keep) the generated database at this path")
    args = ap.parse_args()
    n_acc = max(int(1000 * min(args.scale * 10, 1)), 8)
    n_posts = int(1_000_000 * args.scale)
    n_comments = int(10_000_000 * args.scale)
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "metrics-bench.duckdb"
    fresh = not path.exists()
    with db.connect(path) as con:
        if fresh:
            t = time.perf_counter()
            generate(con, n_acc, n_posts, n_comments)
            analyse(con)
            con.execute("CHECKPOINT")
            print(f"generated in {time.perf_counter() - t:.1f} s: {path}")
        counts = con.execute(
            "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM posts), (SELECT count(*) FROM post_snapshots),"
            " (SELECT count(*) FROM comments), (SELECT count(*) FILTER (by_institution) FROM comments)"
        ).fetchone()
    print(
        f"data: {counts[0]:,} accounts, {counts[1]:,} posts, {counts[2]:,} post snapshots, "
        f"{counts[3]:,} comments ({counts[4]:,} by the institutions)"
    )

    r = rules.load()
    months = [periods.month(2025, m, r.timezone) for m in range(1, 13)]
    with db.connect(path) as con:
        con.execute("DELETE FROM comments WHERE last_run_id = 'run_new'")  # a reused database
        t = time.perf_counter()
        full = stored.refresh(con, r, full=True)
        t_full = time.perf_counter() - t
        t = time.perf_counter()
        facts = post_facts.refresh(con, r, full=True)
        t_facts = time.perf_counter() - t
        t = time.perf_counter()
        n_new = add_comments(con, max(n_comments // 100, 1))
        t_add = time.perf_counter() - t
        t = time.perf_counter()
        inc = stored.refresh(con, r)
        t_inc = time.perf_counter() - t
        t = time.perf_counter()
        stored.refresh(con, r)
        t_noop = time.perf_counter() - t
    with db.connect(path, read_only=True) as con:
        t = time.perf_counter()
        res = compute.compute(con, months, "institution", r)
        t_all = time.perf_counter() - t
    with db.connect(path, read_only=True) as con:
        t = time.perf_counter()
        lat = compute.compute(con, months, "institution", r, only=["responses"])
        t_lat = time.perf_counter() - t
        c = con.sql(
            "SELECT platform, comment_id, parent_id, account_id, created_at, by_institution FROM comments"
        ).df()
        acct_inst = (
            con.sql("SELECT account_id, institution_id FROM accounts")
            .df()
            .set_index("account_id")["institution_id"]
        )
    t = time.perf_counter()
    base = pandas_latency(
        c, acct_inst, pd.Timestamp(months[0].starts_at), pd.Timestamp(months[-1].ends_at)
    )
    t_pd = time.perf_counter() - t

    # The two implementations must agree before their times mean anything.
    ours = (
        lat.table.select(["period_key", "group_id", "latency_median_h", "latency_p90_h"])
        .to_pandas()
        .dropna()
    )
    both = ours.merge(
        base, left_on=["period_key", "group_id"], right_on=["month", "institution_id"]
    )
    agree = (
        len(both) == len(ours) == len(base)
        and np.allclose(both["latency_median_h"], both["median"])
        and np.allclose(both["latency_p90_h"], both["p90"])
    )
    print(
        f"(1) one-time refresh of comment_responses over all comments (answers walked, questions,"
        f" tiers, clocks; written): {t_full:6.2f} s  ({full['rows']:,} rows)"
    )
    print(
        f"    one-time refresh of post_facts over all posts (two-way keywords, cross-links):"
        f" {t_facts:6.2f} s  ({facts['posts']:,} rows)"
    )
    print(
        f"(2) +{n_new:,} new comments in a new run (inserted in {t_add:.2f} s), incremental refresh:"
        f" {t_inc:6.2f} s  ({inc['threads']:,} threads, {inc['rows']:,} rows recomputed);"
        f" refresh with nothing new: {t_noop:.2f} s"
    )
    print(
        f"(3) all metrics, {res.table.num_rows:,} rows (institution × month), {res.table.num_columns}"
        f" columns, table fresh, read-only connection as the app: {t_all:6.2f} s  (target ≤ 3 s)"
    )
    print(
        "    includes the freshness checks, the post steps and every aggregation; not the refreshes."
        f" comments from: {res.comments_source}; post facts from: {res.posts_source}"
    )
    print(
        f"(4) response latency (median, p90 by institution × month), closer, table fresh: {t_lat:6.2f} s"
        f"  (from: {lat.comments_source})"
    )
    print(
        f"    pandas baseline (same definition, from the comments already in memory):   {t_pd:6.2f} s"
    )
    print(
        f"    ratio pandas / closer query: {t_pd / t_lat:.1f}×  (target ≥ 10×); counting the one-time"
        f" refresh too: {t_pd / (t_lat + t_full):.1f}×; results agree: {agree} ({len(both):,} cells)"
    )
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")


def add_comments(con: duckdb.DuckDBPyConnection, n: int) -> int:
    """n new comments in a new collection run, replying to existing ones (30% the institution's)."""
    con.execute(f"""
        INSERT INTO comments
        SELECT c.platform, 'n' || t.n, c.post_id, c.comment_id, c.account_id,
               c.created_at + to_seconds((60 + hash(t.n, 31) % 7200)::BIGINT), t.inst,
               CASE WHEN t.inst THEN c.account_id ELSE 'p_new' || (hash(t.n, 33) % 1000) END, 'ro',
               CASE WHEN t.inst THEN 'Vă mulțumim, revenim.' ELSE 'Și când se rezolvă? (' || t.n || ')' END,
               0, NULL, 'run_new', 'run_new'
        FROM (SELECT n, 'c' || (hash(n, 30) % (SELECT count(*) FROM comments WHERE comment_id LIKE 'c%'))
                     AS parent, (hash(n, 32) % 10) < 3 AS inst FROM range({n}) r(n)) t
        JOIN comments c ON c.comment_id = t.parent
    """)
    return con.execute("SELECT count(*) FROM comments WHERE last_run_id = 'run_new'").fetchone()[0]


if __name__ == "__main__":
    main()
