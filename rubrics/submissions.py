"""Rubric submissions: drafts, submit, reopen, paper-form import and export.

Every submission has a client-generated `submission_id` (the form makes one per session
and form; a paper form carries its own), so a double click, a Streamlit rerun or a
re-imported file stores it once. Validation collects every problem and stores nothing
when there is one: a score outside 0-4, a missing required evidence, a wrong
perspective, an institution the rater is not assigned to (docs/rubric.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from closer import auth
from closer.auth import PermissionDenied, User
from closer.db import transaction
from rubrics import definition
from rubrics.definition import Rubric

log = logging.getLogger(__name__)

PERSPECTIVES = ("insider", "outsider")
SCORE_MIN, SCORE_MAX = 0, 4
MAX_EVIDENCE_CHARS = 2000
CSV_COLUMNS = (
    "submission_id",
    "rater",
    "perspective",
    "institution_id",
    "round_id",
    "criterion_id",
    "score",
    "evidence",
)
EXPORT_COLUMNS = CSV_COLUMNS + ("rubric_id", "rubric_version", "status", "submitted_at")


class SubmissionError(ValueError):
    """A save, submit or import was refused; nothing was stored. `problems` lists why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Score:
    score: int | None  # 0-4; None: not scored yet (drafts)
    evidence: str | None = None


@dataclass
class Submission:
    submission_id: str
    user_id: str
    username: str
    institution_id: str
    round_id: str
    perspective: str
    rubric_id: str
    rubric_version: int
    status: str  # draft, submitted
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    scores: dict[str, Score] = field(default_factory=dict)

    @property
    def submitted(self) -> bool:
        return self.status == "submitted"


@dataclass
class SaveResult:
    outcome: str  # draft_saved, submitted, already_submitted
    submission: Submission
    message: str


def new_submission_id() -> str:
    """A fresh client-side submission id (UUID4)."""
    return str(uuid.uuid4())


# --- reading ---------------------------------------------------------------------------

_SUBMISSION_SQL = """
SELECT s.submission_id, s.user_id, u.username, s.institution_id, s.round_id, s.perspective,
       s.rubric_id, s.rubric_version, s.status, s.source, s.created_at, s.updated_at,
       s.submitted_at
FROM rubric_submissions s JOIN users u USING (user_id)
"""


