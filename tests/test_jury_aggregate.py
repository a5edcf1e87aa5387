"""The aggregation rules on small tables computed by hand (docs/jury.md, formulas 1-4)."""

from __future__ import annotations

import pytest

from rubrics.jury.aggregate import Ballot, compute, weighted_total
from rubrics.jury.definition import parse


def competition(**over):
    d = {"competition_id": "t", "version": 1, "name": "T",
         "scale": {"min": 0, "max": 12, "step": 1},
         "criteria": [{"criterion_id": "a", "name": "A", "weight": 3},
                      {"criterion_id": "b", "name": "B", "weight": 1}],
         "tie_break": [{"criterion": "b"}, "chair_casting_vote"],
         "chair": "c", "jurors": ["j1", "j2", "j3"]}
    d.update(over)
    return parse(d)


def same(v: float) -> dict[str, float]:
    return {"a": v, "b": v}


def test_weighted_total_is_the_weighted_mean():
    # (3*8 + 1*4) / 4 = 7
    assert weighted_total({"a": 8, "b": 4}, competition()) == 7.0


def test_a_juror_with_fewer_than_five_practices_keeps_raw_totals():
    """j1 scores 5 practices: 2, 4, 6, 8, 10 (mean 6, population sd sqrt(8) = 2.8284);
    scale 0-12: N = 6 + z * 12/6 = 6 + 2z. j2 scores only P1..P4 with 3, 5, 7, 9: raw.

    P1: j1 z = -4/sqrt8 = -1.4142 → N = 3.1716; j2 raw 3 → normalised (3.1716+3)/2 = 3.0858
    P5: only j1, z = +1.4142 → N = 8.8284, spread n/a (one juror)."""
    comp = competition()
    ballots = [Ballot("j1", f"P{i}", same(v)) for i, v in enumerate((2, 4, 6, 8, 10), 1)]
    ballots += [Ballot("j2", f"P{i}", same(v)) for i, v in enumerate((3, 5, 7, 9), 1)]
    res = compute(comp, [f"P{i}" for i in range(1, 6)], ballots)
    assert res.jurors["j1"].normalised and res.jurors["j1"].sd_total == pytest.approx(2.8284271)
    assert not res.jurors["j2"].normalised
    assert res.jurors["j2"].note == ("scored 4 practices, fewer than 5: raw totals used, not "
                                     "normalised")
    p = res.by_id()
    assert p["P1"].normalised_values == {"j1": pytest.approx(3.1715729), "j2": 3.0}
    assert p["P1"].normalised_score == pytest.approx(3.0857864)
    assert p["P1"].raw_score == 2.5
    assert p["P1"].notes == [("j2: raw total (scored 4 practices, fewer than 5: raw totals used, "
                             "not normalised)")]
    assert p["P5"].normalised_score == pytest.approx(8.8284271)
    assert (p["P5"].spread, p["P5"].disagreement) == (None, None)
    assert p["P5"].notes == ["one juror counted: spread n/a"]
    assert [r.practice_id for r in res.practices] == ["P5", "P4", "P3", "P2", "P1"]


def test_equal_totals_give_the_midpoint_and_extremes_are_kept_within_the_scale():
    """j1 gives all 5 practices 9: sd 0, z = 0, N = midpoint 6. j2 gives 10 practices
    0 x9 and 12 x1: mean 1.2, sd = sqrt((9*1.44 + 116.64)/10) = 3.6, z(12) = 3 → N = 6 + 6
    = 12 exactly (not clipped); with 11 practices (0 x10, 12 x1) z = 3.1623 → 12.32, clipped."""
    comp = competition()
    res = compute(comp, [f"P{i}" for i in range(1, 6)],
                  [Ballot("j1", f"P{i}", same(9)) for i in range(1, 6)])
    assert {r.normalised_score for r in res.practices} == {6.0}
    assert res.jurors["j1"].note == ("gave every practice the same total: z = 0 (the scale's "
                                     "midpoint)")
    ids = [f"Q{i:02d}" for i in range(1, 12)]
    res = compute(comp, ids[:10], [Ballot("j2", q, same(12 if q == "Q10" else 0))
                                   for q in ids[:10]])
    assert res.by_id()["Q10"].normalised_score == pytest.approx(12.0)
    assert res.by_id()["Q10"].notes == ["one juror counted: spread n/a"]
    res = compute(comp, ids, [Ballot("j2", q, same(12 if q == "Q11" else 0)) for q in ids])
    assert res.by_id()["Q11"].normalised_score == 12.0
    assert res.by_id()["Q11"].notes == ["j2: normalised value kept within the scale",
                                        "one juror counted: spread n/a"]


def test_three_way_tie_partly_broken_then_left_to_the_chair():
    """P1, P2, P3 have T = 6 from both jurors, P4 2, P5 10: each juror's mean is 6, so
    z = 0 and N = 6 for all three (tie at 6); criterion b:
    P1 (b=9, 9) mean 9; P2 and P3 (b=6, 6) mean 6 → P1 first, P2 = P3 await the chair.
    a is then 5 for P1 (3*5+9 = 24/4 = 6) and 6 for P2, P3."""
    comp = competition()
    tied = {"P1": {"a": 5, "b": 9}, "P2": {"a": 6, "b": 6}, "P3": {"a": 6, "b": 6}}
    ballots = []
    for j in ("j1", "j2"):
        ballots += [Ballot(j, p, s) for p, s in tied.items()]
        ballots += [Ballot(j, "P4", same(2)), Ballot(j, "P5", same(10))]
    pids = ["P1", "P2", "P3", "P4", "P5"]
    res = compute(comp, pids, ballots)
    ranks = {r.practice_id: r.rank for r in res.practices}
    assert ranks == {"P5": 1, "P1": 2, "P2": 3, "P3": 3, "P4": 5}
    assert res.by_id()["P2"].tie_break == (
        "tie at 6 between P1, P2, P3; higher mean b: P1 9, P2 6, P3 6; P2, P3: "
        "unresolved, awaiting the chair's casting vote")
    assert [t.resolved for t in res.ties] == [False]
    res = compute(comp, pids, ballots, casting_votes={"P3": ("v1", 1), "P2": ("v1", 2)})
    assert {r.practice_id: r.rank for r in res.practices} == {
        "P5": 1, "P1": 2, "P3": 3, "P2": 4, "P4": 5}
    assert res.ties[0].explanation.endswith("the chair's casting vote: P3, P2 → P1, P3, P2")


def test_recused_ballots_are_never_counted_and_unscored_practices_are_na():
    comp = competition()
    ballots = [Ballot("j1", "P1", same(8)), Ballot("j2", "P1", same(2)),
               Ballot("j1", "P2", same(4))]
    res = compute(comp, ["P1", "P2", "P3"], ballots, recused={"P1": {"j2"}, "P3": {"j1"}})
    p = res.by_id()
    assert (p["P1"].raw_score, p["P1"].jurors, p["P1"].recused) == (8.0, 1, 1)
    assert (p["P3"].raw_score, p["P3"].rank, p["P3"].recused) == (None, None, 1)
    assert p["P3"].notes == ["no counted ballot: n/a"]
    assert [r.practice_id for r in res.practices] == ["P1", "P2", "P3"]


def test_an_incomplete_ballot_is_an_error():
    with pytest.raises(ValueError, match=r"lacks \['b'\]"):
        compute(competition(), ["P1"], [Ballot("j1", "P1", {"a": 3})])
