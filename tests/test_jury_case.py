"""The jury's acceptance case, computed by hand: 4 jurors, 6 practices, one recusal, one
severe juror; the normalised ranking differs from the raw one; a tie broken by the rule.

Competition: scale 1-7 (midpoint 4, span 6, so the rescaling N = 4 + z * 6/6 = 4 + z),
criteria relevance (weight 2), impact (1), transferability (1); a juror's total is
T = (2*relevance + impact + transferability) / 4. Tie-break: higher mean impact, then the
chair's casting vote. Disagreement threshold 1.5. Jurors ana, bogdan, carmen (severe) and
dan, who belongs to BR-CJ, the institution that nominated P2: dan is recused from P2.

Ballots (a single number: the same score on every criterion, so T is that number;
r/i/t: relevance/impact/transferability):

            P1         P2   P3          P4          P5   P6          mean  sd
  ana       7          5    r5 i6 t4=5  r5 i4 t6=5  4    4           5     1
  bogdan    6          6    5           5           3    5           5     1
  carmen    5          3    3           3           2    2           3     1   (severe)
  dan       r7 i6 t6   --   r6 i7 t7    r7 i6 t6    4    r7 i6 t6    6     1   (5 practices)
            =6.5            =6.5        =6.5             =6.5

  sd is the population sd: ana's deviations 2,0,0,0,-1,-1 → (4+1+1)/6 = 1; bogdan's
  1,1,0,0,-2,0 → 6/6 = 1; carmen's 2,0,0,0,-1,-1 → 1; dan's .5,.5,.5,-2,.5 → 5/5 = 1.
  Every juror scored at least 5 practices, so all are normalised: z = T - mean (sd 1).

  z     P1   P2  P3   P4   P5   P6          N = 4 + z
  ana   2    0   0    0    -1   -1
  bogdan 1   1   0    0    -2   0
  carmen 2   0   0    0    -1   -1
  dan   .5   --  .5   .5   -2   .5

Raw score = mean T over the counted jurors; normalised = mean N:
  P1 raw (7+6+5+6.5)/4 = 6.125    norm (6+5+6+4.5)/4 = 5.375   spread 6-4.5 = 1.5 (flag)
  P2 raw (5+6+3)/3   = 4.6667     norm (4+5+4)/3     = 4.3333  spread 1, 3 jurors, 1 recused
  P3 raw (5+5+3+6.5)/4 = 4.875    norm (4+4+4+4.5)/4 = 4.125   spread 0.5
  P4 raw 4.875                    norm 4.125                   spread 0.5
  P5 raw (4+3+2+4)/4 = 3.25       norm (3+2+3+2)/4   = 2.5     spread 1
  P6 raw (4+5+2+6.5)/4 = 4.375    norm (3+4+3+4.5)/4 = 3.625   spread 1.5 (flag)

Raw ranking: P1 1, P3 2, P4 2 (tied), P2 4, P6 5, P5 6. Normalised: P1, P2, P3 = P4, P6,
P5: P2 moves from 4th to 2nd, because the severe carmen weighs 1/3 in its raw mean (dan,
the most lenient, is recused) against 1/4 elsewhere. P3 and P4 tie at 4.125; mean impact
P3 (6+5+3+7)/4 = 5.25 > P4 (4+5+3+6)/4 = 4.5, so P3 is 3rd and P4 4th.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from closer import auth, cli, db
from rubrics.jury import store
from tests.conftest import SAMPLE

PASSWORD = "jury-test-pass-1"
JURORS = ("ana", "bogdan", "carmen", "dan")
PRACTICES = {
    "P1": "AR-PRIM", "P2": "BR-CJ", "P3": "CL-SVC", "P4": "DU-SVC", "P5": "IZ-SVC",
    "P6": "AR-PREF",
}

COMPETITION_YAML = """\
competition_id: acceptance
version: 1
name: Acceptance case
scale: {min: 1, max: 7, step: 1}
criteria:
  - {criterion_id: relevance, name: Relevance, weight: 2}
  - {criterion_id: impact, name: Impact, weight: 1}
  - {criterion_id: transferability, name: Transferability, weight: 1}
tie_break:
  - criterion: impact
  - chair_casting_vote
