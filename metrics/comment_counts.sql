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
--   metric. The counts are taken on what decides a status (answered or not, latency and age
--   against the limits, thread read completely or not), and the status and outcome names are
--   given to the few thousand rows that result, by the same rules as _citizen_comments.
CREATE OR REPLACE TEMP TABLE _comment_counts AS
WITH b AS (
    SELECT period_id, group_id, tier_ord, asks,
           answered_at IS NOT NULL AS answered,
           coalesce(latency_s <= limit_s, false) AS in_time,
           coalesce(age_s < ${shortest_tier_s}, false) AS young,
           coalesce(age_s < limit_s, false) AS young_for_tier,
           thread_gap,
           count(*) AS comments
    FROM _citizen_comments
    GROUP BY ALL
)
SELECT b.period_id, b.group_id, t.tier, b.asks,
       CASE WHEN answered THEN 'answered'
            WHEN young THEN 'still_open'
            WHEN thread_gap THEN 'unverified'
            ELSE 'unanswered' END AS status,
       CASE WHEN answered AND in_time THEN 'met'
            WHEN answered THEN 'late'
            WHEN young_for_tier THEN 'pending'
            WHEN thread_gap THEN 'unverified'
            ELSE 'overdue' END AS tier_outcome,
       sum(b.comments)::BIGINT AS comments
FROM b LEFT JOIN _tiers t ON t.ord = b.tier_ord
GROUP BY ALL;
