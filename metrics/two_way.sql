-- family: Two-way communication
-- order: 20
-- needs: [_scope_posts]
-- metrics:
--   - name: two_way_posts
--     unit: posts
--     definition: >
--       Original posts of the period that invite input: a poll, or a post whose title or text
--       calls for votes, announces a contest, opens a consultation or asks for ideas, or asks
--       citizens a question ("?", or phrases like "ce părere aveți"); the words are in
--       keywords.yaml (two_way), Romanian and English.
--     na_when: never (0).
--   - name: two_way_share
--     unit: share of posts (0–1)
--     definition: two_way_posts ÷ posts.
--     na_when: no original post in the period.
--   - name: <category>_posts
--     unit: posts
--     definition: >
--       Original posts of each two-way category, one column each: poll_posts, vote_posts,
--       contest_posts, consultation_posts, question_posts. A post can be in several.
--     na_when: never (0).
SELECT f.period_id, f.group_id,
       coalesce(x.two_way_posts, 0) AS two_way_posts,
       x.two_way_posts / nullif(x.posts, 0) AS two_way_share,
       coalesce(x.poll_posts, 0) AS poll_posts,
       coalesce(x.vote_posts, 0) AS vote_posts,
       coalesce(x.contest_posts, 0) AS contest_posts,
       coalesce(x.consultation_posts, 0) AS consultation_posts,
       coalesce(x.question_posts, 0) AS question_posts,
       CASE WHEN coalesce(x.posts, 0) = 0 THEN 'no original post in the period' END
           AS two_way_share_na_reason
FROM _frame f
LEFT JOIN (
    SELECT period_id, group_id, count(*)::DOUBLE AS posts,
           count(*) FILTER (is_poll OR is_vote OR is_contest OR is_consultation OR is_question)
               AS two_way_posts,
           count(*) FILTER (is_poll) AS poll_posts,
           count(*) FILTER (is_vote) AS vote_posts,
           count(*) FILTER (is_contest) AS contest_posts,
           count(*) FILTER (is_consultation) AS consultation_posts,
           count(*) FILTER (is_question) AS question_posts
    FROM _scope_posts
    WHERE kind = 'post'
    GROUP BY ALL
) x USING (period_id, group_id);
