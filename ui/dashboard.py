"""The data of the facilitator's pages (Compare, Institution profile, Presentation, Workshop
report): pure functions over a DuckDB connection that return DataFrames, so they are tested
without Streamlit. Every figure comes from the modules that own it: metrics.compute /
continuum / ladder (metrics), closer.analysis.summaries (sentiment), rubrics.results
(rubric means and the insider-outsider gap). What is computed here is only shaping and the
few aggregates of those outputs written down in docs/dashboards.md (the rubric's
institution-level means and gap, the sentiment shares, the peer-group quartiles, the change
since the baseline). A figure that cannot be computed is NULL with its reason in
`<column>_na_reason`, never 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import logging
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

log = logging.getLogger(__name__)

ROUND_PREFIX = "round:"
# What reading another team's module or table can raise while it is being built: the page
# then shows n/a with the reason instead of a traceback.
READ_ERRORS = (ImportError, AttributeError, KeyError, ValueError, TypeError, OSError, duckdb.Error)
RUBRIC_SCALE = "0–4"


@dataclass(frozen=True)
class KeyFigure:
    """A figure the Compare page, the presentation and the report show side by side."""

    column: str
    label: str  # chart title, short
    unit: str  # axis title: the unit
    kind: str  # count | share (0–1, shown as %) | hours | decimal | rung | score | gap
    definition: str
    higher_is_better: bool = True


def _catalog_definitions() -> dict[str, tuple[str, str, str]]:
    """metric name → (unit, definition, n/a rule) from the metric files' headers."""
    try:
        from metrics import catalog

        return {m.name: (m.unit, m.definition, m.na_when) for m in catalog.metrics()}
    except READ_ERRORS as exc:  # another team's package: never break the page
        log.warning("metric catalogue unavailable: %s", exc)
        return {}


def _tiers() -> list[tuple[str, str, float]]:
    """(name, label, limit in hours) of each response tier, from response_tiers.yaml."""
    try:
        from metrics import rules

        return [(t.name, t.label, float(t.limit_hours)) for t in rules.load().tiers]
    except READ_ERRORS as exc:
        log.warning("response tiers unavailable: %s", exc)
        return []


