"""AppTest of the Runs page (admin only) on a database with one partial run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from closer import auth, db, runs


def _page():
    from ui.pages import runs as page

    page.render()


def open_runs(monkeypatch, db_path, user):
    monkeypatch.setenv("CLOSER_DB", str(db_path))
    at = AppTest.from_function(_page, default_timeout=60)
    if user is not None:
        at.session_state["closer_user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def seed(db_path):
    with db.connect(db_path) as con:
        admin = auth.add_user(con, auth.LOCAL_OPERATOR, "ada", roles=["admin"], password="a-long-password-1")
        monitor = auth.add_user(con, admin, "mo", roles=["monitor"], password="a-long-password-2")
        con.execute("INSERT INTO institutions VALUES ('I1', 'Primăria X', 'city_hall', 'Județul X', 'X', 'RO', now())")
        con.execute("INSERT INTO accounts (account_id, institution_id, platform, handle, status, status_reason) VALUES"
                    " ('mastodon:a@x.example', 'I1', 'mastodon', '@a@x.example', 'active', NULL),"
                    " ('mastodon:gone@x.example', 'I1', 'mastodon', '@gone@x.example', 'not_found', 'HTTP 404')")
        run_id = runs.start(con, "collect", {})
        runs.record_account(con, run_id, "mastodon:a@x.example", "ok", posts=12, comments=30, requests=4)
        runs.record_account(con, run_id, "mastodon:gone@x.example", "failed", requests=1)
        runs.record_error(con, run_id, "mastodon:gone@x.example", "mastodon", "lookup", "account @gone@x.example not found (HTTP 404)")
        runs.finish(con, run_id, requests=5)
    return admin, monitor


def test_admin_sees_runs_counts_and_errors_per_account(monkeypatch, db_path):
    admin, _ = seed(db_path)
    at = open_runs(monkeypatch, db_path, admin)
    assert at.title[0].value == "Runs"
    assert [(m.label, m.value) for m in at.metric] == [("Last run", "partial"), ("Accounts ok", "1 / 2"), ("Posts stored", "12"), ("Errors", "1")]
    problems = at.dataframe[1].value
    assert list(problems["account_id"]) == ["mastodon:gone@x.example"] and list(problems["status"]) == ["not_found"]
    per_account = at.dataframe[2].value
    assert list(per_account["account_id"]) == ["mastodon:gone@x.example", "mastodon:a@x.example"]
    assert per_account.iloc[0]["errors"] == "lookup: account @gone@x.example not found (HTTP 404)"
    assert "closer collect" in at.markdown[0].value


def test_other_roles_are_refused(monkeypatch, db_path):
    _, monitor = seed(db_path)
    at = open_runs(monkeypatch, db_path, monitor)
    assert "You do not have access to this page" in at.error[0].value
    assert not at.dataframe
    at = open_runs(monkeypatch, db_path, None)
    assert "log in" in at.error[0].value
