"""ui.report: the presentation's slides and the workshop report (HTML), built without
Streamlit — on the demo database, anonymised, and with PNG charts on a small world."""

from __future__ import annotations

import base64
import datetime as dt
import re
import struct

import pytest

from closer import db
from tests.metrics.conftest import World, three_levels
from ui import dashboard as dsh
from ui import report

ARINIS = "Județul Ariniș"
NAMES = (
    "Primăria Municipiului Arinești",
    "Consiliul Județean Ariniș",
    "Instituția Prefectului – Județul Ariniș",
    "Direcția de Asistență Socială Arinești",
)
WHEN = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def no_plotly_js() -> str:
    return "/* plotly.js left out of this test */"


@pytest.fixture(scope="module")
def demo(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        dash = dsh.build(con)
        ids = list(dash.institutions.loc[dash.institutions["region"] == ARINIS, "institution_id"])
        profiles = report.gather(dsh.con_query(con), dash, ids, "round:endline")
    return dash, ids, profiles


def test_slides_one_chart_per_screen(demo):
    dash, ids, _ = demo
    deck = report.slides(dash, "round:endline", ids, place=ARINIS)
    assert len(deck) == 1 + len(dsh.key_figures()) + 3
    assert deck[0].title == f"{ARINIS}: where the institutions stand"
    assert deck[0].figure is None
    assert sorted(t.split(" — ")[0] for _, t in deck[0].bullets) == sorted(NAMES)
    reach = deck[1]
    assert reach.title == "Reach"
    fig = reach.figure
    assert fig.layout.xaxis.title.text == "followers"  # the axis says its unit
    assert sorted(fig.data[0].y) == sorted(NAMES)
    # a slide whose figure is n/a for someone says why, under the chart and on the bar
    latency = next(s for s in deck if s.title == "Median response time")
    assert (
        "Instituția Prefectului – Județul Ariniș: n/a (no citizen comment of the period was "
        "answered)" in latency.notes
    )
    assert any(t.startswith("n/a (") for t in latency.figure.data[0].text)


def test_slides_anonymised(demo):
    dash, ids, _ = demo
    deck = report.slides(dash, "round:endline", ids, anonymise=True, place=ARINIS)
    labels = [t for _, t in deck[0].bullets]
    assert labels == ["Institution A", "Institution B", "Institution C", "Institution D"]
    for s in deck[1:4]:
        assert set(s.figure.data[0].y) == set(labels)


def test_report_html_on_the_demo(demo):
    dash, ids, profiles = demo
    html = report.build_html(
        dash,
        ARINIS,
        "round:endline",
        profiles,
        generated_at=WHEN,
        plotly_js=no_plotly_js,
        as_of_text="data as of 2026-11-16 06:00 UTC",
    )
    assert html.startswith("<!DOCTYPE html>")
    assert "<h1>Workshop report — Județul Ariniș, Endline (01 Sep – 15 Nov 2026)</h1>" in html
    assert "data as of 2026-11-16 06:00 UTC · generated 2026-11-20 09:00 UTC by Closer" in html
    for section in ("<h2>1. Comparison</h2>", "<h2>2. Profiles</h2>", "<h2>3. Definitions</h2>"):
        assert section in html
    for name in NAMES:
        assert html.count(name) >= 3  # list, comparison, its profile
    for kf in dsh.key_figures():
        assert f"<dt>{kf.label.replace('&', '&amp;')} (" in html
    assert "no citizen comment of the period was answered" in html  # n/a with its reason
    # charts: 4 comparison charts, then per institution the rounds, response times when it
    # answered someone, the continuum by round, the rubric by section and per criterion
    answered = sum(
        1
        for i in ids
        if not dsh.is_na(
            dash.figures.set_index(["period_key", "institution_id"]).loc[
                ("round:endline", i), "latency_median_h"
            ]
        )
    )
    assert html.count("Plotly.newPlot") == 4 + 4 * len(ids) + answered
    assert "/* plotly.js left out of this test */" in html
    assert "<!--chart:" not in html
    assert 'href="https://' not in html.split("<h2>2. Profiles</h2>")[0]  # no tracker, no CDN


def test_report_anonymised_names_nobody(demo):
    dash, ids, profiles = demo
    html = report.build_html(
        dash, ARINIS, "round:endline", profiles, anonymise=True, plotly_js=no_plotly_js
    )
    for name in NAMES:
        assert name not in html
    for iid in ids:
        assert iid not in html
    assert "arinesti.example" not in html and "arinis" not in html  # no handle, no link
    assert "county council" not in html and "city hall" not in html
    assert "Institution A" in html and "institutions anonymised (A, B, C…)" in html


def test_report_for_a_location_without_institutions(demo):
    dash, _, _ = demo
    html = report.build_html(dash, "Nowhere", "round:endline", {}, plotly_js=no_plotly_js)
    assert "n/a: no institution in this location, or nothing collected yet." in html
    assert "Plotly.newPlot" not in html


def test_report_rejects_an_unknown_image_mode(demo):
    dash, _, _ = demo
    with pytest.raises(ValueError, match="images='svg': one of interactive, png"):
        report.build_html(dash, ARINIS, "round:endline", {}, images="svg")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_report_with_png_charts(db_path):
    """PNG mode: every chart an <img> made by kaleido in one batch (offline chromium)."""
    with db.connect(db_path) as con:
        three_levels(World(con))
    with db.connect(db_path, read_only=True) as con:
        dash = dsh.build(con)
        profiles = report.gather(dsh.con_query(con), dash, ["D"], "round:baseline")
    html = report.build_html(
        dash, None, "round:baseline", profiles, images="png", institution_ids=["D"]
    )
    images = re.findall(
        r'<img class="chart" alt="chart \d+" src="data:image/png;base64,([^"]+)">', html
    )
    # comparison 4, D's profile: rounds, response times, continuum (no rubric in this world)
    assert len(images) == 7
    sizes = {png_size(base64.b64decode(b))[0] for b in images}
    assert sizes == {report.PNG_WIDTH}
    assert "Plotly.newPlot" not in html and "<script>" not in html
