from pathlib import Path

import pytest

from closer import registry
from tests.conftest import SAMPLE


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def counts(con):
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("institutions", "accounts", "rounds"))


def test_sample_registry_has_20_institutions_in_5_locations(sample_registry):
    con = sample_registry
    assert counts(con) == (20, 60, 3)
    assert con.execute("SELECT count(DISTINCT region) FROM institutions").fetchone()[0] == 5
    assert con.execute("SELECT count(*) FROM institutions GROUP BY region").fetchall() == [(4,)] * 5


def test_loading_twice_changes_nothing_and_edits_update_in_place(con, tmp_path):
    inst = write(tmp_path, "institutions.csv", "institution_id,name,type,region,locality,country\nX1,Primăria X,city_hall,Județul X,X,RO\n")
    acc = write(tmp_path, "accounts.csv", "institution_id,platform,handle,url\nX1,mastodon,@Primaria@Social.X.example,\n")
    registry.load_files(con, [acc, inst])  # order of files does not matter
    before = con.execute("SELECT * FROM institutions").fetchall()
    registry.load_files(con, [inst, acc])
    assert con.execute("SELECT * FROM institutions").fetchall() == before
    assert counts(con) == (1, 1, 0)
    assert con.execute("SELECT account_id FROM accounts").fetchone()[0] == "mastodon:primaria@social.x.example"
    write(tmp_path, "institutions.csv", "institution_id,name,type,region,locality,country\nX1,Primăria Municipiului X,city_hall,Județul X,X,ro\n")
    registry.load_files(con, [inst])
    assert con.execute("SELECT name, country FROM institutions").fetchall() == [("Primăria Municipiului X", "RO")]


def test_bad_rows_are_named_and_nothing_from_the_file_is_loaded(con, tmp_path):
    registry.load_files(con, sorted((SAMPLE / "registry").glob("institutions.csv")))
    bad = write(
        tmp_path,
        "accounts.csv",
        "institution_id,platform,handle,url\n"
        "AR-PRIM,mastodon,@ok@social.example,\n"
        "NOPE,mastodon,@a@b.example,\n"
        "AR-PRIM,myspace,foo,\n"
        "AR-PRIM,mastodon,@OK@social.example,\n"
        "AR-PRIM,mastodon,,\n",
    )
    with pytest.raises(registry.RegistryError) as err:
        registry.load_files(con, [bad])
    assert [str(e) for e in err.value.errors] == [
        f"{bad}:3: institution_id: unknown institution 'NOPE'",
        f"{bad}:4: platform: unknown platform 'myspace' (known: mastodon, bluesky, feed, youtube, facebook, instagram, x)",
        f"{bad}:5: handle: duplicate of line 2",
        f"{bad}:6: handle: empty",
    ]
    assert counts(con) == (20, 0, 0)


def test_missing_column_bad_date_and_duplicate_id(con, tmp_path):
    rounds = write(tmp_path, "rounds.csv", "round_id,name,starts_on,ends_on\nb,Baseline,2026-05-01,2026-06-31\nb,Again,2026-05-01,2026-04-01\n")
    with pytest.raises(registry.RegistryError) as err:
        registry.load_files(con, [rounds])
    assert [str(e) for e in err.value.errors] == [
        f"{rounds}:2: ends_on: '2026-06-31' is not a date (YYYY-MM-DD)",
        f"{rounds}:3: ends_on: before starts_on",
        f"{rounds}:3: round_id: duplicate of line 2",
    ]
    inst = write(tmp_path, "institutions.csv", "institution_id,name,type,country\nX1,A,city_hall,RO\n")
    with pytest.raises(registry.RegistryError) as err:
        registry.load_files(con, [inst])
    assert [str(e) for e in err.value.errors] == [f"{inst}:1: region: missing column"]
    assert counts(con) == (0, 0, 0)
