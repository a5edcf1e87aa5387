"""The engagement ladder (seed 002): the highest rung each institution reached in a period.

One-way information → commentary and questions → static ideas and input → contest
submissions → dynamic ideas and input with voting. The rungs and the evidence each needs are
data (metrics/definitions/ladder_vN.yaml); the posts that show a rung are kept with it.

---
family: Continuum and engagement ladder
order: 41
metrics:
  - name: ladder_rung
    unit: rung (1-5) and its name
    definition: >
      The highest rung of ladder_vN.yaml whose evidence the institution's posts and their
      comments show in the period: one_way (it posted), commentary_questions (citizens
      commented), static_ideas_input (a question or consultation post that drew citizen
      comments), contest_submissions (a contest post), dynamic_ideas_voting (a poll or a call
      to vote). See docs/continuum.md.
    na_when: the institution made no original post in the period.
"""

from __future__ import annotations

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
CATEGORIES = ("poll", "vote", "contest", "consultation", "question")
EVIDENCE_KINDS = ("posts", "citizen_comments", "post_categories", "min_citizen_comments")


@dataclass(frozen=True)
class Rung:
    name: str
    label: str
    seed: str
    posts: int | None = None
    citizen_comments: int | None = None
    post_categories: tuple[str, ...] = ()
    min_citizen_comments: int = 0


@dataclass(frozen=True)
class Definition:
    version: int
    rungs: tuple[Rung, ...]
    path: Path


def versions(directory: Path = DEFINITIONS) -> list[int]:
    return sorted(
        int(m.group(1))
        for p in directory.glob("ladder_v*.yaml")
        if (m := re.fullmatch(r"ladder_v(\d+)\.yaml", p.name))
    )


def load(version: int | None = None, directory: Path = DEFINITIONS) -> Definition:
    """Read ladder_vN.yaml (the highest N by default); RulesError naming file:line: field."""
    vs = versions(directory)
    if not vs:
        raise RulesError(f"{directory}: no ladder_vN.yaml")
    v = version if version is not None else vs[-1]
    path = directory / f"ladder_v{v}.yaml"
    if not path.exists():
        raise RulesError(f"{path.name}: no such ladder version (have {', '.join(map(str, vs))})")
    d = load_yaml(path)
    if d.get("version") != v:
        raise fail(path, d, "version", "version", f"must be {v}, as in the file name")
    raw = d.get("rungs")
    if not isinstance(raw, list) or not raw:
        raise fail(path, d, "rungs", "rungs", "must list the rungs, lowest first")
    rungs = []
    for i, r in enumerate(raw):
        where = f"rungs[{i}]"
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            raise fail(path, raw, i, f"{where}.name", "missing")
        ev = r.get("evidence")
        if not isinstance(ev, dict) or not ev:
            raise fail(
                path, r, "evidence", f"{where}.evidence", "must say what evidence the rung needs"
            )
        for k in ev:
            if k not in EVIDENCE_KINDS:
                raise fail(
                    path,
                    ev,
                    k,
                    f"{where}.evidence.{k}",
                    f"unknown evidence ({', '.join(EVIDENCE_KINDS)})",
                )
        cats = ev.get("post_categories") or []
        if not isinstance(cats, list) or any(c not in CATEGORIES for c in cats):
            raise fail(
                path,
                ev,
                "post_categories",
                f"{where}.evidence.post_categories",
                f"categories are {', '.join(CATEGORIES)}",
            )
        for k in ("posts", "citizen_comments", "min_citizen_comments"):
            if k in ev and (not isinstance(ev[k], int) or isinstance(ev[k], bool) or ev[k] < 0):
                raise fail(path, ev, k, f"{where}.evidence.{k}", "must be a whole number ≥ 0")
        if "min_citizen_comments" in ev and not cats:
            raise fail(
                path,
                ev,
                "min_citizen_comments",
                f"{where}.evidence.min_citizen_comments",
                "goes with post_categories",
            )
        rungs.append(
            Rung(
                r["name"],
                str(r.get("label") or r["name"]),
                str(r.get("seed") or ""),
                ev.get("posts"),
                ev.get("citizen_comments"),
                tuple(cats),
                int(ev.get("min_citizen_comments") or 0),
            )
        )
    return Definition(v, tuple(rungs), path)


@dataclass
class RungReached:
    rung: int  # 1 = the lowest
    name: str
    label: str
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LadderPlacement:
    institution_id: str
    name: str
    period_key: str
    version: int
    reached: list[RungReached]
    na_reason: str | None = None

    @property
    def top(self) -> RungReached | None:
        return self.reached[-1] if self.reached else None


