-- Credentialed collectors and CSV imports (issue 10).
-- Figures read from CSV files (a platform's own export, or counts a volunteer noted by
-- hand), one row per figure, with where it came from. Cumulative account counts also go
-- to account_snapshots (source 'export' or 'manual'); everything else (daily series, a
-- post's export totals, reach, visits) lives only here, so API figures and export
-- figures are never mixed in one column (docs/credentials.md, "Imported counts").
CREATE TABLE imported_counts (
    run_id       VARCHAR NOT NULL,
    account_id   VARCHAR NOT NULL,
    post_id      VARCHAR NOT NULL DEFAULT '',  -- '' : an account-level figure
    source       VARCHAR NOT NULL,    -- manual, export
    file_format  VARCHAR NOT NULL,    -- manual_counts, meta_page_series, meta_posts, facebook_insights_page, youtube_studio_table, youtube_studio_series
    metric       VARCHAR NOT NULL,    -- followers, views, new_follows, reach, likes, ... (docs/credentials.md)
    period       VARCHAR NOT NULL,    -- total (cumulative at on_date), day (during on_date), range (over the export's date range)
    on_date      DATE NOT NULL,       -- the day the figure is for (total/day) or the range's last day
    range_start  DATE,                -- period 'range': first day, when known
    value        DOUBLE,              -- counts are whole numbers; watch time in hours is not. NULL: left empty
    noted_by     VARCHAR,             -- manual counts: who noted it
    file         VARCHAR NOT NULL,
    line         INTEGER NOT NULL,
    PRIMARY KEY (run_id, account_id, post_id, metric, period, on_date)
);
