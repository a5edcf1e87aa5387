"""Page speed of the facilitator's pages (Compare, Institution profile, Presentation, Workshop
report) on a generated database of 1,000 institutions.

The database: benchmarks/metrics.py's generator (4 accounts per institution, a year of posts,
snapshots and comment threads, all in SQL) plus three rounds, comment-analysis rows with a
sentiment label, and rubric submissions (3 outsiders and 2 insiders per institution, baseline
and endline), so every part of the pages has data to show.

Measured in the same run and printed:
- in the real browser (the real app, Debian chromium driven by Playwright, logged in as a
  facilitator): each page's first render (the figures of every institution and round are
  computed once per database version) and its warm render (median of 3 visits), from the click
  in the navigation until the script has finished, nothing is stale and every chart is drawn;
  the baseline is an empty page (a title and a button) rerun in the same browser;
- in AppTest (no browser): each page's first and warm run, against an empty page's run;
- the workshop report for one location (HTML, interactive charts), built once.
Target: every warm page ≤ 1 s in the browser.

    python benchmarks/pages.py                       # 1,000 institutions
    python benchmarks/pages.py --institutions 100    # smaller, to try things out
    python benchmarks/pages.py --db /tmp/pages.duckdb  # keep (or reuse) the generated database
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[0] = str(REPO)  # this folder holds metrics.py: the repository must come first

from closer import auth, db

PASSWORD = "bench-facilitator-pass"
PAGES = [  # (navigation title, the page's heading once rendered)
    ("Compare", "Compare institutions"),
    ("Institution profile", "Institution profile"),
    ("Presentation", "where the institutions stand"),
    ("Workshop report", "Workshop report"),
]
EMPTY_APP = """
import streamlit as st
st.title("Empty page")
st.button("Rerun")
"""


def _metrics_generator():
    spec = importlib.util.spec_from_file_location(
        "metrics_bench", REPO / "benchmarks" / "metrics.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def generate(path: Path, institutions: int) -> None:
    """Fill a fresh database: institutions, a year of activity, rounds, analysis, rubric."""
    bench = _metrics_generator()
    n_acc = institutions * 4
    with db.connect(path) as con:
        bench.generate(con, n_acc, n_posts=300 * institutions, n_comments=600 * institutions)
        if hasattr(bench, "analyse"):
            bench.analyse(con)
        con.execute("""
            UPDATE comment_analysis SET
                sentiment = ((hash(comment_id, 31) % 2001) / 1000.0) - 1.0,
                sentiment_label = CASE WHEN hash(comment_id, 32) % 10 < 4 THEN 'positive'
                                       WHEN hash(comment_id, 32) % 10 < 8 THEN 'neutral'
                                       ELSE 'negative' END
        """)
        con.execute("""
            INSERT INTO rounds VALUES
                ('baseline', 'Baseline', DATE '2025-01-01', DATE '2025-04-30'),
                ('midline', 'Midline', DATE '2025-05-01', DATE '2025-08-31'),
                ('endline', 'Endline', DATE '2025-09-01', DATE '2025-12-31')
        """)
        _rubric(con)
        op = auth.actor_for_cli(con, None, None)
        auth.add_user(con, op, "bench-facilitator", roles=["facilitator"], password=PASSWORD)


def _rubric(con) -> None:
    from rubrics import definition

    rubric = definition.current()
    definition.register(con, rubric, f"{rubric.rubric_id}_v{rubric.version}.yaml")
    crit = {p: [c.criterion_id for c in rubric.criteria_for(p)] for p in ("insider", "outsider")}
    con.execute("""
        CREATE TEMP TABLE _raters AS
        SELECT * FROM (VALUES ('outsider', 1), ('outsider', 2), ('outsider', 3),
                              ('insider', 1), ('insider', 2)) t(perspective, k)
    """)
    con.execute(
        """
        INSERT INTO rubric_submissions (submission_id, user_id, institution_id, round_id,
                                        perspective,
                                        rubric_id, rubric_version, status, source, submitted_at)
        SELECT i.institution_id || ':' || r.round_id || ':' || x.perspective || x.k,
               x.perspective || x.k || ':' || i.institution_id, i.institution_id, r.round_id,
               x.perspective, ?, ?, 'submitted', 'demo', TIMESTAMPTZ '2026-01-01 00:00:00+00'
        FROM institutions i, (VALUES ('baseline'), ('endline')) r(round_id), _raters x
        """,
        [rubric.rubric_id, rubric.version],
    )
    for persp, ids in crit.items():
        con.execute(
            """
            INSERT INTO rubric_scores (submission_id, criterion_id, score)
            SELECT s.submission_id, c.criterion_id,
                   least(4, (hash(s.institution_id, c.criterion_id) % 3
                             + CASE WHEN s.perspective = 'insider' THEN 1 ELSE 0 END
                             + hash(s.submission_id, c.criterion_id) % 2))::INTEGER
            FROM rubric_submissions s, (SELECT unnest(?::VARCHAR[]) AS criterion_id) c
            WHERE s.perspective = ?
            """,
            [ids, persp],
        )


# --- AppTest -------------------------------------------------------------------------------


def _page(name: str) -> None:
    import importlib  # AppTest runs this function's source on its own

    importlib.import_module(f"ui.pages.{name}").render()


def _empty() -> None:
    import streamlit as st

    st.title("Empty page")


def apptest(path: Path) -> dict[str, tuple[float, float]]:
    """name → (first run, warm run) in seconds; 'empty' is the baseline."""
    from streamlit.testing.v1 import AppTest

    os.environ["CLOSER_DB"] = str(path)
    with db.connect(path, read_only=True) as con:
        user = auth.find_user(con, "bench-facilitator")
    out = {}
    for name, fn, args in [("empty", _empty, ())] + [
        (n, _page, (n,)) for n in ("compare", "profile", "present", "report")
    ]:
        at = AppTest.from_function(fn, args=args, default_timeout=900)
        at.session_state["closer_user"] = user
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(f"{name}: {at.exception}")
        warm = []
        for _ in range(3):
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        out[name] = (first, statistics.median(warm))
    return out


# --- the real browser ---------------------------------------------------------------------


# The end of a run on the server: Streamlit's "script_finished" message on the websocket.
class RunWatch:
    """Counts the script runs the server reports finished to this page."""

    def __init__(self, page) -> None:
        self.finished = 0
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:  # noqa: BLE001 - not a ForwardMsg: not ours to count
                return
            if msg.WhichOneof("type") == "script_finished":
                self.finished += 1


READY_JS = """
(heading) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.innerText.includes(heading)) return false;
  const charts = main.querySelectorAll('[data-testid="stPlotlyChart"]');
  for (const c of charts) { if (!c.querySelector('.main-svg')) return false; }
  return true;
}
"""


def _timed_click(page, watch: RunWatch, locator, heading: str) -> float:
    """Seconds from the click until the server has finished the run it starts and the page
    has drawn everything (nothing stale, every chart drawn)."""
    before = watch.finished
    t = time.perf_counter()
    locator.click()
    while watch.finished == before:
        page.wait_for_timeout(10)  # lets Playwright deliver the websocket frames
        if time.perf_counter() - t > 600:
            raise TimeoutError(f"no run finished in 600 s after the click ({heading})")
    page.wait_for_function(READY_JS, arg=heading, timeout=600_000, polling=20)
    return time.perf_counter() - t


def browser(path: Path) -> dict[str, tuple[float, float]]:
    """name → (first render, warm render) in seconds in chromium; 'empty' is the baseline."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, wait_ready

    tmp = Path(tempfile.mkdtemp())
    (tmp / "empty_app.py").write_text(EMPTY_APP)
    out: dict[str, tuple[float, float]] = {}
    proc, url = start_app(path, {"CLOSER_PSEUDONYM_KEY": "bench-key"})
    port = free_port()
    empty_proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(tmp / "empty_app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        empty_url = _wait_healthy(f"http://127.0.0.1:{port}")
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            watch = RunWatch(page)
            page.goto(empty_url)
            wait_ready(page)
            page.get_by_text("Empty page").wait_for()
            runs = [
                _timed_click(page, watch, page.get_by_role("button", name="Rerun"), "Empty page")
                for _ in range(4)
            ]
            out["empty"] = (runs[0], statistics.median(runs[1:]))

            page.goto(url)
            wait_ready(page)
            side = page.locator('[data-testid="stSidebar"]')
            side.get_by_role("textbox", name="Username").fill("bench-facilitator")
            side.get_by_role("textbox", name="Password").fill(PASSWORD)
            side.get_by_role("button", name="Log in").click()
            side.get_by_text("Signed in as").wait_for(timeout=120_000)
            wait_ready(page)
            nav = side.locator('[data-testid="stSidebarNav"]')

            def leave_presentation() -> None:  # no sidebar there: leave by its own link
                _timed_click(
                    page,
                    watch,
                    page.get_by_role("link", name="Leave the presentation"),
                    "Compare institutions",
                )

            for title, heading in PAGES:
                link = nav.get_by_role("link", name=title, exact=True)
                first = _timed_click(page, watch, link, heading)
                warm = []
                for _ in range(3):
                    if title == "Presentation":
                        leave_presentation()
                    else:
                        other = "Institution profile" if title == "Compare" else "Compare"
                        heading_other = (
                            "Institution profile" if other != "Compare" else "Compare institutions"
                        )
                        _timed_click(
                            page,
                            watch,
                            nav.get_by_role("link", name=other, exact=True),
                            heading_other,
                        )
                    warm.append(_timed_click(page, watch, link, heading))
                out[title] = (first, statistics.median(warm))
                if title == "Presentation":
                    leave_presentation()
            b.close()
    finally:
        proc.terminate()
        empty_proc.terminate()
        proc.wait(timeout=30)
        empty_proc.wait(timeout=30)
    return out


def _wait_healthy(url: str) -> str:
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                return url
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("the empty app did not start in 120 s")


def report_time(path: Path) -> tuple[float, int]:
    """Seconds to build one location's workshop report (HTML, interactive charts), and its size."""
    from ui import dashboard as dsh
    from ui import report

    with db.connect(path, read_only=True) as con:
        dash = dsh.build(con)
        region = min(dash.institutions["region"].unique())
        ids = list(dash.institutions.loc[dash.institutions["region"] == region, "institution_id"])
        t = time.perf_counter()
        profiles = report.gather(dsh.con_query(con), dash, ids, "round:endline")
        html = report.build_html(dash, region, "round:endline", profiles)
        return time.perf_counter() - t, len(html)


def main() -> int:
    ap = argparse.ArgumentParser(description="page speed of the facilitator's pages")
    ap.add_argument("--institutions", type=int, default=1000)
    ap.add_argument("--db", help="keep (or reuse) the generated database at this path")
    ap.add_argument("--no-browser", action="store_true", help="AppTest only")
    args = ap.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "pages-bench.duckdb"
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.institutions)
        print(
            f"generated {args.institutions:,} institutions in {time.perf_counter() - t:.1f} s: "
            f"{path}"
        )
    # As after a collection run: the stored tables the metrics read are brought up to date
    # (a reused database is migrated first).
    import metrics

    with db.connect(path) as con:
        metrics.refresh(con)
    with db.connect(path, read_only=True) as con:
        n = con.execute(
            "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM posts),"
            " (SELECT count(*) FROM comments), (SELECT count(*) FROM rubric_scores)"
        ).fetchone()
    print(
        f"database: {n[0]:,} institutions, {n[1]:,} posts, {n[2]:,} comments, {n[3]:,} rubric "
        "scores"
    )

    rows = []
    if not args.no_browser:
        br = browser(path)
        base = br["empty"][1]
        print(f"\nbrowser (chromium): empty page rerun {base * 1000:.0f} ms (baseline)")
        print(f"{'page':<22}{'first':>10}{'warm':>10}{'warm ÷ empty':>14}  target warm ≤ 1 s")
        for title, _ in PAGES:
            first, warm = br[title]
            ok = "ok" if warm <= 1.0 else "OVER"
            print(f"{title:<22}{first:>9.2f}s{warm:>9.2f}s{warm / base:>13.1f}×  {ok}")
            rows.append(warm)
    at = apptest(path)
    base = at["empty"][1]
    print(f"\nAppTest: empty page run {base * 1000:.1f} ms (baseline)")
    print(f"{'page':<22}{'first':>10}{'warm':>10}{'warm ÷ empty':>14}")
    for name in ("compare", "profile", "present", "report"):
        first, warm = at[name]
        print(f"{name:<22}{first:>9.2f}s{warm:>9.2f}s{warm / base:>13.1f}×")
    secs, size = report_time(path)
    print(f"\nworkshop report, one location, interactive charts: {secs:.2f} s, {size / 1e6:.1f} MB")
    return 0 if all(w <= 1.0 for w in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
