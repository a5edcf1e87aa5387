"""Insider vs outsider (facilitator, admin): the gap per criterion and the agreement among
raters, per institution and across institutions, change between rounds; reopen
submissions. Definitions in docs/rubric.md."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from closer import auth, db
from rubrics import agreement, results
from rubrics import submissions as subs
from ui import charts, data, session, theme

TITLE = "Insider vs outsider"
ICON = ":material/balance:"
ORDER = 40
ROLES = ["facilitator", "admin"]

SUBMISSIONS_SQL = """
SELECT s.submission_id, u.username AS rater, s.institution_id, s.perspective, s.status,
       s.source, s.rubric_id || ' v' || s.rubric_version AS rubric, s.submitted_at,
       s.updated_at, (SELECT count(*) FROM rubric_reopenings r
                      WHERE r.submission_id = s.submission_id) AS reopened
FROM rubric_submissions s JOIN users u USING (user_id)
WHERE s.round_id = ?
ORDER BY s.institution_id, s.perspective, u.username
"""
ROUNDS_SQL = """
SELECT r.round_id, r.name, r.starts_on,
       (SELECT count(*) FROM rubric_submissions s
        WHERE s.round_id = r.round_id AND s.status = 'submitted') AS submitted
FROM rounds r ORDER BY r.starts_on
"""
SEED_NOTE = (
    "Seed 000: 76.5% of the civil servants believed citizens were satisfied with the "
    "institutions' communication, against 33.8% of the citizens. The gap is insider mean − "
    "outsider mean on the 0–4 scale: positive when insiders rate their institution higher."
)
ALPHA_NOTE = (
    "Krippendorff's alpha (ordinal): 1 = raters agree perfectly, 0 = no better than chance, "
    "below 0 = systematic disagreement. Krippendorff suggests relying on α ≥ 0.800 and "
    "drawing only tentative conclusions for 0.667 ≤ α < 0.800. Units are (institution, "
    "criterion) pairs; a unit rated by one rater only adds nothing."
)


def _na_shown(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers to 2 decimals as text, NULL as 'n/a' (a column must keep one type for Arrow)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = [("n/a" if pd.isna(v) else f"{v:.2f}") for v in out[c]]
    return out


def _round_picker(rounds: pd.DataFrame, label: str, key: str, default: str | None) -> str:
    ids = list(rounds["round_id"])
    names = rounds.set_index("round_id")
    return st.selectbox(
        label,
        ids,
        index=ids.index(default) if default in ids else 0,
        key=key,
        format_func=lambda r: (
            f"{names.loc[r, 'name']} ({int(names.loc[r, 'submitted'])} submitted)"
        ),
    )


def _agreement(round_id: str) -> pd.DataFrame:
    rows = data.query(agreement.RATINGS_SQL, (round_id,))
    return pd.DataFrame(
        agreement.agreement_rows(rows.itertuples(index=False), round_id),
        columns=results.AGREEMENT_COLUMNS,
    )


def _gap_chart(df: pd.DataFrame, title: str) -> go.Figure:
    d = df.dropna(subset=["gap"]).copy()
    d["label"] = d["criterion_title"]
    fig = px.bar(
        d,
        x="gap",
        y="label",
        orientation="h",
        color="gap",
        color_continuous_scale="RdBu_r",
        range_color=(-4, 4),
        labels={"gap": "gap (insider mean − outsider mean, 0–4 scale)", "label": ""},
        title=title,
    )
    fig.update_layout(
        yaxis={"autorange": "reversed"},
        height=max(320, 26 * len(d) + 120),
        margin={"t": 50, "l": 10},
        coloraxis_showscale=False,
    )
    fig.add_vline(x=0, line_color="grey")
    return fig


def _means_chart(df: pd.DataFrame, title: str) -> go.Figure:
    d = df.copy()
    fig = px.bar(
        d,
        x="mean",
        y="criterion_title",
        color="perspective",
        barmode="group",
        orientation="h",
        range_x=(0, 4),
        title=title,
        color_discrete_map=theme.PERSPECTIVE_COLOURS,
        hover_data=["median", "raters"],
        labels={"mean": "mean score (0–4)", "criterion_title": "", "perspective": ""},
    )
    fig.update_layout(
        yaxis={"autorange": "reversed"},
        height=max(320, 30 * d["criterion_title"].nunique() + 140),
        margin={"t": 50, "l": 10},
        legend_orientation="h",
        legend_y=-0.1,
    )
    return fig


def _alpha_chart(df: pd.DataFrame, x: str, title: str) -> go.Figure:
    d = df.dropna(subset=["alpha_ordinal"])
    fig = px.bar(
        d,
        x=x,
        y="alpha_ordinal",
        color="perspective",
        barmode="group",
        title=title,
        range_y=(min(-0.2, float(d["alpha_ordinal"].min()) - 0.05) if len(d) else -0.2, 1),
        color_discrete_map=theme.PERSPECTIVE_COLOURS,
        hover_data=["units", "raters"],
        labels={"alpha_ordinal": "Krippendorff's α (ordinal)", x: ""},
    )
    for y, dash in ((0.8, "solid"), (0.667, "dot")):
        fig.add_hline(y=y, line_dash=dash, line_color="grey")
    fig.update_layout(margin={"t": 50}, legend_orientation="h", legend_y=-0.2)
    return fig


def _na_list(df: pd.DataFrame) -> None:
    na = df[df["alpha_ordinal"].isna()]
    for _, r in na.iterrows():
        where = r["institution_id"] if isinstance(r["institution_id"], str) else "all institutions"
        st.caption(f"α n/a for {r['perspective']}s, {where}: {r['reason']}")


REOPEN_FLASH_KEY = "results_reopen_flash"


def _on_reopen() -> None:
    # A callback: runs before the page, so the table below already shows the change.
    user = session.current_user()
    sid = st.session_state.get("reopen_sid")
    reason = st.session_state.get("reopen_reason") or ""
    try:
        with session.short_connection() as con:
            sub = subs.reopen(con, user, sid, reason)
    except (subs.SubmissionError, auth.PermissionDenied) as exc:
        st.session_state[REOPEN_FLASH_KEY] = ("error", f"**Not reopened.** {exc}")
        return
    except db.DatabaseBusy:
        st.session_state[REOPEN_FLASH_KEY] = (
            "error",
            "**Not reopened.** The database is busy; try again in a moment.",
        )
        return
    st.session_state["reopen_reason"] = ""
    st.session_state[REOPEN_FLASH_KEY] = (
        "success",
        f"**Reopened.** {sub.username} can edit {sub.institution_id} and submit again.",
    )


def _reopen(round_id: str) -> None:
    flash = st.session_state.pop(REOPEN_FLASH_KEY, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    subs_df = data.query(SUBMISSIONS_SQL, (round_id,))
    st.dataframe(subs_df, hide_index=True, width="stretch")
    submitted = subs_df[subs_df["status"] == "submitted"]
    if submitted.empty:
        st.caption("No submitted assessment to reopen in this round.")
        return
    with st.form("reopen_form"):
        labels = {
            r.submission_id: f"{r.rater} – {r.institution_id} ({r.perspective})"
            for r in submitted.itertuples()
        }
        st.selectbox(
            "Reopen a submitted assessment", list(labels), format_func=labels.get, key="reopen_sid"
        )
        st.text_input("Reason (logged)", key="reopen_reason")
        st.form_submit_button("Reopen", on_click=_on_reopen)


def render() -> None:
    session.require_role(*ROLES)
    st.title("Insider vs outsider")
    try:
        rounds = data.query(ROUNDS_SQL)
    except data.Unavailable as exc:
        st.warning(str(exc))
        return
    st.caption(data.data_as_of())
    if rounds.empty:
        st.info("No monitoring rounds registered yet.")
        return
    with_subs = rounds[rounds["submitted"] > 0]
    default = with_subs["round_id"].iloc[-1] if len(with_subs) else None
    round_id = _round_picker(rounds, "Round", "results_round", default)
    crit = data.query(results.CRITERION_SQL, (round_id,))
    tab_gap, tab_inst, tab_agree, tab_change, tab_subs = st.tabs(
        [
            "Gap across institutions",
            "Per institution",
            "Agreement",
            "Change between rounds",
            "Submissions",
        ]
    )
    with tab_subs:
        _reopen(round_id)
    if crit.empty:
        for t in (tab_gap, tab_inst, tab_agree, tab_change):
            t.info("n/a: no submitted assessment in this round yet.")
        return
    n = crit.groupby("perspective")["raters"].max()
    with tab_gap:
        st.caption(SEED_NOTE)
        across = data.query(results.ACROSS_SQL, (round_id,))
        if across.empty:
            st.info("n/a: no institution was assessed by both insiders and outsiders this round.")
        else:
            c1, c2, c3 = st.columns(3)
            c1.metric("Institutions with both views", int(across["institutions"].max()))
            c2.metric("Mean gap, all criteria", f"{across['gap'].mean():+.2f}")
            c3.metric(
                "Largest gap",
                f"{across['gap'].max():+.2f}",
                help=across.loc[across["gap"].idxmax(), "criterion_title"],
            )
            charts.show(
                _gap_chart(across, f"Gap per criterion, {round_id}, across institutions"),
                across,
                f"gap-across-{round_id}",
            )
    with tab_inst:
        insts = sorted(crit["institution_id"].unique())
        inst = st.selectbox("Institution", insts, key="results_institution")
        d = crit[crit["institution_id"] == inst]
        st.caption(
            f"Raters: up to {int(n.get('insider', 0))} insiders and "
            f"{int(n.get('outsider', 0))} outsiders per institution."
        )
        charts.show(
            _means_chart(d, f"{inst}: mean score per criterion, {round_id}"),
            d,
            f"means-{inst}-{round_id}",
        )
        g = d.drop_duplicates("criterion_id")
        if g["gap"].notna().any():
            charts.show(
                _gap_chart(g, f"{inst}: gap per criterion, {round_id}"), g, f"gap-{inst}-{round_id}"
            )
        else:
            st.info("Gap n/a: this institution was not assessed from both perspectives.")
        sec = data.query(results.SECTION_SQL, (round_id,))
        st.markdown("**Per section** (mean and median of each rater's section mean)")
        st.dataframe(
            _na_shown(sec[sec["institution_id"] == inst]), hide_index=True, width="stretch"
        )
        show = d[["section_id", "criterion_id", "perspective", "mean", "median", "raters", "gap"]]
        st.dataframe(_na_shown(show), hide_index=True, width="stretch")
    with tab_agree:
        st.caption(ALPHA_NOTE)
        agr = _agreement(round_id)
        overall = agr[agr["institution_id"].isna()].assign(scope="all institutions")
        if overall["alpha_ordinal"].notna().any():
            charts.show(
                _alpha_chart(overall, "scope", f"Agreement across institutions, {round_id}"),
                overall,
                f"alpha-{round_id}",
            )
        per = agr[agr["institution_id"].notna()]
        if per["alpha_ordinal"].notna().any():
            charts.show(
                _alpha_chart(
                    per,
                    "institution_id",
                    f"Agreement per institution (over its criteria), {round_id}",
                ),
                per,
                f"alpha-per-institution-{round_id}",
            )
        _na_list(agr)
    with tab_change:
        others = rounds[rounds["round_id"] != round_id]
        if others.empty:
            st.info("n/a: only one round is registered.")
            return
        earlier = others[
            others["starts_on"] < rounds.set_index("round_id").loc[round_id, "starts_on"]
        ]
        base = earlier["round_id"].iloc[0] if len(earlier) else others["round_id"].iloc[0]
        from_round = _round_picker(others, "Compare with", "results_from_round", base)
        before = data.query(results.ACROSS_SQL, (from_round,))
        now = data.query(results.ACROSS_SQL, (round_id,))
        if before.empty or now.empty:
            st.info(
                f"n/a: {from_round if before.empty else round_id} has no institution "
                "assessed from both perspectives."
            )
        else:
            both = pd.concat([before.assign(round=from_round), now.assign(round=round_id)])
            fig = px.bar(
                both,
                x="gap",
                y="criterion_title",
                color="round",
                barmode="group",
                orientation="h",
                title=f"Gap per criterion: {from_round} → {round_id}",
                labels={"gap": "gap (insider − outsider)", "criterion_title": ""},
            )
            fig.update_layout(
                yaxis={"autorange": "reversed"},
                height=max(320, 30 * both["criterion_title"].nunique() + 140),
                legend_orientation="h",
                legend_y=-0.1,
                margin={"t": 50, "l": 10},
            )
            charts.show(fig, both, f"gap-change-{from_round}-{round_id}")
        a0 = _agreement(from_round)
        a1 = _agreement(round_id)
        al = pd.concat([a0, a1])
        al = al[al["institution_id"].isna()]
        if al["alpha_ordinal"].notna().any():
            fig = px.bar(
                al.dropna(subset=["alpha_ordinal"]),
                x="perspective",
                y="alpha_ordinal",
                color="round_id",
                barmode="group",
                title=f"Agreement: {from_round} → {round_id}",
                labels={"alpha_ordinal": "Krippendorff's α (ordinal)", "round_id": "round"},
            )
            charts.show(fig, al, f"alpha-change-{from_round}-{round_id}")
        _na_list(al)
