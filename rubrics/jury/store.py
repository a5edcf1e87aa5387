"""The jury's database layer: every read and write of jury data goes through here.

Each function that changes or reveals something takes the acting user and checks it in
rubrics/jury/access.py; recusal, the scale, the round state and blind scoring are
enforced here, whatever calls (page, command line, demo). Writes are one transaction and
leave a row in jury_audit. CSV imports are checked whole first: one bad line refuses the
file with `file:line: field: reason` for every bad line, and nothing is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from closer.db import transaction
from closer.registry import RowError
from rubrics.jury import access
from rubrics.jury.access import Actor, PermissionDenied, User
from rubrics.jury.aggregate import Ballot, Results, compute
from rubrics.jury.definition import CASTING_VOTE, Competition, from_json, to_json

log = logging.getLogger(__name__)

PRACTICE_COLUMNS = ("practice_id", "institution_id", "title", "description", "url")
PRACTICE_OPTIONAL = ("category_id",)
SCORE_COLUMNS = ("juror", "practice_id", "criterion_id", "score")
SCORE_OPTIONAL = ("comment",)
RESULT_COLUMNS = (
    "practice_id", "institution_id", "title", "raw_score", "normalised_score", "raw_rank",
    "rank", "jurors", "recused", "spread", "disagreement", "tie_break", "shortlisted",
    "award", "notes",
)


class JuryError(ValueError):
    """A jury request that cannot be carried out; `errors` lists every problem."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


class Recused(PermissionDenied):
    """The juror is recused from this practice: they may neither score nor see its scores."""


@dataclass(frozen=True)
class StoredCompetition:
    competition: Competition
    round_state: str  # open, closed
    closed_at: dt.datetime | None
    closed_by: str | None
    source_file: str | None

    @property
    def is_open(self) -> bool:
        return self.round_state == "open"


@dataclass(frozen=True)
class Practice:
    practice_id: str
    institution_id: str
    institution_name: str | None
    region: str | None
    category_id: str | None
    title: str
    description: str | None
    links: tuple[str, ...]


@dataclass
class ResultsView:
    """The results as one viewer may see them."""

    stored: StoredCompetition
    results: Results
    practices: dict[str, Practice]
    usernames: dict[str, str]  # user_id → username
    masked: set[str] = field(default_factory=set)  # practices the viewer is recused from
    shortlist: set[str] = field(default_factory=set)
    awards: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def provisional(self) -> bool:
        return self.stored.is_open


# --- audit -------------------------------------------------------------------------------


def _audit(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    action: str,
    competition_id: str | None,
    practice_id: str | None = None,
    juror_id: str | None = None,
    *,
    detail: Mapping[str, Any] | None = None,
) -> None:
    con.execute(
        "INSERT INTO jury_audit (competition_id, actor, action, practice_id, juror_id, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [competition_id, access.actor_label(actor), action, practice_id, juror_id,
         json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None],
    )
    log.info("jury %s: %s by %s", competition_id or "-", action, access.actor_label(actor))


# --- competitions --------------------------------------------------------------------------


def register_competition(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    comp: Competition,
    source_file: str | None = None,
) -> str:
    """Store a competition definition: 'new', 'unchanged' or 'updated'.

    A definition is fixed once scoring has started (any ballot) or the round is closed:
    criteria, weights, scale, tie-break rule and jury then stay as they were scored with.
    """
    user = access.require_organiser(con, actor, "create competitions")
    body = to_json(comp)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    with transaction(con):
        row = con.execute(
            "SELECT version, content_sha256, round_state FROM jury_competitions"
            " WHERE competition_id = ?", [comp.competition_id],
        ).fetchone()
        if row and row[0] == comp.version and row[1] == digest:
            return "unchanged"
        name = source_file or comp.key
        if row:
            ballots = con.execute(
                "SELECT count(*) FROM jury_ballots WHERE competition_id = ?",
                [comp.competition_id],
            ).fetchone()[0]
            if row[2] != "open" or ballots:
                why = "its round is closed" if row[2] != "open" else f"{ballots} ballot(s) exist"
                raise JuryError(
                    f"{name}: {comp.competition_id} v{row[0]} is fixed ({why}): criteria, "
                    "weights, scale, tie-break rule and jury cannot change once scoring started")
            if comp.version < row[0]:
                raise JuryError(f"{name}: version {comp.version} is older than the stored "
                                f"v{row[0]} of {comp.competition_id}")
            cats = {c.category_id for c in comp.categories}
            used = con.execute(
                "SELECT DISTINCT category_id FROM jury_practices WHERE competition_id = ?"
                " AND category_id IS NOT NULL", [comp.competition_id],
            ).fetchall()
            gone = sorted(r[0] for r in used if r[0] not in cats)
            if gone:
                raise JuryError(f"{name}: practices use categories this version drops: "
                                f"{', '.join(gone)}")
            for table in ("jury_criteria", "jury_categories", "jury_members"):
                con.execute(f"DELETE FROM {table} WHERE competition_id = ?",
                            [comp.competition_id])
            con.execute(
                "UPDATE jury_competitions SET version = ?, name = ?, definition = ?,"
                " content_sha256 = ?, source_file = ?, scale_min = ?, scale_max = ?,"
                " scale_step = ?, recuse_same_region = ?, updated_at = current_timestamp"
                " WHERE competition_id = ?",
                [comp.version, comp.name, body, digest, source_file, comp.scale.minimum,
                 comp.scale.maximum, comp.scale.step, comp.recuse_same_region,
                 comp.competition_id],
            )
        else:
            con.execute(
                "INSERT INTO jury_competitions (competition_id, version, name, definition,"
                " content_sha256, source_file, scale_min, scale_max, scale_step,"
                " recuse_same_region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [comp.competition_id, comp.version, comp.name, body, digest, source_file,
                 comp.scale.minimum, comp.scale.maximum, comp.scale.step,
                 comp.recuse_same_region],
            )
        con.executemany(
            "INSERT INTO jury_criteria VALUES (?, ?, ?, ?, ?)",
            [[comp.competition_id, c.criterion_id, i, c.name, c.weight]
             for i, c in enumerate(comp.criteria, start=1)],
        )
        if comp.categories:
            con.executemany(
                "INSERT INTO jury_categories VALUES (?, ?, ?)",
                [[comp.competition_id, c.category_id, c.name] for c in comp.categories],
            )
        members = [[comp.competition_id, j, "juror"] for j in comp.jurors]
        members.append([comp.competition_id, comp.chair, "chair"])
        con.executemany("INSERT INTO jury_members VALUES (?, ?, ?)", members)
        _audit(con, user, "competition_updated" if row else "competition_created",
               comp.competition_id, detail={"version": comp.version, "sha256": digest,
                                            "source_file": source_file})
    return "updated" if row else "new"


