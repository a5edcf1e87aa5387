"""Who is using the app. Without login (the Users and roles part replaces this), the
app is read-only for everyone: pages that need a role are not shown."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st


@dataclass
class User:
    user_id: str
    username: str
    roles: list[str] = field(default_factory=list)
    institution_id: str | None = None
    display_name: str | None = None


def current_user() -> User | None:
    return st.session_state.get("closer_user")


def sidebar(user: User | None) -> None:
    from ui.data import data_as_of

    with st.sidebar:
        st.caption(data_as_of())
        if st.session_state.get("closer_busy"):
            st.info("A collection is in progress: showing the last data read.")
