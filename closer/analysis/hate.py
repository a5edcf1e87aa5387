"""Hate speech and abuse flags from the lexicon in data/hate_lexicon.tsv.

Whole words only: a term matches a word of the comment (as written or its lookup lemma,
without case or diacritics), a phrase matches consecutive words as written. A term inside
a longer word never matches. Only counts and shares are ever shown (docs/analysis.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from importlib import resources

LEXICON_FILE = "hate_lexicon.tsv"

# No Hate Speech Movement's targets (seed 000), as categories of the flag.
CATEGORIES = {
    "anti_roma": "Against Roma",
    "anti_hungarian": "Against Hungarians",
    "antisemitic": "Antisemitic",
    "racist": "Racist (other origins)",
    "anti_lgbt": "Against LGBT people",
    "sexist": "Sexist (against women)",
    "ableist": "Against disabled people",
    "insult": "Insult / abuse",
    "threat": "Threat of violence",
}


class LexiconError(ValueError):
    """hate_lexicon.tsv is malformed; the message names the line and field."""


@functools.cache
def lexicon_rows() -> tuple[tuple[str, str, str], ...]:
    """(term, lang, category) rows of the lexicon, validated."""
    text = (resources.files("closer.analysis") / "data" / LEXICON_FILE).read_text("utf-8")
    return parse(text, LEXICON_FILE)


def parse(text: str, source: str) -> tuple[tuple[str, str, str], ...]:
    """Rows of a lexicon file; raises LexiconError naming the file, line and field."""
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise LexiconError(
                f"{source} line {n}: expected 4 tab-separated fields, got {len(parts)}"
            )
        term, lang, category, _note = parts
        if not term.strip():
            raise LexiconError(f"{source} line {n}: field 'term' is empty")
        if len(lang) != 2 or not lang.isalpha():
            raise LexiconError(f"{source} line {n}: field 'lang' {lang!r} is not a language code")
        if category not in CATEGORIES:
            raise LexiconError(
                f"{source} line {n}: field 'category' {category!r} is not one of "
                f"{sorted(CATEGORIES)}"
            )
        rows.append((term.strip(), lang, category))
    return tuple(rows)


class HateMatcher:
    """The lexicon's terms for one language: single words and phrases → categories."""

    def __init__(self, lang: str, words_of: Callable[[str], list[str]]):
        self.single: dict[str, set[str]] = {}
        self.phrases: dict[tuple[str, ...], set[str]] = {}
        for term, term_lang, category in lexicon_rows():
            if term_lang != lang:
                continue
            key = tuple(words_of(term))
            if len(key) == 1:
                self.single.setdefault(key[0], set()).add(category)
            elif key:
                self.phrases.setdefault(key, set()).add(category)
        self.sizes = sorted({len(k) for k in self.phrases})
        self.starts = {k[0] for k in self.phrases}

    def match(self, words: Sequence[str], lemmas: Sequence[str]) -> set[str]:
        """Categories of the terms found among `words` (folded, as written) and `lemmas`."""
        found: set[str] = set()
        single = self.single
        if not (single.keys().isdisjoint(words) and single.keys().isdisjoint(lemmas)):
            for word, lemma in zip(words, lemmas):
                hit = single.get(word) or single.get(lemma)
                if hit:
                    found |= hit
        if self.starts.isdisjoint(words):
            return found
        n = len(words)
        for i, word in enumerate(words):
            if word not in self.starts:
                continue
            for size in self.sizes:
                if i + size > n:
                    break
                hit = self.phrases.get(tuple(words[i : i + size]))
                if hit:
                    found |= hit
        return found
