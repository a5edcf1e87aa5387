-- family: Two-way communication
-- order: 23
-- text_rules: true
-- needs: [_comment_counts]
-- long: true
-- metrics:
--   - name: tier_<tier>_comments
--     unit: comments
--     definition: >
--       Citizen comments of the period in each response tier of response_tiers.yaml (one
--       column per tier; Seoul's: simple, review, policy).
--     na_when: never (0).
--   - name: tier_<tier>_due
--     unit: comments
--     definition: >
--       The tier's comments whose outcome is known: answered (in time or late), or not
--       answered and older than the tier's limit (overdue). Comments not answered and younger
--       than the limit are pending, and those not answered under a thread not read completely
--       (thread_coverage) are unverified: neither is counted.
--     na_when: never (0).
--   - name: tier_<tier>_compliance
--     unit: share of due comments (0–1)
--     definition: >
--       Compliance: the share of the tier's due comments answered within the tier's limit on
--       the response clock (Seoul: simple 3 h, review 3 days, policy 5 days). Computed per
--       week and per month with --period week / month, as Seoul monitors.
--     na_when: no due comment in the tier in the period.
SELECT f.period_id, f.group_id, t.tier,
       coalesce(x.comments, 0) AS comments,
       coalesce(x.due, 0) AS due,
       x.met / nullif(x.due, 0)::DOUBLE AS compliance,
       CASE WHEN coalesce(x.comments, 0) = 0 THEN 'no citizen comment in this tier in the period'
            WHEN x.due = 0 THEN 'none of the ' || x.comments || ' comments in this tier is due yet (pending or unverified)' END
           AS compliance_na_reason
FROM _frame f
CROSS JOIN _tiers t
LEFT JOIN (
    SELECT period_id, group_id, tier,
           coalesce(sum(comments), 0)::BIGINT AS comments,
           coalesce(sum(comments) FILTER (tier_outcome IN ('met', 'late', 'overdue')), 0)::BIGINT AS due,
           coalesce(sum(comments) FILTER (tier_outcome = 'met'), 0)::BIGINT AS met
    FROM _comment_counts
    GROUP BY ALL
) x USING (period_id, group_id, tier);
