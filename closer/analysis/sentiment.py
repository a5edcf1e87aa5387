"""Sentiment of a comment: VADER's compound score (−1..+1) and its label.

- English: VADER itself (closer/analysis/vader.py gives exactly vaderSentiment's compound).
- Romanian: VADER's algorithm with a Romanian lexicon (data/ro_sentiment_lexicon.tsv,
  derived from vaderSentimentRo, MIT, plus data/ro_sentiment_overrides.tsv) and Romanian
  rules (data/ro_sentiment_rules.yaml): words looked up as written, without diacritics,
  then through their spaCy lookup lemma; negation with negative concord; intensifiers;
  "dar/însă" as VADER's "but"; phrases; emojis.
- Any other language, or no language: None (unscored), never 0.

Labels use VADER's documented thresholds: compound ≥ 0.05 positive, ≤ −0.05 negative,
otherwise neutral; None stays None.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from closer.analysis import lemmas, vader
from closer.analysis.lemmas import Lemmatiser
from closer.analysis.normalise import comma_diacritics, fold, without_links

SCORED_LANGUAGES = ("en", "ro")
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
B_INCR = 0.293  # VADER's booster increment
_CLAUSE_END = frozenset(".!?;,:")
_EMOJI_JOINERS = str.maketrans("", "", "\ufe0f\ufe0e\u200d")


def prepare(text: str) -> str:
    """Text as the Romanian scorer reads it: no links or mentions, no emoji joiners."""
    text = without_links(text)
    if "\ufe0f" in text or "\u200d" in text or "\ufe0e" in text:
        text = text.translate(_EMOJI_JOINERS)
    return text


def label(compound: float | None) -> str | None:
    """'positive' (≥ 0.05), 'negative' (≤ −0.05), 'neutral', or None when unscored."""
    if compound is None:
        return None
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def english(text: str) -> float:
    """VADER compound of English text, identical to vaderSentiment's."""
    return vader.compound(text)


def _data(name: str) -> str:
    return (resources.files("closer.analysis") / "data" / name).read_text(encoding="utf-8")