def competition(con: duckdb.DuckDBPyConnection, competition_id: str) -> StoredCompetition:
    """The stored competition; JuryError if there is none with this id."""
    row = con.execute(
        "SELECT definition, round_state, closed_at, closed_by, source_file"
        " FROM jury_competitions WHERE competition_id = ?", [competition_id],
    ).fetchone()
    if row is None:
        known = [r[0] for r in con.execute(
            "SELECT competition_id FROM jury_competitions ORDER BY competition_id").fetchall()]
        raise JuryError(f"no competition {competition_id!r}"
                        + (f" (known: {', '.join(known)})" if known else
                           " (create one with `closer jury create FILE.yaml`)"))
    return StoredCompetition(from_json(row[0]), row[1], row[2], row[3], row[4])


def competitions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every competition with its round state, practices and ballots counts."""
    cur = con.execute(
        """
        SELECT c.competition_id, c.version, c.name, c.round_state,
               (SELECT count(*) FROM jury_practices p WHERE p.competition_id = c.competition_id)
                 AS practices,
               (SELECT count(*) FROM jury_ballots b WHERE b.competition_id = c.competition_id
                  AND b.status = 'submitted') AS submitted_ballots
        FROM jury_competitions c ORDER BY c.competition_id
        """
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def competitions_of(con: duckdb.DuckDBPyConnection, actor: Actor) -> list[dict[str, Any]]:
    """Competitions where the user is a juror or the chair (admins: all), newest first."""
    user = access.fresh(con, actor)
    rows = competitions(con)
    if access.is_operator(user) or user.has("admin"):
        return rows[::-1]
    mine = {r[0] for r in con.execute(
        "SELECT competition_id FROM jury_members WHERE username = ?", [user.username]
    ).fetchall()}
    return [r for r in rows[::-1] if r["competition_id"] in mine]


def roster(con: duckdb.DuckDBPyConnection, competition_id: str) -> list[dict[str, Any]]:
    """The jury: username, member_role, user_id (None: no active user), institution."""
    cur = con.execute(
        "SELECT m.username, m.member_role, u.user_id, u.display_name, u.institution_id"
        " FROM jury_members m LEFT JOIN users u ON u.username = m.username AND u.active"
        " WHERE m.competition_id = ? ORDER BY m.member_role DESC, m.username",
        [competition_id],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _juror_ids(con: duckdb.DuckDBPyConnection, competition_id: str) -> dict[str, str]:
    """user_id → username of the competition's jurors who have an active user."""
    return {r["user_id"]: r["username"] for r in roster(con, competition_id)
            if r["member_role"] == "juror" and r["user_id"]}


def _require_open(sc: StoredCompetition, what: str) -> None:
    if not sc.is_open:
        raise JuryError(f"the round of {sc.competition.competition_id} is closed "
                        f"(since {sc.closed_at:%Y-%m-%d %H:%M} UTC): {what} is no longer possible")


def _require_closed(sc: StoredCompetition, what: str) -> None:
    if sc.is_open:
        raise JuryError(f"the round of {sc.competition.competition_id} is still open: close it "
                        f"before you {what}")


# --- practices ---------------------------------------------------------------------------


