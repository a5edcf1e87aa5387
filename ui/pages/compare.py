"""Compare (facilitator, admin): institutions side by side for one round, chosen by location,
type or by name; a table of the key figures ranked by any of them; small multiples with one
institution highlighted against its peers' median and quartiles; the continuum, what
citizens write, and the rubric's insider vs outsider view. Every chart exports as PNG and
CSV. Data: ui.dashboard (metrics, comment analysis, rubric results); docs/dashboards.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import access, data, theme
from ui import dashboard as dsh
from ui import figures as figs

TITLE = "Compare"
ICON = ":material/compare_arrows:"
ORDER = 15
ROLES = ["facilitator", "admin"]

MAX_CHART_INSTITUTIONS = 30  # beyond this a bar per institution is unreadable
PEER_GROUPS = {
    "shown": "the institutions compared",
    "type": "same type, every location",
    "region": "same location",
    "all": "every institution",
}
ALL = "All locations"
TABS = {  # tab label → (chart, export name); the key figures in three small-multiples charts
    **{g: (g, g.lower()) for g in dsh.KEY_FIGURE_GROUPS},
    "Continuum": ("continuum", "continuum"),
    "What citizens write: sentiment": ("sentiment", "sentiment"),
    "Rubric: insiders vs outsiders": ("rubric", "rubric insider vs outsider"),
}


def _filters(dash: dsh.Dashboard) -> tuple[str, list[str], list[str], list[str]]:
    ws = dsh.workshop()
    inst = dash.institutions
    keys = list(dash.periods["period_key"])
    labels = {k: dash.period_label(k) for k in keys}
    default_key = ws.get("period_key") if ws.get("period_key") in keys else dsh.default_period(dash)
    regions = sorted(inst["region"].dropna().unique())
    c1, c2, c3 = st.columns([2, 2, 2])
    period_key = c1.selectbox(
        "Round", keys, index=keys.index(default_key), format_func=labels.get, key="compare_round"
    )
    region_opts = [ALL, *regions]
    region_default = ws.get("region") if ws.get("region") in regions else ALL
    region = c2.selectbox(
        "Location",
        region_opts,
        index=region_opts.index(region_default),
        key="compare_region",
        help="The county or region of the institutions (registry)",
    )
    types = c3.multiselect(
        "Type",
        sorted(inst["type"].dropna().unique()),
        key="compare_types",
        placeholder="every type",
    )
    pool = inst if region == ALL else inst[inst["region"] == region]
    if types:
        pool = pool[pool["type"].isin(types)]
    names = dict(zip(pool["institution_id"], pool["name"]))
    chosen = st.multiselect(
        "Institutions",
        list(names),
        format_func=lambda i: f"{names[i]} ({i})",
        key="compare_institutions",
        placeholder="all of the location and types above",
    )
    regions_sel = [] if region == ALL else [region]
    ws.update({"period_key": period_key, "region": None if region == ALL else region})
    return period_key, regions_sel, types, chosen


def _definitions(figures: list[dsh.KeyFigure]) -> None:
    with st.expander("Definitions of the figures"):
        for kf in figures:
            st.markdown(f"**{kf.label}** ({kf.unit}): {kf.definition}")
        st.markdown(
            "**Continuum** (modest / moderate / elaborate on channels, content form, engagement "
            "and update "
            "frequency): placed from the metrics with the thresholds of continuum_vN.yaml; ✎ "
            "marks a "
            "facilitator's override. See docs/continuum.md."
        )
        st.markdown(
            "**Peers' median and quartiles**: over the peer group's institutions whose figure is "
            "not n/a "
            "(linear interpolation); the band is drawn when at least two have the figure."
        )


@st.cache_resource(max_entries=64, show_spinner=False)
def _ranked(
    key: tuple,
    period_key: str,
    regions: tuple,
    types: tuple,
    chosen: tuple,
    column: str,
    descending: bool,
    _dash: dsh.Dashboard,
) -> dict:
    """The institutions chosen, ranked, and the table shown (cached per database version)."""
    figures = dsh.key_figures()
    df = dsh.select(_dash, period_key, list(regions), list(types), list(chosen))
    if df.empty:
        return {"df": df}
    df = dsh.rank(df, column, descending=descending)
    ids = list(df["institution_id"])
    full = dsh.labels(_dash, ids)
    table, reasons = dsh.comparison_table(df, figures, full)
    return {"df": df, "ids": ids, "full": full, "table": table, "reasons": reasons}


@st.cache_resource(max_entries=64, show_spinner=False)
def _charts(
    key: tuple,
    period_key: str,
    regions: tuple,
    types: tuple,
    chosen: tuple,
    column: str,
    descending: bool,
    highlight: str | None,
    group: str,
    _dash: dsh.Dashboard,
) -> dict:
    """The four charts and their data (cached per database version and choice)."""
    v = _ranked(key, period_key, regions, types, chosen, column, descending, _dash)
    figures = dsh.key_figures()
    df, full = v["df"], v["full"]
    colours = theme.institution_colours(_dash.institutions["institution_id"])
    shown = df.head(MAX_CHART_INSTITUTIONS)
    shown_ids = list(shown["institution_id"])
    short = dsh.labels(_dash, shown_ids, short=True)
    out: dict = {"peers": None}
    bands = None
    if highlight is not None:
        peer_df = dsh.peers(_dash, period_key, highlight, group, df)
        bands = {kf.column: dsh.peer_band(peer_df[kf.column]) for kf in figures}
        out["peers"] = len(peer_df)
    cont = _dash.continuum[
        (_dash.continuum["period_key"] == period_key)
        & _dash.continuum["institution_id"].isin(shown_ids)
    ]
    for chart, kfs in dsh.key_figure_groups().items():
        out[chart] = (
            figs.small_multiples(
                shown,
                kfs,
                colours,
                short,
                full,
                highlight=highlight,
                bands=bands,
                cols=2 if len(kfs) == 4 else 3,
            ),
            _csv(shown, kfs, full),
        )
    out["continuum"] = (
        figs.continuum_grid(cont, _dash.dimensions, _dash.levels, full, shown_ids),
        cont[["institution_id", "dimension", "level", "computed", "override_level", "na_reason"]],
    )
    out["sentiment"] = (
        figs.sentiment_bars(shown, full),
        shown[
            [
                "institution_id",
                "distinct_comments",
                "positive_share",
                "neutral_share",
                "negative_share",
                "unscored_share",
                "sentiment_na_reason",
            ]
        ],
    )
    out["rubric"] = (
        figs.rubric_dumbbell(shown, full),
        shown[
            [
                "institution_id",
                "rubric_outsider_mean",
                "rubric_insider_mean",
                "rubric_gap",
                "rubric_criteria",
                "rubric_outsider_raters",
                "rubric_insider_raters",
                "rubric_na_reason",
            ]
        ],
    )
    return out


def render() -> None:
    access.require_role("facilitator", "admin")
    st.title("Compare institutions")
    st.caption(data.data_as_of())
    dash = dsh.load_for_page("compare")
    if dash is None:
        return
    figures = dsh.key_figures()
    period_key, regions, types, chosen = _filters(dash)
    c1, c2, c3, c4 = st.columns([3, 2, 3, 2])
    by_label = {kf.label: kf for kf in figures}
    rank_label = c1.selectbox("Rank by", list(by_label), index=3, key="compare_rank")
    kf_rank = by_label[rank_label]
    best_first = c2.toggle(
        "Best first",
        value=True,
        key="compare_best_first",
        help="Highest first, or lowest first for a figure where lower is better "
        "(response time, negative comments, the gap)",
    )
    descending = kf_rank.higher_is_better == best_first
    choice = (
        dash.key,
        period_key,
        tuple(regions),
        tuple(types),
        tuple(chosen),
        kf_rank.column,
        descending,
    )
    v = _ranked(*choice, _dash=dash)
    if v["df"].empty:
        st.info("No institution matches these filters.")
        return
    ids, full, n = v["ids"], v["full"], len(v["ids"])
    charted = ids[:MAX_CHART_INSTITUTIONS]  # the institutions the charts show
    highlight = c3.selectbox(
        "Highlight one institution against its peers",
        [None, *charted],
        format_func=lambda i: "none" if i is None else full[i],
        key="compare_highlight",
    )
    group = c4.selectbox(
        "Peers",
        list(PEER_GROUPS),
        format_func=PEER_GROUPS.get,
        key="compare_peers",
        disabled=highlight is None,
    )
    dsh.workshop()["institution_ids"] = ids

    st.subheader(f"{dash.period_label(period_key)} · {n} institution{'s' if n != 1 else ''}")
    st.dataframe(
        v["table"],
        hide_index=True,
        use_container_width=True,
        column_config={"rank": st.column_config.NumberColumn("rank", help=f"By {rank_label}")},
    )
    st.caption(
        f"Ranked by {rank_label} ({'best' if best_first else 'worst'} first; n/a last). "
        "To rank by another figure, choose it in Rank by (the column headers sort the text as "
        "shown). Definitions at the bottom of the page."
    )
    reasons = v["reasons"]
    if reasons:
        with st.expander(
            f"Why {len(reasons)} figure{'s are' if len(reasons) != 1 else ' is'} n/a",
            expanded=len(reasons) <= 6,
        ):
            st.markdown("\n".join(f"- {r}" for r in reasons))
    for note in dash.notes:
        st.info(note)

    c = _charts(*choice, highlight, group, _dash=dash)
    if n > MAX_CHART_INSTITUTIONS:
        st.info(
            f"The charts show the first {MAX_CHART_INSTITUTIONS} of {n} institutions by "
            f"{rank_label}: choose a location or a type to see the others."
        )
    if highlight is not None:
        st.caption(
            f"Highlighted: {full[highlight]}. Dashed line: median of {PEER_GROUPS[group]} "
            f"({c['peers']} institutions); grey band: their quartiles (25th–75th percentile)."
        )
    # one chart at a time: only the open tab is drawn (a page stays quick with many charts)
    tabs = st.tabs(list(TABS), on_change="rerun", key="compare_tab")
    for tab, (label, (part, name)) in zip(tabs, TABS.items()):
        if tab.open:
            with tab:
                dsh.show(*c[part], name, key=f"compare-{part}")
                if part in dsh.KEY_FIGURE_GROUPS:
                    st.caption(
                        "One small chart per figure, the institutions in the same colours on "
                        "every page; the other key figures are in the next tabs. Definitions "
                        "at the bottom of the page."
                    )

    st.subheader("Next: a profile, the presentation, the report")
    from ui.pages import present, profile, report

    c1, c2 = st.columns([3, 2])
    target = c1.selectbox(
        "Institution",
        charted,
        format_func=full.get,
        key="compare_profile_of",
        label_visibility="collapsed",
    )
    c2.page_link(
        dsh.page(profile),
        label="Open its profile",
        icon=":material/account_balance:",
        query_params={"institution": target},
    )
    c1, c2 = st.columns(2)
    c1.page_link(
        dsh.page(present),
        label="Present these institutions (full screen, one chart a slide)",
        icon=":material/slideshow:",
    )
    c2.page_link(
        dsh.page(report), label="Export the workshop report (HTML)", icon=":material/description:"
    )
    _definitions(figures)


def _csv(df: pd.DataFrame, figures: list[dsh.KeyFigure], names: dict[str, str]) -> pd.DataFrame:
    """The figures behind the small multiples, with their n/a reasons."""
    rows = df.to_dict("records")
    out = {
        "institution_id": list(df["institution_id"]),
        "name": [names.get(i, i) for i in df["institution_id"]],
    }
    for kf in figures:
        out[kf.column] = [r[kf.column] for r in rows]
        out[f"{kf.column}_na_reason"] = [
            None if not dsh.is_na(r[kf.column]) else dsh.na_reason(r, kf.column) for r in rows
        ]
    return pd.DataFrame(out)
