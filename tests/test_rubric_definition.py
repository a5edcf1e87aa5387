"""Rubric definitions: the shipped default rubric, validation, versions and immutability."""

from __future__ import annotations

import pytest

from closer.cli import main
from rubrics import definition
from rubrics import submissions as subs
from tests.rubric_world import TINY_RUBRIC, make_world, password_of

SHIPPED = definition.Path(definition.__file__).resolve().parent / "definitions"


def test_the_default_rubric_covers_the_seeds():
    r = definition.load_file(SHIPPED / "monitoring_v1.yaml")
    assert (r.rubric_id, r.version) == ("monitoring", 1)
    assert [s.section_id for s in r.sections] == [
        "strategy",
        "channels",
        "content",
        "frequency",
        "responsiveness",
        "engagement",
        "policy",
        "accessibility",
        "data",
        "moderation",
    ]
    policy = next(s for s in r.sections if s.section_id == "policy")
    # seed 002: the eight elements of a social media policy
    assert [c.criterion_id for c in policy.criteria] == [
        "policy_employee_access",
        "policy_account_management",
        "policy_acceptable_use",
        "policy_employee_conduct",
        "policy_content",
        "policy_security",
        "policy_legal",
        "policy_citizen_conduct",
    ]
    ladder = r.criterion("engagement_ladder")
    assert ladder.levels[0].startswith("One-way information")
    assert ladder.levels[4].startswith("Dynamic ideas and input")
    assert "3 hours" in r.criterion("response_time").guidance  # Seoul tiers, seed 003
    assert len(r.criteria) == 29
    assert {c.perspective for c in r.criteria} == {"insider", "outsider", "both"}
    assert len(r.criteria_for("insider")) == 28 and len(r.criteria_for("outsider")) == 17
    assert all(len(c.levels) == 5 and all(c.levels) and c.guidance for c in r.criteria)
    assert definition.current().key == "monitoring v1"


def test_rubric_check_command_validates_the_shipped_definitions(capsys):
    assert main(["rubric", "check"]) == 0
    assert capsys.readouterr().out.strip() == (
        "monitoring_v1.yaml: ok: monitoring v1, 10 sections, 29 criteria "
        "(28 for insiders, 17 for outsiders)"
    )


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_every_problem_in_a_definition_is_named(tmp_path, capsys):
    bad = (
        TINY_RUBRIC.replace(
            "perspective: both\n        evidence_required: false",
            "perspective: everyone\n        evidence_required: maybe",
            1,
        )
        .replace(
            "levels: {0: none, 1: little, 2: some, 3: much, 4: all}\n  - section_id: s2",
            "levels: {0: none, 1: little, 2: some, 3: much, 5: all}\n  - section_id: s2",
        )
        .replace("criterion_id: c_out", "criterion_id: c_in")
        .replace("figures: [posts_per_day, response_rate]", "figures: [likes_per_minute]")
    )
    p = _write(tmp_path, "monitoring_v1.yaml", bad)
    with pytest.raises(definition.RubricError) as e:
        definition.load_file(p)
    assert e.value.errors == [
        (
            "monitoring_v1.yaml: sections[0] (s1).criteria[0] (c_both).perspective: must be one of "
            "insider, outsider, both, not 'everyone'"
        ),
        (
            "monitoring_v1.yaml: sections[0] (s1).criteria[0] (c_both).evidence_required: must be "
            "true or false, not 'maybe'"
        ),
        (
            "monitoring_v1.yaml: sections[0] (s1).criteria[0] (c_both).figures: known figures are "
            "followers, active_channels, posts_per_day, form_mix, link_share, citizen_comments, "
            "response_rate, response_latency, seoul_3h, polls, post_languages; got "
            "['likes_per_minute']"
        ),
        (
            "monitoring_v1.yaml: sections[0] (s1).criteria[1] (c_ev).levels: scores are 0-4; "
            "unexpected [5]"
        ),
        (
            "monitoring_v1.yaml: sections[0] (s1).criteria[1] (c_ev).levels: score 4 has no "
            "descriptor"
        ),
        (
            "monitoring_v1.yaml: sections[1] (s2).criteria[1] (c_in): criterion_id: used twice in "
            "this rubric"
        ),
    ]
    assert main(["rubric", "check", str(p)]) == 1
    assert "perspective: must be one of" in capsys.readouterr().err