def practices(con: duckdb.DuckDBPyConnection, competition_id: str) -> dict[str, Practice]:
    """The nominated practices with their institution, in practice_id order."""
    rows = con.execute(
        "SELECT p.practice_id, p.institution_id, i.name, i.region, p.category_id, p.title,"
        " p.description, p.links FROM jury_practices p"
        " LEFT JOIN institutions i USING (institution_id)"
        " WHERE p.competition_id = ? ORDER BY p.practice_id", [competition_id],
    ).fetchall()
    return {r[0]: Practice(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(r[7] or ()))
            for r in rows}


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JuryError(f"{path}:1: file: not UTF-8 text ({exc.reason})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    for row in reader:
        extra = row.pop(None, None)  # type: ignore[call-overload]
        clean = {k: (v or "").strip() for k, v in row.items()}
        if extra:
            clean["\0extra"] = ",".join(extra)
        rows.append((reader.line_num, clean))
    return header, rows


def _links(value: str) -> list[str]:
    return [u for u in value.replace(";", " ").replace("|", " ").split() if u]


def import_practices(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str, path: str | Path
) -> dict[str, int]:
    """Load nominations from CSV (practice_id, institution_id, title, description, url and
    optionally category_id); {'new': n, 'updated': n, 'unchanged': n}. All or nothing."""
    user = access.fresh(con, actor)
    sc = competition(con, competition_id)
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise JuryError(f"{name}: file not found")
    _require_open(sc, "nominating practices")
    header, rows = _read_csv(path)
    errors: list[RowError] = []
    for col in PRACTICE_COLUMNS:
        if col not in header:
            errors.append(RowError(name, 1, col, "missing column"))
    unknown = [h for h in header if h not in PRACTICE_COLUMNS + PRACTICE_OPTIONAL]
    if unknown:
        errors.append(RowError(name, 1, unknown[0], "unknown column (known: "
                               f"{', '.join(PRACTICE_COLUMNS + PRACTICE_OPTIONAL)})"))
    if not errors and not rows:
        errors.append(RowError(name, 2, "file", "no practices in the file"))
    if errors:
        raise JuryError([str(e) for e in errors])
    institutions = {r[0] for r in con.execute("SELECT institution_id FROM institutions").fetchall()}
    categories = {c.category_id for c in sc.competition.categories}
    existing = {r[0]: r[1] for r in con.execute(
        "SELECT practice_id, institution_id FROM jury_practices WHERE competition_id = ?",
        [competition_id]).fetchall()}
    scored = {r[0] for r in con.execute(
        "SELECT DISTINCT practice_id FROM jury_ballots WHERE competition_id = ?",
        [competition_id]).fetchall()}
    seen: dict[str, int] = {}
    for line, row in rows:
        if "\0extra" in row:
            errors.append(RowError(name, line, "row", "more fields than columns"))
        for col in ("practice_id", "institution_id", "title"):
            if not row.get(col):
                errors.append(RowError(name, line, col, "empty"))
        pid, inst = row.get("practice_id", ""), row.get("institution_id", "")
        if pid:
            if pid in seen:
                errors.append(RowError(name, line, "practice_id", f"duplicate of line {seen[pid]}"))
            seen[pid] = line
        if inst and inst not in institutions:
            errors.append(RowError(name, line, "institution_id",
                                   f"unknown institution {inst!r} (load the registry first)"))
        elif inst and not access.may_nominate(con, competition_id, user, inst):
            errors.append(RowError(name, line, "institution_id",
                                   f"{user.username} may not nominate for {inst}"))
        if pid in existing and existing[pid] != inst and pid in scored:
            errors.append(RowError(name, line, "institution_id",
                                   f"{pid} has ballots as a practice of {existing[pid]}; its "
                                   "institution cannot change (recusals depend on it)"))
        for u in _links(row.get("url", "")):
            if not u.startswith(("https://", "http://")):
                errors.append(RowError(name, line, "url", f"{u!r} is not an http(s) link"))
        cat = row.get("category_id", "")
        if cat and cat not in categories:
            errors.append(RowError(name, line, "category_id", f"unknown category {cat!r}"
                                   + (f" (known: {', '.join(sorted(categories))})"
                                      if categories else " (the competition has none)")))
    if errors:
        raise JuryError([str(e) for e in errors])
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    with transaction(con):
        for _, row in rows:
            values = [row["institution_id"], row.get("category_id") or None, row["title"],
                      row.get("description") or None, _links(row.get("url", ""))]
            old = con.execute(
                "SELECT institution_id, category_id, title, description, links FROM"
                " jury_practices WHERE competition_id = ? AND practice_id = ?",
                [competition_id, row["practice_id"]]).fetchone()
            if old and list(old[:4]) + [list(old[4] or [])] == values:
                counts["unchanged"] += 1
                continue
            con.execute(
                "INSERT INTO jury_practices (competition_id, practice_id, institution_id,"
                " category_id, title, description, links, nominated_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (competition_id, practice_id)"
                " DO UPDATE SET institution_id = excluded.institution_id,"
                " category_id = excluded.category_id, title = excluded.title,"
                " description = excluded.description, links = excluded.links",
                [competition_id, row["practice_id"], *values, access.actor_label(user)],
            )
            _audit(con, user, "practice_updated" if old else "practice_nominated",
                   competition_id, row["practice_id"],
                   detail={"institution_id": values[0], "title": values[2], "file": name})
            counts["updated" if old else "new"] += 1
    return counts


# --- recusals ----------------------------------------------------------------------------


def recusals(
    con: duckdb.DuckDBPyConnection, competition_id: str
) -> dict[str, dict[str, list[str]]]:
    """practice_id → user_id → reasons. A closed round uses the recusals frozen at closing."""
    sc = competition(con, competition_id)
    table = "jury_recusals" if sc.is_open else "jury_recusals_at_close"
    out: dict[str, dict[str, list[str]]] = {}
    for pid, uid, reason in con.execute(
        f"SELECT practice_id, user_id, reason FROM {table} WHERE competition_id = ?"
        " ORDER BY practice_id, user_id, rule", [competition_id],
    ).fetchall():
        out.setdefault(pid, {}).setdefault(uid, []).append(reason)
    return out


def recusal_reasons(
    con: duckdb.DuckDBPyConnection, competition_id: str, practice_id: str, user_id: str
) -> list[str]:
    """Why `user_id` is recused from the practice (empty: not recused)."""
    return recusals(con, competition_id).get(practice_id, {}).get(user_id, [])


def declare_conflict(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    competition_id: str,
    practice_id: str,
    reason: str | None = None,
    juror: str | None = None,
) -> bool:
    """A juror declares a conflict with a practice (or the chair records one for `juror`,
    a username); True if new. The juror is recused from it from now on."""
    user = access.fresh(con, actor)
    sc = competition(con, competition_id)
    _require_open(sc, "declaring a conflict")
    if juror and juror != user.username:
        access.require_chair(con, competition_id, user, "record another juror's conflict")
        row = con.execute("SELECT user_id FROM users WHERE username = ? AND active",
                          [juror]).fetchone()
        if row is None:
            raise JuryError(f"no active user {juror!r}")
        juror_id, juror_name = row[0], juror
    else:
        if access.is_operator(user):
            raise JuryError("say which juror declares the conflict (--juror USERNAME)")
        juror_id, juror_name = user.user_id, user.username
    if not con.execute("SELECT 1 FROM jury_members WHERE competition_id = ? AND username = ?",
                       [competition_id, juror_name]).fetchone():
        raise JuryError(f"{juror_name} is not on the jury of {competition_id}")
    if practice_id not in practices(con, competition_id):
        raise JuryError(f"no practice {practice_id!r} in {competition_id}")
    with transaction(con):
        if con.execute("SELECT 1 FROM jury_conflicts WHERE competition_id = ? AND"
                       " practice_id = ? AND user_id = ?",
                       [competition_id, practice_id, juror_id]).fetchone():
            return False
        con.execute("INSERT INTO jury_conflicts (competition_id, practice_id, user_id, reason,"
                    " declared_by) VALUES (?, ?, ?, ?, ?)",
                    [competition_id, practice_id, juror_id, reason or None,
                     access.actor_label(user)])
        _audit(con, user, "conflict_declared", competition_id, practice_id, juror_id,
               detail={"reason": reason})
    return True


def declare_link(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    username: str,
    institution_id: str,
    reason: str | None = None,
) -> bool:
    """Record that `username` is linked with an institution (they or an admin declare it):
    recused from every practice it nominates. True if new."""
    user = access.fresh(con, actor)
    if username != user.username and not (access.is_operator(user) or user.has("admin")):
        raise PermissionDenied(f"{user.username} may not declare links for {username}: only "
                               "they themselves or an admin")
    row = con.execute("SELECT user_id FROM users WHERE username = ?", [username]).fetchone()
    if row is None:
        raise JuryError(f"no user {username!r}")
    if not con.execute("SELECT 1 FROM institutions WHERE institution_id = ?",
                       [institution_id]).fetchone():
        raise JuryError(f"no institution {institution_id!r} in the registry")
    with transaction(con):
        if con.execute("SELECT 1 FROM jury_links WHERE user_id = ? AND institution_id = ?",
                       [row[0], institution_id]).fetchone():
            return False
        con.execute("INSERT INTO jury_links (user_id, institution_id, reason, declared_by)"
                    " VALUES (?, ?, ?, ?)",
                    [row[0], institution_id, reason or None, access.actor_label(user)])
        _audit(con, user, "link_declared", None, None, row[0],
               detail={"institution_id": institution_id, "reason": reason})
    return True


# --- ballots -------------------------------------------------------------------------------


def _check_scores(
    comp: Competition, scores: Mapping[str, Any], complete: bool
) -> tuple[dict[str, float | None], list[str]]:
    problems: list[str] = []
    clean: dict[str, float | None] = {}
    for cid in scores:
        if comp.criterion(cid) is None:
            problems.append(f"{cid}: unknown criterion (criteria: "
                            f"{', '.join(c.criterion_id for c in comp.criteria)})")
    for c in comp.criteria:
        v = scores.get(c.criterion_id)
        if v is None or (isinstance(v, str) and not v.strip()):
            clean[c.criterion_id] = None
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            problems.append(f"{c.criterion_id}: {v!r} is not a number")
            continue
        if math.isnan(x) or not comp.scale.allows(x):
            problems.append(f"{c.criterion_id}: {v!r} is not on the scale "
                            f"({comp.scale.describe()})")
            continue
        clean[c.criterion_id] = x
    if complete:
        missing = [c for c, v in clean.items() if v is None]
        if missing and not problems:
            problems.append(f"not scored: {', '.join(missing)} (submit needs every criterion)")
    return clean, problems


def _write_ballot(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    competition_id: str,
    practice_id: str,
    juror_id: str,
    scores: Mapping[str, float | None],
    comments: Mapping[str, str | None],
    submission_id: str,
    status: str,
    source: str,
) -> str:
    """Write one checked ballot inside the caller's transaction: 'saved' or 'unchanged'."""
    old = con.execute(
        "SELECT status FROM jury_ballots WHERE competition_id = ? AND practice_id = ?"
        " AND juror_id = ?", [competition_id, practice_id, juror_id]).fetchone()
    old_scores = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT criterion_id, score, comment FROM jury_scores WHERE competition_id = ?"
        " AND practice_id = ? AND juror_id = ?", [competition_id, practice_id, juror_id]
    ).fetchall()}
    new_scores = {c: (s, comments.get(c) or None) for c, s in scores.items()}
    con.execute("INSERT INTO jury_submissions VALUES (?, ?, ?, ?, ?, current_timestamp)",
                [submission_id, competition_id, practice_id, juror_id, status])
    if old and old[0] == status and old_scores == new_scores:
        return "unchanged"
    if old:
        con.execute(
            "UPDATE jury_ballots SET status = ?, source = ?, submission_id = ?,"
            " updated_at = current_timestamp, submitted_at = CASE WHEN ? = 'submitted'"
            " THEN current_timestamp ELSE NULL END WHERE competition_id = ? AND"
            " practice_id = ? AND juror_id = ?",
            [status, source, submission_id, status, competition_id, practice_id, juror_id])
    else:
        con.execute(
            "INSERT INTO jury_ballots (competition_id, practice_id, juror_id, status, source,"
            " submission_id, submitted_at) VALUES (?, ?, ?, ?, ?, ?, CASE WHEN ? = 'submitted'"
            " THEN current_timestamp END)",
            [competition_id, practice_id, juror_id, status, source, submission_id, status])
    con.execute("DELETE FROM jury_scores WHERE competition_id = ? AND practice_id = ?"
                " AND juror_id = ?", [competition_id, practice_id, juror_id])
    con.executemany(
        "INSERT INTO jury_scores VALUES (?, ?, ?, ?, ?, ?)",
        [[competition_id, practice_id, juror_id, c, s, cm] for c, (s, cm) in new_scores.items()])
    _audit(con, actor, f"ballot_{status}", competition_id, practice_id, juror_id, detail={
        "source": source, "submission_id": submission_id,
        "previous_status": old[0] if old else None,
        "scores": {c: s for c, (s, _) in new_scores.items()},
        "previous_scores": {c: s for c, (s, _) in old_scores.items()} if old else None,
        "comments": {c: cm for c, (_, cm) in new_scores.items() if cm},
    })
    return "saved"


