"""The app's reads: short read-only connections, cached until the database changes.

A collection run holds the write lock only for short moments (docs/storage.md); if a read
still finds the database busy, the page shows the last data it had with a note instead
of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from closer import config, db


def db_path() -> Path:
    return config.db_path(os.environ.get("CLOSER_DB"))


class Unavailable(Exception):
    """No data can be read right now (no database yet, or a writer holds it)."""


@st.cache_data(show_spinner=False, max_entries=256)
def _query(path: str, version: tuple, sql: str, params: tuple) -> pd.DataFrame:
    with db.connect(path, read_only=True, wait=3.0) as con:
        return con.execute(sql, list(params)).df()


_last_good: dict[tuple, pd.DataFrame] = {}


def query(sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run a read-only query; cached per database version.

    If the database is busy, returns the last result for the same query and sets
    st.session_state['closer_busy'] so the page can say so.
    """
    p = db_path()
    if not p.exists():
        raise Unavailable(f"no database at {p}: run `closer init` or `closer demo`")
    key = (str(p), sql, tuple(params))
    try:
        df = _query(str(p), db.data_version(p), sql, tuple(params))
    except db.DatabaseBusy:
        st.session_state["closer_busy"] = True
        if key in _last_good:
            return _last_good[key]
        raise Unavailable("a collection run is writing to the database; try again in a moment") from None
    _last_good[key] = df
    return df


def scalar(sql: str, params: tuple | list = ()) -> Any:
    df = query(sql, params)
    return None if df.empty else df.iloc[0, 0]


def data_as_of() -> str:
    """'data as of <latest snapshot> (last collection finished <time>)', or why there is none."""
    try:
        df = query(
            "SELECT (SELECT max(snapshot_at) FROM account_snapshots) AS snap,"
            " (SELECT max(finished_at) FROM runs WHERE status IN ('ok', 'partial')) AS run"
        )
    except Unavailable as exc:
        return str(exc)
    snap, run = df.iloc[0]["snap"], df.iloc[0]["run"]
    if run is None or pd.isna(run):
        return "no collection has finished yet"
    run_s = f"{pd.Timestamp(run).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC"
    if snap is None or pd.isna(snap):
        return f"no snapshot stored yet (last collection finished {run_s})"
    return f"data as of {pd.Timestamp(snap).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC (last collection finished {run_s})"


def writer():
    """A short read-write connection for page actions (forms, overrides)."""
    return db.connect(db_path(), wait=10.0)
