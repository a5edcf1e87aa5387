"""The rules as data: keyword matching (diacritics, stems, whole words, sentence starts) and
definitions files refused with file:line: field."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from metrics import rules as rules_mod
from metrics.rules import RulesError


@pytest.fixture(scope="module")
def sql():
    con = duckdb.connect()
    for m in rules_mod.load().macros():
        con.execute(m)

    def run(expr: str, text: str):
        return con.execute(f"SELECT {expr}", [text]).fetchone()[0]

    return run


ASKS = "comment_asks($1)"
TIER = "comment_tier($1, comment_asks($1), NULL::VARCHAR[], comment_keyword_hit($1))"


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Când se repară strada?", True),
        ("Bună ziua, când vine autobuzul", True),  # a sentence after a greeting starts with "când"
        ("@primaria Cum se face înscrierea", True),  # @mentions skipped
        ("@primaria @ion când", True),
        ("CAND vine autobuzul", True),  # without diacritics, in capitals
        ("de ce nu merge apa", True),
        ("Why is the road closed", True),
        ("Cumpăr bilete de la ghișeu", False),  # "cum" only as a whole word
        ("Nu știu când vine", False),  # "când" not at the start of a sentence
        ("Ce frumos!", False),
        ("", False),
    ],
)
def test_comment_asks(sql, text, asks):
    assert sql(ASKS, text) is asks


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("Propunerea mea: o pistă de biciclete", "policy"),  # stem propun*
        ("I suggest more buses", "policy"),
        ("Am făcut o sesizare pentru groapă", "review"),
        ("Groapa de pe strada mea", "review"),  # "groapă" written without its diacritic
        ("Am o problemă cu iluminatul", "review"),
        ("Câștigă cine are dreptate", "simple"),
        ("Mulțumim!", "simple"),
        ("Vă rog să reparați semaforul ar trebui urgent", "policy"),  # the policy rule comes first
    ],
)
def test_comment_tier(sql, text, tier):
    assert sql(TIER, text) == tier


@pytest.mark.parametrize(
    ("text", "cat"),
    [
        ("Votați proiectul preferat", "vote"),
        ("VOTATI proiectul", "vote"),
        ("Votca nu e un vot", "vote"),
        ("Concursul de desene", "contest"),
        ("Câştigă un premiu", "contest"),  # cedilla ş, stem premiu*
        ("Consultare publică privind bugetul", "consultation"),
        ("Ce   părere aveți despre parc", "question"),  # any spacing inside a phrase
    ],
)
def test_two_way_words(sql, text, cat):
    assert sql(f"two_way_{cat}($1, two_way_hit($1))", text) is True


def test_two_way_words_whole(sql):
    assert sql("two_way_vote($1, two_way_hit($1))", "Votca e la reducere") is False
    assert (
        sql("two_way_contest($1, two_way_hit($1))", "Am câștigat") is False
    )  # "câștigă" whole, "câștigați" listed


def _copy(tmp_path):
    d = tmp_path / "definitions"
    shutil.copytree(rules_mod.DEFINITIONS, d)
    return d


def _line(path, needle):
    return next(
        i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in t
    )


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "  - tier: review\n    keywords_any",
            "  - tier: reviw\n    keywords_any",
            "tier: reviw",
            "rules[1].tier: 'reviw' is not a tier (simple, review, policy)",
        ),
        (
            "    limit_hours: 72",
            "    limit_hours: -3",
            "limit_hours: -3",
            "tiers[1].limit_hours: must be a positive number of hours",
        ),
        ("  enabled: false", "  enabled: true", None, None),
    ],
)
def test_tier_file_errors(tmp_path, old, new, needle, message):
    d = _copy(tmp_path)
    p = d / "response_tiers.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    if message is None:
        assert rules_mod.load(d).business_hours.days[4] == (9 * 3600, 17 * 3600)
        return
    with pytest.raises(RulesError) as e:
        rules_mod.load(d)
    assert str(e.value) == f"response_tiers.yaml:{_line(p, needle)}: {message}"


def test_business_hours_errors(tmp_path):
    d = _copy(tmp_path)
    p = d / "response_tiers.yaml"
    p.write_text(
        p.read_text(encoding="utf-8")
        .replace("  enabled: false", "  enabled: true")
        .replace('fri: "09:00-17:00"', 'fri: "9-17"'),
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as e:
        rules_mod.load(d)
    assert (
        str(e.value)
        == f"response_tiers.yaml:{_line(p, 'fri:')}: business_hours.days.fri: must be HH:MM-HH:MM, got '9-17'"
    )


def test_keyword_file_errors(tmp_path):
    d = _copy(tmp_path)
    p = d / "keywords.yaml"
    p.write_text(
        p.read_text(encoding="utf-8").replace("  contest:\n    ro:", "  contest:\n    fr:"),
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as e:
        rules_mod.load(d)
    assert (
        str(e.value)
        == f"keywords.yaml:{_line(p, 'fr:')}: two_way.contest.fr: unknown language (use ro, en)"
    )


def test_calendar_time_zone(tmp_path):
    d = _copy(tmp_path)
    (d / "calendar.yaml").write_text("version: 1\ntimezone: Europe/Bucuresti\n", encoding="utf-8")
    with pytest.raises(
        RulesError, match=r"^calendar.yaml:2: timezone: unknown time zone 'Europe/Bucuresti'$"
    ):
        rules_mod.load(d)


def test_not_yaml(tmp_path):
    d = _copy(tmp_path)
    (d / "keywords.yaml").write_text("version: 1\nquestion: [\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"^keywords.yaml:3: not valid YAML"):
        rules_mod.load(d)