chair: chair
jurors: [ana, bogdan, carmen, dan]
disagreement_threshold: 1.5
"""


def flat(v: int) -> dict[str, int]:
    return {"relevance": v, "impact": v, "transferability": v}


def rit(r: int, i: int, t: int) -> dict[str, int]:
    return {"relevance": r, "impact": i, "transferability": t}


BALLOTS: dict[str, dict[str, dict[str, int]]] = {
    "ana": {"P1": flat(7), "P2": flat(5), "P3": rit(5, 6, 4), "P4": rit(5, 4, 6),
            "P5": flat(4), "P6": flat(4)},
    "bogdan": {"P1": flat(6), "P2": flat(6), "P3": flat(5), "P4": flat(5), "P5": flat(3),
               "P6": flat(5)},
    "carmen": {"P1": flat(5), "P2": flat(3), "P3": flat(3), "P4": flat(3), "P5": flat(2),
               "P6": flat(2)},
    "dan": {"P1": rit(7, 6, 6), "P3": rit(6, 7, 7), "P4": rit(7, 6, 6), "P5": flat(4),
            "P6": rit(7, 6, 6)},
}


def scores_csv(ballots: dict[str, dict[str, dict[str, int]]] = BALLOTS) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["juror", "practice_id", "criterion_id", "score", "comment"])
    for juror, by_p in ballots.items():
        for pid, scores in by_p.items():
            for cid, s in scores.items():
                w.writerow([juror, pid, cid, s, ""])
    return buf.getvalue()


def practices_csv() -> str:
    lines = ["practice_id,institution_id,title,description,url"]
    for pid, inst in PRACTICES.items():
        lines.append(f"{pid},{inst},Practice {pid},What {inst} did,https://example.org/{pid}")
    return "\n".join(lines) + "\n"


def run_cli(capsys, db_path: Path, *args: str, user: str | None = None,
            monkeypatch=None) -> tuple[int, str, str]:
    """`closer --db DB jury ...` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    argv = ["--db", str(db_path), "jury", *args]
    if user:
        argv += ["--as", user]
        assert monkeypatch is not None
        monkeypatch.setenv("CLOSER_PASSWORD", PASSWORD)
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def jury_db(db_path, tmp_path, monkeypatch):
    """Sample registry, the chair and four jurors (dan belongs to BR-CJ), the acceptance
    competition and its six practices; no ballot yet. Returns the database path."""
    from closer import registry

    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    with db.connect(db_path) as con:
        registry.load_files(con, sorted((SAMPLE / "registry").glob("*.csv")))
        op = auth.LOCAL_OPERATOR
        auth.add_user(con, op, "chair", roles=["chair"], password=PASSWORD)
        for j in JURORS:
            auth.add_user(con, op, j, roles=["juror"], password=PASSWORD,
                          institution_id="BR-CJ" if j == "dan" else None)
    (tmp_path / "acceptance_v1.yaml").write_text(COMPETITION_YAML)
    (tmp_path / "practices.csv").write_text(practices_csv())
    (tmp_path / "scores.csv").write_text(scores_csv())
    with db.connect(db_path) as con:
        from rubrics.jury import definition

        store.register_competition(con, auth.LOCAL_OPERATOR,
                                   definition.load_file(tmp_path / "acceptance_v1.yaml"))
        store.import_practices(con, auth.LOCAL_OPERATOR, "acceptance", tmp_path / "practices.csv")
    return db_path


def user(con, name: str) -> auth.User:
    u = auth.find_user(con, name)
    assert u is not None
    return u


def ballot_count(db_path: Path) -> int:
    with db.connect(db_path, read_only=True) as con:
        return con.execute("SELECT count(*) FROM jury_ballots").fetchone()[0]


# --- the hand-computed case, end to end through the command line --------------------------


EXPECTED = [
    # practice, raw_score, normalised, raw_rank, rank, jurors, recused, spread, disagreement
    ("P1", "6.125", "5.375", "1", "1", "4", "0", "1.5", "True"),
    ("P2", "4.6667", "4.3333", "4", "2", "3", "1", "1.0", "False"),
    ("P3", "4.875", "4.125", "2", "3", "4", "0", "0.5", "False"),
    ("P4", "4.875", "4.125", "2", "4", "4", "0", "0.5", "False"),
    ("P6", "4.375", "3.625", "5", "5", "4", "0", "1.5", "True"),
    ("P5", "3.25", "2.5", "6", "6", "4", "0", "1.0", "False"),
]
TIE = "tie at 4.125 between P3, P4; higher mean impact: P3 5.25, P4 4.5 → P3, P4"


