-- family: Building blocks
-- order: 3
-- stage: _thread_seen
-- about: >
--   When each thread was last seen, for "still open": a post's latest snapshot (a collection
--   that saw the post also read its replies), and each account's latest snapshot as the
--   fallback for a thread whose post has none.
CREATE OR REPLACE TEMP TABLE _thread_seen AS
SELECT hash(platform, post_id) AS post_k, max(snapshot_at) AS seen_at
FROM post_snapshots
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _members_seen AS
SELECT m.account_id, m.group_id, s.seen_at
FROM _members m
LEFT JOIN (SELECT account_id, max(snapshot_at) AS seen_at FROM account_snapshots GROUP BY ALL) s USING (account_id);
