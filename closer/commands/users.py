"""`closer users add|list|disable|enable|assign|unassign|grant|revoke|passwd` (docs/users.md).

Who acts: `--as USER` (or $CLOSER_USER) with the password from $CLOSER_PASSWORD or a
prompt. While the database has no active admin, the person at the shell is the local
operator and may create the first admin (`closer users add ana --role admin`).
Other command modules reuse `add_actor_argument` and `acting_user`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

import duckdb

from closer import auth, db
from closer.cli import CliError


def add_actor_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--as USER` (default $CLOSER_USER) to a subcommand."""
    parser.add_argument(
        "--as",
        dest="acting_as",
        metavar="USER",
        default=None,
        help="act as this user (default $CLOSER_USER); password from $CLOSER_PASSWORD or a prompt",
    )


def _read_secret(prompt: str) -> str | None:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return None


def acting_user(args: argparse.Namespace, con: duckdb.DuckDBPyConnection) -> auth.User:
    """The user a command runs as (see module docstring); CliError when it cannot be told."""
    username = getattr(args, "acting_as", None) or os.environ.get("CLOSER_USER") or None
    password = None
    if username:
        password = os.environ.get("CLOSER_PASSWORD")
        if password is None:
            password = _read_secret(f"password for {username}: ")
    try:
        return auth.actor_for_cli(con, username, password)
    except (auth.AuthError, auth.PermissionDenied) as exc:
        raise CliError(str(exc)) from None


def _new_password(args: argparse.Namespace, username: str) -> tuple[str | None, bool]:
    """(password, generated) from --password-stdin / --generate-password / --no-password / a
    prompt typed twice."""
    if getattr(args, "no_password", False):
        return None, False
    if args.generate_password:
        return auth.generate_password(), True
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CliError("--password-stdin: no password on standard input")
        return line, False
    if not sys.stdin.isatty():
        raise CliError(
            "no password given: use --password-stdin, --generate-password"
            + (" or --no-password" if hasattr(args, "no_password") else "")
        )
    first = getpass.getpass(f"new password for {username}: ")
    if getpass.getpass("again: ") != first:
        raise CliError("the two passwords differ")
    return first, False


def _run(args: argparse.Namespace, action) -> int:
    with db.connect(args.db) as con:
        actor = acting_user(args, con)
        try:
            return action(con, actor)
        except (auth.PermissionDenied, auth.UserError) as exc:
            raise CliError(str(exc)) from None


def cmd_add(args: argparse.Namespace) -> int:
    def action(con, actor):
        password, generated = _new_password(args, args.username)
        user = auth.add_user(
            con,
            actor,
            args.username,
            roles=args.role,
            password=password,
            institution_id=args.institution,
            display_name=args.name,
        )
        print(
            f"added {user.username} ({', '.join(user.roles)})"
            + (f", institution {user.institution_id}" if user.institution_id else "")
            + ("" if password else "; no password: cannot log in")
        )
        if generated:
            # Shown once, to the admin at the terminal; never stored or logged.
            print(f"password for {user.username}: {password}")
        return 0

    return _run(args, action)


def cmd_list(args: argparse.Namespace) -> int:
    def action(con, actor):
        rows = auth.list_users(con, actor)
        print("username\troles\tinstitution\tactive\tcan_log_in\tassignments")
        for r in rows:
            print(
                f"{r['username']}\t{r['roles']}\t{r['institution_id'] or '-'}\t"
                f"{'yes' if r['active'] else 'no'}\t{'yes' if r['can_log_in'] else 'no'}\t"
                f"{r['assignments']}"
            )
        return 0

    return _run(args, action)


def cmd_disable(args: argparse.Namespace) -> int:
    def action(con, actor):
        auth.set_active(con, actor, args.username, args.active)
        print(f"{args.username} {'enabled' if args.active else 'disabled'}")
        return 0

    return _run(args, action)


def cmd_assign(args: argparse.Namespace) -> int:
    def action(con, actor):
        fn = auth.unassign if args.remove else auth.assign
        for inst in args.institution:
            changed = fn(con, actor, args.username, inst, args.round)
            verb = "unassigned from" if args.remove else "assigned to"
            print(
                f"{args.username} {verb} {inst} in {args.round}"
                + ("" if changed else " (already so)")
            )
        return 0

    return _run(args, action)


def cmd_grant(args: argparse.Namespace) -> int:
    def action(con, actor):
        if args.revoke:
            changed = auth.revoke_role(con, actor, args.username, args.role)
        else:
            changed = auth.grant_role(con, actor, args.username, args.role, args.institution)
        verb = "revoked from" if args.revoke else "granted to"
        print(f"{args.role} {verb} {args.username}" + ("" if changed else " (already so)"))
        return 0

    return _run(args, action)


def cmd_passwd(args: argparse.Namespace) -> int:
    def action(con, actor):
        password, generated = _new_password(args, args.username)
        assert password is not None
        auth.set_password(con, actor, args.username, password)
        print(f"password set for {args.username}")
        if generated:
            print(f"password for {args.username}: {password}")
        return 0

    return _run(args, action)


def _password_options(p: argparse.ArgumentParser, allow_none: bool) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    g.add_argument(
        "--generate-password",
        action="store_true",
        help="generate a random password and print it once",
    )
    if allow_none:
        g.add_argument(
            "--no-password",
            action="store_true",
            help="no password: the user cannot log in (e.g. a paper-form rater)",
        )


def register(sub) -> None:
    p = sub.add_parser("users", help="users, roles and assignments (admin)")
    us = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    q = us.add_parser("add", help="add a user with one or more roles")
    q.add_argument("username")
    q.add_argument(
        "--role",
        action="append",
        required=True,
        choices=auth.ROLES,
        help="a role (repeat for several)",
    )
    q.add_argument("--institution", help="an insider's own institution_id")
    q.add_argument("--name", help="display name")
    _password_options(q, allow_none=True)
    add_actor_argument(q)
    q.set_defaults(func=cmd_add)

    q = us.add_parser("list", help="list users")
    add_actor_argument(q)
    q.set_defaults(func=cmd_list)

    for name, active in (("disable", False), ("enable", True)):
        q = us.add_parser(
            name,
            help=f"{name} a user" + (" (cannot log in; open sessions end)" if not active else ""),
        )
        q.add_argument("username")
        add_actor_argument(q)
        q.set_defaults(func=cmd_disable, active=active)

    for name, remove in (("assign", False), ("unassign", True)):
        q = us.add_parser(
            name, help=f"{name} a monitor {'to' if not remove else 'from'} institutions in a round"
        )
        q.add_argument("username")
        q.add_argument(
            "--institution",
            action="append",
            required=True,
            help="institution_id (repeat for several)",
        )
        q.add_argument("--round", required=True, help="round_id")
        add_actor_argument(q)
        q.set_defaults(func=cmd_assign, remove=remove)

    for name, revoke in (("grant", False), ("revoke", True)):
        q = us.add_parser(name, help=f"{name} a role")
        q.add_argument("username")
        q.add_argument("role", choices=auth.ROLES)
        if not revoke:
            q.add_argument("--institution", help="for insider: the user's own institution_id")
        add_actor_argument(q)
        q.set_defaults(func=cmd_grant, revoke=revoke, institution=None)

    q = us.add_parser("passwd", help="set a password (admins: anyone's; users: their own)")
    q.add_argument("username")
    _password_options(q, allow_none=False)
    add_actor_argument(q)
    q.set_defaults(func=cmd_passwd)
