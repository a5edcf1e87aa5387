-- Competition jury (issue 9, docs/jury.md): competitions loaded from versioned YAML
-- (rubrics/definitions/competitions/<id>_v<N>.yaml), nominated practices, jurors' declared
-- links and conflicts, ballots (drafts and submitted, idempotent by a client-generated
-- submission id), round state, shortlist, awards, the chair's casting votes and an audit
-- log of every change. The rules live in rubrics/jury/store.py; the recusal rule and the
-- visibility of scores are also written here (view and table macro) so that every reader
-- of the database applies the same ones.

CREATE TABLE jury_competitions (
    competition_id      VARCHAR PRIMARY KEY,
    version             INTEGER NOT NULL,
    name                VARCHAR NOT NULL,
    definition          VARCHAR NOT NULL,          -- the validated definition, canonical JSON
    content_sha256      VARCHAR NOT NULL,          -- of `definition`
    source_file         VARCHAR,
    scale_min           DOUBLE NOT NULL,
    scale_max           DOUBLE NOT NULL,
    scale_step          DOUBLE NOT NULL,
    recuse_same_region  BOOLEAN NOT NULL DEFAULT false,
    round_state         VARCHAR NOT NULL DEFAULT 'open',   -- open, closed
    closed_at           TIMESTAMPTZ,
    closed_by           VARCHAR,                   -- user_id, or '(local operator)'
    created_at          TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE jury_criteria (
    competition_id VARCHAR NOT NULL,
    criterion_id   VARCHAR NOT NULL,
    position       INTEGER NOT NULL,                -- order on the ballot, from 1
    name           VARCHAR NOT NULL,
    weight         DOUBLE NOT NULL,                 -- relative; the total divides by their sum
    PRIMARY KEY (competition_id, criterion_id)
);

CREATE TABLE jury_categories (
    competition_id VARCHAR NOT NULL,
    category_id    VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    PRIMARY KEY (competition_id, category_id)
);

-- The jury as named in the definition (usernames; resolved to users when they act).
CREATE TABLE jury_members (
    competition_id VARCHAR NOT NULL,
    username       VARCHAR NOT NULL,
    member_role    VARCHAR NOT NULL,                -- juror, chair
    PRIMARY KEY (competition_id, username, member_role)
);

CREATE TABLE jury_practices (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,                -- the nominating institution
    category_id    VARCHAR,
    title          VARCHAR NOT NULL,
    description    VARCHAR,
    links          VARCHAR[],                       -- http(s) URLs given with the nomination
    nominated_by   VARCHAR,                         -- user_id, or '(local operator)'
    nominated_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (competition_id, practice_id)
);

-- A juror's declared link with an institution: recused from every practice it nominates,
-- in every competition.
CREATE TABLE jury_links (
    user_id        VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    reason         VARCHAR,
    declared_by    VARCHAR NOT NULL,
    declared_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (user_id, institution_id)
);

-- A conflict a juror (or the chair) declares for one practice.
CREATE TABLE jury_conflicts (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    user_id        VARCHAR NOT NULL,
    reason         VARCHAR,
    declared_by    VARCHAR NOT NULL,
    declared_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (competition_id, practice_id, user_id)
);

-- One juror's ballot for one practice: a draft (scores may be missing) or submitted
-- (every criterion scored). Only submitted ballots are counted.
CREATE TABLE jury_ballots (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    juror_id       VARCHAR NOT NULL,                -- users.user_id
    status         VARCHAR NOT NULL,                -- draft, submitted
    source         VARCHAR NOT NULL,                -- page, paper, demo
    submission_id  VARCHAR NOT NULL,                -- the last client-generated id applied
    created_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    submitted_at   TIMESTAMPTZ,                     -- NULL while a draft
    PRIMARY KEY (competition_id, practice_id, juror_id)
);

CREATE TABLE jury_scores (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    juror_id       VARCHAR NOT NULL,
    criterion_id   VARCHAR NOT NULL,
    score          DOUBLE,                          -- on the competition's scale; NULL: not yet (drafts)
    comment        VARCHAR,
    PRIMARY KEY (competition_id, practice_id, juror_id, criterion_id)
);

-- Every client-generated submission id ever applied: a repeated id is a no-op.
CREATE TABLE jury_submissions (
    submission_id  VARCHAR PRIMARY KEY,
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    juror_id       VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,                -- draft, submitted
    received_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE jury_shortlist (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    added_by       VARCHAR NOT NULL,
    added_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    note           VARCHAR,
    PRIMARY KEY (competition_id, practice_id)
);

CREATE TABLE jury_awards (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    award_kind     VARCHAR NOT NULL,                -- place, special_mention
    place          INTEGER,                         -- 1, 2, 3 ... for award_kind = place
    label          VARCHAR NOT NULL,                -- e.g. '1st place', 'Special mention: inclusion'
    citation       VARCHAR,
    awarded_by     VARCHAR NOT NULL,
    awarded_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (competition_id, practice_id)
);

-- The chair's casting vote on a tie the criterion rules left: an order of the tied practices.
CREATE TABLE jury_casting_votes (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    vote_id        VARCHAR NOT NULL,                -- one vote orders one group of tied practices
    position       INTEGER NOT NULL,                -- 1 = placed first within the group
    cast_by        VARCHAR NOT NULL,
    cast_at        TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (competition_id, practice_id)
);

-- The recusals as they stood when the round was closed: the results of a closed round use
-- these, so a link declared or an institution changed later does not alter them.
CREATE TABLE jury_recusals_at_close (
    competition_id VARCHAR NOT NULL,
    practice_id    VARCHAR NOT NULL,
    user_id        VARCHAR NOT NULL,
    rule           VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    PRIMARY KEY (competition_id, practice_id, user_id, rule)
);

CREATE SEQUENCE jury_audit_seq;

-- Every change: who (user_id or '(local operator)'), what, to which practice/juror, and
-- the old and new values as JSON.
CREATE TABLE jury_audit (
    audit_id       BIGINT PRIMARY KEY DEFAULT nextval('jury_audit_seq'),
    competition_id VARCHAR,
    occurred_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    actor          VARCHAR NOT NULL,
    action         VARCHAR NOT NULL,
    practice_id    VARCHAR,
    juror_id       VARCHAR,
    detail         VARCHAR
);

-- Who is recused from which practice, and why (one row per reason): the juror's own
-- institution nominated it; a declared link with that institution; the same region when
-- the competition says so; a conflict declared for the practice.
CREATE VIEW jury_recusals AS
WITH members AS (
    SELECT DISTINCT m.competition_id, u.user_id, u.institution_id AS own_institution
    FROM jury_members m JOIN users u ON u.username = m.username
)
SELECT m.competition_id, p.practice_id, m.user_id, 'same_institution' AS rule,
       'belongs to the nominating institution ' || p.institution_id AS reason
FROM members m
JOIN jury_practices p ON p.competition_id = m.competition_id
                     AND p.institution_id = m.own_institution
UNION ALL
SELECT m.competition_id, p.practice_id, m.user_id, 'declared_link' AS rule,
       'declared link with ' || p.institution_id || coalesce(': ' || l.reason, '') AS reason
FROM members m
JOIN jury_links l ON l.user_id = m.user_id
JOIN jury_practices p ON p.competition_id = m.competition_id
                     AND p.institution_id = l.institution_id
UNION ALL
SELECT m.competition_id, p.practice_id, m.user_id, 'same_region' AS rule,
       'same region as the nominating institution (' || pi.region || ')' AS reason
FROM members m
JOIN jury_competitions c ON c.competition_id = m.competition_id AND c.recuse_same_region
JOIN institutions ji ON ji.institution_id = m.own_institution
JOIN jury_practices p ON p.competition_id = m.competition_id
JOIN institutions pi ON pi.institution_id = p.institution_id
                    AND pi.region = ji.region
                    AND pi.institution_id <> ji.institution_id
UNION ALL
SELECT k.competition_id, k.practice_id, k.user_id, 'declared_conflict' AS rule,
       'declared conflict' || coalesce(': ' || k.reason, '') AS reason
FROM jury_conflicts k;

-- The scores `viewer_id` (a users.user_id) may see in a competition: their own always;
-- others' submitted scores only for a practice they are not recused from, and only once
-- the round is closed for a juror of the competition; the competition's chair and admins
-- who are not jurors of it also see them while the round is open (provisional).
CREATE MACRO jury_visible_scores(viewer_id, comp_id) AS TABLE
SELECT s.competition_id, s.practice_id, s.juror_id, s.criterion_id, s.score, s.comment,
       b.status, b.source, b.updated_at
FROM jury_scores s
JOIN jury_ballots b USING (competition_id, practice_id, juror_id)
JOIN jury_competitions c USING (competition_id)
WHERE s.competition_id = comp_id
  AND (
    s.juror_id = viewer_id
    OR (
      b.status = 'submitted'
      AND NOT EXISTS (
        SELECT 1 FROM jury_recusals r
        WHERE r.competition_id = s.competition_id AND r.practice_id = s.practice_id
          AND r.user_id = viewer_id)
      AND (
        (c.round_state = 'closed' AND EXISTS (
            SELECT 1 FROM jury_members m JOIN users u ON u.username = m.username
            WHERE m.competition_id = comp_id AND u.user_id = viewer_id AND u.active))
        OR (NOT EXISTS (
              SELECT 1 FROM jury_members m JOIN users u ON u.username = m.username
              WHERE m.competition_id = comp_id AND u.user_id = viewer_id
                AND m.member_role = 'juror')
            AND EXISTS (
              SELECT 1 FROM users u WHERE u.user_id = viewer_id AND u.active AND (
                EXISTS (SELECT 1 FROM jury_members m WHERE m.competition_id = comp_id
                        AND m.username = u.username AND m.member_role = 'chair')
                OR EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.user_id
                           AND ur.role = 'admin'))))
      )
    )
  );
