"""Rubric submissions: drafts, submit, idempotency, validation, reopen, import, export."""

from __future__ import annotations

import csv
import io

import pytest

from closer import auth
from closer.cli import main
from rubrics import submissions as subs
from tests.rubric_world import make_world, password_of


@pytest.fixture
def world(tmp_path, monkeypatch):
    return make_world(tmp_path, monkeypatch)


def counts(con):
    return tuple(
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("rubric_submissions", "rubric_scores")
    )


FULL_OUT = {"c_both": 3, "c_ev": (2, "https://example.org/post/1"), "c_out": 1}
FULL_IN = {"c_both": 4, "c_ev": (4, "strategy.pdf, shared drive"), "c_in": 3}


def test_draft_resume_submit_and_read_only(world):
    m1 = world.user("m1")
    with world.connect() as con:
        r = subs.save(
            con, m1, submission_id="sid-1", institution_id="I1", round_id="r1", scores={"c_both": 2}
        )
        assert r.outcome == "draft_saved"
        assert r.message.startswith("Draft saved at ") and r.message.endswith(
            ": 1 of 3 criteria scored."
        )
        # resume: later, another session finds the draft and adds to it
        found = subs.find(con, m1.user_id, "I1", "r1")
        assert found.submission_id == "sid-1" and found.status == "draft"
        assert found.scores == {"c_both": subs.Score(2, None)}
        subs.save(
            con,
            m1,
            submission_id="sid-1",
            institution_id="I1",
            round_id="r1",
            scores={"c_ev": (1, "  note: seen on the account  ")},
        )
        assert subs.get(con, "sid-1").scores == {
            "c_both": subs.Score(2, None),
            "c_ev": subs.Score(1, "note: seen on the account"),
        }
        r = subs.save(
            con,
            m1,
            submission_id="sid-1",
            institution_id="I1",
            round_id="r1",
            scores={"c_out": 0},
            submit=True,
        )
        assert r.outcome == "submitted" and r.submission.submitted_at is not None
        assert (r.submission.perspective, r.submission.rubric_version) == ("outsider", 1)
        with pytest.raises(subs.SubmissionError, match="read-only unless a facilitator reopens"):
            subs.save(
                con,
                m1,
                submission_id="sid-1",
                institution_id="I1",
                round_id="r1",
                scores={"c_out": 4},
            )
        assert subs.get(con, "sid-1").scores["c_out"] == subs.Score(0, None)
        assert counts(con) == (1, 3)


def test_double_submission_stores_one(world):
    m1 = world.user("m1")
    with world.connect() as con:
        first = subs.save(
            con,
            m1,
            submission_id="sid-2",
            institution_id="I2",
            round_id="r1",
            scores=FULL_OUT,
            submit=True,
        )
        again = subs.save(
            con,
            m1,
            submission_id="sid-2",
            institution_id="I2",
            round_id="r1",
            scores=FULL_OUT,
            submit=True,
        )
        assert (first.outcome, again.outcome) == ("submitted", "already_submitted")
        assert again.message.startswith("Already submitted at ")
        assert again.submission.submitted_at == first.submission.submitted_at
        # a second form (another tab) for the same institution and round is refused
        with pytest.raises(subs.SubmissionError, match="you already have a submitted assessment"):
            subs.save(
                con,
                m1,
                submission_id="sid-other",
                institution_id="I2",
                round_id="r1",
                scores=FULL_OUT,
                submit=True,
            )
        assert counts(con) == (1, 3)


@pytest.mark.parametrize(
    ("who", "inst", "scores", "perspective", "expected"),
    [
        ("m1", "I1", {"c_both": 5}, None, ["Both views: score 5 is outside 0-4"]),
        ("m1", "I1", {"c_both": -1}, None, ["Both views: score -1 is outside 0-4"]),
        (
            "m1",
            "I1",
            {"c_both": 2.5},
            None,
            ["Both views: score 2.5 is not a whole number from 0 to 4"],
        ),
        (
            "m1",
            "I1",
            {"c_both": "three"},
            None,
            ["Both views: score 'three' is not a number from 0 to 4"],
        ),
        (
            "m1",
            "I1",
            {"c_in": 2},
            None,
            [
                (
                    "Insiders only: wrong perspective: this criterion is scored by insiders "
                    "only, and this is an outsider assessment"
                )
            ],
        ),
        (
            "i1a",
            "I1",
            {"c_out": 2},
            None,
            [
                (
                    "Outsiders only: wrong perspective: this criterion is scored by outsiders "
                    "only, and this is an insider assessment"
                )
            ],
        ),
        (
            "m1",
            "I1",
            {"c_both": 2},
            "insider",
            [
                (
                    "wrong perspective: this is an insider assessment, but m1 assesses I1 as an "
                    "outsider in round r1; reload the page"
                )
            ],
        ),
        (
            "m1",
            "I3",
            {"c_both": 2},
            None,
            ["institution not assigned: m1 is not assigned to assess I3 in round r1"],
        ),
        (
            "i1a",
            "I2",
            {"c_both": 2},
            None,
            ["institution not assigned: i1a is not assigned to assess I2 in round r1"],
        ),
        ("m1", "I1", {"c_nope": 2}, None, ["c_nope: no such criterion in monitoring v1"]),
    ],
)
def test_invalid_drafts_are_refused_with_a_clear_message_and_nothing_stored(
    world, who, inst, scores, perspective, expected
):
    with world.connect() as con:
        with pytest.raises(subs.SubmissionError) as e:
            subs.save(
                con,
                world.user(who),
                submission_id="bad",
                institution_id=inst,
                round_id="r1",
                scores=scores,
                perspective=perspective,
            )
        assert e.value.problems == expected
        assert counts(con) == (0, 0)