def _resolve_juror(
    con: duckdb.DuckDBPyConnection, competition_id: str, user: User, juror: str | None
) -> tuple[str, str]:
    """(user_id, username) of the juror a ballot is for; entering another's needs the chair."""
    if juror is None or juror == user.username:
        access.require_juror(con, competition_id, user)
        return user.user_id, user.username
    access.require_chair(con, competition_id, user, "enter another juror's ballot")
    jurors = {v: k for k, v in _juror_ids(con, competition_id).items()}
    if juror not in jurors:
        raise JuryError(f"{juror!r} is not a juror of {competition_id} with an active user")
    return jurors[juror], juror


def save_ballot(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    competition_id: str,
    practice_id: str,
    scores: Mapping[str, Any],
    *,
    submission_id: str,
    submit: bool,
    comments: Mapping[str, str | None] | None = None,
    juror: str | None = None,
    source: str = "page",
) -> str:
    """Save a juror's draft or submit their ballot: 'saved', 'unchanged' or 'duplicate'.

    `submission_id` is generated by the client once per form: sending it again is a no-op
    ('duplicate'). Refused (PermissionDenied / Recused / JuryError) when the actor is not
    a juror of the competition, is recused from the practice, the round is closed, a score
    is off the scale, a submit lacks a criterion, or a submitted ballot would go back to draft.
    """
    user = access.fresh(con, actor)
    sc = competition(con, competition_id)
    juror_id, juror_name = _resolve_juror(con, competition_id, user, juror)
    if not submission_id or not str(submission_id).strip():
        raise JuryError("a submission needs its client-generated submission_id")
    seen = con.execute(
        "SELECT competition_id, practice_id, juror_id FROM jury_submissions"
        " WHERE submission_id = ?", [submission_id]).fetchone()
    if seen:
        if tuple(seen) == (competition_id, practice_id, juror_id):
            return "duplicate"
        raise JuryError(f"submission id {submission_id!r} was already used for another ballot")
    _require_open(sc, "scoring")
    if practice_id not in practices(con, competition_id):
        raise JuryError(f"no practice {practice_id!r} in {competition_id}")
    reasons = recusal_reasons(con, competition_id, practice_id, juror_id)
    if reasons:
        raise Recused(f"{juror_name} is recused from {practice_id} ({'; '.join(reasons)}): "
                      "a recused juror can neither score it nor see its scores")
    clean, problems = _check_scores(sc.competition, scores, complete=submit)
    if problems:
        raise JuryError([f"{practice_id}: {p}" for p in problems])
    status = "submitted" if submit else "draft"
    with transaction(con):
        old = con.execute(
            "SELECT status FROM jury_ballots WHERE competition_id = ? AND practice_id = ?"
            " AND juror_id = ?", [competition_id, practice_id, juror_id]).fetchone()
        if old and old[0] == "submitted" and not submit:
            raise JuryError(f"{practice_id}: already submitted; submit again to change it")
        return _write_ballot(con, user, competition_id, practice_id, juror_id, clean,
                             comments or {}, submission_id, status, source)


