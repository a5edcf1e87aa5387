"""Who may do what in a competition: every jury permission check is here (docs/jury.md).

Built on closer.auth (users, roles, PermissionDenied, the command line's local operator).
Roles are read fresh from the database for each check; membership of a jury comes from
the competition's definition (jury_members: jurors and the chair, by username).

- score: a juror of the competition, for a practice they are not recused from, while the
  round is open (paper ballots: entered by the chair, an admin or the local operator);
- see other jurors' scores and the results: the chair and admins who do not score in this
  competition (provisional while the round is open); a juror only once the round is
  closed; nobody for a practice they are recused from; the local operator always;
- run the competition (close, shortlist, award, casting vote, audit log): its chair, an
  admin or the local operator;
- create a competition: an admin, a facilitator or the local operator;
- nominate practices: an admin, a facilitator, the chair, the local operator, or an
  insider for their own institution.
"""

from __future__ import annotations

from typing import Protocol

import duckdb

from closer import auth
from closer.auth import LOCAL_OPERATOR, PermissionDenied, User

__all__ = ["LOCAL_OPERATOR", "PermissionDenied", "User"]


class Actor(Protocol):
    """Anything naming a user: closer.auth.User or ui.session.User."""

    user_id: str
    username: str


def is_operator(actor: Actor | None) -> bool:
    """True for the command line's local operator (the person with the database file)."""
    return actor is not None and actor.user_id == LOCAL_OPERATOR.user_id


def actor_label(actor: Actor) -> str:
    """How an actor is recorded in the audit log: user_id, or '(local operator)'."""
    return LOCAL_OPERATOR.username if is_operator(actor) else actor.user_id


def fresh(con: duckdb.DuckDBPyConnection, actor: Actor | None) -> User:
    """The acting user with roles read now from the database; PermissionDenied if none."""
    if actor is None:
        raise PermissionDenied("log in first")
    if is_operator(actor):
        return LOCAL_OPERATOR
    user = auth.load_user(con, actor.user_id)
    if user is None:
        raise PermissionDenied(f"{actor.username}: no active user with this id")
    return user


def membership(con: duckdb.DuckDBPyConnection, competition_id: str, user: Actor) -> set[str]:
    """The user's roles in this competition's jury: a subset of {'juror', 'chair'}."""
    rows = con.execute(
        "SELECT member_role FROM jury_members WHERE competition_id = ? AND username = ?",
        [competition_id, user.username],
    ).fetchall()
    return {r[0] for r in rows}


def may_run(con: duckdb.DuckDBPyConnection, competition_id: str, user: User) -> bool:
    """True for the competition's chair, an admin or the local operator."""
    return (is_operator(user) or user.has("admin")
            or "chair" in membership(con, competition_id, user))


def require_chair(
    con: duckdb.DuckDBPyConnection, competition_id: str, actor: Actor | None, action: str
) -> User:
    """The acting user if they may run this competition (chair, admin, local operator)."""
    user = fresh(con, actor)
    if not may_run(con, competition_id, user):
        raise PermissionDenied(
            f"{user.username} may not {action}: only the chair of {competition_id} or an admin")
    return user


def require_organiser(con: duckdb.DuckDBPyConnection, actor: Actor | None, action: str) -> User:
    """An admin, a facilitator or the local operator (creating competitions)."""
    user = fresh(con, actor)
    if not (is_operator(user) or user.has("admin", "facilitator")):
        raise PermissionDenied(f"{user.username} may not {action}: needs admin or facilitator")
    return user


def require_juror(
    con: duckdb.DuckDBPyConnection, competition_id: str, actor: Actor | None
) -> User:
    """The acting user if they are a juror of this competition."""
    user = fresh(con, actor)
    if "juror" not in membership(con, competition_id, user):
        raise PermissionDenied(f"{user.username} is not a juror of {competition_id}")
    return user


def may_nominate(
    con: duckdb.DuckDBPyConnection, competition_id: str, user: User, institution_id: str
) -> bool:
    """True when `user` may nominate a practice of `institution_id`."""
    if is_operator(user) or user.has("admin", "facilitator") or may_run(
        con, competition_id, user
    ):
        return True
    return user.has("insider") and user.institution_id == institution_id


def sees_others(
    con: duckdb.DuckDBPyConnection, competition_id: str, user: User, round_state: str
) -> bool:
    """Whether `user` may see other jurors' scores and the results (recusals aside)."""
    if is_operator(user):
        return True
    roles = membership(con, competition_id, user)
    if "juror" in roles:
        return round_state == "closed"
    return bool("chair" in roles or user.has("admin"))


def require_results(
    con: duckdb.DuckDBPyConnection, competition_id: str, actor: Actor | None, round_state: str
) -> User:
    """The acting user if they may see the results now; PermissionDenied otherwise."""
    user = fresh(con, actor)
    if sees_others(con, competition_id, user, round_state):
        return user
    if "juror" in membership(con, competition_id, user):
        raise PermissionDenied(
            f"{user.username} is a juror of {competition_id}: scoring is blind, the results "
            "and other jurors' scores are shown once the chair closes the round")
    raise PermissionDenied(
        f"{user.username} may not see the results of {competition_id}: only its jury and admins")
