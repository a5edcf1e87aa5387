"""Metrics: the figures per institution (or account, type, region) for a period, sortable,
with every definition one click away; the continuum and the engagement ladder with their
evidence and the facilitators' overrides. Figures come from metrics.compute (SQL in DuckDB);
pandas only shapes them for the page."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from closer import db
from ui import data, session, theme

TITLE = "Metrics"
ICON = ":material/monitoring:"
ORDER = 20
ROLES = None

GROUPINGS = {
    "institution": "Institution",
    "account": "Account",
    "type": "Institution type",
    "region": "Region",
}
KEY_COLUMNS = (
    "followers",
    "followers_growth_pct",
    "posts_per_day",
    "active_days_share",
    "rich_form_share",
    "interactions_per_post",
    "interactions_counts_used",
    "engagement_per_1000_followers",
    "active_channels",
    "cross_link_posts",
    "two_way_share",
    "citizen_comments",
    "response_rate",
    "question_response_rate",
    "latency_median_h",
    "latency_p90_h",
)
PERCENT = {
    "active_days_share",
    "rich_form_share",
    "two_way_share",
    "response_rate",
    "question_response_rate",
    "cross_link_share",
}
LEVELS = ("modest", "moderate", "elaborate")


@st.cache_data(show_spinner=False)
def _catalog() -> dict[str, dict[str, str]]:
    from metrics import catalog

    return {
        m.name: {
            "unit": m.unit,
            "definition": m.definition,
            "na_when": m.na_when,
            "family": m.family,
        }
        for m in catalog.metrics()
    }


def _definition(column: str) -> dict[str, str] | None:
    cat = _catalog()
    if column in cat:
        return cat[column]
    for name, d in cat.items():  # families with one column each: form_<form>_share, tier_<tier>_…
        if "<" in name:
            head, _, rest = name.partition("<")
            tail = rest.partition(">")[2]
            if column.startswith(head) and column.endswith(tail):
                return d
    return None


@st.cache_data(show_spinner=False, max_entries=16)
def _period_choices(path: str, version: tuple) -> dict[str, list[tuple[str, str]]]:
    from metrics import periods, rules

    r = rules.load()
    with db.connect(path, read_only=True, wait=3.0) as con:
        rounds = [
            (p.key, f"{p.label} ({p.first_day:%d %b} – {p.last_day:%d %b %Y})")
            for p in periods.rounds(con, r.timezone)
        ]
        months = [(p.key, p.label) for p in periods.parse(con, "month", r.timezone)]
        weeks = [(p.key, p.label) for p in periods.parse(con, "week", r.timezone)]
        first = periods.data_first_day(con, r.timezone)
        as_of = periods.data_as_of(con)
    last = as_of.astimezone(zoneinfo.ZoneInfo(r.timezone)).date() if as_of else None
    whole = (
        [(f"{first.isoformat()}:{max(last, first).isoformat()}", "all the data")]
        if first and last
        else []
    )
    return {"Round": rounds, "Month": months[::-1], "Week": weeks[::-1], "All": whole}


@st.cache_data(show_spinner="Computing the metrics…", max_entries=32)
def _computed(path: str, version: tuple, period_key: str, by: str) -> dict[str, Any]:
    from metrics import compute, continuum, ladder, periods, rules

    r = rules.load()
    with db.connect(path, read_only=True, wait=3.0) as con:
        p = periods.from_key(con, period_key, r.timezone)
        res = compute.compute(con, [p], by, r)
        out: dict[str, Any] = {
            "table": res.table.to_pandas(),
            "as_of": res.as_of,
            "label": p.label,
            "placements": None,
        }
        if by == "institution":
            defn = continuum.load()
            out["placements"] = continuum.place(con, [p], defn, r, res)
            out["ladder"] = {x.institution_id: x for x in ladder.climb(con, [p], None, r, res)}
            out["levels"] = defn.levels
            out["version"] = defn.version
    return out


def _pick_period(choices: dict[str, list[tuple[str, str]]]) -> str | None:
    kinds = [k for k, v in choices.items() if v] + ["Dates"]
    c1, c2, _c3 = st.columns([1, 2, 1])
    kind = c1.radio("Period", kinds, horizontal=False, key="metrics_period_kind")
    if kind == "Dates":
        today = dt.date.today()
        picked = c2.date_input(
            "From – to (both days included)",
            value=(today - dt.timedelta(days=30), today),
            key="metrics_dates",
        )
        if not isinstance(picked, tuple) or len(picked) != 2:
            c2.info("Pick the first and the last day.")
            return None
        return f"{picked[0].isoformat()}:{picked[1].isoformat()}"
    options = choices[kind]
    labels = dict(options)
    return c2.selectbox(
        kind, [k for k, _ in options], format_func=lambda k: labels[k], key=f"metrics_{kind}"
    )


def _fmt(column: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "n/a"
    if column in PERCENT:
        return f"{100 * float(v):.0f}%"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _figures(df: pd.DataFrame, by: str) -> None:
    from metrics import compute

    show_all = st.toggle(
        "All columns",
        key="metrics_all_columns",
        help="Every metric, including the form mix and each response tier's compliance",
    )
    metric_cols = [
        c
        for c in df.columns
        if c
        not in (
            "period_key",
            "period_label",
            "period_first_day",
            "period_last_day",
            "days",
            "group_id",
            "group_label",
        )
        and not c.endswith("_na_reason")
    ]
    cols = metric_cols if show_all else [c for c in KEY_COLUMNS if c in df.columns]
    view = df[["group_label", *cols]].copy()
    for c in cols:
        if c in PERCENT:
            view[c] = view[c] * 100
    config: dict[str, Any] = {
        "group_label": st.column_config.TextColumn(GROUPINGS[by], pinned=True)
    }
    for c in cols:
        d = _definition(c)
        help_text = f"{d['definition']} Unit: {d['unit']}. n/a when {d['na_when']}" if d else None
        if c in PERCENT:
            config[c] = st.column_config.NumberColumn(c, help=help_text, format="%.0f%%")
        elif pd.api.types.is_numeric_dtype(view[c]):
            config[c] = st.column_config.NumberColumn(
                c, help=help_text, format="%.2f" if pd.api.types.is_float_dtype(view[c]) else "%d"
            )
        else:
            config[c] = st.column_config.TextColumn(c, help=help_text)
    st.dataframe(view, hide_index=True, use_container_width=True, column_config=config)
    st.caption(
        "Click a column to sort; hover its name for the definition. An empty cell is n/a: "
        "pick a row below to see why (the Definitions tab has them all)."
    )
    pick = st.selectbox(
        "Why n/a? Every figure of",
        df["group_id"],
        format_func=lambda g: df.set_index("group_id").loc[g, "group_label"],
        key="metrics_detail",
    )
    row = df[df["group_id"] == pick].iloc[0].to_dict()
    row = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
    detail = []
    for c in metric_cols:
        v = row.get(c)
        why = compute.reason_for(row, c)
        detail.append(
            {
                "metric": c,
                "value": theme.na(why or "cannot be computed") if v is None else _fmt(c, v),
                "definition": (_definition(c) or {}).get("definition", ""),
            }
        )
    st.dataframe(pd.DataFrame(detail), hide_index=True, use_container_width=True)
    if "response_rate" in df.columns and df["citizen_comments"].fillna(0).sum() > 0:
        chart = df[["group_label", "response_rate", "latency_median_h"]].dropna(
            subset=["response_rate"]
        )
        if not chart.empty:
            fig = px.bar(
                chart.sort_values("response_rate"),
                x="response_rate",
                y="group_label",
                orientation="h",
                hover_data=["latency_median_h"],
                labels={
                    "response_rate": "response rate (share of citizen comments answered)",
                    "group_label": "",
                },
            )
            fig.update_layout(margin={"t": 20}, xaxis_tickformat=".0%")
            st.plotly_chart(fig, use_container_width=True)


def _continuum(out: dict[str, Any], period_key: str) -> None:
    placements = out["placements"]
    lad = out["ladder"]
    rows = []
    for p in placements:
        r = {"institution": p.name}
        for d in p.dimensions:
            r[d.label] = (d.level or "n/a") + (" (override)" if d.override else "")
        r["overall"] = p.overall or "n/a"
        top = lad[p.institution_id].top
        r["ladder"] = f"{top.rung}. {top.label}" if top else "n/a"
        rows.append(r)
    table = pd.DataFrame(rows)
    st.dataframe(
        table,
        hide_index=True,
        use_container_width=True,
        column_config={
            "overall": st.column_config.TextColumn(
                "overall",
                help="The median of the four dimensions' levels, the lower middle one when they differ (docs/continuum.md)",
            ),
            "ladder": st.column_config.TextColumn(
                "engagement ladder",
                help="The highest rung reached in the period (docs/continuum.md)",
            ),
        },
    )
    st.caption(
        f"Thresholds: continuum_v{out['version']}.yaml. The Definitions tab explains each level."
    )
    counts = pd.DataFrame(
        [
            {"dimension": d.label, "level": d.level}
            for p in placements
            for d in p.dimensions
            if d.level
        ]
    )
    if not counts.empty:
        fig = px.histogram(
            counts,
            y="dimension",
            color="level",
            category_orders={"level": list(LEVELS)},
            color_discrete_map=theme.CONTINUUM_COLOURS,
            labels={"count": "institutions"},
        )
        fig.update_layout(margin={"t": 20}, barmode="stack", legend_orientation="h", legend_y=-0.2)
        st.plotly_chart(fig, use_container_width=True)
    user = session.current_user()
    can_override = user is not None and user.has("facilitator", "admin")
    for p in placements:
        top = lad[p.institution_id]
        with st.expander(
            f"{p.name}: {p.overall or 'n/a'} · ladder {top.top.rung if top.top else 'n/a'}"
        ):
            if p.overall is None:
                st.info(theme.na(p.overall_reason or "a dimension is n/a"))
            for d in p.dimensions:
                st.markdown(
                    f"**{d.label}: {d.level or 'n/a'}**"
                    + (f" — {d.na_reason}" if d.na_reason else "")
                )
                if d.override:
                    o = d.override
                    st.warning(
                        f"Override by {o.by} on {o.at:%Y-%m-%d %H:%M}: {o.reason}. "
                        f"Computed: {d.computed or 'n/a'} (when overridden: {o.computed_level or 'n/a'})."
                    )
                checks = pd.DataFrame(d.checks)
                if not checks.empty:
                    checks["figure"] = checks["figure"].map(
                        lambda v: (
                            "n/a"
                            if v is None or (isinstance(v, float) and pd.isna(v))
                            else f"{v:.3g}"
                            if isinstance(v, float)
                            else str(v)
                        )
                    )
                    checks["holds"] = checks["holds"].map({True: "yes", False: "no", None: "n/a"})
                    st.dataframe(
                        checks[["level", "part", "condition", "figure", "holds"]],
                        hide_index=True,
                        use_container_width=True,
                    )
                for e in d.examples:
                    st.markdown(
                        f"- {e['created_at'][:10]} [{e['form']} post]({e['url']}) — {e['note']}"
                    )
                if len(d.history) > (1 if d.override else 0):
                    hist = pd.DataFrame(
                        [
                            {
                                "at": h.at,
                                "by": h.by,
                                "level": h.level or "withdrawn",
                                "computed then": h.computed_level,
                                "reason": h.reason,
                            }
                            for h in d.history
                        ]
                    )
                    st.caption("Override history")
                    st.dataframe(hist, hide_index=True, use_container_width=True)
            if top.top:
                st.markdown(f"**Engagement ladder: {top.top.rung}. {top.top.label}**")
                for rr in top.reached:
                    st.markdown(
                        f"- rung {rr.rung}, {rr.label}: "
                        + (
                            ", ".join(
                                f"[{e['created_at'][:10]}]({e['url']}) ({e['note']})"
                                for e in rr.evidence
                            )
                            or "—"
                        )
                    )
            else:
                st.markdown(f"**Engagement ladder**: {theme.na(top.na_reason or 'no evidence')}")
            if can_override:
                _override_form(p, period_key, out["levels"])


def _override_form(p, period_key: str, levels: tuple[str, ...]) -> None:
    from metrics import continuum, periods, rules

    with st.form(f"override-{p.institution_id}", clear_on_submit=True):
        st.caption("Override a dimension (kept with your name, the time and the computed level)")
        c1, c2 = st.columns(2)
        dim = c1.selectbox(
            "Dimension", [d.dimension for d in p.dimensions], key=f"ovd-{p.institution_id}"
        )
        level = c2.selectbox(
            "Level", [*levels, "none (withdraw the override)"], key=f"ovl-{p.institution_id}"
        )
        reason = st.text_input("Reason", key=f"ovr-{p.institution_id}")
        if st.form_submit_button("Save the override"):
            user = session.current_user()
            if user is None or not user.has("facilitator", "admin"):
                st.error("Only a facilitator can override the continuum.")
                return
            if not reason.strip():
                st.error("Not saved: an override needs a reason.")
                return
            try:
                with data.writer() as con:
                    r = rules.load()
                    continuum.record_override(
                        con,
                        p.institution_id,
                        dim,
                        None if level.startswith("none") else level,
                        reason,
                        user.username,
                        periods.from_key(con, period_key, r.timezone),
                    )
            except (continuum.OverrideError, db.DatabaseBusy) as exc:
                st.error(f"Not saved: {exc}")
                return
            _computed.clear()
            st.success(f"Saved: {p.name}, {dim} → {level}.")


def render() -> None:
    st.title("Metrics")
    path = data.db_path()
    if not path.exists():
        st.warning(f"no database at {path}: run `closer init` or `closer demo`")
        return
    st.caption(data.data_as_of())
    version = db.data_version(path)
    try:
        choices = _period_choices(str(path), version)
    except db.DatabaseBusy:
        st.info("A collection is writing to the database; try again in a moment.")
        return
    tab_fig, tab_cont, tab_def = st.tabs(["Figures", "Continuum and ladder", "Definitions"])
    with tab_def:
        _show_definitions()
    if not any(choices[k] for k in ("Round", "Month", "Week", "All")):
        with tab_fig:
            st.info(
                "No data collected yet: the metrics need posts and snapshots (`closer collect`, or `closer demo`)."
            )
        with tab_cont:
            st.info("n/a: nothing collected yet to place institutions on the continuum.")
        return
    with tab_fig:
        period_key = _pick_period(choices)
        by = st.selectbox("Group by", list(GROUPINGS), format_func=GROUPINGS.get, key="metrics_by")
    if period_key is None:
        return
    try:
        out = _computed(str(path), version, period_key, by)
    except db.DatabaseBusy:
        st.info("A collection is writing to the database; try again in a moment.")
        return
    except ValueError as exc:  # a period that cannot be read, an empty round
        st.error(str(exc))
        return
    df = out["table"]
    with tab_fig:
        st.subheader(f"{out['label']} · by {GROUPINGS[by].lower()}")
        if df.empty:
            st.info("Nothing registered to group yet: load a registry first.")
        else:
            _figures(df, by)
    with tab_cont:
        if out["placements"] is None:
            st.info(
                "The continuum and the engagement ladder place institutions: choose “Group by: Institution”."
            )
        elif not out["placements"]:
            st.info("No institution registered yet.")
        else:
            st.subheader(f"Continuum and engagement ladder · {out['label']}")
            _continuum(out, period_key)


def _show_definitions() -> None:
    from metrics import catalog

    st.markdown(catalog.render())
    doc = catalog.DOC_PATH.parent / "continuum.md"
    if doc.exists():
        st.markdown(doc.read_text(encoding="utf-8"))
