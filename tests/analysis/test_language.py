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
    got, confidence = language.detect(text, RO_HU_EN)
    assert got == lang
    assert confidence >= language.MIN_CONFIDENCE


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
