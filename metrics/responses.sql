-- family: Two-way communication
-- order: 21
-- needs: [_comment_counts, _citizen_comments]
-- metrics:
--   - name: citizen_comments
--     unit: comments
--     definition: >
--       Comments created in the period under the group's posts by authors other than the
--       institution (see _citizen_comments), answered or not.
--     na_when: never (0).
--   - name: answered
--     unit: comments
--     definition: Citizen comments the institution answered in their branch (first answer).
--     na_when: never (0).
--   - name: unanswered
--     unit: comments
--     definition: >
--       Citizen comments not answered and at least as old as the shortest tier's limit at
--       their thread's as-of time.
--     na_when: never (0).
--   - name: still_open
--     unit: comments
--     definition: >
--       Citizen comments not answered yet but younger than the shortest tier's limit: neither
--       answered nor unanswered, left out of the response rate.
--     na_when: never (0).
--   - name: unverified
--     unit: comments
--     definition: >
--       Citizen comments not answered as far as the data show, under a thread whose latest
--       collection could not read all its replies (thread_coverage): an answer may exist, so
--       they are neither answered nor unanswered and left out of the response rate.
--     na_when: never (0).
--   - name: response_rate
--     unit: share of comments (0–1)
--     definition: answered ÷ (answered + unanswered); still-open and unverified comments are left out.
--     na_when: no citizen comment in the period, or all still open (or unverified).
--   - name: latency_median_h
--     unit: hours
--     definition: >
--       Response latency: the median, over the answered citizen comments of the period, of
--       the time from the comment to the institution's first answer in its branch, on the
--       response clock (wall time, or business hours when enabled). Unanswered and still-open
--       comments are not in it. Percentiles are DuckDB's quantile_cont: linear interpolation
--       between the two nearest ranks (numpy's default), so the median of 2 h and 4 h is 3 h.
--     na_when: no answered citizen comment in the period.
--   - name: latency_p90_h
--     unit: hours
--     definition: >
--       The 90th percentile of the same latencies (quantile_cont 0.9): nine in ten answers
--       came within this time.
--     na_when: no answered citizen comment in the period.
--     na_reason_column: latency_median_h_na_reason
SELECT f.period_id, f.group_id,
       coalesce(x.citizen_comments, 0) AS citizen_comments,
       coalesce(x.answered, 0) AS answered,
       coalesce(x.unanswered, 0) AS unanswered,
       coalesce(x.still_open, 0) AS still_open,
       coalesce(x.unverified, 0) AS unverified,
       x.answered / nullif(x.answered + x.unanswered, 0)::DOUBLE AS response_rate,
       l.latency_median_s / 3600 AS latency_median_h,
       l.latency_p90_s / 3600 AS latency_p90_h,
       CASE WHEN coalesce(x.citizen_comments, 0) = 0 THEN 'no citizen comment in the period'
            WHEN x.answered + x.unanswered = 0 AND x.unverified = 0 THEN
                'all ' || x.still_open || ' citizen comments are still open'
            WHEN x.answered + x.unanswered = 0 THEN
                'no citizen comment is answered or unanswered (' || x.still_open || ' still open, '
                || x.unverified || ' under threads not read completely)' END
           AS response_rate_na_reason,
       CASE WHEN coalesce(x.answered, 0) = 0 THEN
           CASE WHEN coalesce(x.citizen_comments, 0) = 0 THEN 'no citizen comment in the period'
                ELSE 'no citizen comment of the period was answered' END END
           AS latency_median_h_na_reason
FROM _frame f
LEFT JOIN (
    SELECT period_id, group_id,
           coalesce(sum(comments), 0)::BIGINT AS citizen_comments,
           coalesce(sum(comments) FILTER (status = 'answered'), 0)::BIGINT AS answered,
           coalesce(sum(comments) FILTER (status = 'unanswered'), 0)::BIGINT AS unanswered,
           coalesce(sum(comments) FILTER (status = 'still_open'), 0)::BIGINT AS still_open,
           coalesce(sum(comments) FILTER (status = 'unverified'), 0)::BIGINT AS unverified
    FROM _comment_counts
    GROUP BY ALL
) x USING (period_id, group_id)
LEFT JOIN (
    SELECT period_id, group_id,
           quantile_cont(latency_s, 0.5) AS latency_median_s,
           quantile_cont(latency_s, 0.9) AS latency_p90_s
    FROM _citizen_comments
    WHERE answered_at IS NOT NULL
    GROUP BY ALL
) l USING (period_id, group_id);
