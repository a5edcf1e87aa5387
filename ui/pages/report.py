"""Workshop report (facilitator, admin): one self-contained HTML file for a location and a
round — the comparison, each institution's profile and the definitions — to send before the
workshop or print for the room. Built by ui.report.build_html()."""

from __future__ import annotations

import re

import streamlit as st

from ui import access, data, report
from ui import dashboard as dsh

TITLE = "Workshop report"
ICON = ":material/description:"
ORDER = 18
ROLES = ["facilitator", "admin"]

RESULT_KEY = "report_result"
IMAGES = {
    "interactive": "interactive charts (quick; open in any browser, print to PDF from there)",
    "png": "PNG images (for e-mail or printing; takes about a second a chart)",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def render() -> None:
    access.require_role("facilitator", "admin")
    st.title("Workshop report")
    st.caption(data.data_as_of())
    dash = dsh.load_for_page("report")
    if dash is None:
        return
    ws = dsh.workshop()
    regions = sorted(dash.institutions["region"].dropna().unique())
    keys = list(dash.periods["period_key"])
    st.markdown(
        "A report for one location and one round: **1.** the comparison of its institutions, "
        "**2.** each institution's profile, **3.** the definitions of every figure."
    )
    c1, c2 = st.columns(2)
    region = c1.selectbox(
        "Location",
        regions,
        index=regions.index(ws["region"]) if ws.get("region") in regions else 0,
        key="report_region",
    )
    pk = ws.get("period_key") if ws.get("period_key") in keys else dsh.default_period(dash)
    period_key = c2.selectbox(
        "Round", keys, index=keys.index(pk), format_func=dash.period_label, key="report_round"
    )
    c3, c4 = st.columns(2)
    images = c3.radio("Charts as", list(IMAGES), format_func=IMAGES.get, key="report_images")
    anonymise = c4.toggle(
        "Anonymise institutions (A, B, C…)",
        key="report_anonymise",
        help="Names, types, account handles and links to posts are left out",
    )
    ws.update({"region": region, "period_key": period_key})
    ids = list(dash.institutions.loc[dash.institutions["region"] == region, "institution_id"])
    st.caption(
        f"{len(ids)} institutions: "
        + ", ".join(dsh.labels(dash, ids, anonymise=anonymise).values())
    )
    wanted = (region, period_key, images, anonymise, dash.as_of)
    if st.button("Build the report", type="primary", key="report_build"):
        with st.spinner("Building the report…"):
            try:
                profiles = report.gather(data.query, dash, ids, period_key)
            except data.Unavailable as exc:
                st.warning(str(exc))
                return
            text = report.build_html(
                dash,
                region,
                period_key,
                profiles,
                anonymise=anonymise,
                images=images,
                as_of_text=data.data_as_of(),
            )
        st.session_state[RESULT_KEY] = (wanted, text.encode("utf-8"))
    done = st.session_state.get(RESULT_KEY)
    if done and done[0] == wanted:
        body = done[1]
        name = f"workshop-{_slug(region)}-{_slug(period_key.removeprefix('round:'))}" + (
            "-anonymous" if anonymise else ""
        )
        st.success(f"Report ready: {len(body) / 1e6:.1f} MB, {len(ids)} institution profiles.")
        st.download_button(
            "Download the report (HTML)",
            data=body,
            file_name=f"{name}.html",
            mime="text/html",
            key="report_download",
            on_click="ignore",
            type="primary",
        )
    elif done:
        st.info("The choices changed since the last build: build the report again.")
