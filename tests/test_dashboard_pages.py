"""AppTest of the facilitator's pages — Compare, Institution profile, Presentation, Workshop
report — on the demo database (headings, figures checked against SQL, filters, highlight,
slides, anonymising, the report), on an empty database, on a registry with nothing
collected, and for a user without the role."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from closer import auth, db, registry
from tests.conftest import SAMPLE

PAGES = ("compare", "profile", "present", "report")
TITLES = {
    "compare": "Compare institutions",
    "profile": "Institution profile",
    "present": "Presentation",
    "report": "Workshop report",
}
ARINIS = "Județul Ariniș"


def _page(name: str) -> None:
    import importlib

    importlib.import_module(f"ui.pages.{name}").render()


def open_page(
    monkeypatch, db_file, name: str, user, state: dict | None = None, query=None
) -> AppTest:
    monkeypatch.setenv("CLOSER_DB", str(db_file))
    at = AppTest.from_function(_page, args=(name,), default_timeout=300)
    at.session_state["closer_user"] = user
    for k, v in (state or {}).items():
        at.session_state[k] = v
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    kinds = (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    )
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


@pytest.fixture(scope="module")
def demo_copy(demo_db, tmp_path_factory):
    """A private copy of the demo database (the pages only read it), and its facilitator."""
    p = tmp_path_factory.mktemp("pages") / "demo.duckdb"
    shutil.copy(demo_db, p)
    with db.connect(p, read_only=True) as con:
        facilitator = auth.find_user(con, "demo-facilitator")
        monitor = auth.find_user(con, "demo-monitor")
    return p, facilitator, monitor


def _sql(path, sql, params=()):
    with db.connect(path, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _facilitator_db(path, with_registry: bool) -> auth.User:
    with db.connect(path) as con:
        if with_registry:
            registry.load_files(con, sorted((SAMPLE / "registry").glob("*.csv")))
        op = auth.actor_for_cli(con, None, None)
        return auth.add_user(con, op, "fac", roles=["facilitator"])


# --- empty and not-yet-collected databases -------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_empty_database(monkeypatch, db_path, name):
    user = _facilitator_db(db_path, with_registry=False)
    at = open_page(monkeypatch, db_path, name, user)
    t = texts(at)
    if name == "present":
        assert "n/a: nothing collected yet" in t
    else:
        assert at.title[0].value == TITLES[name]
        assert "No institutions registered yet" in t
    assert charts(at) == 0


@pytest.mark.parametrize("name", PAGES)
def test_registry_but_nothing_collected(monkeypatch, db_path, name):
    user = _facilitator_db(db_path, with_registry=True)
    at = open_page(monkeypatch, db_path, name, user)
    assert at.title[0].value == TITLES[name]
    assert "no collection has finished yet" in texts(at) or "data as of" in texts(at)
    assert "n/a: nothing collected yet" in texts(at)


@pytest.mark.parametrize("name", PAGES)
def test_a_monitor_may_not_open_the_page(monkeypatch, demo_copy, name):
    path, _, monitor = demo_copy
    at = open_page(monkeypatch, path, name, monitor)
    assert at.error[0].value == "You do not have access to this page."
    assert charts(at) == 0


# --- the demo database -------------------------------------------------------------------


def test_compare_all_then_one_location(monkeypatch, demo_copy):
    path, fac, _ = demo_copy
    at = open_page(monkeypatch, path, "compare", fac)
    assert at.title[0].value == "Compare institutions"
    assert at.subheader[0].value == "Endline (01 Sep – 15 Nov 2026) · 20 institutions"
    assert any(c.value.startswith("data as of") for c in at.caption)
    assert charts(at) == 1  # one tab drawn at a time: the first key figures first
    assert [t.label for t in at.tabs] == [
        "Reach and activity",
        "Answers to citizens",
        "Comments and rubric",
        "Continuum",
        "What citizens write: sentiment",
        "Rubric: insiders vs outsiders",
    ]
    # the key figures in three small-multiples charts: 4, 5 and 5 panels, 14 in all
    panels = {}
    for label in [t.label for t in at.tabs][1:] + ["Reach and activity"]:
        at.session_state["compare_tab"] = label
        at.run()
        assert not at.exception and charts(at) == 1, label
        fig = json.loads(at.get("plotly_chart")[0].proto.spec)
        panels[label] = sum(1 for k in fig["layout"] if k.startswith("yaxis"))
    groups = ("Reach and activity", "Answers to citizens", "Comments and rubric")
    assert [panels[g] for g in groups] == [4, 5, 5]

    at.selectbox(key="compare_region").set_value(ARINIS).run()
    assert at.subheader[0].value == "Endline (01 Sep – 15 Nov 2026) · 4 institutions"
    table = at.dataframe[0].value
    assert set(table["institution"]) == {
        "Primăria Municipiului Arinești",
        "Consiliul Județean Ariniș",
        "Instituția Prefectului – Județul Ariniș",
        "Direcția de Asistență Socială Arinești",
    }
    # ranked by response rate, best first: the ranks follow the figure
    rates = [float(x.rstrip("%")) for x in table["Response rate"]]
    assert rates == sorted(rates, reverse=True) and table["rank"].tolist() == [1, 2, 3, 4]
    # a figure checked by hand against SQL: AR-CJ's original posts in the 76 days of the round
    posts = _sql(
        path,
        """SELECT count(*) FROM posts p JOIN accounts a USING (account_id)
           WHERE a.institution_id = 'AR-CJ' AND p.kind = 'post'
             AND p.created_at >= TIMESTAMPTZ '2026-08-31 21:00:00+00'
             AND p.created_at < TIMESTAMPTZ '2026-11-15 22:00:00+00'""",
    )[0][0]
    cj = table.set_index("institution").loc["Consiliul Județean Ariniș"]
    assert cj["Posts per day"] == f"{posts / 76:.2f}"
    # every n/a in the table has its reason listed
    na_cells = int((table == "n/a").sum().sum())
    assert f"Why {na_cells} figures are n/a" in [e.label for e in at.expander]


def test_compare_rank_and_highlight(monkeypatch, demo_copy):
    path, fac, _ = demo_copy
    at = open_page(monkeypatch, path, "compare", fac)
    at.selectbox(key="compare_region").set_value(ARINIS).run()
    at.selectbox(key="compare_rank").set_value("Median response time").run()
    table = at.dataframe[0].value
    hours = [x for x in table["Median response time"]]
    shown = [float(h.removesuffix(" h")) for h in hours if h != "n/a"]
    assert shown == sorted(shown)  # lower is better: fastest first
    assert hours[-1] == "n/a"  # the prefecture answered nobody: last, unranked
    at.selectbox(key="compare_highlight").set_value("AR-CJ").run()
    assert (
        "Highlighted: Consiliul Județean Ariniș. Dashed line: median of the institutions compared "
        "(4 institutions)" in texts(at)
    )
    at.selectbox(key="compare_peers").set_value("type").run()
    assert "median of same type, every location (5 institutions)" in texts(at)


def test_profile_of_one_institution(monkeypatch, demo_copy):
    path, fac, _ = demo_copy
    at = open_page(monkeypatch, path, "profile", fac, query={"institution": "AR-PREF"})
    assert at.title[0].value == "Institution profile"
    tabs = [
        "Figures by round",
        "Accounts",
        "Response times",
        "Continuum and ladder",
        "What citizens write",
        "Rubric",
    ]
    assert [t.label for t in at.tabs] == tabs
    assert "Instituția Prefectului – Județul Ariniș" in texts(at)
    seen: dict[str, str] = {}
    drawn = 0
    for label in tabs:  # only the open tab runs: open each in turn
        at.session_state["profile_tab"] = label
        at.run()
        assert not at.exception, label
        seen[label] = "\n".join(s.value for s in at.subheader) + "\n" + texts(at)
        drawn += charts(at)
    assert "Key figures, round by round" in seen["Figures by round"]
    assert "Change since the baseline" in seen["Figures by round"]
    assert "Accounts and what each gives" in seen["Accounts"]
    assert "How fast it answers citizens" in seen["Response times"]
    assert "Continuum and engagement ladder" in seen["Continuum and ladder"]
    assert "What citizens write" in seen["What citizens write"]
    assert "Monitoring rubric: insiders vs outsiders" in seen["Rubric"]
    # the prefecture answered no citizen in the endline round: n/a with the reason, not 0
    assert "n/a: no citizen comment of the period was answered" in seen["Response times"]
    assert drawn >= 5
    at.session_state["profile_tab"] = "Accounts"
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Median response time"] == "n/a"
    followers = _sql(
        path,
        """SELECT sum(f) FROM (SELECT arg_max(s.followers, s.snapshot_at) AS f
           FROM account_snapshots s JOIN accounts a USING (account_id)
           WHERE a.institution_id = 'AR-PREF' AND s.followers IS NOT NULL
             AND s.snapshot_at < TIMESTAMPTZ '2026-11-15 22:00:00+00'
             AND s.snapshot_at >= TIMESTAMPTZ '2026-08-31 21:00:00+00' GROUP BY s.account_id)""",
    )[0][0]
    assert metrics["Reach"] == f"{followers:,}"
    accounts = at.dataframe[0].value
    assert (
        len(accounts)
        == _sql(path, "SELECT count(*) FROM accounts WHERE institution_id = 'AR-PREF'")[0][0]
    )


def test_presentation_slides_and_anonymising(monkeypatch, demo_copy):
    path, fac, _ = demo_copy
    ws = {"closer_workshop": {"region": ARINIS, "period_key": "round:endline"}}
    at = open_page(monkeypatch, path, "present", fac, state=ws)
    t = texts(at)
    assert "display: none" in t and "stSidebar" in t  # no sidebar on a projector
    assert f"{ARINIS}: where the institutions stand" in t
    assert "1 / 18" in t and "Consiliul Județean Ariniș — county council" in t
    assert charts(at) == 0
    at.button(key="present_next").click().run()
    t = texts(at)
    assert "2 / 18" in t and "Reach" in t
    assert charts(at) == 1
    at.button(key="present_prev").click().run()
    at.toggle(key="present_anonymise").set_value(True).run()
    t = texts(at)
    assert "Institution A" in t and "Institution D" in t
    assert "Consiliul Județean Ariniș" not in t and "county council" not in t


def test_report_page_builds_the_report(monkeypatch, demo_copy):
    path, fac, _ = demo_copy
    ws = {"closer_workshop": {"region": ARINIS, "period_key": "round:endline"}}
    at = open_page(monkeypatch, path, "report", fac, state=ws)
    assert at.selectbox(key="report_region").value == ARINIS
    at.button(key="report_build").click().run()
    assert at.success[0].value.startswith("Report ready:")
    assert "4 institution profiles" in at.success[0].value