def hours_text(hours: float) -> str:
    """3 → '3 h', 72 → '3 days', 1.5 → '1.5 h'."""
    if hours >= 24 and hours % 24 == 0:
        d = int(hours // 24)
        return f"{d} day" + ("s" if d != 1 else "")
    return f"{hours:g} h"


SENTIMENT_DEFINITION = (
    "Shares of the citizens' comments of the period (copies of the same text counted once) "
    "by sentiment label from comment analysis: positive (VADER compound ≥ 0.05), neutral, "
    "negative (≤ −0.05) and unscored (a language without a sentiment lexicon, never counted "
    "as neutral). Source: closer.analysis.summaries.COMPARISON_SQL."
)
RUBRIC_MEAN_DEFINITION = (
    "Mean, over the rubric criteria this institution was rated on from both perspectives in "
    "the round, of the {perspective} raters' mean score (0–4) on the criterion "
    "(rubrics.results.criterion_results). Only submitted rubrics count."
)
RUBRIC_GAP_DEFINITION = (
    "Insider mean − outsider mean over the same criteria, i.e. the mean of the criterion gaps "
    "of rubrics.results: positive when insiders rate their institution higher than outsiders "
    "do (seed 000: 76.5% of civil servants vs 33.8% of citizens thought citizens satisfied)."
)
LADDER_DEFINITION = (
    "The highest rung of the engagement ladder (1 one-way information … 5 dynamic ideas and "
    "input with voting) the institution's posts and their comments show in the period "
    "(metrics.ladder, docs/continuum.md)."
)


# The key figures in three small-multiples charts (Compare's first tabs): a chart of 4 or 5
# panels reads better than one of 14 and draws in a third of the time.
KEY_FIGURE_GROUPS = {
    "Reach and activity": (
        "followers",
        "posts_per_day",
        "engagement_per_1000_followers",
        "ladder_rung",
    ),
    "Answers to citizens": (
        "response_rate",
        "latency_median_h",
        "tier_simple_compliance",
        "tier_review_compliance",
        "tier_policy_compliance",
    ),
    "Comments and rubric": (
        "positive_share",
        "negative_share",
        "rubric_outsider_mean",
        "rubric_insider_mean",
        "rubric_gap",
    ),
}


def key_figure_groups() -> dict[str, list[KeyFigure]]:
    """KEY_FIGURE_GROUPS with the figures themselves. A tier the rules do not define is left
    out; one they define and the groups do not name joins the answers; any other figure no
    group names, the last group."""
    figures = key_figures()
    by_column = {kf.column: kf for kf in figures}
    out = {
        g: [by_column[c] for c in cols if c in by_column] for g, cols in KEY_FIGURE_GROUPS.items()
    }
    named = {c for cols in KEY_FIGURE_GROUPS.values() for c in cols}
    groups = list(out)
    for kf in figures:
        if kf.column not in named:
            out[groups[1] if kf.column.startswith("tier_") else groups[-1]].append(kf)
    return {g: kfs for g, kfs in out.items() if kfs}


def key_figures() -> list[KeyFigure]:
    """The figures compared side by side, in the order they are shown."""
    cat = _catalog_definitions()

    def d(name: str, fallback: str = "") -> str:
        c = cat.get(name) or cat.get(_family_name(name))
        return c[1] if c else fallback

    out = [
        KeyFigure(
            "followers",
            "Reach",
            "followers",
            "count",
            d("followers", "Followers at the last snapshot, summed over accounts."),
        ),
        KeyFigure(
            "posts_per_day",
            "Posts per day",
            "posts a day",
            "decimal",
            d("posts_per_day", "Original posts ÷ days."),
        ),
        KeyFigure(
            "engagement_per_1000_followers",
            "Engagement per 1,000 followers",
            "interactions/post per 1k followers",
            "decimal",
            d("engagement_per_1000_followers"),
        ),
        KeyFigure(
            "response_rate",
            "Response rate",
            "% of citizen comments answered",
            "share",
            d("response_rate"),
        ),
        KeyFigure(
            "latency_median_h",
            "Median response time",
            "hours to the first answer",
            "hours",
            d("latency_median_h"),
            higher_is_better=False,
        ),
    ]
    for name, label, limit in _tiers():
        out.append(
            KeyFigure(
                f"tier_{name}_compliance",
                f"Answered within {hours_text(limit)} ({name})",
                "% of due comments",
                "share",
                f"{label} (tier {name}, limit {hours_text(limit)}). "
                + d(f"tier_{name}_compliance"),
            )
        )
    out += [
        KeyFigure(
            "positive_share",
            "Positive comments",
            "% of citizen comments",
            "share",
            SENTIMENT_DEFINITION,
        ),
        KeyFigure(
            "negative_share",
            "Negative comments",
            "% of citizen comments",
            "share",
            SENTIMENT_DEFINITION,
            higher_is_better=False,
        ),
        KeyFigure(
            "ladder_rung",
            "Engagement ladder",
            "rung reached (1–5)",
            "rung",
            d("ladder_rung", LADDER_DEFINITION),
        ),
        KeyFigure(
            "rubric_outsider_mean",
            "Rubric score, outsiders",
            f"mean score ({RUBRIC_SCALE})",
            "score",
            RUBRIC_MEAN_DEFINITION.format(perspective="outsider"),
        ),
        KeyFigure(
            "rubric_insider_mean",
            "Rubric score, insiders",
            f"mean score ({RUBRIC_SCALE})",
            "score",
            RUBRIC_MEAN_DEFINITION.format(perspective="insider"),
        ),
        KeyFigure(
            "rubric_gap",
            "Insider − outsider gap",
            f"points on the {RUBRIC_SCALE} scale",
            "gap",
            RUBRIC_GAP_DEFINITION,
            higher_is_better=False,
        ),
    ]
    return out


def _family_name(column: str) -> str:
    """tier_simple_compliance → tier_<tier>_compliance (the catalogue's family name)."""
    if column.startswith("tier_") and column.endswith("_compliance"):
        return "tier_<tier>_compliance"
    if column.startswith("form_") and column.endswith("_share"):
        return "form_<form>_share"
    if column.startswith("continuum_") and column != "continuum_overall":
        return "continuum_<dimension>"
    return column


def format_value(kind: str, v: Any) -> str:
    """A figure as shown: 56%, 3.77, 1,586, 4.2 h, rung 3, 2.33, +0.50; 'n/a' for NULL."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "n/a"
    v = float(v)
    if kind == "share":
        return f"{100 * v:.0f}%"
    if kind == "count":
        return f"{v:,.0f}"
    if kind == "hours":
        return f"{v:.1f} h"
    if kind == "rung":
        return f"rung {v:.0f}"
    if kind == "gap":
        return f"{v:+.2f}"
    return f"{v:,.2f}"


def is_na(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v))


# --- the bundle --------------------------------------------------------------------------


@dataclass
class Dashboard:
    """Everything the facilitator's pages show, for every round (DataFrames, picklable)."""

    as_of: dt.datetime | None
    institutions: pd.DataFrame  # institution_id, name, type, region, locality
    periods: pd.DataFrame  # period_key, round_id, label, first_day, last_day, position
    figures: pd.DataFrame  # one row per period × institution
    continuum: pd.DataFrame  # period × institution × dimension: level, computed, override…
    checks: pd.DataFrame  # period × institution × dimension × condition
    evidence: pd.DataFrame  # posts that show a continuum level or a ladder rung
    ladder: pd.DataFrame  # period × institution × rung reached
    latency: pd.DataFrame  # period × institution × latency band: answered comments
    rubric: pd.DataFrame  # rubrics.results.criterion_results of every round
    rubric_sections: pd.DataFrame  # rubrics.results.section_results of every round
    levels: tuple[str, ...] = ("modest", "moderate", "elaborate")
    dimensions: list[tuple[str, str]] = field(default_factory=list)  # (name, label)
    rungs: list[tuple[int, str]] = field(default_factory=list)  # (rung, label)
    notes: list[str] = field(default_factory=list)  # parts that could not be read, and why
    key: tuple = ()  # (database path, version) it was computed from: the pages' cache key

    @property
    def empty(self) -> bool:
        """Nothing to show: no period, or nothing collected yet (no snapshot, post or run)."""
        return self.figures.empty or self.as_of is None

    def period_label(self, key: str) -> str:
        row = self.periods[self.periods["period_key"] == key]
        if row.empty:
            return key
        r = row.iloc[0]
        return f"{r['label']} ({r['first_day']:%d %b} – {r['last_day']:%d %b %Y})"

    @property
    def baseline_key(self) -> str | None:
        """The first round in date order: the baseline the change is measured from."""
        return None if self.periods.empty else str(self.periods.iloc[0]["period_key"])


INSTITUTIONS_SQL = """
SELECT institution_id, name, type, region, locality FROM institutions
ORDER BY region, institution_id
"""


def institutions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The registry's institutions: institution_id, name, type, region, locality."""
    return con.execute(INSTITUTIONS_SQL).df()


def _periods(con: duckdb.DuckDBPyConnection, tz: str) -> list:
    """The registry's rounds; without rounds, one period over all the data; [] without data."""
    from metrics import periods

    rs = periods.rounds(con, tz)
    if rs:
        return rs
    first = periods.data_first_day(con, tz)
    as_of = periods.data_as_of(con)
    if first is None or as_of is None:
        return []
    import zoneinfo

    last = max(as_of.astimezone(zoneinfo.ZoneInfo(tz)).date(), first)
    p = periods.date_range(first, last, tz)
    return [periods.Period(p.key, "All the data", p.first_day, p.last_day, tz)]


def _overlap(ps: list) -> bool:
    s = sorted(ps, key=lambda p: p.first_day)
    return any(a.overlaps(b) for a, b in itertools.pairwise(s))


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


FIGURE_COLUMNS = [
    "period_key",
    "institution_id",
    "followers",
    "posts",
    "posts_per_day",
    "engagement_per_1000_followers",
    "citizen_comments",
    "answered",
    "response_rate",
    "latency_median_h",
    "latency_p90_h",
]


def build(con: duckdb.DuckDBPyConnection) -> Dashboard:
    """Every figure of every institution in every round (or in all the data, without rounds)."""
    from metrics import compute as compute_mod
    from metrics import continuum as continuum_mod
    from metrics import ladder as ladder_mod
    from metrics import rules as rules_mod

    notes: list[str] = []
    rules = rules_mod.load()
    inst = institutions(con)
    ps = _periods(con, rules.timezone)
    pdf = pd.DataFrame(
        [
            {
                "period_key": p.key,
                "round_id": p.key.removeprefix(ROUND_PREFIX)
                if p.key.startswith(ROUND_PREFIX)
                else None,
                "label": p.label,
                "first_day": p.first_day,
                "last_day": p.last_day,
                "position": i,
            }
            for i, p in enumerate(ps)
        ],
        columns=["period_key", "round_id", "label", "first_day", "last_day", "position"],
    )
    as_of = compute_mod.as_of_time(con)
    cdef = continuum_mod.load()
    ldef = ladder_mod.load()
    dims = [(d.name, d.label) for d in cdef.dimensions]
    rungs = [(i, r.label) for i, r in enumerate(ldef.rungs, 1)]
    dash = Dashboard(
        as_of,
        inst,
        pdf,
        _empty(FIGURE_COLUMNS),
        _empty([]),
        _empty([]),
        _empty([]),
        _empty([]),
        _empty([]),
        _empty([]),
        _empty([]),
        cdef.levels,
        dims,
        rungs,
        notes,
    )
    if not ps or inst.empty:
        return dash
    # Placements read the staged tables of the compute on the same connection: one compute
    # per batch of non-overlapping periods (rounds do not overlap, as a rule: one batch).
    batches = [ps] if not _overlap(ps) else [[p] for p in ps]
    figs, cont, checks, evid, lad, lat = [], [], [], [], [], []
    for batch in batches:
        res = compute_mod.compute(con, batch, "institution", rules)
        figs.append(res.table.to_pandas())
        placements = continuum_mod.place(con, batch, cdef, rules, res)
        ladders = ladder_mod.climb(con, batch, ldef, rules, res)
        cont_rows, check_rows, ev_rows = _continuum_rows(placements)
        cont += cont_rows
        checks += check_rows
        evid += ev_rows
        lr, le = _ladder_rows(ladders)
        lad += lr
        evid += le
        lat.append(_latency_bands(con, [t.limit_hours for t in rules.tiers]))
    table = pd.concat(figs, ignore_index=True).rename(
        columns={"group_id": "institution_id", "group_label": "name"}
    )
    dash.continuum = pd.DataFrame(
        cont,
        columns=[
            "period_key",
            "institution_id",
            "dimension",
            "label",
            "level",
            "computed",
            "na_reason",
            "override_level",
            "override_reason",
            "override_by",
            "override_at",
        ],
    )
    dash.checks = pd.DataFrame(
        checks,
        columns=[
            "period_key",
            "institution_id",
            "dimension",
            "level",
            "part",
            "condition",
            "figure",
            "holds",
        ],
    )
    dash.evidence = pd.DataFrame(
        evid, columns=["period_key", "institution_id", "about", "created_at", "form", "url", "note"]
    )
    dash.ladder = pd.DataFrame(
        lad, columns=["period_key", "institution_id", "rung", "name", "label"]
    )
    dash.latency = pd.concat(lat, ignore_index=True) if lat else _empty([])
    table = _add_continuum_and_ladder(table, dash)
    table = _add_sentiment(con, table, ps, notes)
    dash.rubric, dash.rubric_sections = _rubric_tables(con, pdf, notes)
    table = _add_rubric(table, dash.rubric, pdf)
    table = table.merge(
        inst[["institution_id", "type", "region", "locality"]], on="institution_id", how="left"
    )
    dash.figures = table
    return dash


def _continuum_rows(placements: list) -> tuple[list, list, list]:
    cont, checks, evid = [], [], []
    for p in placements:
        for d in p.dimensions:
            o = d.override
            cont.append(
                (
                    p.period_key,
                    p.institution_id,
                    d.dimension,
                    d.label,
                    d.level,
                    d.computed,
                    d.na_reason,
                    o.level if o else None,
                    o.reason if o else None,
                    o.by if o else None,
                    o.at if o else None,
                )
            )
            for c in d.checks:
                fig = c.get("figure")
                checks.append(
                    (
                        p.period_key,
                        p.institution_id,
                        d.dimension,
                        c.get("level"),
                        c.get("part"),
                        c.get("condition"),
                        None if fig is None else float(fig),
                        c.get("holds"),
                    )
                )
            for e in d.examples:
                evid.append(
                    (
                        p.period_key,
                        p.institution_id,
                        f"continuum:{d.dimension}",
                        e.get("created_at"),
                        e.get("form"),
                        e.get("url"),
                        e.get("note"),
                    )
                )
        cont.append(
            (
                p.period_key,
                p.institution_id,
                "overall",
                "Overall",
                p.overall,
                p.overall,
                p.overall_reason,
                None,
                None,
                None,
                None,
            )
        )
    return cont, checks, evid


def _ladder_rows(ladders: list) -> tuple[list, list]:
    rows, evid = [], []
    for lp in ladders:
        for r in lp.reached:
            rows.append((lp.period_key, lp.institution_id, r.rung, r.name, r.label))
            for e in r.evidence:
                evid.append(
                    (
                        lp.period_key,
                        lp.institution_id,
                        f"ladder:{r.rung}",
                        e.get("created_at"),
                        e.get("form"),
                        e.get("url"),
                        e.get("note"),
                    )
                )
    return rows, evid


def latency_band_edges(tier_limits: list[float]) -> list[float]:
    """Band edges in hours: 1 h, 12 h, 24 h and every tier's limit (Seoul: 3 h, 3 and 5 days)."""
    return sorted({1.0, 12.0, 24.0, *(float(x) for x in tier_limits)})


def latency_band_labels(edges: list[float]) -> list[str]:
    """'< 1 h', '1 h – 3 h', …, '≥ 5 days' for the bands between the edges."""
    labels = [f"< {hours_text(edges[0])}"]
    labels += [f"{hours_text(a)} – {hours_text(b)}" for a, b in itertools.pairwise(edges)]
    labels.append(f"≥ {hours_text(edges[-1])}")
    return labels


def _latency_bands(con: duckdb.DuckDBPyConnection, tier_limits: list[float]) -> pd.DataFrame:
    """Answered citizen comments per latency band (metrics' staged _citizen_comments)."""
    edges = latency_band_edges(tier_limits)
    labels = latency_band_labels(edges)
    case = " ".join(f"WHEN latency_s < {e * 3600:g} THEN {i}" for i, e in enumerate(edges))
    df = con.execute(
        f"""
        SELECT p.period_key, c.group_id AS institution_id,
               CASE {case} ELSE {len(edges)} END AS band, count(*) AS comments
        FROM _citizen_comments c JOIN _periods p USING (period_id)
        WHERE c.status = 'answered' AND c.latency_s IS NOT NULL
        GROUP BY ALL ORDER BY ALL
        """
    ).df()
    df["label"] = [labels[int(b)] for b in df["band"]]
    return df


def _add_continuum_and_ladder(table: pd.DataFrame, dash: Dashboard) -> pd.DataFrame:
    c = dash.continuum
    if not c.empty:
        wide = c.pivot_table(
            index=["period_key", "institution_id"],
            columns="dimension",
            values="level",
            aggfunc="first",
            dropna=False,
        )
        wide = wide.reindex(columns=[d for d, _ in dash.dimensions] + ["overall"])
        wide.columns = [f"continuum_{d}" for d in wide.columns]
        wide = wide.reset_index()
        reasons = c[c["dimension"] == "overall"][
            ["period_key", "institution_id", "na_reason"]
        ].rename(columns={"na_reason": "continuum_overall_na_reason"})
        overridden = (
            c.groupby(["period_key", "institution_id"])["override_level"]
            .apply(lambda s: s.notna().any())
            .rename("continuum_overridden")
            .reset_index()
        )
        table = table.merge(wide, on=["period_key", "institution_id"], how="left")
        table = table.merge(reasons, on=["period_key", "institution_id"], how="left")
        table = table.merge(overridden, on=["period_key", "institution_id"], how="left")
    top = dash.ladder.sort_values("rung").groupby(["period_key", "institution_id"]).tail(1)
    top = top.rename(columns={"rung": "ladder_rung", "label": "ladder_label"})[
        ["period_key", "institution_id", "ladder_rung", "ladder_label"]
    ]
    table = table.merge(top, on=["period_key", "institution_id"], how="left")
    table["ladder_rung"] = table["ladder_rung"].astype("float64")
    table["ladder_rung_na_reason"] = [
        None if not is_na(r) else "the institution made no original post in the period"
        for r in table["ladder_rung"]
    ]
    return table


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
            [name],
        ).fetchone()[0]
    )


