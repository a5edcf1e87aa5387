"""One comment's analysis: language, sentiment, topics, question, hate flags, terms, copies.

`Analyser(languages).analyse(text)` is the whole per-comment step; the pipeline runs it
over the database in parallel. What each field means, and when it is NULL, is in
docs/analysis.md.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from closer.analysis import duplicates, language, sentiment
from closer.analysis.hate import HateMatcher
from closer.analysis.lemmas import lemmatiser, stop_words
from closer.analysis.normalise import fold, without_reshare_prefix
from closer.analysis.questions import QuestionDetector
from closer.analysis.topics import TopicMatcher

log = logging.getLogger(__name__)

# Languages with a topic taxonomy, a hate lexicon and question words (data/).
LEXICON_LANGUAGES = ("en", "ro")
MIN_TERM_LENGTH = 3
_MISSING = object()


@dataclass(slots=True)
class CommentAnalysis:
    """The stored result for one comment (columns of comment_analysis)."""

    lang: str
    lang_confidence: float | None
    sentiment: float | None
    sentiment_label: str | None
    topics: list[str] | None
    is_question: bool | None
    hate: bool | None
    hate_categories: list[str] | None
    terms: list[str]
    dup_group: str | None


class LanguageTools:
    """Tokenizer, lemmas, topic and hate matchers, question words for one language."""

    def __init__(self, lang: str):
        self.lang = lang
        try:
            self.lemmatiser = lemmatiser(lang)
        except ImportError:  # spaCy has no language class for it: the multilingual one
            log.info("no spaCy tokenizer for %s; using the multilingual one", lang)
            self.lemmatiser = lemmatiser("xx")
        self.stop = stop_words(lang)
        self._tokens: dict[str, tuple[str, str | None, str | None] | None] = {}
        has_lexicons = lang in LEXICON_LANGUAGES
        self.topics = TopicMatcher(lang, self.folded_lemmas) if has_lexicons else None
        self.hate = HateMatcher(lang, self.folded_words) if has_lexicons else None
        self.questions = QuestionDetector([lang])

    def words(self, text: str) -> list[str]:
        """spaCy tokens that contain a letter."""
        return [t for t in self.lemmatiser.tokens(text) if _has_letter(t)]

    def folded_words(self, text: str) -> list[str]:
        return [fold(w) for w in self.words(text)]

    def folded_lemmas(self, text: str) -> list[str]:
        return self.read(self.lemmatiser.tokens(text))[1]

    def read(self, tokens: list[str]) -> tuple[list[str], list[str], list[str]]:
        """(folded words, folded lemmas, display lemmas) of the tokens that contain a letter;
        a stop word is its own lemma (the tables' lemmas of function words are unreliable)."""
        return self.read_all(tokens)[1:]

    def read_all(self, tokens: list[str]) -> tuple[list[str], list[str], list[str], list[str]]:
        """read() plus, first, the folded tokens with a letter or digit (for copies)."""
        alnum, words, lemmas, display = [], [], [], []
        cache = self._tokens
        for token in tokens:
            got = cache.get(token, _MISSING)
            if got is _MISSING:
                got = self._token(token)
            if got is not None:
                alnum.append(got[0])
                if got[1] is not None:
                    words.append(got[0])
                    lemmas.append(got[1])
                    display.append(got[2])
        return alnum, words, lemmas, display

    def _token(self, token: str) -> tuple[str, str | None, str | None] | None:
        """(folded token, folded lemma, lemma) of a token with a letter; (folded token, None,
        None) for one with digits only; None for punctuation and symbols."""
        try:
            return self._tokens[token]
        except KeyError:
            pass
        if any(c.isalpha() for c in token):
            folded = fold(token)
            lemma = token.lower() if folded in self.stop else self.lemmatiser.lemma(token)
            got = (folded, fold(lemma), lemma)
        elif any(c.isdigit() for c in token):
            got = (fold(token), None, None)
        else:
            got = None
        if len(self._tokens) < 300_000:
            self._tokens[token] = got
        return got

    def terms(self, words: list[str], lemmas: list[str], display: list[str]) -> list[str]:
        """Content lemmas for distinctive terms: no stop words, ≥ 3 letters, each once."""
        seen: dict[str, None] = {}
        stop = self.stop
        for word, key, shown in zip(words, lemmas, display):
            if (
                len(key) >= MIN_TERM_LENGTH
                and key.isalpha()
                and word not in stop
                and key not in stop
            ):
                seen.setdefault(shown, None)
        return list(seen)


@functools.cache
def language_tools(lang: str) -> LanguageTools:
    """The process's tools for `lang` (building them loads tables: done once)."""
    return LanguageTools(lang)


class Analyser:
    """Analyses comment texts for a registry whose candidate languages are `languages`."""

    def __init__(self, languages: tuple[str, ...]):
        self.languages = tuple(sorted(set(languages) | {"en"}))
        self._tools: dict[str, LanguageTools] = {}
        self._undetermined_langs = tuple(x for x in LEXICON_LANGUAGES if x in self.languages)
        # undetermined text is tokenized as Romanian when the registry has it, else English
        self._und_tokenizer = "ro" if "ro" in self.languages else "en"
        self._und_questions = QuestionDetector(self._undetermined_langs)
        self._cache: dict[str, CommentAnalysis] = {}

    def tools(self, lang: str) -> LanguageTools:
        """The tools for `lang`, built on first use (once per process)."""
        got = self._tools.get(lang)
        if got is None:
            got = self._tools[lang] = language_tools(lang)
        return got

    def warm_up(self) -> None:
        """Load every model and table now (before forking workers, so they share them)."""
        for lang in self.languages:
            self.tools(lang)
        language.detector(self.languages)
        if "ro" in self.languages:
            sentiment.romanian_scorer()
        for text in ("Mulțumim pentru răspuns", "Thank you for the answer"):
            self.analyse(text)
        self._cache.clear()

    def analyse(self, text: str | None) -> CommentAnalysis:
        """The analysis of one comment's text (identical texts are analysed once)."""
        key = text or ""
        got = self._cache.get(key)
        if got is not None:
            return got
        result = self._analyse(key)
        if len(self._cache) < 100_000:
            self._cache[key] = result
        return result

    def _analyse(self, text: str) -> CommentAnalysis:
        lang, confidence = language.detect(text, self.languages)
        body = sentiment.prepare(without_reshare_prefix(text))
        if not body.strip():  # nothing but links and mentions
            return CommentAnalysis(lang, confidence, None, None, None, None, None, None, [], None)
        tools = self.tools(lang if lang != language.UNDETERMINED else self._und_tokenizer)
        tokens = tools.lemmatiser.tokens(body)
        alnum, words, lemmas, display = tools.read_all(tokens)
        dup_group = duplicates.duplicate_group(alnum)
        if lang == "en":
            score = sentiment.english(text)  # VADER on the text exactly as written
        elif lang == "ro":
            score = sentiment.romanian_scorer().compound_tokens(tokens, body)
        else:
            score = None
        if lang in LEXICON_LANGUAGES:
            topics = tools.topics.match(lemmas)
            hate = tools.hate.match(words, lemmas)
            asks = tools.questions.is_question_tokens(tokens, body)
            terms = [] if hate else tools.terms(words, lemmas, display)
        elif lang == language.UNDETERMINED:
            topics, hate = set(), set()
            for each in self._undetermined_langs:
                each_tools = self.tools(each)
                each_words, each_lemmas, _ = each_tools.read(tokens)
                topics |= each_tools.topics.match(each_lemmas)
                hate |= each_tools.hate.match(each_words, each_lemmas)
            asks = self._und_questions.is_question_tokens(tokens, body)
            terms = []
        else:  # a language without taxonomy or lexicon: not assessed, except the "?" rule
            topics = hate = None
            asks = tools.questions.is_question_tokens(tokens, body)
            terms = tools.terms(words, lemmas, display)
        return CommentAnalysis(
            lang=lang,
            lang_confidence=confidence,
            sentiment=score,
            sentiment_label=sentiment.label(score),
            topics=None if topics is None else sorted(topics),
            is_question=asks,
            hate=None if hate is None else bool(hate),
            hate_categories=None if hate is None else sorted(hate),
            terms=terms,
            dup_group=dup_group,
        )


def _has_letter(token: str) -> bool:
    return token[:1].isalpha() or any(c.isalpha() for c in token)
