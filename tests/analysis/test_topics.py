"""Topics from the taxonomy, matched on spaCy lookup lemmas without case or diacritics."""

from __future__ import annotations

import pytest

from closer.analysis import topics
from closer.analysis.analyser import Analyser


@pytest.fixture(scope="module")
def analyser():
    return Analyser(("en", "ro"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Când se repară drumul? Sunt gropi peste tot.", ["roads"]),
        ("Cand se repara drumurile? Sunt gropi peste tot.", ["roads"]),  # plural, no diacritics
        ("Autobuzele 41 și 42 întârzie iar", ["transport"]),
        ("Parcarea de la spital e mereu plină", ["health", "parking"]),  # -area ending
        ("Nu mai avem apă caldă de trei zile", ["heating"]),  # the phrase, not also "apă"
        ("Apa de la robinet are culoare ciudată", ["water"]),
        ("Gunoiul nu a fost ridicat, pubelele sunt pline", ["waste"]),
        ("Câinii comunitari ne atacă copiii", ["animals"]),
        ("Mulțumim pentru răspuns", []),
        (
            "The bus was late and the potholes on our street are getting worse",
            ["roads", "transport"],
        ),
        ("Where can I renew my identity card?", ["documents"]),
        ("Thanks a lot!", []),
    ],
)
def test_topics_of_a_comment(analyser, text, expected):
    assert analyser.analyse(text).topics == expected


def test_a_word_with_another_sense_is_not_a_keyword(analyser):
    # "parcă" (as if) folds to "parca" (to park): not in the taxonomy on purpose
    assert analyser.analyse("Parcă nimeni nu citește mesajele noastre").topics == []


def test_undetermined_text_is_matched_in_both_languages():
    analyser = Analyser(("en", "hu", "ro"))
    result = analyser.analyse("Spital")  # too short for lingua to be confident
    assert result.lang == "und"
    assert result.topics == ["health"]
    result = analyser.analyse("Bus 41?")
    assert result.lang == "und"
    assert result.topics == ["transport"]


def test_language_without_taxonomy_is_not_assessed():
    result = Analyser(("en", "hu", "ro")).analyse("Mikor javítják meg az utat a kórház felé?")
    assert result.lang == "hu"
    assert result.topics is None


def test_every_topic_has_a_label_and_romanian_and_english_keywords():
    tax = topics.taxonomy()
    assert {
        "transport",
        "roads",
        "parking",
        "waste",
        "water",
        "housing",
        "environment",
        "safety",
        "health",
        "education",
        "taxes",
        "documents",
        "events",
    } <= set(tax)
    for topic, fields in tax.items():
        assert fields["label"] and fields["ro"] and fields["en"], topic


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "topics.yaml: expected a mapping of topic → fields"),
        ({"roads": ["drum"]}, "topic 'roads': expected fields label, ro, en"),
        ({"roads": {"ro": ["drum"]}}, "topic 'roads': field 'label' must be text"),
        ({"roads": {"label": "Roads", "ro": "drum"}}, "topic 'roads': field 'ro' must be a list"),
        ({"roads": {"label": "Roads", "romanian": ["drum"]}}, "field 'romanian' is not a language"),
        ({"road works": {"label": "x"}}, "topic 'road works': id must be letters, digits or _"),
    ],
)
def test_malformed_taxonomy_is_refused_naming_topic_and_field(data, message):
    with pytest.raises(topics.TaxonomyError, match=message.replace("(", r"\(")):
        topics.validate(data, "topics.yaml")
