"""Jury scoring (juror): score each nominated practice on the competition's criteria, blind.

A juror sees only their own scores until the chair closes the round; a practice they are
recused from shows why and can be neither scored nor seen. Beside the ballot, a read-only
evidence panel with what Closer already has for the nominating institution. Every rule is
enforced again in the database layer (rubrics/jury/store.py), not only here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from closer import auth, db
from rubrics.jury import access, definition, evidence, store
from rubrics.jury.definition import Competition
from ui import data, session

TITLE = "Jury scoring"
ICON = ":material/military_tech:"
ORDER = 60
ROLES = ["juror"]

FLASH_KEY = "jury_scoring_flash"
NOT_SCORED = "—"


@contextlib.contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection; stops the page with a note if the database is busy."""
    try:
        con = db.open_connection(data.db_path(), read_only=True, wait=5.0)
    except db.DatabaseMissing as exc:
        st.warning(str(exc))
        st.stop()
    except db.DatabaseBusy:
        st.warning("A collection run is writing to the database; try again in a moment.")
        st.stop()
    try:
        yield con
    finally:
        con.close()


def submission_key(user: auth.User, competition_id: str, practice_id: str) -> str:
    return f"jury_sid:{user.user_id}:{competition_id}:{practice_id}"


def fmt_score(x: Any) -> str:
    """A score as shown: 7, 6.5, or "—" when not scored."""
    if x is None or isinstance(x, str) or (isinstance(x, float) and pd.isna(x)):
        return NOT_SCORED
    return f"{float(x):g}"


def write(action: str, fn, *args: Any, **kwargs: Any) -> Any:
    """Run a store write in a short read-write connection; tells the user if it failed."""
    try:
        with data.writer() as con:
            return fn(con, *args, **kwargs)
    except store.JuryError as exc:
        st.error(f"**Not {action}.** " + "\n".join(f"- {e}" for e in exc.errors))
    except auth.PermissionDenied as exc:
        st.error(f"**Not {action}.** {exc}")
    except db.DatabaseBusy:
        st.error(f"**Not {action}.** The database is busy (a collection is writing); your "
                 "entries are still in the form: try again in a moment.")
    return None


@st.cache_data(show_spinner=False, max_entries=16)
def _levels(path: str, version: tuple, competition_json: str) -> dict | str:
    """Continuum and ladder of every institution over the evidence period (metrics module),
    computed once per database version and competition."""
    with db.connect(path, read_only=True, wait=5.0) as con:
        return evidence.level_results(con, definition.from_json(competition_json))


def evidence_panel(con: duckdb.DuckDBPyConnection, comp: Competition, institution_id: str) -> None:
    """The read-only evidence for the nominating institution."""
    start, end = evidence.evidence_period(comp)
    path = data.db_path()
    levels = _levels(str(path), db.data_version(path), definition.to_json(comp))
    items = evidence.evidence(con, comp, institution_id, levels)
    st.markdown(f"**Evidence from Closer** ({start:%Y-%m-%d} to {end:%Y-%m-%d}, read-only)")
    st.dataframe(
        pd.DataFrame([{"figure": i.label, "value": i.shown, "definition": i.definition}
                      for i in items]),
        hide_index=True, width="stretch", key=f"evidence:{institution_id}")


def _ballot_form(
    user: auth.User, comp: Competition, practice_id: str, mine: dict[str, Any] | None
) -> None:
    key = submission_key(user, comp.competition_id, practice_id)
    sid = st.session_state.setdefault(key, store.new_submission_id())
    submitted = bool(mine and mine["status"] == "submitted")
    if submitted:
        st.info("Submitted: counted when the round closes. Submit again to change it.")
    elif mine:
        st.caption("Draft saved: not counted until you submit.")
    options = [NOT_SCORED] + comp.scale.levels()
    with st.form(f"jury_ballot:{comp.competition_id}:{practice_id}"):
        values: dict[str, Any] = {}
        comments: dict[str, str] = {}
        for c in comp.criteria:
            saved = (mine or {}).get("scores", {}).get(c.criterion_id)
            left, right = st.columns([1, 2])
            with left:
                pick = st.selectbox(
                    f"**{c.name}** (weight {comp.share(c)})",
                    options, index=options.index(saved) if saved in options else 0,
                    format_func=fmt_score, help=c.description,
                    key=f"jury_score:{comp.competition_id}:{practice_id}:{c.criterion_id}")
            with right:
                note = st.text_input(
                    "Comment (optional)",
                    value=((mine or {}).get("comments", {}).get(c.criterion_id) or ""),
                    key=f"jury_comment:{comp.competition_id}:{practice_id}:{c.criterion_id}")
            values[c.criterion_id] = None if pick == NOT_SCORED else pick
            comments[c.criterion_id] = note
        c1, c2, _ = st.columns([1, 1, 4])
        draft = c1.form_submit_button("Save draft", disabled=submitted)
        final = c2.form_submit_button("Submit", type="primary")
    if draft or final:
        out = write("saved", store.save_ballot, user, comp.competition_id, practice_id, values,
                    submission_id=sid, submit=final, comments=comments, source="page")
        if out is not None:
            st.session_state[key] = store.new_submission_id()
            what = "Submitted" if final else "Draft saved"
            st.session_state[FLASH_KEY] = (
                f"**{what}** ({practice_id})." if out != "duplicate"
                else f"**Already saved** ({practice_id}): this form was sent twice.")
            st.rerun()