def import_scores(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str, path: str | Path
) -> dict[str, int]:
    """Load paper ballots from CSV (juror, practice_id, criterion_id, score, comment):
    {'ballots': n, 'saved': n, 'unchanged': n}. All or nothing; every ballot complete;
    recusal, jury membership and the scale enforced, each error naming its line."""
    user = access.require_chair(con, competition_id, actor, "import paper ballots")
    sc = competition(con, competition_id)
    comp = sc.competition
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise JuryError(f"{name}: file not found")
    _require_open(sc, "importing scores")
    content = path.read_bytes()
    header, rows = _read_csv(path)
    errors: list[RowError] = []
    for col in SCORE_COLUMNS:
        if col not in header:
            errors.append(RowError(name, 1, col, "missing column"))
    unknown = [h for h in header if h not in SCORE_COLUMNS + SCORE_OPTIONAL]
    if unknown:
        errors.append(RowError(name, 1, unknown[0], "unknown column (known: "
                               f"{', '.join(SCORE_COLUMNS + SCORE_OPTIONAL)})"))
    if not errors and not rows:
        errors.append(RowError(name, 2, "file", "no scores in the file"))
    if errors:
        raise JuryError([str(e) for e in errors])
    members = roster(con, competition_id)
    juror_names = {m["username"] for m in members if m["member_role"] == "juror"}
    by_name = {m["username"]: m["user_id"] for m in members
               if m["member_role"] == "juror" and m["user_id"]}
    by_id = {v: k for k, v in by_name.items()}
    known_practices = practices(con, competition_id)
    rec = recusals(con, competition_id)
    seen: dict[tuple[str, str, str], int] = {}
    ballots: dict[tuple[str, str], dict[str, Any]] = {}
    for line, row in rows:
        if "\0extra" in row:
            errors.append(RowError(name, line, "row", "more fields than columns"))
        for col in SCORE_COLUMNS:
            if not row.get(col):
                errors.append(RowError(name, line, col, "empty"))
        j, pid, cid, raw = (row.get(c, "") for c in SCORE_COLUMNS)
        juror_id = by_name.get(j) or (j if j in by_id else None)
        if j and juror_id is None:
            if j in juror_names:
                errors.append(RowError(name, line, "juror", f"{j!r} is a juror of "
                                       f"{competition_id} but has no active user: add it with "
                                       f"`closer users add {j} --role juror`"))
            else:
                errors.append(RowError(name, line, "juror", f"{j!r} is not a juror of "
                                       f"{competition_id} (jurors: {', '.join(sorted(juror_names))})"))
        if pid and pid not in known_practices:
            errors.append(RowError(name, line, "practice_id",
                                   f"unknown practice {pid!r} in {competition_id}"))
        if juror_id and pid in known_practices and juror_id in rec.get(pid, {}):
            errors.append(RowError(name, line, "juror", f"{j} is recused from {pid} "
                                   f"({'; '.join(rec[pid][juror_id])}): the score is refused"))
        if cid and comp.criterion(cid) is None:
            errors.append(RowError(name, line, "criterion_id", f"unknown criterion {cid!r} "
                                   f"(criteria: {', '.join(c.criterion_id for c in comp.criteria)})"))
        score: float | None = None
        if raw:
            try:
                score = float(raw)
            except ValueError:
                errors.append(RowError(name, line, "score", f"{raw!r} is not a number"))
            else:
                if math.isnan(score) or not comp.scale.allows(score):
                    errors.append(RowError(name, line, "score", f"{raw} is not on the scale "
                                           f"({comp.scale.describe()})"))
                    score = None
        if juror_id and pid in known_practices and comp.criterion(cid) is not None:
            k = (juror_id, pid, cid)
            if k in seen:
                errors.append(RowError(name, line, "criterion_id",
                                       f"{j} scored {cid} for {pid} on line {seen[k]} already"))
            else:
                seen[k] = line
            b = ballots.setdefault((juror_id, pid), {"line": line, "juror": j, "scores": {},
                                                     "comments": {}})
            b["scores"][cid] = score
            b["comments"][cid] = row.get("comment") or None
    for (_, pid), b in ballots.items():
        missing = [c.criterion_id for c in comp.criteria if c.criterion_id not in b["scores"]]
        if missing:
            errors.append(RowError(name, b["line"], "criterion_id",
                                   f"the ballot of {b['juror']} for {pid} lacks "
                                   f"{', '.join(missing)} (a paper ballot scores every criterion)"))
    if errors:
        errors.sort(key=lambda e: e.line)
        raise JuryError([str(e) for e in errors])
    digest = hashlib.sha256(content).hexdigest()[:16]
    counts = {"ballots": len(ballots), "saved": 0, "unchanged": 0}
    with transaction(con):
        for (juror_id, pid), b in ballots.items():
            sid = f"paper:{digest}:{juror_id}:{pid}"
            if con.execute("SELECT 1 FROM jury_submissions WHERE submission_id = ?",
                           [sid]).fetchone():
                counts["unchanged"] += 1
                continue
            out = _write_ballot(con, user, competition_id, pid, juror_id, b["scores"],
                                b["comments"], sid, "submitted", "paper")
            counts[out] += 1
    return counts


