"""The database step: citizen comments only, incremental by analyser version and text,
copies grouped per institution, the same results in worker processes."""

from __future__ import annotations

import pytest

from closer import db
from closer.analysis import ANALYSER_VERSION, pipeline
from tests.analysis.conftest import add_comments, results

CAMPAIGN = "Cerem consultare publică reală pentru planul urbanistic al orașului!"
COMMENTS_A = [
    {"comment_id": "a1", "text": "Când se repară drumul spre spital?", "minutes": 0},
    {"comment_id": "a2", "text": "Mulțumim pentru curățenie!", "minutes": 5},
    {"comment_id": "a3", "text": CAMPAIGN, "minutes": 10},
    {
        "comment_id": "a4",
        "text": "cerem CONSULTARE publica reala pentru planul urbanistic al orasului",
        "minutes": 20,
    },
    {"comment_id": "a5", "text": "RT @vecinul: " + CAMPAIGN, "minutes": 30},
    {"comment_id": "a6", "text": "Bravo!", "minutes": 40},
    {"comment_id": "a7", "text": "Bravo!", "minutes": 41},
    {"comment_id": "a8", "text": "Nagyon köszönöm a gyors segítséget, szép munka!", "minutes": 50},
    {
        "comment_id": "r1",
        "text": "Săptămâna viitoare.",
        "minutes": 60,
        "by_institution": True,
        "parent_id": "a1",
    },
]
COMMENTS_B = [{"comment_id": "b1", "text": CAMPAIGN, "minutes": 15}]


@pytest.fixture
def comments_db(registry_db):
    with db.connect(registry_db) as con:
        add_comments(con, "mastodon:a", COMMENTS_A)
        add_comments(con, "mastodon:b", COMMENTS_B)
    return registry_db


def test_first_run_analyses_citizen_comments_only(comments_db):
    run = pipeline.analyse_db(comments_db)
    assert run.analysed == 9  # 8 citizen comments of A, 1 of B; the institution's reply has no row
    got = results(comments_db, "analyser_version, lang, sentiment_label, topics, is_question, hate")
    assert set(got) == {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "b1"}
    assert got["a1"] == (ANALYSER_VERSION, "ro", "neutral", ["health", "roads"], True, False)
    assert got["a2"] == (ANALYSER_VERSION, "ro", "positive", ["waste"], False, False)
    assert got["a6"] == (ANALYSER_VERSION, "und", None, [], False, False)  # unscored, not neutral
    assert got["a8"] == (ANALYSER_VERSION, "hu", None, None, False, None)  # not assessed
    assert run.languages == {"ro": 6, "und": 2, "hu": 1}
    assert (run.unscored, run.questions, run.hate) == (3, 1, 0)


def test_copies_are_grouped_per_institution_and_the_first_counts(comments_db):
    pipeline.analyse_db(comments_db)
    got = results(comments_db, "dup_group, dup_count, dup_first")
    group = got["a3"][0]
    assert group is not None and len(group) == 16
    # case, diacritics, punctuation and the re-share prefix do not make a different text
    assert got["a3"] == (group, 3, True)
    assert got["a4"] == (group, 3, False)
    assert got["a5"] == (group, 3, False)
    assert got["b1"] == (group, 1, True)  # the same campaign under another institution
    # short texts are independent voices, not copies
    assert got["a6"] == (None, 1, True) and got["a7"] == (None, 1, True)


def test_second_run_on_unchanged_data_analyses_nothing(comments_db):
    pipeline.analyse_db(comments_db)
    before = results(comments_db, "analysed_at")
    run = pipeline.analyse_db(comments_db)
    assert (run.analysed, run.pending) == (0, 0)
    assert results(comments_db, "analysed_at") == before
    assert run.summary() == f"analysed 0 comments (all up to date for analyser {ANALYSER_VERSION})"


def test_new_comments_only_and_copy_counts_follow(comments_db):
    pipeline.analyse_db(comments_db)
    with db.connect(comments_db) as con:
        add_comments(
            con,
            "mastodon:a",
            [{"comment_id": "a9", "text": CAMPAIGN, "minutes": 90}],
            run_id="run2",
        )
    run = pipeline.analyse_db(comments_db)
    assert run.analysed == 1
    got = results(comments_db, "dup_count, dup_first")
    assert [got[c] for c in ("a3", "a4", "a5", "a9")] == [
        (4, True),
        (4, False),
        (4, False),
        (4, False),
    ]


