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
--   metric. Each comment's status and tier outcome come as one small code (outcome_code of
--   _citizen_comments, by its rules; stored for most comments); the codes are named
--   (outcome_status, outcome_tier) on the few thousand rows that result.
CREATE OR REPLACE TEMP TABLE _comment_counts AS
WITH b AS (
    SELECT period_id, group_id, tier_ord, asks, outcome_code, count(*) AS comments
    FROM _citizen_comments
    GROUP BY ALL
)
SELECT b.period_id, b.group_id, t.tier, b.asks, outcome_status(b.outcome_code) AS status,
       outcome_tier(b.outcome_code) AS tier_outcome, sum(b.comments)::BIGINT AS comments
FROM b LEFT JOIN _tiers t ON t.ord = b.tier_ord
GROUP BY ALL;