class RomanianScorer:
    """VADER's algorithm over the Romanian lexicon and rules."""

    def __init__(self, lemmatiser: Lemmatiser | None = None):
        self.lemmatiser = lemmatiser or lemmas.lemmatiser("ro")
        rules = yaml.safe_load(_data("ro_sentiment_rules.yaml"))
        self.negations = frozenset(fold(w) for w in rules["negations"])
        self.boosters = {fold(w): B_INCR for w in rules["boosters"]["increase"]}
        self.boosters.update({fold(w): -B_INCR for w in rules["boosters"]["decrease"]})
        self.contrast = frozenset(fold(w) for w in rules["contrast"])
        self.phrases = {tuple(fold(p).split()): float(v) for p, v in rules["phrases"].items()}
        self.longest_phrase = max((len(k) for k in self.phrases), default=1)
        self.phrase_starts = frozenset(k[0] for k in self.phrases)
        self._tokens: dict[str, tuple[int, str, float | None]] = {}
        self.exact, self.folded = self._lexicon()
        self.emojis = self._emoji_valences(rules.get("emojis") or {})
        self._valences: dict[str, float | None] = {}

    def _lexicon(self) -> tuple[dict[str, float], dict[str, float]]:
        """(as written → valence, diacritic-free → valence), overrides and lemmas applied."""
        lex: dict[str, float] = {}
        for line in _data("ro_sentiment_lexicon.tsv").splitlines():
            if line and not line.startswith("#"):
                token, value = line.split("\t")
                lex[comma_diacritics(token)] = float(value)
        # Lemmas of lexicon words get the mean valence of their forms, so that any other
        # inflection reaches them through the lemmatiser; then the hand-made overrides.
        by_lemma: dict[str, list[float]] = {}
        for token, value in lex.items():
            lemma = self.lemmatiser.lemma(token)
            if lemma not in lex:
                by_lemma.setdefault(lemma, []).append(value)
        for lemma, values in by_lemma.items():
            lex[lemma] = sum(values) / len(values)
        keys_by_fold: dict[str, list[str]] = {}
        keys_by_lemma: dict[str, list[str]] = {}
        for token in lex:
            keys_by_fold.setdefault(fold(token), []).append(token)
            keys_by_lemma.setdefault(fold(self.lemmatiser.lemma(token)), []).append(token)
        for n, line in enumerate(_data("ro_sentiment_overrides.tsv").splitlines(), 1):
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"ro_sentiment_overrides.tsv line {n}: expected 3 fields")
            token = comma_diacritics(parts[0].lower())
            if parts[1] == "":  # neutral: removed with and without diacritics, all forms
                lemma = fold(self.lemmatiser.lemma(token))
                for key in (*keys_by_fold.get(fold(token), ()), *keys_by_lemma.get(lemma, ())):
                    lex.pop(key, None)
            else:
                lex[token] = float(parts[1])
        for word in self.negations | set(self.boosters):
            lex.pop(word, None)
        folded: dict[str, list[float]] = {}
        for token, value in lex.items():
            folded.setdefault(fold(token), []).append(value)
        return lex, {k: sum(v) / len(v) for k, v in folded.items()}

    @staticmethod
    def _emoji_valences(named: dict[str, float]) -> dict[str, float]:
        english_lex = vader.lexicon()
        out = {}
        for char, description in vader.emoji_descriptions().items():
            value = sum(english_lex.get(w, 0.0) for w in description.lower().split())
            if value:
                out[char] = value
        out.update({k: float(v) for k, v in named.items()})
        return out

    def valence(self, word: str) -> float | None:
        """Lexicon valence of one word (as written, folded, or via its lemma); None if none."""
        try:
            return self._valences[word]
        except KeyError:
            pass
        v = self._valence(word)
        if len(self._valences) < 300_000:
            self._valences[word] = v
        return v

    def _valence(self, word: str) -> float | None:
        if word in self.emojis:
            return self.emojis[word]
        if not any(c.isalpha() for c in word):  # emoticons: VADER's own valences
            return vader.lexicon().get(word)
        low = comma_diacritics(word.lower())
        v = self.exact.get(low)
        if v is None:
            v = self.folded.get(fold(low))
        if v is None:
            lemma = self.lemmatiser.lemma(low)
            if lemma != low:
                v = self.exact.get(lemma)
                if v is None:
                    v = self.folded.get(fold(lemma))
        return v

    def _is_negation(self, key: str) -> bool:
        return key in self.negations or key.startswith(("n-", "nu-"))

    def compound(self, text: str) -> float:
        """Compound score (−1..+1, 4 decimals) of Romanian text."""
        text = prepare(text)
        return self.compound_tokens(self.lemmatiser.tokens(text), text)

    def _token(self, token: str) -> tuple[int, str, float | None]:
        """(kind, folded key, valence) of a token: kind 0 = clause end, 1 = word, 2 = skip.
        Negations and boosters have no valence (VADER: modifiers are not lexicon words)."""
        got = self._tokens.get(token)
        if got is not None:
            return got
        if set(token) <= _CLAUSE_END:
            got = (0, "", None)
        elif any(c.isalnum() for c in token) or self.valence(token) is not None:
            key = fold(token)
            modifier = key in self.boosters or self._is_negation(key)
            got = (1, key, None if modifier else self.valence(token))
        else:
            got = (2, "", None)
        if len(self._tokens) < 300_000:
            self._tokens[token] = got
        return got

    def compound_tokens(self, tokens: list[str], text: str) -> float:
        """Compound score from the spaCy tokens of `text` (as given by `prepare`); the text
        itself only counts '!' and '?' (VADER's punctuation emphasis)."""
        words: list[str] = []
        keys: list[str] = []
        values: list[float | None] = []
        ends: list[bool] = []  # a clause ends after this word: the 3-word window stops there
        cache = self._tokens
        for token in tokens:
            got = cache.get(token)
            kind, key, value = got if got is not None else self._token(token)
            if kind == 1:
                words.append(token)
                keys.append(key)
                values.append(value)
                ends.append(False)
            elif kind == 0 and ends:
                ends[-1] = True
        n = len(words)
        if n == 0:
            return 0.0
        starts = self.phrase_starts
        if not starts.isdisjoint(keys):
            # a phrase's valence goes on its last word; its other words become neutral
            i = 0
            while i < n:
                if keys[i] in starts:
                    for size in range(min(self.longest_phrase, n - i), 1, -1):
                        phrase = tuple(keys[i : i + size])
                        if phrase in self.phrases:
                            for j in range(i, i + size):
                                keys[j] = "\x00"  # neither negation, booster nor lexicon word
                                values[j] = None
                            value = self.phrases[phrase]
                            values[i + size - 1] = value if value else None
                            i += size - 1
                            break
                i += 1
        sentiments = [0.0] * n
        if all(v is None for v in values):
            return 0.0
        allcaps = sum(1 for w in words if w.isupper())
        is_cap_diff = 0 < n - allcaps < n
        boosters = self.boosters
        for i in range(n):
            valence = values[i]
            if valence is None:
                continue
            if is_cap_diff and words[i].isupper():
                valence = valence + vader.C_INCR if valence > 0 else valence - vader.C_INCR
            negated = False
            for start_i in range(3):
                j = i - (start_i + 1)
                if j < 0 or ends[j]:
                    break  # the window stops at the start of the clause
                if values[j] is not None:
                    continue
                scalar = boosters.get(keys[j], 0.0)
                if scalar:
                    if valence < 0:
                        scalar = -scalar
                    if is_cap_diff and words[j].isupper():
                        scalar = scalar + vader.C_INCR if valence > 0 else scalar - vader.C_INCR
                    scalar *= (1.0, 0.95, 0.9)[start_i]
                    valence += scalar
                if self._is_negation(keys[j]):
                    negated = True
            if negated:
                valence *= vader.N_SCALAR
            sentiments[i] = valence
        for bi, key in enumerate(keys):
            if key in self.contrast:
                sentiments = [
                    s * 0.5 if si < bi else s * 1.5 if si > bi else s
                    for si, s in enumerate(sentiments)
                ]
                break
        return vader.compound_of(sentiments, text)


@functools.cache
def romanian_scorer() -> RomanianScorer:
    """The process's Romanian scorer (built once: it loads the lemma table)."""
    return RomanianScorer()


def score(text: str | None, lang: str | None) -> float | None:
    """Compound score of `text` in `lang` (ISO 639-1); None when the language has no lexicon
    or the text is empty."""
    if not text or not text.strip():
        return None
    if lang == "en":
        return english(text)
    if lang == "ro":
        return romanian_scorer().compound(text)
    return None
