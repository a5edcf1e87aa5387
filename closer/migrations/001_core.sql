-- Closer core schema. Migration numbers are reserved per part:
-- 001-009 core/collectors, 010-019 metrics, 020-029 comment analysis,
-- 030-039 users and rubric, 040-049 jury, 050-059 credentialed collectors.

CREATE TABLE institutions (
    institution_id VARCHAR PRIMARY KEY,
    name           VARCHAR NOT NULL,
    type           VARCHAR NOT NULL,   -- city_hall, county_council, prefecture, public_service, agency, ...
    region         VARCHAR NOT NULL,   -- county or region
    locality       VARCHAR,
    country        VARCHAR NOT NULL,   -- ISO 3166-1 alpha-2, e.g. RO
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE accounts (
    account_id          VARCHAR PRIMARY KEY,  -- '<platform>:<normalised handle>'
    institution_id      VARCHAR NOT NULL,
    platform            VARCHAR NOT NULL,     -- mastodon, bluesky, feed, youtube, facebook, instagram, x
    handle              VARCHAR NOT NULL,
    url                 VARCHAR,
    platform_account_id VARCHAR,              -- the platform's own id, learned when collected
    status              VARCHAR NOT NULL DEFAULT 'active',  -- active, not_found, token_expired, ...
    status_reason       VARCHAR,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    UNIQUE (platform, handle)
);

CREATE TABLE rounds (
    round_id  VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    starts_on DATE NOT NULL,
    ends_on   DATE NOT NULL
);

CREATE TABLE runs (
    run_id          VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL,         -- collect, import, reread
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,         -- running, ok, partial, failed
    params          VARCHAR,                  -- JSON: platform, institution, since, files
    accounts_total  INTEGER NOT NULL DEFAULT 0,
    accounts_ok     INTEGER NOT NULL DEFAULT 0,
    accounts_failed INTEGER NOT NULL DEFAULT 0,
    posts           INTEGER NOT NULL DEFAULT 0,
    comments        INTEGER NOT NULL DEFAULT 0,
    requests        INTEGER NOT NULL DEFAULT 0,
    errors          INTEGER NOT NULL DEFAULT 0,
    archive_path    VARCHAR
);

CREATE TABLE run_accounts (
    run_id      VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,             -- ok, failed, skipped
    posts       INTEGER NOT NULL DEFAULT 0,
    comments    INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    finished_at TIMESTAMPTZ,
    PRIMARY KEY (run_id, account_id)
);

CREATE TABLE run_errors (
    run_id     VARCHAR NOT NULL,
    account_id VARCHAR,                      -- NULL: a platform-wide or run-wide error
    platform   VARCHAR,
    stage      VARCHAR NOT NULL,             -- lookup, posts, thread, store, import, ...
    reason     VARCHAR NOT NULL,             -- secrets redacted
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- Time series: one row per account per run (and per source), never overwritten.
CREATE TABLE account_snapshots (
    run_id      VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    snapshot_at TIMESTAMPTZ NOT NULL,
    followers   BIGINT,                       -- NULL: the platform does not give it
    following   BIGINT,
    posts_count BIGINT,
    views       BIGINT,
    source      VARCHAR NOT NULL DEFAULT 'api',  -- api, export, manual
    PRIMARY KEY (run_id, account_id, source)
);

-- Posts are stored once (updated if edited); their counts live in post_snapshots.
CREATE TABLE posts (
    platform       VARCHAR NOT NULL,
    post_id        VARCHAR NOT NULL,
    account_id     VARCHAR NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    url            VARCHAR,
    kind           VARCHAR NOT NULL,   -- post (original), reply (to someone), repost (of another's post)
    form           VARCHAR NOT NULL,   -- text, photo, video, link, poll, event, quote, repost
    title          VARCHAR,
    text           VARCHAR,
    lang           VARCHAR,            -- as declared by the platform
    in_reply_to_id VARCHAR,
    visibility     VARCHAR,
    links          VARCHAR[],          -- outbound URLs (cross-links between channels)
    has_poll       BOOLEAN,            -- NULL where the platform has no polls
    edited_at      TIMESTAMPTZ,
    first_run_id   VARCHAR NOT NULL,
    last_run_id    VARCHAR NOT NULL,
    PRIMARY KEY (platform, post_id)
);

CREATE TABLE post_snapshots (
    run_id      VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    post_id     VARCHAR NOT NULL,
    snapshot_at TIMESTAMPTZ NOT NULL,
    likes       BIGINT,   -- favourites / likes / reactions; NULL: not given
    shares      BIGINT,   -- reblogs / reposts / shares
    replies     BIGINT,
    quotes      BIGINT,
    views       BIGINT,
    PRIMARY KEY (run_id, platform, post_id)
);

-- Replies under the institution's posts, from citizens and from the institution itself.
CREATE TABLE comments (
    platform       VARCHAR NOT NULL,
    comment_id     VARCHAR NOT NULL,
    post_id        VARCHAR NOT NULL,   -- the institution's post at the root of the thread
    parent_id      VARCHAR,            -- the comment (or post) it answers
    account_id     VARCHAR NOT NULL,   -- the institution's account that owns the thread
    created_at     TIMESTAMPTZ NOT NULL,
    by_institution BOOLEAN NOT NULL,
    author         VARCHAR,            -- keyed-hash pseudonym for citizens; account_id for the institution
    lang           VARCHAR,            -- as declared by the platform
    text           VARCHAR,
    likes          BIGINT,
    edited_at      TIMESTAMPTZ,
    first_run_id   VARCHAR NOT NULL,
    last_run_id    VARCHAR NOT NULL
    -- (platform, comment_id) is unique: closer.store merges on it. No index, so that a
    -- million comments load in about a second (benchmarks/ingest.py).
);

CREATE TABLE users (
    user_id        VARCHAR PRIMARY KEY,
    username       VARCHAR NOT NULL UNIQUE,
    display_name   VARCHAR,
    password_hash  VARCHAR,            -- bcrypt; never the password
    institution_id VARCHAR,            -- an insider's own institution
    active         BOOLEAN NOT NULL DEFAULT true,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE user_roles (
    user_id VARCHAR NOT NULL,
    role    VARCHAR NOT NULL,          -- admin, facilitator, monitor, insider, juror, chair
    PRIMARY KEY (user_id, role)
);

CREATE TABLE assignments (
    user_id        VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    round_id       VARCHAR NOT NULL,
    PRIMARY KEY (user_id, institution_id, round_id)
);
