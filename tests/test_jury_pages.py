"""AppTests of the jury pages: blind scoring and recusal on the juror's page; progress,
closing, rankings side by side, shortlist, awards, audit and exports on the chair's page.
The acceptance case and its fixture are in test_jury_case.py."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from closer import auth, db
from rubrics.jury import store
from tests.test_jury_case import BALLOTS, jury_db, scores_csv, user  # noqa: F401 (fixture)


def _page(page: str) -> None:
    import importlib

    importlib.import_module(f"ui.pages.{page}").render()


def open_page(monkeypatch, db_path, page: str, username: str) -> AppTest:
    monkeypatch.setenv("CLOSER_DB", str(db_path))
    with db.connect(db_path, read_only=True) as con:
        u = user(con, username)
    at = AppTest.from_function(_page, args=(page,), default_timeout=60)
    at.session_state["closer_user"] = auth.User(u.user_id, u.username)
    at.run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    """Everything the page shows as text: headings, notes, tables."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption",
                                  "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(str(p) for p in parts)


def table(at: AppTest, *columns: str):
    """The first table on the page with all these columns."""
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {columns}")


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def import_others(db_path, tmp_path, skip: str) -> None:
    ballots = {j: b for j, b in BALLOTS.items() if j != skip}
    (tmp_path / "others.csv").write_text(scores_csv(ballots))
    with db.connect(db_path) as con:
        store.import_scores(con, auth.LOCAL_OPERATOR, "acceptance", tmp_path / "others.csv")


def test_juror_scores_blind_and_sees_only_own_ballots(jury_db, tmp_path, monkeypatch):  # noqa: F811
    import_others(jury_db, tmp_path, skip="ana")
    at = open_page(monkeypatch, jury_db, "jury_scoring", "ana")
    assert at.title[0].value == "Jury scoring"
    assert "Blind scoring: you see only your own scores" in at.info[0].value
    mine = at.dataframe[0].value
    assert list(mine["status"]) == ["not started"] * 6
    at.selectbox(key="jury_practice:acceptance").set_value("P1").run()
    for cid, v in (("relevance", 7.0), ("impact", 7.0), ("transferability", 7.0)):
        at.selectbox(key=f"jury_score:acceptance:P1:{cid}").set_value(v)
    at.text_input(key="jury_comment:acceptance:P1:impact").input("reached 3 villages")
    button(at, "Submit").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "**Submitted** (P1)."
    with db.connect(jury_db, read_only=True) as con:
        ana = user(con, "ana")
        mine_db = store.my_ballots(con, ana, "acceptance")
    assert mine_db == {"P1": {"status": "submitted",
                              "scores": {"relevance": 7.0, "impact": 7.0, "transferability": 7.0},
                              "comments": {"relevance": None, "impact": "reached 3 villages",
                                           "transferability": None}}}
    text = page_text(at)
    # blind: 17 other ballots are in the database, none of them is on ana's page
    for other in ("bogdan", "carmen", "dan", "Other jurors' scores", "Results"):
        assert other not in text
    assert list(at.dataframe[0].value["status"]) == ["submitted"] + ["not started"] * 5
    # a draft with a score off nothing: saving a draft with one criterion is fine, not counted
    at.selectbox(key="jury_practice:acceptance").set_value("P2").run()
    at.selectbox(key="jury_score:acceptance:P2:impact").set_value(5.0)
    button(at, "Save draft").click().run()
    assert at.success[0].value == "**Draft saved** (P2)."
    # submitting an incomplete ballot is refused and says why
    button(at, "Submit").click().run()
    assert "Not saved" in at.error[0].value and "not scored: relevance, transferability" in (
        at.error[0].value)


def test_recused_juror_sees_why_and_no_ballot(jury_db, monkeypatch):  # noqa: F811
    at = open_page(monkeypatch, jury_db, "jury_scoring", "dan")
    assert list(at.dataframe[0].value["status"]) == ["not started", "recused"] + [
        "not started"] * 4
    at.selectbox(key="jury_practice:acceptance").set_value("P2").run()
    assert at.error[0].value == ("You are recused from this practice (belongs to the "
                                 "nominating institution BR-CJ): you can neither score it nor "
                                 "see its scores.")
    keys = {s.key for s in at.selectbox}
    assert not any(k.startswith("jury_score:acceptance:P2") for k in keys)
    assert not [b for b in at.button if b.label in ("Submit", "Save draft")]
    # another practice: ballot and the read-only evidence panel
    at.selectbox(key="jury_practice:acceptance").set_value("P1").run()
    ev = table(at, "figure", "value", "definition")
    shown = dict(zip(ev["figure"], ev["value"], strict=True))
    assert shown["followers (latest)"] == ("n/a (no follower count collected (or the "
                                           "platforms give none))")
    assert shown["monitoring rubric (0-4)"] == "n/a (no submitted assessment of this institution)"
    assert "jury_score:acceptance:P1:relevance" in {s.key for s in at.selectbox}


