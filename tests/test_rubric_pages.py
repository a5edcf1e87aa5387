"""AppTest: login, logout, expiry, pages by role, the rubric form (draft, resume, submit,
reopen, each validation error) and the facilitator's results page."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from closer import auth
from rubrics import submissions as subs
from tests.conftest import REPO
from tests.rubric_world import make_world, password_of

TIMEOUT = 60


@pytest.fixture
def world(tmp_path, monkeypatch):
    w = make_world(tmp_path, monkeypatch)
    monkeypatch.setenv("CLOSER_DB", str(w.db_path))
    return w


def app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)


def login(username: str, password: str | None = None) -> AppTest:
    at = app().run()
    at.sidebar.text_input(key="closer_login_username").input(username)
    at.sidebar.text_input(key="closer_login_password").input(password or password_of(username))
    at.sidebar.form_submit_button[0].click().run()
    assert not at.exception, at.exception
    return at


def pages(at: AppTest) -> set[str]:
    return {info.get("url_pathname") for info in at._registered_pages.values()}


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Navigate like a click in the sidebar (AppTest.switch_page needs file-based pages)."""
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path]
    assert hashes, f"{url_path} is not registered for this user: {pages(at)}"
    at._page_hash = hashes[0]
    at.run()
    at._page_hash = ""
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def radio(at: AppTest, criterion_id: str):
    return next(r for r in at.radio if r.key and r.key.endswith(f":{criterion_id}"))


def evidence(at: AppTest, criterion_id: str):
    return next(
        t
        for t in at.text_input
        if t.key and t.key.endswith(f":{criterion_id}") and t.key.startswith("evidence:")
    )


def button(at: AppTest, label: str):
    return next(b for b in at.form_submit_button if b.label == label)


def open_form(username: str, round_id: str = "r1", institution: str = "I1") -> AppTest:
    at = open_page(login(username), "rubric_form")
    at.selectbox[0].set_value(round_id).run()
    at.selectbox(key="rubric_task").set_value(institution).run()
    assert not at.exception, at.exception
    return at


def stored(world):
    with world.connect() as con:
        return con.execute(
            "SELECT s.submission_id, u.username, s.institution_id, s.status, sc.criterion_id,"
            " sc.score, sc.evidence FROM rubric_submissions s JOIN users u USING (user_id)"
            " JOIN rubric_scores sc USING (submission_id) ORDER BY 2, 3, 5"
        ).fetchall()


# --- login, logout, expiry, pages by role ----------------------------------------------


def test_login_logout_and_wrong_password(world):
    at = app().run()
    assert "rubric_form" not in pages(at) and "rubric_results" not in pages(at)
    at.sidebar.text_input(key="closer_login_username").input("m1")
    at.sidebar.text_input(key="closer_login_password").input("not the password")
    at.sidebar.form_submit_button[0].click().run()
    assert "Not logged in: wrong username or password." in texts(at.sidebar.error)
    assert at.sidebar.text_input(key="closer_login_password").value == ""  # not kept
    assert "closer_user" not in at.session_state
    at = login("m1")
    assert "Signed in as **m1**" in texts(at.sidebar.markdown)
    assert "rubric_form" in pages(at)
    at.sidebar.button(key="closer_logout").click().run()
    assert "closer_user" not in at.session_state
    assert "You are logged out." in texts(at.sidebar.info)
    assert "rubric_form" not in pages(at)
    with world.connect() as con:
        events = con.execute(
            "SELECT username, event FROM auth_events WHERE event IN"
            " ('login_ok', 'login_failed', 'logout') ORDER BY rowid"
        ).fetchall()
    assert events == [("m1", "login_failed"), ("m1", "login_ok"), ("m1", "logout")]
    with world.connect() as con:
        con.execute("CHECKPOINT")
    raw = world.db_path.read_bytes()
    for typed in ("not the password", password_of("m1")):
        assert typed.encode() not in raw
        assert all(typed not in str(v) for v in at.session_state.to_dict().values())


@pytest.mark.parametrize(
    ("who", "visible", "hidden"),
    [
        ("m1", {"rubric_form"}, {"rubric_results"}),
        ("i1a", {"rubric_form"}, {"rubric_results"}),
        ("facilitator", {"rubric_results"}, {"rubric_form"}),
        ("admin", {"rubric_results"}, {"rubric_form"}),
        ("juror", set(), {"rubric_form", "rubric_results"}),
        ("chair", set(), {"rubric_form", "rubric_results"}),
    ],
)
def test_pages_are_registered_by_role(world, who, visible, hidden):
    at = login(who)
    assert visible <= pages(at)
    assert not hidden & pages(at)


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("rubric_form", "juror"),
        ("rubric_form", "facilitator"),
        ("rubric_results", "m1"),
        ("rubric_results", "i1a"),
        ("rubric_results", None),
    ],
)
def test_a_role_cannot_open_another_roles_page_even_directly(world, page, who):
    script = f"from ui import session\nfrom ui.pages import {page}\n{page}.render()\n"
    at = AppTest.from_string(script, default_timeout=TIMEOUT)
    if who:
        at.session_state["closer_user"] = world.users[who]
    at.run()
    assert not at.exception
    assert texts(at.error).startswith("You do not have access to this page")
    assert not at.form_submit_button and not at.radio and not at.get("plotly_chart")