def test_file_name_must_match_the_content(tmp_path):
    with pytest.raises(definition.RubricError, match="do not match the file name"):
        definition.load_file(_write(tmp_path, "monitoring_v2.yaml", TINY_RUBRIC))
    with pytest.raises(definition.RubricError, match=r"<rubric_id>_v<N>\.yaml"):
        definition.load_file(_write(tmp_path, "monitoring.yaml", TINY_RUBRIC))
    with pytest.raises(definition.RubricError, match="monitoring_v1.yaml: line 3"):
        definition.load_file(_write(tmp_path, "monitoring_v1.yaml", "a: 1\nb: [\nc: d: e\n"))


def test_a_version_in_use_is_immutable_and_each_submission_keeps_its_version(
    tmp_path, monkeypatch, capsys
):
    w = make_world(tmp_path, monkeypatch)
    yaml_v1 = w.rubrics_dir / "monitoring_v1.yaml"
    m1 = w.user("m1")
    # Before any submission, a version may still be corrected in place.
    yaml_v1.write_text(TINY_RUBRIC.replace("Give a link.", "Give a link or a note."))
    with w.connect() as con:
        assert definition.register_all(con) == {"monitoring v1": "new"}
        yaml_v1.write_text(TINY_RUBRIC)
        assert definition.register_all(con) == {"monitoring v1": "updated"}
        assert definition.register_all(con) == {"monitoring v1": "unchanged"}
        subs.save(
            con,
            m1,
            submission_id="s-v1",
            institution_id="I1",
            round_id="r1",
            scores={"c_both": 3, "c_ev": (2, "http://x"), "c_out": 1},
            submit=True,
        )
    # Now v1 has a submission: changing it in place is refused, nothing registered.
    yaml_v1.write_text(TINY_RUBRIC.replace("Scored by insiders and outsiders.", "Changed."))
    with w.connect() as con:
        with pytest.raises(definition.RubricImmutable, match="has 1 submission"):
            definition.register_all(con)
        assert definition.stored(con, "monitoring", 1).criterion("c_both").guidance == (
            "Scored by insiders and outsiders."
        )
    args = ["--db", str(w.db_path), "rubric", "register", "--as", "admin"]
    monkeypatch.setenv("CLOSER_PASSWORD", password_of("admin"))
    assert main(args) == 1
    assert "save the change as monitoring_v2.yaml" in capsys.readouterr().err
    # A new form in the same situation is refused too, with the reason.
    with w.connect() as con, pytest.raises(definition.RubricImmutable):
        subs.save(
            con,
            w.user("m2"),
            submission_id="s-x",
            institution_id="I1",
            round_id="r1",
            scores={"c_both": 1},
        )
    # The change as version 2: new submissions use it, the old one keeps v1.
    yaml_v1.write_text(TINY_RUBRIC)
    _write(
        w.rubrics_dir,
        "monitoring_v2.yaml",
        TINY_RUBRIC.replace("version: 1", "version: 2").replace(
            "criterion_id: c_out", "criterion_id: c_out2"
        ),
    )
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines() == [
        "monitoring v1: unchanged",
        "monitoring v2: new",
    ]
    with w.connect() as con:
        new = subs.save(
            con, m1, submission_id="s-v2", institution_id="I1", round_id="r2", scores={"c_out2": 2}
        )
        old = subs.get(con, "s-v1")
        assert (new.submission.rubric_version, old.rubric_version) == (2, 1)
        assert subs.rubric_of(con, old).criterion("c_out") is not None
        assert subs.rubric_of(con, new.submission).criterion("c_out") is None


def test_docs_list_every_criterion_and_parse_every_command():
    from closer.cli import build_parser
    from tests.conftest import REPO
    from tests.rubric_world import documented_commands

    doc = REPO / "docs" / "rubric.md"
    text = doc.read_text(encoding="utf-8")
    for c in definition.load_file(SHIPPED / "monitoring_v1.yaml").criteria:
        row = f"| `{c.criterion_id}` {c.title} | {c.perspective} | "
        row += "required" if c.evidence_required else "-"
        assert row in text, row
    commands = documented_commands(doc)
    assert len(commands) == 10
    parser = build_parser()
    for argv in commands:
        assert parser.parse_args(argv).func is not None, argv
