"""Competition definitions: the bundled files, errors with file, line and field, and the
rule that a definition is fixed once scoring starts."""

from __future__ import annotations

import pytest

from closer import auth, db
from rubrics.jury import definition, store
from tests.test_jury_case import COMPETITION_YAML, flat, jury_db, user  # noqa: F401 (fixture)


def test_bundled_default_competition_has_the_epsa_criteria():
    comps = {c.competition_id: c for c in definition.bundled()}
    assert set(comps) == {"good_practice_2026", "no_hate_speech_2026"}
    gp = comps["good_practice_2026"]
    assert [(c.criterion_id, c.weight) for c in gp.criteria] == [
        ("relevance", 15), ("innovation", 15), ("stakeholder_engagement", 20), ("impact", 25),
        ("sustainability", 10), ("transferability", 15)]
    assert (gp.scale.minimum, gp.scale.maximum, gp.scale.step) == (0, 10, 1)
    assert [r.describe() for r in gp.tie_break] == [
        "higher mean score on impact", "higher mean score on stakeholder_engagement",
        "the chair's casting vote"]
    assert (gp.min_practices, gp.disagreement_threshold, gp.places, gp.special_mentions) == (
        5, 3.0, 3, 7)
    assert definition.from_json(definition.to_json(gp)) == gp


def test_every_problem_is_named_with_its_line(tmp_path):
    bad = tmp_path / "bad_v1.yaml"
    bad.write_text(
        "competition_id: bad\nversion: 1\nname: Bad\n"
        "scale: {min: 0, max: 10, step: 3}\n"
        "criteria:\n  - criterion_id: a\n    name: A\n    weight: -1\n"
        "  - criterion_id: a\n    name: B\n    weight: x\n"
        "tie_break:\n  - chair_casting_vote\n  - criterion: zzz\n"
        "timeline:\n  scoring_open: 2026-10-01\n  scoring_close: 2026-09-01\n"
        "chair: c\njurors: [x, x]\ncolour: red\n")
    with pytest.raises(definition.DefinitionError) as exc:
        definition.load_file(bad)
    assert exc.value.errors == [
        ("bad_v1.yaml:20: colour: unknown field (known: awards, categories, chair, "
        "competition_id, criteria, description, disagreement_threshold, evidence_period, jurors, "
        "name, normalisation, recusal, scale, tie_break, timeline, version, year)"),
        "bad_v1.yaml:4: scale.step: 3 does not divide 0..10",
        "bad_v1.yaml:8: criteria[0].weight: must be a number > 0, not -1",
        "bad_v1.yaml:9: criteria[1].criterion_id: 'a' used twice",
        "bad_v1.yaml:11: criteria[1].weight: must be a number, not 'x'",
        "bad_v1.yaml:13: tie_break[0]: the chair's casting vote decides last: put it at the end",
        "bad_v1.yaml:14: tie_break[1].criterion: 'zzz' is not one of the criteria",
        "bad_v1.yaml:17: timeline.scoring_close: 2026-09-01 is before scoring_open (2026-10-01)",
        "bad_v1.yaml:19: jurors[1]: 'x' listed twice",
    ]


def test_missing_parts_and_yaml_syntax(tmp_path):
    f = tmp_path / "x_v1.yaml"
    f.write_text("competition_id: x\nversion: 1\nname: X\n")
    with pytest.raises(definition.DefinitionError) as exc:
        definition.load_file(f)
    assert exc.value.errors == [
        ("x_v1.yaml: scale: must be a mapping with min, max and step (e.g. {min: 0, max: 10, "
        "step: 1})"),
        "x_v1.yaml: criteria: must be a non-empty list",
        ("x_v1.yaml: tie_break: must be a non-empty list, fixed before scoring, e.g. "
        "[{criterion: impact}, chair_casting_vote]"),
        "x_v1.yaml: chair: missing: the username of the jury's chair",
        "x_v1.yaml: jurors: must be a non-empty list of usernames",
    ]
    f.write_text("competition_id: x\nversion: [1\n")
    with pytest.raises(definition.DefinitionError, match=r"^x_v1.yaml:3: YAML: "):
        definition.load_file(f)
    g = tmp_path / "other_v2.yaml"
    g.write_text(COMPETITION_YAML)
    with pytest.raises(definition.DefinitionError, match="do not match the file name"):
        definition.load_file(g)


def test_definition_is_fixed_once_scoring_starts(jury_db, tmp_path):  # noqa: F811
    comp = definition.load_file(tmp_path / "acceptance_v1.yaml")
    changed = tmp_path / "acceptance_v2.yaml"
    changed.write_text(COMPETITION_YAML.replace("version: 1", "version: 2")
                       .replace("weight: 2", "weight: 3"))
    with db.connect(jury_db) as con:
        op = auth.LOCAL_OPERATOR
        assert store.register_competition(con, op, comp) == "unchanged"
        # before any ballot a new version may replace it
        assert store.register_competition(con, op, definition.load_file(changed)) == "updated"
        assert store.competition(con, "acceptance").competition.criteria[0].weight == 3
        with pytest.raises(store.JuryError, match="version 1 is older than the stored v2"):
            store.register_competition(con, op, comp)
        store.save_ballot(con, user(con, "ana"), "acceptance", "P1", flat(4),
                          submission_id="x1", submit=False)
        v3 = definition.parse({**definition.to_dict(definition.load_file(changed)),
                               "version": 3})
        with pytest.raises(store.JuryError, match=r"acceptance v2 is fixed \(1 ballot\(s\) "
                                                  "exist\\): criteria, weights, scale, tie-break"):
            store.register_competition(con, op, v3)
        # a juror may not create competitions
        with pytest.raises(auth.PermissionDenied, match="needs admin or facilitator"):
            store.register_competition(con, user(con, "ana"), v3)
