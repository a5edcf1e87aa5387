-- Credentialed collectors (issue 10): posts whose reply thread a run did NOT read (fully).
-- X's recent search covers only the last 7 days; a quota can run out; comments can be
-- turned off. A post listed here for a run has its comments incomplete for that run:
-- response metrics must not read "no comments stored" as "no one replied".

CREATE TABLE thread_coverage (
    run_id     VARCHAR NOT NULL,
    platform   VARCHAR NOT NULL,
    post_id    VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    complete   BOOLEAN NOT NULL,        -- false: replies missing or partial
    reason     VARCHAR NOT NULL,        -- e.g. 'older than the 7 days X recent search covers'
    PRIMARY KEY (run_id, platform, post_id)
);
