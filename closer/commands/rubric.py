"""`closer rubric check|register|import-submissions|export|results|agreement|change|reopen`
(docs/rubric.md). Who acts: see closer/commands/users.py (`--as USER`)."""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path

import pandas as pd

from closer import auth, db
from closer.cli import CliError
from closer.commands.users import acting_user, add_actor_argument
from rubrics import definition, results
from rubrics import submissions as subs


def _emit(df: pd.DataFrame, fmt: str, out: str | None = None) -> None:
    df = df.copy()
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]):
            df[c] = df[c].round(6)
    if fmt == "csv":
        text = df.to_csv(index=False, lineterminator="\n")
    else:
        show = df.astype(object).where(df.notna(), "n/a")
        text = show.to_string(index=False) + "\n" if len(df) else "(no rows)\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _round_exists(con, round_id: str) -> None:
    if not con.execute("SELECT 1 FROM rounds WHERE round_id = ?", [round_id]).fetchone():
        known = (
            ", ".join(
                r[0]
                for r in con.execute("SELECT round_id FROM rounds ORDER BY starts_on").fetchall()
            )
            or "none"
        )
        raise CliError(f"no round {round_id!r} (rounds: {known})")


def _facilitator(args, con) -> auth.User:
    actor = acting_user(args, con)
    try:
        return auth.require(
            actor, "facilitator", "admin", action=f"run `rubric {args.rubric_command}`"
        )
    except auth.PermissionDenied as exc:
        raise CliError(str(exc)) from None


