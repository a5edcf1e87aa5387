-- family: Building blocks
-- order: 2
-- stage: _account_reach
-- about: >
--   Each account's follower counts in each period: the first and the last snapshot taken in
--   the period that gives a follower count (a platform that gives none, such as a feed, has
--   no row), and how many such snapshots there are.
CREATE OR REPLACE TEMP TABLE _account_reach AS
SELECT period_id, group_id, account_id, count(*) AS snapshots,
       arg_min(followers, snapshot_at) AS followers_first,
       arg_max(followers, snapshot_at) AS followers_last
FROM (
    SELECT period_of(s.snapshot_at) AS period_id, m.group_id, s.account_id, s.snapshot_at, s.followers
    FROM account_snapshots s JOIN _members m USING (account_id)
    WHERE s.followers IS NOT NULL AND s.snapshot_at >= ${scope_start} AND s.snapshot_at < ${scope_end}
)
WHERE period_id IS NOT NULL
GROUP BY ALL;
