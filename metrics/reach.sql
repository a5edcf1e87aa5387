-- family: Activity and reach
-- order: 10
-- needs: [_account_reach]
-- metrics:
--   - name: followers
--     unit: followers
--     definition: >
--       Reach: the sum, over the group's accounts, of each account's follower count at its
--       last snapshot in the period. Accounts whose platform gives no follower count (feeds)
--       are left out; followers_accounts says how many accounts were counted.
--     na_when: no account of the group has a follower count in the period.
--   - name: followers_accounts
--     unit: accounts
--     definition: How many of the group's accounts gave a follower count in the period.
--     na_when: never (0).
--   - name: followers_growth
--     unit: followers
--     definition: >
--       Growth: the sum, over the accounts with at least two snapshots in the period, of the
--       last snapshot's followers minus the first's.
--     na_when: no account has two snapshots with a follower count in the period.
--   - name: followers_growth_pct
--     unit: "%"
--     definition: >
--       followers_growth as a percentage of the same accounts' followers at their first
--       snapshot in the period.
--     na_when: as followers_growth, or those accounts had no followers at the first snapshot.
SELECT f.period_id, f.group_id,
       r.followers,
       coalesce(r.followers_accounts, 0) AS followers_accounts,
       r.followers_growth,
       100.0 * r.followers_growth / nullif(r.growth_base, 0) AS followers_growth_pct,
       CASE WHEN r.followers IS NULL THEN 'no follower count collected in the period' END
           AS followers_na_reason,
       CASE WHEN r.followers_growth IS NULL THEN
           CASE WHEN r.followers IS NULL THEN 'no follower count collected in the period'
                ELSE 'only one follower snapshot per account in the period' END END
           AS followers_growth_na_reason,
       CASE WHEN r.followers_growth IS NULL THEN
           CASE WHEN r.followers IS NULL THEN 'no follower count collected in the period'
                ELSE 'only one follower snapshot per account in the period' END
            WHEN r.growth_base = 0 THEN 'no followers at the first snapshot' END
           AS followers_growth_pct_na_reason
FROM _frame f
LEFT JOIN (
    SELECT period_id, group_id,
           sum(followers_last)::BIGINT AS followers,
           count(*) AS followers_accounts,
           sum(followers_last - followers_first) FILTER (snapshots >= 2)::BIGINT AS followers_growth,
           sum(followers_first) FILTER (snapshots >= 2) AS growth_base
    FROM _account_reach
    GROUP BY ALL
) r USING (period_id, group_id);