# --- reading scores ------------------------------------------------------------------------


def visible_scores(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str
) -> list[dict[str, Any]]:
    """The per-criterion scores this user may see (the jury_visible_scores macro): their own
    always; others' under the rules of rubrics/jury/access.py. The local operator sees all."""
    user = access.fresh(con, actor)
    competition(con, competition_id)
    if access.is_operator(user):
        sql = ("SELECT s.competition_id, s.practice_id, s.juror_id, s.criterion_id, s.score,"
               " s.comment, b.status, b.source, b.updated_at FROM jury_scores s JOIN"
               " jury_ballots b USING (competition_id, practice_id, juror_id)"
               " WHERE s.competition_id = ?")
        params: list[Any] = [competition_id]
    else:
        sql = "SELECT * FROM jury_visible_scores(?, ?)"
        params = [user.user_id, competition_id]
    cur = con.execute(f"SELECT v.*, u.username AS juror FROM ({sql}) v LEFT JOIN users u"
                      " ON u.user_id = v.juror_id ORDER BY v.practice_id, u.username,"
                      " v.criterion_id", params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def my_ballots(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str
) -> dict[str, dict[str, Any]]:
    """The acting juror's own ballots: practice_id → {status, scores, comments}."""
    user = access.fresh(con, actor)
    out: dict[str, dict[str, Any]] = {}
    for r in visible_scores(con, user, competition_id):
        if r["juror_id"] != user.user_id:
            continue
        b = out.setdefault(r["practice_id"], {"status": r["status"], "scores": {},
                                              "comments": {}})
        b["scores"][r["criterion_id"]] = r["score"]
        b["comments"][r["criterion_id"]] = r["comment"]
    return out


def progress(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str
) -> list[dict[str, Any]]:
    """Who has scored what, without the scores: one row per juror and practice with status
    submitted, draft, recused or not started. The chair and admins see every juror; a
    juror sees their own row."""
    user = access.fresh(con, actor)
    competition(con, competition_id)
    everyone = access.may_run(con, competition_id, user)
    if not everyone:
        access.require_juror(con, competition_id, user)
    rec = recusals(con, competition_id)
    status = {(r[0], r[1]): r[2] for r in con.execute(
        "SELECT juror_id, practice_id, status FROM jury_ballots WHERE competition_id = ?",
        [competition_id]).fetchall()}
    out = []
    for m in roster(con, competition_id):
        if m["member_role"] != "juror" or (not everyone and m["username"] != user.username):
            continue
        for pid in practices(con, competition_id):
            uid = m["user_id"]
            if uid is None:
                st = "no user account"
            elif uid in rec.get(pid, {}):
                st = "recused"
            else:
                st = status.get((uid, pid), "not started")
            out.append({"juror": m["username"], "practice_id": pid, "status": st,
                        "recusal": "; ".join(rec.get(pid, {}).get(uid, [])) if uid else ""})
    return out


def _counted_ballots(con: duckdb.DuckDBPyConnection, competition_id: str) -> list[Ballot]:
    jurors = _juror_ids(con, competition_id)
    by_key: dict[tuple[str, str], dict[str, float]] = {}
    for pid, jid, cid, score in con.execute(
        "SELECT s.practice_id, s.juror_id, s.criterion_id, s.score FROM jury_scores s"
        " JOIN jury_ballots b USING (competition_id, practice_id, juror_id)"
        " WHERE s.competition_id = ? AND b.status = 'submitted'", [competition_id],
    ).fetchall():
        if jid in jurors:
            by_key.setdefault((jid, pid), {})[cid] = score
    return [Ballot(j, p, s) for (j, p), s in sorted(by_key.items())]


def _casting_votes(con: duckdb.DuckDBPyConnection, competition_id: str) -> dict[str, tuple[
    str, int
]]:
    return {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT practice_id, vote_id, position FROM jury_casting_votes WHERE competition_id = ?",
        [competition_id]).fetchall()}


def _compute(con: duckdb.DuckDBPyConnection, competition_id: str) -> tuple[
    StoredCompetition, Results
]:
    sc = competition(con, competition_id)
    jurors = _juror_ids(con, competition_id)
    rec = {p: {u for u in users if u in jurors}
           for p, users in recusals(con, competition_id).items()}
    res = compute(sc.competition, practices(con, competition_id).keys(),
                  _counted_ballots(con, competition_id), rec, _casting_votes(con, competition_id))
    return sc, res


