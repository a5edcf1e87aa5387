"""`closer jury ...`: the competition of good practices (docs/jury.md).

create (from a competition YAML), list, import-practices, import-scores (paper ballots,
chair), score (a juror's own ballot), conflict, link, progress, scores, results, close,
shortlist, award, casting-vote, audit, export. Who acts: `--as USER` (or $CLOSER_USER)
as for `closer users`; the local operator while the database has no active admin. The
rules (recusal, blind scoring, the scale, the round state) are enforced in
rubrics/jury/store.py whatever the command.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from closer import db
from closer.auth import PermissionDenied, User
from closer.cli import CliError
from closer.commands.users import acting_user, add_actor_argument
from rubrics.jury import definition, guide, store


def _run(
    args: argparse.Namespace,
    action: Callable[[duckdb.DuckDBPyConnection, User], int],
    refused: str = "",
) -> int:
    with db.connect(args.db) as con:
        actor = acting_user(args, con)
        try:
            return action(con, actor)
        except definition.DefinitionError as exc:
            raise CliError("refused, nothing stored:\n" + str(exc)) from None
        except store.JuryError as exc:
            raise CliError(refused + "\n".join(exc.errors)) from None
        except PermissionDenied as exc:
            raise CliError(f"not allowed: {exc}") from None


def _fmt(x: Any) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.4f}".rstrip("0").rstrip(".")
    return str(x)


def cmd_create(args: argparse.Namespace) -> int:
    def action(con, actor):
        comp = definition.load_file(args.file)
        outcome = store.register_competition(con, actor, comp, Path(args.file).name)
        print(f"{comp.key}: {outcome}; {len(comp.criteria)} criteria, {len(comp.jurors)} jurors,"
              f" chair {comp.chair}; tie-break: "
              + ", then ".join(r.describe() for r in comp.tie_break))
        missing = [r["username"] for r in store.roster(con, comp.competition_id)
                   if r["user_id"] is None]
        if missing:
            print(f"note: no active user yet for {', '.join(missing)} "
                  "(add them with `closer users add NAME --role juror`)", file=sys.stderr)
        return 0

    return _run(args, action)


def cmd_list(args: argparse.Namespace) -> int:
    def action(con, actor):
        rows = store.competitions_of(con, actor)
        print("competition_id\tversion\tround\tpractices\tsubmitted_ballots\tname")
        for r in rows:
            print(f"{r['competition_id']}\t{r['version']}\t{r['round_state']}\t{r['practices']}"
                  f"\t{r['submitted_ballots']}\t{r['name']}")
        return 0

    return _run(args, action)


def cmd_import_practices(args: argparse.Namespace) -> int:
    def action(con, actor):
        n = store.import_practices(con, actor, args.competition, args.file)
        print(f"{args.file}: {n['new']} new, {n['updated']} updated, {n['unchanged']} unchanged"
              " practices")
        return 0

    return _run(args, action, "refused, nothing stored:\n")


def cmd_import_scores(args: argparse.Namespace) -> int:
    def action(con, actor):
        n = store.import_scores(con, actor, args.competition, args.file)
        print(f"{args.file}: {n['ballots']} ballots, {n['saved']} saved, {n['unchanged']} "
              "unchanged")
        return 0

    return _run(args, action, "refused, nothing stored:\n")


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for v in values:
        k, sep, val = v.partition("=")
        if not sep or not k.strip():
            raise CliError(f"{what} {v!r}: write CRITERION=VALUE")
        out[k.strip()] = val.strip()
    return out


def cmd_score(args: argparse.Namespace) -> int:
    def action(con, actor):
        scores = _pairs(args.scores, "score")
        comments = _pairs(args.comment or [], "--comment")
        sid = args.submission_id or store.new_submission_id()
        out = store.save_ballot(con, actor, args.competition, args.practice, scores,
                                submission_id=sid, submit=not args.draft, comments=comments,
                                source="cli")
        print(f"{args.practice}: {'draft' if args.draft else 'ballot'} {out} "
              f"(submission {sid})")
        return 0

    return _run(args, action)


def cmd_conflict(args: argparse.Namespace) -> int:
    def action(con, actor):
        new = store.declare_conflict(con, actor, args.competition, args.practice, args.reason,
                                     juror=args.juror)
        who = args.juror or actor.username
        print(f"{who} recused from {args.practice}" + ("" if new else " (already declared)"))
        return 0

    return _run(args, action)


def cmd_link(args: argparse.Namespace) -> int:
    def action(con, actor):
        new = store.declare_link(con, actor, args.username, args.institution, args.reason)
        print(f"{args.username} linked with {args.institution}: recused from its practices"
              + ("" if new else " (already declared)"))
        return 0

    return _run(args, action)


def cmd_progress(args: argparse.Namespace) -> int:
    def action(con, actor):
        rows = store.progress(con, actor, args.competition)
        print("juror\tpractice_id\tstatus\trecusal")
        for r in rows:
            print(f"{r['juror']}\t{r['practice_id']}\t{r['status']}\t{r['recusal'] or '-'}")
        return 0

    return _run(args, action)


def cmd_scores(args: argparse.Namespace) -> int:
    def action(con, actor):
        rows = store.visible_scores(con, actor, args.competition)
        print("practice_id\tjuror\tcriterion_id\tscore\tstatus\tcomment")
        for r in rows:
            print(f"{r['practice_id']}\t{r['juror']}\t{r['criterion_id']}\t{_fmt(r['score'])}"
                  f"\t{r['status']}\t{r['comment'] or ''}")
        return 0

    return _run(args, action)


def cmd_results(args: argparse.Namespace) -> int:
    def action(con, actor):
        view = store.results(con, actor, args.competition)
        if view.provisional:
            print(f"note: the round of {args.competition} is open: provisional results",
                  file=sys.stderr)
        if args.format == "csv":
            text = store.results_csv(view)
        else:
            cols = ("rank", "raw_rank", "practice_id", "normalised_score", "raw_score", "jurors",
                    "recused", "spread", "disagreement", "tie_break")
            rows = store.result_rows(view)
            text = "\t".join(cols) + "\n" + "".join(
                "\t".join(_fmt(r[c]) for c in cols) + "\n" for r in rows)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
            print(f"{args.output}: {len(view.results.practices)} practices")
        else:
            sys.stdout.write(text)
        return 0

    return _run(args, action)


def cmd_close(args: argparse.Namespace) -> int:
    def action(con, actor):
        s = store.close_round(con, actor, args.competition)
        print(f"{args.competition}: round closed; {s['ballots_counted']} ballots counted, "
              f"{s['drafts_not_counted']} drafts not counted")
        for t in s["ties"]:
            print(f"  {t}")
        for g in s["unresolved_ties"]:
            print(f"  awaiting the chair's casting vote: closer jury casting-vote "
                  f"{args.competition} {' '.join(g)} (best first)")
        return 0

    return _run(args, action)


def cmd_shortlist(args: argparse.Namespace) -> int:
    def action(con, actor):
        n = store.shortlist(con, actor, args.competition, args.practices, remove=args.remove,
                            note=args.note)
        print(f"{n} practice(s) {'removed from' if args.remove else 'added to'} the shortlist")
        return 0

    return _run(args, action)


def cmd_award(args: argparse.Namespace) -> int:
    def action(con, actor):
        if args.remove:
            had = store.remove_award(con, actor, args.competition, args.practice)
            print(f"{args.practice}: award removed" if had else f"{args.practice}: had no award")
            return 0
        label = store.award(con, actor, args.competition, args.practice, place=args.place,
                            mention=args.mention, citation=args.citation)
        print(f"{args.practice}: {label}")
        return 0

    return _run(args, action)


def cmd_casting_vote(args: argparse.Namespace) -> int:
    def action(con, actor):
        print(store.cast_vote(con, actor, args.competition, args.practices))
        return 0

    return _run(args, action)


def cmd_audit(args: argparse.Namespace) -> int:
    def action(con, actor):
        for r in store.audit_log(con, actor, args.competition):
            detail = r["detail"] or ""
            if args.compact and detail.startswith("{"):
                detail = json.dumps(json.loads(detail), ensure_ascii=False)
            print(f"{r['audit_id']}\t{r['occurred_at']:%Y-%m-%d %H:%M:%S}\t{r['actor']}\t"
                  f"{r['action']}\t{r['practice_id'] or '-'}\t{r['juror'] or '-'}\t{detail}")
        return 0

    return _run(args, action)


def cmd_export(args: argparse.Namespace) -> int:
    if not (args.csv or args.html):
        raise CliError("say what to export: --csv FILE and/or --html FILE")

    def action(con, actor):
        if args.csv:
            view = store.results(con, actor, args.competition)
            Path(args.csv).write_text(store.results_csv(view), encoding="utf-8")
            print(f"{args.csv}: results of {len(view.results.practices)} practices")
        if args.html:
            Path(args.html).write_text(guide.guide_html(con, actor, args.competition),
                                       encoding="utf-8")
            print(f"{args.html}: the good-practice guide")
        return 0

    return _run(args, action)


def register(sub) -> None:
    p = sub.add_parser("jury", help="competition of good practices: jury, scores, awards")
    js = p.add_subparsers(dest="jury_command", metavar="ACTION", required=True)

    def add(name: str, help_: str, func, *, competition: bool = True) -> argparse.ArgumentParser:
        q = js.add_parser(name, help=help_)
        if competition:
            q.add_argument("competition", metavar="COMPETITION", help="competition_id")
        add_actor_argument(q)
        q.set_defaults(func=func)
        return q

    q = add("create", "create (or update before scoring) a competition from its YAML",
            cmd_create, competition=False)
    q.add_argument("file", metavar="FILE.yaml")
    add("list", "competitions you are on the jury of (admins: all)", cmd_list, competition=False)
    q = add("import-practices", "nominated practices from CSV: practice_id, institution_id, "
            "title, description, url [, category_id]", cmd_import_practices)
    q.add_argument("file", metavar="FILE.csv")
    q = add("import-scores", "paper ballots from CSV (chair): juror, practice_id, criterion_id,"
            " score, comment", cmd_import_scores)
    q.add_argument("file", metavar="FILE.csv")
    q = add("score", "score a practice as the juror you act as: CRITERION=SCORE ...", cmd_score)
    q.add_argument("practice", metavar="PRACTICE")
    q.add_argument("scores", nargs="+", metavar="CRITERION=SCORE")
    q.add_argument("--comment", action="append", metavar="CRITERION=TEXT")
    q.add_argument("--draft", action="store_true", help="save as a draft (not counted)")
    q.add_argument("--submission-id", help="client-generated id: repeating it is a no-op")
    q = add("conflict", "declare a conflict with a practice (recused from it)", cmd_conflict)
    q.add_argument("practice", metavar="PRACTICE")
    q.add_argument("--juror", help="the chair records it for this juror (username)")
    q.add_argument("--reason")
    q = add("link", "declare a juror's link with an institution (recused from its practices)",
            cmd_link, competition=False)
    q.add_argument("username")
    q.add_argument("institution", metavar="INSTITUTION")
    q.add_argument("--reason")
    add("progress", "who has scored what (no scores)", cmd_progress)
    add("scores", "the scores you may see (jurors: your own until the round closes)",
        cmd_scores)
    q = add("results", "one row per practice: raw_score, normalised_score, raw_rank, rank, "
            "jurors, recused, spread, tie_break", cmd_results)
    q.add_argument("--format", choices=("text", "csv"), default="text")
    q.add_argument("--output", metavar="FILE")
    add("close", "close the round (chair): scoring stops, results are final", cmd_close)
    q = add("shortlist", "add practices to the guide's shortlist (chair)", cmd_shortlist)
    q.add_argument("practices", nargs="+", metavar="PRACTICE")
    q.add_argument("--remove", action="store_true")
    q.add_argument("--note")
    q = add("award", "give a place or a special mention (chair)", cmd_award)
    q.add_argument("practice", metavar="PRACTICE")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--place", type=int)
    g.add_argument("--mention", metavar="TEXT", help="special mention (its title)")
    g.add_argument("--remove", action="store_true", help="withdraw the practice's award")
    q.add_argument("--citation", help="the jury's words on the practice")
    q = add("casting-vote", "the chair orders practices tied after the criterion rules",
            cmd_casting_vote)
    q.add_argument("practices", nargs="+", metavar="PRACTICE", help="best first")
    q = add("audit", "every change to the competition (chair)", cmd_audit)
    q.add_argument("--compact", action="store_true")
    q = add("export", "results CSV and the HTML good-practice guide", cmd_export)
    q.add_argument("--csv", metavar="FILE")
    q.add_argument("--html", metavar="FILE")
