"""Competition definitions: load and validate `<competition_id>_v<N>.yaml` (docs/jury.md).

A definition is data: categories, criteria with weights and a scale, the timeline, the
jury (jurors and a chair), the tie-break rule (fixed before scoring), recusal and
normalisation settings, and the awards. Every problem is reported with the file, its line
and the field: `good_practice_2026_v1.yaml:14: criteria[2].weight: must be a number > 0`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_FILE_RE = re.compile(r"^([a-z][a-z0-9_]*)_v(\d+)\.ya?ml$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TIMELINE_KEYS = ("nominations_open", "nominations_close", "scoring_open", "scoring_close",
                 "ceremony")
CASTING_VOTE = "chair_casting_vote"
DEFAULT_MIN_PRACTICES = 5
DEFAULT_DISAGREEMENT_SHARE = 0.3  # of the scale's span, when no threshold is given
TOP_KEYS = {
    "competition_id", "version", "name", "year", "description", "scale", "criteria",
    "categories", "tie_break", "timeline", "evidence_period", "chair", "jurors", "recusal",
    "normalisation", "disagreement_threshold", "awards",
}


def definitions_dir() -> Path:
    """The bundled competition definitions: rubrics/definitions/competitions/."""
    return Path(__file__).resolve().parents[1] / "definitions" / "competitions"


class DefinitionError(ValueError):
    """A competition definition was refused; `errors` lists every problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class Scale:
    """The scores a juror may give: minimum to maximum in steps."""

    minimum: float
    maximum: float
    step: float

    @property
    def midpoint(self) -> float:
        return (self.minimum + self.maximum) / 2

    @property
    def span(self) -> float:
        return self.maximum - self.minimum

    def allows(self, score: float) -> bool:
        """True when `score` is within the scale and on one of its steps."""
        if math.isnan(score) or score < self.minimum - 1e-9 or score > self.maximum + 1e-9:
            return False
        k = (score - self.minimum) / self.step
        return abs(k - round(k)) < 1e-9

    def describe(self) -> str:
        return f"{_num(self.minimum)} to {_num(self.maximum)} in steps of {_num(self.step)}"

    def levels(self) -> list[float]:
        n = round(self.span / self.step)
        return [self.minimum + i * self.step for i in range(n + 1)]


@dataclass(frozen=True)
class Criterion:
    criterion_id: str
    name: str
    weight: float
    description: str = ""


@dataclass(frozen=True)
class Category:
    category_id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class TieBreakRule:
    """One step of the tie-break: a higher mean score on a criterion, or the chair's vote."""

    kind: str  # criterion, chair_casting_vote
    criterion_id: str | None = None

    def describe(self) -> str:
        if self.kind == CASTING_VOTE:
            return "the chair's casting vote"
        return f"higher mean score on {self.criterion_id}"


@dataclass(frozen=True)
class Competition:
    competition_id: str
    version: int
    name: str
    scale: Scale
    criteria: tuple[Criterion, ...]
    tie_break: tuple[TieBreakRule, ...]
    chair: str
    jurors: tuple[str, ...]
    year: int | None = None
    description: str = ""
    categories: tuple[Category, ...] = ()
    timeline: dict[str, dt.date] = field(default_factory=dict)
    evidence_period: tuple[dt.date, dt.date] | None = None
    recuse_same_region: bool = False
    min_practices: int = DEFAULT_MIN_PRACTICES
    disagreement_threshold: float = 0.0
    places: int = 3
    special_mentions: int | None = None

    @property
    def key(self) -> str:
        return f"{self.competition_id} v{self.version}"

    def criterion(self, criterion_id: str) -> Criterion | None:
        for c in self.criteria:
            if c.criterion_id == criterion_id:
                return c
        return None

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.criteria)

    def share(self, c: Criterion) -> str:
        """A criterion's weight as a share of the total, e.g. '12.5%'."""
        return f"{round(100 * c.weight / self.total_weight, 1):g}%"


def _num(x: float) -> str:
    return f"{x:g}"


def _label(identifier: str) -> str:
    """A name for an id given without one: 'stakeholder_engagement' → 'Stakeholder engagement'."""
    return identifier.replace("_", " ").capitalize()


# --- YAML with line numbers --------------------------------------------------------------


class _Lines:
    """Where each value was in the file: path tuple → line number (from 1)."""

    def __init__(self) -> None:
        self.at: dict[tuple, int] = {}

    def line(self, path: tuple) -> int | None:
        """The line of `path`, else of the mapping it is missing from (None at the top)."""
        while path:
            if path in self.at:
                return self.at[path]
            path = path[:-1]
        return None


