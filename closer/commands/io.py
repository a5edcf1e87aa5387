"""`closer import` (raw platform responses from files → one run) and `closer export TABLE`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from closer.cli import CliError


def _when(value: str) -> dt.datetime:
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date-time (ISO 8601)") from None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def cmd_import(args) -> int:
    from monitor import collectors
    from monitor.importer import ImportRefused, import_files

    if args.platform not in collectors():
        raise CliError(
            f"unknown platform {args.platform!r} (known: {', '.join(sorted(collectors()))})"
        )
    try:
        result = import_files(
            args.db,
            args.platform,
            args.institution,
            args.files,
            handle=args.handle,
            recorded_at=args.recorded_at,
        )
    except ImportRefused as exc:
        raise CliError(str(exc)) from None
    for name, why in result.refused:
        print(f"  refused: {name}: {why}", file=sys.stderr)
    again = " (the same files again: that run's rows were replaced)" if result.replaced else ""
    print(
        f"run {result.run_id}: {result.status}{again}; {result.files} files for"
        f" {', '.join(result.accounts) or 'no account'};"
        f" {result.posts} posts, {result.comments} comments; {len(result.refused)} files refused"
    )
    if result.accounts:
        from closer.commands.core import refresh_metrics

        refresh_metrics(args.db)  # the stored metric tables follow the imported rows
    return 0 if result.accounts else 1


def cmd_export(args) -> int:
    from closer import db
    from closer.export import ExportError, export

    actor = None
    if args.reveal_authors:
        from closer.commands.users import acting_user

        with db.connect(args.db) as con:  # logging in writes an auth event
            actor = acting_user(args, con)
    try:
        n = export(
            args.db,
            args.table,
            args.format,
            args.out,
            reveal_authors=args.reveal_authors,
            actor=actor,
        )
    except ExportError as exc:
        raise CliError(str(exc)) from None
    if args.reveal_authors:
        print(
            "note: citizens' handles are never stored; authors are the stored keyed pseudonyms",
            file=sys.stderr,
        )
    if args.out and args.out != "-":
        print(f"{args.table}: {n} rows → {args.out}", file=sys.stderr)
    return 0


def register(sub) -> None:
    from closer.commands.users import add_actor_argument
    from closer.export import FORMATS, TABLES

    p = sub.add_parser("import", help="store raw platform responses saved in files, as one run")
    p.add_argument("--platform", required=True, help="mastodon, bluesky, feed, …")
    p.add_argument("--institution", required=True, help="the institution_id the account belongs to")
    p.add_argument(
        "--handle",
        help="the account, when the files do not name it (e.g. a feed without a self link)",
    )
    p.add_argument(
        "--recorded-at",
        type=_when,
        help="when the responses were saved (ISO 8601, UTC if no offset);"
        " default: each file's modification time",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write a table as CSV, Parquet or JSON (docs/export.md)")
    p.add_argument("table", choices=list(TABLES), metavar="TABLE", help=", ".join(TABLES))
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument("--out", help="output file (default: standard output for csv and json)")
    p.add_argument(
        "--reveal-authors",
        action="store_true",
        help="admins only (with --as USER); see docs/export.md",
    )
    add_actor_argument(p)
    p.set_defaults(func=cmd_export)