def results(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str
) -> ResultsView:
    """The aggregated results as `actor` may see them (PermissionDenied for a juror while the
    round is open); scores of practices the viewer is recused from are masked."""
    sc = competition(con, competition_id)
    user = access.require_results(con, competition_id, actor, sc.round_state)
    sc, res = _compute(con, competition_id)
    masked: set[str] = set()
    if not access.is_operator(user):
        for pid, users in recusals(con, competition_id).items():
            if user.user_id in users:
                masked.add(pid)
    for r in res.practices:
        if r.practice_id in masked:
            r.raw_score = r.normalised_score = r.spread = r.disagreement = None
            r.raw_totals, r.normalised_values, r.criterion_means = {}, {}, {}
            r.tie_break = ""
            r.notes = ["you are recused from this practice: its scores are not shown to you"]
    shortlist = {r[0] for r in con.execute(
        "SELECT practice_id FROM jury_shortlist WHERE competition_id = ?",
        [competition_id]).fetchall()}
    cur = con.execute("SELECT practice_id, award_kind, place, label, citation FROM jury_awards"
                      " WHERE competition_id = ?", [competition_id])
    cols = [d[0] for d in cur.description]
    awards = {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
    names = {r[0]: r[1] for r in con.execute("SELECT user_id, username FROM users").fetchall()}
    return ResultsView(sc, res, practices(con, competition_id), names, masked, shortlist,
                       awards)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def result_rows(view: ResultsView) -> list[dict[str, Any]]:
    """One row per practice in rank order with RESULT_COLUMNS (None: n/a)."""
    out = []
    for r in view.results.practices:
        p = view.practices[r.practice_id]
        notes = [_name_notes(n, view.usernames) for n in r.notes]
        out.append({
            "practice_id": r.practice_id,
            "institution_id": p.institution_id,
            "title": p.title,
            "raw_score": _round(r.raw_score),
            "normalised_score": _round(r.normalised_score),
            "raw_rank": r.raw_rank,
            "rank": r.rank,
            "jurors": r.jurors,
            "recused": r.recused,
            "spread": _round(r.spread),
            "disagreement": r.disagreement,
            "tie_break": r.tie_break,
            "shortlisted": r.practice_id in view.shortlist,
            "award": view.awards.get(r.practice_id, {}).get("label"),
            "notes": "; ".join(dict.fromkeys(notes)),
        })
    return out


def _name_notes(note: str, usernames: Mapping[str, str]) -> str:
    head, sep, tail = note.partition(": ")
    return f"{usernames.get(head, head)}{sep}{tail}" if sep else note


def results_csv(view: ResultsView) -> str:
    """The results as CSV text (RESULT_COLUMNS; n/a cells empty)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=RESULT_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in result_rows(view):
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


# --- the chair ----------------------------------------------------------------------------


def close_round(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str
) -> dict[str, Any]:
    """Close the round (chair): scoring stops, recusals are frozen, jurors see the results.
    Returns what was counted and the ties with how the rule broke them (also audited)."""
    user = access.require_chair(con, competition_id, actor, "close the round")
    sc = competition(con, competition_id)
    _require_open(sc, "closing again")
    with transaction(con):
        con.execute(
            "INSERT INTO jury_recusals_at_close SELECT competition_id, practice_id, user_id,"
            " rule, any_value(reason) FROM jury_recusals WHERE competition_id = ? GROUP BY ALL",
            [competition_id])
        con.execute("UPDATE jury_competitions SET round_state = 'closed',"
                    " closed_at = current_timestamp, closed_by = ? WHERE competition_id = ?",
                    [access.actor_label(user), competition_id])
        _, res = _compute(con, competition_id)
        drafts = con.execute("SELECT count(*) FROM jury_ballots WHERE competition_id = ? AND"
                             " status = 'draft'", [competition_id]).fetchone()[0]
        summary = {
            "ballots_counted": sum(r.jurors for r in res.practices),
            "drafts_not_counted": drafts,
            "ranking": [[r.rank, r.practice_id, _round(r.normalised_score)]
                        for r in res.practices],
            "ties": [t.explanation for t in res.ties],
            "unresolved_ties": [t.practice_ids for t in res.ties if not t.resolved],
        }
        _audit(con, user, "round_closed", competition_id, detail=summary)
    return summary


def shortlist(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    competition_id: str,
    practice_ids: Sequence[str],
    *,
    remove: bool = False,
    note: str | None = None,
) -> int:
    """Add practices to (or remove them from) the shortlist, the good-practice guide; returns
    how many changed. Chair only, after closing."""
    user = access.require_chair(con, competition_id, actor, "shortlist practices")
    sc = competition(con, competition_id)
    _require_closed(sc, "shortlist")
    known = practices(con, competition_id)
    bad = [p for p in practice_ids if p not in known]
    if bad:
        raise JuryError(f"no practice {', '.join(bad)} in {competition_id}")
    changed = 0
    with transaction(con):
        for pid in dict.fromkeys(practice_ids):
            there = con.execute("SELECT 1 FROM jury_shortlist WHERE competition_id = ? AND"
                                " practice_id = ?", [competition_id, pid]).fetchone()
            if remove and there:
                if con.execute("SELECT 1 FROM jury_awards WHERE competition_id = ? AND"
                               " practice_id = ?", [competition_id, pid]).fetchone():
                    raise JuryError(f"{pid} has an award: remove the award first")
                con.execute("DELETE FROM jury_shortlist WHERE competition_id = ? AND"
                            " practice_id = ?", [competition_id, pid])
                _audit(con, user, "shortlist_removed", competition_id, pid)
                changed += 1
            elif not remove and not there:
                con.execute("INSERT INTO jury_shortlist (competition_id, practice_id, added_by,"
                            " note) VALUES (?, ?, ?, ?)",
                            [competition_id, pid, access.actor_label(user), note])
                _audit(con, user, "shortlisted", competition_id, pid, detail={"note": note})
                changed += 1
    return changed


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def award(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    competition_id: str,
    practice_id: str,
    *,
    place: int | None = None,
    mention: str | None = None,
    citation: str | None = None,
) -> str:
    """Give a practice a place (1..places) or a special mention (chair, after closing); it
    joins the shortlist. Returns the award's label."""
    user = access.require_chair(con, competition_id, actor, "give awards")
    sc = competition(con, competition_id)
    comp = sc.competition
    _require_closed(sc, "give awards")
    if practice_id not in practices(con, competition_id):
        raise JuryError(f"no practice {practice_id!r} in {competition_id}")
    if (place is None) == (mention is None):
        raise JuryError("give either a place or a special mention")
    if place is not None:
        if not 1 <= place <= comp.places:
            raise JuryError(f"place {place}: {competition_id} awards places 1 to {comp.places}")
        holder = con.execute("SELECT practice_id FROM jury_awards WHERE competition_id = ? AND"
                             " place = ? AND practice_id <> ?",
                             [competition_id, place, practice_id]).fetchone()
        if holder:
            raise JuryError(f"{_ordinal(place)} place already goes to {holder[0]}: remove it first")
        kind, label = "place", f"{_ordinal(place)} place"
    else:
        kind = "special_mention"
        label = "Special mention" + (f": {mention.strip()}" if mention and mention.strip() else "")
        if comp.special_mentions is not None:
            n = con.execute("SELECT count(*) FROM jury_awards WHERE competition_id = ? AND"
                            " award_kind = 'special_mention' AND practice_id <> ?",
                            [competition_id, practice_id]).fetchone()[0]
            if n >= comp.special_mentions:
                raise JuryError(f"{competition_id} gives at most {comp.special_mentions} "
                                "special mentions")
    with transaction(con):
        old = con.execute("SELECT label FROM jury_awards WHERE competition_id = ? AND"
                          " practice_id = ?", [competition_id, practice_id]).fetchone()
        con.execute("DELETE FROM jury_awards WHERE competition_id = ? AND practice_id = ?",
                    [competition_id, practice_id])
        con.execute("INSERT INTO jury_awards (competition_id, practice_id, award_kind, place,"
                    " label, citation, awarded_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [competition_id, practice_id, kind, place, label, citation,
                     access.actor_label(user)])
        if not con.execute("SELECT 1 FROM jury_shortlist WHERE competition_id = ? AND"
                           " practice_id = ?", [competition_id, practice_id]).fetchone():
            con.execute("INSERT INTO jury_shortlist (competition_id, practice_id, added_by,"
                        " note) VALUES (?, ?, ?, 'awarded')",
                        [competition_id, practice_id, access.actor_label(user)])
            _audit(con, user, "shortlisted", competition_id, practice_id,
                   detail={"note": "awarded"})
        _audit(con, user, "awarded", competition_id, practice_id,
               detail={"award": label, "previous": old[0] if old else None, "citation": citation})
    return label


