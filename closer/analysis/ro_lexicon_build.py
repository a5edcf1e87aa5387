"""Builds closer/analysis/data/ro_sentiment_lexicon.tsv from vaderSentimentRo's lexicon.

Source: Razvi103/vaderSentimentRo (MIT), `vader_lexicon_ro_clean.txt` at commit
1246b8886fdfc9da949f9a7dc1299bb71b176ded: VADER's English lexicon machine-translated to
Romanian, each translation followed by the English original, with diacritic-free twins.
This script keeps only the Romanian entries (mechanical filters, below); the hand-made
corrections live in data/ro_sentiment_overrides.tsv and are applied when the lexicon is
loaded, so both steps stay visible. It runs offline on a copy of the upstream file:

    python -m closer.analysis.ro_lexicon_build path/to/vader_lexicon_ro_clean.txt

Filters, in order (counts are printed):
1. one word only (VADER matches single tokens; phrases go to the rules' `phrases`);
2. letters (and inner hyphens) only, at least 3 of them;
3. not a key of VADER's English lexicon (the untranslated English originals, and the rare
   translation spelled like an English word, whose score then is the English one);
4. not an English word form unknown to Romanian (spaCy lookup tables: in the English table,
   not in the Romanian one);
5. not a Romanian stop word (spaCy's list: `cu`, `ca`, `fel`, `mare` had picked up scores);
6. a diacritic-free twin of an entry with diacritics is dropped: folding at load recreates
   it, and keeping it would let `ura` (hurray) inherit `ură` (hatred).
Scores are kept as given (VADER's −4..+4 scale); a word listed twice keeps the mean.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from closer.analysis import lemmas, vader
from closer.analysis.normalise import comma_diacritics, fold

OUT = Path(__file__).resolve().parent / "data" / "ro_sentiment_lexicon.tsv"
_LETTERS = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")

HEADER = (
    "# Romanian sentiment lexicon (token<TAB>valence on VADER's -4..+4 scale).\n"
    "# Derived from Razvi103/vaderSentimentRo vader_lexicon_ro_clean.txt (MIT, commit\n"
    "# 1246b8886fdfc9da949f9a7dc1299bb71b176ded) by closer/analysis/ro_lexicon_build.py;\n"
    "# corrections in ro_sentiment_overrides.tsv. See SOURCES.md.\n"
)


def build(upstream: Path) -> dict[str, float]:
    """The filtered Romanian entries of the upstream file: token → valence."""
    english = vader.lexicon()
    en_forms = set(lemmas.lookup_table("en")) | set(lemmas.lookup_table("en").values())
    ro_table = lemmas.lookup_table("ro")
    ro_forms = {fold(w) for w in ro_table} | {fold(w) for w in ro_table.values()}
    stop = lemmas.stop_words("ro")
    rows: list[tuple[str, float]] = []
    counts = dict.fromkeys(
        ("read", "phrase", "not_letters", "english_key", "english_form", "stop_word"), 0
    )
    for line in upstream.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        parts = re.split(r"\t| (?=-?\d+(?:\.\d+)?$)", line.strip())
        token, score = parts[0], float(parts[1])
        counts["read"] += 1
        if " " in token:
            counts["phrase"] += 1
            continue
        if not _LETTERS.match(token) or sum(c.isalpha() for c in token) < 3:
            counts["not_letters"] += 1
            continue
        if token in english:
            counts["english_key"] += 1
            continue
        token = comma_diacritics(token.lower())
        if token in en_forms and fold(token) not in ro_forms:
            counts["english_form"] += 1
            continue
        if fold(token) in stop:
            counts["stop_word"] += 1
            continue
        rows.append((token, score))
    with_diacritics = {fold(t) for t, _ in rows if not t.isascii()}
    twins = {t for t, _ in rows if t.isascii() and t in with_diacritics}
    counts["twin"] = len(twins)
    merged: dict[str, list[float]] = {}
    for token, score in rows:
        if token not in twins:
            merged.setdefault(token, []).append(score)
    for k, v in counts.items():
        print(f"{k}: {v}", file=sys.stderr)
    print(f"kept: {len(merged)}", file=sys.stderr)
    return {t: round(sum(s) / len(s), 3) for t, s in sorted(merged.items())}


def write(lexicon: dict[str, float], out: Path = OUT) -> None:
    """Write token<TAB>valence lines under the source header."""
    lines = [f"{t}\t{s:g}" for t, s in lexicon.items()]
    out.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - maintainer's tool
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m closer.analysis.ro_lexicon_build UPSTREAM_FILE")
    write(build(Path(sys.argv[1])))
    print(f"wrote {OUT}", file=sys.stderr)
