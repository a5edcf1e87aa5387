"""The continuum and the engagement ladder on hand-built institutions: one modest, one
moderate, one elaborate, one with nothing collected (tests/metrics/conftest.py:three_levels),
the overall level, the evidence kept, and facilitators' overrides through the CLI."""

from __future__ import annotations

import datetime as dt

import pytest

from closer import cli
from metrics import continuum, ladder, periods
from metrics import rules as rules_mod
from metrics.rules import RulesError
from tests.metrics.conftest import three_levels


@pytest.fixture
def placed(world, con):
    three_levels(world)
    r = rules_mod.load()
    p = periods.rounds(con, r.timezone, "baseline")
    return {x.institution_id: x for x in continuum.place(con, p)}


def levels(p):
    return {d.dimension: d.level for d in p.dimensions}


def test_overall_is_the_lower_median():
    order = ("modest", "moderate", "elaborate")
    assert (
        continuum.overall_level(["modest", "moderate", "moderate", "elaborate"], order)
        == "moderate"
    )
    assert (
        continuum.overall_level(["modest", "modest", "elaborate", "elaborate"], order) == "modest"
    )
    assert (
        continuum.overall_level(["elaborate", "moderate", "elaborate", "elaborate"], order)
        == "elaborate"
    )
    assert continuum.overall_level(["modest", None, "moderate", "elaborate"], order) is None


def test_three_levels(placed):
    assert levels(placed["M"]) == dict.fromkeys(continuum.DIMENSIONS, "modest")
    assert levels(placed["D"]) == dict.fromkeys(continuum.DIMENSIONS, "moderate")
    assert levels(placed["E"]) == dict.fromkeys(continuum.DIMENSIONS, "elaborate")
    assert [placed[i].overall for i in ("M", "D", "E")] == ["modest", "moderate", "elaborate"]


def test_nothing_collected_is_na_with_reason(placed):
    n = placed["N"]
    assert levels(n) == dict.fromkeys(continuum.DIMENSIONS, None)
    assert n.overall is None
    assert n.dimensions[0].na_reason == "the institution made no post of its own in the period"
    assert n.overall_reason.startswith("Channels: n/a (the institution made no post")


def test_evidence_keeps_figures_checks_and_example_posts(placed):
    d = {x.dimension: x for x in placed["D"].dimensions}
    # D: 2 active channels, 1 cross-link (d18 → its Bluesky), 3 of 10 posts photos and 1 a link
    assert d["channels"].figures == {
        "active_channels": 2,
        "cross_link_posts": 1,
        "cross_linked_channels": 1,
    }
    assert [e["url"] for e in d["channels"].examples] == ["https://example.test/d18"]
    assert d["content"].figures["rich_form_share"] == pytest.approx(0.4)
    # engagement: a question post, 1 of 2 comments answered → 0.5: moderate, not 0.6 for elaborate
    eng = {(c["level"], c["condition"]): c["holds"] for c in d["engagement"].checks}
    assert eng[("moderate", "response_rate >= 0.25")] is True
    assert eng[("elaborate", "question_response_rate >= 0.75")] is None  # no question: n/a
    assert eng[("elaborate", "latency_median_h <= 24")] is False  # 30 h
    assert [e["url"] for e in d["engagement"].examples] == ["https://example.test/d20"]
    e = {x.dimension: x for x in placed["E"].dimensions}
    assert e["update_frequency"].figures["posts_per_day"] == pytest.approx(64 / 31)
    notes = [x["note"] for x in e["engagement"].examples]
    assert notes[:2] == ["contest", "poll, vote"]


def test_ladder_rungs_with_evidence(world, con):
    three_levels(world)
    r = rules_mod.load()
    p = periods.rounds(con, r.timezone, "baseline")
    got = {x.institution_id: x for x in ladder.climb(con, p)}
    assert {i: (got[i].top.rung, got[i].top.name) for i in "MDE"} == {
        "M": (2, "commentary_questions"),
        "D": (3, "static_ideas_input"),
        "E": (5, "dynamic_ideas_voting"),
    }
    assert [x.name for x in got["E"].reached] == [
        "one_way",
        "commentary_questions",
        "contest_submissions",
        "dynamic_ideas_voting",
    ]
    assert got["D"].top.evidence == [
        {
            "url": "https://example.test/d20",
            "created_at": "2026-05-20T08:00:00+00:00",
            "form": "text",
            "note": "question; 2 citizen comments",
        }
    ]
    assert got["E"].top.evidence[0]["url"] == "https://example.test/e9"
    assert got["M"].top.evidence[0]["note"] == "2 citizen comments in the period, 0 answered"
    assert (
        got["N"].top is None
        and got["N"].na_reason == "the institution made no original post in the period"
    )


