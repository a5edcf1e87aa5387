"""Closer's English path gives exactly bare vaderSentiment's compound score.

The sentences are VADER's own published ground truth (fixtures/vader_ground_truth, see
SOURCES.md); the expected value is computed by the unmodified vaderSentiment package in the
same test run, so the comparison holds for whatever version is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from closer.analysis import sentiment, vader
from closer.analysis.analyser import Analyser

FIXTURES = Path(__file__).parent / "fixtures" / "vader_ground_truth"


def ground_truth() -> list[tuple[str, str]]:
    out = []
    for path in sorted(FIXTURES.glob("*_GroundTruth.sample.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ident, _rating, text = line.split("\t", 2)
                out.append((f"{path.name.split('_')[0]}:{ident}", text))
    return out


SENTENCES = ground_truth()
# VADER's README/demo sentences: emojis, emoticons, caps, "but", "kind of", "least", idioms.
DEMO = [
    "VADER is smart, handsome, and funny.",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad at all",
    "Sentiment analysis has never been this good!",
    "With VADER, sentiment analysis is the shit!",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Without a doubt, an excellent idea.",
    "😁😁 no problem,no worries😁 ... but NOT the bus stop!!!! ??",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def bare():
    return SentimentIntensityAnalyzer()


TWEET_1 = (
    "Somehow I was blessed with some really amazing friends in my life who love me and "
    "send encouragement when I'm not feeling awesome. So lucky."
)


def test_fixture_has_the_published_lines():
    assert len(SENTENCES) == 460
    assert dict(SENTENCES)["tweets:1"] == TWEET_1


@pytest.mark.parametrize("key, text", SENTENCES, ids=[k for k, _ in SENTENCES])
def test_ground_truth_sentence_scores_as_bare_vader(bare, key, text):
    expected = bare.polarity_scores(text)["compound"]
    assert vader.compound(text) == expected
    assert sentiment.score(text, "en") == expected


@pytest.mark.parametrize("text", DEMO)
def test_demo_sentences_score_as_bare_vader(bare, text):
    assert vader.compound(text) == bare.polarity_scores(text)["compound"]


def test_english_comment_through_the_analyser_keeps_vaders_score(bare):
    text = TWEET_1
    result = Analyser(("en", "ro")).analyse(text)
    assert result.lang == "en"
    assert result.sentiment == bare.polarity_scores(text)["compound"] == 0.9571
    assert result.sentiment_label == "positive"