def _category_posts(
    con: duckdb.DuckDBPyConnection, cats: tuple[str, ...], min_comments: int
) -> dict[tuple[int, str], list[dict[str, Any]]]:
    cond = " OR ".join(f"is_{c}" for c in cats)
    rows = con.execute(
        f"""
        WITH cand AS (SELECT * FROM _scope_posts WHERE kind = 'post' AND ({cond})),
        n AS (
            SELECT c.platform, c.post_id, count(*) AS citizen_comments
            FROM comments c SEMI JOIN cand USING (platform, post_id)
            WHERE NOT c.by_institution GROUP BY ALL
        )
        SELECT period_id, group_id, url, created_at, form, coalesce(n.citizen_comments, 0) AS k,
               concat_ws(', ', {", ".join(f"CASE WHEN is_{c} THEN '{c}' END" for c in cats)}) AS note
        FROM cand LEFT JOIN n USING (platform, post_id)
        WHERE coalesce(n.citizen_comments, 0) >= ?
        QUALIFY row_number() OVER (PARTITION BY period_id, group_id ORDER BY k DESC, created_at DESC) <= 3
        ORDER BY period_id, group_id, k DESC, created_at DESC
        """,
        [min_comments],
    ).fetchall()
    out: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for pid, gid, url, at, form, k, note in rows:
        out.setdefault((pid, gid), []).append(
            {
                "url": url,
                "created_at": at.isoformat(),
                "form": form,
                "note": f"{note}; {k} citizen comments",
            }
        )
    return out


def _commented_posts(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str], list[dict[str, Any]]]:
    rows = con.execute(
        """
        WITH n AS (
            SELECT period_id, group_id, post_k, count(*) AS k,
                   count(*) FILTER (status = 'answered') AS answered
            FROM _citizen_comments GROUP BY ALL
        )
        SELECT n.period_id, n.group_id, p.url, p.created_at, p.form, n.k, n.answered
        FROM n JOIN posts p ON hash(p.platform, p.post_id) = n.post_k
        QUALIFY row_number() OVER (PARTITION BY n.period_id, n.group_id ORDER BY n.k DESC, p.created_at DESC) <= 3
        ORDER BY n.period_id, n.group_id, n.k DESC
        """
    ).fetchall()
    out: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for pid, gid, url, at, form, k, answered in rows:
        out.setdefault((pid, gid), []).append(
            {
                "url": url,
                "created_at": at.isoformat(),
                "form": form,
                "note": f"{k} citizen comments in the period, {answered} answered",
            }
        )
    return out


def _latest_posts(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str], list[dict[str, Any]]]:
    rows = con.execute(
        """
        SELECT period_id, group_id, url, created_at, form FROM _scope_posts WHERE kind = 'post'
        QUALIFY row_number() OVER (PARTITION BY period_id, group_id ORDER BY created_at DESC) <= 3
        ORDER BY period_id, group_id, created_at DESC
        """
    ).fetchall()
    out: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for pid, gid, url, at, form in rows:
        out.setdefault((pid, gid), []).append(
            {"url": url, "created_at": at.isoformat(), "form": form, "note": "post"}
        )
    return out


def climb(
    con: duckdb.DuckDBPyConnection,
    periods: list[Period],
    definition: Definition | None = None,
    rules: rules_mod.Rules | None = None,
    result: compute_mod.Result | None = None,
) -> list[LadderPlacement]:
    """Each institution's rungs reached in each period, with the posts that show them.

    `result`: metrics already computed by institution for these periods on this connection.
    """
    definition = definition or load()
    if result is None:
        result = compute_mod.compute(con, periods, "institution", rules)
    pid_of = {p.key: i for i, p in enumerate(result.periods)}
    latest = _latest_posts(con)
    commented = _commented_posts(con)
    by_cats = {
        r.name: _category_posts(con, r.post_categories, r.min_citizen_comments)
        for r in definition.rungs
        if r.post_categories
    }
    out = []
    for row in result.rows():
        key = (pid_of[row["period_key"]], row["group_id"])
        reached = []
        for i, r in enumerate(definition.rungs, 1):
            ok = True
            evidence: list[dict[str, Any]] = []
            if r.posts is not None:
                ok &= (row.get("posts") or 0) >= r.posts
                evidence = latest.get(key, [])
            if r.citizen_comments is not None:
                ok &= (row.get("citizen_comments") or 0) >= r.citizen_comments
                evidence = commented.get(key, [])
            if r.post_categories:
                found = by_cats[r.name].get(key, [])
                ok &= bool(found)
                evidence = found
            if ok:
                reached.append(RungReached(i, r.name, r.label, evidence))
        na = (
            None
            if (row.get("posts") or 0) > 0
            else "the institution made no original post in the period"
        )
        if na:
            reached = []
        out.append(
            LadderPlacement(
                row["group_id"],
                row["group_label"],
                row["period_key"],
                definition.version,
                reached,
                na,
            )
        )
    return out