def test_override_through_the_cli(world, con, db_path, capsys):
    three_levels(world)
    con.close()
    base = ["--db", str(db_path), "continuum"]
    assert (
        cli.main(
            [
                *base,
                "override",
                "M",
                "channels",
                "moderate",
                "--reason",
                "the website links to all",
                "--by",
                "ana",
            ]
        )
        == 0
    )
    assert (
        "M channels in round:baseline: override set to moderate by ana" in capsys.readouterr().out
    )
    assert cli.main([*base, "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0] == "period,institution,channels,content,engagement,update_frequency,overall,ladder"
    )
    assert out[1:] == [
        "round:baseline,D,moderate,moderate,moderate,moderate,moderate,3 static_ideas_input",
        "round:baseline,E,elaborate,elaborate,elaborate,elaborate,elaborate,5 dynamic_ideas_voting",
        "round:baseline,M,moderate*,modest,modest,modest,modest,2 commentary_questions",
        "round:baseline,N,n/a,n/a,n/a,n/a,n/a,n/a",
    ]
    from closer import db

    with db.connect(db_path) as c:
        row = c.execute(
            "SELECT institution_id, dimension, period_key, thresholds_version, computed_level, override_level,"
            " reason, overridden_by FROM continuum_overrides"
        ).fetchall()
        assert row == [
            (
                "M",
                "channels",
                "round:baseline",
                1,
                "modest",
                "moderate",
                "the website links to all",
                "ana",
            )
        ]
        p = periods.rounds(c, "Europe/Bucharest", "baseline")
        m = next(x for x in continuum.place(c, p) if x.institution_id == "M")
        ch = m.dimensions[0]
        assert (ch.level, ch.computed, ch.override.by, ch.override.reason) == (
            "moderate",
            "modest",
            "ana",
            "the website links to all",
        )
    # withdrawn: the computed level counts again, the history keeps both rows
    assert (
        cli.main(
            [*base, "override", "M", "channels", "none", "--reason", "checked again", "--by", "ana"]
        )
        == 0
    )
    with db.connect(db_path) as c:
        m = next(x for x in continuum.place(c, p) if x.institution_id == "M")
        assert (m.dimensions[0].level, m.dimensions[0].override, len(m.dimensions[0].history)) == (
            "modest",
            None,
            2,
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "channels", "moderate"], "no institution 'X'"),
        (
            ["M", "colour", "moderate"],
            "'colour': the dimension is one of channels, content, engagement, update_frequency",
        ),
        (
            ["M", "channels", "superb"],
            "'superb': the level is one of modest, moderate, elaborate (or none, to withdraw)",
        ),
    ],
)
def test_override_refused_with_a_reason(world, con, db_path, capsys, args, message):
    three_levels(world)
    con.close()
    assert (
        cli.main(
            ["--db", str(db_path), "continuum", "override", *args, "--reason", "x", "--by", "ana"]
        )
        == 1
    )
    assert capsys.readouterr().err.strip() == f"closer: {message}"


def test_override_needs_a_reason(world, con):
    three_levels(world)
    p = periods.rounds(con, "Europe/Bucharest", "baseline")[0]
    with pytest.raises(continuum.OverrideError, match="needs a reason"):
        continuum.record_override(
            con,
            "M",
            "channels",
            "moderate",
            "  ",
            "ana",
            p,
            at=dt.datetime(2026, 6, 2, tzinfo=dt.UTC),
        )
    assert con.execute("SELECT count(*) FROM continuum_overrides").fetchone()[0] == 0


def test_thresholds_file_errors_name_file_line_and_field(tmp_path):
    (tmp_path / "continuum_v2.yaml").write_text(
        (rules_mod.DEFINITIONS / "continuum_v1.yaml")
        .read_text(encoding="utf-8")
        .replace("version: 1", "version: 2")
        .replace("active_channels >= 3", "active_channels >>> 3"),
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as e:
        continuum.load(2, tmp_path)
    line = next(
        i
        for i, t in enumerate((tmp_path / "continuum_v2.yaml").read_text().splitlines(), 1)
        if ">>>" in t
    )
    assert (
        str(e.value)
        == f"continuum_v2.yaml:{line}: dimensions.channels.elaborate.all[0]: 'active_channels >>> 3' is not 'metric operator number'"
    )


def test_thresholds_name_real_metrics():
    from metrics import catalog

    known = {m.name for m in catalog.metrics()}
    known |= {
        f"form_{f}_share"
        for f in ("text", "photo", "video", "link", "poll", "event", "quote", "repost")
    }
    known |= {f"{c}_posts" for c in ("poll", "vote", "contest", "consultation", "question")}
    d = continuum.load(known_metrics=known)
    assert [x.name for x in d.dimensions] == list(continuum.DIMENSIONS)
