-- Credentialed collectors (issue 10): state kept between runs.
-- quota_ledger: units spent per API credential per quota day (YouTube: 10,000 units a
-- day, the day running midnight to midnight Pacific time), so a second run on the same
-- day knows what is left and stops before the quota instead of hitting it.
-- collect_cursors: work an account could not finish in a run (the quota ran out), taken
-- up first by the next run.

CREATE TABLE quota_ledger (
    platform        VARCHAR NOT NULL,
    credential_name VARCHAR NOT NULL,   -- the setting's name, never its value
    quota_day       DATE NOT NULL,      -- the platform's quota day
    units_used      INTEGER NOT NULL,
    calls           INTEGER NOT NULL,
    exhausted_at    TIMESTAMPTZ,        -- the platform said the quota is spent (HTTP 403 quotaExceeded)
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, credential_name, quota_day)
);

CREATE TABLE collect_cursors (
    platform   VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    cursor     VARCHAR NOT NULL,        -- JSON: what is left to fetch
    run_id     VARCHAR NOT NULL,        -- the run that left it
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, account_id)
);