def test_after_closing_jurors_see_others_but_never_a_recused_practice(jury_db, tmp_path,  # noqa: F811
                                                                     monkeypatch):
    import_others(jury_db, tmp_path, skip="")
    with db.connect(jury_db) as con:
        store.close_round(con, user(con, "chair"), "acceptance")
    at = open_page(monkeypatch, jury_db, "jury_scoring", "ana")
    assert "The round is closed" in at.warning[0].value
    at.selectbox(key="jury_practice:acceptance").set_value("P1").run()
    others = table(at, "juror", "relevance")
    assert list(others["juror"]) == ["bogdan", "carmen", "dan"]
    assert list(others["relevance"]) == ["6", "5", "7"]
    res = table(at, "rank", "normalised_score", "notes")
    assert list(res["practice_id"]) == ["P1", "P2", "P3", "P4", "P6", "P5"]
    assert not [b for b in at.button if b.label == "Submit"]
    at = open_page(monkeypatch, jury_db, "jury_scoring", "dan")
    at.selectbox(key="jury_practice:acceptance").set_value("P2").run()
    assert "You are recused from this practice" in at.error[0].value
    assert not [d for d in at.dataframe if "criterion_id" in d.value.columns
                or ("juror" in d.value.columns and "relevance" in d.value.columns)]
    res = table(at, "rank", "normalised_score", "notes").set_index("practice_id")
    assert (res.loc["P2", "raw_score"], res.loc["P2", "normalised_score"]) == ("n/a", "n/a")
    assert res.loc["P2", "notes"] == ("you are recused from this practice: its scores are not "
                                      "shown to you")


def test_chair_page_progress_close_rankings_awards(jury_db, tmp_path, monkeypatch):  # noqa: F811
    import_others(jury_db, tmp_path, skip="carmen")
    at = open_page(monkeypatch, jury_db, "jury_chair", "chair")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Ballots submitted": "17 of 23", "Drafts": "0", "Recusals": "1"}
    prog = table(at, "juror", "P1", "P2").set_index("juror")
    assert prog.loc["dan", "P2"] == "recused" and prog.loc["carmen", "P1"] == "not started"
    assert "Provisional: the round is still open" in at.warning[0].value
    # closing needs the confirmation
    button(at, "Close the round").click().run()
    assert at.error[0].value == "**Not closed.** Tick the confirmation first."
    import_others(jury_db, tmp_path, skip="")  # carmen's paper ballots arrive
    at.checkbox(key="jury_close_sure:acceptance").check()
    button(at, "Close the round").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "**Round closed**: 23 ballots counted, 0 drafts not counted."
    raw = table(at, "raw rank", "raw score")
    norm = table(at, "rank", "normalised score")
    assert list(zip(raw["raw rank"], raw["practice"], raw["raw score"], strict=True)) == [
        (1, "P1", "6.12"), (2, "P3", "4.88"), (2, "P4", "4.88"), (4, "P2", "4.67"),
        (5, "P6", "4.38"), (6, "P5", "3.25")]
    assert list(zip(norm["rank"], norm["practice"], norm["normalised score"], strict=True)) == [
        (1, "P1", "5.38"), (2, "P2", "4.33"), (3, "P3", "4.12"), (4, "P4", "4.12"),
        (5, "P6", "3.62"), (6, "P5", "2.50")]
    assert norm["tie-break"].iloc[2].startswith("tie at 4.125 between P3, P4; higher mean impact")
    sev = table(at, "juror", "mean total").set_index("juror")
    assert (sev.loc["carmen", "mean total"], sev.loc["dan", "practices scored"]) == ("3.00", 5)
    # shortlist and awards
    at.multiselect(key="jury_shortlist_pick:acceptance").set_value(["P1", "P2", "P3"])
    button(at, "Save the shortlist").click().run()
    assert at.success[0].value == "**Shortlist saved**: 3 practices."
    at.selectbox(key="jury_award_practice:acceptance").set_value("P1")
    at.text_area(key="jury_award_citation:acceptance").input("Consulted every village.")
    button(at, "Save the award").click().run()
    assert at.success[0].value == "**P1: 1st place.**"
    at.selectbox(key="jury_award_practice:acceptance").set_value("P2")
    at.radio(key="jury_award_kind:acceptance").set_value("special mention")
    at.text_input(key="jury_award_mention:acceptance").input("inclusion")
    button(at, "Save the award").click().run()
    assert at.success[0].value == "**P2: Special mention: inclusion.**"
    awards = table(at, "practice", "award", "citation")
    assert list(zip(awards["practice"], awards["award"], strict=True)) == [
        ("P1", "1st place"), ("P2", "Special mention: inclusion")]
    audit = table(at, "audit_id", "action", "detail")
    actions = list(audit["action"])
    assert actions[:2] == ["competition_created", "practice_nominated"]
    assert actions.count("ballot_submitted") == 23
    assert actions[-6:] == ["round_closed", "shortlisted", "shortlisted", "shortlisted",
                            "awarded", "awarded"]
    assert json.loads(audit["detail"].iloc[-1])["award"] == "Special mention: inclusion"
    labels = {b.label for b in at.get("download_button")}
    assert {"Results (CSV)", "Good-practice guide (HTML)"} <= labels


def test_chair_page_refuses_a_juror(jury_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CLOSER_DB", str(jury_db))
    with db.connect(jury_db, read_only=True) as con:
        ana = user(con, "ana")
    at = AppTest.from_function(_page, args=("jury_chair",), default_timeout=60)
    at.session_state["closer_user"] = auth.User(ana.user_id, ana.username)
    at.run()
    assert at.error[0].value.startswith("You do not have access to this page")
    assert not at.dataframe


@pytest.mark.parametrize("page", ["jury_scoring", "jury_chair"])
def test_pages_say_so_when_the_user_has_no_competition(db_path, monkeypatch, page):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    with db.connect(db_path) as con:
        auth.add_user(con, auth.LOCAL_OPERATOR, "lonely", roles=["juror", "chair"])
    at = open_page(monkeypatch, db_path, page, "lonely")
    assert "You are not a juror of any competition" in at.info[0].value if page == (
        "jury_scoring") else "You chair no competition" in at.info[0].value
