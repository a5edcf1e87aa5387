-- Credentialed collectors (issue 10): what an admin sees about each account's credentials.
-- Never the token itself: only the NAME of the setting it came from (e.g.
-- CLOSER_FACEBOOK_TOKEN__AR_PRIM) and where that name was found.

CREATE TABLE credential_status (
    account_id        VARCHAR PRIMARY KEY,
    platform          VARCHAR NOT NULL,
    credential_name   VARCHAR,          -- the setting used; NULL: none configured
    credential_source VARCHAR,          -- environment, closer.toml, secrets.toml, passed
    status            VARCHAR NOT NULL, -- ok, no_token, token_expired, token_invalid, permission_denied, rate_limited, quota_exceeded, error
    reason            VARCHAR,          -- the last problem, secrets redacted
    expires_at        TIMESTAMPTZ,      -- when the token stops working; NULL: unknown or never
    never_expires     BOOLEAN,          -- true: the platform says it never expires; NULL: unknown
    expiry_source     VARCHAR,          -- platform (asked the platform), configured (…_EXPIRES setting)
    scopes            VARCHAR[],        -- permissions the platform reports for the token
    last_ok_at        TIMESTAMPTZ,      -- last run in which the credential worked
    last_error_at     TIMESTAMPTZ,
    last_checked_at   TIMESTAMPTZ NOT NULL,
    last_run_id       VARCHAR
);