def cmd_check(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.files] or definition.definition_files()
    errors: list[str] = []
    for f in files:
        try:
            r = definition.load_file(f)
        except definition.RubricError as exc:
            errors += exc.errors
            continue
        n_in = len(r.criteria_for("insider"))
        n_out = len(r.criteria_for("outsider"))
        print(
            f"{f.name}: ok: {r.key}, {len(r.sections)} sections, {len(r.criteria)} criteria "
            f"({n_in} for insiders, {n_out} for outsiders)"
        )
    if errors:
        raise CliError("refused:\n" + "\n".join(errors))
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        _facilitator(args, con)
        try:
            done = definition.register_all(con, args.directory)
        except definition.RubricError as exc:
            raise CliError("refused, nothing registered:\n" + str(exc)) from None
    for key, what in done.items():
        print(f"{key}: {what}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        actor = _facilitator(args, con)
        try:
            res = subs.import_csv(con, actor, args.file)
        except subs.SubmissionError as exc:
            raise CliError("refused, nothing loaded from that file:\n" + str(exc)) from None
        except definition.RubricError as exc:
            raise CliError(str(exc)) from None
    print(f"{Path(args.file).name}: {res.summary()}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        actor = _facilitator(args, con)
        if args.round:
            _round_exists(con, args.round)
        rows = subs.export_rows(con, actor, args.round, include_drafts=args.drafts)
    df = pd.DataFrame(rows, columns=list(subs.EXPORT_COLUMNS))
    if args.format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(subs.EXPORT_COLUMNS), lineterminator="\n")
        w.writeheader()
        for r in rows:
            r = dict(r)
            r["submitted_at"] = r["submitted_at"].isoformat() if r["submitted_at"] else ""
            w.writerow({k: "" if v is None else v for k, v in r.items()})
        if args.output:
            Path(args.output).write_text(buf.getvalue(), encoding="utf-8")
        else:
            sys.stdout.write(buf.getvalue())
    else:
        _emit(df, "table", args.output)
    if args.output:
        print(f"{len(rows)} scores written to {args.output}", file=sys.stderr)
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        _facilitator(args, con)
        _round_exists(con, args.round)
        if args.by == "section":
            df = results.section_results(con, args.round)
        elif args.by == "across":
            df = results.gap_across(con, args.round)
        else:
            df = results.criterion_results(con, args.round)[results.RESULT_COLUMNS]
    if args.institution:
        if "institution_id" not in df:
            raise CliError("--institution does not apply to --by across")
        df = df[df["institution_id"] == args.institution]
    _emit(df, args.format, args.output)
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        _facilitator(args, con)
        _round_exists(con, args.round)
        df = results.agreement_table(con, args.round)
    if args.format != "csv":
        df = df.copy()
        df["institution_id"] = df["institution_id"].fillna("(all institutions)")
        df["reason"] = df["reason"].fillna("")
        df["alpha_ordinal"] = [
            "n/a" if a is None or (isinstance(a, float) and math.isnan(a)) else f"{a:.3f}"
            for a in df["alpha_ordinal"]
        ]
    _emit(df, args.format, args.output)
    return 0


def cmd_change(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        _facilitator(args, con)
        _round_exists(con, args.from_round)
        _round_exists(con, args.to_round)
        crit, agr = results.change(con, args.from_round, args.to_round)
    _emit(agr if args.agreement else crit, args.format, args.output)
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    with db.connect(args.db) as con:
        actor = acting_user(args, con)
        try:
            sub = subs.reopen(con, actor, args.submission_id, args.reason)
        except auth.PermissionDenied as exc:
            raise CliError(str(exc)) from None
        except subs.SubmissionError as exc:
            raise CliError(str(exc)) from None
    print(f"{sub.submission_id} reopened: {sub.username} can edit and submit it again")
    return 0


def _formats(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")


def register(sub) -> None:
    p = sub.add_parser("rubric", help="the monitoring rubric: definitions, submissions, results")
    rs = p.add_subparsers(dest="rubric_command", metavar="ACTION", required=True)

    q = rs.add_parser("check", help="validate rubric definition files (no database)")
    q.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="<rubric_id>_v<N>.yaml files (default: all shipped definitions)",
    )
    q.set_defaults(func=cmd_check)

    q = rs.add_parser(
        "register", help="register definition versions (refuses changed versions in use)"
    )
    q.add_argument(
        "--directory", help="definitions folder (default $CLOSER_RUBRICS or the shipped one)"
    )
    add_actor_argument(q)
    q.set_defaults(func=cmd_register)

    q = rs.add_parser(
        "import-submissions", help="load paper-form submissions from a CSV, all or nothing"
    )
    q.add_argument("file", metavar="FILE.csv")
    add_actor_argument(q)
    q.set_defaults(func=cmd_import)

    q = rs.add_parser("export", help="submissions, one row per score (re-importable)")
    q.add_argument("--round", help="only this round_id")
    q.add_argument("--drafts", action="store_true", help="include drafts")
    _formats(q)
    q.set_defaults(format="csv")
    add_actor_argument(q)
    q.set_defaults(func=cmd_export)

    q = rs.add_parser(
        "results", help="mean, median, raters and gap per institution × criterion × perspective"
    )
    q.add_argument("--round", required=True)
    q.add_argument("--institution", help="only this institution_id")
    q.add_argument(
        "--by",
        choices=("criterion", "section", "across"),
        default="criterion",
        help="criterion (default), section, or across institutions (gap per criterion)",
    )
    _formats(q)
    add_actor_argument(q)
    q.set_defaults(func=cmd_results)

    q = rs.add_parser(
        "agreement", help="Krippendorff's alpha (ordinal) per perspective and institution"
    )
    q.add_argument("--round", required=True)
    _formats(q)
    add_actor_argument(q)
    q.set_defaults(func=cmd_agreement)

    q = rs.add_parser("change", help="change of means, gaps (or alpha) between two rounds")
    q.add_argument("--from", dest="from_round", required=True, metavar="ROUND")
    q.add_argument("--to", dest="to_round", required=True, metavar="ROUND")
    q.add_argument("--agreement", action="store_true", help="alpha per perspective instead")
    _formats(q)
    add_actor_argument(q)
    q.set_defaults(func=cmd_change)

    q = rs.add_parser("reopen", help="reopen a submitted submission for its rater (facilitator)")
    q.add_argument("submission_id")
    q.add_argument("--reason", required=True)
    add_actor_argument(q)
    q.set_defaults(func=cmd_reopen)
