"""Results (means, medians, raters, gap, sections, change) and Krippendorff's alpha,
computed by hand on small data and against Krippendorff's published example."""

from __future__ import annotations

import csv
import io
import math

import pytest

from closer.cli import main
from rubrics import agreement, results
from rubrics import submissions as subs
from tests.rubric_world import make_world, password_of

N = math.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
# (rows) x 12 units (columns), missing values as NaN.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_equals_krippendorffs_published_values(level, published):
    assert round(agreement.krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def test_ordinal_alpha_by_hand():
    # units u1 (0, 0), u2 (1, 2), u3 (2, 2): n0=2, n1=1, n2=3, n=6; ordinal
    # delta(1,2)=((1+3)/2)^2=4; coincidences o12=o21=1, so D_o = 8/6; D_e = 2*(2*1*2.25 +
    # 2*3*12.25 + 1*3*4)/(6*5) = 6; alpha = 1 - (8/6)/6 = 7/9.
    res = agreement.ordinal_alpha(
        [
            ("a", "u1", 0),
            ("b", "u1", 0),
            ("a", "u2", 1),
            ("b", "u2", 2),
            ("a", "u3", 2),
            ("b", "u3", 2),
        ]
    )
    assert res.alpha == pytest.approx(7 / 9, abs=1e-12)
    assert (res.units, res.raters, res.values, res.reason) == (3, 2, 6, None)
    # A unit rated by one rater only adds nothing.
    more = agreement.ordinal_alpha(
        [
            ("a", "u1", 0),
            ("b", "u1", 0),
            ("a", "u2", 1),
            ("b", "u2", 2),
            ("a", "u3", 2),
            ("b", "u3", 2),
            ("c", "u4", 4),
            ("a", "u5", 0),
        ]
    )
    assert (more.alpha, more.units, more.raters) == (res.alpha, 3, 2)


def test_alpha_is_na_with_a_reason_when_it_cannot_be_computed():
    one_rater = agreement.ordinal_alpha([("a", "u1", 1), ("a", "u2", 2)])
    assert (one_rater.alpha, one_rater.reason) == (None, "fewer than 2 raters rated the same units")
    assert one_rater.shown == "n/a (fewer than 2 raters rated the same units)"
    one_unit = agreement.ordinal_alpha([("a", "u1", 1), ("b", "u1", 3), ("a", "u2", 2)])
    assert (one_unit.alpha, one_unit.units, one_unit.reason) == (
        None,
        1,
        "fewer than 2 units rated by 2 or more raters",
    )
    same = agreement.ordinal_alpha([("a", "u1", 2), ("b", "u1", 2), ("a", "u2", 2), ("b", "u2", 2)])
    assert (same.alpha, same.reason) == (
        None,
        "all ratings are the same value: no variation, alpha undefined",
    )
    assert agreement.ordinal_alpha([]).alpha is None


# --- the same example stored as rubric submissions and read back through the CLI ---------

FOUR_CRITERIA = """
rubric_id: monitoring
version: 1
title: Four criteria
sections:
  - section_id: s
    title: S
    criteria:
""" + "".join(
    f"""      - criterion_id: k{i}
        title: K{i}
        perspective: both
        evidence_required: false
        guidance: g
        levels: {{0: a, 1: b, 2: c, 3: d, 4: e}}
"""
    for i in range(1, 5)
)


def test_alpha_of_stored_submissions_equals_the_published_value(tmp_path, monkeypatch, capsys):
    w = make_world(tmp_path, monkeypatch)
    (w.rubrics_dir / "monitoring_v1.yaml").write_text(FOUR_CRITERIA)
    # 12 units = 3 institutions x 4 criteria; observers A-D are paper-form monitors;
    # Krippendorff's values 1-5 become scores 0-4 (ordinal alpha depends on order only).
    units = [(inst, f"k{k}") for inst in ("I1", "I2", "I3") for k in range(1, 5)]
    lines = ["submission_id,rater,perspective,institution_id,round_id,criterion_id,score,evidence"]
    for obs, row in zip("ABCD", KRIPPENDORFF_2011, strict=True):
        for (inst, crit), v in zip(units, row, strict=True):
            if not math.isnan(v):
                lines.append(f"k-{obs}-{inst},obs{obs},outsider,{inst},r1,{crit},{int(v) - 1},")
    f = tmp_path / "k.csv"
    f.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("CLOSER_PASSWORD", password_of("facilitator"))
    base = ["--db", str(w.db_path)]
    assert main(base + ["rubric", "import-submissions", str(f), "--as", "facilitator"]) == 0
    capsys.readouterr()
    assert (
        main(
            base
            + ["rubric", "agreement", "--round", "r1", "--format", "csv", "--as", "facilitator"]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == results.AGREEMENT_COLUMNS
    across = rows[0]
    assert (across["perspective"], across["institution_id"]) == ("outsider", "")
    assert round(float(across["alpha_ordinal"]), 3) == 0.815
    # unit 12 (I3, k4) has one value only: it adds nothing
    assert (across["units"], across["raters"], across["values"]) == ("11", "4", "40")
    per = {r["institution_id"]: r for r in rows[1:]}
    assert sorted(per) == ["I1", "I2", "I3"]
    i1 = agreement.krippendorff_alpha([r[:4] for r in KRIPPENDORFF_2011], "ordinal")
    assert float(per["I1"]["alpha_ordinal"]) == pytest.approx(i1, abs=1e-6)
    assert per["I3"]["units"] == "3"


# --- means, medians, gap, sections, change ---------------------------------------------


@pytest.fixture
def scored(tmp_path, monkeypatch):
    """r1: I1 by m1, m2, m3 (outsiders) and i1a, i1b (insiders); I2 by m1 and i2a; a draft
    by m3 for I2 (not counted). r2: I1 by m1 and i1a."""
    w = make_world(tmp_path, monkeypatch)
    ev = "https://example.org/e"
    plan = [
        ("m1", "I1", "r1", {"c_both": 1, "c_ev": (0, ev), "c_out": 3}),
        ("m2", "I1", "r1", {"c_both": 2, "c_ev": (1, ev), "c_out": 3}),
        ("m3", "I1", "r1", {"c_both": 4, "c_ev": (1, ev), "c_out": 2}),
        ("i1a", "I1", "r1", {"c_both": 4, "c_ev": (2, ev), "c_in": 4}),
        ("i1b", "I1", "r1", {"c_both": 3, "c_ev": (4, ev), "c_in": 2}),
        ("m1", "I2", "r1", {"c_both": 2, "c_ev": (2, ev), "c_out": 2}),
        ("i2a", "I2", "r1", {"c_both": 3, "c_ev": (3, ev), "c_in": 1}),
        ("m1", "I1", "r2", {"c_both": 3, "c_ev": (2, ev), "c_out": 3}),
        ("i1a", "I1", "r2", {"c_both": 3, "c_ev": (3, ev), "c_in": 4}),
    ]
    with w.connect() as con:
        for who, inst, rnd, scores in plan:
            subs.save(
                con,
                w.user(who),
                submission_id=f"{who}-{inst}-{rnd}",
                institution_id=inst,
                round_id=rnd,
                scores=scores,
                submit=True,
            )
        subs.save(
            con,
            w.user("m3"),
            submission_id="draft",
            institution_id="I2",
            round_id="r1",
            scores={"c_both": 0},
        )
    return w


def rows_of(df, cols):
    return [
        tuple(
            None
            if isinstance(v, float) and math.isnan(v)
            else (round(v, 4) if isinstance(v, float) else v)
            for v in r
        )
        for r in df[cols].itertuples(index=False)
    ]


def test_criterion_results_and_gap_by_hand(scored):
    with scored.connect() as con:
        df = results.criterion_results(con, "r1")
    got = rows_of(
        df, ["institution_id", "criterion_id", "perspective", "mean", "median", "raters", "gap"]
    )
    assert got == [
        ("I1", "c_both", "insider", 3.5, 3.5, 2, 1.1667),  # (4+3)/2 - (1+2+4)/3
        ("I1", "c_both", "outsider", 2.3333, 2.0, 3, 1.1667),
        ("I1", "c_ev", "insider", 3.0, 3.0, 2, 2.3333),  # 3 - (0+1+1)/3
        ("I1", "c_ev", "outsider", 0.6667, 1.0, 3, 2.3333),
        ("I1", "c_in", "insider", 3.0, 3.0, 2, None),  # insiders only: no gap
        ("I1", "c_out", "outsider", 2.6667, 3.0, 3, None),
        ("I2", "c_both", "insider", 3.0, 3.0, 1, 1.0),
        ("I2", "c_both", "outsider", 2.0, 2.0, 1, 1.0),  # the draft (m3, 0) is not counted
        ("I2", "c_ev", "insider", 3.0, 3.0, 1, 1.0),
        ("I2", "c_ev", "outsider", 2.0, 2.0, 1, 1.0),
        ("I2", "c_in", "insider", 1.0, 1.0, 1, None),
        ("I2", "c_out", "outsider", 2.0, 2.0, 1, None),
    ]


def test_section_results_are_over_each_raters_section_mean(scored):
    with scored.connect() as con:
        df = results.section_results(con, "r1")
    got = rows_of(
        df[df["institution_id"] == "I1"], ["section_id", "perspective", "mean", "median", "raters"]
    )
    assert got == [
        ("s1", "insider", 3.25, 3.25, 2),  # i1a (4+2)/2=3, i1b (3+4)/2=3.5
        ("s1", "outsider", 1.5, 1.5, 3),  # m1 0.5, m2 1.5, m3 2.5
        ("s2", "insider", 3.0, 3.0, 2),
        ("s2", "outsider", 2.6667, 3.0, 3),
    ]


def test_gap_across_institutions_is_the_mean_of_their_gaps(scored):
    with scored.connect() as con:
        df = results.gap_across(con, "r1")
    assert rows_of(
        df, ["criterion_id", "insider_mean", "outsider_mean", "gap", "institutions"]
    ) == [
        ("c_both", 3.25, 2.1667, 1.0833, 2),  # (1.1667 + 1) / 2
        ("c_ev", 3.0, 1.3333, 1.6667, 2),  # (2.3333 + 1) / 2
    ]


def test_agreement_per_perspective_and_institution(scored):
    with scored.connect() as con:
        df = results.agreement_table(con, "r1")
    got = rows_of(df, ["perspective", "institution_id", "units", "raters", "values", "reason"])
    assert got == [
        ("insider", None, 3, 2, 6, None),  # (I1, c_both), (I1, c_ev), (I1, c_in); I2 alone
        ("outsider", None, 3, 3, 9, None),  # (I1, c_both), (I1, c_ev), (I1, c_out)
        ("insider", "I1", 3, 2, 6, None),
        ("outsider", "I1", 3, 3, 9, None),
        ("insider", "I2", 0, 0, 0, "fewer than 2 raters rated the same units"),
        ("outsider", "I2", 0, 0, 0, "fewer than 2 raters rated the same units"),
    ]
    outsiders = agreement.krippendorff_alpha(
        [[1, 0, 3], [2, 1, 3], [4, 1, 2]], "ordinal", value_domain=agreement.SCALE
    )
    insiders = agreement.krippendorff_alpha(
        [[4, 2, 4], [3, 4, 2]], "ordinal", value_domain=agreement.SCALE
    )
    assert df["alpha_ordinal"].iloc[0] == pytest.approx(insiders)
    assert df["alpha_ordinal"].iloc[1] == pytest.approx(outsiders)
    assert df["alpha_ordinal"].iloc[4] is None or math.isnan(df["alpha_ordinal"].iloc[4])


def test_change_between_rounds(scored):
    with scored.connect() as con:
        crit, agr = results.change(con, "r1", "r2")
    i1 = crit[(crit["institution_id"] == "I1") & (crit["criterion_id"] == "c_both")]
    assert rows_of(
        i1,
        ["perspective", "mean_from", "mean_to", "mean_change", "gap_from", "gap_to", "gap_change"],
    ) == [
        ("insider", 3.5, 3.0, -0.5, 1.1667, 0.0, -1.1667),
        ("outsider", 2.3333, 3.0, 0.6667, 1.1667, 0.0, -1.1667),
    ]
    i2 = crit[(crit["institution_id"] == "I2") & (crit["criterion_id"] == "c_both")]
    assert rows_of(i2, ["perspective", "mean_from", "mean_to", "mean_change"]) == [
        ("insider", 3.0, None, None),
        ("outsider", 2.0, None, None),
    ]
    overall = agr[agr["institution_id"].isna()]
    assert list(overall["perspective"]) == ["insider", "outsider"]
    assert overall["alpha_to"].isna().all()  # r2 has one rater per perspective: n/a


def test_results_and_agreement_commands(scored, monkeypatch, capsys):
    monkeypatch.setenv("CLOSER_PASSWORD", password_of("facilitator"))
    base = ["--db", str(scored.db_path)]
    assert (
        main(
            base
            + [
                "rubric",
                "results",
                "--round",
                "r1",
                "--format",
                "csv",
                "--institution",
                "I1",
                "--as",
                "facilitator",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0]
        == "round_id,institution_id,section_id,criterion_id,perspective,mean,median,raters,gap"
    )
    assert out[1:3] == [
        "r1,I1,s1,c_both,insider,3.5,3.5,2,1.166667",
        "r1,I1,s1,c_both,outsider,2.333333,2.0,3,1.166667",
    ]
    assert out[5] == "r1,I1,s2,c_in,insider,3.0,3.0,2,"
    assert len(out) == 7
    assert main(base + ["rubric", "agreement", "--round", "r1", "--as", "facilitator"]) == 0
    table = capsys.readouterr().out
    assert "(all institutions)" in table and "n/a" in table
    assert main(base + ["rubric", "results", "--round", "r9", "--as", "facilitator"]) == 1
    assert "no round 'r9' (rounds: r1, r2)" in capsys.readouterr().err
    assert (
        main(
            base
            + [
                "rubric",
                "change",
                "--from",
                "r1",
                "--to",
                "r2",
                "--agreement",
                "--format",
                "csv",
                "--as",
                "facilitator",
            ]
        )
        == 0
    )
    head = capsys.readouterr().out.splitlines()[0]
    assert head == "from_round,to_round,perspective,institution_id,alpha_from,alpha_to,alpha_change"
