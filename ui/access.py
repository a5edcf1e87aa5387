"""Page-level role checks, made on the server each time a page renders."""

from __future__ import annotations

import streamlit as st

from ui import session


def require_role(*roles: str):
    """Stop the page unless the current user has one of `roles`; returns the user."""
    user = session.current_user()
    if user is None or not set(user.roles) & set(roles):
        st.error("You do not have access to this page.")
        st.stop()
    return user
