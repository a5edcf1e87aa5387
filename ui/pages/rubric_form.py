"""My assessments (monitor, insider): the rubric form for my assignments in a round,
criterion by criterion, with the collected figures beside the criteria they inform;
save draft, resume, submit; read-only after submit unless a facilitator reopens it."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from closer import auth, db
from rubrics import definition, figures
from rubrics import submissions as subs
from ui import data, session

TITLE = "My assessments"
ICON = ":material/edit_note:"
ORDER = 30
ROLES = ["monitor", "insider"]

FLASH_KEY = "rubric_form_flash"
PERSPECTIVE_LABEL = {"insider": "insider (self-assessment)", "outsider": "outsider (monitor)"}


@contextlib.contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection; stops the page with a note if the database is busy."""
    if not data.db_path().exists():
        st.warning(f"no database at {data.db_path()}: run `closer init` or `closer demo`")
        st.stop()
    try:
        with session.short_connection(read_only=True, wait=5.0) as con:
            yield con
    except db.DatabaseBusy:
        st.warning("A collection run is writing to the database; try again in a moment.")
        st.stop()


def submission_key(user: auth.User, institution_id: str, round_id: str) -> str:
    return f"rubric_sid:{user.user_id}:{institution_id}:{round_id}"


def save_form(
    user: auth.User | None,
    task: subs.Task,
    submission_id: str,
    scores: dict[str, tuple[Any, Any]],
    submit: bool,
) -> tuple[str, str]:
    """Save or submit through the database layer: ('success'|'error', what to tell the user)."""
    if user is None:
        return "error", (
            "**Not saved.** You were signed out (session expired or account "
            "disabled): log in again."
        )
    try:
        with session.short_connection() as con:
            res = subs.save(
                con,
                user,
                submission_id=submission_id,
                institution_id=task.institution_id,
                round_id=task.round_id,
                scores=scores,
                perspective=task.perspective,
                submit=submit,
            )
    except subs.SubmissionError as exc:
        return "error", (
            "**Not saved.** Fix this and try again:\n" + "\n".join(f"- {p}" for p in exc.problems)
        )
    except auth.PermissionDenied as exc:
        return "error", f"**Not saved.** {exc}"
    except definition.RubricError as exc:
        return "error", (
            "**Not saved.** The rubric definition cannot be used:\n"
            + "\n".join(f"- {e}" for e in exc.errors)
        )
    except db.DatabaseBusy:
        return "error", (
            "**Not saved.** The database is busy (a collection is writing). Your "
            "answers are still in the form: try again in a moment."
        )
    return "success", f"**Saved.** {res.message}"


def handle_save(
    user: auth.User | None,
    task: subs.Task,
    submission_id: str,
    scores: dict[str, tuple[Any, Any]],
    submit: bool,
) -> bool:
    """save_form, with its message kept for the next run of the page (show_flash)."""
    kind, text = save_form(user, task, submission_id, scores, submit)
    st.session_state[FLASH_KEY] = (kind, text)
    return kind == "success"


