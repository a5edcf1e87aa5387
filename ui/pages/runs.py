"""Runs (admin): collection runs with status, counts and errors per account."""

from __future__ import annotations

import streamlit as st

from ui import access, data

TITLE = "Runs"
ICON = ":material/sync:"
ORDER = 90
ROLES = ["admin"]

RUNS_SQL = """
SELECT run_id, kind, status, started_at, finished_at, accounts_total, accounts_ok,
       accounts_failed, posts, comments, requests, errors
FROM runs ORDER BY started_at DESC LIMIT 200
"""
ACCOUNTS_SQL = """
SELECT * FROM (
    SELECT ra.account_id, a.institution_id, ra.status AS run_status, ra.posts, ra.comments,
           ra.requests, string_agg(e.stage || ': ' || e.reason, '; ') AS errors
    FROM run_accounts ra
    LEFT JOIN accounts a ON a.account_id = ra.account_id
    LEFT JOIN run_errors e ON e.run_id = ra.run_id AND e.account_id = ra.account_id
    WHERE ra.run_id = ?
    GROUP BY ALL
) ORDER BY run_status = 'ok', account_id
"""
PROBLEM_ACCOUNTS_SQL = """
SELECT account_id, institution_id, platform, status, status_reason
FROM accounts WHERE status <> 'active' ORDER BY account_id
"""


def render() -> None:
    access.require_role("admin")
    st.title("Runs")
    st.caption(data.data_as_of())
    st.markdown(
        "Start a collection from a terminal (or cron, see docs/operations.md): "
        "`closer collect [--platform P] [--institution ID] [--since YYYY-MM-DD]`. "
        "The app keeps working during a run."
    )
    try:
        runs = data.query(RUNS_SQL)
    except data.Unavailable as exc:
        st.warning(str(exc))
        return
    if runs.empty:
        st.info("No runs yet.")
        return
    last = runs.iloc[0]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Last run", str(last["status"]))
    c2.metric("Accounts ok", f"{int(last['accounts_ok'])} / {int(last['accounts_total'])}")
    c3.metric("Posts stored", int(last["posts"]))
    c4.metric("Errors", int(last["errors"]))
    st.dataframe(runs, hide_index=True, use_container_width=True)
    problems = data.query(PROBLEM_ACCOUNTS_SQL)
    if not problems.empty:
        st.subheader("Accounts that need attention")
        st.dataframe(problems, hide_index=True, use_container_width=True)
    run_id = st.selectbox("Run", runs["run_id"], format_func=lambda r: f"{r} ({runs.set_index('run_id').loc[r, 'status']})")
    st.subheader("Accounts in this run")
    st.dataframe(data.query(ACCOUNTS_SQL, (run_id,)), hide_index=True, use_container_width=True)
