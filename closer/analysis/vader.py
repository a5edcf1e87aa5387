"""VADER's compound score, computed exactly as vaderSentiment 3.3.2 does, only faster.

`compound(text)` returns the same float as
`SentimentIntensityAnalyzer().polarity_scores(text)["compound"]`: it uses the package's own
lexicon, emoji table and constants, and follows its algorithm step by step (including its
quirks: the "but" rule's `list.index` lookup, "no" handling, "least", idioms). What is
different is only the cost: the emoji pass is skipped when a set test finds no emoji
(instead of growing a string character by character), and lower-cased words are computed
once per text instead of once per rule (the original is quadratic in the number of
words). tests/analysis/test_vader_equivalence.py runs VADER's published ground-truth
sentences through both and asserts identical scores.

Only the compound score is computed (pos/neu/neg are not used by Closer).
"""

from __future__ import annotations

import functools
import math
import string

from vaderSentiment import vaderSentiment as _vs

N_SCALAR = _vs.N_SCALAR
C_INCR = _vs.C_INCR
BOOSTER_DICT: dict[str, float] = _vs.BOOSTER_DICT
SPECIAL_CASES: dict[str, float] = _vs.SPECIAL_CASES
NEGATE = frozenset(_vs.NEGATE)
_PUNCT = string.punctuation


@functools.cache
def _tables() -> tuple[dict[str, float], dict[str, str], frozenset[str]]:
    """(lexicon, one-character emoji → description, the set of those emojis), loaded once."""
    analyzer = _vs.SentimentIntensityAnalyzer()
    # vaderSentiment looks emojis up one character at a time, so only one-character
    # entries can ever match; the longer sequences in its table never do.
    single = {k: v for k, v in analyzer.emojis.items() if len(k) == 1}
    return analyzer.lexicon, single, frozenset(single)


def lexicon() -> dict[str, float]:
    """VADER's English lexicon (word → valence, −4..+4), as vaderSentiment loads it."""
    return _tables()[0]


def emoji_descriptions() -> dict[str, str]:
    """VADER's one-character emoji → English description table."""
    return _tables()[1]


def replace_emojis(text: str) -> str:
    """Each emoji → its description, spaced exactly as vaderSentiment's character loop does
    (a space before it unless the previous input character was a space)."""
    if text.isascii():
        return text
    _, emojis, emoji_set = _tables()
    if emoji_set.isdisjoint(text):  # a set test, not a regex: the class is 1,200 characters
        return text
    out = []
    prev_space = True
    for ch in text:
        description = emojis.get(ch)
        if description is not None:
            if not prev_space:
                out.append(" ")
            out.append(description)
            prev_space = False
        else:
            out.append(ch)
            prev_space = ch == " "
    return "".join(out)


def strip_punctuation(token: str) -> str:
    """Leading/trailing punctuation removed, unless that leaves ≤ 2 characters (emoticons)."""
    stripped = token.strip(_PUNCT)
    if len(stripped) <= 2:
        return token
    return stripped


def normalize(score: float, alpha: float = 15) -> float:
    """VADER's normalisation of a valence sum to −1..+1."""
    norm_score = score / math.sqrt((score * score) + alpha)
    if norm_score < -1.0:
        return -1.0
    if norm_score > 1.0:
        return 1.0
    return norm_score


def punctuation_emphasis(text: str) -> float:
    """VADER's amplifier for '!' (≤ 4 counted) and '?' (more than one)."""
    ep_count = text.count("!")
    ep_count = min(ep_count, 4)
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        if qm_count <= 3:
            qm_amplifier = qm_count * 0.18
        else:
            qm_amplifier = 0.96
    return ep_amplifier + qm_amplifier


