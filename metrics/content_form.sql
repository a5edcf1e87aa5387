-- family: Activity and reach
-- order: 12
-- needs: [_scope_posts]
-- metrics:
--   - name: timeline_posts
--     unit: posts
--     definition: >
--       The group's original posts and reposts created in the period (its replies left out):
--       the base of the content-form mix.
--     na_when: never (0).
--   - name: form_<form>_share
--     unit: share of timeline_posts (0–1)
--     definition: >
--       Content-form mix: the share of timeline_posts of each form, one column per form: text,
--       photo, video, link, poll, event, quote, repost (as the collectors classify them).
--     na_when: no timeline_posts in the period.
--     na_reason_column: form_na_reason
--   - name: rich_form_share
--     unit: share of timeline_posts (0–1)
--     definition: >
--       The share of timeline_posts that are more than text: photo, video, link, poll, event or
--       quote (reposts and text left out).
--     na_when: no timeline_posts in the period.
--     na_reason_column: form_na_reason
SELECT f.period_id, f.group_id,
       coalesce(x.n, 0)::BIGINT AS timeline_posts,
       x.text / x.n AS form_text_share,
       x.photo / x.n AS form_photo_share,
       x.video / x.n AS form_video_share,
       x.link / x.n AS form_link_share,
       x.poll / x.n AS form_poll_share,
       x.event / x.n AS form_event_share,
       x.quote / x.n AS form_quote_share,
       x.repost / x.n AS form_repost_share,
       (x.photo + x.video + x.link + x.poll + x.event + x.quote) / x.n AS rich_form_share,
       CASE WHEN x.n IS NULL THEN 'no posts or reposts in the period' END AS form_na_reason
FROM _frame f
LEFT JOIN (
    SELECT period_id, group_id, count(*)::DOUBLE AS n,
           count(*) FILTER (form = 'text') AS text,
           count(*) FILTER (form = 'photo') AS photo,
           count(*) FILTER (form = 'video') AS video,
           count(*) FILTER (form = 'link') AS link,
           count(*) FILTER (form = 'poll') AS poll,
           count(*) FILTER (form = 'event') AS event,
           count(*) FILTER (form = 'quote') AS quote,
           count(*) FILTER (form = 'repost') AS repost
    FROM _scope_posts
    WHERE kind IN ('post', 'repost')
    GROUP BY ALL
) x USING (period_id, group_id);