def test_bumped_version_reanalyses_everything(comments_db, monkeypatch):
    pipeline.analyse_db(comments_db)
    monkeypatch.setattr(pipeline, "ANALYSER_VERSION", "next-version")
    run = pipeline.analyse_db(comments_db)
    assert run.analysed == 9
    versions = {v for (v,) in results(comments_db, "analyser_version").values()}
    assert versions == {"next-version"}
    assert pipeline.analyse_db(comments_db).analysed == 0


def test_edited_comment_is_reanalysed(comments_db):
    pipeline.analyse_db(comments_db)
    with db.connect(comments_db) as con:
        con.execute(
            "UPDATE comments SET text = 'Nu sunt mulțumit de răspuns' WHERE comment_id = 'a2'"
        )
    run = pipeline.analyse_db(comments_db)
    assert run.analysed == 1
    assert results(comments_db, "sentiment, sentiment_label")["a2"] == (-0.3252, "negative")


def test_all_reanalyses_everything_and_orphans_are_removed(comments_db):
    pipeline.analyse_db(comments_db)
    with db.connect(comments_db) as con:
        con.execute("DELETE FROM comments WHERE comment_id = 'a5'")
    run = pipeline.analyse_db(comments_db)
    assert (run.analysed, run.removed) == (0, 1)
    assert "a5" not in results(comments_db)
    assert results(comments_db, "dup_count")["a3"] == (2,)  # a3 and a4 remain
    assert pipeline.analyse_db(comments_db, all=True).analysed == 8


def test_worker_processes_give_the_same_results(comments_db, tmp_path, monkeypatch):
    pipeline.analyse_db(comments_db, workers=1)
    serial = results(
        comments_db, "lang, lang_confidence, sentiment, topics, is_question, hate, terms, dup_group"
    )
    monkeypatch.setattr(pipeline, "MIN_PARALLEL", 1)
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    run = pipeline.analyse_db(comments_db, all=True, workers=2)
    assert run.analysed == 9
    assert (
        results(
            comments_db,
            "lang, lang_confidence, sentiment, topics, is_question, hate, terms, dup_group",
        )
        == serial
    )


def test_empty_database_analyses_nothing(db_path):
    assert pipeline.analyse_db(db_path).analysed == 0


def test_results_written_in_several_transactions_are_the_same(comments_db, monkeypatch):
    pipeline.analyse_db(comments_db, workers=1)
    once = results(comments_db, "lang, sentiment, topics, is_question, dup_group, dup_count")
    writes = []
    real_write = pipeline._write
    def counting_write(*a, **k):
        writes.append(sum(t.num_rows for t in a[1]))
        real_write(*a, **k)

    monkeypatch.setattr(pipeline, "_write", counting_write)
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 4)
    monkeypatch.setattr(pipeline, "FLUSH_SECONDS", 0.0)  # write after every batch
    assert pipeline.analyse_db(comments_db, all=True, workers=1).analysed == 9
    assert writes == [4, 4, 1, 0]  # three batches, then the copies' recount alone
    assert results(comments_db, "lang, sentiment, topics, is_question, dup_group, dup_count") == once


def test_a_failed_run_keeps_what_it_analysed(comments_db, monkeypatch):
    real_results = pipeline._results

    def two_chunks_then_fail(unique, analyser, pool):
        it = real_results(unique, analyser, pool)
        yield next(it)
        yield next(it)
        raise RuntimeError("worker died")

    monkeypatch.setattr(pipeline, "_results", two_chunks_then_fail)
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)
    with pytest.raises(RuntimeError, match="worker died"):
        pipeline.analyse_db(comments_db, workers=1)
    # the texts of the first two chunks gave the first batch of 3 comments: kept
    kept = results(comments_db, "lang")
    assert len(kept) == 3
    monkeypatch.setattr(pipeline, "_results", real_results)
    assert pipeline.analyse_db(comments_db, workers=1).analysed == 6  # only the rest
    assert set(results(comments_db, "lang")) > set(kept)
