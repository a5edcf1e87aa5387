"""Presentation (facilitator, admin): for a projector — large type, one chart per screen,
previous / next, no sidebar; institutions can be anonymised (A, B, C…) for a room where
they should not be named. The slides are ui.report.slides(); each exports as PNG and CSV."""

from __future__ import annotations

import html

import streamlit as st

from ui import access, data, report
from ui import dashboard as dsh

TITLE = "Presentation"
ICON = ":material/slideshow:"
ORDER = 17
ROLES = ["facilitator", "admin"]

SLIDE_KEY = "present_slide"
SCREEN_PX = 580  # a chart's height: one slide fits a 1280×800 projector without scrolling
ALL = "All locations"

# Full screen for a projector: no sidebar, no toolbar, larger type everywhere.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {
  display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
  padding-top: 1.2rem !important; max-width: 100% !important; }
.present-title { font-size: 2.9rem; font-weight: 700; line-height: 1.15;
  margin: 0.2rem 0 0.3rem 0; }
.present-sub { font-size: 1.45rem; color: #555; margin-bottom: 0.6rem; }
.present-note { font-size: 1.15rem; color: #444; }
.present-list { font-size: 2rem; line-height: 1.7; margin-top: 1.2rem; }
.present-swatch { display: inline-block; width: 1.6rem; height: 1.6rem; margin-right: 0.8rem;
  vertical-align: -0.2rem; }
.present-counter { font-size: 1.3rem; color: #555; text-align: center; padding-top: 0.4rem; }
div[data-testid="stButton"] button p { font-size: 1.3rem; }
</style>
"""


@st.cache_resource(max_entries=32, show_spinner=False)
def _deck(
    key: tuple, period_key: str, ids: tuple, anonymise: bool, place: str, _dash: dsh.Dashboard
) -> list[report.Slide]:
    """The slides, made once per database version and choice (each chart when first shown)."""
    return report.slides(_dash, period_key, list(ids), anonymise=anonymise, place=place)


def _move(step: int, total: int) -> None:
    st.session_state[SLIDE_KEY] = max(0, min(total - 1, st.session_state.get(SLIDE_KEY, 0) + step))


def render() -> None:
    access.require_role("facilitator", "admin")
    st.markdown(CSS, unsafe_allow_html=True)
    try:
        dash = dsh.load()
    except dsh.NotReady as exc:
        st.title("Presentation")
        st.warning(str(exc))
        return
    if dash.empty:
        st.title("Presentation")
        st.caption(data.data_as_of())
        st.info(
            "n/a: nothing collected yet, so there is nothing to present (`closer collect`, or "
            "`closer demo`)."
        )
        return
    ws = dsh.workshop()
    keys = list(dash.periods["period_key"])
    regions = sorted(dash.institutions["region"].dropna().unique())
    with st.expander("Set up the presentation", expanded=not ws.get("region")):
        c1, c2, c3 = st.columns([2, 2, 1])
        opts = [ALL, *regions]
        region = c1.selectbox(
            "Location",
            opts,
            index=opts.index(ws["region"]) if ws.get("region") in regions else 0,
            key="present_region",
        )
        pk = ws.get("period_key") if ws.get("period_key") in keys else dsh.default_period(dash)
        period_key = c2.selectbox(
            "Round", keys, index=keys.index(pk), format_func=dash.period_label, key="present_round"
        )
        anonymise = c3.toggle(
            "Anonymise (A, B, C…)",
            key="present_anonymise",
            help="Institutions shown as letters; names, types and links left out",
        )
    ws.update({"period_key": period_key, "region": None if region == ALL else region})
    pool = (
        dash.institutions
        if region == ALL
        else dash.institutions[dash.institutions["region"] == region]
    )
    ids = list(pool["institution_id"])
    if ws.get("institution_ids") and set(ws["institution_ids"]) <= set(ids) and region != ALL:
        ids = [i for i in ids if i in ws["institution_ids"]]
    if len(ids) > 30:
        st.info(
            f"{len(ids)} institutions: choose a location to present (a chart a slide reads well "
            "up to ~12)."
        )
        ids = ids[:30]
    deck = _deck(dash.key, period_key, tuple(ids), anonymise, "" if region == ALL else region, dash)
    n = st.session_state.get(SLIDE_KEY, 0)
    if n >= len(deck):
        n = st.session_state[SLIDE_KEY] = 0
    slide = deck[n]

    e = html.escape
    c1, c2, c3, c4 = st.columns([2, 3, 2, 2])
    c1.button(
        "◀ Previous",
        on_click=_move,
        args=(-1, len(deck)),
        disabled=n == 0,
        use_container_width=True,
        key="present_prev",
    )
    c2.markdown(
        f"<div class='present-counter'>{n + 1} / {len(deck)} · {e(data.data_as_of())}</div>",
        unsafe_allow_html=True,
    )
    c3.button(
        "Next ▶",
        on_click=_move,
        args=(1, len(deck)),
        disabled=n == len(deck) - 1,
        use_container_width=True,
        key="present_next",
        type="primary",
    )
    from ui.pages import compare

    c4.page_link(dsh.page(compare), label="Leave the presentation", icon=":material/close:")
    st.markdown(
        f"<div class='present-title'>{e(slide.title)}</div>"
        f"<div class='present-sub'>{e(slide.subtitle)}</div>",
        unsafe_allow_html=True,
    )
    if slide.figure is not None:
        fig = slide.figure
        fig.update_layout(height=min(int(fig.layout.height or SCREEN_PX), SCREEN_PX))
        dsh.show(fig, slide.data, f"slide {n + 1} {slide.title}", key=f"present-{n}")
    else:
        st.markdown(
            "<div class='present-list'>"
            + "<br>".join(
                f"<span class='present-swatch' style='background:{c}'></span>{e(t)}"
                for c, t in slide.bullets
            )
            + "</div>",
            unsafe_allow_html=True,
        )
    for note in slide.notes:
        st.markdown(f"<div class='present-note'>{e(note)}</div>", unsafe_allow_html=True)