def but_check(lower: list[str], sentiments: list, contrast: str = "but") -> list:
    """VADER's contrast rule, verbatim (including its list.index quirk)."""
    if contrast in lower:
        bi = lower.index(contrast)
        for sentiment in sentiments:
            si = sentiments.index(sentiment)
            if si < bi:
                sentiments.pop(si)
                sentiments.insert(si, sentiment * 0.5)
            elif si > bi:
                sentiments.pop(si)
                sentiments.insert(si, sentiment * 1.5)
    return sentiments


def compound_of(sentiments: list, text: str) -> float:
    """VADER's compound from per-word valences and the text (for punctuation), 4 decimals."""
    if not sentiments:
        return 0.0
    sum_s = float(sum(sentiments))
    punct_emph_amplifier = punctuation_emphasis(text)
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    return round(normalize(sum_s), 4)


def _negated(word_lower: str) -> bool:
    return word_lower in NEGATE or "n't" in word_lower


def _negation_check(valence: float, lower: list[str], start_i: int, i: int) -> float:
    if start_i == 0:
        if _negated(lower[i - 1]):
            valence = valence * N_SCALAR
    elif start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass
        elif _negated(lower[i - 2]):
            valence = valence * N_SCALAR
    else:
        if (
            lower[i - 3] == "never"
            and (lower[i - 2] == "so" or lower[i - 2] == "this")
            or (lower[i - 1] == "so" or lower[i - 1] == "this")
        ):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated(lower[i - 3]):
            valence = valence * N_SCALAR
    return valence


def _special_idioms_check(valence: float, lower: list[str], i: int) -> float:
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


def compound(text: str) -> float:
    """VADER compound (−1..+1, 4 decimals) of English text, identical to vaderSentiment's."""
    lex = _tables()[0]
    text = replace_emojis(text).strip()
    words = [strip_punctuation(w) for w in text.split()]
    n = len(words)
    if n == 0:
        return 0.0
    lower = [w.lower() for w in words]
    allcaps = sum(1 for w in words if w.isupper())
    is_cap_diff = 0 < n - allcaps < n
    sentiments: list = []
    for i in range(n):
        item_lower = lower[i]
        if item_lower in BOOSTER_DICT:
            sentiments.append(0)
            continue
        if i < n - 1 and item_lower == "kind" and lower[i + 1] == "of":
            sentiments.append(0)
            continue
        valence = 0
        if item_lower in lex:
            valence = lex[item_lower]
            if item_lower == "no" and i != n - 1 and lower[i + 1] in lex:
                valence = 0.0
            if (
                (i > 0 and lower[i - 1] == "no")
                or (i > 1 and lower[i - 2] == "no")
                or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor"))
            ):
                valence = lex[item_lower] * N_SCALAR
            if is_cap_diff and words[i].isupper():
                if valence > 0:
                    valence += C_INCR
                else:
                    valence -= C_INCR
            for start_i in range(3):
                j = i - (start_i + 1)
                if i > start_i and lower[j] not in lex:
                    scalar = 0.0
                    if lower[j] in BOOSTER_DICT:
                        scalar = BOOSTER_DICT[lower[j]]
                        if valence < 0:
                            scalar *= -1
                        if is_cap_diff and words[j].isupper():
                            if valence > 0:
                                scalar += C_INCR
                            else:
                                scalar -= C_INCR
                    if start_i == 1 and scalar != 0:
                        scalar = scalar * 0.95
                    if start_i == 2 and scalar != 0:
                        scalar = scalar * 0.9
                    valence = valence + scalar
                    valence = _negation_check(valence, lower, start_i, i)
                    if start_i == 2:
                        valence = _special_idioms_check(valence, lower, i)
            if i > 1 and lower[i - 1] not in lex and lower[i - 1] == "least":
                if lower[i - 2] != "at" and lower[i - 2] != "very":
                    valence = valence * N_SCALAR
            elif i > 0 and lower[i - 1] not in lex and lower[i - 1] == "least":
                valence = valence * N_SCALAR
        sentiments.append(valence)
    sentiments = but_check(lower, sentiments)
    return compound_of(sentiments, text)