def test_submit_needs_required_evidence_and_every_criterion(world):
    m1 = world.user("m1")
    with world.connect() as con:
        subs.save(
            con, m1, submission_id="sid-3", institution_id="I1", round_id="r1", scores={"c_both": 3}
        )
        with pytest.raises(subs.SubmissionError) as e:
            subs.save(
                con,
                m1,
                submission_id="sid-3",
                institution_id="I1",
                round_id="r1",
                scores={"c_ev": (2, "   ")},
                submit=True,
            )
        assert e.value.problems == [
            "Evidence needed: evidence required: add a link or a note",
            "no score yet for 1 criteria: Outsiders only",
        ]
        # nothing stored: the draft is as it was
        assert subs.get(con, "sid-3").scores == {"c_both": subs.Score(3, None)}
        assert subs.get(con, "sid-3").status == "draft"


def test_a_submission_id_belongs_to_one_rater_and_form(world):
    with world.connect() as con:
        subs.save(
            con,
            world.user("m1"),
            submission_id="sid-4",
            institution_id="I1",
            round_id="r1",
            scores={"c_both": 1},
        )
        with pytest.raises(subs.SubmissionError, match="belongs to another form"):
            subs.save(
                con,
                world.user("m2"),
                submission_id="sid-4",
                institution_id="I1",
                round_id="r1",
                scores={"c_both": 4},
            )
        with pytest.raises(subs.SubmissionError, match="belongs to another form"):
            subs.save(
                con,
                world.user("m1"),
                submission_id="sid-4",
                institution_id="I2",
                round_id="r1",
                scores={"c_both": 4},
            )
        assert subs.get(con, "sid-4").scores == {"c_both": subs.Score(1, None)}


def test_losing_the_assignment_stops_saving(world):
    m1 = world.user("m1")
    with world.connect() as con:
        subs.save(
            con, m1, submission_id="sid-5", institution_id="I1", round_id="r1", scores={"c_both": 1}
        )
        auth.unassign(con, world.users["admin"], "m1", "I1", "r1")
        with pytest.raises(subs.SubmissionError, match="institution not assigned"):
            subs.save(
                con,
                m1,
                submission_id="sid-5",
                institution_id="I1",
                round_id="r1",
                scores=FULL_OUT,
                submit=True,
            )
        assert subs.get(con, "sid-5").status == "draft"


def test_facilitator_reopens_and_the_rater_resubmits(world):
    m1 = world.user("m1")
    fac = world.users["facilitator"]
    with world.connect() as con:
        subs.save(
            con,
            m1,
            submission_id="sid-6",
            institution_id="I1",
            round_id="r1",
            scores=FULL_OUT,
            submit=True,
        )
        with pytest.raises(subs.SubmissionError, match="give a reason"):
            subs.reopen(con, fac, "sid-6", "  ")
        reopened = subs.reopen(con, fac, "sid-6", "typo in c_out")
        assert (reopened.status, reopened.submitted_at) == ("draft", None)
        with pytest.raises(subs.SubmissionError, match="is a draft already"):
            subs.reopen(con, fac, "sid-6", "again")
        r = subs.save(
            con,
            m1,
            submission_id="sid-6",
            institution_id="I1",
            round_id="r1",
            scores={"c_out": 2},
            submit=True,
        )
        assert r.outcome == "submitted"
        assert r.submission.scores["c_out"] == subs.Score(2, None)
        assert r.submission.scores["c_both"] == subs.Score(3, None)
        log = con.execute(
            "SELECT submission_id, reopened_by, reason FROM rubric_reopenings"
        ).fetchall()
        assert log == [("sid-6", fac.user_id, "typo in c_out")]


