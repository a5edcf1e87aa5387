"""Language of a comment: lingua-language-detector, restricted to the registry's languages.

The candidate languages are those of the registry's countries (data/languages.yaml: RO →
Romanian and Hungarian) plus English. Restricting the candidates is what makes short
comments work: among 3 languages lingua's low-accuracy mode (trigrams only) is right on
short comments and about three times faster than the full mode (docs/analysis.md).
A comment is "und" (undetermined) when it has no letters or the top language's
confidence is below MIN_CONFIDENCE; `lang_confidence` is lingua's value for the top
language (0..1), NULL when there were no letters to look at.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from importlib import resources

import yaml

from closer.analysis.normalise import without_links

# lingua's Romanian models were trained on text with the legacy cedilla letters ş ţ; in
# low-accuracy mode a comma-below ș ț makes unknown trigrams, and "apa caldă lipsește"
# came out English (0.98). Detection therefore sees cedillas (tests/analysis/test_language.py).
_TO_CEDILLA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})

log = logging.getLogger(__name__)

UNDETERMINED = "und"
MIN_CONFIDENCE = 0.6
MAX_CHARS = 300


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


def detect(text: str | None, languages: tuple[str, ...]) -> tuple[str, float | None]:
    """(ISO 639-1 code or 'und', confidence 0..1 or None when the text has no letters)."""
    # The first MAX_CHARS characters decide: lingua's time grows with the text, its
    # answer on a comment does not change after a few sentences.
    clean = without_links((text or "")[:MAX_CHARS])
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
