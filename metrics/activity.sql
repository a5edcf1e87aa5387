-- family: Activity and reach
-- order: 11
-- needs: [_scope_posts]
-- metrics:
--   - name: posts
--     unit: posts
--     definition: >
--       The group's original posts created in the period: kind "post", so not its replies to
--       citizens and not its reposts of others' posts.
--     na_when: never (0).
--   - name: posts_per_day
--     unit: posts a day
--     definition: >
--       posts ÷ days in the period. For a period not over at the data's as-of time, only its
--       days begun by then count (days).
--     na_when: the period had not begun at the data's as-of time (no days).
--   - name: posts_per_week
--     unit: posts a week
--     definition: posts_per_day × 7.
--     na_when: as posts_per_day.
--   - name: active_days_share
--     unit: share of days (0–1)
--     definition: >
--       The share of the period's days (as for posts_per_day) on which the group made at least
--       one original post; days are calendar days in calendar.yaml's time zone.
--     na_when: as posts_per_day.
SELECT f.period_id, f.group_id,
       coalesce(x.posts, 0) AS posts,
       CASE WHEN f.days > 0 THEN coalesce(x.posts, 0) / f.days END AS posts_per_day,
       CASE WHEN f.days > 0 THEN 7.0 * coalesce(x.posts, 0) / f.days END AS posts_per_week,
       CASE WHEN f.days > 0 THEN coalesce(x.post_days, 0) / f.days END AS active_days_share,
       CASE WHEN f.days = 0 THEN 'the period had not begun at the data''s as-of time' END
           AS posts_per_day_na_reason,
       CASE WHEN f.days = 0 THEN 'the period had not begun at the data''s as-of time' END
           AS posts_per_week_na_reason,
       CASE WHEN f.days = 0 THEN 'the period had not begun at the data''s as-of time' END
           AS active_days_share_na_reason
FROM _frame f
LEFT JOIN (
    SELECT period_id, group_id, count(*) AS posts,
           count(DISTINCT CAST(timezone(${timezone}, created_at) AS DATE)) AS post_days
    FROM _scope_posts
    WHERE kind = 'post'
    GROUP BY ALL
) x USING (period_id, group_id);
