"""Jury chair: progress (who has scored what), closing the round, the raw and normalised
rankings side by side with the tie-breaks, jurors' severity, the casting vote, shortlist,
awards, the audit log and the exports (results CSV, the HTML good-practice guide).

Every action goes through rubrics/jury/store.py, which checks again that the user chairs
this competition (or is an admin) and that the round is in the right state.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from closer import auth
from rubrics.jury import access, guide, store
from ui import charts, data, session
from ui.pages.jury_scoring import reading, write

TITLE = "Jury chair"
ICON = ":material/gavel:"
ORDER = 61
ROLES = ["chair", "admin"]

FLASH_KEY = "jury_chair_flash"


def _num(x: Any) -> str:
    return "n/a" if x is None or (isinstance(x, float) and pd.isna(x)) else f"{x:.2f}"


def _progress(rows: list[dict[str, Any]]) -> None:
    st.subheader("Progress")
    if not rows:
        st.info("No juror or no practice yet.")
        return
    df = pd.DataFrame(rows)
    expected = df[df["status"] != "recused"]
    done = int((expected["status"] == "submitted").sum())
    c1, c2, c3 = st.columns(3)
    c1.metric("Ballots submitted", f"{done} of {len(expected)}")
    c2.metric("Drafts", int((df["status"] == "draft").sum()))
    c3.metric("Recusals", int((df["status"] == "recused").sum()))
    st.dataframe(df.pivot(index="juror", columns="practice_id", values="status").reset_index(),
                 hide_index=True, width="stretch", key="jury_progress")
    st.caption("Statuses only: the chair's view of progress never shows the scores.")


def _rankings(view: store.ResultsView) -> pd.DataFrame:
    rows = pd.DataFrame(store.result_rows(view))
    st.subheader("Raw and normalised rankings")
    if view.provisional:
        st.warning("Provisional: the round is still open and ballots may change.")
    scored = rows[rows["rank"].notna()]
    left, right = st.columns(2)
    with left:
        st.markdown("**Raw** (mean of the jurors' weighted totals)")
        raw = scored.sort_values(["raw_rank", "practice_id"])
        st.dataframe(pd.DataFrame({
            "raw rank": raw["raw_rank"].astype(int), "practice": raw["practice_id"],
            "title": raw["title"], "raw score": raw["raw_score"].map(_num)}),
            hide_index=True, width="stretch", key="jury_raw_ranking")
    with right:
        st.markdown("**Normalised** (jurors' severity evened out; the official rank)")
        st.dataframe(pd.DataFrame({
            "rank": scored["rank"].astype(int), "practice": scored["practice_id"],
            "title": scored["title"], "normalised score": scored["normalised_score"].map(_num),
            "tie-break": scored["tie_break"]}),
            hide_index=True, width="stretch", key="jury_normalised_ranking")
    if not scored.empty:
        fig = go.Figure()
        for _, r in scored.iterrows():
            fig.add_trace(go.Scatter(x=["raw", "normalised"], y=[r["raw_rank"], r["rank"]],
                                     mode="lines+markers+text", name=r["practice_id"],
                                     text=["", r["practice_id"]], textposition="middle right"))
        fig.update_yaxes(autorange="reversed", title="rank", dtick=1)
        fig.update_layout(showlegend=False, margin={"t": 20}, height=360)
        charts.show(fig, scored[["practice_id", "raw_rank", "rank", "raw_score",
                                 "normalised_score"]], "jury ranks raw vs normalised",
                    key="jury_ranks")
    st.markdown("**All practices**")
    show = rows.copy()
    for col in ("raw_score", "normalised_score", "spread"):
        show[col] = show[col].map(_num)
    show["disagreement"] = show["disagreement"].map(
        lambda x: "n/a" if x is None or pd.isna(x) else ("yes" if x else "no"))
    for col in ("raw_rank", "rank"):
        show[col] = show[col].map(lambda x: "n/a" if x is None or pd.isna(x) else str(int(x)))
    show["award"] = show["award"].fillna("")
    st.dataframe(show, hide_index=True, width="stretch", key="jury_results_all")
    sev = view.results.jurors
    if sev:
        st.markdown("**Jurors' severity**")
        st.dataframe(pd.DataFrame([{
            "juror": view.usernames.get(j, j), "practices scored": s.practices,
            "mean total": _num(s.mean_total), "sd": _num(s.sd_total),
            "normalised": "yes" if s.normalised else "no (raw totals used)",
            "note": s.note or ""} for j, s in sorted(sev.items(), key=lambda kv:
                                                      view.usernames.get(kv[0], kv[0]))]),
            hide_index=True, width="stretch", key="jury_severity")
    return rows


def _casting_vote(user: auth.User, cid: str, view: store.ResultsView) -> None:
    open_ties = [g for t in view.results.ties for g in t.order if len(g) > 1]
    if not open_ties:
        return
    st.subheader("Casting vote")
    for i, g in enumerate(open_ties):
        st.warning(f"Tie left to the chair: {', '.join(g)}")
        with st.form(f"jury_cast:{cid}:{i}"):
            order = st.multiselect("Order, best first (pick each practice once)", g,
                                   key=f"jury_cast_order:{cid}:{i}")
            ok = st.form_submit_button("Cast the deciding vote")
        if ok:
            out = write("recorded", store.cast_vote, user, cid, order)
            if out is not None:
                st.session_state[FLASH_KEY] = f"**Casting vote recorded.** {out}"
                st.rerun()


def _shortlist_and_awards(user: auth.User, cid: str, view: store.ResultsView) -> None:
    comp = view.stored.competition
    pracs = view.practices
    st.subheader("Shortlist (the good-practice guide)")
    ranked = [r.practice_id for r in view.results.practices]
    with st.form(f"jury_shortlist:{cid}"):
        chosen = st.multiselect(
            "Practices in the guide", ranked, default=sorted(view.shortlist, key=ranked.index),
            format_func=lambda p: f"{p} – {pracs[p].title}", key=f"jury_shortlist_pick:{cid}")
        ok = st.form_submit_button("Save the shortlist")
    if ok:
        add = [p for p in chosen if p not in view.shortlist]
        drop = [p for p in view.shortlist if p not in chosen]
        done = True
        if add:
            done = write("saved", store.shortlist, user, cid, add) is not None
        if drop and done:
            done = write("saved", store.shortlist, user, cid, drop, remove=True) is not None
        if done:
            st.session_state[FLASH_KEY] = f"**Shortlist saved**: {len(chosen)} practices."
            st.rerun()
    st.subheader("Awards")
    if view.awards:
        st.dataframe(pd.DataFrame([{
            "practice": p, "title": pracs[p].title, "award": a["label"],
            "citation": a["citation"] or ""} for p, a in sorted(
                view.awards.items(), key=lambda kv: (kv[1]["place"] or 99, kv[0]))]),
            hide_index=True, width="stretch", key="jury_awards")
    with st.form(f"jury_award:{cid}"):
        pid = st.selectbox("Practice", ranked, format_func=lambda p: f"{p} – {pracs[p].title}",
                           key=f"jury_award_practice:{cid}")
        kind = st.radio("Award", ["place", "special mention", "remove the award"],
                        horizontal=True, key=f"jury_award_kind:{cid}")
        place = st.number_input(f"Place (1 to {comp.places})", min_value=1,
                                max_value=max(comp.places, 1), value=1, step=1,
                                key=f"jury_award_place:{cid}")
        mention = st.text_input("Special mention (its title)", key=f"jury_award_mention:{cid}")
        citation = st.text_area("Citation (the jury's words)", key=f"jury_award_citation:{cid}")
        ok = st.form_submit_button("Save the award")
    if ok:
        if kind == "remove the award":
            out = write("removed", store.remove_award, user, cid, pid)
            msg = f"**Award removed** from {pid}."
        else:
            out = write("saved", store.award, user, cid, pid,
                        place=int(place) if kind == "place" else None,
                        mention=(mention or "") if kind != "place" else None,
                        citation=citation or None)
            msg = f"**{pid}: {out}.**"
        if out is not None:
            st.session_state[FLASH_KEY] = msg
            st.rerun()


def render() -> None:
    user = session.require_role(*ROLES)
    st.title("Jury chair")
    st.caption(data.data_as_of())
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    with reading() as con:
        comps = [c for c in store.competitions_of(con, user)
                 if access.may_run(con, c["competition_id"], user)]
        if not comps:
            st.info("You chair no competition. A competition's definition names its chair "
                    "(`closer jury create FILE.yaml`).")
            return
        names = {c["competition_id"]: f"{c['name']} ({c['round_state']})" for c in comps}
        cid = st.selectbox("Competition", list(names), format_func=names.get,
                           key="jury_chair_competition")
        sc = store.competition(con, cid)
        comp = sc.competition
        members = store.roster(con, cid)
        progress = store.progress(con, user, cid)
        view = None
        why_not = None
        try:
            view = store.results(con, user, cid)
        except auth.PermissionDenied as exc:
            why_not = str(exc)
        audit = store.audit_log(con, user, cid)
        csv_text = store.results_csv(view) if view is not None else None
        html = guide.guide_html(con, user, cid) if view is not None and not sc.is_open else None
    st.caption(
        f"{comp.key} · scale {comp.scale.describe()} · criteria "
        + ", ".join(f"{c.name} {comp.share(c)}" for c in comp.criteria)
        + " · tie-break: " + ", then ".join(r.describe() for r in comp.tie_break))
    jurors = [m["username"] + ("" if m["user_id"] else " (no user account)")
              for m in members if m["member_role"] == "juror"]
    st.markdown(f"**Jury:** {', '.join(jurors)} · **chair:** {comp.chair}")
    if comp.timeline:
        st.caption(" · ".join(f"{k.replace('_', ' ')} {v}" for k, v in comp.timeline.items()))
    _progress(progress)
    if sc.is_open:
        st.subheader("Close the round")
        st.caption("Closing stops scoring, freezes the recusals and shows the results to the "
                   "jurors. Drafts are not counted. It cannot be undone.")
        with st.form(f"jury_close:{cid}"):
            sure = st.checkbox("I confirm: close the round now", key=f"jury_close_sure:{cid}")
            ok = st.form_submit_button("Close the round", type="primary")
        if ok:
            if not sure:
                st.error("**Not closed.** Tick the confirmation first.")
            else:
                out = write("closed", store.close_round, user, cid)
                if out is not None:
                    st.session_state[FLASH_KEY] = (
                        f"**Round closed**: {out['ballots_counted']} ballots counted, "
                        f"{out['drafts_not_counted']} drafts not counted.")
                    st.rerun()
    else:
        st.info(f"Round closed on {sc.closed_at:%Y-%m-%d %H:%M} UTC.")
    if view is None:
        st.info(why_not or "n/a")
    else:
        _rankings(view)
        if not sc.is_open:
            _casting_vote(user, cid, view)
            _shortlist_and_awards(user, cid, view)
    st.subheader("Exports")
    c1, c2, _ = st.columns([1, 1, 3])
    if csv_text is not None:
        c1.download_button("Results (CSV)", data=csv_text.encode("utf-8"),
                           file_name=f"{cid}_results.csv", mime="text/csv",
                           key="jury_export_csv", on_click="ignore")
    if html is not None:
        c2.download_button("Good-practice guide (HTML)", data=html.encode("utf-8"),
                           file_name=f"{cid}_guide.html", mime="text/html",
                           key="jury_export_html", on_click="ignore")
    else:
        c2.caption("The guide is ready once the round is closed.")
    st.subheader("Audit log")
    log_df = pd.DataFrame(audit, columns=["audit_id", "occurred_at", "actor", "action",
                                          "practice_id", "juror", "detail"])
    st.dataframe(log_df.fillna(""), hide_index=True, width="stretch", key="jury_audit")
