"""The metrics' rules as data: calendar, response tiers, business hours, keywords.

Each YAML file in metrics/definitions/ is checked whole when loaded; a bad value is refused
with `file:line: field: reason`. The rules become DuckDB macros (`macros()`), so the metric
SQL in metrics/*.sql applies them in the database, never in a Python loop.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGS = ("ro", "en")
TWO_WAY_CATEGORIES = ("vote", "contest", "consultation", "question")

# Letters that Romanian writes with diacritics: a keyword written either way matches both
# (ş/ţ with cedilla are the legacy forms of ș/ț with comma, still common online).
_FOLD = {"a": "[aăâ]", "i": "[iî]", "s": "[sșş]", "t": "[tțţ]"}
# Not a letter or digit of a Latin script (a-z and the accented Latin letters, U+00C0-U+024F, so
# Romanian and Hungarian words stay whole). Not RE2's Unicode \pL: with case folding and long
# word lists it makes the regex 30-50 times slower.
_NOT_WORD = r"[^0-9a-z\x{00C0}-\x{024F}]"


class RulesError(ValueError):
    """A definitions file was refused: `file:line: field: reason`."""


# --- YAML with line numbers -------------------------------------------------------------


class _Map(dict):
    lines: dict[Any, int]


class _Seq(list):
    lines: list[int]
    line: int


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    m = _Map()
    m.lines = {}
    for k_node, v_node in node.value:
        k = loader.construct_object(k_node, deep=True)
        m[k] = loader.construct_object(v_node, deep=True)
        m.lines[k] = k_node.start_mark.line + 1
    m.lines["__self__"] = node.start_mark.line + 1
    return m


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    s = _Seq(loader.construct_object(n, deep=True) for n in node.value)
    s.lines = [n.start_mark.line + 1 for n in node.value]
    s.line = node.start_mark.line + 1
    return s


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_yaml(path: Path) -> _Map:
    """A YAML mapping whose dicts and lists remember their line numbers."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise RulesError(f"{path.name}:{line}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RulesError(f"{path.name}:1: the file must be a mapping of fields")
    return data


def line_of(container: Any, key: Any = "__self__") -> int:
    """The line where `key` of a loaded mapping (or item of a list) was written; 0 if unknown."""
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict):
        return lines.get(key, lines.get("__self__", 0))
    if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return getattr(container, "line", 0)


def fail(path: Path, container: Any, key: Any, field_name: str, reason: str) -> RulesError:
    return RulesError(f"{path.name}:{line_of(container, key)}: {field_name}: {reason}")