def test_hand_computed_ranking_through_the_cli(jury_db, tmp_path, capsys, monkeypatch):
    code, out, err = run_cli(capsys, jury_db, "import-scores", "acceptance",
                             str(tmp_path / "scores.csv"))
    assert code == 0, err
    assert out.strip() == f"{tmp_path / 'scores.csv'}: 23 ballots, 23 saved, 0 unchanged"
    code, out, err = run_cli(capsys, jury_db, "close", "acceptance", user="chair",
                             monkeypatch=monkeypatch)
    assert code == 0, err
    assert "23 ballots counted, 0 drafts not counted" in out
    assert TIE in out
    code, out, err = run_cli(capsys, jury_db, "results", "acceptance", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    got = [(r["practice_id"], r["raw_score"], r["normalised_score"], r["raw_rank"], r["rank"],
            r["jurors"], r["recused"], r["spread"], r["disagreement"]) for r in rows]
    assert got == EXPECTED
    ties = {r["practice_id"]: r["tie_break"] for r in rows}
    assert ties == {"P1": "", "P2": "", "P3": TIE, "P4": TIE, "P5": "", "P6": ""}
    # the raw ranking puts P2 4th; normalised, it is 2nd (severity and the recusal evened out)
    raw_order = [r["practice_id"] for r in sorted(rows, key=lambda r: (int(r["raw_rank"]),
                                                                      r["practice_id"]))]
    assert raw_order == ["P1", "P3", "P4", "P2", "P6", "P5"]
    assert [r["practice_id"] for r in rows] == ["P1", "P2", "P3", "P4", "P6", "P5"]
    # re-importing the same paper ballots is a no-op (and refused once the round is closed)
    code, out, err = run_cli(capsys, jury_db, "import-scores", "acceptance",
                             str(tmp_path / "scores.csv"))
    assert code == 1 and "is closed" in err


def test_severity_statistics_and_per_juror_values(jury_db, tmp_path):
    with db.connect(jury_db) as con:
        store.import_scores(con, auth.LOCAL_OPERATOR, "acceptance", tmp_path / "scores.csv")
        view = store.results(con, auth.LOCAL_OPERATOR, "acceptance")
        ids = {u: user(con, u).user_id for u in JURORS}
    sev = view.results.jurors
    assert {u: (sev[ids[u]].practices, sev[ids[u]].mean_total, sev[ids[u]].sd_total,
                sev[ids[u]].normalised) for u in JURORS} == {
        "ana": (6, 5.0, 1.0, True), "bogdan": (6, 5.0, 1.0, True),
        "carmen": (6, 3.0, 1.0, True), "dan": (5, 6.0, 1.0, True)}
    p1 = view.results.by_id()["P1"]
    assert {u: p1.normalised_values[ids[u]] for u in JURORS} == {
        "ana": 6.0, "bogdan": 5.0, "carmen": 6.0, "dan": 4.5}
    assert view.results.by_id()["P3"].criterion_means == {
        "relevance": 4.75, "impact": 5.25, "transferability": 4.75}
    assert view.provisional  # not closed yet: the local operator sees provisional results


def test_casting_vote_breaks_what_the_criterion_leaves(jury_db, tmp_path, capsys, monkeypatch):
    """Make P3 and P4 equal on impact too: ana gives P4 i6 t4 (T still 5), so P3 and P4
    both have mean impact 5.25 and the chair's casting vote decides."""
    ballots = json.loads(json.dumps(BALLOTS))
    ballots["ana"]["P4"] = rit(5, 6, 4)
    ballots["dan"]["P4"] = rit(6, 7, 7)
    (tmp_path / "scores2.csv").write_text(scores_csv(ballots))
    with db.connect(jury_db) as con:
        store.import_scores(con, auth.LOCAL_OPERATOR, "acceptance", tmp_path / "scores2.csv")
        store.close_round(con, user(con, "chair"), "acceptance")
        view = store.results(con, auth.LOCAL_OPERATOR, "acceptance")
    rows = {r["practice_id"]: r for r in store.result_rows(view)}
    unresolved = ("tie at 4.125 between P3, P4; higher mean impact: P3 5.25, P4 5.25; "
                  "P3, P4: unresolved, awaiting the chair's casting vote")
    assert (rows["P3"]["rank"], rows["P4"]["rank"]) == (3, 3)
    assert rows["P3"]["tie_break"] == unresolved
    # not a tie: refused; a juror: refused; the chair: P4 first
    code, _, err = run_cli(capsys, jury_db, "casting-vote", "acceptance", "P1", "P2",
                           user="chair", monkeypatch=monkeypatch)
    assert code == 1 and "unresolved ties: P3, P4" in err
    code, _, err = run_cli(capsys, jury_db, "casting-vote", "acceptance", "P4", "P3",
                           user="ana", monkeypatch=monkeypatch)
    assert code == 1 and "only the chair of acceptance" in err
    code, out, err = run_cli(capsys, jury_db, "casting-vote", "acceptance", "P4", "P3",
                             user="chair", monkeypatch=monkeypatch)
    assert code == 0, err
    resolved = ("tie at 4.125 between P3, P4; higher mean impact: P3 5.25, P4 5.25; "
                "the chair's casting vote: P4, P3 → P4, P3")
    assert out.strip() == resolved
    with db.connect(jury_db, read_only=True) as con:
        rows = {r["practice_id"]: r for r in store.result_rows(
            store.results(con, auth.LOCAL_OPERATOR, "acceptance"))}
        audit = con.execute("SELECT action, detail FROM jury_audit WHERE action ="
                            " 'casting_vote'").fetchall()
    assert (rows["P4"]["rank"], rows["P3"]["rank"]) == (3, 4)
    assert rows["P3"]["tie_break"] == resolved
    assert json.loads(audit[0][1]) == {"order": ["P4", "P3"], "tie_break": resolved}


# --- blind scoring: page (test_jury_pages.py), command line and database layer ------------


def test_juror_sees_only_own_scores_until_the_round_closes(jury_db, tmp_path, capsys,
                                                           monkeypatch):
    with db.connect(jury_db) as con:
        store.import_scores(con, auth.LOCAL_OPERATOR, "acceptance", tmp_path / "scores.csv")
        ana, dan, chair = user(con, "ana"), user(con, "dan"), user(con, "chair")
        # database layer: the store function and the SQL macro itself
        mine = store.visible_scores(con, ana, "acceptance")
        assert {r["juror"] for r in mine} == {"ana"} and len(mine) == 18
        macro = con.execute("SELECT DISTINCT juror_id FROM jury_visible_scores(?, ?)",
                            [ana.user_id, "acceptance"]).fetchall()
        assert macro == [(ana.user_id,)]
        with pytest.raises(auth.PermissionDenied, match="scoring is blind"):
            store.results(con, ana, "acceptance")
        # the chair does not score: sees provisional results while the round is open
        assert store.results(con, chair, "acceptance").provisional
        assert con.execute("SELECT count(DISTINCT juror_id), count(*) FROM"
                           " jury_visible_scores(?, ?)", [chair.user_id, "acceptance"]
                           ).fetchone() == (4, 69)
    # command line
    code, out, _ = run_cli(capsys, jury_db, "scores", "acceptance", user="ana",
                           monkeypatch=monkeypatch)
    assert code == 0
    body = out.splitlines()[1:]
    assert len(body) == 18 and {line.split("\t")[1] for line in body} == {"ana"}
    code, _, err = run_cli(capsys, jury_db, "results", "acceptance", user="ana",
                           monkeypatch=monkeypatch)
    assert code == 1 and "scoring is blind" in err
    # closed: ana sees everyone's; dan never sees P2's (recused), not even in the results
    with db.connect(jury_db) as con:
        store.close_round(con, user(con, "chair"), "acceptance")
        seen = store.visible_scores(con, ana, "acceptance")
        assert {r["juror"] for r in seen} == set(JURORS) and len(seen) == 69
        dan_sees = store.visible_scores(con, dan, "acceptance")
        assert [r for r in dan_sees if r["practice_id"] == "P2"] == []
        assert len(dan_sees) == 69 - 9
        p2 = store.results(con, dan, "acceptance").results.by_id()["P2"]
        assert (p2.raw_score, p2.normalised_score, p2.rank) == (None, None, 2)
    code, out, _ = run_cli(capsys, jury_db, "results", "acceptance", "--format", "csv",
                           user="dan", monkeypatch=monkeypatch)
    assert code == 0
    p2row = next(r for r in csv.DictReader(io.StringIO(out)) if r["practice_id"] == "P2")
    assert (p2row["raw_score"], p2row["normalised_score"], p2row["spread"]) == ("", "", "")


# --- recusal: database layer and command line ---------------------------------------------


def test_recused_juror_cannot_score_the_practice(jury_db, tmp_path, capsys, monkeypatch):
    with db.connect(jury_db) as con:
        dan = user(con, "dan")
        with pytest.raises(store.Recused, match="belongs to the nominating institution BR-CJ"):
            store.save_ballot(con, dan, "acceptance", "P2", flat(5), submission_id="s-1",
                              submit=True)
        # the same juror may score another practice
        assert store.save_ballot(con, dan, "acceptance", "P1", flat(5), submission_id="s-2",
                                 submit=True) == "saved"
    code, _, err = run_cli(capsys, jury_db, "score", "acceptance", "P2", "relevance=5",
                           "impact=5", "transferability=5", user="dan", monkeypatch=monkeypatch)
    assert code == 1 and "dan is recused from P2" in err
    # P3 through the command line, twice with the same submission id: saved once
    for outcome in ("saved", "duplicate"):
        code, out, err = run_cli(capsys, jury_db, "score", "acceptance", "P3", "relevance=6",
                                 "impact=7", "transferability=7", "--submission-id", "cli-1",
                                 user="dan", monkeypatch=monkeypatch)
        assert (code, out.strip()) == (0, f"P3: ballot {outcome} (submission cli-1)"), err
    # a paper ballot for it is refused with its line, and nothing of the file is stored
    bad = scores_csv() + "dan,P2,relevance,5,\ndan,P2,impact,5,\ndan,P2,transferability,5,\n"
    (tmp_path / "bad.csv").write_text(bad)
    code, _, err = run_cli(capsys, jury_db, "import-scores", "acceptance", str(tmp_path / "bad.csv"))
    assert code == 1
    assert err.splitlines()[1:] == [
        f"{tmp_path / 'bad.csv'}:{n}: juror: dan is recused from P2 (belongs to the nominating "
        "institution BR-CJ): the score is refused" for n in (71, 72, 73)]
    assert ballot_count(jury_db) == 2


def test_scores_file_errors_name_their_lines_and_nothing_is_half_loaded(jury_db, tmp_path,
                                                                        capsys):
    text = ("juror,practice_id,criterion_id,score,comment\n"
            "ana,P1,relevance,7,fine\n"           # 2 ok
            "ana,P1,impact,8,\n"                  # 3 off the scale
            "ana,P1,transferability,x,\n"         # 4 not a number
            "zoe,P1,relevance,5,\n"               # 5 not a juror
            "bogdan,P9,relevance,5,\n"            # 6 unknown practice
            "bogdan,P1,reach,5,\n"                # 7 unknown criterion
            "ana,P1,relevance,6,\n"               # 8 duplicate of line 2
            "carmen,P3,relevance,2.5,\n"          # 9 not on a step; ballot lacks 2 criteria
            "carmen,P4,relevance,,\n")            # 10 empty score; ballot lacks 2 criteria
    (tmp_path / "errors.csv").write_text(text)
    code, _, err = run_cli(capsys, jury_db, "import-scores", "acceptance",
                           str(tmp_path / "errors.csv"))
    f = tmp_path / "errors.csv"
    assert code == 1
    assert err.splitlines() == [
        "closer: refused, nothing stored:",
        f"{f}:3: score: 8 is not on the scale (1 to 7 in steps of 1)",
        f"{f}:4: score: 'x' is not a number",
        f"{f}:5: juror: 'zoe' is not a juror of acceptance (jurors: ana, bogdan, carmen, dan)",
        f"{f}:6: practice_id: unknown practice 'P9' in acceptance",
        (f"{f}:7: criterion_id: unknown criterion 'reach' (criteria: relevance, impact, "
        "transferability)"),
        f"{f}:8: criterion_id: ana scored relevance for P1 on line 2 already",
        f"{f}:9: score: 2.5 is not on the scale (1 to 7 in steps of 1)",
        (f"{f}:9: criterion_id: the ballot of carmen for P3 lacks impact, transferability (a "
        "paper ballot scores every criterion)"),
        f"{f}:10: score: empty",
        (f"{f}:10: criterion_id: the ballot of carmen for P4 lacks impact, transferability (a "
        "paper ballot scores every criterion)"),
    ]
    assert ballot_count(jury_db) == 0


def test_import_scores_is_for_the_chair(jury_db, tmp_path, capsys, monkeypatch):
    code, _, err = run_cli(capsys, jury_db, "import-scores", "acceptance",
                           str(tmp_path / "scores.csv"), user="ana", monkeypatch=monkeypatch)
    assert code == 1 and "ana may not import paper ballots" in err
    code, out, err = run_cli(capsys, jury_db, "import-scores", "acceptance",
                             str(tmp_path / "scores.csv"), user="chair", monkeypatch=monkeypatch)
    assert code == 0, err
    code, out, err = run_cli(capsys, jury_db, "import-scores", "acceptance",
                             str(tmp_path / "scores.csv"), user="chair", monkeypatch=monkeypatch)
    assert out.strip().endswith("23 ballots, 0 saved, 23 unchanged")
