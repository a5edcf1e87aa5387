"""Comment analysis commands: analyse, topics, terms (docs/analysis.md)."""

from __future__ import annotations

from closer import db
from closer.cli import CliError


def cmd_analyse(args) -> int:
    from closer.analysis import pipeline

    try:
        run = pipeline.analyse_db(args.db, all=args.all, workers=args.workers)
    except db.DatabaseMissing as exc:
        raise CliError(str(exc)) from None
    print(run.summary())
    from closer.commands.core import refresh_metrics

    refresh_metrics(args.db)
    return 0


def _period(con, text: str):
    from closer.analysis import summaries

    try:
        return summaries.parse_period(text, summaries.rounds(con))
    except summaries.PeriodError as exc:
        raise CliError(str(exc)) from None


def _institution(con, institution_id: str) -> str:
    row = con.execute(
        "SELECT name FROM institutions WHERE institution_id = ?", [institution_id]
    ).fetchone()
    if row is None:
        raise CliError(f"no institution {institution_id!r} in the registry (closer registry list)")
    return row[0]


def cmd_topics(args) -> int:
    from closer.analysis import summaries, topics

    with db.connect(args.db, read_only=True) as con:
        name = _institution(con, args.institution)
        period = _period(con, args.period)
        rows = con.execute(
            summaries.TOPICS_SQL, summaries.period_params(args.institution, period)
        ).fetchall()
    labels = topics.labels()
    print(f"{name} ({args.institution}), {period.label}: comments per topic (copies once)")
    if not rows:
        print("  n/a: no analysed comments with a topic in this period or the one before")
    for topic, n, previous in rows:
        change = f"{n - previous:+d}" if previous else "n/a (none before)"
        print(f"  {labels.get(topic, topic):<40} {n:>6}   previous period {previous:>6}   {change}")
    return 0


def cmd_terms(args) -> int:
    from closer.analysis import terms

    with db.connect(args.db, read_only=True) as con:
        name = _institution(con, args.institution)
        period = _period(con, args.period)
        found = terms.distinctive_terms(
            con, args.institution, period.start, period.end, limit=args.limit
        )
    print(
        f"{name} ({args.institution}), {period.label}: distinctive terms against all institutions"
    )
    if not found.comparable:
        print(f"  n/a: {found.reason}")
    elif not found.terms:
        print(f"  none: no term used in {terms.MIN_COUNT}+ comments stands out")
    for t in found.terms:
        print(f"  {t.term:<24} {t.comments:>6} comments   z {t.z:6.2f}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "analyse", help="analyse new citizen comments (language, sentiment, topics …)"
    )
    p.add_argument("--all", action="store_true", help="re-analyse every comment, not only new ones")
    p.add_argument("--workers", type=int, default=None, help="processes (default: one per core)")
    p.set_defaults(func=cmd_analyse)

    period_help = "all, YYYY, YYYY-MM, YYYY-MM-DD..YYYY-MM-DD or a round id (default: all)"
    p = sub.add_parser("topics", help="comments per topic for an institution and period")
    p.add_argument("--institution", required=True, metavar="ID")
    p.add_argument("--period", default="all", help=period_help)
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser("terms", help="distinctive terms of an institution's comments in a period")
    p.add_argument("--institution", required=True, metavar="ID")
    p.add_argument("--period", default="all", help=period_help)
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_terms)
