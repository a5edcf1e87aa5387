"""Who is using the app: login with username and password, logout, session expiry.

The signed-in user lives in `st.session_state` (server side) as a `User`; on every run
`current_user()` checks expiry (SESSION_IDLE_S since the last page view, SESSION_MAX_S
since login) and re-reads the user and roles from the database, so a disabled user or a
revoked role takes effect at the next click. Pages with ROLES are registered by
ui/router.py only for users holding one of them, and check again in render()
(ui.access.require_role). Passwords go straight to closer.auth.authenticate (bcrypt)
and are never kept: the login callback wipes the field before the page runs.

Tests may sign a user in with `st.session_state["closer_user"] = User(user_id, username)`
(the user must exist and be active in the database; roles are read from it).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import duckdb
import streamlit as st

from closer import auth, db
from closer.auth import User

__all__ = ["User", "current_user", "login", "logout", "require_role", "sidebar"]

log = logging.getLogger(__name__)

SESSION_IDLE_S = 30 * 60  # signed out after 30 minutes without a page view
SESSION_MAX_S = 12 * 3600  # and 12 hours after login in any case

USER_KEY = "closer_user"
LOGIN_AT_KEY = "closer_login_at"
SEEN_AT_KEY = "closer_seen_at"
NOTICE_KEY = "closer_auth_notice"

USER_SQL = """
SELECT u.user_id, u.username, u.display_name, u.institution_id,
       coalesce((SELECT list(role ORDER BY role) FROM user_roles r WHERE r.user_id = u.user_id),
                []) AS roles
FROM users u WHERE u.user_id = ? AND u.active
"""


@contextlib.contextmanager
def short_connection(
    read_only: bool = False, wait: float = 10.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short connection to the app's database for a page action or a fresh read.

    Like ui.data.writer(), and also waits (up to `wait` s, then db.DatabaseBusy) while
    another session of this same server holds a connection of the other kind: DuckDB
    refuses a read-write and a read-only connection to one file in one process.
    """
    from ui import data

    deadline = time.monotonic() + wait
    while True:
        try:
            con = db.open_connection(data.db_path(), read_only=read_only, wait=wait)
            break
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc) or time.monotonic() > deadline:
                raise db.DatabaseBusy(f"the database is in use: {exc}") from exc
            time.sleep(0.05)
    try:
        yield con
    finally:
        con.close()


def _record(username: str, event: str) -> None:
    try:
        with short_connection() as con:
            auth.record_event(con, username, event)
    except (db.DatabaseBusy, OSError) as exc:  # the event log is best effort
        log.warning("could not record %s for %s: %s", event, username, exc)


def _end(notice: str | None, event: str | None) -> None:
    user = st.session_state.get(USER_KEY)
    for k in (USER_KEY, LOGIN_AT_KEY, SEEN_AT_KEY):
        st.session_state.pop(k, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if user is not None and event:
        _record(user.username, event)


def _reload(user: User) -> User | None:
    from ui import data

    try:
        df = data.query(USER_SQL, (user.user_id,))
    except data.Unavailable:
        return None
    if df.empty:
        return None
    r = df.iloc[0]
    roles = sorted(r["roles"], key=lambda x: (auth.ROLES.index(x) if x in auth.ROLES else 99, x))
    inst = r["institution_id"] if isinstance(r["institution_id"], str) else None
    name = r["display_name"] if isinstance(r["display_name"], str) else None
    return User(r["user_id"], r["username"], tuple(roles), inst, name)


def current_user() -> User | None:
    """The signed-in, active user with roles fresh from the database; None if signed out,
    expired or disabled."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    now = time.time()
    login_at = st.session_state.setdefault(LOGIN_AT_KEY, now)
    seen_at = st.session_state.get(SEEN_AT_KEY, now)
    if now - seen_at > SESSION_IDLE_S or now - login_at > SESSION_MAX_S:
        _end("Your session expired: please log in again.", "session_expired")
        return None
    fresh = _reload(user)
    if fresh is None:
        _end("You were signed out: this account is not active.", None)
        return None
    st.session_state[USER_KEY] = fresh
    st.session_state[SEEN_AT_KEY] = now
    return fresh


def login(username: str, password: str) -> User:
    """Check the password (closer.auth) and sign the user in; raises auth.AuthError."""
    with short_connection() as con:
        user = auth.authenticate(con, username.strip(), password)
    now = time.time()
    st.session_state[USER_KEY] = user
    st.session_state[LOGIN_AT_KEY] = now
    st.session_state[SEEN_AT_KEY] = now
    return user


def logout() -> None:
    """Sign out (recorded in auth_events)."""
    _end("You are logged out.", "logout")


def require_role(*roles: str) -> User:
    """Stop the page unless the current user holds one of `roles`; returns the user."""
    user = current_user()
    if user is None or not user.has(*roles):
        st.error(
            "You do not have access to this page"
            + ("." if user else ": log in with an account that has the role.")
        )
        st.stop()
    return user


LOGIN_ERROR_KEY = "closer_login_error"


def _on_login() -> None:
    # A callback runs before the script: the user is signed in for this very run, and the
    # password is wiped from the widget state at once (never kept in the session).
    username = (st.session_state.get("closer_login_username") or "").strip()
    password = st.session_state.get("closer_login_password") or ""
    st.session_state["closer_login_password"] = ""
    if not username or not password:
        st.session_state[LOGIN_ERROR_KEY] = "Give your username and password."
        return
    try:
        login(username, password)
    except auth.AuthError as exc:
        st.session_state[LOGIN_ERROR_KEY] = f"Not logged in: {exc}."
    except db.DatabaseBusy:
        st.session_state[LOGIN_ERROR_KEY] = "Not logged in: the database is busy; try again."
    else:
        st.session_state["closer_login_username"] = ""


def _login_form() -> None:
    with st.form("closer_login"):
        st.markdown("**Log in**")
        st.text_input("Username", key="closer_login_username")
        st.text_input("Password", type="password", key="closer_login_password")
        st.form_submit_button("Log in", on_click=_on_login)
    error = st.session_state.pop(LOGIN_ERROR_KEY, None)
    if error:
        st.error(error)


def sidebar(user: User | None) -> None:
    """Login form or who is signed in with a logout button; data freshness."""
    from ui.data import data_as_of

    with st.sidebar:
        notice = st.session_state.pop(NOTICE_KEY, None)
        if user is None:
            if notice:
                st.info(notice)
            _login_form()
        else:
            st.markdown(
                f"Signed in as **{user.label}**  \n{', '.join(user.roles)}"
                + (f" · {user.institution_id}" if user.institution_id else "")
            )
            if st.button("Log out", key="closer_logout"):
                logout()
                st.rerun()
        st.caption(data_as_of())
        if st.session_state.get("closer_busy"):
            st.info("A collection is in progress: showing the last data read.")
