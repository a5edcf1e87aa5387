"""Users, passwords, roles and permission checks: database layer and command line."""

from __future__ import annotations

import io
import logging
import sys

import duckdb
import pytest

from closer import auth, db
from closer.cli import main
from rubrics import submissions as subs
from tests.rubric_world import make_world, password_of


@pytest.fixture
def world(tmp_path, monkeypatch):
    return make_world(tmp_path, monkeypatch)


def cli(world, *args, as_user=None, password=None, monkeypatch=None, stdin=None):
    argv = ["--db", str(world.db_path), *args]
    if as_user:
        argv += ["--as", as_user]
    if monkeypatch is not None:
        if password is None:
            monkeypatch.delenv("CLOSER_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("CLOSER_PASSWORD", password)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
    return main(argv)


# --- passwords -------------------------------------------------------------------------


def test_passwords_are_bcrypt_hashed_and_checked(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    h = auth.hash_password("correct horse battery")
    assert h.startswith("$2b$04$") and len(h) == 60
    assert auth.verify_password("correct horse battery", h)
    assert not auth.verify_password("correct horse batterY", h)
    assert not auth.verify_password("correct horse battery", None)
    assert auth.hash_password("correct horse battery") != h  # salted
    with pytest.raises(auth.UserError, match="too short"):
        auth.hash_password("short")
    with pytest.raises(auth.UserError, match="too long"):
        auth.hash_password("ă" * 37)  # 74 bytes in UTF-8


def test_login_with_the_right_password_only(world):
    with world.connect() as con:
        u = auth.authenticate(con, "m1", password_of("m1"))
        assert (u.username, u.roles, u.institution_id) == ("m1", ("monitor",), None)
        i = auth.authenticate(con, "i1a", password_of("i1a"))
        assert (i.roles, i.institution_id) == (("insider",), "I1")
        messages = set()
        for name, pw in (("m1", "wrong password!!"), ("nobody", password_of("m1"))):
            with pytest.raises(auth.AuthError) as e:
                auth.authenticate(con, name, pw)
            messages.add(str(e.value))
        assert messages == {"wrong username or password"}  # never says which
        auth.set_active(con, world.users["admin"], "m2", False)
        with pytest.raises(auth.AuthError, match="wrong username or password"):
            auth.authenticate(con, "m2", password_of("m2"))
        assert auth.load_user(con, world.users["m2"].user_id) is None
        auth.add_user(con, world.users["admin"], "paper", roles=["monitor"])
        with pytest.raises(auth.AuthError):
            auth.authenticate(con, "paper", "")
        events = con.execute(
            "SELECT username, event FROM auth_events WHERE event LIKE 'login%' ORDER BY rowid"
        ).fetchall()
    assert events == [
        ("m1", "login_ok"),
        ("i1a", "login_ok"),
        ("m1", "login_failed"),
        ("nobody", "login_failed"),
        ("m2", "login_failed"),
        ("paper", "login_failed"),
    ]


def test_five_failed_logins_lock_the_username_for_a_while(world):
    with world.connect() as con:
        for _ in range(auth.LOCKOUT_FAILURES):
            with pytest.raises(auth.AuthError, match="wrong username"):
                auth.authenticate(con, "m1", "not the password")
        with pytest.raises(auth.AuthError, match="too many failed attempts"):
            auth.authenticate(con, "m1", password_of("m1"))
        # other users are not affected
        assert auth.authenticate(con, "m2", password_of("m2")).username == "m2"
        # an admin setting a new password lifts the lock
        auth.set_password(con, world.users["admin"], "m1", "a brand new password")
        assert auth.authenticate(con, "m1", "a brand new password").username == "m1"


def _all_text_in_database(path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        cols = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE data_type = 'VARCHAR'"
        ).fetchall()
        parts = []
        for t, c in cols:
            parts += [str(r[0]) for r in con.execute(f'SELECT "{c}" FROM "{t}"').fetchall()]
    return "\n".join(parts)


def test_passwords_are_never_stored_or_logged_in_clear(world, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    secret_new = "Zebra-Quartz-Plover-42"
    secret_changed = "Mango-Violet-Harbor-77"
    wrong = "Wrong-Guess-Lantern-13"
    admin_pw = password_of("admin")
    assert (
        cli(
            world,
            "-vv",
            "users",
            "add",
            "ana",
            "--role",
            "monitor",
            "--password-stdin",
            as_user="admin",
            password=admin_pw,
            monkeypatch=monkeypatch,
            stdin=secret_new + "\n",
        )
        == 0
    )
    assert (
        cli(
            world,
            "-vv",
            "users",
            "passwd",
            "ana",
            "--password-stdin",
            as_user="admin",
            password=admin_pw,
            monkeypatch=monkeypatch,
            stdin=secret_changed + "\n",
        )
        == 0
    )
    assert (
        cli(world, "-vv", "users", "list", as_user="ana", password=wrong, monkeypatch=monkeypatch)
        == 1
    )
    assert (
        cli(
            world,
            "-vv",
            "users",
            "list",
            as_user="facilitator",
            password=password_of("facilitator"),
            monkeypatch=monkeypatch,
        )
        == 0
    )
    with world.connect() as con:
        assert auth.authenticate(con, "ana", secret_changed).username == "ana"
        con.execute("CHECKPOINT")
    out = capsys.readouterr()
    logged = caplog.text + out.out + out.err
    raw = world.db_path.read_bytes()
    wal = world.db_path.with_name(world.db_path.name + ".wal")
    raw += wal.read_bytes() if wal.exists() else b""
    text = _all_text_in_database(world.db_path)
    for secret in (secret_new, secret_changed, wrong, admin_pw, password_of("facilitator")):
        assert secret not in logged
        assert secret.encode() not in raw
        assert secret not in text
    assert "$2b$04$" in text  # what is stored: the bcrypt hash
    assert "ana" in logged  # the log does talk about the user


def test_generated_password_is_printed_once_and_only_its_hash_stored(world, monkeypatch, capsys):
    assert (
        cli(
            world,
            "users",
            "add",
            "bob",
            "--role",
            "insider",
            "--institution",
            "I2",
            "--generate-password",
            as_user="admin",
            password=password_of("admin"),
            monkeypatch=monkeypatch,
        )
        == 0
    )
    out = capsys.readouterr().out
    line = [x for x in out.splitlines() if x.startswith("password for bob: ")]
    assert len(line) == 1
    pw = line[0].split(": ", 1)[1]
    assert len(pw) == 16
    with world.connect() as con:
        assert auth.authenticate(con, "bob", pw).institution_id == "I2"
    assert pw not in _all_text_in_database(world.db_path)


# --- roles through the database layer --------------------------------------------------


@pytest.mark.parametrize("who", ["facilitator", "m1", "i1a", "juror", "chair"])
def test_only_admins_manage_users(world, who):
    actor = world.users[who]
    with world.connect() as con:
        for call in (
            lambda: auth.add_user(con, actor, "x", roles=["monitor"]),
            lambda: auth.set_active(con, actor, "m2", False),
            lambda: auth.grant_role(con, actor, "m2", "admin"),
            lambda: auth.revoke_role(con, actor, "m2", "monitor"),
            lambda: auth.assign(con, actor, "m2", "I3", "r1"),
            lambda: auth.unassign(con, actor, "m2", "I1", "r1"),
            lambda: auth.set_password(con, actor, "m2", "another password"),
        ):
            with pytest.raises(auth.PermissionDenied, match="needs admin"):
                call()
        assert con.execute("SELECT count(*) FROM users WHERE username = 'x'").fetchone()[0] == 0
        assert auth.find_user(con, "m2").roles == ("monitor",)


@pytest.mark.parametrize("who", ["m1", "i1a", "juror", "chair"])
def test_raters_and_jurors_cannot_use_facilitator_actions(world, who):
    actor = world.users[who]
    with world.connect() as con:
        with pytest.raises(auth.PermissionDenied):
            auth.list_users(con, actor)
        with pytest.raises(auth.PermissionDenied):
            subs.reopen(con, actor, "any", "because")
        with pytest.raises(auth.PermissionDenied):
            subs.export_rows(con, actor)
        with pytest.raises(auth.PermissionDenied):
            subs.import_csv(con, actor, "/nonexistent.csv")


@pytest.mark.parametrize("who", ["admin", "facilitator", "juror", "chair"])
def test_only_monitors_and_insiders_fill_in_the_rubric(world, who):
    with world.connect() as con:
        with pytest.raises(auth.PermissionDenied, match="needs monitor or insider"):
            subs.save(
                con,
                world.users[who],
                submission_id="s1",
                institution_id="I1",
                round_id="r1",
                scores={"c_both": 2},
            )
        assert con.execute("SELECT count(*) FROM rubric_submissions").fetchone()[0] == 0


def test_the_local_operator_exists_only_until_the_first_admin(tmp_path, monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    with db.connect(tmp_path / "fresh.duckdb") as con:
        op = auth.actor_for_cli(con, None, None)
        assert op is auth.LOCAL_OPERATOR
        auth.add_user(con, op, "first", roles=["admin"], password="first admin password")
        with pytest.raises(auth.PermissionDenied, match="--as USER"):
            auth.actor_for_cli(con, None, None)
        with pytest.raises(auth.PermissionDenied, match="has an admin"):
            auth.add_user(con, op, "second", roles=["admin"], password="second admin pw!")
        assert auth.actor_for_cli(con, "first", "first admin password").roles == ("admin",)


def test_the_last_admin_cannot_be_disabled_or_demoted(world):
    admin = world.users["admin"]
    with world.connect() as con:
        with pytest.raises(auth.UserError, match="last active admin"):
            auth.set_active(con, admin, "admin", False)
        with pytest.raises(auth.UserError, match="last active admin"):
            auth.revoke_role(con, admin, "admin", "admin")
        auth.grant_role(con, admin, "facilitator", "admin")
        auth.set_active(con, admin, "admin", False)
        assert auth.active_admins(con) == 1


def test_assignment_rules(world):
    admin = world.users["admin"]
    with world.connect() as con:
        with pytest.raises(auth.UserError, match="not a monitor"):
            auth.assign(con, admin, "i1a", "I2", "r1")
        with pytest.raises(auth.UserError, match="no institution 'I9'"):
            auth.assign(con, admin, "m1", "I9", "r1")
        with pytest.raises(auth.UserError, match="no round 'r9'"):
            auth.assign(con, admin, "m1", "I3", "r9")
        assert auth.assign(con, admin, "m1", "I3", "r1") is True
        assert auth.assign(con, admin, "m1", "I3", "r1") is False
        # an insider of I1 who also monitors cannot monitor I1
        auth.grant_role(con, admin, "i1a", "monitor")
        with pytest.raises(auth.UserError, match="cannot also be its outside monitor"):
            auth.assign(con, admin, "i1a", "I1", "r1")
        auth.assign(con, admin, "i1a", "I2", "r1")
        i1a = auth.find_user(con, "i1a")
        assert auth.assignments(con, i1a, "r1") == [
            auth.Assignment("I1", "r1", "insider"),
            auth.Assignment("I2", "r1", "outsider"),
        ]
        with pytest.raises(auth.UserError, match="belongs to I1"):
            auth.grant_role(con, admin, "i1a", "insider", "I2")
        with pytest.raises(auth.UserError, match="give --institution"):
            auth.add_user(con, admin, "lonely", roles=["insider"])
        with pytest.raises(auth.UserError, match="unknown role 'mayor'"):
            auth.add_user(con, admin, "lonely", roles=["mayor"])
        with pytest.raises(auth.UserError, match="already exists"):
            auth.add_user(con, admin, "m1", roles=["monitor"])


def test_users_change_their_own_password_only(world):
    with world.connect() as con:
        auth.set_password(con, world.users["m1"], "m1", "my own new password")
        assert auth.authenticate(con, "m1", "my own new password").username == "m1"
        with pytest.raises(auth.PermissionDenied):
            auth.set_password(con, world.users["m1"], "m2", "not mine to set")


# --- roles through the command line ----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "args"),
    [
        ("m1", ["users", "add", "x", "--role", "admin", "--no-password"]),
        ("facilitator", ["users", "assign", "m1", "--institution", "I3", "--round", "r1"]),
        ("i1a", ["users", "disable", "m2"]),
        ("juror", ["users", "grant", "juror", "admin"]),
        ("m1", ["users", "list"]),
        ("i1a", ["rubric", "results", "--round", "r1"]),
        ("m1", ["rubric", "agreement", "--round", "r1"]),
        ("juror", ["rubric", "export"]),
        ("chair", ["rubric", "reopen", "abc", "--reason", "x"]),
        ("m2", ["rubric", "import-submissions", "/nonexistent.csv"]),
    ],
)
def test_a_role_cannot_act_through_the_cli(world, monkeypatch, capsys, who, args):
    rc = cli(world, *args, as_user=who, password=password_of(who), monkeypatch=monkeypatch)
    err = capsys.readouterr().err
    assert rc == 1
    assert f"closer: {who} (" in err and "may not" in err
    with world.connect() as con:
        assert con.execute("SELECT count(*) FROM users").fetchone()[0] == 10
        assert auth.find_user(con, "m2") is not None
        assert auth.find_user(con, "juror").roles == ("juror",)


def test_the_cli_needs_to_know_who_acts(world, monkeypatch, capsys):
    assert cli(world, "users", "list", monkeypatch=monkeypatch) == 1
    assert "--as USER" in capsys.readouterr().err
    assert (
        cli(
            world,
            "users",
            "list",
            as_user="admin",
            password="not the password",
            monkeypatch=monkeypatch,
        )
        == 1
    )
    assert "wrong username or password" in capsys.readouterr().err
    monkeypatch.setenv("CLOSER_USER", "admin")
    monkeypatch.setenv("CLOSER_PASSWORD", password_of("admin"))
    assert main(["--db", str(world.db_path), "users", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "username\troles\tinstitution\tactive\tcan_log_in\tassignments"
    assert "m1\tmonitor\t-\tyes\tyes\t4" in out
    assert "i1a\tinsider\tI1\tyes\tyes\t0" in out


def test_admin_manages_users_through_the_cli(world, monkeypatch, capsys):
    def run(*args, stdin=None):
        return cli(
            world,
            *args,
            as_user="admin",
            password=password_of("admin"),
            monkeypatch=monkeypatch,
            stdin=stdin,
        )

    assert (
        run(
            "users",
            "add",
            "vera",
            "--role",
            "monitor",
            "--role",
            "juror",
            "--name",
            "Vera V.",
            "--password-stdin",
            stdin="vera's long password\n",
        )
        == 0
    )
    assert (
        run(
            "users", "assign", "vera", "--institution", "I1", "--institution", "I3", "--round", "r2"
        )
        == 0
    )
    assert run("users", "unassign", "vera", "--institution", "I1", "--round", "r2") == 0
    assert run("users", "grant", "vera", "facilitator") == 0
    assert run("users", "revoke", "vera", "juror") == 0
    assert run("users", "disable", "vera") == 0
    out = capsys.readouterr().out
    assert "added vera (monitor, juror)" in out
    assert "vera assigned to I3 in r2" in out
    with world.connect() as con:
        assert auth.find_user(con, "vera") is None  # disabled
        row = con.execute(
            "SELECT u.active, list(r.role ORDER BY r.role), u.display_name FROM users u"
            " JOIN user_roles r USING (user_id) WHERE username = 'vera' GROUP BY ALL"
        ).fetchone()
        assert row == (False, ["facilitator", "monitor"], "Vera V.")
        assert con.execute(
            "SELECT a.institution_id, a.round_id FROM assignments a JOIN users u USING (user_id)"
            " WHERE username = 'vera'"
        ).fetchall() == [("I3", "r2")]
    assert run("users", "enable", "vera") == 0
    assert run("users", "add", "vera", "--role", "monitor", "--no-password") == 1
    assert "already exists" in capsys.readouterr().err


def test_documented_user_commands_parse():
    from closer.cli import build_parser
    from tests.conftest import REPO
    from tests.rubric_world import documented_commands

    commands = documented_commands(REPO / "docs" / "users.md")
    assert len(commands) == 12
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(argv)
        assert args.func is not None, argv
