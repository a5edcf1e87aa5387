"""Language detection: lingua restricted to the registry's languages plus English."""

from __future__ import annotations

import logging

import pytest

from closer.analysis import language

RO_HU_EN = ("en", "hu", "ro")


def test_romania_detects_among_romanian_hungarian_and_english():
    assert language.languages_for_countries(["RO"]) == RO_HU_EN
    assert language.languages_for_countries(["ro", "MD"]) == ("en", "hu", "ro", "ru")


def test_empty_registry_uses_the_default():
    assert language.languages_for_countries([]) == ("en", "ro")


def test_unknown_country_is_logged_and_adds_nothing(caplog):
    with caplog.at_level(logging.WARNING):
        assert language.languages_for_countries(["RO", "XX"]) == RO_HU_EN
    assert "no languages listed for country XX" in caplog.text


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Când se repară drumul spre Valea Lungă?", "ro"),
        ("Cand se repara drumul spre Valea Lunga?", "ro"),
        ("Gunoiul nu a fost ridicat de o săptămână", "ro"),
        ("Nu e bine deloc: apa caldă lipsește de 3 zile", "ro"),
        ("Nu e bine deloc: apa caldă lipseşte de 3 zile", "ro"),
        ("When will the road to the hospital be fixed?", "en"),
        ("Thank you for the quick answer", "en"),
        ("Mikor javítják meg az utat a kórház felé?", "hu"),
        ("Köszönöm szépen a gyors segítséget", "hu"),
    ],
)
def test_detects_the_language(text, lang):
    assert language.detect(text, RO_HU_EN)[0] == lang
    # lingua alone (no pre-screen) gives the same language, with confidence
    got, confidence = language.detect(text, RO_HU_EN, use_screen=False)
    assert got == lang
    assert confidence >= language.MIN_CONFIDENCE


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Gunoiul nu a fost ridicat de o săptămână", "ro"),  # nu, fost
        ("Cand se repara drumul spre Valea Lunga?", "ro"),  # cand, spre (no diacritics)
        ("Nu e bine deloc: apa caldă lipseşte de 3 zile", "ro"),  # nu, deloc
        ("Şi când exact?", "ro"),  # şi (cedilla) = și, când
        # English with a Romanian street name: lingua alone said Romanian
        ("The bins on Mărășești have not been emptied for 3 days.", "en"),
        ("Thank you, it's great!", "en"),  # thank, "it's" (punctuation at the ends removed)
        ("Thank you, mulțumim pentru tot", None),  # words of both languages
        ("Mikor lesz újra víz a lakótelepen?", None),  # letters outside ro/en: ú í
        ("nu e bine, nem jo de loc, nu", None),  # Hungarian "nem" typed without accents
        ("Mulțumim frumos", None),  # one word
    ],
)
def test_the_pre_screen_decides_only_the_clear_cases(text, lang):
    got, confidence = language.detect(text, RO_HU_EN)
    if lang is None:  # left to lingua: it gives a confidence
        assert confidence is not None
    else:
        assert (got, confidence) == (lang, None)


def test_the_pre_screen_is_not_used_among_other_languages():
    text = "Gunoiul nu a fost ridicat de o săptămână"
    assert language.detect(text, ("en", "ro"))[1] is None
    got, confidence = language.detect(text, ("de", "en", "ro"))
    assert got == "ro" and confidence is not None


def test_screen_rules_on_a_small_word_list():
    screen = language.Screen(
        {
            "candidate_languages": ["en", "ro"],
            "letters": "abcdefghijklmnopqrstuvwxyzșş",
            "min_words": 2,
            "decides": ["en", "ro"],
            "words": {"ro": ["și", "nu", "la"], "en": ["the", "la"]},
        }
    )
    assert screen.decide("Şi nu.") == "ro"  # cedilla ş read as ș
    assert screen.decide("nu, NU!") == "ro"  # repeats count, case does not
    assert screen.decide("la la the") is None  # "la" is on both lists: counts for neither
    assert screen.decide("the the") == "en"
    assert screen.decide("the nu the") is None
    assert screen.decide("și nu ă") is None  # ă is not among the letters
    assert screen.decide("și nu 👍 123") == "ro"  # emoji and digits are not letters
    assert screen.applies_to(("en", "ro")) and not screen.applies_to(("en", "hu", "ro"))


def test_a_malformed_screen_file_is_named():
    with pytest.raises(ValueError, match="language_screen.yaml: malformed"):
        language.Screen({"letters": "abc"})


def test_comma_below_letters_are_read_as_lingua_was_trained():
    # lingua's Romanian model knows ş ţ (cedilla); with ș ț (comma below) its low-accuracy
    # mode called this English (0.98). Detection maps them to cedillas first.
    assert language.detect("apa caldă lipsește", RO_HU_EN)[0] == "ro"


@pytest.mark.parametrize("text", ["👍👍", "!!!", "12345 678", "", None, "https://x.ro/a @primaria"])
def test_no_letters_is_undetermined_without_confidence(text):
    assert language.detect(text, RO_HU_EN) == ("und", None)


def test_low_confidence_is_undetermined_with_its_confidence():
    lang, confidence = language.detect("Bravo!", RO_HU_EN)
    assert lang == "und"
    assert confidence is not None and confidence < language.MIN_CONFIDENCE


def test_links_and_mentions_do_not_vote():
    text = "@thebestcityhall Când se repară drumul? https://www.example.com/the-news-about-roads"
    assert language.detect(text, RO_HU_EN)[0] == "ro"


def test_detector_is_built_once_per_language_set():
    assert language.detector(RO_HU_EN) is language.detector(RO_HU_EN)
