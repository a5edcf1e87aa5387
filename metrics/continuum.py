"""The social media continuum (seed 002): modest / moderate / elaborate on four dimensions.

Each dimension is placed from the institution's metrics for the period with the thresholds of
metrics/definitions/continuum_vN.yaml (the highest version unless one is asked for); the
figures each condition read and a few example posts are kept with the placement. A
facilitator can override a dimension with a reason (table continuum_overrides: the computed
level, the override, who and when are all kept). The overall level is derived from the four.
docs/continuum.md explains it for facilitators.

---
family: Continuum and engagement ladder
order: 40
metrics:
  - name: continuum_<dimension>
    unit: level (modest, moderate, elaborate)
    definition: >
      The institution's level on each dimension of the continuum (channels, content,
      engagement, update_frequency) in the period: the highest level whose thresholds in
      continuum_vN.yaml hold, or a facilitator's override. See docs/continuum.md.
    na_when: the institution made no post of its own in the period.
  - name: continuum_overall
    unit: level (modest, moderate, elaborate)
    definition: >
      The median of the four dimensions' levels (after overrides), the lower of the two middle
      levels when they differ. See docs/continuum.md.
    na_when: a dimension is n/a.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from metrics import compute as compute_mod
from metrics import rules as rules_mod
from metrics.periods import Period
from metrics.rules import RulesError, fail, load_yaml

DEFINITIONS = rules_mod.DEFINITIONS
DIMENSIONS = ("channels", "content", "engagement", "update_frequency")
_COND_RE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}


class OverrideError(ValueError):
    """An override that cannot be recorded (unknown institution, dimension or level, no reason)."""


@dataclass(frozen=True)
class Condition:
    metric: str
    op: str
    value: float

    @property
    def text(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"

    def holds(self, row: dict[str, Any]) -> bool | None:
        """True/False, or None when the figure is n/a (which does not hold)."""
        v = row.get(self.metric)
        if v is None:
            return None
        return bool(_OPS[self.op](float(v), self.value))


@dataclass(frozen=True)
class LevelRule:
    level: str
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    def holds(self, row: dict[str, Any]) -> bool:
        return all(c.holds(row) for c in self.all) and (
            not self.any or any(c.holds(row) for c in self.any)
        )


@dataclass(frozen=True)
class DimensionRule:
    name: str
    label: str
    seed: dict[str, str]
    rules: tuple[LevelRule, ...]  # from the lowest level above modest to the highest

    def conditions(self) -> list[Condition]:
        return [c for r in self.rules for c in (*r.all, *r.any)]


@dataclass(frozen=True)
class Definition:
    version: int
    levels: tuple[str, ...]
    dimensions: tuple[DimensionRule, ...]
    overall: str
    path: Path

    def dimension(self, name: str) -> DimensionRule:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)


def versions(directory: Path = DEFINITIONS) -> list[int]:
    """The continuum versions shipped (continuum_v1.yaml → 1), in order."""
    out = []
    for p in directory.glob("continuum_v*.yaml"):
        m = re.fullmatch(r"continuum_v(\d+)\.yaml", p.name)
        if m:
            out.append(int(m.group(1)))
    return sorted(out)


def load(
    version: int | None = None, directory: Path = DEFINITIONS, known_metrics: set[str] | None = None
) -> Definition:
    """Read continuum_vN.yaml (the highest N by default); RulesError naming file:line: field."""
    vs = versions(directory)
    if not vs:
        raise RulesError(f"{directory}: no continuum_vN.yaml")
    v = version if version is not None else vs[-1]
    path = directory / f"continuum_v{v}.yaml"
    if not path.exists():
        raise RulesError(f"{path.name}: no such continuum version (have {', '.join(map(str, vs))})")
    d = load_yaml(path)
    if d.get("version") != v:
        raise fail(path, d, "version", "version", f"must be {v}, as in the file name")
    levels = d.get("levels")
    if (
        not isinstance(levels, list)
        or len(levels) < 2
        or not all(isinstance(x, str) for x in levels)
    ):
        raise fail(path, d, "levels", "levels", "must list at least two level names, lowest first")
    dims_raw = d.get("dimensions")
    if not isinstance(dims_raw, dict):
        raise fail(path, d, "dimensions", "dimensions", "must be a mapping of the four dimensions")
    missing = [x for x in DIMENSIONS if x not in dims_raw]
    if missing:
        raise fail(path, d, "dimensions", "dimensions", f"missing {', '.join(missing)}")
    dims = []
    for name, spec in dims_raw.items():
        if name not in DIMENSIONS:
            raise fail(
                path,
                dims_raw,
                name,
                f"dimensions.{name}",
                f"unknown dimension ({', '.join(DIMENSIONS)})",
            )
        if not isinstance(spec, dict):
            raise fail(path, dims_raw, name, f"dimensions.{name}", "must be a mapping")
        rules = []
        for lvl in levels[1:]:
            r = spec.get(lvl)
            where = f"dimensions.{name}.{lvl}"
            if not isinstance(r, dict) or not (r.get("all") or r.get("any")):
                raise fail(
                    path,
                    spec,
                    lvl if lvl in spec else "__self__",
                    where,
                    "needs conditions (all: or any:)",
                )
            conds: dict[str, list[Condition]] = {"all": [], "any": []}
            for part in ("all", "any"):
                items = r.get(part) or []
                if not isinstance(items, list):
                    raise fail(path, r, part, f"{where}.{part}", "must be a list of conditions")
                for i, text in enumerate(items):
                    m = _COND_RE.match(str(text))
                    if not m:
                        raise fail(
                            path,
                            items,
                            i,
                            f"{where}.{part}[{i}]",
                            f"{text!r} is not 'metric operator number'",
                        )
                    if known_metrics is not None and m.group(1) not in known_metrics:
                        raise fail(
                            path,
                            items,
                            i,
                            f"{where}.{part}[{i}]",
                            f"{m.group(1)!r} is not a metric of `closer metrics`",
                        )
                    conds[part].append(Condition(m.group(1), m.group(2), float(m.group(3))))
            rules.append(LevelRule(lvl, tuple(conds["all"]), tuple(conds["any"])))
        seed = spec.get("seed") or {}
        dims.append(
            DimensionRule(
                name,
                str(spec.get("label") or name),
                {str(k): str(x) for k, x in seed.items()},
                tuple(rules),
            )
        )
    overall = d.get("overall", "median_low")
    if overall != "median_low":
        raise fail(path, d, "overall", "overall", "only median_low is known")
    order = {n: i for i, n in enumerate(DIMENSIONS)}
    dims.sort(key=lambda x: order[x.name])
    return Definition(v, tuple(levels), tuple(dims), overall, path)


def overall_level(levels: list[str | None], order: tuple[str, ...]) -> str | None:
    """The median level, the lower middle one when the count is even; None if any is None."""
    if not levels or any(x is None for x in levels):
        return None
    ranks = sorted(order.index(x) for x in levels)  # type: ignore[arg-type]
    return order[ranks[(len(ranks) - 1) // 2]]


@dataclass
class Override:
    level: str | None
    computed_level: str | None
    reason: str
    by: str
    at: dt.datetime
    thresholds_version: int


@dataclass
class DimensionPlacement:
    dimension: str
    label: str
    computed: str | None
    na_reason: str | None
    checks: list[dict[str, Any]]  # each condition: level, condition, figure, holds
    figures: dict[str, Any]
    examples: list[dict[str, Any]] = field(default_factory=list)
    override: Override | None = None
    history: list[Override] = field(default_factory=list)

    @property
    def level(self) -> str | None:
        """The level that counts: the override when there is one, else the computed level."""
        if self.override is not None and self.override.level is not None:
            return self.override.level
        return self.computed


@dataclass
class Placement:
    institution_id: str
    name: str
    period_key: str
    period_label: str
    version: int
    dimensions: list[DimensionPlacement]
    overall: str | None
    overall_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id,
            "name": self.name,
            "period": self.period_key,
            "thresholds_version": self.version,
            "overall": self.overall,
            "overall_na_reason": self.overall_reason,
            "dimensions": [
                {
                    "dimension": d.dimension,
                    "level": d.level,
                    "computed": d.computed,
                    "na_reason": d.na_reason,
                    "override": None
                    if d.override is None or d.override.level is None
                    else {
                        "level": d.override.level,
                        "reason": d.override.reason,
                        "by": d.override.by,
                        "at": d.override.at.isoformat(),
                        "computed_then": d.override.computed_level,
                    },
                    "checks": d.checks,
                    "examples": d.examples,
                }
                for d in self.dimensions
            ],
        }


def place_dimension(
    dim: DimensionRule, row: dict[str, Any], levels: tuple[str, ...]
) -> DimensionPlacement:
    """One dimension from one institution-period row of metrics (no overrides, no examples)."""
    figures = {c.metric: row.get(c.metric) for c in dim.conditions()}
    checks = [
        {
            "level": r.level,
            "part": part,
            "condition": c.text,
            "figure": row.get(c.metric),
            "holds": c.holds(row),
        }
        for r in dim.rules
        for part, cs in (("all", r.all), ("any", r.any))
        for c in cs
    ]
    if not row.get("active_channels"):
        return DimensionPlacement(
            dim.name,
            dim.label,
            None,
            "the institution made no post of its own in the period",
            checks,
            figures,
        )
    level = levels[0]
    for r in dim.rules:
        if r.holds(row):
            level = r.level
    return DimensionPlacement(dim.name, dim.label, level, None, checks, figures)


_EXAMPLES = {
    # cross-links: the posts that tie the channels together
    "channels": """
        SELECT period_id, group_id, url, created_at, account_id, form,
               'links to ' || array_to_string(linked_accounts, ', ') AS note
        FROM _scope_posts WHERE kind = 'post' AND linked_accounts IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY period_id, group_id ORDER BY created_at DESC) <= 3""",
    # the latest post of each form beyond text
    "content": """
        SELECT period_id, group_id, url, created_at, account_id, form, form || ' post' AS note
        FROM (SELECT * FROM _scope_posts WHERE kind = 'post' AND form IN ('photo', 'video', 'link', 'poll', 'event', 'quote')
              QUALIFY row_number() OVER (PARTITION BY period_id, group_id, form ORDER BY created_at DESC) = 1)
        QUALIFY row_number() OVER (PARTITION BY period_id, group_id
                                   ORDER BY CASE form WHEN 'video' THEN 0 WHEN 'photo' THEN 1 ELSE 2 END, created_at DESC) <= 3""",
    # posts that invite input, votes and contests first
    "engagement": """
        SELECT period_id, group_id, url, created_at, account_id, form,
               concat_ws(', ', CASE WHEN is_poll THEN 'poll' END, CASE WHEN is_vote THEN 'vote' END,
                         CASE WHEN is_contest THEN 'contest' END, CASE WHEN is_consultation THEN 'consultation' END,
                         CASE WHEN is_question THEN 'question' END) AS note
        FROM _scope_posts WHERE is_poll OR is_vote OR is_contest OR is_consultation OR is_question
        QUALIFY row_number() OVER (PARTITION BY period_id, group_id
                                   ORDER BY (is_poll OR is_vote OR is_contest) DESC, created_at DESC) <= 3""",
    # the latest original posts
    "update_frequency": """
        SELECT period_id, group_id, url, created_at, account_id, form, 'latest post' AS note
        FROM _scope_posts WHERE kind = 'post'
        QUALIFY row_number() OVER (PARTITION BY period_id, group_id ORDER BY created_at DESC) <= 3""",
}


def _examples(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str, str], list[dict[str, Any]]]:
    out: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for dim, sql in _EXAMPLES.items():
        for pid, gid, url, at, acct, form, note in con.execute(
            sql + " ORDER BY period_id, group_id, created_at DESC"
        ).fetchall():
            out.setdefault((pid, gid, dim), []).append(
                {
                    "url": url,
                    "created_at": at.isoformat() if at else None,
                    "account_id": acct,
                    "form": form,
                    "note": note,
                }
            )
    return out


def overrides(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], list[Override]]:
    """Every override recorded, oldest first, by (institution, dimension, period key)."""
    rows = con.execute(
        "SELECT institution_id, dimension, period_key, override_level, computed_level, reason, overridden_by,"
        " overridden_at, thresholds_version FROM continuum_overrides ORDER BY overridden_at, rowid"
    ).fetchall()
    out: dict[tuple[str, str, str], list[Override]] = {}
    for inst, dim, key, lvl, comp, reason, by, at, ver in rows:
        out.setdefault((inst, dim, key), []).append(Override(lvl, comp, reason, by, at, ver))
    return out


def place(
    con: duckdb.DuckDBPyConnection,
    periods: list[Period],
    definition: Definition | None = None,
    rules: rules_mod.Rules | None = None,
    result: compute_mod.Result | None = None,
) -> list[Placement]:
    """Every institution on the continuum in each period, with evidence and overrides applied.

    `result`: metrics already computed by institution for these periods on this connection.
    """
    definition = definition or load()
    if result is None:
        result = compute_mod.compute(con, periods, "institution", rules)
    pid_of = {p.key: i for i, p in enumerate(result.periods)}
    examples = _examples(con)
    ovr = overrides(con)
    out = []
    for row in result.rows():
        dims = []
        for dim in definition.dimensions:
            dp = place_dimension(dim, row, definition.levels)
            if dp.computed is not None:
                dp.examples = examples.get(
                    (pid_of[row["period_key"]], row["group_id"], dim.name), []
                )
            hist = ovr.get((row["group_id"], dim.name, row["period_key"]), [])
            dp.history = hist
            dp.override = hist[-1] if hist and hist[-1].level is not None else None
            dims.append(dp)
        levels = [d.level for d in dims]
        overall = overall_level(levels, definition.levels)
        reason = None
        if overall is None:
            reason = "; ".join(f"{d.label}: n/a ({d.na_reason})" for d in dims if d.level is None)
        out.append(
            Placement(
                row["group_id"],
                row["group_label"],
                row["period_key"],
                row["period_label"],
                definition.version,
                dims,
                overall,
                reason,
            )
        )
    return out


def record_override(
    con: duckdb.DuckDBPyConnection,
    institution_id: str,
    dimension: str,
    level: str | None,
    reason: str,
    by: str,
    period: Period,
    definition: Definition | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Store a facilitator's override (level None withdraws it), with what was computed now."""
    definition = definition or load()
    if (
        con.execute(
            "SELECT count(*) FROM institutions WHERE institution_id = ?", [institution_id]
        ).fetchone()[0]
        == 0
    ):
        raise OverrideError(f"no institution {institution_id!r}")
    names = [d.name for d in definition.dimensions]
    if dimension not in names:
        raise OverrideError(f"{dimension!r}: the dimension is one of {', '.join(names)}")
    if level is not None and level not in definition.levels:
        raise OverrideError(
            f"{level!r}: the level is one of {', '.join(definition.levels)} (or none, to withdraw)"
        )
    if not (reason or "").strip():
        raise OverrideError("an override needs a reason")
    if not (by or "").strip():
        raise OverrideError("an override needs the name of who makes it")
    placement = next(
        p for p in place(con, [period], definition) if p.institution_id == institution_id
    )
    dp = next(d for d in placement.dimensions if d.dimension == dimension)
    row = {
        "institution_id": institution_id,
        "dimension": dimension,
        "period_key": period.key,
        "thresholds_version": definition.version,
        "computed_level": dp.computed,
        "override_level": level,
        "reason": reason.strip(),
        "overridden_by": by.strip(),
        "overridden_at": at or dt.datetime.now(dt.UTC),
        "figures": json.dumps(dp.figures, default=str),
    }
    con.execute(
        "INSERT INTO continuum_overrides (institution_id, dimension, period_key, thresholds_version, computed_level,"
        " override_level, reason, overridden_by, overridden_at, figures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        list(row.values()),
    )
    return row
