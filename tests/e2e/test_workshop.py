"""A facilitator prepares a workshop in a real browser (Debian chromium, Playwright): log in,
open Compare, filter by a location, export a chart as PNG, open a profile, present with the
sidebar hidden, build and download the workshop report. Every page is screenshotted into
artifacts/screenshots/ (workshop-*.png) to be looked at."""

from __future__ import annotations

import re
import shutil
import struct
from pathlib import Path

import pytest

from tests.e2e.conftest import shot as viewport_shot
from tests.e2e.conftest import start_app, wait_ready

PASSWORD = "e2e-facilitator-pass"  # set on a copy of the demo database, never on a real one
LOCATION = "Județul Ariniș"
INSTITUTIONS = {
    "AR-PRIM": "Primăria Municipiului Arinești",
    "AR-CJ": "Consiliul Județean Ariniș",
    "AR-PREF": "Instituția Prefectului – Județul Ariniș",
    "AR-SVC": "Direcția de Asistență Socială Arinești",
}
# The first key-figures chart's PNG (Reach and activity): 1400 px wide, as tall as the figure
# (ui.figures._grid: 4 key figures in 2 rows of 250 px, 1 gap of 70 px, 100 px above for the
# legend, 40 px below).
KEY_FIGURES_PNG = (1400, 2 * 250 + 70 + 100 + 40)


@pytest.fixture(scope="module")
def workshop_url(demo_db, tmp_path_factory):
    """The real app on a copy of the demo database whose facilitator has a known password."""
    from closer import auth, db

    copy = tmp_path_factory.mktemp("workshop") / "demo.duckdb"
    shutil.copy(demo_db, copy)
    with db.connect(copy) as con:
        admin = auth.find_user(con, "demo-admin")
        auth.set_password(con, admin, "demo-facilitator", PASSWORD)
    proc, url = start_app(copy, {"CLOSER_PSEUDONYM_KEY": "demo-key"})
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; AssertionError when it is not a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def log_in(page, url: str) -> None:
    page.goto(url)
    wait_ready(page)
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_role("textbox", name="Username").fill("demo-facilitator")
    side.get_by_role("textbox", name="Password").fill(PASSWORD)
    side.get_by_role("button", name="Log in").click()
    side.get_by_text("Signed in as").wait_for(timeout=60_000)
    wait_ready(page)


def open_page(page, title: str) -> None:
    """Click a page in the sidebar's navigation (same session: still logged in)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    settle(page)


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def shot(page, name: str) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so the window is
    made as tall as the content first."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stAppViewContainer"], section\')].map(e => e.scrollHeight), 1000)'
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(800)  # plotly charts re-lay out at the new size
    path = viewport_shot(page, name)
    page.set_viewport_size(size)
    return path


COMPARE_TABS = (
    "Answers to citizens",
    "Comments and rubric",
    "Continuum",
    "What citizens write: sentiment",
    "Rubric: insiders vs outsiders",
)
PROFILE_TABS = (
    "Accounts",
    "Response times",
    "Continuum and ladder",
    "What citizens write",
    "Rubric",
)


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def settle(page, timeout: float = 120_000) -> None:
    """Wait until the run a click started has finished (Streamlit's data-test-script-state)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    state = (
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state')"
    )
    try:
        page.wait_for_function(f"() => ({state})() !== 'notRunning'", timeout=3_000, polling=20)
    except PlaywrightTimeout:  # a very short run may be over before it is seen
        pass
    page.wait_for_function(f"() => ({state})() === 'notRunning'", timeout=timeout, polling=50)
    wait_ready(page, timeout=timeout)


def open_tab(page, label: str) -> None:
    """Open a tab (only the open tab is drawn) and wait for its run to finish."""
    page.get_by_role("tab", name=label, exact=True).click()
    settle(page)


