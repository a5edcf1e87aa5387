"""Tokens and lemmas: spaCy's rule-based tokenizer (`spacy.blank(lang)`) and the lookup
lemmatizer's table from spacy-lookups-data. No trained pipeline, nothing downloaded.

spaCy's lookup lemmatizer maps a token's text through the `<lang>_lemma_lookup` table;
this module uses that same table directly (one dict lookup per token, about ten times
faster than running the pipe) and adds what Romanian comments need: the lookup is tried on
the lower-cased word with cedillas mapped to commas, then on its diacritic-free form
(`multumesc` → `mulțumi`), so text typed without diacritics gets the same lemmas.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.metadata
import json
import logging
import os
import pickle
import re
from importlib import resources
from pathlib import Path

from closer.analysis.normalise import comma_diacritics, fold, fold_text

log = logging.getLogger(__name__)

# Whitespace between pieces; whitespace with a line break in it becomes a "\n" piece.
_PIECES = re.compile(r"(\s*\n\s*)|[^\S\n]+")


def _read_table(lang: str) -> dict[str, str]:
    """spacy-lookups-data's lemma table for `lang` (word form → lemma); {} if it has none."""
    name = f"{lang}_lemma_lookup.json.gz"
    try:
        ref = resources.files("spacy_lookups_data") / "data" / name
        with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        log.info("no lemma lookup table for %s in spacy-lookups-data", lang)
        return {}
    if lang == "ro" and ("ş" in text or "ţ" in text):  # the 1.0.5 table uses commas only
        text = comma_diacritics(text)
    return json.loads(text)


def _fold_forms(table: dict[str, str]) -> dict[str, str]:
    """Diacritic-free word form → lemma (with its diacritics). Where several forms fold to
    the same letters, the form that is itself written without diacritics wins."""
    out: dict[str, str] = {}
    for form, lemma in table.items():
        if form.isascii():
            out[form.lower()] = lemma
        else:
            out.setdefault(fold_text(form), lemma)
    return out


def cache_dir() -> Path:
    """Where built tables are kept between runs: $CLOSER_HOME/cache, else the user's cache."""
    home = os.environ.get("CLOSER_HOME")
    if home:
        return Path(home) / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "closer"


@functools.cache
def _cache_key(lang: str) -> str:
    """Changes with spacy-lookups-data's version and with this module's code."""
    try:
        version = importlib.metadata.version("spacy-lookups-data")
    except importlib.metadata.PackageNotFoundError:
        version = "none"
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return f"{lang}-{version}-{code}"


@functools.cache
def _tables(lang: str) -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(lookup table, folded table (Romanian only, else {}), lemma forms) for `lang`.

    Building the Romanian ones (300,000 forms, each also folded) takes about 0.8 s; they are
    kept in cache_dir() as a pickle written by this code and read back in about half that
    (a worker process forked afterwards shares them). Nothing is downloaded: the tables come
    from the installed spacy-lookups-data; a cache that cannot be read or written is rebuilt.
    """
    path = cache_dir() / f"lemmas-{_cache_key(lang)}.pickle"
    try:
        with path.open("rb") as f:
            got = pickle.load(f)
        if isinstance(got, tuple) and len(got) == 3:
            return got
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    table = _read_table(lang)
    got = (table, _fold_forms(table) if lang == "ro" else {}, frozenset(table.values()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(got, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError as exc:
        log.info("lemma tables not cached (%s): %s", path, exc)
    return got


def lookup_table(lang: str) -> dict[str, str]:
    """spacy-lookups-data's lemma table for `lang` (word form → lemma); {} if it has none."""
    return _tables(lang)[0]


def folded_table(lang: str) -> dict[str, str]:
    """Diacritic-free word form → lemma (with its diacritics), for Romanian ({} otherwise).
    Where several forms fold to the same letters, the form written without diacritics wins."""
    return _tables(lang)[1]


def lemma_forms(lang: str) -> frozenset[str]:
    """Every lemma the table maps to (a word in this set is its own lemma)."""
    return _tables(lang)[2]


@functools.cache
def blank(lang: str):
    """spacy.blank(lang), built once per process (raises ImportError for a language spaCy
    has no class for)."""
    import spacy

    return spacy.blank(lang)


@functools.cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for `lang`, with their diacritic-free forms (folded)."""
    try:
        words = blank(lang).Defaults.stop_words
    except ImportError:  # a language spaCy has no class for
        return frozenset()
    return frozenset(fold(comma_diacritics(w)) for w in words)


@functools.cache
def lemmatiser(lang: str) -> Lemmatiser:
    """The process's Lemmatiser for `lang` (shared, with its caches)."""
    return Lemmatiser(lang)


class Lemmatiser:
    """Tokenizer and lookup lemmatizer for one language."""

    def __init__(self, lang: str):
        self.lang = lang
        self.tokenizer = blank(lang).tokenizer
        self.table = lookup_table(lang)
        self.folded = folded_table(lang)
        self.lemmas = lemma_forms(lang)
        self._cache: dict[str, str] = {}
        self._pieces: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        """spaCy's tokens of `text` (punctuation and emoticons included; a line break is a
        "\n" token, other whitespace none).

        spaCy's tokenizer splits on whitespace and then tokenizes each piece on its own
        (prefixes, suffixes, infixes, exceptions), caching pieces it has seen; this keeps
        that cache on the Python side, so a piece seen before costs one dict lookup instead
        of building a Doc (the tokens are the same: tests/analysis/test_lemmas.py)."""
        out: list[str] = []
        pieces = self._pieces
        for piece in (
            text.split(" ") if "\n" not in text and "\t" not in text else _PIECES.split(text)
        ):
            if not piece:
                continue
            if "\n" in piece:
                out.append("\n")
                continue
            got = pieces.get(piece)
            if got is None:
                got = [t.text for t in self.tokenizer(piece)]
                if len(pieces) < 500_000:
                    pieces[piece] = got
            out.extend(got)
        return out

    def lemma(self, word: str) -> str:
        """Lower-case lemma of `word`; the lower-cased word when the table does not know it.

        Tried in order: the word as written (cedillas → commas); a word that is itself a
        lemma; for a word typed without diacritics, the table keyed without them; for
        Romanian, the article and plural endings of -are/-ire nouns (`parcarea` →
        `parcare`), which the table lacks."""
        got = self._cache.get(word)
        if got is not None:
            return got
        low = comma_diacritics(word.lower())
        out = self.table.get(low)
        if out is None:
            if low in self.lemmas:
                out = low
            elif self.folded and low.isascii():
                out = self.folded.get(low)
            if out is None and self.lang == "ro":
                out = _romanian_noun_stem(low)
        out = (out or low).lower()
        if len(self._cache) < 200_000:
            self._cache[word] = out
        return out


# (ending, replacement) for Romanian nouns in -are / -ire (parcare, asfaltare, deszăpezire)
# and neuter plurals in -uri, tried longest first on words the lookup table does not know.
_RO_ENDINGS = (
    ("ărilor", "are"),
    ("arilor", "are"),
    ("irilor", "ire"),
    ("ările", "are"),
    ("arile", "are"),
    ("irile", "ire"),
    ("urilor", ""),
    ("urile", ""),
    ("ării", "are"),
    ("arii", "are"),
    ("irii", "ire"),
    ("area", "are"),
    ("irea", "ire"),
    ("ări", "are"),
    ("ari", "are"),
    ("iri", "ire"),
)


def _romanian_noun_stem(word: str) -> str | None:
    for ending, replacement in _RO_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)] + replacement
    return None