def test_tasks_list_assignments_with_progress(world):
    m1 = world.user("m1")
    i1a = world.user("i1a")
    with world.connect() as con:
        subs.save(
            con,
            m1,
            submission_id="sid-7",
            institution_id="I2",
            round_id="r2",
            scores={"c_both": 1, "c_out": 2},
        )
        got = [
            (t.institution_id, t.perspective, t.status, t.scored) for t in subs.tasks(con, m1, "r2")
        ]
        assert got == [("I1", "outsider", "not started", 0), ("I2", "outsider", "draft", 2)]
        assert [(t.institution_id, t.perspective) for t in subs.tasks(con, i1a, "r1")] == [
            ("I1", "insider")
        ]
        assert subs.current_round(con, subs.dt.date(2026, 6, 1)) == "r1"
        assert subs.current_round(con, subs.dt.date(2026, 8, 1)) == "r1"
        assert subs.current_round(con, subs.dt.date(2026, 11, 23)) == "r2"
        assert subs.current_round(con, subs.dt.date(2026, 1, 1)) == "r1"


# --- import and export -----------------------------------------------------------------

HEADER = "submission_id,rater,perspective,institution_id,round_id,criterion_id,score,evidence\n"


def write_csv(tmp_path, body, name="paper.csv"):
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


GOOD = """\
p-1,ioana,outsider,I1,r1,c_both,3,
p-1,ioana,outsider,I1,r1,c_ev,2,https://example.org/p/9
p-1,ioana,outsider,I1,r1,c_out,1,
p-2,dan,insider,I3,r1,c_both,4,
p-2,dan,insider,I3,r1,c_in,4,"written plan, 2026"
p-3,m1,outsider,I3,r2,c_both,2,
"""


def test_import_creates_raters_and_stores_submissions_once(world, tmp_path):
    f = write_csv(tmp_path, GOOD)
    fac = world.users["facilitator"]
    with world.connect() as con:
        res = subs.import_csv(con, fac, f)
        assert (res.submissions_new, res.scores, res.users_created, res.granted) == (
            3,
            6,
            ["ioana", "dan"],
            ["m1: I3 in r2"],
        )
        ioana = auth.find_user(con, "ioana")
        dan = auth.find_user(con, "dan")
        assert (ioana.roles, dan.roles, dan.institution_id) == (("monitor",), ("insider",), "I3")
        assert auth.assignments(con, ioana) == [auth.Assignment("I1", "r1", "outsider")]
        p1 = subs.get(con, "p-1")
        assert (p1.status, p1.source, p1.perspective, p1.rubric_version) == (
            "submitted",
            "import",
            "outsider",
            1,
        )
        assert p1.scores["c_ev"] == subs.Score(2, "https://example.org/p/9")
        assert subs.get(con, "p-2").scores["c_in"] == subs.Score(4, "written plan, 2026")
        again = subs.import_csv(con, fac, f)
        assert (again.submissions_new, again.submissions_unchanged) == (0, 3)
        assert counts(con) == (3, 6)
        # the raters cannot log in: no password until an admin sets one
        row = con.execute("SELECT password_hash FROM users WHERE username = 'ioana'").fetchone()
        assert row == (None,)


def test_import_errors_name_the_line_and_nothing_is_half_loaded(world, tmp_path):
    body = (
        GOOD
        + """\
p-4,ana,outsider,I1,r1,c_both,7,
p-4,ana,outsider,I1,r1,c_ev,2,
p-5,i1a,outsider,I1,r1,c_both,2,
p-6,bo,outsider,I9,r1,c_both,2,
p-6,bo,outsider,I1,r7,c_both,2,
p-7,ce,citizen,I1,r1,c_both,2,
p-8,dan,insider,I1,r1,c_both,2,
p-9,eve,outsider,I2,r1,c_out,2,
p-9,eve,insider,I2,r1,c_both,2,
p-10,flo,outsider,I2,r1,c_unknown,2,
p-10,flo,outsider,I2,r1,c_both,,
p-11,gil,outsider,I2,r1,c_both,2,
p-11,gil,outsider,I2,r1,c_both,3,
p-12,hal,outsider,I1,r2,c_in,1,
p-13,i2a,insider,I1,r1,c_both,1,
"""
    )
    f = write_csv(tmp_path, body)
    with world.connect() as con:
        with pytest.raises(subs.SubmissionError) as e:
            subs.import_csv(con, world.users["admin"], f)
        assert e.value.problems == [
            "paper.csv:8: score: score 7 is outside 0-4",
            "paper.csv:9: evidence: evidence required for c_ev: a link or a note",
            (
                "paper.csv:10: perspective: wrong perspective: i1a is an insider of I1, not an "
                "outsider"
            ),
            "paper.csv:11: institution_id: no institution 'I9' in the registry",
            "paper.csv:12: round_id: no round 'r7' in the registry",
            "paper.csv:13: perspective: must be insider or outsider, not 'citizen'",
            (
                "paper.csv:14: rater: dan is an insider of I3 (line 5), so cannot be an insider "
                "of I1"
            ),
            (
                "paper.csv:16: perspective: 'insider' differs from line 15 of submission p-9 "
                "('outsider')"
            ),
            "paper.csv:17: criterion_id: no criterion 'c_unknown' in monitoring v1",
            "paper.csv:18: score: missing (a paper form's blank criterion is left out of the file)",
            "paper.csv:20: criterion_id: c_both scored twice in submission p-11 (line 19)",
            (
                "paper.csv:21: perspective: wrong perspective: c_in is scored by insiders only, "
                "not in an outsider submission"
            ),
            "paper.csv:22: rater: i2a belongs to I2, so cannot be an insider of I1",
        ]
        assert counts(con) == (0, 0)
        assert auth.find_user(con, "ioana") is None  # no user created either


