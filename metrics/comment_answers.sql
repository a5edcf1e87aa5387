-- family: Building blocks
-- order: 4
-- needs: [_thread_seen]
-- stage: _citizen_comments
-- about: >
--   Every citizen comment of the period with its answer. A citizen comment is a comment
--   under the institution's posts by an author other than the institution (by_institution
--   false). It is answered when the institution replied in its branch after it: a direct
--   reply, or a reply further down the same branch, i.e. an institution comment that has the
--   citizen comment among its ancestors (parent, parent's parent, …) and was made after it.
--   When it answered several times, the first answer counts: answered_at is the earliest.
--   An answer made after the period's end still counts; one made elsewhere in the thread
--   (another branch, or on the post itself) does not.
--
--   The response clock is wall-clock time, or, when business hours are enabled in
--   response_tiers.yaml, only the time inside them (holidays skipped). latency = clock at the
--   first answer − clock at the comment. A comment not answered is "still open" when its age
--   at the thread's as-of time (the latest snapshot of its post, else of its account, else of
--   the data) is under the shortest tier's limit, and "unanswered" otherwise, except when the
--   latest collection of its thread could not read all the replies (thread_coverage, e.g. X's
--   search reaches back 7 days only): then it is "unverified", since an answer may exist
--   that was not seen, and it is left out of the response rate and of tier compliance.
--
--   The comment asks a question (asks) and its topics come from comment analysis when that
--   has run (table comment_analysis, the comment's row: is_question, topics);
--   otherwise, and for a comment it has not reached, asks is keywords.yaml's rule
--   ("?", or a sentence starting with a question word, Romanian or English) and topics are
--   empty. The tier is the first response_tiers.yaml rule that matches (keywords, asks,
--   topics), else the default tier. Tier outcome: met (answered within the tier's limit),
--   late (answered after it), overdue (not answered and older than the limit), pending (not
--   answered, younger than the limit: not counted for compliance yet), unverified (not
--   answered as far as we saw, under a thread not read completely: not counted).
--
--   outcome_code gives status and tier outcome together as one small integer (the macro
--   outcome_code, metrics.stored.outcome_macros); status and tier_outcome are its names
--   (metrics.stored.OUTCOMES), and _comment_counts groups on it.
--
--   When none of the metrics asked for needs them (e.g. `only=["responses"]`), asks and tier
--   are left NULL and neither the text rules nor comment analysis are read.
--
--   Ids are linked through a 64-bit hash of (platform, id) (k for a comment, post_k for a
--   post), which is what lets ten million comments be walked in about a second; two ids
--   sharing a hash (odds about 3 in a million with ten million comments) could at worst
--   attach a reply to a wrong branch.
CREATE OR REPLACE TEMP TABLE _comment_links AS
SELECT hash(c.platform, c.comment_id) AS k, hash(c.platform, c.parent_id) AS pk,
       c.created_at, c.by_institution
FROM comments c
WHERE c.created_at >= ${scope_start}
  AND c.account_id IN (SELECT account_id FROM _members);

CREATE OR REPLACE TEMP TABLE _answers AS
WITH RECURSIVE branch(k, pk, created_at, by_institution, answered_at, depth) AS (
    SELECT a.k, a.pk, a.created_at, a.by_institution, i.created_at, 1
    FROM _comment_links i JOIN _comment_links a ON a.k = i.pk
    WHERE i.by_institution
    UNION ALL
    SELECT a.k, a.pk, a.created_at, a.by_institution, b.answered_at, b.depth + 1
    FROM branch b JOIN _comment_links a ON a.k = b.pk
    WHERE b.depth < 10000
)
SELECT k, min(answered_at) AS answered_at
FROM branch
WHERE NOT by_institution AND answered_at > created_at
GROUP BY k;

CREATE OR REPLACE TEMP TABLE _citizen_comments AS
WITH c AS (
    SELECT c.k, c.post_k, m.group_id, period_of(c.created_at) AS period_id, c.created_at, a.answered_at,
           ca.is_question, ca.topics, c.text, comment_keyword_hit(c.text) AS hit,
           CASE WHEN a.answered_at IS NULL
                THEN response_clock(coalesce(t.seen_at, m.seen_at, ${as_of})) - response_clock(c.created_at)
           END AS age_s,
           a.answered_at IS NULL AND g.post_k IS NOT NULL AS thread_gap
    FROM (
        SELECT hash(platform, comment_id) AS k, hash(platform, post_id) AS post_k, account_id, created_at, text
        FROM comments
        WHERE NOT by_institution
          AND created_at >= ${scope_start} AND created_at < ${scope_end}
          AND period_of(created_at) IS NOT NULL
    ) c
    JOIN _members_seen m USING (account_id)
    LEFT JOIN _answers a USING (k)
    LEFT JOIN _comment_analysis ca USING (k)
    LEFT JOIN _thread_seen t USING (post_k)
    LEFT JOIN _thread_gaps g USING (post_k)
), asked AS (
    SELECT * EXCLUDE (is_question), coalesce(is_question, comment_asks(text)) AS asks FROM c
), tiered AS (
    SELECT * EXCLUDE (text, topics, hit), comment_tier(text, asks, topics, hit) AS tier,
           response_clock(answered_at) - response_clock(created_at) AS latency_s
    FROM asked
)
SELECT *, outcome_status(outcome_code) AS status, outcome_tier(outcome_code) AS tier_outcome
FROM (
    SELECT k, post_k, group_id, period_id, created_at, answered_at, age_s, asks, tier,
           tier_ord_of(tier) AS tier_ord, tier_limit_of(tier_ord_of(tier)) AS limit_s, latency_s,
           thread_gap,
           outcome_code(answered_at IS NOT NULL, latency_s, age_s, tier_limit_of(tier_ord_of(tier)),
                        thread_gap) AS outcome_code
    FROM tiered
);
