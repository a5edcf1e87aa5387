"""Core commands: init, registry load, collect, reread, runs, app, demo."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from closer import config, db, registry
from closer.cli import CliError


def _since(value: str) -> dt.datetime:
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD or ISO 8601)") from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d


def cmd_init(args) -> int:
    p = config.db_path(args.db)
    with db.connect(p) as con:
        v = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    print(f"{p}: ready (schema version {v:03d})")
    return 0


def cmd_registry_load(args) -> int:
    with db.connect(args.db) as con:
        try:
            loaded = registry.load_files(con, args.files)
        except registry.RegistryError as exc:
            raise CliError("refused, nothing loaded from that file:\n" + str(exc)) from None
    for f, n in loaded.items():
        print(f"{f}: {n} rows")
    return 0


def cmd_registry_list(args) -> int:
    with db.connect(args.db, read_only=True) as con:
        rows = con.execute(
            "SELECT i.institution_id, i.name, i.type, i.region, count(a.account_id) FROM institutions i"
            " LEFT JOIN accounts a USING (institution_id) GROUP BY ALL ORDER BY i.region, i.institution_id"
        ).fetchall()
    for r in rows:
        print(f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]} accounts")
    return 0


def cmd_collect(args) -> int:
    from monitor import runner

    result = runner.collect(args.db, platform=args.platform, institution=args.institution, since=args.since, client=runner.default_client())
    print(f"run {result.run_id}: {result.status}; {result.accounts_ok} accounts ok, {result.accounts_failed} failed; {result.posts} posts, {result.comments} comments")
    for e in result.errors:
        print(f"  error: {e}", file=sys.stderr)
    if getattr(args, "analyse", False):
        try:
            from closer.analysis import pipeline  # comment analysis, when installed
        except ImportError:
            print("comment analysis is not available in this version", file=sys.stderr)
        else:
            pipeline.analyse_db(args.db)
    refresh_metrics(args.db)
    return 0 if result.status != "failed" else 1


def refresh_metrics(db_path) -> None:
    """Bring the stored response table up to date after new data (the app reads it read-only)."""
    import logging

    import metrics

    try:
        with db.connect(db_path, wait=30) as con:
            metrics.refresh(con)
    except Exception as exc:  # the data is stored; metrics fall back to computing on the fly
        logging.getLogger(__name__).warning("metrics table not refreshed: %s", exc)


def cmd_reread(args) -> int:
    from monitor import runner

    try:
        result = runner.reread(args.db, args.run_id)
    except (KeyError, FileNotFoundError) as exc:
        raise CliError(str(exc)) from None
    print(f"run {args.run_id} re-read: {result.accounts_ok} accounts, {result.posts} posts, {result.comments} comments")
    refresh_metrics(args.db)
    return 0


def cmd_runs(args) -> int:
    with db.connect(args.db, read_only=True) as con:
        rows = con.execute(
            "SELECT run_id, kind, status, started_at, finished_at, accounts_ok, accounts_failed, posts, comments, errors"
            " FROM runs ORDER BY started_at DESC LIMIT ?",
            [args.limit],
        ).fetchall()
        for r in rows:
            print(f"{r[0]}\t{r[1]}\t{r[2]}\tstarted {r[3]:%Y-%m-%d %H:%M}\t{r[5]} ok, {r[6]} failed\t{r[7]} posts\t{r[8]} comments\t{r[9]} errors")
            if args.errors:
                for e in con.execute("SELECT account_id, stage, reason FROM run_errors WHERE run_id = ? ORDER BY occurred_at", [r[0]]).fetchall():
                    print(f"    {e[0] or '-'}: {e[1]}: {e[2]}")
    return 0


def cmd_app(args) -> int:
    env = dict(os.environ, CLOSER_DB=str(config.db_path(args.db).resolve()))
    app = Path(__file__).resolve().parents[2] / "app.py"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return subprocess.call(cmd, env=env)


def cmd_demo(args) -> int:
    from closer import demo

    p = config.db_path(args.db or "demo.duckdb")
    demo.build(p, quiet=False)
    if args.no_app:
        return 0
    args.db = str(p)
    return cmd_app(args)


def register(sub) -> None:
    p = sub.add_parser("init", help="create the database (or apply new migrations)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("registry", help="institutions, accounts and rounds")
    rs = p.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    q = rs.add_parser("load", help="load institutions.csv, accounts.csv, rounds.csv (all-or-nothing per file)")
    q.add_argument("files", nargs="+", metavar="FILE")
    q.set_defaults(func=cmd_registry_load)
    q = rs.add_parser("list", help="list institutions")
    q.set_defaults(func=cmd_registry_list)

    p = sub.add_parser("collect", help="collect registered accounts from their platforms")
    p.add_argument("--platform", help="only this platform")
    p.add_argument("--institution", help="only this institution_id")
    p.add_argument("--since", type=_since, help="only posts from this date (YYYY-MM-DD)")
    p.add_argument("--analyse", action="store_true", help="analyse new comments after collecting")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("reread", help="rebuild a run's rows from its raw archive")
    p.add_argument("run_id")
    p.set_defaults(func=cmd_reread)

    p = sub.add_parser("runs", help="list recent runs")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--errors", action="store_true", help="show each run's errors")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("app", help="start the Streamlit app")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_app)

    p = sub.add_parser("demo", help="build the demo database from the bundled sample and start the app")
    p.add_argument("--no-app", action="store_true", help="only build the database")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_demo)
