"""Topics of a comment: citizens' concerns from the taxonomy in data/topics.yaml.

A comment has a topic when one of the topic's keywords for the comment's language appears
among the comment's lemmas (a phrase keyword: as consecutive lemmas, the longest first; its
words then do not count again on their own). Keywords and
comments go through the same spaCy tokenizer and lookup lemmas, compared without case or
diacritics. Several topics or none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

import yaml

TAXONOMY_FILE = "topics.yaml"


class TaxonomyError(ValueError):
    """topics.yaml is malformed; the message names the topic and field."""


@functools.cache
def taxonomy() -> dict[str, dict[str, Any]]:
    """The raw taxonomy: topic id → {label, <lang>: [keywords]} (validated)."""
    text = (resources.files("closer.analysis") / "data" / TAXONOMY_FILE).read_text("utf-8")
    return validate(yaml.safe_load(text), TAXONOMY_FILE)


def validate(data: Any, source: str) -> dict[str, dict[str, Any]]:
    """Check the taxonomy's shape; raises TaxonomyError naming the file, topic and field."""
    if not isinstance(data, dict) or not data:
        raise TaxonomyError(f"{source}: expected a mapping of topic → fields")
    for topic, fields in data.items():
        if not isinstance(topic, str) or not topic.replace("_", "").isalnum():
            raise TaxonomyError(f"{source}: topic {topic!r}: id must be letters, digits or _")
        if not isinstance(fields, dict):
            raise TaxonomyError(f"{source}: topic {topic!r}: expected fields label, ro, en …")
        if not isinstance(fields.get("label"), str):
            raise TaxonomyError(f"{source}: topic {topic!r}: field 'label' must be text")
        for lang, words in fields.items():
            if lang == "label":
                continue
            if len(lang) != 2 or not lang.isalpha():
                raise TaxonomyError(f"{source}: topic {topic!r}: field {lang!r} is not a language")
            if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
                raise TaxonomyError(
                    f"{source}: topic {topic!r}: field {lang!r} must be a list of words"
                )
    return data


def labels() -> dict[str, str]:
    """Topic id → label, in taxonomy order."""
    return {topic: fields["label"] for topic, fields in taxonomy().items()}


class TopicMatcher:
    """Keywords of one language, lemmatised: single lemmas and phrases → topics."""

    def __init__(self, lang: str, lemmas_of: Callable[[str], list[str]]):
        self.lang = lang
        self.single: dict[str, set[str]] = {}
        self.phrases: dict[tuple[str, ...], set[str]] = {}
        for topic, fields in taxonomy().items():
            for keyword in fields.get(lang, []):
                key = tuple(lemmas_of(keyword))
                if len(key) == 1:
                    self.single.setdefault(key[0], set()).add(topic)
                elif key:
                    self.phrases.setdefault(key, set()).add(topic)
        self.sizes = sorted({len(k) for k in self.phrases})
        self.starts = {k[0] for k in self.phrases}

    def match(self, lemmas: Sequence[str]) -> set[str]:
        """Topics whose keywords occur in `lemmas` (folded lemmas of the comment's words).
        The words of a matched phrase do not count on their own: "groapă de gunoi"
        (landfill) is waste, not also the "groapă" (pothole) of roads."""
        found: set[str] = set()
        covered: set[int] = set()
        n = len(lemmas)
        if not self.starts.isdisjoint(lemmas):
            for i, lemma in enumerate(lemmas):
                if lemma not in self.starts:
                    continue
                for size in reversed(self.sizes):
                    if i + size > n:
                        continue
                    hit = self.phrases.get(tuple(lemmas[i : i + size]))
                    if hit:
                        found |= hit
                        covered.update(range(i, i + size))
                        break
        if self.single.keys().isdisjoint(lemmas):
            return found
        for i, lemma in enumerate(lemmas):
            if i not in covered:
                hit = self.single.get(lemma)
                if hit:
                    found |= hit
        return found