def remove_award(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str, practice_id: str
) -> bool:
    """Withdraw a practice's award (chair); True if it had one."""
    user = access.require_chair(con, competition_id, actor, "withdraw awards")
    _require_closed(competition(con, competition_id), "withdraw awards")
    with transaction(con):
        old = con.execute("DELETE FROM jury_awards WHERE competition_id = ? AND practice_id = ?"
                          " RETURNING label", [competition_id, practice_id]).fetchone()
        if old:
            _audit(con, user, "award_removed", competition_id, practice_id,
                   detail={"previous": old[0]})
    return bool(old)


def cast_vote(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str, order: Sequence[str]
) -> str:
    """The chair's casting vote: `order` (best first) of exactly the practices of a tie the
    criterion rules left unresolved. Returns the tie's new explanation."""
    user = access.require_chair(con, competition_id, actor, "cast the deciding vote")
    sc = competition(con, competition_id)
    _require_closed(sc, "cast the deciding vote")
    if not any(r.kind == CASTING_VOTE for r in sc.competition.tie_break):
        raise JuryError(f"the tie-break rule of {competition_id} has no casting vote")
    order = list(order)
    if len(order) < 2 or len(set(order)) != len(order):
        raise JuryError("name the tied practices once each, best first")
    _, res = _compute(con, competition_id)
    open_ties = []
    for t in res.ties:
        for g in t.order:
            if len(g) > 1:
                open_ties.append(g)
    if sorted(order) not in [sorted(g) for g in open_ties]:
        listed = "; ".join(", ".join(g) for g in open_ties) or "none"
        raise JuryError(f"{', '.join(order)} is not a tie the rule left to the chair "
                        f"(unresolved ties: {listed})")
    vote_id = uuid.uuid4().hex
    with transaction(con):
        for pos, pid in enumerate(order, start=1):
            con.execute("INSERT OR REPLACE INTO jury_casting_votes (competition_id, practice_id,"
                        " vote_id, position, cast_by) VALUES (?, ?, ?, ?, ?)",
                        [competition_id, pid, vote_id, pos, access.actor_label(user)])
        _, res = _compute(con, competition_id)
        explanation = next(t.explanation for t in res.ties if set(order) <= set(t.practice_ids))
        _audit(con, user, "casting_vote", competition_id,
               detail={"order": order, "tie_break": explanation})
    return explanation


def audit_log(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str
) -> list[dict[str, Any]]:
    """Every change to the competition, oldest first (chair, admins). Score values stay
    hidden from a viewer who may not see others' scores yet."""
    user = access.require_chair(con, competition_id, actor, "read the audit log")
    sc = competition(con, competition_id)
    see = access.sees_others(con, competition_id, user, sc.round_state)
    cur = con.execute(
        "SELECT a.audit_id, a.occurred_at, coalesce(u.username, a.actor) AS actor, a.action,"
        " a.practice_id, j.username AS juror, a.detail FROM jury_audit a"
        " LEFT JOIN users u ON u.user_id = a.actor LEFT JOIN users j ON j.user_id = a.juror_id"
        " WHERE a.competition_id = ? OR (a.competition_id IS NULL AND a.juror_id IN"
        " (SELECT u2.user_id FROM jury_members m JOIN users u2 USING (username)"
        "  WHERE m.competition_id = ?)) ORDER BY a.audit_id", [competition_id, competition_id])
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    if not see:
        for r in rows:
            if r["action"].startswith("ballot_") and r["juror"] != user.username:
                r["detail"] = "(scores hidden until the round is closed)"
    return rows


def new_submission_id() -> str:
    """A client-generated submission id (one per form shown)."""
    return uuid.uuid4().hex
