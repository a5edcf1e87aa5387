"""Does a comment ask something? Rules and words in data/questions.yaml.

Used by the response rate to questions and the response tiers (metrics): a "?" outside
links, or a sentence opening with a question word that is not an exclamation or a clause.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources

import yaml

from closer.analysis.normalise import fold, without_links

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|\n|[^\w\s]+")
_SENTENCE_END = frozenset({".", "!", "?", "...", "…", "\n"})
_SENTENCE_END_CHARS = frozenset(".!?…")


@functools.cache
def _rules() -> dict:
    text = (resources.files("closer.analysis") / "data" / "questions.yaml").read_text("utf-8")
    return yaml.safe_load(text)


class QuestionDetector:
    """Question words of the given languages (e.g. ('ro', 'en') for undetermined text)."""

    def __init__(self, langs: Iterable[str]):
        rules = _rules()

        def words(section: str) -> set[str]:
            return {fold(w) for lang in langs for w in rules[section].get(lang, [])}

        self.starts: dict[int, set[tuple[str, ...]]] = {}
        for phrase in words("start"):
            key = tuple(_WORD.findall(phrase))
            self.starts.setdefault(len(key), set()).add(key)
        self.subordinating = words("subordinating")
        self.exclamative = words("exclamative")
        self.not_after = words("not_after")
        self.sizes = sorted(self.starts, reverse=True)
        self._kinds: dict[str, tuple[int, str]] = {}

    def _asks(self, words: list[str], ends_with_bang: bool, has_comma: bool) -> bool:
        if ends_with_bang or not words:
            return False
        for size in self.sizes:
            start = tuple(words[:size])
            if len(start) == size and start in self.starts[size]:
                following = words[size] if len(words) > size else None
                if following in self.exclamative or following in self.not_after:
                    return False
                # a subordinating start with a comma opens a clause, not a question
                return not (size == 1 and start[0] in self.subordinating and has_comma)
        return False

    def _kind(self, token: str) -> tuple[int, str]:
        """(kind, folded word) of a token: 0 other, 1 word, 2 comma, 3 sentence end,
        4 sentence end with "!", 5 has a "?"."""
        got = self._kinds.get(token)
        if got is None:
            if "?" in token:
                got = (5, "")
            elif token in _SENTENCE_END or "\n" in token or set(token) <= _SENTENCE_END_CHARS:
                got = (4 if "!" in token else 3, "")
            elif token == ",":
                got = (2, "")
            elif any(c.isalpha() for c in token):
                got = (1, fold(token))
            else:
                got = (0, "")
            if len(self._kinds) < 300_000:
                self._kinds[token] = got
        return got

    def is_question_tokens(self, tokens: list[str], text: str | None = None) -> bool:
        """True when the tokens (words and punctuation, links removed) ask something;
        `text`, the string they come from, lets a "?" answer at once."""
        if text is not None and "?" in text:
            return True
        words: list[str] = []
        has_comma = False
        kind = self._kind
        for token in tokens:
            code, folded = kind(token)
            if code == 1:
                if len(words) < 6:
                    words.append(folded)
            elif code == 2:
                has_comma = True
            elif code >= 3:
                if code == 5:
                    return True
                if words and self._asks(words, code == 4, has_comma):
                    return True
                words, has_comma = [], False
        return self._asks(words, False, has_comma)

    def is_question(self, text: str | None) -> bool:
        """True when the text asks something (see the module's rules)."""
        if not text:
            return False
        return self.is_question_tokens(_TOKEN.findall(without_links(text)))
