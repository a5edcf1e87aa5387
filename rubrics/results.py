"""Rubric results: means, medians and raters per criterion and section, the insider-outsider
gap, and the change between rounds (docs/rubric.md). Only submitted submissions count.

- Criterion: over the raters of one perspective who scored it for the institution in the
  round, mean and median (halfway between the two middle scores for an even count) of
  their scores; raters = how many.
- Section: each rater's mean over the section's criteria they scored, then mean and median
  over raters.
- Gap (per institution and criterion): insider mean - outsider mean; NULL when one side
  has no rater (e.g. criteria scored by one perspective only). Positive: insiders see the
  institution better than outsiders do (seed 000: 76.5% vs 33.8%).
- Across institutions: per criterion, the mean over institutions rated from both
  perspectives of each side's institution mean; gap = their difference, which equals the
  mean of the institutions' gaps.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from rubrics import agreement as agreement_mod

SCORED_SQL = """
SELECT s.round_id, s.institution_id, s.perspective, s.user_id, sc.criterion_id,
       coalesce(rc.section_id, '?') AS section_id, coalesce(rc.position, 9999) AS position,
       coalesce(rc.title, sc.criterion_id) AS criterion_title, sc.score
FROM rubric_submissions s
JOIN rubric_scores sc USING (submission_id)
LEFT JOIN rubric_criteria rc ON rc.rubric_id = s.rubric_id AND rc.version = s.rubric_version
     AND rc.criterion_id = sc.criterion_id
WHERE s.status = 'submitted' AND sc.score IS NOT NULL AND s.round_id = ?
"""

CRITERION_SQL = f"""
WITH scored AS ({SCORED_SQL}),
agg AS (
    SELECT round_id, institution_id, section_id, criterion_id, perspective,
           min(position) AS position, any_value(criterion_title) AS criterion_title,
           avg(score) AS mean, quantile_cont(score, 0.5) AS median,
           count(DISTINCT user_id) AS raters
    FROM scored GROUP BY ALL
),
gap AS (
    SELECT institution_id, criterion_id,
           max(mean) FILTER (WHERE perspective = 'insider')
         - max(mean) FILTER (WHERE perspective = 'outsider') AS gap
    FROM agg GROUP BY ALL
)
SELECT a.round_id, a.institution_id, a.section_id, a.criterion_id, a.criterion_title,
       a.perspective, a.mean, a.median, a.raters, g.gap
FROM agg a JOIN gap g USING (institution_id, criterion_id)
ORDER BY a.institution_id, a.position, a.criterion_id, a.perspective
"""

SECTION_SQL = f"""
WITH scored AS ({SCORED_SQL}),
per_rater AS (
    SELECT round_id, institution_id, section_id, perspective, user_id,
           min(position) AS position, avg(score) AS rater_mean
    FROM scored GROUP BY ALL
)
SELECT round_id, institution_id, section_id, perspective, avg(rater_mean) AS mean,
       quantile_cont(rater_mean, 0.5) AS median, count(*) AS raters
FROM per_rater GROUP BY round_id, institution_id, section_id, perspective
ORDER BY institution_id, min(position), perspective
"""

ACROSS_SQL = f"""
WITH scored AS ({SCORED_SQL}),
inst AS (
    SELECT institution_id, section_id, criterion_id, perspective, min(position) AS position,
           any_value(criterion_title) AS criterion_title, avg(score) AS mean
    FROM scored GROUP BY ALL
),
both_sides AS (
    SELECT institution_id, criterion_id FROM inst GROUP BY ALL
    HAVING count(DISTINCT perspective) = 2
)
SELECT i.section_id, i.criterion_id, any_value(i.criterion_title) AS criterion_title,
       avg(i.mean) FILTER (WHERE i.perspective = 'insider') AS insider_mean,
       avg(i.mean) FILTER (WHERE i.perspective = 'outsider') AS outsider_mean,
       avg(i.mean) FILTER (WHERE i.perspective = 'insider')
     - avg(i.mean) FILTER (WHERE i.perspective = 'outsider') AS gap,
       count(DISTINCT i.institution_id) AS institutions
FROM inst i JOIN both_sides USING (institution_id, criterion_id)
GROUP BY i.section_id, i.criterion_id
ORDER BY min(i.position), i.criterion_id
"""

RESULT_COLUMNS = [
    "round_id",
    "institution_id",
    "section_id",
    "criterion_id",
    "perspective",
    "mean",
    "median",
    "raters",
    "gap",
]
AGREEMENT_COLUMNS = [
    "round_id",
    "perspective",
    "institution_id",
    "alpha_ordinal",
    "units",
    "raters",
    "values",
    "reason",
]


def criterion_results(con: duckdb.DuckDBPyConnection, round_id: str) -> pd.DataFrame:
    """One row per institution × criterion × perspective: mean, median, raters, gap."""
    return con.execute(CRITERION_SQL, [round_id]).df()


def section_results(con: duckdb.DuckDBPyConnection, round_id: str) -> pd.DataFrame:
    """One row per institution × section × perspective: mean, median (of rater means), raters."""
    return con.execute(SECTION_SQL, [round_id]).df()


def gap_across(con: duckdb.DuckDBPyConnection, round_id: str) -> pd.DataFrame:
    """Per criterion over institutions rated from both sides: insider/outsider mean, gap."""
    return con.execute(ACROSS_SQL, [round_id]).df()


def agreement_table(con: duckdb.DuckDBPyConnection, round_id: str) -> pd.DataFrame:
    """Krippendorff's ordinal alpha per perspective and per institution (AGREEMENT_COLUMNS)."""
    return pd.DataFrame(agreement_mod.agreement(con, round_id), columns=AGREEMENT_COLUMNS)


def change(
    con: duckdb.DuckDBPyConnection, from_round: str, to_round: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Between two rounds: (criterion table with mean_from, mean_to, mean_change, gap_from,
    gap_to, gap_change; agreement table with alpha_from, alpha_to, alpha_change). A change
    is NULL when either side is."""
    keys = ["institution_id", "section_id", "criterion_id", "perspective"]
    a = criterion_results(con, from_round)[keys + ["mean", "gap"]]
    b = criterion_results(con, to_round)[keys + ["mean", "gap"]]
    crit = a.merge(b, on=keys, how="outer", suffixes=("_from", "_to"))
    crit["mean_change"] = crit["mean_to"] - crit["mean_from"]
    crit["gap_change"] = crit["gap_to"] - crit["gap_from"]
    crit.insert(0, "to_round", to_round)
    crit.insert(0, "from_round", from_round)
    ka = ["perspective", "institution_id"]
    aa = agreement_table(con, from_round)[ka + ["alpha_ordinal"]]
    ab = agreement_table(con, to_round)[ka + ["alpha_ordinal"]]
    agr = aa.merge(ab, on=ka, how="outer", suffixes=("_from", "_to")).rename(
        columns={"alpha_ordinal_from": "alpha_from", "alpha_ordinal_to": "alpha_to"}
    )
    agr["alpha_change"] = agr["alpha_to"] - agr["alpha_from"]
    agr.insert(0, "to_round", to_round)
    agr.insert(0, "from_round", from_round)
    agr = agr.sort_values(["institution_id", "perspective"], na_position="first")
    return crit.sort_values(keys).reset_index(drop=True), agr.reset_index(drop=True)
