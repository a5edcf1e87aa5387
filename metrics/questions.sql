-- family: Two-way communication
-- order: 22
-- needs: [_comment_counts]
-- text_rules: true
-- metrics:
--   - name: questions
--     unit: comments
--     definition: >
--       Citizen comments that ask a question (comment analysis's is_question when it has run,
--       else "?" or a sentence starting with a question word; keywords.yaml).
--     na_when: never (0).
--   - name: questions_answered
--     unit: comments
--     definition: Questions answered, as for answered.
--     na_when: never (0).
--   - name: question_response_rate
--     unit: share of questions (0–1)
--     definition: >
--       questions_answered ÷ (questions_answered + questions unanswered), still-open questions
--       left out: the share of answered questions that Seoul's SMC and the "Socially Devoted"
--       practice count.
--     na_when: no question in the period, or all still open.
SELECT f.period_id, f.group_id,
       coalesce(x.questions, 0) AS questions,
       coalesce(x.questions_answered, 0) AS questions_answered,
       x.questions_answered / nullif(x.questions_answered + x.questions_unanswered, 0)::DOUBLE
           AS question_response_rate,
       CASE WHEN coalesce(x.questions, 0) = 0 THEN 'no citizen question in the period'
            WHEN x.questions_answered + x.questions_unanswered = 0 THEN
                'no citizen question is answered or unanswered yet (still open, or under threads'
                || ' not read completely)' END
           AS question_response_rate_na_reason
FROM _frame f
LEFT JOIN (
    SELECT period_id, group_id,
           coalesce(sum(comments) FILTER (asks), 0)::BIGINT AS questions,
           coalesce(sum(comments) FILTER (asks AND status = 'answered'), 0)::BIGINT AS questions_answered,
           coalesce(sum(comments) FILTER (asks AND status = 'unanswered'), 0)::BIGINT AS questions_unanswered
    FROM _comment_counts
    GROUP BY ALL
) x USING (period_id, group_id);