SENTIMENT_COLUMNS = [
    "distinct_comments",
    "scored",
    "positive_share",
    "neutral_share",
    "negative_share",
    "unscored_share",
    "top_topics",
]


def _add_sentiment(
    con: duckdb.DuckDBPyConnection, table: pd.DataFrame, ps: list, notes: list[str]
) -> pd.DataFrame:
    """Sentiment shares per period and institution from closer.analysis.summaries."""
    reason = None
    frames = []
    if not _has_table(con, "comment_analysis"):
        reason = "comment analysis is not installed in this database"
    elif not con.execute("SELECT count(*) FROM comment_analysis").fetchone()[0]:
        reason = "comment analysis has not run yet: `closer analyse`"
    else:
        try:
            from closer.analysis import summaries

            for p in ps:
                df = con.execute(summaries.COMPARISON_SQL, [p.starts_at, p.ends_at]).df()
                df["period_key"] = p.key
                frames.append(df)
        except READ_ERRORS as exc:  # another team's module: say what failed, keep the page
            log.warning("sentiment unavailable: %s", exc)
            reason = f"comment analysis could not be read ({type(exc).__name__})"
    if reason:
        notes.append(f"Sentiment: n/a ({reason}).")
        for c in SENTIMENT_COLUMNS:
            table[c] = None
        for c in (
            "positive_share",
            "neutral_share",
            "negative_share",
            "unscored_share",
            "scored",
            "distinct_comments",
        ):
            table[c] = table[c].astype("float64")
        table["sentiment_na_reason"] = reason
        return table
    s = pd.concat(frames, ignore_index=True)
    n = s["distinct_comments"].astype("float64")
    whole = n.where(n > 0)
    s["positive_share"] = s["positive"] / whole
    s["negative_share"] = s["negative"] / whole
    s["neutral_share"] = (s["scored"] - s["positive"] - s["negative"]) / whole
    s["unscored_share"] = (s["distinct_comments"] - s["scored"]) / whole
    s["sentiment_na_reason"] = [
        "no analysed citizen comment in the period" if not k else None for k in n
    ]
    s["distinct_comments"] = n
    s["scored"] = s["scored"].astype("float64")
    keep = ["period_key", "institution_id", *SENTIMENT_COLUMNS, "sentiment_na_reason"]
    return table.merge(s[keep], on=["period_key", "institution_id"], how="left")


