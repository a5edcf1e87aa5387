"""Closer's Streamlit app: a router only. Pages live in ui/pages/, one file each."""

from ui.router import run

run()
