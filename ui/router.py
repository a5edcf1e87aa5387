"""Builds st.navigation from the page modules in ui/pages/.

Each page module declares TITLE, ICON, ORDER and ROLES (None: everyone) and a
`render()` function. Role checks happen on the server: a page the user may not open is
not registered at all, and pages check again in render().
"""

from __future__ import annotations

import importlib
import pkgutil

import streamlit as st

import ui.pages as pages_pkg
from ui import session


def page_modules() -> list:
    mods = []
    for info in pkgutil.iter_modules(pages_pkg.__path__):
        mod = importlib.import_module(f"ui.pages.{info.name}")
        if hasattr(mod, "render"):
            mods.append(mod)
    mods.sort(key=lambda m: (getattr(m, "ORDER", 100), m.__name__))
    return mods


def run() -> None:
    st.set_page_config(page_title="Closer", page_icon=":material/account_balance:", layout="wide")
    user = session.current_user()
    visible = []
    for mod in page_modules():
        roles = getattr(mod, "ROLES", None)
        if roles is None or (user is not None and set(user.roles) & set(roles)):
            visible.append(
                st.Page(mod.render, title=mod.TITLE, icon=getattr(mod, "ICON", None), url_path=mod.__name__.rsplit(".", 1)[-1], default=getattr(mod, "DEFAULT", False))
            )
    session.sidebar(user)
    nav = st.navigation(visible)
    nav.run()