def test_import_refuses_a_changed_submission_and_a_second_form(world, tmp_path):
    fac = world.users["facilitator"]
    with world.connect() as con:
        subs.import_csv(con, fac, write_csv(tmp_path, GOOD))
        changed = write_csv(
            tmp_path,
            GOOD.replace("p-1,ioana,outsider,I1,r1,c_both,3", "p-1,ioana,outsider,I1,r1,c_both,4"),
            "b.csv",
        )
        with pytest.raises(subs.SubmissionError) as e:
            subs.import_csv(con, fac, changed)
        assert e.value.problems == [
            (
                "b.csv:2: submission_id: p-1 is already stored with different content (a "
                "submission cannot be overwritten; reopen it or use a new id)"
            )
        ]
        second = write_csv(tmp_path, "p-99,ioana,outsider,I1,r1,c_both,1,\n", "c.csv")
        with pytest.raises(
            subs.SubmissionError,
            match=r"c.csv:2: submission_id: ioana already "
            r"has submission p-1 for I1 in r1",
        ):
            subs.import_csv(con, fac, second)
        bad_header = tmp_path / "d.csv"
        bad_header.write_text("submission_id,rater,score\nx,y,1\n")
        with pytest.raises(
            subs.SubmissionError,
            match=r"d.csv:1: header: missing column\(s\) "
            r"perspective, institution_id, round_id, criterion_id, evidence",
        ):
            subs.import_csv(con, fac, bad_header)
        assert counts(con) == (3, 6)


def test_export_and_reimport_through_the_cli(world, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLOSER_PASSWORD", password_of("facilitator"))
    base = ["--db", str(world.db_path)]
    f = write_csv(tmp_path, GOOD)
    assert main(base + ["rubric", "import-submissions", str(f), "--as", "facilitator"]) == 0
    assert capsys.readouterr().out == (
        "paper.csv: 3 submissions stored (6 scores); 2 raters added as users: ioana, dan; "
        "granted m1: I3 in r2\n"
    )
    with world.connect() as con:  # a draft is not exported by default
        subs.save(
            con,
            world.user("m2"),
            submission_id="d-1",
            institution_id="I1",
            round_id="r1",
            scores={"c_both": 1},
        )
    assert main(base + ["rubric", "export", "--round", "r1", "--as", "facilitator"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == list(subs.EXPORT_COLUMNS)
    assert [
        (r["submission_id"], r["rater"], r["criterion_id"], r["score"], r["evidence"]) for r in rows
    ] == [
        ("p-1", "ioana", "c_both", "3", ""),
        ("p-1", "ioana", "c_ev", "2", "https://example.org/p/9"),
        ("p-1", "ioana", "c_out", "1", ""),
        ("p-2", "dan", "c_both", "4", ""),
        ("p-2", "dan", "c_in", "4", "written plan, 2026"),
    ]
    out = tmp_path / "all.csv"
    assert main(base + ["rubric", "export", "-o", str(out), "--as", "facilitator"]) == 0
    assert capsys.readouterr().err == f"6 scores written to {out}\n"
    # what was exported imports back as "already stored"
    assert main(base + ["rubric", "import-submissions", str(out), "--as", "facilitator"]) == 0
    assert (
        capsys.readouterr().out
        == "all.csv: 0 submissions stored (0 scores); 3 already stored, unchanged\n"
    )
    bad = write_csv(tmp_path, "x-1,zed,outsider,I1,r1,c_both,9,\n", "bad.csv")
    assert main(base + ["rubric", "import-submissions", str(bad), "--as", "facilitator"]) == 1
    assert capsys.readouterr().err == (
        "closer: refused, nothing loaded from that file:\n"
        "bad.csv:2: score: score 9 is outside 0-4\n"
    )
