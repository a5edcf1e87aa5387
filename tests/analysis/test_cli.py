"""`closer analyse`, `closer topics`, `closer terms` on a real database file."""

from __future__ import annotations

from closer import db
from closer.analysis import ANALYSER_VERSION
from closer.cli import main
from tests.analysis.conftest import add_comments


def test_analyse_then_nothing_left(registry_db, capsys):
    with db.connect(registry_db) as con:
        add_comments(
            con,
            "mastodon:a",
            [
                {"comment_id": "a1", "text": "Când se repară drumul spre spital?"},
                {"comment_id": "a2", "text": "Mulțumim pentru curățenie!", "minutes": 1},
            ],
        )
    assert main(["--db", str(registry_db), "analyse"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("analysed 2 comments in ")
    assert out.rstrip().endswith("(ro 2); 0 unscored, 1 questions, 0 flagged as hate/abuse")
    assert main(["--db", str(registry_db), "analyse"]) == 0
    assert (
        capsys.readouterr().out
        == f"analysed 0 comments (all up to date for analyser {ANALYSER_VERSION})\n"
    )
    assert main(["--db", str(registry_db), "analyse", "--all", "--workers", "1"]) == 0
    assert capsys.readouterr().out.startswith("analysed 2 comments")

    assert (
        main(["--db", str(registry_db), "topics", "--institution", "A", "--period", "2024-05"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Primăria A (A), 2024-05: comments per topic (copies once)"
    assert [line.split()[0] for line in out[1:]] == ["Health", "Roads", "Waste"]

    assert main(["--db", str(registry_db), "terms", "--institution", "A"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Primăria A (A), all time: distinctive terms against all institutions",
        "  n/a: no other institution has analysed comments in the period to compare with",
    ]


def test_user_errors_are_one_line(registry_db, capsys):
    assert main(["--db", str(registry_db), "topics", "--institution", "Z"]) == 1
    assert (
        capsys.readouterr().err
        == "closer: no institution 'Z' in the registry (closer registry list)\n"
    )
    assert main(["--db", str(registry_db), "terms", "--institution", "A", "--period", "May"]) == 1
    assert "period 'May': expected all, YYYY, YYYY-MM" in capsys.readouterr().err