def choose_by_key(page, key: str, option: str) -> None:
    """Pick an option of the selectbox with this key (Streamlit's st-key-<key> class)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):  # the list may close again if a run ends just then: reopen it
        page.locator(f".st-key-{key} input").click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    settle(page)


def download(page, button, target: Path) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        button.click()
    info.value.save_as(target)
    return target.read_bytes()


def walk(page, url: str, out: Path) -> dict:
    """The facilitator's path through the app; returns what it downloaded."""
    got: dict = {}
    log_in(page, url)
    shot(page, "workshop-0-home")

    open_page(page, "Compare")
    page.get_by_role("heading", name="Compare institutions").wait_for(timeout=120_000)
    page.get_by_text("· 20 institutions").wait_for(timeout=120_000)
    choose(page, "Location", LOCATION)
    page.get_by_text("· 4 institutions").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    got["compare_text"] = page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "workshop-1-compare")
    png = page.get_by_role("button", name="PNG", exact=True).first
    got["png"] = download(page, png, out / "key-figures.png")
    for n, tab in enumerate(COMPARE_TABS, 2):
        open_tab(page, tab)
        shot(page, f"workshop-1-compare-{n}-{slug(tab)}")

    choose_by_key(page, "compare_profile_of", INSTITUTIONS["AR-CJ"])
    page.get_by_role("link", name="Open its profile").click()
    wait_ready(page, timeout=120_000)
    page.get_by_role("heading", name="Institution profile").wait_for(timeout=60_000)
    page.get_by_role("heading", name="Key figures, round by round").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    got["profile_text"] = page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "workshop-2-profile-1-figures")
    for n, tab in enumerate(PROFILE_TABS, 2):
        open_tab(page, tab)
        got["profile_text"] += page.locator('[data-testid="stMain"]').inner_text()
        shot(page, f"workshop-2-profile-{n}-{slug(tab)}")

    open_page(page, "Presentation")
    page.get_by_text(f"{LOCATION}: where the institutions stand").wait_for(timeout=60_000)
    got["sidebar_visible"] = page.locator('[data-testid="stSidebar"]').is_visible()
    shot(page, "workshop-3-present-title")
    page.get_by_role("button", name="Next ▶").click()
    wait_ready(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    got["slide_2_text"] = page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "workshop-4-present-slide")
    page.get_by_role("link", name="Leave the presentation").click()
    wait_ready(page, timeout=120_000)

    open_page(page, "Workshop report")
    page.get_by_role("heading", name="Workshop report").wait_for(timeout=60_000)
    page.get_by_role("button", name="Build the report").click()
    ready = page.get_by_role("button", name="Download the report (HTML)")
    ready.wait_for(timeout=180_000)
    shot(page, "workshop-5-report")
    got["report"] = download(page, ready, out / "report.html").decode("utf-8")

    # the report opens offline, charts drawn by the plotly.js it carries
    page.goto((out / "report.html").as_uri())
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    got["report_charts"] = page.locator(".js-plotly-plot").count()
    viewport_shot(page, "workshop-6-report-file")
    return got


def test_facilitator_prepares_a_workshop(page, workshop_url, tmp_path):
    got = walk(page, workshop_url, tmp_path)
    compare = got["compare_text"]
    for name in INSTITUTIONS.values():
        assert name in compare
    assert "Endline (01 Sep – 15 Nov 2026) · 4 institutions" in compare
    assert png_size(got["png"]) == KEY_FIGURES_PNG
    profile = got["profile_text"]
    assert "Consiliul Județean Ariniș" in profile
    for heading in (
        "Accounts and what each gives",
        "How fast it answers citizens",
        "Continuum and engagement ladder",
        "Monitoring rubric: insiders vs outsiders",
    ):
        assert heading in profile
    assert got["sidebar_visible"] is False  # presentation mode hides the sidebar
    assert "2 / 18" in got["slide_2_text"]
    report = got["report"]
    assert report.startswith("<!DOCTYPE html>")
    assert "Workshop report — Județul Ariniș, Endline" in report
    for section in ("1. Comparison", "2. Profiles", "3. Definitions"):
        assert section in report
    for name in INSTITUTIONS.values():
        assert name in report
    assert "Plotly.newPlot" in report  # the charts are embedded and plotly.js is inlined
    assert not re.search(r"<script[^>]*\bsrc=", report)  # nothing loaded from elsewhere
    # 4 comparison charts + per institution: rounds, continuum, rubric sections and gaps (and
    # response times where it answered someone in the round)
    assert got["report_charts"] >= 4 + 4 * 4
