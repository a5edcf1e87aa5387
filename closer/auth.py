"""Users, roles, assignments and permission checks (docs/users.md).

One small API for the command line, the pages and the database layer alike: every
function that changes or reveals something takes the acting `User` first and raises
`PermissionDenied` when that user's roles do not allow it. Passwords are hashed with
bcrypt and never stored, logged or returned; `authenticate` is the only way in.

    user = auth.authenticate(con, "ana", password)       # AuthError if wrong
    auth.require(user, "facilitator", "admin", action="reopen a submission")
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

import bcrypt
import duckdb

from closer.db import transaction

log = logging.getLogger(__name__)

ROLES = ("admin", "facilitator", "monitor", "insider", "juror", "chair")
ROLE_HELP = {
    "admin": "manages users, roles and assignments",
    "facilitator": "sees results, gap and agreement; imports, exports and reopens submissions",
    "monitor": "outsider (volunteer): fills the rubric for the institutions assigned per round",
    "insider": "civil servant: fills the self-assessment rubric for their own institution",
    "juror": "scores nominated good practices",
    "chair": "jury chair: sees the aggregated ranking, shortlists and awards",
}
# bcrypt work factor: 2**12 rounds (~0.2 s per hash). Tests lower it for speed.
BCRYPT_ROUNDS = 12
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_BYTES = 72  # bcrypt ignores bytes after the 72nd; we refuse them instead
# After this many failed logins for one username within the window, logins are refused.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
_USERNAME_RE = re.compile(r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,62}[^\s\x00-\x1f\x7f])?$")


class PermissionDenied(Exception):
    """The acting user's roles or assignments do not allow this action."""


class AuthError(Exception):
    """A login failed (the message never says whether the username exists)."""


class UserError(ValueError):
    """A user-management request that cannot be carried out (unknown user, bad role ...)."""


@dataclass(frozen=True)
class User:
    """Who is acting. `roles` come from user_roles; `institution_id` is an insider's own."""

    user_id: str
    username: str
    roles: tuple[str, ...] = ()
    institution_id: str | None = None
    display_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", tuple(self.roles))

    def has(self, *roles: str) -> bool:
        """True when the user holds at least one of `roles`."""
        return bool(set(self.roles) & set(roles))

    @property
    def label(self) -> str:
        return self.display_name or self.username


# The person at the shell of a database that has no active admin yet (setting up):
# may create the first admin and run facilitator commands. See actor_for_cli.
LOCAL_OPERATOR = User(
    user_id="local-operator", username="(local operator)", roles=("admin", "facilitator")
)


# --- passwords -------------------------------------------------------------------------


def check_password_rules(password: str) -> None:
    """Raise UserError unless the password is 10+ characters and at most 72 bytes."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"password too short: at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise UserError(f"password too long: at most {MAX_PASSWORD_BYTES} bytes (bcrypt)")


def hash_password(password: str) -> str:
    """A bcrypt hash ($2b$, BCRYPT_ROUNDS) of the password, after checking its rules."""
    check_password_rules(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when `password` matches the bcrypt hash; False for no hash or an over-long one."""
    raw = password.encode("utf-8")
    if not password_hash or len(raw) > MAX_PASSWORD_BYTES:
        _dummy_check(raw)
        return False
    try:
        return bcrypt.checkpw(raw, password_hash.encode("ascii"))
    except ValueError:
        return False


_DUMMY_HASH: bytes | None = None


def _dummy_check(raw: bytes) -> None:
    # Spend the same time for an unknown user as for a wrong password.
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = bcrypt.hashpw(b"closer-dummy-password", bcrypt.gensalt(BCRYPT_ROUNDS))
    bcrypt.checkpw(raw[:MAX_PASSWORD_BYTES], _DUMMY_HASH)


def generate_password() -> str:
    """A random password (16 URL-safe characters, ~96 bits)."""
    return secrets.token_urlsafe(12)


# --- permission checks -----------------------------------------------------------------