def _conflict_form(user: auth.User, competition_id: str, practice_id: str) -> None:
    with st.expander("Declare a conflict of interest with this practice"):
        with st.form(f"jury_conflict:{competition_id}:{practice_id}"):
            reason = st.text_input("Reason (kept in the audit log)")
            ok = st.form_submit_button("Declare the conflict and step back")
        if ok and write("declared", store.declare_conflict, user, competition_id, practice_id,
                        reason or None) is not None:
                st.session_state[FLASH_KEY] = (f"**Conflict declared**: you are recused from "
                                               f"{practice_id}.")
                st.rerun()


def _my_table(comp: Competition, pracs: dict[str, store.Practice], mine: dict, rec: dict,
              user: auth.User) -> pd.DataFrame:
    rows = []
    for pid, p in pracs.items():
        b = mine.get(pid)
        row = {"practice": pid, "title": p.title}
        if user.user_id in rec.get(pid, {}):
            row["status"] = "recused"
        else:
            row["status"] = b["status"] if b else "not started"
        for c in comp.criteria:
            row[c.criterion_id] = fmt_score(b["scores"].get(c.criterion_id)) if b else NOT_SCORED
        rows.append(row)
    return pd.DataFrame(rows)


def render() -> None:
    user = session.require_role(*ROLES)
    st.title("Jury scoring")
    st.caption(data.data_as_of())
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    with reading() as con:
        mine_comps = [c for c in store.competitions_of(con, user)
                      if "juror" in access.membership(con, c["competition_id"], user)]
        if not mine_comps:
            st.info("You are not a juror of any competition. The chair's definition names the "
                    "jurors (`closer jury create FILE.yaml`).")
            return
        ids = [c["competition_id"] for c in mine_comps]
        names = {c["competition_id"]: f"{c['name']} ({c['round_state']})" for c in mine_comps}
        cid = st.selectbox("Competition", ids, format_func=names.get, key="jury_competition")
        sc = store.competition(con, cid)
        comp = sc.competition
        pracs = store.practices(con, cid)
        rec = store.recusals(con, cid)
        mine = store.my_ballots(con, user, cid)
        st.caption(
            f"Scale {comp.scale.describe()} · {len(comp.criteria)} criteria · tie-break: "
            + ", then ".join(r.describe() for r in comp.tie_break)
            + (f" · scoring closes {comp.timeline['scoring_close']}"
               if "scoring_close" in comp.timeline else ""))
        if sc.is_open:
            st.info("Blind scoring: you see only your own scores. The others' scores and the "
                    "results appear when the chair closes the round.")
        else:
            st.warning(f"The round is closed ({sc.closed_at:%Y-%m-%d}): scores can no longer "
                       "change. The results are below.")
        if not pracs:
            st.info("No practice has been nominated yet.")
            return
        st.subheader("My ballots")
        st.dataframe(_my_table(comp, pracs, mine, rec, user), hide_index=True,
                     width="stretch", key="jury_my_ballots")

        def label(pid: str) -> str:
            status = ("recused" if user.user_id in rec.get(pid, {})
                      else (mine[pid]["status"] if pid in mine else "not started"))
            return f"{pid} – {pracs[pid].title} ({status})"

        pid = st.selectbox("Practice", list(pracs), format_func=label, key=f"jury_practice:{cid}")
        p = pracs[pid]
        st.header(p.title)
        st.caption(f"{p.institution_name or p.institution_id} · {p.region or 'region n/a'}"
                   + (f" · category {p.category_id}" if p.category_id else ""))
        if p.description:
            st.write(p.description)
        if p.links:
            st.markdown(" · ".join(f"[{u}]({u})" for u in p.links))
        reasons = rec.get(pid, {}).get(user.user_id)
        if reasons:
            st.error(f"You are recused from this practice ({'; '.join(reasons)}): you can "
                     "neither score it nor see its scores.")
        else:
            evidence_panel(con, comp, p.institution_id)
        others: list[dict[str, Any]] = []
        view = None
        if not sc.is_open:
            others = [r for r in store.visible_scores(con, user, cid)
                      if r["juror_id"] != user.user_id and r["practice_id"] == pid]
            view = store.results(con, user, cid)
    if not reasons and sc.is_open:
        _ballot_form(user, comp, pid, mine.get(pid))
        _conflict_form(user, cid, pid)
    elif not reasons:
        st.subheader("Other jurors' scores for this practice")
        if others:
            df = pd.DataFrame(others)
            df["score"] = df["score"].map(fmt_score)
            st.dataframe(df.pivot_table(index="juror", columns="criterion_id", values="score",
                                        aggfunc="first").reset_index(),
                         hide_index=True, width="stretch", key="jury_others")
        else:
            st.info("No other juror's submitted ballot for this practice.")
    if view is not None:
        st.subheader("Results")
        rows = pd.DataFrame(store.result_rows(view))
        for col in ("raw_score", "normalised_score", "spread"):
            rows[col] = rows[col].map(lambda x: "n/a" if x is None or pd.isna(x) else f"{x:.2f}")
        st.dataframe(rows[["rank", "practice_id", "title", "normalised_score", "raw_rank",
                           "raw_score", "jurors", "recused", "spread", "tie_break", "notes"]],
                     hide_index=True, width="stretch", key="jury_results")