def show_flash() -> None:
    """Show (once) what the last save told the user."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])


def _on_save(task: subs.Task, submission_id: str, criterion_ids: list[str], submit: bool) -> None:
    # A callback: runs before the page, whatever the page shows next (even if the task is
    # gone from the list), with the user and roles re-read from the database.
    values = {
        cid: (
            st.session_state.get(f"score:{submission_id}:{cid}"),
            st.session_state.get(f"evidence:{submission_id}:{cid}"),
        )
        for cid in criterion_ids
    }
    handle_save(session.current_user(), task, submission_id, values, submit)


def _figures(task: subs.Task, round_row: pd.Series) -> dict[str, figures.Figure]:
    t0, t1, days = figures.window(round_row["starts_on"], round_row["ends_on"])
    try:
        df = data.query(
            figures.FIGURES_SQL, tuple(figures.query_params(task.institution_id, t0, t1))
        )
    except data.Unavailable as exc:
        return {
            k: figures.Figure(k, v[0], None, str(exc), v[1]) for k, v in figures.FIGURES.items()
        }
    return figures.figures_from_row(df.iloc[0].to_dict(), days)


def _fmt_time(t: dt.datetime | None) -> str:
    return f"{pd.Timestamp(t).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC" if t is not None else ""


def _read_only(rubric: definition.Rubric, sub: subs.Submission) -> None:
    st.info(
        f"Submitted at {_fmt_time(sub.submitted_at)}. This assessment is read-only; a "
        "facilitator can reopen it if something must change."
    )
    for section in rubric.sections:
        crits = [c for c in section.criteria if c.applies_to(sub.perspective)]
        if not crits:
            continue
        st.subheader(section.title)
        rows = []
        for c in crits:
            s = sub.scores.get(c.criterion_id)
            score = s.score if s else None
            rows.append(
                {
                    "criterion": c.title,
                    "score": "n/a (not scored)"
                    if score is None
                    else f"{score} – {c.levels[score]}",
                    "evidence": (s.evidence if s else None) or "",
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _form(
    user: auth.User,
    task: subs.Task,
    rubric: definition.Rubric,
    sub: subs.Submission | None,
    submission_id: str,
    figs: dict[str, figures.Figure],
) -> None:
    crits = rubric.criteria_for(task.perspective)
    if sub is None:
        st.caption(f"New assessment ({rubric.key}). Nothing is stored until you save a draft.")
    else:
        scored = sum(1 for s in sub.scores.values() if s.score is not None)
        st.caption(
            f"Draft last saved at {_fmt_time(sub.updated_at)}: {scored} of {len(crits)} "
            f"criteria scored ({rubric.key})."
        )
    with st.form(f"rubric_form:{submission_id}"):
        for section in rubric.sections:
            scs = [c for c in section.criteria if c.applies_to(task.perspective)]
            if not scs:
                continue
            st.subheader(section.title)
            if section.source:
                st.caption(f"Source: {section.source}")
            for c in scs:
                saved = sub.scores.get(c.criterion_id) if sub else None
                left, right = st.columns([3, 1])
                with left:
                    st.radio(
                        f"**{c.title}**",
                        options=list(range(5)),
                        index=saved.score if saved and saved.score is not None else None,
                        captions=list(c.levels),
                        help=c.guidance,
                        key=f"score:{submission_id}:{c.criterion_id}",
                    )
                    st.text_input(
                        "Evidence (link or note)" + (" – required" if c.evidence_required else ""),
                        value=(saved.evidence or "") if saved else "",
                        key=f"evidence:{submission_id}:{c.criterion_id}",
                    )
                with right:
                    if c.figures:
                        st.markdown("**Collected figures**")
                        for key in c.figures:
                            f = figs[key]
                            st.caption(f"{f.label}: {f.shown}", help=f.definition)
        ids = [c.criterion_id for c in crits]
        c1, c2, _ = st.columns([1, 1, 4])
        c1.form_submit_button(
            "Save draft", on_click=_on_save, args=(task, submission_id, ids, False)
        )
        c2.form_submit_button(
            "Submit", type="primary", on_click=_on_save, args=(task, submission_id, ids, True)
        )


def render() -> None:
    user = session.require_role(*ROLES)
    st.title("My assessments")
    st.caption(data.data_as_of())
    show_flash()
    with reading() as con:
        rounds = con.execute(
            "SELECT round_id, name, starts_on, ends_on FROM rounds ORDER BY starts_on"
        ).df()
        if rounds.empty:
            st.info("No monitoring rounds are registered yet (`closer registry load rounds.csv`).")
            return
        current = subs.current_round(con)
        ids = list(rounds["round_id"])
        round_id = st.selectbox(
            "Round",
            ids,
            index=ids.index(current) if current in ids else 0,
            format_func=lambda r: (
                rounds.set_index("round_id").loc[r, "name"] + (" (current)" if r == current else "")
            ),
        )
        tasks = subs.tasks(con, user, round_id)
        if not tasks:
            st.info(
                "Nothing assigned to you in this round. Monitors are assigned institutions "
                "per round by an admin; an insider assesses their own institution."
            )
            return
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "institution": f"{t.institution_name} ({t.institution_id})",
                        "perspective": PERSPECTIVE_LABEL[t.perspective],
                        "status": t.status,
                        "criteria scored": t.scored,
                        "submitted": _fmt_time(t.submitted_at),
                    }
                    for t in tasks
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        by_institution = {t.institution_id: t for t in tasks}
        pick = st.selectbox(
            "Assess",
            list(by_institution),
            format_func=lambda i: (
                f"{by_institution[i].institution_name} ({i}) – {by_institution[i].perspective}, "
                f"{by_institution[i].status}"
            ),
            key="rubric_task",
        )
        task = by_institution[pick]
        sub = subs.find(con, user.user_id, task.institution_id, task.round_id)
        try:
            rubric = subs.rubric_of(con, sub) if sub else definition.current()
        except definition.RubricError as exc:
            st.error(
                "The rubric definition cannot be used:\n" + "\n".join(f"- {e}" for e in exc.errors)
            )
            return
    key = submission_key(user, task.institution_id, task.round_id)
    if sub is not None:
        st.session_state[key] = sub.submission_id
    submission_id = st.session_state.setdefault(key, subs.new_submission_id())
    st.header(f"{task.institution_name}")
    st.caption(
        f"{PERSPECTIVE_LABEL[task.perspective]} · round {round_id} · "
        f"{len(rubric.criteria_for(task.perspective))} criteria, scored 0–4"
    )
    if sub is not None and sub.submitted:
        _read_only(rubric, sub)
        return
    round_row = rounds.set_index("round_id").loc[round_id]
    _form(user, task, rubric, sub, submission_id, _figures(task, round_row))