def require(user: User | None, *roles: str, action: str | None = None) -> User:
    """Return `user` if it holds one of `roles`; else raise PermissionDenied naming them."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    what = action or "do this"
    if user is None:
        raise PermissionDenied(f"log in first to {what}")
    if not user.has(*roles):
        need = " or ".join(roles)
        have = ", ".join(user.roles) or "no role"
        raise PermissionDenied(f"{user.username} ({have}) may not {what}: needs {need}")
    return user


# --- reading users ---------------------------------------------------------------------


def _row_to_user(con: duckdb.DuckDBPyConnection, row: tuple) -> User:
    user_id, username, display_name, institution_id = row
    roles = [
        r[0]
        for r in con.execute(
            "SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", [user_id]
        ).fetchall()
    ]
    roles.sort(key=lambda r: (ROLES.index(r) if r in ROLES else len(ROLES), r))
    return User(user_id, username, tuple(roles), institution_id, display_name)


def load_user(con: duckdb.DuckDBPyConnection, user_id: str) -> User | None:
    """The active user with this id, roles read fresh from the database; None if disabled/gone."""
    row = con.execute(
        "SELECT user_id, username, display_name, institution_id FROM users"
        " WHERE user_id = ? AND active",
        [user_id],
    ).fetchone()
    return _row_to_user(con, row) if row else None


def find_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The active user with this username, or None."""
    row = con.execute(
        "SELECT user_id, username, display_name, institution_id FROM users"
        " WHERE username = ? AND active",
        [username],
    ).fetchone()
    return _row_to_user(con, row) if row else None


def _user_row(con: duckdb.DuckDBPyConnection, username: str) -> tuple:
    row = con.execute(
        "SELECT user_id, active, institution_id FROM users WHERE username = ?", [username]
    ).fetchone()
    if row is None:
        raise UserError(f"no user named {username!r}")
    return row


def active_admins(con: duckdb.DuckDBPyConnection) -> int:
    """How many active users hold the admin role."""
    return con.execute(
        "SELECT count(*) FROM users u JOIN user_roles r USING (user_id)"
        " WHERE u.active AND r.role = 'admin'"
    ).fetchone()[0]


def list_users(con: duckdb.DuckDBPyConnection, actor: User) -> list[dict[str, Any]]:
    """Every user with roles, institution, active flag and assignment count (admin, facilitator)."""
    require(actor, "admin", "facilitator", action="list users")
    rows = con.execute(
        """
        SELECT u.username, u.display_name, u.institution_id, u.active,
               u.password_hash IS NOT NULL AS can_log_in,
               coalesce((SELECT string_agg(role, ',' ORDER BY role) FROM user_roles r
                         WHERE r.user_id = u.user_id), '') AS roles,
               (SELECT count(*) FROM assignments a WHERE a.user_id = u.user_id) AS assignments
        FROM users u ORDER BY u.username
        """
    ).fetchall()
    cols = (
        "username",
        "display_name",
        "institution_id",
        "active",
        "can_log_in",
        "roles",
        "assignments",
    )
    return [dict(zip(cols, r, strict=True)) for r in rows]


# --- events ----------------------------------------------------------------------------


def record_event(
    con: duckdb.DuckDBPyConnection,
    username: str,
    event: str,
    actor: User | None = None,
    detail: str | None = None,
) -> None:
    """Append to auth_events (never pass a password in `detail`)."""
    con.execute(
        "INSERT INTO auth_events (username, event, actor, detail) VALUES (?, ?, ?, ?)",
        [username, event, actor.username if actor else None, detail],
    )
    log.info("auth: %s %s%s", event, username, f" by {actor.username}" if actor else "")


