-- family: Building blocks
-- order: 3
-- needs: [_account_urls]
-- stage: _scope_posts
-- about: >
--   The posts the post metrics count: every post of the group's accounts created in the
--   period. An original post is kind "post": not a reply to someone, not a repost of
--   another's post. For each original post: its two-way categories (poll: the platform marks
--   it as a poll; vote, contest, consultation, question: keywords.yaml words in its title or
--   text, question also "?"), and the other accounts of the same institution it links to
--   (cross-links, see _account_urls).
CREATE OR REPLACE TEMP TABLE _scope_posts AS
WITH p AS (
    SELECT p.platform, p.post_id, hash(p.platform, p.post_id) AS post_k, p.account_id, m.group_id,
           m.institution_id, period_of(p.created_at) AS period_id, p.created_at, p.kind, p.form,
           p.url, p.has_poll, concat_ws(' ', p.title, p.text) AS body,
           CASE WHEN p.kind = 'post' THEN two_way_hit(concat_ws(' ', p.title, p.text)) ELSE false END AS hit
    FROM posts p JOIN _members m USING (account_id)
    WHERE p.created_at >= ${scope_start} AND p.created_at < ${scope_end}
), linked AS (  -- read from posts again, only those with links: p itself stays a stream
    SELECT l.post_k, list(DISTINCT u.account_id ORDER BY u.account_id) AS linked_accounts
    FROM (
        SELECT hash(p.platform, p.post_id) AS post_k, p.account_id, m.institution_id,
               url_key(unnest(p.links)) AS link
        FROM posts p JOIN _members m USING (account_id)
        WHERE p.created_at >= ${scope_start} AND p.created_at < ${scope_end}
          AND period_of(p.created_at) IS NOT NULL AND p.kind = 'post' AND len(p.links) > 0
    ) l
    JOIN _account_urls u ON u.institution_id = l.institution_id AND u.account_id <> l.account_id
    WHERE l.link = u.url_key OR starts_with(l.link, u.url_key || '/') OR starts_with(l.link, u.url_key || '?')
    GROUP BY ALL
)
SELECT p.platform, p.post_id, p.post_k, p.account_id, p.group_id,
       p.institution_id, p.period_id,
       p.created_at, p.kind, p.form, p.url,
       p.kind = 'post' AND (coalesce(p.has_poll, false) OR p.form = 'poll') AS is_poll,
       p.kind = 'post' AND two_way_vote(p.body, p.hit) AS is_vote,
       p.kind = 'post' AND two_way_contest(p.body, p.hit) AS is_contest,
       p.kind = 'post' AND two_way_consultation(p.body, p.hit) AS is_consultation,
       p.kind = 'post' AND two_way_question(p.body, p.hit) AS is_question,
       l.linked_accounts
FROM p LEFT JOIN linked l USING (post_k)
WHERE p.period_id IS NOT NULL;
