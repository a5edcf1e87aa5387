-- family: Building blocks
-- order: 2
-- needs: [_account_urls]
-- stage: _post_facts
-- about: >
--   What each post says about two-way communication and channels, from its text and links.
--   An original post is kind "post": not a reply to someone, not a repost of another's post.
--   For each original post: its two-way categories (poll: the platform marks it as a poll,
--   or its form is poll; vote, contest, consultation, question: keywords.yaml words in its
--   title or text, question also "?"), and the other accounts of the same institution it
--   links to (cross-links, see _account_urls). It does not depend on the request, so it is
--   stored (table post_facts, metrics/post_facts.py, kept current by metrics.refresh) and a
--   request reads the stored rows; on a read-only connection with a stale table it is
--   computed here for the posts in scope.
CREATE OR REPLACE TEMP TABLE _post_facts AS
WITH p AS (
    SELECT p.platform, p.post_id, hash(p.platform, p.post_id) AS post_k, p.account_id,
           p.created_at, p.kind, p.form, p.url, p.has_poll, concat_ws(' ', p.title, p.text) AS body,
           CASE WHEN p.kind = 'post' THEN two_way_hit(concat_ws(' ', p.title, p.text)) ELSE false END AS hit
    FROM posts p
    WHERE ${posts_where}
), linked AS (  -- read from posts again, only those with links: p itself stays a stream
    SELECT l.post_k, list(DISTINCT u.account_id ORDER BY u.account_id) AS linked_accounts
    FROM (
        SELECT hash(p.platform, p.post_id) AS post_k, p.account_id, a.institution_id,
               url_key(unnest(p.links)) AS link
        FROM posts p JOIN accounts a USING (account_id)
        WHERE (${posts_where}) AND p.kind = 'post' AND len(p.links) > 0
    ) l
    JOIN _account_urls u ON u.institution_id = l.institution_id AND u.account_id <> l.account_id
    WHERE l.link = u.url_key OR starts_with(l.link, u.url_key || '/') OR starts_with(l.link, u.url_key || '?')
    GROUP BY ALL
)
SELECT p.post_k, p.platform, p.post_id, p.account_id, p.created_at, p.kind, p.form, p.url,
       p.kind = 'post' AND (coalesce(p.has_poll, false) OR p.form = 'poll') AS is_poll,
       p.kind = 'post' AND two_way_vote(p.body, p.hit) AS is_vote,
       p.kind = 'post' AND two_way_contest(p.body, p.hit) AS is_contest,
       p.kind = 'post' AND two_way_consultation(p.body, p.hit) AS is_consultation,
       p.kind = 'post' AND two_way_question(p.body, p.hit) AS is_question,
       l.linked_accounts
FROM p LEFT JOIN linked l USING (post_k);