RUBRIC_COLUMNS = [
    "round_id",
    "institution_id",
    "section_id",
    "criterion_id",
    "criterion_title",
    "perspective",
    "mean",
    "median",
    "raters",
    "gap",
]
SECTION_COLUMNS = [
    "round_id",
    "institution_id",
    "section_id",
    "perspective",
    "mean",
    "median",
    "raters",
]


def _rubric_tables(
    con: duckdb.DuckDBPyConnection, periods: pd.DataFrame, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    crit, sect = [], []
    if not _has_table(con, "rubric_submissions"):
        notes.append("Rubric: n/a (the rubric tables are not installed in this database).")
    else:
        try:
            from rubrics import results

            for rid in periods["round_id"].dropna():
                crit.append(results.criterion_results(con, rid))
                sect.append(results.section_results(con, rid))
        except READ_ERRORS as exc:
            log.warning("rubric results unavailable: %s", exc)
            notes.append(f"Rubric: n/a (its results could not be read: {type(exc).__name__}).")
            crit, sect = [], []
    c = pd.concat(crit, ignore_index=True) if crit else _empty(RUBRIC_COLUMNS)
    s = pd.concat(sect, ignore_index=True) if sect else _empty(SECTION_COLUMNS)
    return c, s


def rubric_summary(crit: pd.DataFrame) -> pd.DataFrame:
    """Per round and institution: insider and outsider mean over the criteria rated from both
    sides, their gap (= the mean of the criterion gaps), and the most raters on a criterion."""
    cols = [
        "round_id",
        "institution_id",
        "rubric_insider_mean",
        "rubric_outsider_mean",
        "rubric_gap",
        "rubric_criteria",
        "rubric_insider_raters",
        "rubric_outsider_raters",
    ]
    if crit.empty:
        return _empty(cols)
    both = crit[crit["gap"].notna()]
    means = both.pivot_table(
        index=["round_id", "institution_id"], columns="perspective", values="mean", aggfunc="mean"
    )
    gap = (
        both.drop_duplicates(["round_id", "institution_id", "criterion_id"])
        .groupby(["round_id", "institution_id"])
        .agg(rubric_gap=("gap", "mean"), rubric_criteria=("criterion_id", "nunique"))
    )
    raters = crit.pivot_table(
        index=["round_id", "institution_id"], columns="perspective", values="raters", aggfunc="max"
    )
    out = pd.DataFrame(index=raters.index)
    out["rubric_insider_mean"] = means.get("insider") if not means.empty else None
    out["rubric_outsider_mean"] = means.get("outsider") if not means.empty else None
    out = out.join(gap)
    out["rubric_insider_raters"] = raters.get("insider")
    out["rubric_outsider_raters"] = raters.get("outsider")
    out = out.reset_index()
    for c in cols[2:]:
        out[c] = pd.to_numeric(out.get(c), errors="coerce").astype("float64")
    return out[cols]


def _add_rubric(table: pd.DataFrame, crit: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    summary = rubric_summary(crit)
    rid = periods.set_index("period_key")["round_id"]
    table["round_id"] = table["period_key"].map(rid)
    table = table.merge(summary, on=["round_id", "institution_id"], how="left")
    reasons = []
    for r in table.itertuples():
        if r.round_id is None or (isinstance(r.round_id, float) and pd.isna(r.round_id)):
            reasons.append("the period is not a round: the rubric is filled in per round")
        elif is_na(r.rubric_insider_raters) and is_na(r.rubric_outsider_raters):
            reasons.append("no submitted rubric for this institution in the round")
        elif is_na(r.rubric_insider_raters):
            reasons.append("no insider submitted the rubric in the round")
        elif is_na(r.rubric_outsider_raters):
            reasons.append("no outsider submitted the rubric in the round")
        elif is_na(r.rubric_gap):
            reasons.append("no criterion was rated from both perspectives")
        else:
            reasons.append(None)
    table["rubric_na_reason"] = reasons
    return table


# --- selections and views ----------------------------------------------------------------


def period_of(dash: Dashboard, period_key: str):
    """The metrics.periods.Period of a period key of the dashboard (its instants in UTC)."""
    from metrics import periods, rules

    p = dash.periods.set_index("period_key").loc[period_key]
    return periods.Period(
        period_key, str(p["label"]), p["first_day"], p["last_day"], rules.load().timezone
    )


TOPICS_TOP = 8


def topics(query: Query, institution_id: str, period) -> pd.DataFrame:
    """Citizens' topics of an institution in a period (closer.analysis.summaries.TOPICS_SQL),
    labelled; empty when comment analysis has not run."""
    from closer.analysis import summaries
    from closer.analysis import topics as topics_mod

    df = query(summaries.TOPICS_SQL, (institution_id, period.starts_at, period.ends_at)).copy()
    names = topics_mod.labels()
    df["topic"] = [names.get(t, t) for t in df["topic"]]
    return df


def sentiment_by_month(query: Query, institution_id: str, period) -> pd.DataFrame:
    """An institution's citizen comments by month and sentiment label (summaries' SQL)."""
    from closer.analysis import summaries

    return query(
        summaries.SENTIMENT_BY_MONTH_SQL, (institution_id, period.starts_at, period.ends_at)
    )


def na_reason(row: pd.Series | dict, column: str) -> str:
    """Why `column` is n/a in a figures row (its reason column, else a family reason)."""
    get = row.get
    for c in (
        f"{column}_na_reason",
        "sentiment_na_reason"
        if column in SENTIMENT_COLUMNS
        or column.endswith("_share")
        and column.split("_")[0] in ("positive", "negative", "neutral", "unscored")
        else "",
        "rubric_na_reason" if column.startswith("rubric_") else "",
        "continuum_overall_na_reason" if column.startswith("continuum_") else "",
        "response_rate_na_reason" if column.startswith("latency") else "",
    ):
        if c:
            v = get(c)
            if isinstance(v, str) and v:
                return v
    return "cannot be computed"


def select(
    dash: Dashboard,
    period_key: str,
    regions: list[str] | None = None,
    types: list[str] | None = None,
    institution_ids: list[str] | None = None,
) -> pd.DataFrame:
    """The figures rows of one period for the institutions matching every filter given."""
    df = dash.figures[dash.figures["period_key"] == period_key]
    if regions:
        df = df[df["region"].isin(regions)]
    if types:
        df = df[df["type"].isin(types)]
    if institution_ids:
        df = df[df["institution_id"].isin(institution_ids)]
    return df.reset_index(drop=True)


def rank(df: pd.DataFrame, column: str, descending: bool = True) -> pd.DataFrame:
    """Rows sorted by `column`, with a 1-based `rank` (ties share the best); n/a last, unranked."""
    out = df.copy()
    if column.startswith("continuum_"):
        key = out[column].map({"modest": 1, "moderate": 2, "elaborate": 3}).astype("float64")
    else:
        key = pd.to_numeric(out[column], errors="coerce").astype("float64")
    out["rank"] = key.rank(method="min", ascending=not descending).astype("Int64")
    out["_k"] = key
    out = out.sort_values(
        ["_k", "institution_id"], ascending=[not descending, True], na_position="last"
    )
    return out.drop(columns="_k").reset_index(drop=True)


def peer_band(values: pd.Series) -> dict[str, float | int | None]:
    """Median and quartiles (linear interpolation) of the figures that are not n/a; n = how many."""
    v = pd.to_numeric(values, errors="coerce").dropna().astype("float64")
    if v.empty:
        return {"q1": None, "median": None, "q3": None, "n": 0}
    return {
        "q1": float(v.quantile(0.25)),
        "median": float(v.quantile(0.5)),
        "q3": float(v.quantile(0.75)),
        "n": len(v),
    }


def peers(
    dash: Dashboard, period_key: str, institution_id: str, group: str, shown: pd.DataFrame
) -> pd.DataFrame:
    """The peer group of an institution: 'shown' (the institutions compared), 'type' (same
    type, every location), 'region' (same location) or 'all' (every institution)."""
    everyone = select(dash, period_key)
    me = everyone[everyone["institution_id"] == institution_id]
    if group == "shown" or me.empty:
        return shown
    if group == "type":
        return everyone[everyone["type"] == me.iloc[0]["type"]]
    if group == "region":
        return everyone[everyone["region"] == me.iloc[0]["region"]]
    return everyone


def anonymous_labels(institution_ids: list[str]) -> dict[str, str]:
    """institution_id → 'Institution A', 'B' …, in an order shuffled by the set itself, so the
    letters do not follow the ids (or types) but stay the same for the same set."""
    ids = sorted(set(institution_ids))
    seed = int(hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16], 16)
    order = ids[:]
    random.Random(seed).shuffle(order)
    letters = list(string.ascii_uppercase)
    names = [letters[i % 26] + (str(i // 26 + 1) if i >= 26 else "") for i in range(len(order))]
    return {i: f"Institution {n}" for i, n in zip(order, names)}


def labels(
    dash: Dashboard, institution_ids: list[str], anonymise: bool = False, short: bool = False
) -> dict[str, str]:
    """What to call each institution: its name (its id when short), or A, B … anonymised."""
    if anonymise:
        a = anonymous_labels(institution_ids)
        return {k: v.removeprefix("Institution ") if short else v for k, v in a.items()}
    names = dash.institutions.set_index("institution_id")["name"].to_dict()
    return {i: (i if short else names.get(i, i)) for i in institution_ids}


def comparison_table(
    df: pd.DataFrame, figures: list[KeyFigure], names: dict[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """The comparison as shown: one row per institution, figures formatted, 'n/a' cells; and
    the reasons ('<institution> · <figure>: n/a (reason)') listed under the table."""
    rows, reasons = [], []
    keep = [
        "institution_id",
        "rank",
        "region",
        "type",
        "continuum_overall",
        *(f.column for f in figures),
    ]
    keep += [c for c in df.columns if c.endswith("_na_reason")]
    for r in df[[c for c in dict.fromkeys(keep) if c in df.columns]].to_dict("records"):
        out = {
            "rank": r.get("rank"),
            "institution": names.get(r["institution_id"], r["institution_id"]),
            "location": r.get("region"),
            "type": r.get("type"),
        }
        for f in figures:
            v = r.get(f.column)
            out[f.label] = format_value(f.kind, v)
            if is_na(v):
                reasons.append(f"{out['institution']} · {f.label}: n/a ({na_reason(r, f.column)})")
        out["continuum (overall)"] = (
            r.get("continuum_overall") if isinstance(r.get("continuum_overall"), str) else "n/a"
        )
        if out["continuum (overall)"] == "n/a":
            reasons.append(
                f"{out['institution']} · continuum: n/a ({na_reason(r, 'continuum_overall')})"
            )
        rows.append(out)
    table = pd.DataFrame(rows)
    if "rank" in table and table["rank"].isna().all():
        table = table.drop(columns="rank")
    return table, reasons


def change_since_baseline(
    dash: Dashboard, institution_id: str, period_key: str, figures: list[KeyFigure]
) -> pd.DataFrame:
    """For one institution: each key figure at the baseline (first round) and in `period_key`,
    and the change (percentage points for shares); n/a when either side is."""
    base = dash.baseline_key
    rows = []
    f = dash.figures[dash.figures["institution_id"] == institution_id].set_index("period_key")
    for kf in figures:
        b = f[kf.column].get(base) if base in f.index else None
        n = f[kf.column].get(period_key) if period_key in f.index else None
        if is_na(b) or is_na(n):
            ch, why = (
                None,
                na_reason(
                    f.loc[base] if base in f.index and is_na(b) else f.loc[period_key], kf.column
                )
                if (base in f.index and period_key in f.index)
                else "no such period",
            )
        else:
            ch, why = float(n) - float(b), None
        if ch is None:
            shown = f"n/a ({why})"
        elif kf.kind == "share":
            shown = f"{100 * ch:+.0f} points"
        elif kf.kind == "count":
            shown = f"{ch:+,.0f}"
        elif kf.kind == "hours":
            shown = f"{ch:+.1f} h"
        elif kf.kind == "rung":
            shown = f"{ch:+.0f} rungs"
        else:
            shown = f"{ch:+.2f}"
        rows.append(
            {
                "figure": kf.label,
                "unit": kf.unit,
                "baseline": format_value(kf.kind, b),
                "now": format_value(kf.kind, n),
                "change": shown,
                "change_value": ch,
            }
        )
    return pd.DataFrame(
        rows, columns=["figure", "unit", "baseline", "now", "change", "change_value"]
    )


ACCOUNTS_SQL = """
WITH latest AS (
    SELECT account_id, followers, snapshot_at,
           row_number() OVER (PARTITION BY account_id ORDER BY snapshot_at DESC) AS rn
    FROM account_snapshots WHERE followers IS NOT NULL
), posts AS (
    SELECT account_id, count(*) FILTER (WHERE kind = 'post') AS posts, max(created_at) AS last_post
    FROM posts GROUP BY account_id
), cmt AS (
    SELECT account_id, count(*) FILTER (WHERE NOT by_institution) AS citizen_comments,
           count(*) FILTER (WHERE by_institution) AS replies
    FROM comments GROUP BY account_id
)
SELECT a.account_id, a.platform, a.handle, a.url, a.status, l.followers,
       l.snapshot_at AS followers_at, coalesce(p.posts, 0) AS posts, p.last_post,
       coalesce(c.citizen_comments, 0) AS citizen_comments,
       coalesce(c.replies, 0) AS institution_replies
FROM accounts a
LEFT JOIN latest l ON l.account_id = a.account_id AND l.rn = 1
LEFT JOIN posts p ON p.account_id = a.account_id
LEFT JOIN cmt c ON c.account_id = a.account_id
WHERE a.institution_id = ?
ORDER BY a.platform, a.handle
"""


@functools.lru_cache(maxsize=1)
def section_titles() -> dict[str, str]:
    """The current rubric's section titles by section_id ({} when it cannot be read)."""
    try:
        from rubrics import definition

        return {s.section_id: s.title for s in definition.current().sections}
    except READ_ERRORS as exc:
        log.warning("rubric definition unavailable: %s", exc)
        return {}


@functools.lru_cache(maxsize=1)
def platform_gives() -> dict[str, str]:
    """platform → what its collector gives (the capabilities it declares), as text."""
    try:
        import monitor

        out = {}
        for name, cls in monitor.collectors().items():
            caps = [k for k, v in (getattr(cls, "capabilities", {}) or {}).items() if v]
            out[name] = ", ".join(caps) if caps else "posts only"
        return out
    except READ_ERRORS as exc:
        log.warning("collectors unavailable: %s", exc)
        return {}


Query = Callable[[str, tuple], pd.DataFrame]


def con_query(con: duckdb.DuckDBPyConnection) -> Query:
    """A Query over a connection (the pages pass ui.data.query instead, which caches)."""
    return lambda sql, params=(): con.execute(sql, list(params)).df()


def accounts(query: Query, institution_id: str) -> pd.DataFrame:
    """An institution's accounts: latest followers, posts and comments stored, and what the
    platform gives (its collector's capabilities)."""
    df = query(ACCOUNTS_SQL, (institution_id,)).copy()
    gives = platform_gives()
    df["gives"] = [gives.get(p, "n/a (no collector for this platform)") for p in df["platform"]]
    return df


# --- for the pages (thin Streamlit glue; everything above is testable without it) --------

WORKSHOP_KEY = "closer_workshop"  # the facilitator's current choice, kept across pages


class NotReady(Exception):
    """The pages cannot show anything yet (no database, or a collection holds it)."""


@st.cache_resource(
    show_spinner="Computing the figures of every institution and round…", max_entries=4
)
def _cached_build(path: str, version: tuple) -> Dashboard:
    from closer import db

    with db.connect(path, read_only=True, wait=3.0) as con:
        dash = build(con)
    dash.key = (path, version)
    return dash


def load_for_page(purpose: str) -> Dashboard | None:
    """The dashboard for a facilitator page, or None after saying on the page why there is none.

    purpose completes "nothing collected yet, so there is no figure to …" (compare, show, report).
    """
    try:
        dash = load()
    except NotReady as exc:
        st.warning(str(exc))
        return None
    if dash.institutions.empty:
        st.info(
            "No institutions registered yet: load a registry (`closer registry load …`) or run "
            "`closer demo`."
        )
        return None
    if dash.empty:
        st.info(
            f"n/a: nothing collected yet, so there is no figure to {purpose} (`closer collect`, "
            "or `closer demo`)."
        )
        return None
    return dash


def load() -> Dashboard:
    """The dashboard of the app's database, computed once per database version (a finished
    run, an override or a rubric submission changes the version and so recomputes it).
    The same object is shared by every session: callers must not modify its frames."""
    from closer import db
    from ui import data

    path = data.db_path()
    if not path.exists():
        raise NotReady(f"no database at {path}: run `closer init` or `closer demo`")
    try:
        return _cached_build(str(path), db.data_version(path))
    except db.DatabaseBusy:
        raise NotReady(
            "a collection run is writing to the database; try again in a moment"
        ) from None


def workshop() -> dict[str, Any]:
    """The facilitator's current location, round and institutions (shared by the pages)."""
    return st.session_state.setdefault(WORKSHOP_KEY, {})


def default_period(dash: Dashboard) -> str | None:
    """The latest round begun by the data's as-of day (else the last one)."""
    if dash.periods.empty:
        return None
    if dash.as_of is not None:
        begun = dash.periods[pd.to_datetime(dash.periods["first_day"]).dt.date <= dash.as_of.date()]
        if not begun.empty:
            return str(begun.iloc[-1]["period_key"])
    return str(dash.periods.iloc[-1]["period_key"])


def page(module) -> Any:
    """The st.Page of one of ui/pages (as ui/router.py registers it), for links and switches."""
    return st.Page(
        module.render,
        title=module.TITLE,
        icon=getattr(module, "ICON", None),
        url_path=module.__name__.rsplit(".", 1)[-1],
        default=getattr(module, "DEFAULT", False),
    )


PNG_WIDTH = 1400


def show(fig, data: pd.DataFrame, name: str, key: str) -> None:
    """A chart with its PNG (1400 px wide, as tall as the chart) and CSV downloads, in the
    figure's own fonts and colours (ui.figures), the same on screen as in the PNG."""
    from ui import charts

    height = int(fig.layout.height or charts.PNG_SIZE[1])
    charts.show(fig, data, name, key=key, png_size=(PNG_WIDTH, height), theme=None)


@st.cache_resource(max_entries=512, show_spinner=False)
def cached_figure(key: tuple, name: str, args: tuple, _make: Callable[[], Any]) -> Any:
    """A chart made once per database version (`key`), chart name and arguments; the pages'
    warm renders then only send it. `_make` builds it (not part of the cache key)."""
    return _make()


def only(dash: Dashboard, institution_id: str) -> Dashboard:
    """The dashboard reduced to one institution's rows (its profile reads nothing else)."""

    def mine(df: pd.DataFrame) -> pd.DataFrame:
        if df.empty or "institution_id" not in df.columns:
            return df
        return df[df["institution_id"] == institution_id].reset_index(drop=True)

    return dataclasses.replace(
        dash,
        figures=mine(dash.figures),
        continuum=mine(dash.continuum),
        checks=mine(dash.checks),
        evidence=mine(dash.evidence),
        ladder=mine(dash.ladder),
        latency=mine(dash.latency),
        rubric=mine(dash.rubric),
        rubric_sections=mine(dash.rubric_sections),
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_only(key: tuple, institution_id: str, _dash: Dashboard) -> Dashboard:
    """only(), once per database version and institution."""
    return only(_dash, institution_id)
