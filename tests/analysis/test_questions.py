"""Question flag: "?" outside links, or a sentence opening with a question word."""

from __future__ import annotations

import pytest

from closer.analysis.questions import QuestionDetector


@pytest.fixture(scope="module")
def detector():
    return QuestionDetector(["ro", "en"])


@pytest.mark.parametrize(
    "text, asks",
    [
        ("Când se repară drumul?", True),
        ("Când se repară drumul", True),  # no "?" but a question word opens it
        ("Cand se repara drumul", True),
        ("De ce nu răspundeți la mesaje", True),
        ("Buna ziua. Unde pot depune actele", True),
        ("Puteți să ne spuneți programul", True),
        ("Oare se va rezolva vreodată", True),
        ("Is the road closed tomorrow", True),
        ("Great job. When will it open", True),
        ("Când plouă, strada se inundă.", False),  # a clause, not a question
        ("Ce frumos!", False),
        ("Ce frumos", False),  # exclamation without "!"
        ("Ce mai bătaie de joc", False),
        ("Super!!! Când e următorul concert!!!", False),
        ("What a mess", False),
        ("Do not park here", False),
        ("Have a nice day", False),
        ("Mulțumim pentru răspuns", False),
        ("Detalii: https://primaria.example/anunt?id=3", False),  # "?" inside a link
        ("", False),
        (None, False),
    ],
)
def test_is_question(detector, text, asks):
    assert detector.is_question(text) is asks


def test_languages_limit_the_question_words():
    english_only = QuestionDetector(["en"])
    assert english_only.is_question("Când se repară drumul") is False
    assert english_only.is_question("Când se repară drumul?") is True
