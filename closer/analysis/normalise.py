"""Text normalisation shared by the analysers: Romanian diacritics, URLs, mentions.

Romanian is written with comma-below ș ț (correct) or cedilla ş ţ (legacy keyboards),
and very often without diacritics at all; every lexicon lookup therefore tries the
word as written (cedillas mapped to commas) and then its folded, diacritic-free form.
"""

from __future__ import annotations

import re
import unicodedata

# Legacy cedilla letters → the correct comma-below letters.
_CEDILLA = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?")
RESHARE_RE = re.compile(r"^\s*(?:RT|MT)\s+@[\w.\-]+:?\s*", re.IGNORECASE)


def without_reshare_prefix(text: str) -> str:
    """'RT @someone: text' → 'text' (X/Twitter-style re-share prefixes)."""
    head = text.lstrip()[:3].upper()
    if head in ("RT ", "MT "):
        return RESHARE_RE.sub("", text)
    return text


def comma_diacritics(text: str) -> str:
    """ş/ţ (cedilla) → ș/ț (comma below); everything else unchanged."""
    return text.translate(_CEDILLA)


def _fold_table() -> dict[int, str]:
    # Latin letters with marks (Latin-1 Supplement, Extended-A and -B: Romanian ă â î ș ț ş ţ,
    # Hungarian ő ű, …) → their base letter; combining marks (decomposed input) → nothing.
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        base = "".join(
            c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c)
        )
        if base != chr(cp):
            table[cp] = base
    for cp in range(0x300, 0x370):
        table[cp] = ""
    return table


_FOLD = _fold_table()


_FOLDED: dict[str, str] = {}


def fold_text(text: str) -> str:
    """fold() without its cache of short words (for building tables of many forms)."""
    low = text.lower()
    return low if low.isascii() else low.translate(_FOLD)


def fold(text: str) -> str:
    """Lower-case, diacritic-free form: 'Șoseaua' → 'soseaua', 'ţară' → 'tara'."""
    got = _FOLDED.get(text)
    if got is not None:
        return got
    low = text.lower()
    if not low.isascii():
        low = low.translate(_FOLD)
    if len(text) < 40 and len(_FOLDED) < 300_000:  # words repeat; whole texts rarely do
        _FOLDED[text] = low
    return low


def without_links(text: str) -> str:
    """The text with URLs and @mentions removed (they say nothing about language or topic)."""
    if "@" not in text and "://" not in text and "www." not in text.lower():
        return text
    return MENTION_RE.sub(" ", URL_RE.sub(" ", text))
