-- family: Activity and reach
-- order: 14
-- needs: [_scope_posts]
-- metrics:
--   - name: accounts
--     unit: accounts
--     definition: The group's registered accounts (channels).
--     na_when: never (0).
--   - name: active_channels
--     unit: accounts
--     definition: >
--       The group's accounts with at least one post of their own (an original post, a reply
--       or a repost) created in the period.
--     na_when: never (0).
--   - name: cross_link_posts
--     unit: posts
--     definition: >
--       Original posts of the period that link to another account of the same institution
--       (the seed's "interconnected channels"): one of the post's links is that account's
--       address or lies under it (see _account_urls).
--     na_when: never (0).
--   - name: cross_link_share
--     unit: share of posts (0–1)
--     definition: cross_link_posts ÷ posts.
--     na_when: no original post in the period.
--   - name: cross_linked_channels
--     unit: accounts
--     definition: >
--       How many of the institution's accounts are linked to from its other accounts' original
--       posts in the period.
--     na_when: never (0).
SELECT f.period_id, f.group_id,
       coalesce(g.accounts, 0) AS accounts,
       coalesce(x.active_channels, 0) AS active_channels,
       coalesce(x.cross_link_posts, 0) AS cross_link_posts,
       x.cross_link_posts / nullif(x.posts, 0) AS cross_link_share,
       coalesce(y.cross_linked_channels, 0) AS cross_linked_channels,
       CASE WHEN coalesce(x.posts, 0) = 0 THEN 'no original post in the period' END
           AS cross_link_share_na_reason
FROM _frame f
LEFT JOIN (SELECT group_id, count(*) AS accounts FROM _members GROUP BY ALL) g USING (group_id)
LEFT JOIN (
    SELECT period_id, group_id,
           count(DISTINCT account_id) AS active_channels,
           count(*) FILTER (kind = 'post')::DOUBLE AS posts,
           count(*) FILTER (kind = 'post' AND linked_accounts IS NOT NULL) AS cross_link_posts
    FROM _scope_posts
    GROUP BY ALL
) x USING (period_id, group_id)
LEFT JOIN (
    SELECT period_id, group_id, count(DISTINCT linked) AS cross_linked_channels
    FROM (SELECT period_id, group_id, unnest(linked_accounts) AS linked
          FROM _scope_posts WHERE linked_accounts IS NOT NULL)
    GROUP BY ALL
) y USING (period_id, group_id);
