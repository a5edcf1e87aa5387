"""`closer credentials status` (which accounts have working credentials, when each token
expires) and `closer import-counts FILE.csv` (counts noted by hand, platform exports)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from closer.cli import CliError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _period(value: str) -> tuple[dt.date, dt.date]:
    start, sep, end = value.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"{value!r} is not START:END (YYYY-MM-DD:YYYY-MM-DD)")
    a, b = _date(start), _date(end)
    if b < a:
        raise argparse.ArgumentTypeError(f"{value!r}: END is before START")
    return a, b


def _when(d: dt.datetime | None) -> str:
    return d.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if d else "-"


def expiry_text(row: dict) -> str:
    """'never', 'unknown', '2026-09-01 (in 45 days)', '2026-01-01 (expired 3 days ago)'."""
    if row["never_expires"]:
        return "never"
    if row["expires_at"] is None:
        return "unknown"
    days = row["days_left"]
    when = row["expires_at"].astimezone(dt.UTC).strftime("%Y-%m-%d")
    if days < 0:
        return f"{when} (expired {-days} days ago)"
    return f"{when} (in {days} days)"


def cmd_status(args) -> int:
    from closer import db
    from monitor import credentials

    book = credentials.CredentialBook.load()
    try:
        with db.connect(args.db, read_only=True) as con:
            rows = credentials.status_rows(con, book)
    except db.DatabaseMissing as exc:
        raise CliError(str(exc)) from None
    if args.platform:
        rows = [r for r in rows if r["platform"] == args.platform]
    if args.institution:
        rows = [r for r in rows if r["institution_id"] == args.institution]
    if not rows:
        print("no Facebook, Instagram, YouTube or X accounts registered")
        return 0
    header = ("account", "setting used (never its value)", "status", "expires", "last worked")
    table = [
        (
            r["account_id"],
            f"{r['configured']} ({r['source']})"
            if r["configured"]
            else "none: no token configured",
            r["status"],
            expiry_text(r),
            _when(r["last_ok_at"]),
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
    for line in (header, *table):
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
    not_working = [r for r in rows if r["status"] != "ok"]
    soon = [r for r in rows if r["days_left"] is not None and r["days_left"] <= args.warn_days]
    for r in soon:
        print(f"warning: the token of {r['account_id']} expires {expiry_text(r)}", file=sys.stderr)
    print(f"{len(rows) - len(not_working)} of {len(rows)} accounts have working credentials")
    return 1 if args.check and (not_working or soon) else 0


def cmd_import_counts(args) -> int:
    from closer.manual_import import CountsRefused, import_counts

    failed = 0
    for f in args.files:
        try:
            res = import_counts(
                args.db,
                f,
                account=args.account,
                as_of=args.as_of,
                period=args.period or (None, None),
            )
        except CountsRefused as exc:
            print(
                f"refused, nothing stored from {f}:\n" + "\n".join(f"  {e}" for e in exc.errors),
                file=sys.stderr,
            )
            failed += 1
            continue
        again = " (imported before: replaced)" if res.replaced else ""
        print(
            f"{f}: {res.file_format}, source {res.source}{again}: {res.figures} figures for "
            f"{', '.join(res.accounts)}; {res.snapshots} account snapshots in {len(res.runs)} runs"
        )
        for note in res.notes:
            print(f"  note: {note}", file=sys.stderr)
    if failed:
        raise CliError(f"{failed} of {len(args.files)} files refused")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "credentials", help="which accounts have working credentials (docs/credentials.md)"
    )
    cs = p.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)
    q = cs.add_parser(
        "status", help="each account's credential: the setting used, last outcome, expiry"
    )
    q.add_argument("--platform", choices=["facebook", "instagram", "youtube", "x"])
    q.add_argument("--institution", help="only this institution_id")
    q.add_argument(
        "--warn-days",
        type=int,
        default=14,
        help="warn about tokens expiring within this many days (14)",
    )
    q.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if any account lacks working credentials or expires soon",
    )
    q.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "import-counts",
        help="store counts from CSV: noted by hand (account,date,metric,value,noted_by)"
        " or a platform export",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--account", help="the account an export belongs to (account_id, handle or URL)")
    p.add_argument(
        "--as-of", type=_date, help="the day the export was made (default: the file's date)"
    )
    p.add_argument(
        "--period", type=_period, help="an export's date range START:END (YouTube Studio)"
    )
    p.set_defaults(func=cmd_import_counts)
