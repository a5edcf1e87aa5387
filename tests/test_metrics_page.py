"""AppTest of the Metrics page: a missing and an empty database, the figures with their n/a
reasons, the continuum and ladder with evidence, and a facilitator's override from the page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from closer import auth, db
from tests.metrics.conftest import World, three_levels


def _page() -> None:
    from ui.pages import metrics

    metrics.render()


def open_page(monkeypatch, db_file, user: auth.User | None = None) -> AppTest:
    monkeypatch.setenv("CLOSER_DB", str(db_file))
    at = AppTest.from_function(_page, default_timeout=120)
    if user is not None:
        at.session_state["closer_user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (
            "title",
            "subheader",
            "markdown",
            "caption",
            "info",
            "warning",
            "error",
            "success",
        )
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_missing_database(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path / "none.duckdb")
    assert "no database at" in at.warning[0].value


def test_empty_database_renders(monkeypatch, db_path):
    at = open_page(monkeypatch, db_path)
    assert at.title[0].value == "Metrics"
    assert "No data collected yet" in texts(at)
    assert "n/a: nothing collected yet to place institutions on the continuum." in texts(at)
    # the definitions are there even without data
    assert "### response_rate" in texts(at)


def _world(db_path) -> None:
    with db.connect(db_path) as con:
        three_levels(World(con))


def test_figures_continuum_and_ladder(monkeypatch, db_path):
    _world(db_path)
    at = open_page(monkeypatch, db_path)
    figures = at.dataframe[0].value
    assert list(figures["group_label"]) == [
        "Institution D",
        "Institution E",
        "Institution M",
        "Institution N",
    ]
    assert list(figures["posts_per_day"].round(3)) == [
        round(10 / 31, 3),
        round(64 / 31, 3),
        round(4 / 31, 3),
        0.0,
    ]
    assert figures["response_rate"].tolist()[:3] == [50.0, 100.0, 0.0]  # shown as %
    assert figures["response_rate"].isna().tolist()[3]  # N: n/a, not 0
    # the n/a reasons of the first institution picked (D): latency is there, nothing is n/a
    detail = at.dataframe[1].value.set_index("metric")["value"]
    assert detail["latency_median_h"] == "30.00"
    at.selectbox(key="metrics_detail").set_value("N").run()
    detail = at.dataframe[1].value.set_index("metric")["value"]
    assert detail["response_rate"] == "n/a (no citizen comment in the period)"
    assert detail["followers"] == "n/a (no follower count collected in the period)"
    cont = next(d.value for d in at.dataframe if "overall" in d.value.columns)
    assert cont.set_index("institution")["overall"].to_dict() == {
        "Institution D": "moderate",
        "Institution E": "elaborate",
        "Institution M": "modest",
        "Institution N": "n/a",
    }
    assert (
        cont.set_index("institution")["ladder"].to_dict()["Institution E"]
        == "5. Dynamic ideas and input with voting"
    )
    page = texts(at)
    assert "[text post](https://example.test/d20) — question" in page
    assert "Override a dimension" not in page  # no facilitator signed in


def test_facilitator_overrides_from_the_page(monkeypatch, db_path):
    _world(db_path)
    with db.connect(db_path) as con:
        con.execute(
            "INSERT INTO users (user_id, username, display_name) VALUES ('u1', 'ana', 'Ana')"
        )
        con.execute("INSERT INTO user_roles VALUES ('u1', 'facilitator')")
    at = open_page(monkeypatch, db_path, auth.User("u1", "ana"))
    at.selectbox(key="ovd-M").set_value("content")
    at.selectbox(key="ovl-M").set_value("moderate")
    at.text_input(key="ovr-M").input("photos on the website count too")
    form_button = next(
        b for b in at.button if b.label == "Save the override" and b.form_id == "override-M"
    )
    form_button.click().run()
    assert not at.exception, at.exception
    assert "Saved: Institution M, content → moderate." in texts(at)
    with db.connect(db_path, read_only=True) as con:
        assert con.execute(
            "SELECT dimension, computed_level, override_level, overridden_by, reason FROM continuum_overrides"
        ).fetchall() == [
            ("content", "modest", "moderate", "ana", "photos on the website count too")
        ]
    at.run()
    cont = next(d.value for d in at.dataframe if "overall" in d.value.columns)
    assert (
        cont.set_index("institution").loc["Institution M", "Content form"] == "moderate (override)"
    )
