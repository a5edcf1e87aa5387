"""Institution profile (facilitator, admin): everything about one institution over the rounds —
its accounts and what each platform gives, the key figures with their definitions and the
change since the baseline, how fast it answers, the continuum with its evidence, the
engagement ladder, what citizens write (topics, sentiment), and the rubric with the
insider–outsider gap. Data: ui.dashboard, closer.analysis.summaries, rubrics.results."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import access, data, theme
from ui import dashboard as dsh
from ui import figures as figs

TITLE = "Institution profile"
ICON = ":material/account_balance:"
ORDER = 16
ROLES = ["facilitator", "admin"]


def _pick(dash: dsh.Dashboard) -> tuple[str, str]:
    inst = dash.institutions
    ids = list(inst["institution_id"])
    names = dict(zip(inst["institution_id"], inst["name"]))
    labels = {i: f"{n} ({i})" for i, n in zip(inst["institution_id"], inst["name"])}
    wanted = st.query_params.get("institution")  # a link from Compare names the institution
    ws = dsh.workshop()
    default = (
        wanted
        if wanted in names
        else ws.get("institution_id")
        if ws.get("institution_id") in names
        else ids[0]
    )
    keys = list(dash.periods["period_key"])
    pk = ws.get("period_key") if ws.get("period_key") in keys else dsh.default_period(dash)
    region_of = dict(zip(inst["institution_id"], inst["region"]))
    regions = sorted(set(region_of.values()))
    c0, c1, c2 = st.columns([2, 3, 2])
    region = c0.selectbox(
        "Location", regions, index=regions.index(region_of[default]), key="profile_region"
    )
    pool = [i for i in ids if region_of[i] == region]
    choice = c1.selectbox(
        "Institution",
        pool,
        index=pool.index(default) if default in pool else 0,
        key=f"profile_institution_{region}",  # a location's own choice, kept while switching
        format_func=labels.get,
    )
    period_key = c2.selectbox(
        "Round", keys, index=keys.index(pk), key="profile_round", format_func=dash.period_label
    )
    st.query_params["institution"] = choice
    ws.update({"institution_id": choice, "period_key": period_key})
    return choice, period_key


def render() -> None:
    access.require_role("facilitator", "admin")
    st.title("Institution profile")
    st.caption(data.data_as_of())
    dash = dsh.load_for_page("show")
    if dash is None:
        return
    iid, period_key = _pick(dash)
    dash = dsh.cached_only(dash.key, iid, dash)  # this institution's rows only
    row = dash.institutions.set_index("institution_id").loc[iid]
    colour = theme.institution_colours(dash.institutions["institution_id"])[iid]
    st.markdown(f"## <span style='color:{colour}'>■</span> {row['name']}", unsafe_allow_html=True)
    st.caption(
        f"{iid} · {row['type']} · {row['region']}"
        + (f" · {row['locality']}" if isinstance(row["locality"], str) else "")
        + f" · {dash.period_label(period_key)}; baseline: {dash.period_label(dash.baseline_key)}"
    )
    figures = dsh.key_figures()
    mine = dash.figures[dash.figures["institution_id"] == iid]
    now = mine[mine["period_key"] == period_key].iloc[0]
    change = dsh.change_since_baseline(dash, iid, period_key, figures)
    cols = st.columns(4)
    for c, kf in zip(cols, [figures[0], figures[1], figures[3], figures[4]]):
        v = now[kf.column]
        ch = change.set_index("figure").loc[kf.label]
        c.metric(
            kf.label,
            dsh.format_value(kf.kind, v),
            delta=None
            if dsh.is_na(ch["change_value"]) or period_key == dash.baseline_key
            else ch["change"] + " since baseline",
            delta_color="normal" if kf.higher_is_better else "inverse",
            help=f"{kf.unit}. {kf.definition}",
        )
        if dsh.is_na(v):
            c.caption(f"n/a: {dsh.na_reason(now, kf.column)}")

    sections = {
        "Figures by round": lambda: _figures(dash, iid, period_key, figures, mine, change, colour),
        "Accounts": lambda: _accounts(iid),
        "Response times": lambda: _latency(dash, iid, period_key, now, colour),
        "Continuum and ladder": lambda: _continuum(dash, iid, period_key),
        "What citizens write": lambda: _citizens(dash, iid, period_key, colour),
        "Rubric": lambda: _rubric(dash, iid, period_key),
    }
    # only the open tab runs and is drawn: a profile stays quick with its many charts
    for tab, show in zip(
        st.tabs(list(sections), on_change="rerun", key="profile_tab"), sections.values()
    ):
        if tab.open:
            with tab:
                show()


def _accounts(iid: str) -> None:
    st.subheader("Accounts and what each gives")
    try:
        acc = dsh.accounts(data.query, iid)
    except data.Unavailable as exc:
        st.info(str(exc))
        return
    if acc.empty:
        st.info("n/a: no account registered for this institution.")
        return
    acc["followers"] = [
        f"{int(v):,}" if not dsh.is_na(v) else "n/a (the platform gives no follower count)"
        for v in acc["followers"]
    ]
    st.dataframe(
        acc[
            [
                "platform",
                "handle",
                "status",
                "followers",
                "posts",
                "citizen_comments",
                "institution_replies",
                "last_post",
                "gives",
            ]
        ],
        hide_index=True,
        use_container_width=True,
        column_config={
            "followers": st.column_config.TextColumn("followers (latest)"),
            "posts": st.column_config.NumberColumn("original posts stored"),
            "citizen_comments": st.column_config.NumberColumn("citizen comments stored"),
            "institution_replies": st.column_config.NumberColumn("its replies stored"),
            "last_post": st.column_config.DatetimeColumn(
                "last post (UTC)", format="YYYY-MM-DD HH:mm"
            ),
            "gives": st.column_config.TextColumn(
                "what the platform gives", help="The counts the platform's collector can read"
            ),
        },
    )


def _figures(dash, iid, period_key, figures, mine, change, colour) -> None:
    st.subheader("Key figures, round by round")
    order = dash.periods[["period_key", "position"]]
    rows = mine.merge(order, on="period_key").sort_values("position")
    labels = dict(zip(dash.periods["period_key"], dash.periods["label"]))
    fig = dsh.cached_figure(
        dash.key, "rounds", (iid,), lambda: figs.over_rounds(rows, figures, labels, colour)
    )
    dsh.show(
        fig,
        rows[["period_key", *[kf.column for kf in figures]]],
        f"{iid} key figures by round",
        key="profile-rounds",
    )
    st.markdown(
        f"**Change since the baseline** ({dash.period_label(dash.baseline_key)} → "
        f"{dash.period_label(period_key)})"
    )
    view = change.drop(columns="change_value").copy()
    view["definition"] = [kf.definition for kf in figures]
    st.dataframe(
        view,
        hide_index=True,
        use_container_width=True,
        column_config={
            "now": st.column_config.TextColumn("this round"),
            "definition": st.column_config.TextColumn("definition", width="large"),
        },
    )


def _latency(dash, iid, period_key, now, colour) -> None:
    st.subheader("How fast it answers citizens")
    c = st.columns(4)
    for col, (label, column, kind) in zip(
        c,
        [
            ("Citizen comments", "citizen_comments", "count"),
            ("Answered", "answered", "count"),
            ("Median response time", "latency_median_h", "hours"),
            ("90% answered within", "latency_p90_h", "hours"),
        ],
    ):
        v = now.get(column)
        col.metric(label, dsh.format_value(kind, v))
        if dsh.is_na(v):
            col.caption(f"n/a: {dsh.na_reason(now, column)}")
    lat = (
        dash.latency[
            (dash.latency["institution_id"] == iid) & (dash.latency["period_key"] == period_key)
        ]
        if not dash.latency.empty
        else pd.DataFrame(columns=["band", "comments"])
    )
    if lat.empty:
        st.info(f"n/a: {dsh.na_reason(now, 'latency_median_h')}.")
        return
    tiers = dsh._tiers()
    band_labels = dsh.latency_band_labels(dsh.latency_band_edges([t[2] for t in tiers]))
    fig = dsh.cached_figure(
        dash.key, "latency", (iid, period_key), lambda: figs.latency_bands(lat, band_labels, colour)
    )
    dsh.show(fig, lat, f"{iid} response time", key="profile-latency")
    st.caption(
        "Share of the round's answered citizen comments by the time the first answer took. "
        "Seoul's tiers: "
        + "; ".join(f"{label.lower()} within {dsh.hours_text(h)}" for _, label, h in tiers)
        + "."
    )


def _continuum(dash, iid, period_key) -> None:
    st.subheader("Continuum and engagement ladder")
    cont = dash.continuum[dash.continuum["institution_id"] == iid]
    order = list(dash.periods["period_key"])
    labels = dict(zip(dash.periods["period_key"], dash.periods["label"]))
    fig = dsh.cached_figure(
        dash.key,
        "continuum-rounds",
        (iid,),
        lambda: figs.continuum_grid(
            cont, dash.dimensions, dash.levels, labels, order, by="period_key"
        ),
    )
    dsh.show(
        fig,
        cont[["period_key", "dimension", "level", "computed", "override_level", "na_reason"]],
        f"{iid} continuum by round",
        key="profile-continuum",
    )
    here = cont[cont["period_key"] == period_key]
    ev = dash.evidence[
        (dash.evidence["institution_id"] == iid) & (dash.evidence["period_key"] == period_key)
    ]
    checks = dash.checks[
        (dash.checks["institution_id"] == iid) & (dash.checks["period_key"] == period_key)
    ]
    st.markdown(f"**Evidence, {labels.get(period_key, period_key)}**")
    for r in here.itertuples():
        if r.dimension == "overall":
            continue
        head = f"{r.label}: {r.level or 'n/a'}" + (
            " (override)" if isinstance(r.override_level, str) else ""
        )
        with st.expander(head):
            if r.level is None:
                st.info(f"n/a ({r.na_reason or 'cannot be computed'})")
            if isinstance(r.override_level, str):
                st.warning(
                    f"Override by {r.override_by}: {r.override_reason}. Computed: "
                    f"{r.computed or 'n/a'}."
                )
            c = checks[checks["dimension"] == r.dimension]
            if not c.empty:
                lines = [
                    "| level | part | condition | figure | holds |",
                    "| --- | --- | --- | --- | --- |",
                ]
                for k in c.itertuples():
                    fig_ = f"{k.figure:.3g}" if not dsh.is_na(k.figure) else "n/a"
                    holds = {True: "yes", False: "no"}.get(k.holds, "n/a")
                    lines.append(f"| {k.level} | {k.part} | `{k.condition}` | {fig_} | {holds} |")
                st.markdown("\n".join(lines))
            for e in ev[ev["about"] == f"continuum:{r.dimension}"].itertuples():
                st.markdown(f"- {str(e.created_at)[:10]} [{e.form} post]({e.url}) — {e.note}")
    lad = dash.ladder[
        (dash.ladder["institution_id"] == iid) & (dash.ladder["period_key"] == period_key)
    ]
    if lad.empty:
        st.markdown(
            "**Engagement ladder**: n/a (the institution made no original post in the period)"
        )
        return
    top = lad.sort_values("rung").iloc[-1]
    st.markdown(f"**Engagement ladder: rung {top['rung']} of {len(dash.rungs)}, {top['label']}**")
    for rung, label in dash.rungs:
        reached = rung in set(lad["rung"])
        posts = ev[ev["about"] == f"ladder:{rung}"]
        links = ", ".join(
            f"[{str(e.created_at)[:10]}]({e.url}) ({e.note})" for e in posts.head(3).itertuples()
        )
        st.markdown(
            f"- {':material/check_box:' if reached else ':material/check_box_outline_blank:'} "
            f"{rung}. {label}" + (f": {links}" if reached and links else "")
        )


def _citizens(dash, iid, period_key, colour) -> None:
    st.subheader("What citizens write")
    period = dsh.period_of(dash, period_key)
    try:
        tp = dsh.topics(data.query, iid, period)
        sm = dsh.sentiment_by_month(data.query, iid, period)
    except data.Unavailable as exc:
        st.info(str(exc))
        return
    except dsh.READ_ERRORS as exc:  # comment analysis not installed in this database
        st.info(f"n/a (comment analysis cannot be read: {type(exc).__name__}).")
        return
    st.markdown("**Topics of citizens' comments**")
    in_round = tp[tp["comments"] > 0]
    if in_round.empty:
        st.info("n/a: no analysed citizen comment of the round matched a topic.")
    else:
        fig = dsh.cached_figure(
            dash.key, "topics", (iid, period_key), lambda: figs.topics_bar(in_round, colour)
        )
        dsh.show(fig, tp, f"{iid} topics", key="profile-topics")
    st.markdown("**Sentiment of citizens' comments, month by month**")
    if sm.empty:
        st.info("n/a: no analysed citizen comment in the round.")
    else:
        fig = dsh.cached_figure(
            dash.key, "sentiment", (iid, period_key), lambda: figs.sentiment_months(sm)
        )
        dsh.show(fig, sm, f"{iid} sentiment by month", key="profile-sentiment")
    st.caption(
        "Copies of the same text count once; unscored = a language without a sentiment lexicon "
        "(never "
        "counted as neutral). Definitions: docs/analysis.md."
    )


def _rubric(dash, iid, period_key) -> None:
    st.subheader("Monitoring rubric: insiders vs outsiders")
    rid = dash.periods.set_index("period_key").loc[period_key, "round_id"]
    now = dash.figures[
        (dash.figures["institution_id"] == iid) & (dash.figures["period_key"] == period_key)
    ].iloc[0]
    if dsh.is_na(now.get("rubric_outsider_mean")) and dsh.is_na(now.get("rubric_insider_mean")):
        st.info(f"n/a: {now.get('rubric_na_reason') or 'no submitted rubric'}.")
        return
    c = st.columns(3)
    for col, (label, column, kind) in zip(
        c,
        [
            ("Outsiders' mean (0–4)", "rubric_outsider_mean", "score"),
            ("Insiders' mean (0–4)", "rubric_insider_mean", "score"),
            ("Gap, insiders − outsiders", "rubric_gap", "gap"),
        ],
    ):
        v = now.get(column)
        col.metric(label, dsh.format_value(kind, v))
        if dsh.is_na(v):
            col.caption(f"n/a: {now.get('rubric_na_reason') or 'cannot be computed'}")
    sec = dash.rubric_sections[
        (dash.rubric_sections["institution_id"] == iid) & (dash.rubric_sections["round_id"] == rid)
    ]
    crit = dash.rubric[(dash.rubric["institution_id"] == iid) & (dash.rubric["round_id"] == rid)]
    titles = _section_titles()
    if not sec.empty:
        dsh.show(
            dsh.cached_figure(
                dash.key,
                "rubric-sections",
                (iid, period_key),
                lambda: figs.rubric_sections(sec, titles, title="By section"),
            ),
            sec,
            f"{iid} rubric sections",
            key="profile-rubric-sections",
        )
    if crit["gap"].notna().any():
        dsh.show(
            dsh.cached_figure(
                dash.key,
                "rubric-gaps",
                (iid, period_key),
                lambda: figs.criterion_gaps(
                    crit, title="Gap per criterion (criteria rated from both sides)"
                ),
            ),
            crit,
            f"{iid} rubric gaps",
            key="profile-rubric-gaps",
        )
    else:
        st.info("n/a: no criterion was rated from both perspectives in this round.")


def _section_titles() -> dict[str, str]:
    return dsh.section_titles()
