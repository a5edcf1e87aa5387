-- Facilitators' overrides of continuum placements (metrics/continuum.py, docs/continuum.md).
-- Append-only history: for (institution, dimension, period) the latest row applies, and a row
-- whose override_level is NULL withdraws the override. Each row keeps what the metrics had
-- placed at that moment, with the thresholds version and the figures it rested on.
CREATE TABLE continuum_overrides (
    institution_id     VARCHAR NOT NULL,
    dimension          VARCHAR NOT NULL,     -- channels, content, engagement, update_frequency
    period_key         VARCHAR NOT NULL,     -- as `closer metrics` names it: round:baseline, 2026-05, …
    thresholds_version INTEGER NOT NULL,     -- metrics/definitions/continuum_vN.yaml
    computed_level     VARCHAR,              -- modest | moderate | elaborate; NULL: n/a then
    override_level     VARCHAR,              -- modest | moderate | elaborate; NULL: override withdrawn
    reason             VARCHAR NOT NULL,
    overridden_by      VARCHAR NOT NULL,     -- the facilitator (user name)
    overridden_at      TIMESTAMPTZ NOT NULL,
    figures            VARCHAR               -- JSON: the figures the computed level rested on
);
