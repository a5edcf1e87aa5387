"""Hate speech and abuse flags: whole words only, categories, never a term inside a word."""

from __future__ import annotations

import pytest

from closer.analysis import hate
from closer.analysis.analyser import Analyser


@pytest.fixture(scope="module")
def analyser():
    return Analyser(("en", "hu", "ro"))


@pytest.mark.parametrize(
    "text, categories",
    [
        ("Bozgorii să plece din oraș", ["anti_hungarian"]),
        ("Tiganii fura tot din parc", ["anti_roma"]),  # no diacritics
        ("Ţiganii fură tot din parc", ["anti_roma"]),  # cedilla
        ("Poponarii ăștia nu au ce căuta la festival", ["anti_lgbt"]),
        ("Ce vrea curva asta de la primărie", ["sexist"]),
        ("Sunteți niște idioți și niște proști", ["insult"]),
        ("Vă omorâm dacă nu reparați drumul", ["threat"]),
        ("Afară cu ungurii din consiliu, idioților", ["anti_hungarian", "insult"]),
        ("You are all morons", ["insult"]),
        ("That whore from the council again", ["sexist"]),
    ],
)
def test_flags_with_categories(analyser, text, categories):
    result = analyser.analyse(text)
    assert result.hate is True
    assert result.hate_categories == categories


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Am recitit Țiganiada lui Ion Budai-Deleanu la bibliotecă", "ro"),  # țigan inside
        ("A raccoon was in our bins again last night", "en"),  # coon inside
        ("The Scunthorpe bus was late again this morning", "en"),  # cunt inside
        ("Am fost la analize pentru prostată la spitalul județean", "ro"),  # prost inside
        ("Mulțumim pentru curățenie, arată foarte bine", "ro"),
        ("Drumul e prost făcut, plin de gropi", "ro"),  # "prost" (badly) is not listed
    ],
)
def test_a_term_inside_a_longer_word_or_a_clean_comment_does_not_flag(analyser, text, lang):
    result = analyser.analyse(text)
    assert result.lang == lang
    assert result.hate is False
    assert result.hate_categories == []


def test_language_without_lexicon_is_not_assessed(analyser):
    result = analyser.analyse("Köszönöm szépen a gyors segítséget")
    assert result.lang == "hu"
    assert result.hate is None and result.hate_categories is None


def test_flagged_words_are_not_distinctive_terms(analyser):
    assert analyser.analyse("Bozgorii să plece din oraș").terms == []


def test_every_row_has_a_known_category():
    rows = hate.lexicon_rows()
    assert len(rows) > 150
    assert {c for _, _, c in rows} == set(hate.CATEGORIES)
    assert {lang for _, lang, _ in rows} == {"ro", "en"}


@pytest.mark.parametrize(
    "line, message",
    [
        ("idiot\tro\tinsult", "lexicon.tsv line 2: expected 4 tab-separated fields, got 3"),
        ("idiot\tromanian\tinsult\t", "line 2: field 'lang' 'romanian' is not a language code"),
        ("idiot\tro\trude\t", "line 2: field 'category' 'rude' is not one of"),
        ("\tro\tinsult\t", "line 2: field 'term' is empty"),
    ],
)
def test_malformed_lexicon_is_refused_naming_line_and_field(line, message):
    with pytest.raises(hate.LexiconError, match=message):
        hate.parse("# header\n" + line + "\n", "lexicon.tsv")
