"""`closer metrics` and `closer continuum`: the figures, the continuum and the ladder.

closer metrics [--period week|month|round|YYYY-MM-DD:YYYY-MM-DD] [--round R]
               [--by institution|account|type|region] [--format table|csv] [--columns …]
closer continuum [--period …] [--round R] [--format table|csv|json] [--evidence]
closer continuum override INSTITUTION DIMENSION LEVEL --reason … --by USER [--period KEY | --round R]
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

from closer import db
from closer.cli import CliError

DEFAULT_COLUMNS = (
    "followers",
    "followers_growth_pct",
    "posts_per_day",
    "active_days_share",
    "rich_form_share",
    "interactions_per_post",
    "engagement_per_1000_followers",
    "active_channels",
    "cross_link_posts",
    "two_way_share",
    "citizen_comments",
    "response_rate",
    "question_response_rate",
    "latency_median_h",
    "latency_p90_h",
)


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _periods(con, args, rules):
    from metrics import periods

    try:
        return periods.parse(con, args.period, rules.timezone, args.round)
    except periods.PeriodError as exc:
        raise CliError(str(exc)) from None


def _refresh_stored(path, r) -> None:
    """Bring the stored tables (responses, post facts) up to date if the database can be written now.

    Best effort: when another process holds the database, the metrics are computed on the fly
    (same figures, slower; docs/metrics.md, "The stored response table").
    """
    import logging

    import metrics

    try:
        with db.connect(path, read_only=True) as con:
            if metrics.stale(con, r) is None:
                return
        with db.connect(path, wait=2.0) as con:
            metrics.refresh(con, r)
    except Exception as exc:  # noqa: BLE001 - the read-only path still answers
        logging.getLogger(__name__).info("stored metrics tables not refreshed: %s", exc)


def cmd_metrics(args) -> int:
    from metrics import compute, rules

    try:
        r = rules.load()
    except rules.RulesError as exc:
        raise CliError(f"metrics definitions refused: {exc}") from None
    _refresh_stored(args.db, r)
    with db.connect(args.db, read_only=True) as con:
        ps = _periods(con, args, r)
        if not ps:
            raise CliError("no data to compute metrics over yet (run `closer collect` first)")
        try:
            res = compute.compute(con, ps, args.by, r)
        except compute.MetricsError as exc:
            raise CliError(str(exc)) from None
    rows = res.rows()
    out = sys.stdout
    if args.format == "csv":
        w = csv.writer(out, lineterminator="\n")
        cols = res.table.column_names
        w.writerow(cols)
        for row in rows:
            w.writerow(
                [
                    ""
                    if row[c] is None
                    else (f"{row[c]:.6g}" if isinstance(row[c], float) else row[c])
                    for c in cols
                ]
            )
        return 0
    all_cols = compute.metric_columns(res)
    if args.columns == "all":
        cols = all_cols
    elif args.columns:
        cols = [c.strip() for c in args.columns.split(",") if c.strip()]
        unknown = [c for c in cols if c not in all_cols]
        if unknown:
            raise CliError(f"unknown column(s): {', '.join(unknown)} (see `--columns all`)")
    else:
        cols = [c for c in DEFAULT_COLUMNS if c in all_cols]
    as_of = f"{res.as_of:%Y-%m-%d %H:%M} UTC" if res.as_of else "no snapshot yet"
    print(f"data as of {as_of}; by {args.by}; n/a = cannot be computed (reasons below)")
    headers = ["period", args.by, *cols]
    body = [
        [row["period_key"], str(row["group_id"]), *(_fmt(row[c]) for c in cols)] for row in rows
    ]
    print(_table(headers, body))
    notes: dict[str, list[str]] = {}
    for row in rows:
        for c in cols:
            why = compute.reason_for(row, c)
            if why:
                notes.setdefault(f"{c}: {why}", []).append(f"{row['group_id']} {row['period_key']}")
    if notes:
        print("\nn/a:")
        for why, where in notes.items():
            more = f" and {len(where) - 6} more" if len(where) > 6 else ""
            print(f"  {why} ({', '.join(where[:6])}{more})")
    return 0


def _placements(con, args, r, version: int | None):
    from metrics import continuum, ladder, periods

    if args.period is None and args.round is None:
        p = periods.default_continuum_period(con, r.timezone)
        ps = [p] if p else []
    else:
        ps = _periods(con, args, r)
    if not ps:
        raise CliError("no data to place institutions from yet (run `closer collect` first)")
    from metrics import compute

    defn = continuum.load(version)
    res = compute.compute(con, ps, "institution", r)
    placed = continuum.place(con, ps, defn, r, res)
    rungs = {(x.institution_id, x.period_key): x for x in ladder.climb(con, ps, None, r, res)}
    return defn, placed, rungs


def cmd_continuum(args) -> int:
    from metrics import rules

    r = rules.load()
    with db.connect(args.db, read_only=True) as con:
        defn, placed, rungs = _placements(con, args, r, args.thresholds)
    if args.format == "json":
        out = []
        for p in placed:
            d = p.as_dict()
            lad = rungs[(p.institution_id, p.period_key)]
            d["ladder"] = {
                "rung": lad.top.rung if lad.top else None,
                "name": lad.top.name if lad.top else None,
                "na_reason": lad.na_reason,
                "reached": [
                    {"rung": x.rung, "name": x.name, "evidence": x.evidence} for x in lad.reached
                ],
            }
            out.append(d)
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False, default=str)
        print()
        return 0
    headers = ["period", "institution", *[d.name for d in defn.dimensions], "overall", "ladder"]
    body = []
    for p in placed:
        lad = rungs[(p.institution_id, p.period_key)]
        cells = [p.period_key, p.institution_id]
        for d in p.dimensions:
            cells.append((d.level or "n/a") + ("*" if d.override else ""))
        cells.append(p.overall or "n/a")
        cells.append(f"{lad.top.rung} {lad.top.name}" if lad.top else "n/a")
        body.append(cells)
    if args.format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(headers)
        w.writerows(body)
        return 0
    print(
        f"continuum thresholds v{defn.version}; * = a facilitator's override (computed level kept, see --evidence)"
    )
    print(_table(headers, body))
    if args.evidence:
        for p in placed:
            print(
                f"\n{p.name} ({p.institution_id}), {p.period_label}: overall {p.overall or 'n/a: ' + str(p.overall_reason)}"
            )
            for d in p.dimensions:
                head = f"  {d.label}: {d.level or 'n/a'}"
                if d.override:
                    o = d.override
                    head += f" (override by {o.by} at {o.at:%Y-%m-%d %H:%M}: {o.reason}; computed {d.computed or 'n/a'})"
                elif d.na_reason:
                    head += f" ({d.na_reason})"
                print(head)
                for c in d.checks:
                    mark = {True: "yes", False: "no", None: "n/a"}[c["holds"]]
                    print(
                        f"    {c['level']:>9} {c['part']}: {c['condition']:<32} figure {_fmt(c['figure']):>8}  {mark}"
                    )
                for e in d.examples:
                    print(f"    e.g. {e['created_at'][:10]} {e['url']} ({e['note']})")
            lad = rungs[(p.institution_id, p.period_key)]
            if lad.top:
                print(f"  Ladder: rung {lad.top.rung}, {lad.top.label}")
                for e in lad.top.evidence:
                    print(f"    e.g. {e['created_at'][:10]} {e['url']} ({e['note']})")
            else:
                print(f"  Ladder: n/a ({lad.na_reason})")
    return 0


def cmd_override(args) -> int:
    from metrics import continuum, periods, rules

    r = rules.load()
    level = None if args.level.lower() in ("none", "computed") else args.level.lower()
    with db.connect(args.db) as con:
        try:
            if args.round:
                p = periods.rounds(con, r.timezone, args.round)[0]
            elif args.period:
                p = periods.from_key(con, args.period, r.timezone)
            else:
                p = periods.default_continuum_period(con, r.timezone)
                if p is None:
                    raise CliError("no period to override in yet: give --period or --round")
            row = continuum.record_override(
                con, args.institution, args.dimension, level, args.reason, args.user, p
            )
        except (continuum.OverrideError, periods.PeriodError) as exc:
            raise CliError(str(exc)) from None
    what = f"set to {row['override_level']}" if row["override_level"] else "withdrawn"
    print(
        f"{row['institution_id']} {row['dimension']} in {row['period_key']}: override {what} by "
        f"{row['overridden_by']} ({row['reason']}); computed level {row['computed_level'] or 'n/a'}"
    )
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "metrics", help="figures per institution (or account, type, region) and period"
    )
    p.add_argument(
        "--period",
        help="week, month, round, or YYYY-MM-DD:YYYY-MM-DD (default: the rounds, else months)",
    )
    p.add_argument("--round", help="a round (alone, or to limit weeks/months to it)")
    p.add_argument(
        "--by", choices=("institution", "account", "type", "region"), default="institution"
    )
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.add_argument(
        "--columns",
        help="metric columns for the table: a,b,c or all (csv has all, with the n/a reasons)",
    )
    p.set_defaults(func=cmd_metrics)

    p = sub.add_parser("continuum", help="institutions on the continuum and the engagement ladder")
    p.add_argument("--period", help="as for `closer metrics` (default: the latest round begun)")
    p.add_argument("--round", help="a round")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument(
        "--evidence", action="store_true", help="show the figures, example posts and overrides"
    )
    p.add_argument("--thresholds", type=int, help="continuum_vN.yaml version (default: the latest)")
    p.set_defaults(func=cmd_continuum)
    acts = p.add_subparsers(dest="continuum_action", metavar="ACTION")
    q = acts.add_parser(
        "override", help="override a dimension's level, with a reason (kept with who and when)"
    )
    q.add_argument("institution")
    q.add_argument("dimension", help="channels, content, engagement or update_frequency")
    q.add_argument("level", help="modest, moderate, elaborate, or none to withdraw the override")
    q.add_argument("--reason", required=True)
    q.add_argument("--by", dest="user", required=True, help="who overrides (user name)")
    q.add_argument(
        "--period",
        help="the period key: round:R, YYYY-MM, YYYY-Www, YYYY-MM-DD:YYYY-MM-DD (default: the latest round begun)",
    )
    q.add_argument("--round", help="a round")
    q.set_defaults(func=cmd_override)
