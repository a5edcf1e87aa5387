-- family: Activity and reach
-- order: 13
-- needs: [_scope_posts, _account_reach]
-- metrics:
--   - name: interactions_per_post
--     unit: interactions a post
--     definition: >
--       The average, over the group's original posts created in the period, of likes + shares
--       + replies + quotes, each post counted at its snapshot closest to the period's end (its
--       latest snapshot taken before the end, else its first one after it). A count the
--       platform does not give (NULL) is left out of the sum, not taken as 0;
--       interactions_counts_used names the counts that went in. A post none of whose counts
--       is given is left out.
--     na_when: no original post with a snapshot and at least one count in the period.
--   - name: interactions_posts
--     unit: posts
--     definition: How many posts interactions_per_post averages over.
--     na_when: never (0).
--   - name: interactions_counts_used
--     unit: text
--     definition: >
--       Which counts were added up, e.g. "likes+shares+replies" on a platform that gives no
--       quotes; when the group's accounts differ, every count that at least one post gave.
--     na_when: as interactions_per_post.
--   - name: engagement_per_1000_followers
--     unit: interactions a post per 1,000 followers
--     definition: >
--       1,000 × the interactions (as above) of the posts whose account has a follower count
--       in the period ÷ the sum, over the same posts, of their account's followers (its last
--       snapshot in the period). For one account this is interactions_per_post ÷ followers
--       × 1,000; for a group, accounts weigh by their posts.
--     na_when: no post with interactions whose account has a follower count in the period.
WITH posts AS (
    SELECT post_k, account_id, period_id, group_id, ends_at
    FROM _scope_posts JOIN _periods USING (period_id)
    WHERE kind = 'post'
), snaps AS (  -- a post's snapshots come after it was created, so after the scope's start
    SELECT hash(platform, post_id) AS post_k, snapshot_at, likes, shares, replies, quotes
    FROM post_snapshots WHERE snapshot_at >= ${scope_start}
), keyed AS (  -- how close each snapshot is to the period's end: before it first, latest first
    SELECT p.post_k, s.likes, s.shares, s.replies, s.quotes,
           CASE WHEN s.snapshot_at < p.ends_at THEN -epoch(s.snapshot_at)
                ELSE 1e11 + epoch(s.snapshot_at) END AS closeness
    FROM posts p JOIN snaps s USING (post_k)
), counted AS (  -- each post's counts at that snapshot (NULL stays NULL: arg_min_null)
    SELECT post_k, arg_min_null(likes, closeness) AS likes, arg_min_null(shares, closeness) AS shares,
           arg_min_null(replies, closeness) AS replies, arg_min_null(quotes, closeness) AS quotes
    FROM keyed
    GROUP BY post_k
), per_post AS (
    SELECT p.period_id, p.group_id, p.account_id,
           c.likes IS NOT NULL AS has_likes, c.shares IS NOT NULL AS has_shares,
           c.replies IS NOT NULL AS has_replies, c.quotes IS NOT NULL AS has_quotes,
           CASE WHEN c.likes IS NOT NULL OR c.shares IS NOT NULL OR c.replies IS NOT NULL
                     OR c.quotes IS NOT NULL
                THEN coalesce(c.likes, 0) + coalesce(c.shares, 0) + coalesce(c.replies, 0)
                     + coalesce(c.quotes, 0) END AS interactions
    FROM counted c JOIN posts p USING (post_k)
), g AS (
    SELECT p.period_id, p.group_id,
           avg(p.interactions) AS interactions_per_post,
           count(p.interactions) AS interactions_posts,
           nullif(concat_ws('+',
               CASE WHEN bool_or(has_likes) THEN 'likes' END,
               CASE WHEN bool_or(has_shares) THEN 'shares' END,
               CASE WHEN bool_or(has_replies) THEN 'replies' END,
               CASE WHEN bool_or(has_quotes) THEN 'quotes' END), '') AS interactions_counts_used,
           1000.0 * sum(p.interactions) FILTER (r.followers_last IS NOT NULL)
               / nullif(sum(r.followers_last) FILTER (p.interactions IS NOT NULL), 0)
               AS engagement_per_1000_followers,
           count(*) FILTER (p.interactions IS NOT NULL AND r.followers_last IS NOT NULL) AS eng_posts
    FROM per_post p
    LEFT JOIN _account_reach r USING (period_id, group_id, account_id)
    GROUP BY ALL
)
SELECT f.period_id, f.group_id,
       g.interactions_per_post,
       coalesce(g.interactions_posts, 0) AS interactions_posts,
       g.interactions_counts_used,
       g.engagement_per_1000_followers,
       CASE WHEN g.interactions_per_post IS NULL THEN
           'no original post with counts (likes, shares, replies, quotes) in the period' END
           AS interactions_per_post_na_reason,
       CASE WHEN g.interactions_per_post IS NULL THEN
           'no original post with counts (likes, shares, replies, quotes) in the period' END
           AS interactions_counts_used_na_reason,
       CASE WHEN g.engagement_per_1000_followers IS NULL THEN
           CASE WHEN g.interactions_per_post IS NULL THEN
                    'no original post with counts (likes, shares, replies, quotes) in the period'
                WHEN coalesce(g.eng_posts, 0) = 0 THEN
                    'no follower count for the accounts that posted in the period'
                ELSE 'the accounts that posted had no followers' END END
           AS engagement_per_1000_followers_na_reason
FROM _frame f
LEFT JOIN g USING (period_id, group_id);
