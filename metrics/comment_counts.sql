-- family: Building blocks
-- order: 5
-- needs: [_citizen_comments]
-- stage: _comment_counts
-- about: >
--   The citizen comments of _citizen_comments counted once for every comment metric: one row
--   per period, group, tier, asks (question or not), status (answered, still_open,
--   unverified, unanswered) and tier outcome (met, late, pending, unverified, overdue), with
--   the number of comments. Response rate, questions and tier compliance all add up these
--   rows, so the ten million comments of a large database are read once, not once per
--   metric. Each comment gets one outcome code from what decides its status (answered or
--   not, latency and age against the limits, thread read completely or not), by the same
--   rules as _citizen_comments' status and tier_outcome; the names are given to the few
--   thousand rows that result.
CREATE OR REPLACE TEMP TABLE _comment_counts AS
WITH b AS (
    SELECT period_id, group_id, tier_ord, asks,
           CASE WHEN answered_at IS NOT NULL THEN (CASE WHEN latency_s <= limit_s THEN 0 ELSE 1 END)
                WHEN age_s < ${shortest_tier_s} THEN
                    (CASE WHEN age_s < limit_s THEN 2 WHEN thread_gap THEN 7 ELSE 8 END)
                WHEN age_s < limit_s THEN (CASE WHEN thread_gap THEN 3 ELSE 4 END)
                ELSE (CASE WHEN thread_gap THEN 5 ELSE 6 END) END AS code,
           count(*) AS comments
    FROM _citizen_comments
    GROUP BY ALL
), codes(code, status, tier_outcome) AS (
    VALUES (0, 'answered', 'met'), (1, 'answered', 'late'), (2, 'still_open', 'pending'),
           (3, 'unverified', 'pending'), (4, 'unanswered', 'pending'),
           (5, 'unverified', 'unverified'), (6, 'unanswered', 'overdue'),
           (7, 'still_open', 'unverified'), (8, 'still_open', 'overdue')
)
SELECT b.period_id, b.group_id, t.tier, b.asks, c.status, c.tier_outcome,
       sum(b.comments)::BIGINT AS comments
FROM b JOIN codes c USING (code) LEFT JOIN _tiers t ON t.ord = b.tier_ord
GROUP BY ALL;
