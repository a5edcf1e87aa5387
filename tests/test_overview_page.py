"""AppTest of the Institutions page (the app's first page)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


def run_app(monkeypatch, db_file):
    monkeypatch.setenv("CLOSER_DB", str(db_file))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_lists_the_sample_registry(monkeypatch, db_path, sample_registry):
    sample_registry.close()
    at = run_app(monkeypatch, db_path)
    assert at.title[0].value == "Institutions"
    assert [(m.label, m.value) for m in at.metric] == [("Institutions", "20"), ("Locations", "5"), ("Accounts", "60")]
    table = at.dataframe[0].value
    assert len(table) == 20
    # nothing collected yet: followers are n/a with the reason, never 0
    assert set(table["followers"]) == {"n/a (no platform gives followers yet)"}
    assert set(table["last_collected"]) == {"never"}
    assert any("n/a: no follower counts" in i.value for i in at.info)


def test_missing_database_says_so(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path / "none.duckdb")
    assert "no database at" in at.warning[0].value


def test_empty_database(monkeypatch, db_path):
    at = run_app(monkeypatch, db_path)
    assert "No institutions registered yet" in at.info[0].value
