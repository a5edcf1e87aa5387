"""The evidence panel: what Closer already knows about a practice's nominating institution.

Read-only, shown to jurors beside the ballot and printed in the good-practice guide.
Figures come from the core tables over the competition's evidence period; results of
other modules (continuum and engagement ladder from metrics/, the monitoring rubric) are read
when they are installed and shown "n/a" with the reason otherwise. Definitions: docs/jury.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import duckdb

from rubrics.jury.definition import Competition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceItem:
    label: str
    value: str | None  # formatted; None: n/a
    reason: str | None = None  # why n/a
    definition: str = ""

    @property
    def shown(self) -> str:
        return self.value if self.value is not None else f"n/a ({self.reason})"


def evidence_period(comp: Competition, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """[from, to] (inclusive dates): the definition's evidence_period, else its year, else
    the 365 days up to today."""
    if comp.evidence_period:
        return comp.evidence_period
    if comp.year:
        return dt.date(comp.year, 1, 1), dt.date(comp.year, 12, 31)
    today = today or dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=364), today


CORE_SQL = """
WITH acc AS (SELECT account_id, platform FROM accounts WHERE institution_id = $1),
latest AS (
    SELECT s.account_id, s.followers,
           row_number() OVER (PARTITION BY s.account_id ORDER BY s.snapshot_at DESC) AS rn
    FROM account_snapshots s JOIN acc USING (account_id)
    WHERE s.followers IS NOT NULL AND s.snapshot_at < $3
),
p AS (
    SELECT p.account_id FROM posts p JOIN acc USING (account_id)
    WHERE p.kind = 'post' AND p.created_at >= $2 AND p.created_at < $3
),
cit AS (
    SELECT c.platform, c.comment_id FROM comments c JOIN acc USING (account_id)
    WHERE NOT c.by_institution AND c.created_at >= $2 AND c.created_at < $3
),
answered AS (
    SELECT DISTINCT cit.platform, cit.comment_id FROM cit
    JOIN comments r ON r.platform = cit.platform AND r.parent_id = cit.comment_id
                   AND r.by_institution
)
SELECT (SELECT count(*) FROM acc) AS accounts,
       (SELECT count(*) FROM latest WHERE rn = 1) AS accounts_with_followers,
       (SELECT sum(followers) FROM latest WHERE rn = 1) AS followers,
       (SELECT count(*) FROM p) AS posts,
       (SELECT count(DISTINCT account_id) FROM p) AS active_accounts,
       (SELECT count(*) FROM cit) AS citizen_comments,
       (SELECT count(*) FROM answered) AS answered
"""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}


def core_figures(
    con: duckdb.DuckDBPyConnection, institution_id: str, start: dt.date, end: dt.date
) -> list[EvidenceItem]:
    """Followers, original posts and citizen comments answered, from the core tables."""
    t0 = dt.datetime.combine(start, dt.time(), dt.UTC)
    t1 = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    cur = con.execute(CORE_SQL, [institution_id, t0, t1])
    row = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    period = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    if not row["accounts"]:
        why = "no accounts registered for this institution"
        return [EvidenceItem("followers (latest)", None, why),
                EvidenceItem("original posts", None, why),
                EvidenceItem("citizen comments answered", None, why)]
    items = [EvidenceItem(
        "followers (latest)",
        f"{int(row['followers']):,} ({row['accounts_with_followers']} of {row['accounts']} "
        "accounts give a count)" if row["followers"] is not None else None,
        "no follower count collected (or the platforms give none)",
        "sum over the institution's accounts of the latest follower count collected before "
        "the end of the evidence period")]
    items.append(EvidenceItem(
        "original posts",
        f"{row['posts']:,} in {period} ({row['active_accounts']} of {row['accounts']} "
        "accounts posted)",
        None, "posts of kind 'post' (not replies or reposts) created in the evidence period"))
    cit = int(row["citizen_comments"])
    items.append(EvidenceItem(
        "citizen comments answered",
        f"{100 * row['answered'] / cit:.0f}% ({row['answered']} of {cit})" if cit else None,
        f"no citizen comments collected in {period}",
        "citizen comments in the evidence period with at least one direct reply by the "
        "institution, of all citizen comments in it"))
    return items


RUBRIC_SQL = """
WITH latest AS (
    SELECT s.round_id FROM rubric_submissions s JOIN rounds r USING (round_id)
    WHERE s.institution_id = $1 AND s.status = 'submitted'
    ORDER BY r.starts_on DESC LIMIT 1
)
SELECT s.round_id, s.perspective, avg(sc.score) AS mean, count(DISTINCT s.user_id) AS raters,
       count(sc.score) AS scores
