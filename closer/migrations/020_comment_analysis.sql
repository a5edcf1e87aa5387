-- Comment analysis (closer/analysis, docs/analysis.md): one row per citizen comment, the
-- result of the latest analyser version that read it. Institution replies get no row.
-- NULL means "not assessed / cannot be computed", never 0 or false.
CREATE TABLE comment_analysis (
    platform         VARCHAR NOT NULL,
    comment_id       VARCHAR NOT NULL,     -- (platform, comment_id) as in comments
    analyser_version VARCHAR NOT NULL,     -- closer.analysis.ANALYSER_VERSION that wrote the row
    text_hash        UBIGINT NOT NULL,     -- hash(text) analysed: an edited comment is re-analysed
    lang             VARCHAR NOT NULL,     -- ISO 639-1 code, or 'und' (undetermined)
    lang_confidence  DOUBLE,               -- lingua's confidence in lang, 0..1; NULL: no letters
    sentiment        DOUBLE,               -- VADER compound -1..+1; NULL: unscored (no lexicon for lang)
    sentiment_label  VARCHAR,              -- positive (>= 0.05) | neutral | negative (<= -0.05) | NULL
    topics           VARCHAR[],            -- topic ids (data/topics.yaml); []: none; NULL: not assessed
    is_question      BOOLEAN,              -- asks something; NULL: empty text
    hate             BOOLEAN,              -- hate speech or abuse term found; NULL: not assessed
    hate_categories  VARCHAR[],            -- categories of the terms found; NULL: not assessed
    terms            VARCHAR[],            -- content lemmas, each once (distinctive terms)
    dup_group        VARCHAR,              -- hash of the normalised text; NULL: too short to be a copy
    dup_count        INTEGER NOT NULL,     -- copies of this text under the same institution (1: none)
    dup_first        BOOLEAN NOT NULL,     -- the earliest copy: the one counted in topic and sentiment shares
    analysed_at      TIMESTAMPTZ NOT NULL
    -- (platform, comment_id) is unique: closer.analysis.pipeline replaces rows on it. No
    -- index, like comments, so that 200,000 results load in well under a second.
);
