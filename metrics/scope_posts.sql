-- family: Building blocks
-- order: 3
-- needs: [_post_facts]
-- stage: _scope_posts
-- about: >
--   The posts the post metrics count: every post of the group's accounts created in the
--   period, with its facts (_post_facts: kind, form, two-way categories, cross-links).
CREATE OR REPLACE TEMP TABLE _scope_posts AS
SELECT f.platform, f.post_id, f.post_k, f.account_id, m.group_id, m.institution_id,
       period_of(f.created_at) AS period_id, f.created_at, f.kind, f.form, f.url,
       f.is_poll, f.is_vote, f.is_contest, f.is_consultation, f.is_question, f.linked_accounts
FROM _post_facts f JOIN _members m USING (account_id)
WHERE f.created_at >= ${scope_start} AND f.created_at < ${scope_end}
  AND period_of(f.created_at) IS NOT NULL;