# --- login -----------------------------------------------------------------------------


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User:
    """The active user whose bcrypt hash matches; AuthError otherwise (same message for all).

    Records login_ok / login_failed in auth_events; after LOCKOUT_FAILURES failures within
    LOCKOUT_WINDOW the username is refused until the window has passed.
    """
    since = dt.datetime.now(dt.UTC) - LOCKOUT_WINDOW
    failures = con.execute(
        "SELECT count(*) FROM auth_events WHERE username = ? AND event = 'login_failed'"
        " AND occurred_at > ? AND occurred_at > coalesce((SELECT max(occurred_at) FROM"
        " auth_events WHERE username = ? AND event IN ('login_ok', 'password_set')), ?)",
        [username, since, username, since],
    ).fetchone()[0]
    if failures >= LOCKOUT_FAILURES:
        record_event(con, username, "login_refused", detail="too many failed attempts")
        raise AuthError(
            f"too many failed attempts for this username; try again in "
            f"{int(LOCKOUT_WINDOW.total_seconds() // 60)} minutes"
        )
    row = con.execute(
        "SELECT user_id, password_hash, active FROM users WHERE username = ?", [username]
    ).fetchone()
    ok = verify_password(password, row[1] if row else None)
    if not (row and ok and row[2]):
        record_event(con, username, "login_failed")
        raise AuthError("wrong username or password")
    record_event(con, username, "login_ok")
    user = load_user(con, row[0])
    assert user is not None
    return user


# --- changing users --------------------------------------------------------------------


def _check_roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise UserError(f"unknown role {bad[0]!r}: roles are {', '.join(ROLES)}")
    return list(dict.fromkeys(roles))


def _check_institution(con: duckdb.DuckDBPyConnection, institution_id: str) -> None:
    if not con.execute(
        "SELECT 1 FROM institutions WHERE institution_id = ?", [institution_id]
    ).fetchone():
        raise UserError(f"no institution {institution_id!r} in the registry")


def _check_round(con: duckdb.DuckDBPyConnection, round_id: str) -> None:
    if not con.execute("SELECT 1 FROM rounds WHERE round_id = ?", [round_id]).fetchone():
        raise UserError(f"no round {round_id!r} in the registry")


def _may_manage(con: duckdb.DuckDBPyConnection, actor: User, action: str) -> None:
    if actor is LOCAL_OPERATOR and active_admins(con) > 0:
        raise PermissionDenied(f"this database has an admin: act as one to {action}")
    require(actor, "admin", action=action)


def add_user(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    username: str,
    *,
    roles: list[str] | tuple[str, ...],
    password: str | None = None,
    institution_id: str | None = None,
    display_name: str | None = None,
) -> User:
    """Create a user (admin only). No password: the user exists (e.g. a paper-form rater) but
    cannot log in. An insider needs `institution_id`, their own institution."""
    _may_manage(con, actor, "add users")
    with transaction(con):
        return _insert_user(
            con,
            actor,
            username,
            roles=roles,
            password=password,
            institution_id=institution_id,
            display_name=display_name,
        )


def _insert_user(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    username: str,
    *,
    roles: list[str] | tuple[str, ...],
    password: str | None,
    institution_id: str | None,
    display_name: str | None,
) -> User:
    # The caller checks permissions and holds a transaction.
    if not _USERNAME_RE.match(username or ""):
        raise UserError(
            f"bad username {username!r}: 1-64 characters, no control characters, "
            "no leading or trailing spaces"
        )
    roles = _check_roles(roles)
    if not roles:
        raise UserError("a user needs at least one role")
    if "insider" in roles and not institution_id:
        raise UserError("an insider belongs to one institution: give --institution")
    if institution_id:
        _check_institution(con, institution_id)
    if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise UserError(f"a user named {username!r} already exists")
    password_hash = hash_password(password) if password is not None else None
    user_id = "u-" + secrets.token_hex(8)
    con.execute(
        "INSERT INTO users (user_id, username, display_name, password_hash, institution_id)"
        " VALUES (?, ?, ?, ?, ?)",
        [user_id, username, display_name, password_hash, institution_id],
    )
    for role in roles:
        con.execute("INSERT INTO user_roles VALUES (?, ?)", [user_id, role])
    record_event(con, username, "user_added", actor, f"roles {','.join(roles)}")
    return User(user_id, username, tuple(roles), institution_id, display_name)


