"""Sentiment: hand-labelled English and Romanian comments (with and without diacritics, with
negation), exact compound scores computed by hand, unscored languages, VADER's labels."""

from __future__ import annotations

import math

import pytest

from closer.analysis import sentiment
from closer.analysis.analyser import Analyser


@pytest.fixture(scope="module")
def analyser():
    return Analyser(("en", "hu", "ro"))


def vader_normalize(total: float) -> float:
    return round(total / math.sqrt(total * total + 15), 4)


# (text, label a person gave it). Romanian in three spellings where it matters: with
# comma-below diacritics, without diacritics, with legacy cedillas.
LABELLED = [
    ("Mulțumim pentru intervenția rapidă!", "positive"),
    ("Multumim pentru interventia rapida!", "positive"),
    ("Felicitări pentru noul parc, arată superb!", "positive"),
    ("Felicitari pentru noul parc, arata superb!", "positive"),
    ("Bravo, foarte bine organizat festivalul", "positive"),
    ("Mulţumesc frumos pentru ajutor", "positive"),
    ("Suntem foarte mulțumiți de noua linie de tramvai", "positive"),
    ("Sunt încântat de parcul renovat 😍", "positive"),
    ("Nu e rău deloc noul program al autobuzelor", "positive"),  # negated negative
    ("Fără probleme, totul a mers bine", "positive"),  # "fără" negates "probleme"
    ("E o mizerie pe strada noastră, nimeni nu face curat", "negative"),
    ("Nu sunt mulțumit de răspunsul primit", "negative"),
    ("Nu sunt multumit de raspunsul primit", "negative"),
    ("Nu sunt mulţumit de răspunsul primit", "negative"),
    ("Strada e plină de gropi, o bătaie de joc!", "negative"),
    ("Dezastru total, nimic nu funcționează", "negative"),
    ("Nu e bine deloc ce faceți cu parcarea", "negative"),
    ("Nu e deloc bine ce faceti cu parcarea", "negative"),  # negative concord: one negation
    ("Sunteți incompetenți, de trei luni aștept un răspuns", "negative"),
    ("Ce rușine, gunoiul stă pe stradă de o săptămână 😡", "negative"),
    ("Apa caldă lipsește iar, e inacceptabil", "negative"),
    ("Bună ziua, când se deschide piscina?", "neutral"),
    ("Buna ziua, cand se deschide piscina?", "neutral"),
    ("Autobuzul 41 nu circulă duminica.", "neutral"),
    ("Programul ghișeului este de la 8 la 16.", "neutral"),
    ("Unde pot depune actele pentru buletin?", "neutral"),
    ("Great job fixing the road on Main street!", "positive"),
    ("Thank you for the quick answer :)", "positive"),
    ("Not bad at all, the new bus line works well", "positive"),
    ("The bus was late again, terrible service.", "negative"),
    ("The park is dirty and the benches are broken.", "negative"),
    ("Nobody answers, this is unacceptable.", "negative"),
    ("When does the library open on Sunday?", "neutral"),
]


@pytest.mark.parametrize("text, label", LABELLED, ids=[t for t, _ in LABELLED])
def test_hand_labelled_comment(analyser, text, label):
    result = analyser.analyse(text)
    assert result.lang in ("en", "ro")
    assert result.sentiment_label == label, result


@pytest.mark.parametrize("text", ["Mulțumim!", "Multumim!", "Mulţumim!", "MULȚUMIM!", "mulțumim !"])
def test_diacritics_cedillas_and_case_score_the_same(text):
    # mulțumim 1.9, one "!" +0.292 (VADER), normalised: 2.192 / √(2.192² + 15) = 0.4926.
    # All caps is not emphasis when every word is in caps (VADER's cap differential).
    assert sentiment.score(text, "ro") == vader_normalize(1.9 + 0.292) == 0.4926


def test_negation_flips_once():
    # mulțumit 1.8 × −0.74 (N_SCALAR) = −1.332 → −0.3252
    assert (
        sentiment.score("Nu sunt mulțumit de răspuns", "ro") == vader_normalize(-1.332) == -0.3252
    )
    # "nu … deloc": two negation words in the window, Romanian negative concord: still once.
    # bine 1.1 × −0.74 = −0.814 → −0.2057
    assert sentiment.score("Nu e deloc bine", "ro") == vader_normalize(-0.814) == -0.2057
    # "n-" clitic negation: "N-a fost bine" → −0.814 as well
    assert sentiment.score("N-a fost bine", "ro") == -0.2057


def test_negation_window_stops_at_a_comma():
    # "Nu, e bine": the "nu" answers something else; bine 1.1 → 0.2732
    assert sentiment.score("Nu, e bine", "ro") == vader_normalize(1.1) == 0.2732


def test_intensifier_and_contrast():
    # foarte +0.293 (B_INCR) before bine 1.1, "!" +0.292: 1.685 → 0.3989
    assert sentiment.score("Foarte bine!", "ro") == vader_normalize(1.1 + 0.293 + 0.292) == 0.3989
    # "dar" as VADER's "but": frumos 2.9 before it counts half; scump is neutral here
    assert sentiment.score("Frumos, dar scump.", "ro") == vader_normalize(2.9 * 0.5) == 0.3506
    # after "dar" one and a half times: bine 1.1 × 1.5 = 1.65
    assert sentiment.score("E scump, dar e bine", "ro") == vader_normalize(1.65) == 0.3919


def test_phrases_and_emojis():
    assert sentiment.score("Bună ziua", "ro") == 0.0  # a greeting, not praise
    # "bătaie de joc" −2.5 as one phrase, "!" +0.292
    assert sentiment.score("O bătaie de joc!", "ro") == vader_normalize(-2.5 - 0.292) == -0.5848
    # 👏 counts 1.8 (as VADER's "applause"); two of them 3.6
    assert sentiment.score("👏👏", "ro") == vader_normalize(3.6) == 0.6808


@pytest.mark.parametrize("lang", ["hu", "de", "und", None])
def test_other_languages_are_unscored_never_zero(lang):
    assert sentiment.score("Nagyon jó, köszönöm szépen!", lang) is None


def test_hungarian_comment_is_unscored(analyser):
    result = analyser.analyse("Nagyon köszönöm a gyors segítséget, szép munka!")
    assert result.lang == "hu"
    assert result.sentiment is None and result.sentiment_label is None


def test_undetermined_comment_is_unscored(analyser):
    for text in ("👍👍", "Bravo!", "!!!", "12345"):
        result = analyser.analyse(text)
        assert result.lang == "und", text
        assert result.sentiment is None and result.sentiment_label is None


def test_empty_text_is_unscored():
    assert sentiment.score("", "en") is None
    assert sentiment.score("   ", "ro") is None


@pytest.mark.parametrize(
    "compound, label",
    [
        (0.05, "positive"),
        (0.0499, "neutral"),
        (0.0, "neutral"),
        (-0.0499, "neutral"),
        (-0.05, "negative"),
        (1.0, "positive"),
        (-1.0, "negative"),
        (None, None),
    ],
)
def test_labels_use_vaders_thresholds(compound, label):
    assert sentiment.label(compound) == label
