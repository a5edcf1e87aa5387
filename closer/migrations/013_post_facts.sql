-- Stored per-post facts (metrics/post_facts.py, docs/metrics.md "The stored post facts"):
-- one row per post with what the post metrics derive from its text and links, so that a
-- metrics request does not run the keyword rules over every post's text again: its two-way
-- categories (keywords.yaml) and the other accounts of the same institution it links to
-- (cross-links). Refreshed incrementally by metrics.refresh: the posts of a new or grown
-- collection run are recomputed; changed rules or a changed registry of accounts rebuild it.
CREATE TABLE post_facts (
    post_k          UBIGINT NOT NULL,     -- hash(platform, post_id)
    platform        VARCHAR NOT NULL,
    post_id         VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    kind            VARCHAR NOT NULL,
    form            VARCHAR NOT NULL,
    url             VARCHAR,
    is_poll         BOOLEAN,              -- an original post the platform marks as a poll (or form poll)
    is_vote         BOOLEAN,              -- keywords.yaml two_way.vote in its title or text
    is_contest      BOOLEAN,
    is_consultation BOOLEAN,
    is_question     BOOLEAN,
    linked_accounts VARCHAR[]             -- other accounts of its institution it links to; NULL: none
);

CREATE TABLE post_facts_state (
    name            VARCHAR PRIMARY KEY,  -- rules_signature | accounts | refreshed_at
    value           VARCHAR
);

CREATE TABLE post_facts_runs (
    run_id          VARCHAR PRIMARY KEY,  -- posts.last_run_id
    posts           BIGINT NOT NULL,      -- posts with that last_run_id when last refreshed
    latest          TIMESTAMPTZ           -- their latest created_at / edited_at
);