def _need(path: Path, m: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(m, dict) or key not in m:
        raise fail(path, m, "__self__", f"{where}{key}", "missing")
    v = m[key]
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise fail(path, m, key, f"{where}{key}", f"must be {names}, got {v!r}")
    return v


# --- keyword matching -------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without diacritics: 'Câștigă' → 'castiga'."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def word_regex(word: str) -> str:
    """RE2 for one keyword: diacritics optional, any spacing in phrases, whole word unless `*`."""
    stem = word.endswith("*")
    out = []
    for ch in fold(word.rstrip("*").strip()):
        if ch in _FOLD:
            out.append(_FOLD[ch])
        elif ch.isspace():
            if not out or out[-1] != r"\s+":
                out.append(r"\s+")
        else:
            out.append(re.escape(ch))
    body = "".join(out)
    return body if stem else body + f"(?:{_NOT_WORD}|$)"


def words_regex(words: list[str], at_sentence_start: bool = False) -> str:
    """RE2 matching any of `words` (case-insensitive), at a word start or a sentence start.

    A sentence starts at the text's start or after . ! ; : , or a line break, and any
    @mentions there are skipped ("@primaria Când …" starts with "când").
    """
    alts = "|".join(word_regex(w) for w in words)
    start = (
        rf"(?:^|[.!;:,\n])(?:\s*@\S+)*{_NOT_WORD}*" if at_sentence_start else f"(?:^|{_NOT_WORD})"
    )
    return f"(?i){start}(?:{alts})"


def _union(patterns: list[str]) -> str:
    """One RE2 matching any of several `(?i)…` patterns."""
    return "(?i)(?:" + "|".join(p.removeprefix("(?i)") for p in patterns) + ")"


def _when_hit(pattern: str, column: str) -> str:
    """Match `pattern` only where the family's combined pattern already matched (`hit`)."""
    return f"(CASE WHEN hit THEN regexp_matches(coalesce({column}, ''), {sql_str(pattern)}) ELSE false END)"


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _words(path: Path, m: Any, key: str, where: str) -> list[str]:
    """A {ro: [...], en: [...]} keyword list, flattened."""
    v = m.get(key) if isinstance(m, dict) else None
    if not isinstance(v, dict) or not any(lang in v for lang in LANGS):
        raise fail(path, m, key, f"{where}{key}", "must list words per language (ro:, en:)")
    out: list[str] = []
    for lang, words in v.items():
        if lang not in LANGS:
            raise fail(
                path, v, lang, f"{where}{key}.{lang}", f"unknown language (use {', '.join(LANGS)})"
            )
        if not isinstance(words, list) or not all(
            isinstance(w, str) and w.strip(" *") for w in words
        ):
            raise fail(path, v, lang, f"{where}{key}.{lang}", "must be a list of non-empty words")
        out.extend(words)
    return out


# --- the rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    name: str
    label: str
    limit_hours: float


@dataclass(frozen=True)
class TierRule:
    tier: str
    keywords: tuple[str, ...] = ()
    question: bool | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class BusinessHours:
    timezone: str
    days: dict[int, tuple[int, int]]  # weekday (0 = Monday) → (open, close) seconds after midnight
    holidays: tuple[dt.date, ...] = ()

    def length(self, weekday: int) -> int:
        o, c = self.days.get(weekday, (0, 0))
        return c - o


@dataclass
class Rules:
    """Everything the metric SQL needs from metrics/definitions/."""

    timezone: str
    tiers: list[Tier]
    tier_rules: list[TierRule]
    default_tier: str
    business_hours: BusinessHours | None
    question_mark: str
    question_words: list[str]
    two_way: dict[str, tuple[str | None, list[str]]]  # category → (mark, words)
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def shortest_tier(self) -> Tier:
        return min(self.tiers, key=lambda t: t.limit_hours)

    def macros(self) -> list[str]:
        """CREATE TEMP MACRO statements applying these rules in SQL.

        Each text is first matched once against all the keywords of a family (`…_hit`); only
        the texts that contain one of them are matched rule by rule. One regular expression
        pass over ten million comments costs about a second on two cores.
        """
        q = words_regex(self.question_words, True)
        kw_words = [w for r in self.tier_rules for w in r.keywords]
        any_comment = words_regex(kw_words) if kw_words else None
        tw_words = [w for cat in TWO_WAY_CATEGORIES for w in self.two_way.get(cat, (None, []))[1]]
        any_post = _union([words_regex(tw_words)]) if tw_words else None
        mark = sql_str(self.question_mark)
        out = [
            "CREATE OR REPLACE TEMP MACRO comment_keyword_hit(txt) AS "
            + (
                f"(regexp_matches(coalesce(txt, ''), {sql_str(any_comment)}))"
                if any_comment
                else "(false)"
            ),
            (
                f"CREATE OR REPLACE TEMP MACRO comment_asks(txt) AS "
                f"(contains(coalesce(txt, ''), {mark}) OR regexp_matches(coalesce(txt, ''), {sql_str(q)}))"
            ),
            f"CREATE OR REPLACE TEMP MACRO comment_tier(txt, asks, topics, hit) AS ({self._tier_case()})",
            f"CREATE OR REPLACE TEMP MACRO response_clock(ts) AS ({self._clock()})",
            "CREATE OR REPLACE TEMP MACRO two_way_hit(body) AS "
            + (
                f"(regexp_matches(coalesce(body, ''), {sql_str(any_post)}))"
                if any_post
                else "(false)"
            ),
        ]
        for cat in TWO_WAY_CATEGORIES:
            cmark, words = self.two_way.get(cat, (None, []))
            parts = []
            if cmark:
                parts.append(f"contains(coalesce(body, ''), {sql_str(cmark)})")
            if words:
                parts.append(_when_hit(words_regex(words), "body"))
            out.append(
                f"CREATE OR REPLACE TEMP MACRO two_way_{cat}(body, hit) AS ({' OR '.join(parts) or 'false'})"
            )
        return out

    def _tier_case(self) -> str:
        whens = []
        for r in self.tier_rules:
            conds = []
            if r.keywords:
                conds.append(_when_hit(words_regex(list(r.keywords)), "txt"))
            if r.question is not None:
                conds.append("coalesce(asks, false)" if r.question else "NOT coalesce(asks, false)")
            if r.topics:
                lst = "[" + ", ".join(sql_str(t) for t in r.topics) + "]::VARCHAR[]"
                conds.append(f"coalesce(list_has_any(topics, {lst}), false)")
            whens.append(f"WHEN {' AND '.join(conds)} THEN {sql_str(r.tier)}")
        return f"CASE {' '.join(whens)} ELSE {sql_str(self.default_tier)} END"

    def _clock(self) -> str:
        """Seconds on the response clock: wall time, or business time when configured."""
        bh = self.business_hours
        if bh is None:
            return "epoch(ts)"
        local = f"timezone({sql_str(bh.timezone)}, ts)"
        day = f"CAST({local} AS DATE)"
        # Days since Monday 1970-01-05; weekday 0 = Monday.
        d = f"(({day}) - DATE '1970-01-05')"
        opens = [bh.days.get(w, (0, 0))[0] for w in range(7)]
        lens = [bh.length(w) for w in range(7)]
        cum = [sum(lens[:w]) for w in range(7)]
        week = sum(lens)
        secs = f"(epoch({local}) - epoch(date_trunc('day', {local})))"
        wd = f"(({d}) % 7 + 1)"
        in_day = f"least(greatest({secs} - {opens}[{wd}], 0), {lens}[{wd}])"
        expr = f"((({d}) // 7) * {week} + {cum}[{wd}] + {in_day}"
        hol = sorted(h for h in set(bh.holidays) if bh.length(h.weekday()) > 0)
        if hol:
            lost = [
                f"WHEN {day} <= DATE '{h.isoformat()}' THEN {sum(bh.length(x.weekday()) for x in hol[:i])}"
                for i, h in enumerate(hol)
            ]
            expr += (
                f" - (CASE {' '.join(lost)} ELSE {sum(bh.length(x.weekday()) for x in hol)} END)"
            )
            days = ", ".join(f"DATE '{h.isoformat()}'" for h in hol)
            expr += f" - (CASE WHEN {day} IN ({days}) THEN {in_day} ELSE 0 END)"
        return expr + ")::DOUBLE"


def _hhmm(path: Path, m: Any, key: str, value: Any) -> tuple[int, int]:
    mt = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", str(value).strip())
    if not mt:
        raise fail(
            path, m, key, f"business_hours.days.{key}", f"must be HH:MM-HH:MM, got {value!r}"
        )
    h1, m1, h2, m2 = (int(x) for x in mt.groups())
    o, c = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if not (0 <= o < c <= 86400) or m1 > 59 or m2 > 59:
        raise fail(
            path,
            m,
            key,
            f"business_hours.days.{key}",
            f"{value!r} is not an opening time before a closing time",
        )
    return o, c


def _timezone(path: Path, m: Any, key: str, where: str) -> str:
    tz = _need(path, m, key, where, str)
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise fail(path, m, key, f"{where}{key}", f"unknown time zone {tz!r}") from None
    return tz


def _load_tiers(path: Path) -> tuple[list[Tier], list[TierRule], str, BusinessHours | None, int]:
    d = load_yaml(path)
    version = _need(path, d, "version", "", int)
    tiers_raw = _need(path, d, "tiers", "", list)
    if not tiers_raw:
        raise fail(path, d, "tiers", "tiers", "at least one tier is needed")
    tiers: list[Tier] = []
    for i, t in enumerate(tiers_raw):
        where = f"tiers[{i}]."
        name = _need(path, t, "name", where, str)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise fail(path, t, "name", f"{where}name", "must be lower-case letters, digits, _")
        if name in {x.name for x in tiers}:
            raise fail(path, t, "name", f"{where}name", f"tier {name!r} is defined twice")
        limit = _need(path, t, "limit_hours", where, (int, float))
        if isinstance(limit, bool) or limit <= 0:
            raise fail(
                path, t, "limit_hours", f"{where}limit_hours", "must be a positive number of hours"
            )
        tiers.append(Tier(name, str(t.get("label") or name), float(limit)))
    names = [t.name for t in tiers]
    rules: list[TierRule] = []
    for i, r in enumerate(_need(path, d, "rules", "", list)):
        where = f"rules[{i}]."
        tier = _need(path, r, "tier", where, str)
        if tier not in names:
            raise fail(
                path, r, "tier", f"{where}tier", f"{tier!r} is not a tier ({', '.join(names)})"
            )
        unknown = set(r) - {"tier", "keywords_any", "question", "topics_any"}
        if unknown:
            k = min(unknown)
            raise fail(
                path, r, k, f"{where}{k}", "unknown condition (keywords_any, question, topics_any)"
            )
        kw = tuple(_words(path, r, "keywords_any", where)) if "keywords_any" in r else ()
        q = r.get("question")
        if q is not None and not isinstance(q, bool):
            raise fail(path, r, "question", f"{where}question", "must be true or false")
        topics = r.get("topics_any") or []
        if not isinstance(topics, list) or not all(isinstance(x, str) for x in topics):
            raise fail(path, r, "topics_any", f"{where}topics_any", "must be a list of topic names")
        if not kw and q is None and not topics:
            raise fail(path, r, "tier", f"{where[:-1]}", "a rule needs at least one condition")
        rules.append(TierRule(tier, kw, q, tuple(topics)))
    default = _need(path, d, "default_tier", "", str)
    if default not in names:
        raise fail(
            path,
            d,
            "default_tier",
            "default_tier",
            f"{default!r} is not a tier ({', '.join(names)})",
        )
    bh = None
    b = d.get("business_hours")
    if b is not None:
        if not isinstance(b, dict):
            raise fail(path, d, "business_hours", "business_hours", "must be a mapping")
        enabled = b.get("enabled", False)
        if not isinstance(enabled, bool):
            raise fail(path, b, "enabled", "business_hours.enabled", "must be true or false")
        if enabled:
            tz = _timezone(path, b, "timezone", "business_hours.")
            days_raw = _need(path, b, "days", "business_hours.", dict)
            days: dict[int, tuple[int, int]] = {}
            for k, v in days_raw.items():
                if k not in WEEKDAYS:
                    raise fail(
                        path,
                        days_raw,
                        k,
                        f"business_hours.days.{k}",
                        f"not a day ({', '.join(WEEKDAYS)})",
                    )
                days[WEEKDAYS.index(k)] = _hhmm(path, days_raw, k, v)
            if not days:
                raise fail(
                    path, b, "days", "business_hours.days", "at least one open day is needed"
                )
            hols = []
            raw_h = b.get("holidays") or []
            if not isinstance(raw_h, list):
                raise fail(
                    path, b, "holidays", "business_hours.holidays", "must be a list of dates"
                )
            for j, h in enumerate(raw_h):
                if isinstance(h, dt.datetime) or not isinstance(h, dt.date):
                    try:
                        h = dt.date.fromisoformat(str(h))
                    except ValueError:
                        raise fail(
                            path,
                            raw_h,
                            j,
                            f"business_hours.holidays[{j}]",
                            f"{h!r} is not a date (YYYY-MM-DD)",
                        ) from None
                hols.append(h)
            bh = BusinessHours(tz, days, tuple(hols))
    return tiers, rules, default, bh, version


def _load_keywords(
    path: Path,
) -> tuple[str, list[str], dict[str, tuple[str | None, list[str]]], int]:
    d = load_yaml(path)
    version = _need(path, d, "version", "", int)
    q = _need(path, d, "question", "", dict)
    mark = _need(path, q, "mark", "question.", str)
    qwords = _words(path, q, "starts_with", "question.")
    tw = _need(path, d, "two_way", "", dict)
    two_way: dict[str, tuple[str | None, list[str]]] = {}
    for cat, spec in tw.items():
        if cat not in TWO_WAY_CATEGORIES:
            raise fail(
                path,
                tw,
                cat,
                f"two_way.{cat}",
                f"unknown category ({', '.join(TWO_WAY_CATEGORIES)})",
            )
        if not isinstance(spec, dict):
            raise fail(path, tw, cat, f"two_way.{cat}", "must be a mapping (mark:, ro:, en:)")
        cmark = spec.get("mark")
        if cmark is not None and not isinstance(cmark, str):
            raise fail(path, spec, "mark", f"two_way.{cat}.mark", "must be a string")
        words: list[str] = []
        for lang, ws in spec.items():
            if lang == "mark":
                continue
            if lang not in LANGS:
                raise fail(
                    path,
                    spec,
                    lang,
                    f"two_way.{cat}.{lang}",
                    f"unknown language (use {', '.join(LANGS)})",
                )
            if not isinstance(ws, list) or not all(
                isinstance(w, str) and w.strip(" *") for w in ws
            ):
                raise fail(
                    path, spec, lang, f"two_way.{cat}.{lang}", "must be a list of non-empty words"
                )
            words += ws
        if not words and not cmark:
            raise fail(path, tw, cat, f"two_way.{cat}", "needs a mark or words")
        two_way[cat] = (cmark, words)
    return mark, qwords, two_way, version


def load(directory: Path = DEFINITIONS) -> Rules:
    """Read calendar.yaml, response_tiers.yaml and keywords.yaml; RulesError if one is bad."""
    names = ("calendar.yaml", "response_tiers.yaml", "keywords.yaml")
    stamp = tuple(
        (directory / n).stat().st_mtime_ns if (directory / n).exists() else 0 for n in names
    )
    return copy.deepcopy(_load(directory, stamp))


@functools.lru_cache(maxsize=8)
def _load(directory: Path, stamp: tuple[int, ...]) -> Rules:
    cal_path = directory / "calendar.yaml"
    cal = load_yaml(cal_path)
    tz = _timezone(cal_path, cal, "timezone", "")
    tiers, tier_rules, default, bh, tv = _load_tiers(directory / "response_tiers.yaml")
    mark, qwords, two_way, kv = _load_keywords(directory / "keywords.yaml")
    return Rules(
        timezone=tz,
        tiers=tiers,
        tier_rules=tier_rules,
        default_tier=default,
        business_hours=bh,
        question_mark=mark,
        question_words=qwords,
        two_way=two_way,
        versions={
            "calendar": _need(cal_path, cal, "version", "", int),
            "response_tiers": tv,
            "keywords": kv,
        },
    )