def test_session_expires_after_idle_time_and_disabled_users_are_signed_out(world):
    at = login("m1")
    at.session_state["closer_seen_at"] = time.time() - 31 * 60
    at.run()
    assert "closer_user" not in at.session_state
    assert "Your session expired: please log in again." in texts(at.sidebar.info)
    assert "rubric_form" not in pages(at)
    at = login("m2")
    with world.connect() as con:
        auth.set_active(con, world.users["admin"], "m2", False)
    at.run()
    assert "closer_user" not in at.session_state
    assert "not active" in texts(at.sidebar.info)


def test_roles_are_read_from_the_database_not_the_session(world):
    at = app()
    at.session_state["closer_user"] = auth.User(
        world.users["juror"].user_id, "juror", roles=["admin", "facilitator"]
    )
    at.run()
    assert at.session_state["closer_user"].roles == ("juror",)
    assert "rubric_results" not in pages(at)


# --- the rubric form -------------------------------------------------------------------


def test_form_draft_resume_submit_reopen(world):
    at = open_form("m1")
    assert [r.label for r in at.radio] == [
        "**Both views**",
        "**Evidence needed**",
        "**Outsiders only**",
    ]  # no insiders-only criterion
    assert "Nothing is stored until you save a draft" in texts(at.caption)
    figures = texts(at.caption)
    assert "posts per day: 0.00 (0 posts in 61 days)" in figures
    assert "response rate: n/a (no citizen comments collected in this round)" in figures
    # draft
    radio(at, "c_both").set_value(2)
    button(at, "Save draft").click().run()
    assert texts(at.success).startswith("**Saved.** Draft saved at ")
    assert texts(at.success).endswith("1 of 3 criteria scored.")
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in stored(world)] == [
        ("m1", "I1", "draft", "c_both", 2)
    ]
    sid = stored(world)[0][0]
    # resume in a new session (another day, another browser)
    at = open_form("m1")
    assert radio(at, "c_both").value == 2
    assert radio(at, "c_both").key == f"score:{sid}:c_both"
    assert "Draft last saved at" in texts(at.caption)
    # submit without the required evidence: refused, nothing stored
    radio(at, "c_ev").set_value(1)
    radio(at, "c_out").set_value(3)
    button(at, "Submit").click().run()
    assert "**Not saved.**" in texts(at.error)
    assert "Evidence needed: evidence required: add a link or a note" in texts(at.error)
    assert [r[3:6] for r in stored(world)] == [("draft", "c_both", 2)]
    # submit with it
    evidence(at, "c_ev").input("https://social.unu.example/@unu/1")
    button(at, "Submit").click().run()
    assert texts(at.success).startswith("**Saved.** Submitted at ")
    assert "read-only" in texts(at.info)
    assert not at.form_submit_button
    at.run()  # a rerun (or a double click) stores nothing twice
    assert [r[1:] for r in stored(world)] == [
        ("m1", "I1", "submitted", "c_both", 2, None),
        ("m1", "I1", "submitted", "c_ev", 1, "https://social.unu.example/@unu/1"),
        ("m1", "I1", "submitted", "c_out", 3, None),
    ]
    # the facilitator reopens it
    fac = open_page(login("facilitator"), "rubric_results")
    fac.selectbox(key="results_round").set_value("r1").run()
    fac.selectbox(key="reopen_sid").set_value(sid)
    fac.text_input(key="reopen_reason").input("c_out should be 2")
    next(b for b in fac.form_submit_button if b.label == "Reopen").click().run()
    assert not fac.exception, fac.exception
    assert "**Reopened.** m1 can edit I1 and submit again." in texts(fac.success)
    table = fac.dataframe[0].value
    assert list(table.loc[table["submission_id"] == sid, ["status", "reopened"]].iloc[0]) == [
        "draft",
        1,
    ]
    # the monitor edits and submits again, same submission
    at = open_form("m1")
    assert radio(at, "c_out").value == 3
    radio(at, "c_out").set_value(2)
    button(at, "Submit").click().run()
    assert texts(at.success).startswith("**Saved.** Submitted at ")
    rows = stored(world)
    assert {r[0] for r in rows} == {sid}
    assert [(r[4], r[5]) for r in rows] == [("c_both", 2), ("c_ev", 1), ("c_out", 2)]


def test_insider_form_shows_insider_criteria_for_their_institution_only(world):
    at = open_form("i1a")
    assert [o for o in at.selectbox(key="rubric_task").options] == [
        "Primăria Unu (I1) – insider, not started"
    ]
    assert [r.label for r in at.radio] == [
        "**Both views**",
        "**Evidence needed**",
        "**Insiders only**",
    ]


def test_form_not_assigned_any_more(world):
    at = open_form("m1")
    radio(at, "c_both").set_value(4)
    with world.connect() as con:
        auth.unassign(con, world.users["admin"], "m1", "I1", "r1")
    button(at, "Save draft").click().run()
    assert "institution not assigned: m1 is not assigned to assess I1 in round r1" in texts(
        at.error
    )
    assert "**Not saved.**" in texts(at.error)
    assert stored(world) == []