FROM rubric_submissions s JOIN rubric_scores sc USING (submission_id) JOIN latest USING (round_id)
WHERE s.institution_id = $1 AND s.status = 'submitted' AND sc.score IS NOT NULL
GROUP BY ALL ORDER BY s.perspective
"""


def rubric_result(con: duckdb.DuckDBPyConnection, institution_id: str) -> EvidenceItem:
    """The monitoring rubric's mean score per perspective in the latest round it was scored."""
    label = "monitoring rubric (0-4)"
    definition = ("mean of all submitted criterion scores for the institution in the latest "
                  "round with a submitted assessment, per perspective")
    if not {"rubric_submissions", "rubric_scores", "rounds"} <= _tables(con):
        return EvidenceItem(label, None, "the monitoring rubric is not in this database",
                            definition)
    try:
        rows = con.execute(RUBRIC_SQL, [institution_id]).fetchall()
    except duckdb.Error as exc:  # a colleague's schema we do not know yet
        log.warning("rubric evidence unavailable: %s", exc)
        return EvidenceItem(label, None, "the rubric's tables could not be read", definition)
    if not rows:
        return EvidenceItem(label, None, "no submitted assessment of this institution",
                            definition)
    parts = [f"{p} {m:.2f} ({n} rater{'s' if n != 1 else ''})" for _, p, m, n, _ in rows]
    return EvidenceItem(label, f"{', '.join(parts)}, round {rows[0][0]}", None, definition)


def _continuum_item(p: Any) -> EvidenceItem:
    definition = ("the institution's level on the social media continuum (seed 002) over the "
                  "evidence period, per dimension and overall (metrics/continuum.py)")
    if p is None:
        return EvidenceItem("continuum", None, "no placement for this institution", definition)
    if p.overall is None:
        reasons = list(dict.fromkeys(d.na_reason for d in p.dimensions if d.na_reason))
        why = reasons[0] if len(reasons) == 1 else (p.overall_reason or "not placed")
        return EvidenceItem("continuum", None, why, definition)
    dims = ", ".join(f"{d.label} {d.level or 'n/a'}" for d in p.dimensions)
    return EvidenceItem("continuum", f"{p.overall} ({dims})", None, definition)


def _ladder_item(p: Any, rungs: int) -> EvidenceItem:
    definition = ("the highest rung of the engagement ladder (seed 002) reached over the "
                  "evidence period (metrics/ladder.py)")
    if p is None:
        return EvidenceItem("engagement ladder", None, "no placement for this institution",
                            definition)
    if p.na_reason or p.top is None:
        return EvidenceItem("engagement ladder", None, p.na_reason or "no rung reached",
                            definition)
    return EvidenceItem("engagement ladder", f"rung {p.top.rung} of {rungs}: {p.top.label}",
                        None, definition)


def level_results(
    con: duckdb.DuckDBPyConnection, comp: Competition
) -> dict[str, list[EvidenceItem]] | str:
    """institution_id → [continuum, engagement ladder] items over the evidence period, for
    every institution at once; or the reason they cannot be computed here (the metrics
    module missing or failing: the panel then shows n/a with that reason)."""
    start, end = evidence_period(comp)
    try:
        from metrics import compute as metrics_compute
        from metrics import continuum, ladder, periods
        from metrics import rules as metrics_rules

        rules = metrics_rules.load()
        period = periods.date_range(start, end, rules.timezone)
        result = metrics_compute.compute(con, [period], "institution", rules)
        placed = {p.institution_id: p for p in continuum.place(con, [period], rules=rules,
                                                                result=result)}
        ladder_def = ladder.load()
        climbed = {p.institution_id: p for p in ladder.climb(con, [period], ladder_def,
                                                             rules=rules, result=result)}
    except ImportError:
        return "the metrics module is not installed"
    except Exception as exc:  # noqa: BLE001 - an optional module, still being written: the
        # panel shows n/a with the reason instead of failing the juror's page
        log.warning("continuum and ladder evidence unavailable: %s", exc)
        return f"the metrics could not be computed ({type(exc).__name__}: {exc})"
    rungs = len(ladder_def.rungs)
    return {inst: [_continuum_item(placed.get(inst)), _ladder_item(climbed.get(inst), rungs)]
            for inst in set(placed) | set(climbed)}


def evidence(
    con: duckdb.DuckDBPyConnection,
    comp: Competition,
    institution_id: str,
    levels: dict[str, list[EvidenceItem]] | str | None = None,
) -> list[EvidenceItem]:
    """Everything the panel shows for one nominating institution, in order. `levels`: the
    result of level_results() when already computed for this competition."""
    start, end = evidence_period(comp)
    items = core_figures(con, institution_id, start, end)
    if levels is None:
        levels = level_results(con, comp)
    if isinstance(levels, str):
        items += [EvidenceItem("continuum", None, levels),
                  EvidenceItem("engagement ladder", None, levels)]
    else:
        items += levels.get(institution_id) or [
            EvidenceItem("continuum", None, "no placement for this institution"),
            EvidenceItem("engagement ladder", None, "no placement for this institution")]
    items.append(rubric_result(con, institution_id))
    return items
