"""AppTest of the Comments page: empty states, and the figures of a small analysed thread."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from closer import db
from closer.analysis import pipeline
from tests.analysis.conftest import add_comments, add_registry


def _page() -> None:
    from ui.pages import comments

    comments.render()


def open_page(monkeypatch, db_file) -> AppTest:
    monkeypatch.setenv("CLOSER_DB", str(db_file))
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "subheader", "markdown", "caption", "info", "warning")
        for e in getattr(at, kind)
    ]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_no_database(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path / "none.duckdb")
    assert "no database at" in at.warning[0].value


def test_empty_database(monkeypatch, db_path):
    at = open_page(monkeypatch, db_path)
    assert at.title[0].value == "Comments"
    assert "No institutions registered yet" in at.info[0].value


def test_registry_without_analysis_says_n_a(monkeypatch, db_path):
    with db.connect(db_path) as con:
        add_registry(con)
    at = open_page(monkeypatch, db_path)
    assert "n/a: no analysed comments yet" in at.info[0].value


def test_figures_of_an_analysed_thread(monkeypatch, db_path):
    with db.connect(db_path) as con:
        add_registry(con)
        add_comments(
            con,
            "mastodon:a",
            [
                {"comment_id": "a1", "text": "Când se repară drumul spre spital?", "minutes": 0},
                {"comment_id": "a2", "text": "Mulțumim pentru curățenie!", "minutes": 1},
                {
                    "comment_id": "a3",
                    "text": "Nagyon köszönöm a gyors segítséget, szép munka!",
                    "minutes": 2,
                },
                {"comment_id": "a4", "text": "Sunteți niște idioți", "minutes": 3},
                {
                    "comment_id": "r1",
                    "text": "Săptămâna viitoare.",
                    "minutes": 9,
                    "by_institution": True,
                    "parent_id": "a1",
                },
            ],
        )
        add_comments(
            con,
            "mastodon:b",
            [{"comment_id": "b1", "text": "Felicitări pentru festival!", "minutes": 5}],
        )
    pipeline.analyse_db(db_path)
    at = open_page(monkeypatch, db_path)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Comments (copies once)": "4",
        "Scored": "75%",  # the Hungarian comment is unscored
        "Positive, of scored": "33%",
        "Negative, of scored": "33%",
        "Questions": "1",
        "Answered": "1",
        "Answered share": "100%",
        "Flagged comments": "1",
        "Share of assessed": "33%",  # 1 of the 3 comments in a language with a lexicon
    }
    tables = {tuple(df.value.columns): df.value for df in at.dataframe}
    topics = tables[("topic", "comments", "previous", "change")]
    assert list(topics["topic"]) == ["Health", "Roads and pavements", "Waste and street cleaning"]
    hate = tables[("category", "comments", "share of assessed")]
    assert hate.to_dict("records") == [
        {"category": "Insult / abuse", "comments": 1, "share of assessed": "33%"}
    ]
    comparison = next(df for cols, df in tables.items() if "institution" in cols)
    assert comparison[["institution", "comments", "questions", "answered"]].to_dict("records") == [
        {"institution": "Primăria A", "comments": 4, "questions": 1, "answered": "100%"},
        {"institution": "Primăria B", "comments": 1, "questions": 0, "answered": "n/a"},
    ]
    text = page_text(at)
    assert "u-a4" not in text and "author" not in text  # counts only, never who wrote it
    assert "n/a: no other institution" not in text  # B has comments to compare with
    assert "Distinctive terms" in text


def test_choosing_another_institution_and_a_round(monkeypatch, db_path):
    with db.connect(db_path) as con:
        add_registry(con)
        con.execute(
            "INSERT INTO rounds VALUES ('baseline', 'Baseline', '2024-01-01', '2024-01-31')"
        )
        add_comments(
            con,
            "mastodon:b",
            [{"comment_id": "b1", "text": "Felicitări pentru festival!", "minutes": 5}],
        )
    pipeline.analyse_db(db_path)
    at = open_page(monkeypatch, db_path)
    at.selectbox(key="comments_institution").select("B").run()
    assert {m.label: m.value for m in at.metric}["Comments (copies once)"] == "1"
    at.selectbox(key="comments_period").select("round baseline").run()
    assert not at.exception
    assert "n/a: no analysed comments in this period." in [i.value for i in at.info]
