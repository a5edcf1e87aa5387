-- What the stored response table also keeps, so that a metrics request does not join ten
-- million comments with every post's snapshots (metrics/stored.py, docs/metrics.md "The
-- stored response table"):
--   tier_ord    the tier's position in response_tiers.yaml (0 = first): grouped and looked up
--               as a small integer instead of a name;
--   seen_at     the latest snapshot of the comment's post (when the thread was last read);
--   seen_age_s  for a comment not answered: the response clock at seen_at − at the comment,
--               its age when the thread was last read ("still open" vs "unanswered");
--   outcome_code  the comment's status and tier outcome as one small integer
--               (metrics.stored.OUTCOMES), as of seen_at; NULL when it has to be worked out
--               at request time (a thread whose post has no snapshot).
-- Kept current by metrics.refresh: a collection run whose post snapshots are new or changed
-- updates the seen times of its posts' threads. Existing rows are filled by the next refresh
-- (the stored table's signature changes with these columns, so it is rebuilt).
ALTER TABLE comment_responses ADD COLUMN tier_ord UTINYINT;
ALTER TABLE comment_responses ADD COLUMN seen_at TIMESTAMPTZ;
ALTER TABLE comment_responses ADD COLUMN seen_age_s DOUBLE;
ALTER TABLE comment_responses ADD COLUMN outcome_code UTINYINT;

-- Each collection run's post snapshots when comment_responses was last refreshed.
CREATE TABLE comment_responses_snapshots (
    run_id         VARCHAR PRIMARY KEY,   -- post_snapshots.run_id
    snapshots      BIGINT NOT NULL,       -- snapshots with that run_id
    latest         TIMESTAMPTZ            -- their latest snapshot_at
);