def set_active(con: duckdb.DuckDBPyConnection, actor: User, username: str, active: bool) -> None:
    """Disable (active=False) or re-enable a user (admin only). A disabled user cannot log in
    and open sessions end at their next page view. The last active admin cannot be disabled."""
    _may_manage(con, actor, "disable or enable users")
    with transaction(con):
        user_id, was_active, _ = _user_row(con, username)
        if not active and was_active:
            is_admin = con.execute(
                "SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'admin'", [user_id]
            ).fetchone()
            if is_admin and active_admins(con) <= 1:
                raise UserError(f"{username} is the last active admin: add another admin first")
        con.execute("UPDATE users SET active = ? WHERE user_id = ?", [active, user_id])
        record_event(con, username, "user_enabled" if active else "user_disabled", actor)


def set_password(con: duckdb.DuckDBPyConnection, actor: User, username: str, password: str) -> None:
    """Set a user's password: an admin for anyone, any user for themself."""
    if actor.username != username:
        _may_manage(con, actor, "set other users' passwords")
    with transaction(con):
        user_id, _, _ = _user_row(con, username)
        con.execute(
            "UPDATE users SET password_hash = ? WHERE user_id = ?",
            [hash_password(password), user_id],
        )
        record_event(con, username, "password_set", actor)


def grant_role(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    username: str,
    role: str,
    institution_id: str | None = None,
) -> bool:
    """Give a role (admin only); True if it was new. Insider needs the user's institution."""
    _may_manage(con, actor, "grant roles")
    with transaction(con):
        return _grant(con, actor, username, role, institution_id)


def _grant(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    username: str,
    role: str,
    institution_id: str | None = None,
) -> bool:
    _check_roles([role])
    user_id, _, own = _user_row(con, username)
    if role == "insider":
        if institution_id and own and institution_id != own:
            raise UserError(f"{username} belongs to {own}; an insider belongs to one institution")
        own = own or institution_id
        if not own:
            raise UserError("an insider belongs to one institution: give --institution")
        _check_institution(con, own)
        clash = con.execute(
            "SELECT round_id FROM assignments WHERE user_id = ? AND institution_id = ?",
            [user_id, own],
        ).fetchone()
        if clash:
            raise UserError(
                f"{username} is assigned to {own} as a monitor in {clash[0]}: "
                "unassign first (one person cannot be insider and outsider of one institution)"
            )
        con.execute("UPDATE users SET institution_id = ? WHERE user_id = ?", [own, user_id])
    if con.execute(
        "SELECT 1 FROM user_roles WHERE user_id = ? AND role = ?", [user_id, role]
    ).fetchone():
        return False
    con.execute("INSERT INTO user_roles VALUES (?, ?)", [user_id, role])
    record_event(con, username, "role_granted", actor, role)
    return True


def revoke_role(con: duckdb.DuckDBPyConnection, actor: User, username: str, role: str) -> bool:
    """Take a role away (admin only); True if the user had it. Not the last admin's."""
    _may_manage(con, actor, "revoke roles")
    _check_roles([role])
    with transaction(con):
        user_id, active, _ = _user_row(con, username)
        if (
            role == "admin"
            and active
            and active_admins(con) <= 1
            and con.execute(
                "SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'admin'", [user_id]
            ).fetchone()
        ):
            raise UserError(f"{username} is the last active admin")
        n = con.execute(
            "DELETE FROM user_roles WHERE user_id = ? AND role = ? RETURNING role",
            [user_id, role],
        ).fetchall()
        if n:
            record_event(con, username, "role_revoked", actor, role)
        return bool(n)


# --- assignments -----------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """An institution a user assesses in a round, and from which perspective."""

    institution_id: str
    round_id: str
    perspective: str  # insider or outsider


def assign(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    username: str,
    institution_id: str,
    round_id: str,
) -> bool:
    """Assign a monitor to assess an institution in a round (admin only); True if new."""
    _may_manage(con, actor, "assign monitors")
    with transaction(con):
        return _assign(con, actor, username, institution_id, round_id)


