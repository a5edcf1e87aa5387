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
    """'data as of <time of the last finished run>' or a note that there is none."""
    try:
        t = scalar("SELECT max(finished_at) FROM runs WHERE status IN ('ok', 'partial')")
    except Unavailable as exc:
        return str(exc)
    if t is None or pd.isna(t):
        return "no collection has finished yet"
    return f"data as of {pd.Timestamp(t).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC"


def writer():
    """A short read-write connection for page actions (forms, overrides)."""
    return db.connect(db_path(), wait=10.0)