def _to_python(node: yaml.Node, path: tuple, lines: _Lines) -> Any:
    lines.at[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for k, v in node.value:
            key = _scalar(k)
            lines.at[path + (key,)] = k.start_mark.line + 1
            out[key] = _to_python(v, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, path + (i,), lines) for i, v in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def parse_text(text: str, source: str) -> tuple[Any, _Lines]:
    """The YAML's data and where each value was; DefinitionError for a YAML syntax error."""
    lines = _Lines()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise DefinitionError([f"{where}: YAML: {getattr(exc, 'problem', None) or exc}"]) from None
    if node is None:
        return None, lines
    return _to_python(node, (), lines), lines


# --- validation --------------------------------------------------------------------------


def parse(data: Any, source: str = "<definition>", lines: _Lines | None = None) -> Competition:
    """A validated Competition from the YAML's data; DefinitionError listing every problem."""
    lines = lines or _Lines()
    errors: list[str] = []

    def where(path: tuple) -> str:
        name = ""
        for p in path:
            name += f"[{p}]" if isinstance(p, int) else (f".{p}" if name else str(p))
        ln = lines.line(path)
        return f"{source}:{ln}: {name or 'file'}" if ln else f"{source}: {name or 'file'}"

    def err(path: tuple, reason: str) -> None:
        errors.append(f"{where(path)}: {reason}")

    def text(d: dict, key: str, path: tuple, required: bool = True) -> str:
        v = d.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                err(path + (key,), "missing")
            return ""
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            err(path + (key,), f"must be text, not {type(v).__name__}")
            return ""
        return " ".join(str(v).split())

    def number(v: Any, path: tuple, *, positive: bool = False) -> float | None:
        if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
            err(path, f"must be a number, not {v!r}")
            return None
        if positive and v <= 0:
            err(path, f"must be a number > 0, not {v!r}")
            return None
        return float(v)

    def ident(v: Any, path: tuple) -> str:
        if not isinstance(v, str) or not _ID_RE.match(v):
            err(path, f"{v!r}: lower-case letters, digits and _ only, starting with a letter")
            return ""
        return v

    def date(v: Any, path: tuple) -> dt.date | None:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(str(v))
        except ValueError:
            err(path, f"{v!r} is not a date (YYYY-MM-DD)")
            return None

    if not isinstance(data, dict):
        raise DefinitionError(
            [f"{source}: the file must be a mapping with competition_id, version, criteria, ..."]
        )
    for k in data:
        if k not in TOP_KEYS:
            err((k,), f"unknown field (known: {', '.join(sorted(TOP_KEYS))})")
    competition_id = ident(data.get("competition_id"), ("competition_id",)) \
        if data.get("competition_id") is not None else ""
    if data.get("competition_id") is None:
        err(("competition_id",), "missing")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        err(("version",), f"must be a whole number from 1, not {version!r}")
        version = 0
    name = text(data, "name", (), required=False) or str(data.get("competition_id") or "")
    description = text(data, "description", (), required=False)
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        err(("year",), f"must be a year such as 2026, not {year!r}")
        year = None

    # scale
    sd = data.get("scale")
    scale = Scale(0.0, 10.0, 1.0)
    if not isinstance(sd, dict):
        err(("scale",), "must be a mapping with min, max and step (e.g. {min: 0, max: 10, step: 1})")
    else:
        for k in sd:
            if k not in ("min", "max", "step"):
                err(("scale", k), "unknown field (known: min, max, step)")
        lo = number(sd.get("min"), ("scale", "min"))
        hi = number(sd.get("max"), ("scale", "max"))
        step = number(sd.get("step", 1), ("scale", "step"), positive=True)
        if lo is not None and hi is not None and step is not None:
            if hi <= lo:
                err(("scale", "max"), f"must be above min ({_num(lo)})")
            elif abs((hi - lo) / step - round((hi - lo) / step)) > 1e-9:
                err(("scale", "step"), f"{_num(step)} does not divide {_num(lo)}..{_num(hi)}")
            else:
                scale = Scale(lo, hi, step)

    # criteria
    criteria: list[Criterion] = []
    cdata = data.get("criteria")
    if not isinstance(cdata, list) or not cdata:
        err(("criteria",), "must be a non-empty list")
        cdata = []
    seen: set[str] = set()
    for i, cd in enumerate(cdata):
        p = ("criteria", i)
        if not isinstance(cd, dict):
            err(p, "must be a mapping with criterion_id, name, weight")
            continue
        for k in cd:
            if k not in ("criterion_id", "id", "name", "weight", "description"):
                err(p + (k,), "unknown field (known: criterion_id, name, weight, description)")
        raw_id = cd.get("criterion_id", cd.get("id"))
        cid = ident(raw_id, p + ("criterion_id",)) if raw_id is not None else ""
        if raw_id is None:
            err(p + ("criterion_id",), "missing")
        if cid and cid in seen:
            err(p + ("criterion_id",), f"{cid!r} used twice")
        seen.add(cid)
        w = number(cd.get("weight"), p + ("weight",), positive=True)
        criteria.append(
            Criterion(cid, text(cd, "name", p, False) or _label(cid), w or 0.0,
                      text(cd, "description", p, False))
        )

    # categories
    categories: list[Category] = []
    cats = data.get("categories") or []
    if not isinstance(cats, list):
        err(("categories",), "must be a list")
        cats = []
    seen_cat: set[str] = set()
    for i, cd in enumerate(cats):
        p = ("categories", i)
        if not isinstance(cd, dict):
            err(p, "must be a mapping with category_id and name")
            continue
        raw_id = cd.get("category_id", cd.get("id"))
        cat_id = ident(raw_id, p + ("category_id",)) if raw_id is not None else ""
        if raw_id is None:
            err(p + ("category_id",), "missing")
        if cat_id and cat_id in seen_cat:
            err(p + ("category_id",), f"{cat_id!r} used twice")
        seen_cat.add(cat_id)
        categories.append(Category(cat_id, text(cd, "name", p, False) or _label(cat_id),
                                   text(cd, "description", p, False)))

    # tie-break
    rules: list[TieBreakRule] = []
    tdata = data.get("tie_break")
    if not isinstance(tdata, list) or not tdata:
        err(("tie_break",), "must be a non-empty list, fixed before scoring, e.g. "
            "[{criterion: impact}, chair_casting_vote]")
        tdata = []
    for i, td in enumerate(tdata):
        p = ("tie_break", i)
        if td == CASTING_VOTE or (isinstance(td, dict) and td == {CASTING_VOTE: True}):
            if i != len(tdata) - 1:
                err(p, "the chair's casting vote decides last: put it at the end")
            rules.append(TieBreakRule(CASTING_VOTE))
        elif (isinstance(td, dict) and set(td) == {"criterion"}) or (
                isinstance(td, str) and td in seen):
            cid = td["criterion"] if isinstance(td, dict) else td  # a bare id is a criterion
            if cid not in seen:
                err(p + ("criterion",), f"{cid!r} is not one of the criteria")
            elif any(r.criterion_id == cid for r in rules):
                err(p + ("criterion",), f"{cid!r} is already a tie-break rule")
            else:
                rules.append(TieBreakRule("criterion", cid))
        else:
            err(p, f"{td!r}: a rule is a criterion_id (or {{criterion: <criterion_id>}}) or "
                f"{CASTING_VOTE}")

    # timeline
    timeline: dict[str, dt.date] = {}
    tl = data.get("timeline") or {}
    if not isinstance(tl, dict):
        err(("timeline",), "must be a mapping of dates")
        tl = {}
    for k, v in tl.items():
        if k not in TIMELINE_KEYS:
            err(("timeline", k), f"unknown date (known: {', '.join(TIMELINE_KEYS)})")
            continue
        d = date(v, ("timeline", k))
        if d:
            timeline[k] = d
    timeline = {k: timeline[k] for k in TIMELINE_KEYS if k in timeline}  # in their order
    ordered = list(timeline.items())
    for (k0, d0), (k1, d1) in itertools.pairwise(ordered):
        if d1 < d0:
            err(("timeline", k1), f"{d1} is before {k0} ({d0})")

    evidence_period = None
    ep = data.get("evidence_period")
    if ep is not None:
        if not isinstance(ep, dict) or set(ep) != {"from", "to"}:
            err(("evidence_period",), "must be {from: YYYY-MM-DD, to: YYYY-MM-DD}")
        else:
            d0, d1 = date(ep["from"], ("evidence_period", "from")), date(
                ep["to"], ("evidence_period", "to"))
            if d0 and d1:
                if d1 < d0:
                    err(("evidence_period", "to"), f"{d1} is before from ({d0})")
                else:
                    evidence_period = (d0, d1)

    # jury
    chair = data.get("chair")
    if not isinstance(chair, str) or not chair.strip():
        err(("chair",), "missing: the username of the jury's chair")
        chair = ""
    jdata = data.get("jurors")
    jurors: list[str] = []
    if not isinstance(jdata, list) or not jdata:
        err(("jurors",), "must be a non-empty list of usernames")
        jdata = []
    for i, j in enumerate(jdata):
        if not isinstance(j, str) or not j.strip():
            err(("jurors", i), f"{j!r} is not a username")
        elif j in jurors:
            err(("jurors", i), f"{j!r} listed twice")
        else:
            jurors.append(j.strip())

    recuse_same_region = False
    rec = data.get("recusal") or {}
    if not isinstance(rec, dict):
        err(("recusal",), "must be a mapping, e.g. {same_region: false}")
        rec = {}
    for k, v in rec.items():
        if k != "same_region":
            err(("recusal", k), "unknown field (known: same_region; same institution, "
                "declared links and declared conflicts always recuse)")
        elif not isinstance(v, bool):
            err(("recusal", k), f"must be true or false, not {v!r}")
        else:
            recuse_same_region = v

    min_practices = DEFAULT_MIN_PRACTICES
    norm = data.get("normalisation") or {}
    if not isinstance(norm, dict):
        err(("normalisation",), "must be a mapping, e.g. {min_practices: 5}")
        norm = {}
    for k, v in norm.items():
        if k != "min_practices":
            err(("normalisation", k), "unknown field (known: min_practices)")
        elif not isinstance(v, int) or isinstance(v, bool) or v < 2:
            err(("normalisation", k), f"must be a whole number >= 2, not {v!r}")
        else:
            min_practices = v

    threshold = DEFAULT_DISAGREEMENT_SHARE * scale.span
    if data.get("disagreement_threshold") is not None:
        t = number(data["disagreement_threshold"], ("disagreement_threshold",), positive=True)
        if t is not None:
            threshold = t

    places, mentions = 3, None
    aw = data.get("awards") or {}
    if not isinstance(aw, dict):
        err(("awards",), "must be a mapping, e.g. {places: 3, special_mentions: 7}")
        aw = {}
    for k, v in aw.items():
        if k not in ("places", "special_mentions"):
            err(("awards", k), "unknown field (known: places, special_mentions)")
        elif k == "special_mentions" and v is None:
            mentions = None  # no limit
        elif not isinstance(v, int) or isinstance(v, bool) or v < 0:
            err(("awards", k), f"must be a whole number >= 0, not {v!r}")
        elif k == "places":
            places = v
        else:
            mentions = v

    if errors:
        raise DefinitionError(errors)
    return Competition(
        competition_id=competition_id, version=int(version), name=name, scale=scale,
        criteria=tuple(criteria), tie_break=tuple(rules), chair=chair.strip(),
        jurors=tuple(jurors), year=year, description=description,
        categories=tuple(categories), timeline=timeline, evidence_period=evidence_period,
        recuse_same_region=recuse_same_region, min_practices=min_practices,
        disagreement_threshold=threshold, places=places, special_mentions=mentions,
    )


def load_file(path: str | Path) -> Competition:
    """Load and validate one definition file; a `<id>_v<N>.yaml` name must match its content."""
    p = Path(path)
    if not p.exists():
        raise DefinitionError([f"{p}: file not found"])
    data, lines = parse_text(p.read_text(encoding="utf-8"), p.name)
    comp = parse(data, p.name, lines)
    m = _FILE_RE.match(p.name)
    if m and (comp.competition_id, comp.version) != (m.group(1), int(m.group(2))):
        raise DefinitionError(
            [f"{p.name}: competition_id/version inside ({comp.key}) do not match the file name"]
        )
    return comp


def bundled() -> list[Competition]:
    """Every definition shipped in rubrics/definitions/competitions/, validated."""
    out, errors = [], []
    for p in sorted(definitions_dir().glob("*.yaml")):
        try:
            out.append(load_file(p))
        except DefinitionError as exc:
            errors += exc.errors
    if errors:
        raise DefinitionError(errors)
    return out


# --- canonical form ------------------------------------------------------------------------


def to_dict(c: Competition) -> dict[str, Any]:
    """The definition as plain data (what is stored, hashed and read back)."""
    return {
        "competition_id": c.competition_id,
        "version": c.version,
        "name": c.name,
        "year": c.year,
        "description": c.description,
        "scale": {"min": c.scale.minimum, "max": c.scale.maximum, "step": c.scale.step},
        "criteria": [
            {"criterion_id": k.criterion_id, "name": k.name, "weight": k.weight,
             "description": k.description}
            for k in c.criteria
        ],
        "categories": [
            {"category_id": k.category_id, "name": k.name, "description": k.description}
            for k in c.categories
        ],
        "tie_break": [
            CASTING_VOTE if r.kind == CASTING_VOTE else {"criterion": r.criterion_id}
            for r in c.tie_break
        ],
        "timeline": {k: v.isoformat() for k, v in c.timeline.items()},
        "evidence_period": (
            {"from": c.evidence_period[0].isoformat(), "to": c.evidence_period[1].isoformat()}
            if c.evidence_period else None
        ),
        "chair": c.chair,
        "jurors": list(c.jurors),
        "recusal": {"same_region": c.recuse_same_region},
        "normalisation": {"min_practices": c.min_practices},
        "disagreement_threshold": c.disagreement_threshold,
        "awards": {"places": c.places, "special_mentions": c.special_mentions},
    }


def to_json(c: Competition) -> str:
    """Canonical JSON of a definition."""
    return json.dumps(to_dict(c), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def from_json(text: str) -> Competition:
    """The Competition stored in jury_competitions.definition."""
    d = json.loads(text)
    return parse(d, f"stored {d.get('competition_id')} v{d.get('version')}")
