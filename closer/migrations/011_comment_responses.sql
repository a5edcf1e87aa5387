-- Stored per-comment response results (metrics/stored.py, docs/metrics.md "The stored
-- response table"): one row per citizen comment, with its first answer in its branch, the
-- question and tier the rules gave it, and its latency on the response clock. Metrics then
-- aggregate these rows instead of walking ten million comments on every query.
-- Refreshed incrementally by metrics.refresh(con): only the threads (posts) with comments
-- from a new or grown collection run, or with a newer comment analysis, are recomputed;
-- a change of the rules (response_tiers.yaml, keywords.yaml) rebuilds it whole.
CREATE TABLE comment_responses (
    k              UBIGINT NOT NULL,      -- hash(platform, comment_id)
    post_k         UBIGINT NOT NULL,      -- hash(platform, post_id): the thread
    platform       VARCHAR NOT NULL,
    comment_id     VARCHAR NOT NULL,
    account_id     VARCHAR NOT NULL,      -- the institution's account that owns the thread
    created_at     TIMESTAMPTZ NOT NULL,
    answered_at    TIMESTAMPTZ,           -- the institution's first answer in the branch; NULL: none seen
    asks           BOOLEAN,               -- comment analysis's is_question, else keywords.yaml's rule
    tier           VARCHAR,               -- response_tiers.yaml's tier
    created_clock  DOUBLE,                -- seconds on the response clock at the comment
    latency_s      DOUBLE                 -- response clock at the first answer − at the comment
);

-- What comment_responses was built from: the rules' signature, each collection run's comment
-- count, and the comment analysis seen. metrics.stored compares them with the live tables.
CREATE TABLE comment_responses_state (
    name           VARCHAR PRIMARY KEY,   -- rules_signature | analysis_rows | analysis_latest | refreshed_at
    value          VARCHAR
);

CREATE TABLE comment_responses_runs (
    run_id         VARCHAR PRIMARY KEY,   -- comments.last_run_id
    comments       BIGINT NOT NULL,       -- comments with that last_run_id when last refreshed
    latest         TIMESTAMPTZ            -- their latest created_at / edited_at
);
