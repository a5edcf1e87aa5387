"""Folding and lookup lemmas (spaCy's table), with and without diacritics."""

from __future__ import annotations

import pytest

from closer.analysis import duplicates, lemmas
from closer.analysis.lemmas import Lemmatiser
from closer.analysis.normalise import fold, without_links, without_reshare_prefix


@pytest.fixture(scope="module")
def ro():
    return Lemmatiser("ro")


def test_fold():
    assert fold("Șoseaua ŢĂRII în Câmpina ş ț") == "soseaua tarii in campina s t"
    assert fold("Köszönöm") == "koszonom"
    assert fold("s\u0326trada") == "strada"  # decomposed comma below


@pytest.mark.parametrize(
    "word, lemma",
    [
        ("străzile", "stradă"),
        ("strazile", "stradă"),  # typed without diacritics
        ("străzilor", "stradă"),
        ("şoferii", "șofer"),  # cedilla
        ("Gropile", "groapă"),
        ("țară", "țară"),  # a lemma written with diacritics stays itself
        ("parcarea", "parcare"),  # -are noun the table lacks
        ("deszăpezirii", "deszăpezire"),
        ("xyzabc", "xyzabc"),  # unknown
    ],
)
def test_romanian_lemmas(ro, word, lemma):
    assert ro.lemma(word) == lemma


def test_english_lemmas():
    en = Lemmatiser("en")
    assert [en.lemma(w) for w in ("buses", "Potholes", "streets", "was")] == [
        "bus",
        "pothole",
        "street",
        "be",
    ]


def test_spacy_tokens_split_clitics(ro):
    assert ro.tokens("N-am văzut, s-a rupt!") == ["N-", "am", "văzut", ",", "s-", "a", "rupt", "!"]


def test_links_mentions_and_reshare_prefix():
    assert without_links("@primaria vezi https://x.ro/a?b=1 și www.y.ro").split() == ["vezi", "și"]
    assert without_reshare_prefix("RT @vecin: Cerem parc") == "Cerem parc"
    assert without_reshare_prefix("RTE a spus") == "RTE a spus"


def test_duplicate_group_needs_five_words():
    assert duplicates.duplicate_group(["bravo"]) is None
    assert duplicates.duplicate_group(["a", "b", "c", "d"]) is None
    key = duplicates.duplicate_group(["cerem", "parc", "nou", "in", "cartier"])
    assert key == duplicates.duplicate_group(["cerem", "parc", "nou", "in", "cartier"])
    assert len(key) == 16 and key != duplicates.duplicate_group(
        ["cerem", "parc", "nou", "in", "oras"]
    )


TRICKY = [
    "N-am văzut, s-a rupt!",
    "Ce   frumos!!!\nCând?\n\nDa.",
    "http://x.ro/a?b=1 ok:) :-) 😡😡 e-mail-ul",
    "dintr-o zi într-un an, nu-i bine.\tTab",
    "  leading and trailing  ",
    "U.S.A. e.g. etc. Dr. Popescu",
    "...",
    "",
    "a\r\nb",
    "a\xa0b c",
    "Mulțumim pentru curățenie, arată foarte bine!!!",
    "Când se repară drumul de pe strada Mihai Viteazu? Sunt gropi peste tot de 5 luni.",
    "I can't believe it's 5pm... the bus (no. 41) isn't here!!",
    "RT @vecin: Cerem parc #verde",
]


@pytest.mark.parametrize("lang", ["ro", "en", "hu"])
def test_tokens_are_spacys_own(lang):
    lemmatiser = Lemmatiser(lang)
    for text in TRICKY + TRICKY:  # the second time from the piece cache
        spacy_tokens = [t.text for t in lemmatiser.tokenizer(text)]
        expected = ["\n" if "\n" in t else t for t in spacy_tokens if not t.isspace() or "\n" in t]
        got = [t for t in lemmatiser.tokens(text) if not t.isspace() or t == "\n"]
        assert got == expected, text


def test_built_tables_are_cached_and_a_bad_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOSER_HOME", str(tmp_path))
    lemmas._tables.cache_clear()
    try:
        table, folded, forms = lemmas._tables("ro")
        cached = list((tmp_path / "cache").glob("lemmas-ro-*.pickle"))
        assert len(cached) == 1
        # read back in a fresh process's way: the same tables
        lemmas._tables.cache_clear()
        again = lemmas._tables("ro")
        assert again == (table, folded, forms)
        assert folded["strazile"] == table["străzile"] == "stradă"
        # a damaged cache file is rebuilt, not trusted
        cached[0].write_bytes(b"not a pickle")
        lemmas._tables.cache_clear()
        assert lemmas._tables("ro") == (table, folded, forms)
        assert cached[0].read_bytes()[:1] == b"\x80"  # rewritten as a pickle
    finally:
        lemmas._tables.cache_clear()
