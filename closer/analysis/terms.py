"""Distinctive terms: what an institution's commenters talk about more than everyone's.

Seoul's Social Media Center counted the keywords of citizens' messages (bus 994, taxi 972,
subway 678 …, seed 003). Closer counts, per institution and period, the comments that use
each term (a content lemma: comment_analysis.terms, stop words removed; a copy group counts
once) and ranks the terms by the weighted log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 22) of the institution against
all other institutions in the same period:

    α_w = ALPHA0 · y_w / n                    (prior: the term's share of all comments' terms)
    δ_w = ln((y_iw + α_w) / (n_i + ALPHA0 − y_iw − α_w))
        − ln((y_jw + α_w) / (n_j + ALPHA0 − y_jw − α_w))
    z_w = δ_w / √(1 / (y_iw + α_w) + 1 / (y_jw + α_w))

i = the institution, j = all other institutions, y = term counts, n = total term counts.
A term is listed when the institution has at least MIN_COUNT comments with it and z > 0.
With no other institution's comments in the period there is nothing to stand out against:
the result is empty and `comparable` says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ALPHA0 = 500.0
MIN_COUNT = 3

# $1 institution, $2 start, $3 end, $4 limit, $5 min_count, $6 alpha0
DISTINCTIVE_SQL = """
WITH used AS (
    SELECT a.institution_id, t.term
    FROM comment_analysis ca
    JOIN comments c USING (platform, comment_id)
    JOIN accounts a ON a.account_id = c.account_id,
    unnest(ca.terms) AS t(term)
    WHERE ca.dup_first AND c.created_at >= $2 AND c.created_at < $3
), counts AS (
    SELECT term,
           count(*) FILTER (WHERE institution_id = $1) AS y_i,
           count(*) FILTER (WHERE institution_id <> $1) AS y_j,
           count(*) AS y
    FROM used GROUP BY term
), totals AS (
    SELECT sum(y_i) AS n_i, sum(y_j) AS n_j, sum(y) AS n FROM counts
), scored AS (
    SELECT c.term, c.y_i, c.y_j, t.n_i, t.n_j,
           $6 * c.y / t.n AS a
    FROM counts c, totals t
    WHERE t.n_j > 0 AND c.y_i >= $5
)
SELECT * FROM (
    SELECT term, y_i AS comments, y_j AS other_comments,
           (ln((y_i + a) / (n_i + $6 - y_i - a)) - ln((y_j + a) / (n_j + $6 - y_j - a)))
             / sqrt(1.0 / (y_i + a) + 1.0 / (y_j + a)) AS z
    FROM scored
)
WHERE z > 0
ORDER BY z DESC, comments DESC, term
LIMIT $4
"""

# How many of the institution's and the others' comments (copy groups once) have terms.
# $1 institution, $2 start, $3 end
COVERAGE_SQL = """
SELECT count(*) FILTER (WHERE a.institution_id = $1 AND len(ca.terms) > 0) AS own,
       count(*) FILTER (WHERE a.institution_id <> $1 AND len(ca.terms) > 0) AS others
FROM comment_analysis ca
JOIN comments c USING (platform, comment_id)
JOIN accounts a ON a.account_id = c.account_id
WHERE ca.dup_first AND c.created_at >= $2 AND c.created_at < $3
"""


@dataclass(frozen=True)
class DistinctiveTerm:
    term: str
    comments: int  # the institution's comments using it in the period
    other_comments: int  # all other institutions' comments using it
    z: float  # weighted log-odds z-score (> 0: more typical of this institution)


@dataclass(frozen=True)
class DistinctiveTerms:
    terms: list[DistinctiveTerm]
    comparable: bool  # False: no comments of this or of other institutions in the period
    reason: str | None  # why nothing can be listed, when comparable is False


def not_comparable_reason(own: int, others: int) -> str | None:
    """Why no term can stand out (no comments with terms here or elsewhere), or None."""
    if not own:
        return "no analysed comments with terms for this institution in the period"
    if not others:
        return "no other institution has analysed comments in the period to compare with"
    return None


def distinctive_terms(
    con,
    institution_id: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int = 20,
    min_count: int = MIN_COUNT,
    alpha0: float = ALPHA0,
) -> DistinctiveTerms:
    """The institution's top terms in [start, end) against all other institutions."""
    params = [institution_id, start, end]
    own, others = con.execute(COVERAGE_SQL, params).fetchone()
    reason = not_comparable_reason(own, others)
    if reason:
        return DistinctiveTerms([], False, reason)
    rows = con.execute(DISTINCTIVE_SQL, [*params, limit, min_count, alpha0]).fetchall()
    return DistinctiveTerms([DistinctiveTerm(r[0], r[1], r[2], r[3]) for r in rows], True, None)