def _assign(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    username: str,
    institution_id: str,
    round_id: str,
) -> bool:
    user_id, _, own = _user_row(con, username)
    if not con.execute(
        "SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'monitor'", [user_id]
    ).fetchone():
        raise UserError(f"{username} is not a monitor: grant the monitor role first")
    _check_institution(con, institution_id)
    _check_round(con, round_id)
    if (
        own == institution_id
        and con.execute(
            "SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'insider'", [user_id]
        ).fetchone()
    ):
        raise UserError(
            f"{username} is an insider of {institution_id}: an insider cannot also be "
            "its outside monitor"
        )
    if con.execute(
        "SELECT 1 FROM assignments WHERE user_id = ? AND institution_id = ? AND round_id = ?",
        [user_id, institution_id, round_id],
    ).fetchone():
        return False
    con.execute("INSERT INTO assignments VALUES (?, ?, ?)", [user_id, institution_id, round_id])
    record_event(con, username, "assigned", actor, f"{institution_id} in {round_id}")
    return True


def unassign(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    username: str,
    institution_id: str,
    round_id: str,
) -> bool:
    """Remove a monitor's assignment (admin only); True if there was one."""
    _may_manage(con, actor, "unassign monitors")
    with transaction(con):
        user_id, _, _ = _user_row(con, username)
        n = con.execute(
            "DELETE FROM assignments WHERE user_id = ? AND institution_id = ? AND round_id = ?"
            " RETURNING user_id",
            [user_id, institution_id, round_id],
        ).fetchall()
        if n:
            record_event(con, username, "unassigned", actor, f"{institution_id} in {round_id}")
        return bool(n)


def assignments(
    con: duckdb.DuckDBPyConnection, user: User, round_id: str | None = None
) -> list[Assignment]:
    """What `user` may assess: a monitor's assigned institutions per round (outsider), an
    insider's own institution in every round (insider); optionally only one round."""
    out: list[Assignment] = []
    if "insider" in user.roles and user.institution_id:
        rounds = con.execute(
            "SELECT round_id FROM rounds WHERE ? IS NULL OR round_id = ? ORDER BY starts_on",
            [round_id, round_id],
        ).fetchall()
        out += [Assignment(user.institution_id, r[0], "insider") for r in rounds]
    if "monitor" in user.roles:
        rows = con.execute(
            "SELECT a.institution_id, a.round_id FROM assignments a JOIN rounds r USING"
            " (round_id) WHERE a.user_id = ? AND (? IS NULL OR a.round_id = ?)"
            " ORDER BY r.starts_on, a.institution_id",
            [user.user_id, round_id, round_id],
        ).fetchall()
        out += [Assignment(i, r, "outsider") for i, r in rows]
    return out


def perspective_for(
    con: duckdb.DuckDBPyConnection, user: User, institution_id: str, round_id: str
) -> str:
    """'insider' or 'outsider': how `user` may assess this institution in this round.

    Raises PermissionDenied when the user is neither its insider nor assigned to it.
    """
    for a in assignments(con, user, round_id):
        if a.institution_id == institution_id:
            return a.perspective
    raise PermissionDenied(
        f"{user.username} is not assigned to {institution_id} in round {round_id}"
    )


# --- the command line's acting user ----------------------------------------------------


def actor_for_cli(
    con: duckdb.DuckDBPyConnection, username: str | None, password: str | None
) -> User:
    """Who runs a CLI command: `--as USER` with its password, or the local operator while
    the database has no active admin (first setup). Raises PermissionDenied / AuthError."""
    if username:
        if password is None:
            raise AuthError(f"no password for {username}: set $CLOSER_PASSWORD or type it")
        return authenticate(con, username, password)
    if active_admins(con) == 0:
        return LOCAL_OPERATOR
    raise PermissionDenied(
        "this database has users: say who acts with --as USER (or $CLOSER_USER); the "
        "password is read from $CLOSER_PASSWORD or asked for"
    )