def test_form_wrong_perspective(world):
    at = open_form("m2")  # opened as I1's outside monitor
    radio(at, "c_both").set_value(1)
    with world.connect() as con:  # meanwhile m2 becomes an insider of I1
        admin = world.users["admin"]
        for r in ("r1", "r2"):
            auth.unassign(con, admin, "m2", "I1", r)
        auth.grant_role(con, admin, "m2", "insider", "I1")
    button(at, "Save draft").click().run()
    assert (
        "wrong perspective: this is an outsider assessment, but m2 assesses I1 as an "
        "insider in round r1; reload the page"
    ) in texts(at.error)
    assert stored(world) == []


def test_form_score_outside_the_scale_from_a_tampered_request(world):
    # The radio offers 0-4 only; a tampered request reaches the same server-side check.
    script = """
from rubrics import submissions as subs
from ui.pages import rubric_form
import streamlit as st
user = st.session_state["closer_user"]
task = subs.Task("I1", "Primăria Unu", "r1", "outsider", None, "not started", 0, None)
rubric_form.handle_save(user, task, "tampered-1", {"c_both": (7, None), "c_out": (-2, None)},
                        submit=False)
rubric_form.show_flash()
"""
    at = AppTest.from_string(script, default_timeout=TIMEOUT)
    at.session_state["closer_user"] = world.user("m1")
    at.run()
    assert not at.exception
    err = texts(at.error)
    assert "**Not saved.**" in err
    assert "Both views: score 7 is outside 0-4" in err
    assert "Outsiders only: score -2 is outside 0-4" in err
    assert stored(world) == []


def test_a_second_tab_resumes_the_same_submission(world):
    a = open_form("m1")
    radio(a, "c_both").set_value(1)
    button(a, "Save draft").click().run()
    b = open_form("m1")  # another tab: finds the draft, uses its id
    radio(b, "c_out").set_value(4)
    button(b, "Save draft").click().run()
    rows = stored(world)
    assert len({r[0] for r in rows}) == 1
    assert [(r[4], r[5]) for r in rows] == [("c_both", 1), ("c_out", 4)]


def test_nothing_assigned(world):
    at = open_page(login("m3"), "rubric_form")
    with world.connect() as con:
        for inst in ("I1", "I2"):
            for r in ("r1", "r2"):
                auth.unassign(con, world.users["admin"], "m3", inst, r)
    at.run()
    assert "Nothing assigned to you in this round" in texts(at.info)


# --- the facilitator's page ------------------------------------------------------------


def test_results_page_shows_gap_and_agreement_charts(world):
    ev = "https://example.org/e"
    with world.connect() as con:
        for who, inst, scores in [
            ("m1", "I1", {"c_both": 1, "c_ev": (0, ev), "c_out": 3}),
            ("m2", "I1", {"c_both": 2, "c_ev": (1, ev), "c_out": 3}),
            ("m3", "I1", {"c_both": 4, "c_ev": (1, ev), "c_out": 2}),
            ("i1a", "I1", {"c_both": 4, "c_ev": (2, ev), "c_in": 4}),
            ("i1b", "I1", {"c_both": 3, "c_ev": (4, ev), "c_in": 2}),
            ("m1", "I2", {"c_both": 2, "c_ev": (2, ev), "c_out": 2}),
        ]:
            subs.save(
                con,
                world.user(who),
                submission_id=f"{who}-{inst}",
                institution_id=inst,
                round_id="r1",
                scores=scores,
                submit=True,
            )
    at = open_page(login("facilitator"), "rubric_results")
    assert at.selectbox(key="results_round").value == "r1"  # the latest round with submissions
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) >= 4  # gap across, means and gap for I1, agreement
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Institutions with both views"] == "1"
    assert metrics["Mean gap, all criteria"] == "+1.75"  # (1.1667 + 2.3333) / 2
    assert "76.5%" in texts(at.caption)
    assert "α n/a for insiders, I2" not in texts(at.caption)  # I2 has no insider
    assert "α n/a for outsiders, I2: fewer than 2 raters rated the same units" in texts(at.caption)
    assert at.dataframe  # submissions table
    at.selectbox(key="results_round").set_value("r2").run()
    assert "n/a: no submitted assessment in this round yet." in texts(at.info)


def test_a_write_waits_for_another_sessions_read_in_the_same_server(world):
    import threading

    import duckdb

    from ui import session

    reader = duckdb.connect(str(world.db_path), read_only=True)
    threading.Timer(0.3, reader.close).start()  # another session's short read
    with session.short_connection(wait=5) as con:
        assert con.execute("SELECT count(*) FROM users").fetchone()[0] == 10
    reader = duckdb.connect(str(world.db_path), read_only=True)
    try:
        with (
            pytest.raises(session.db.DatabaseBusy, match="in use"),
            session.short_connection(wait=0.2),
        ):
            pass
    finally:
        reader.close()
