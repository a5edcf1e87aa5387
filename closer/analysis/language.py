"""Language of a comment: lingua-language-detector, restricted to the registry's languages.

The candidate languages are those of the registry's countries (data/languages.yaml: RO →
Romanian and Hungarian) plus English. Restricting the candidates is what makes short
comments work: among 3 languages lingua's low-accuracy mode (trigrams only) is right on
short comments and about three times faster than the full mode (docs/analysis.md).
A comment is "und" (undetermined) when it has no letters or the top language's
confidence is below MIN_CONFIDENCE; `lang_confidence` is lingua's value for the top
language (0..1), NULL when there were no letters to look at.

Before lingua, a pre-screen (`Screen`, data/language_screen.yaml) decides the clear cases:
only English/Romanian letters, at least two function words of one language and none of
another. Those get no confidence (NULL): it is a rule, not a probability. On the benchmark's
comments it spares lingua 87% of the calls, and it changed no label from right to wrong on
23,726 labelled texts (docs/analysis.md).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from importlib import resources

import yaml

from closer.analysis.normalise import comma_diacritics, without_links

# lingua's Romanian models were trained on text with the legacy cedilla letters ş ţ; in
# low-accuracy mode a comma-below ș ț makes unknown trigrams, and "apa caldă lipsește"
# came out English (0.98). Detection therefore sees cedillas (tests/analysis/test_language.py).
_TO_CEDILLA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})

log = logging.getLogger(__name__)

UNDETERMINED = "und"
MIN_CONFIDENCE = 0.6
MAX_CHARS = 300
SCREEN_FILE = "language_screen.yaml"
# what is stripped from both ends of a whitespace-separated piece before the screen's lookup
_STRIP = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum()) + "„”“‘’«»…–—"


@functools.cache
def _country_table() -> dict:
    text = (resources.files("closer.analysis") / "data" / "languages.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def languages_for_countries(countries: Iterable[str]) -> tuple[str, ...]:
    """ISO 639-1 codes to detect among for these ISO 3166 countries, English included."""
    table = _country_table()
    out = {"en"}
    countries = [c.upper() for c in countries if c]
    if not countries:
        out.update(table["default"])
    for country in countries:
        if country not in table["countries"]:
            log.warning("no languages listed for country %s in languages.yaml", country)
            continue
        out.update(table["countries"][country])
    return tuple(sorted(out))


class Screen:
    """The pre-screen of data/language_screen.yaml: decides the clear cases without lingua."""

    def __init__(self, spec: dict, source: str = SCREEN_FILE):
        try:
            self.candidates = frozenset(spec["candidate_languages"])
            letters = str(spec["letters"])
            self.min_words = int(spec["min_words"])
            self.decides = frozenset(spec["decides"])
            lists = {str(lang): list(words) for lang, words in spec["words"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ValueError(f"{source}: malformed ({e!r})") from None
        # any letter outside `letters` (either case) sends a text to lingua
        allowed = re.escape(letters + letters.upper())
        self.other_letter = re.compile(rf"[^\W\d_{allowed}]")
        self.language_of: dict[str, str | None] = {}
        for lang, words in lists.items():
            for word in words:
                word = comma_diacritics(str(word).lower())
                for form in {word, word.translate(_TO_CEDILLA)}:  # ș ț and ş ţ alike
                    # a word on two languages' lists counts for neither
                    known = self.language_of.get(form, lang)
                    self.language_of[form] = lang if known == lang else None
        self.languages = tuple(lists)

    def applies_to(self, languages: tuple[str, ...]) -> bool:
        """Whether the screen may be used among these candidate languages."""
        return self.decides <= set(languages) <= self.candidates

    def decide(self, clean: str) -> str | None:
        """The language of `clean` (links removed, cedillas or commas) when the screen is
        sure of it, else None (lingua decides)."""
        if not clean.isascii() and self.other_letter.search(clean):
            return None
        hits: dict[str, int] = {}
        language_of = self.language_of
        for piece in clean.lower().split():
            lang = language_of.get(piece)
            if lang is None:
                lang = language_of.get(piece.strip(_STRIP))
            if lang is not None:
                hits[lang] = hits.get(lang, 0) + 1
        if len(hits) != 1:
            return None
        ((lang, count),) = hits.items()
        if lang in self.decides and count >= self.min_words:
            return lang
        return None


@functools.cache
def screen() -> Screen:
    """The process's pre-screen (data/language_screen.yaml)."""
    text = (resources.files("closer.analysis") / "data" / SCREEN_FILE).read_text("utf-8")
    return Screen(yaml.safe_load(text))


@functools.cache
def detector(languages: tuple[str, ...]):
    """A lingua detector for these languages (built once per process: building is slow)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in languages]
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def detect(
    text: str | None, languages: tuple[str, ...], use_screen: bool = True
) -> tuple[str, float | None]:
    """(ISO 639-1 code or 'und', lingua's confidence 0..1; None when the text has no letters
    or the pre-screen decided)."""
    # The first MAX_CHARS characters decide: lingua's time grows with the text, its
    # answer on a comment does not change after a few sentences.
    clean = without_links((text or "")[:MAX_CHARS])
    if use_screen and _screen_applies(languages):
        got = screen().decide(clean)
        if got is not None:
            return got, None
    if "ș" in clean or "ț" in clean or "Ș" in clean or "Ț" in clean:
        clean = clean.translate(_TO_CEDILLA)
    if not any(c.isalpha() for c in clean):
        return UNDETERMINED, None
    values = detector(languages).compute_language_confidence_values(clean)
    if not values:
        return UNDETERMINED, None
    top = values[0]
    confidence = round(float(top.value), 4)
    if confidence < MIN_CONFIDENCE:
        return UNDETERMINED, confidence
    return top.language.iso_code_639_1.name.lower(), confidence


@functools.cache
def _screen_applies(languages: tuple[str, ...]) -> bool:
    return screen().applies_to(languages)