def _load(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> Submission | None:
    row = con.execute(_SUBMISSION_SQL + where, params).fetchone()
    if row is None:
        return None
    sub = Submission(*row)
    sub.scores = {
        cid: Score(score, evidence)
        for cid, score, evidence in con.execute(
            "SELECT criterion_id, score, evidence FROM rubric_scores WHERE submission_id = ?",
            [sub.submission_id],
        ).fetchall()
    }
    return sub


def get(con: duckdb.DuckDBPyConnection, submission_id: str) -> Submission | None:
    """The submission with this id, with its scores; None if there is none."""
    return _load(con, "WHERE s.submission_id = ?", [submission_id])


def find(
    con: duckdb.DuckDBPyConnection, user_id: str, institution_id: str, round_id: str
) -> Submission | None:
    """A user's submission (draft or submitted) for an institution in a round, if any."""
    return _load(
        con,
        "WHERE s.user_id = ? AND s.institution_id = ? AND s.round_id = ?",
        [user_id, institution_id, round_id],
    )


def rubric_of(con: duckdb.DuckDBPyConnection, sub: Submission) -> Rubric:
    """The rubric version a submission was made with, as registered."""
    r = definition.stored(con, sub.rubric_id, sub.rubric_version)
    if r is None:  # pragma: no cover - registered in the same transaction as the submission
        raise RuntimeError(f"rubric {sub.rubric_id} v{sub.rubric_version} is not registered")
    return r


# --- validation ------------------------------------------------------------------------


def parse_score(value: Any) -> tuple[int | None, str | None]:
    """(score, None) for 0-4 or empty, else (None, reason). Accepts int, '3', 3.0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, f"score {value!r} is not a number from 0 to 4"
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return None, f"score {text!r} is not a number from 0 to 4"
    elif isinstance(value, int | float):
        number = float(value)
    else:
        return None, f"score {value!r} is not a number from 0 to 4"
    if math.isnan(number) or not number.is_integer():
        return None, f"score {value} is not a whole number from 0 to 4"
    if not SCORE_MIN <= number <= SCORE_MAX:
        return None, f"score {int(number)} is outside {SCORE_MIN}-{SCORE_MAX}"
    return int(number), None


def _evidence(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _as_score(value: Any) -> tuple[Any, Any]:
    if isinstance(value, Score):
        return value.score, value.evidence
    if isinstance(value, Mapping):
        return value.get("score"), value.get("evidence")
    if isinstance(value, tuple | list):
        return (value[0], value[1] if len(value) > 1 else None)
    return value, None


def check_scores(
    rubric: Rubric,
    perspective: str,
    scores: Mapping[str, Any],
    *,
    submit: bool,
    require_complete: bool,
) -> tuple[dict[str, Score], list[str]]:
    """Validated scores by criterion and the problems found (criterion titles in messages)."""
    problems: list[str] = []
    clean: dict[str, Score] = {}
    for cid, raw in scores.items():
        crit = rubric.criterion(cid)
        if crit is None:
            problems.append(f"{cid}: no such criterion in {rubric.key}")
            continue
        value, evidence = _as_score(raw)
        score, reason = parse_score(value)
        evidence = _evidence(evidence)
        if reason:
            problems.append(f"{crit.title}: {reason}")
        if not crit.applies_to(perspective) and (score is not None or evidence or reason):
            only = "insiders" if crit.perspective == "insider" else "outsiders"
            problems.append(
                f"{crit.title}: wrong perspective: this criterion is scored by {only} only, "
                f"and this is an {perspective} assessment"
            )
            continue
        if evidence and len(evidence) > MAX_EVIDENCE_CHARS:
            problems.append(f"{crit.title}: evidence longer than {MAX_EVIDENCE_CHARS} characters")
        if not reason and (score is not None or evidence):  # blank criteria are not stored
            clean[cid] = Score(score, evidence)
    if submit:
        for crit in rubric.criteria_for(perspective):
            s = clean.get(crit.criterion_id)
            if s and s.score is not None and crit.evidence_required and not s.evidence:
                problems.append(f"{crit.title}: evidence required: add a link or a note")
        if require_complete:
            missing = [
                c.title
                for c in rubric.criteria_for(perspective)
                if (clean.get(c.criterion_id) or Score(None)).score is None
                and not any(c.title in p for p in problems)
            ]
            if missing:
                problems.append(f"no score yet for {len(missing)} criteria: " + "; ".join(missing))
    return clean, problems


# --- saving ----------------------------------------------------------------------------


def save(
    con: duckdb.DuckDBPyConnection,
    user: User,
    *,
    submission_id: str,
    institution_id: str,
    round_id: str,
    scores: Mapping[str, Any],
    perspective: str | None = None,
    submit: bool = False,
    require_complete: bool = True,
    source: str = "form",
    rubric: Rubric | None = None,
) -> SaveResult:
    """Save a draft (submit=False) or submit, idempotently by `submission_id`.

    `scores` maps criterion_id to a Score, (score, evidence), {'score', 'evidence'} or a bare
    score; they are merged over what the draft already holds. `perspective`, if given, is
    what the caller believes it is (the form's): a mismatch with the rater's roles and
    assignments is refused. Submitting the same content twice stores it once
    ('already_submitted'). Raises PermissionDenied for a role that does not rate, and
    SubmissionError (nothing stored) for anything else.
    """
    auth.require(user, "monitor", "insider", action="fill in the rubric")
    with transaction(con):
        return _save(
            con,
            user,
            submission_id=submission_id,
            institution_id=institution_id,
            round_id=round_id,
            scores=scores,
            perspective=perspective,
            submit=submit,
            require_complete=require_complete,
            source=source,
            rubric=rubric,
        )


def _save(
    con: duckdb.DuckDBPyConnection,
    user: User,
    *,
    submission_id: str,
    institution_id: str,
    round_id: str,
    scores: Mapping[str, Any],
    perspective: str | None,
    submit: bool,
    require_complete: bool,
    source: str,
    rubric: Rubric | None,
) -> SaveResult:
    problems: list[str] = []
    if not submission_id or len(submission_id) > 100 or not submission_id.isprintable():
        raise SubmissionError(["submission id missing or malformed (1-100 printable characters)"])
    existing = get(con, submission_id)
    if existing and (existing.user_id, existing.institution_id, existing.round_id) != (
        user.user_id,
        institution_id,
        round_id,
    ):
        raise SubmissionError(
            [f"submission {submission_id} belongs to another form; reload the page"]
        )
    try:
        actual = auth.perspective_for(con, user, institution_id, round_id)
    except PermissionDenied:
        raise SubmissionError(
            [
                (
                    f"institution not assigned: {user.username} is not assigned to assess "
                    f"{institution_id} in round {round_id}"
                )
            ]
        ) from None
    expected = existing.perspective if existing else perspective
    if expected and expected != actual:
        raise SubmissionError(
            [
                (
                    f"wrong perspective: this is an {expected} assessment, but {user.username} "
                    f"assesses {institution_id} as an {actual} in round {round_id}; reload the page"
                )
            ]
        )
    if existing:
        rubric = rubric_of(con, existing)
    else:
        rubric = rubric or definition.current()
        definition.register(con, rubric, in_transaction=True)
        other = find(con, user.user_id, institution_id, round_id)
        if other:
            raise SubmissionError(
                [
                    (
                        f"you already have a {other.status} assessment of {institution_id} in "
                        f"round {round_id} ({other.submission_id}); reload the page to resume it"
                    )
                ]
            )
    merged: dict[str, Any] = dict(existing.scores) if existing else {}
    merged.update(scores)
    clean, problems = check_scores(
        rubric, actual, merged, submit=submit, require_complete=require_complete
    )
    if existing and existing.submitted:
        if submit and not problems and clean == existing.scores:
            return SaveResult(
                "already_submitted",
                existing,
                f"Already submitted at {existing.submitted_at:%Y-%m-%d %H:%M} UTC; stored once.",
            )
        problems.insert(
            0,
            f"already submitted at {existing.submitted_at:%Y-%m-%d %H:%M} UTC: read-only "
            "unless a facilitator reopens it",
        )
    if problems:
        raise SubmissionError(problems)
    now = dt.datetime.now(dt.UTC)
    status = "submitted" if submit else "draft"
    if existing:
        con.execute(
            "UPDATE rubric_submissions SET status = ?, updated_at = ?, submitted_at = ?"
            " WHERE submission_id = ?",
            [status, now, now if submit else None, submission_id],
        )
    else:
        con.execute(
            "INSERT INTO rubric_submissions (submission_id, user_id, institution_id, round_id,"
            " perspective, rubric_id, rubric_version, status, source, created_at, updated_at,"
            " submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                submission_id,
                user.user_id,
                institution_id,
                round_id,
                actual,
                rubric.rubric_id,
                rubric.version,
                status,
                source,
                now,
                now,
                now if submit else None,
            ],
        )
    con.execute("DELETE FROM rubric_scores WHERE submission_id = ?", [submission_id])
    if clean:
        # One multi-row INSERT: DuckDB's executemany runs one statement per row.
        con.execute(
            "INSERT INTO rubric_scores VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(clean)),
            [v for cid, s in clean.items() for v in (submission_id, cid, s.score, s.evidence)],
        )
    sub = get(con, submission_id)
    assert sub is not None
    scored = sum(1 for s in clean.values() if s.score is not None)
    total = len(rubric.criteria_for(actual))
    if submit:
        msg = f"Submitted at {now:%Y-%m-%d %H:%M} UTC: {scored} of {total} criteria scored."
    else:
        msg = f"Draft saved at {now:%Y-%m-%d %H:%M} UTC: {scored} of {total} criteria scored."
    log.info("submission %s %s by %s", submission_id, status, user.username)
    return SaveResult("submitted" if submit else "draft_saved", sub, msg)


def reopen(
    con: duckdb.DuckDBPyConnection, actor: User, submission_id: str, reason: str
) -> Submission:
    """Turn a submitted submission back into a draft its rater can edit (facilitator, admin)."""
    auth.require(actor, "facilitator", "admin", action="reopen a submission")
    if not (reason or "").strip():
        raise SubmissionError(["give a reason for reopening (it is logged)"])
    with transaction(con):
        sub = get(con, submission_id)
        if sub is None:
            raise SubmissionError([f"no submission {submission_id}"])
        if not sub.submitted:
            raise SubmissionError([f"submission {submission_id} is a draft already"])
        con.execute(
            "UPDATE rubric_submissions SET status = 'draft', submitted_at = NULL,"
            " updated_at = current_timestamp WHERE submission_id = ?",
            [submission_id],
        )
        con.execute(
            "INSERT INTO rubric_reopenings (submission_id, reopened_by, reason) VALUES (?, ?, ?)",
            [submission_id, actor.user_id, reason.strip()],
        )
        out = get(con, submission_id)
    assert out is not None
    log.info("submission %s reopened by %s", submission_id, actor.username)
    return out


# --- what a rater has to do ------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One assessment a rater owes in a round, with its progress."""

    institution_id: str
    institution_name: str
    round_id: str
    perspective: str
    submission_id: str | None
    status: str  # not started, draft, submitted
    scored: int
    submitted_at: dt.datetime | None


def tasks(con: duckdb.DuckDBPyConnection, user: User, round_id: str) -> list[Task]:
    """The user's assessments in a round: assigned (monitor) or own (insider) institutions."""
    out = []
    for a in auth.assignments(con, user, round_id):
        name = con.execute(
            "SELECT name FROM institutions WHERE institution_id = ?", [a.institution_id]
        ).fetchone()
        sub = find(con, user.user_id, a.institution_id, round_id)
        scored = sum(1 for s in sub.scores.values() if s.score is not None) if sub else 0
        out.append(
            Task(
                a.institution_id,
                name[0] if name else a.institution_id,
                round_id,
                a.perspective,
                sub.submission_id if sub else None,
                sub.status if sub else "not started",
                scored,
                sub.submitted_at if sub else None,
            )
        )
    return out


def current_round(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> str | None:
    """The round containing today; else the latest round that has started; else the first."""
    today = today or dt.date.today()
    row = con.execute(
        "SELECT round_id FROM rounds ORDER BY (starts_on <= ? AND ends_on >= ?) DESC,"
        " (starts_on <= ?) DESC, CASE WHEN starts_on <= ? THEN starts_on END DESC NULLS LAST,"
        " starts_on LIMIT 1",
        [today, today, today, today],
    ).fetchone()
    return row[0] if row else None


# --- import and export -----------------------------------------------------------------


@dataclass
class ImportResult:
    submissions_new: int = 0
    submissions_unchanged: int = 0
    scores: int = 0
    users_created: list[str] = field(default_factory=list)
    granted: list[str] = field(default_factory=list)  # "user: role" / "user: I in R"

    def summary(self) -> str:
        parts = [f"{self.submissions_new} submissions stored ({self.scores} scores)"]
        if self.submissions_unchanged:
            parts.append(f"{self.submissions_unchanged} already stored, unchanged")
        if self.users_created:
            parts.append(
                f"{len(self.users_created)} raters added as users: " + ", ".join(self.users_created)
            )
        if self.granted:
            parts.append("granted " + ", ".join(self.granted))
        return "; ".join(parts)


@dataclass
class _Planned:
    line: int
    rater: str
    perspective: str
    institution_id: str
    round_id: str
    rubric: Rubric
    scores: dict[str, Score] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def import_csv(con: duckdb.DuckDBPyConnection, actor: User, path: str | Path) -> ImportResult:
    """Load paper-form submissions (one row per criterion score, CSV_COLUMNS; optional
    rubric_id, rubric_version) as submitted, all or nothing (facilitator, admin).

    Unknown raters become users without a password (monitor or insider by perspective);
    known ones get the missing role or assignment. Errors name file:line: field.
    """
    auth.require(actor, "facilitator", "admin", action="import submissions")
    p = Path(path)
    name = p.name
    errors: list[str] = []

    def err(line: int, fld: str, reason: str) -> None:
        errors.append(f"{name}:{line}: {fld}: {reason}")

    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SubmissionError([f"{name}: cannot read: {exc}"]) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise SubmissionError([f"{name}:1: header: missing column(s) {', '.join(missing)}"])

    institutions = {r[0] for r in con.execute("SELECT institution_id FROM institutions").fetchall()}
    rounds = {r[0] for r in con.execute("SELECT round_id FROM rounds").fetchall()}
    rubric_cache: dict[tuple[str, int], Rubric | None] = {}
    try:
        default_rubric = definition.current()
    except definition.RubricError as exc:
        raise SubmissionError(exc.errors) from None

    def rubric_for(rid: str, ver: str, line: int) -> Rubric | None:
        if not rid and not ver:
            return default_rubric
        try:
            key = (rid or default_rubric.rubric_id, int(ver))
        except ValueError:
            err(line, "rubric_version", f"{ver!r} is not a whole number")
            return None
        if key not in rubric_cache:
            r = definition.stored(con, *key)
            if r is None:
                try:
                    r = next(x for x in definition.load_all() if (x.rubric_id, x.version) == key)
                except (StopIteration, definition.RubricError):
                    r = None
            rubric_cache[key] = r
        if rubric_cache[key] is None:
            err(line, "rubric_version", f"no rubric {key[0]} v{key[1]}")
        return rubric_cache[key]

    planned: dict[str, _Planned] = {}
    rows = 0
    for row in reader:
        line = reader.line_num
        rows += 1
        vals = {k: (row.get(k) or "").strip() for k in header}
        sid = vals["submission_id"]
        rater = vals["rater"]
        persp = vals["perspective"].lower()
        inst = vals["institution_id"]
        rnd = vals["round_id"]
        cid = vals["criterion_id"]
        ok = True
        for fld, v in (
            ("submission_id", sid),
            ("rater", rater),
            ("institution_id", inst),
            ("round_id", rnd),
            ("criterion_id", cid),
        ):
            if not v:
                err(line, fld, "missing")
                ok = False
        if persp not in PERSPECTIVES:
            err(line, "perspective", f"must be insider or outsider, not {vals['perspective']!r}")
            ok = False
        if inst and inst not in institutions:
            err(line, "institution_id", f"no institution {inst!r} in the registry")
            ok = False
        if rnd and rnd not in rounds:
            err(line, "round_id", f"no round {rnd!r} in the registry")
            ok = False
        rubric = rubric_for(vals.get("rubric_id", ""), vals.get("rubric_version", ""), line)
        if rubric is None:
            continue
        score, reason = parse_score(vals["score"])
        if reason:
            err(line, "score", reason)
            ok = False
        elif score is None:
            err(line, "score", "missing (a paper form's blank criterion is left out of the file)")
            ok = False
        evidence = _evidence(vals["evidence"])
        crit = rubric.criterion(cid) if cid else None
        if cid and crit is None:
            err(line, "criterion_id", f"no criterion {cid!r} in {rubric.key}")
            ok = False
        elif crit and persp in PERSPECTIVES and not crit.applies_to(persp):
            only = "insiders" if crit.perspective == "insider" else "outsiders"
            err(
                line,
                "perspective",
                f"wrong perspective: {cid} is scored by {only} only, not in an {persp} submission",
            )
            ok = False
        elif crit and crit.evidence_required and not evidence:
            err(line, "evidence", f"evidence required for {cid}: a link or a note")
            ok = False
        if not ok or not sid:
            continue
        plan = planned.get(sid)
        if plan is None:
            plan = planned[sid] = _Planned(line, rater, persp, inst, rnd, rubric)
        else:
            for fld, mine, theirs in (
                ("rater", rater, plan.rater),
                ("perspective", persp, plan.perspective),
                ("institution_id", inst, plan.institution_id),
                ("round_id", rnd, plan.round_id),
            ):
                if mine != theirs:
                    err(
                        line,
                        fld,
                        f"{mine!r} differs from line {plan.line} of submission {sid} ({theirs!r})",
                    )
                    ok = False
            if plan.rubric.key != rubric.key:
                err(line, "rubric_version", f"differs from line {plan.line} of submission {sid}")
                ok = False
            if cid in plan.scores:
                err(
                    line,
                    "criterion_id",
                    f"{cid} scored twice in submission {sid} (line {plan.lines[cid]})",
                )
                ok = False
        if ok:
            plan.scores[cid] = Score(score, evidence)
            plan.lines[cid] = line
    if rows == 0 and not errors:
        raise SubmissionError([f"{name}: no rows"])

    # Raters, and what already exists.
    result = ImportResult()
    by_rater_form: dict[tuple[str, str, str], str] = {}
    insider_of: dict[str, tuple[str, int]] = {}  # rater -> (institution, line) in this file
    new_plans: dict[str, _Planned] = {}
    for sid, plan in planned.items():
        key = (plan.rater, plan.institution_id, plan.round_id)
        if key in by_rater_form:
            err(
                plan.line,
                "submission_id",
                f"{plan.rater} already has submission "
                f"{by_rater_form[key]} for {plan.institution_id} in {plan.round_id} in this file",
            )
            continue
        by_rater_form[key] = sid
        if plan.perspective == "insider":
            inst_line = insider_of.setdefault(plan.rater, (plan.institution_id, plan.line))
            if inst_line[0] != plan.institution_id:
                err(
                    plan.line,
                    "rater",
                    f"{plan.rater} is an insider of {inst_line[0]} (line "
                    f"{inst_line[1]}), so cannot be an insider of {plan.institution_id}",
                )
                continue
        urow = con.execute(
            "SELECT user_id, active, institution_id FROM users WHERE username = ?", [plan.rater]
        ).fetchone()
        if urow and not urow[1]:
            err(plan.line, "rater", f"{plan.rater} is disabled")
            continue
        if urow:
            roles = {
                r[0]
                for r in con.execute(
                    "SELECT role FROM user_roles WHERE user_id = ?", [urow[0]]
                ).fetchall()
            }
            own = urow[2] if "insider" in roles else None
            if plan.perspective == "insider" and urow[2] and urow[2] != plan.institution_id:
                err(
                    plan.line,
                    "rater",
                    f"{plan.rater} belongs to {urow[2]}, so cannot be an "
                    f"insider of {plan.institution_id}",
                )
                continue
            if plan.perspective == "outsider" and own == plan.institution_id:
                err(
                    plan.line,
                    "perspective",
                    f"wrong perspective: {plan.rater} is an insider "
                    f"of {plan.institution_id}, not an outsider",
                )
                continue
        stored_sub = get(con, sid)
        if stored_sub:
            same = (
                stored_sub.username == plan.rater
                and (stored_sub.institution_id, stored_sub.round_id, stored_sub.perspective)
                == (plan.institution_id, plan.round_id, plan.perspective)
                and stored_sub.scores == plan.scores
                and stored_sub.submitted
            )
            if same:
                result.submissions_unchanged += 1
            else:
                err(
                    plan.line,
                    "submission_id",
                    f"{sid} is already stored with different "
                    "content (a submission cannot be overwritten; reopen it or use a new id)",
                )
            continue
        if urow:
            other = find(con, urow[0], plan.institution_id, plan.round_id)
            if other:
                err(
                    plan.line,
                    "submission_id",
                    f"{plan.rater} already has submission "
                    f"{other.submission_id} for {plan.institution_id} in {plan.round_id}",
                )
                continue
        new_plans[sid] = plan
    for sid, plan in list(new_plans.items()):
        own = insider_of.get(plan.rater)
        if plan.perspective == "outsider" and own and own[0] == plan.institution_id:
            err(
                plan.line,
                "perspective",
                f"wrong perspective: {plan.rater} is an insider of "
                f"{plan.institution_id} (line {own[1]}), not an outsider",
            )
    if errors:
        raise SubmissionError(sorted(errors, key=lambda e: int(e.split(":")[1])))

    with transaction(con):
        for plan in {p.rubric.key: p for p in new_plans.values()}.values():
            definition.register(con, plan.rubric, in_transaction=True)
        for sid, plan in new_plans.items():
            user = auth.find_user(con, plan.rater)
            role = "insider" if plan.perspective == "insider" else "monitor"
            if user is None:
                user = auth._insert_user(
                    con,
                    actor,
                    plan.rater,
                    roles=[role],
                    password=None,
                    institution_id=plan.institution_id if role == "insider" else None,
                    display_name=None,
                )
                result.users_created.append(plan.rater)
            elif role not in user.roles or (role == "insider" and not user.institution_id):
                auth._grant(con, actor, plan.rater, role, plan.institution_id)
                result.granted.append(f"{plan.rater}: {role}")
            new_assignment = role == "monitor" and auth._assign(
                con, actor, plan.rater, plan.institution_id, plan.round_id
            )
            if new_assignment and plan.rater not in result.users_created:
                result.granted.append(f"{plan.rater}: {plan.institution_id} in {plan.round_id}")
            user = auth.find_user(con, plan.rater)
            assert user is not None
            _save(
                con,
                user,
                submission_id=sid,
                institution_id=plan.institution_id,
                round_id=plan.round_id,
                scores=plan.scores,
                perspective=plan.perspective,
                submit=True,
                require_complete=False,
                source="import",
                rubric=plan.rubric,
            )
            result.submissions_new += 1
            result.scores += len(plan.scores)
    log.info("imported %s: %s", name, result.summary())
    return result


def export_rows(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    round_id: str | None = None,
    include_drafts: bool = False,
) -> list[dict[str, Any]]:
    """Submissions as one row per score (EXPORT_COLUMNS; re-importable), facilitator/admin."""
    auth.require(actor, "facilitator", "admin", action="export submissions")
    cur = con.execute(
        """
        SELECT s.submission_id, u.username AS rater, s.perspective, s.institution_id,
               s.round_id, sc.criterion_id, sc.score, sc.evidence, s.rubric_id,
               s.rubric_version, s.status, s.submitted_at
        FROM rubric_submissions s
        JOIN users u USING (user_id)
        JOIN rubric_scores sc USING (submission_id)
        LEFT JOIN rubric_criteria rc ON rc.rubric_id = s.rubric_id
             AND rc.version = s.rubric_version AND rc.criterion_id = sc.criterion_id
        WHERE (? IS NULL OR s.round_id = ?) AND (? OR s.status = 'submitted')
        ORDER BY s.round_id, s.institution_id, s.perspective, u.username, rc.position
        """,
        [round_id, round_id, include_drafts],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
