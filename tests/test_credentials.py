"""Credentials: where they are read from, which account uses which, what an admin sees, and
THE test that no token reaches the database, the raw archive or the log after a run with errors."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import hmac
import io
import json
import logging
import os
from pathlib import Path

import pytest

from closer import cli, config, db, registry
from monitor import runner
from monitor.base import AccountRef
from monitor.credentials import CredentialBook, mask, read_toml, redact_body, setting_names
from tests.conftest import FIXTURES, fast_client


@pytest.fixture(autouse=True)
def _no_outside_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    for k in [
        k
        for k in os.environ
        if k.startswith("CLOSER_") and any(w in k for w in ("TOKEN", "KEY", "SECRET"))
    ]:
        monkeypatch.delenv(k)
    monkeypatch.delenv("CLOSER_CONFIG", raising=False)


ACCT = AccountRef("facebook:primaria.test", "AR-PRIM", "facebook", "primaria.test")


def test_an_account_uses_its_own_then_its_institutions_then_the_programmes_token():
    assert setting_names(ACCT, "CLOSER_FACEBOOK_TOKEN") == [
        "CLOSER_FACEBOOK_TOKEN__AR_PRIM__PRIMARIA_TEST",
        "CLOSER_FACEBOOK_TOKEN__AR_PRIM",
        "CLOSER_FACEBOOK_TOKEN",
    ]
    env = {
        "CLOSER_FACEBOOK_TOKEN": "prog-token-1",
        "CLOSER_FACEBOOK_TOKEN__AR_PRIM": "inst-token-2",
    }
    book = CredentialBook.load(environ=env, files=[])
    assert book.primary(ACCT).name == "CLOSER_FACEBOOK_TOKEN__AR_PRIM"
    book = CredentialBook.load(
        environ={**env, "CLOSER_FACEBOOK_TOKEN__AR_PRIM__PRIMARIA_TEST": "acct-token-3"}, files=[]
    )
    assert book.for_account(ACCT) == {
        "CLOSER_FACEBOOK_TOKEN": "acct-token-3",
        "CLOSER_FACEBOOK_TOKEN.setting": "CLOSER_FACEBOOK_TOKEN__AR_PRIM__PRIMARIA_TEST",
    }
    other = AccountRef("facebook:alta", "BR-CJ", "facebook", "alta")
    assert book.primary(other).name == "CLOSER_FACEBOOK_TOKEN"
    # Instagram falls back to the institution's Facebook page token
    ig = AccountRef("instagram:primaria", "AR-PRIM", "instagram", "primaria")
    assert (
        book.for_account(ig)["CLOSER_INSTAGRAM_TOKEN.setting"] == "CLOSER_FACEBOOK_TOKEN__AR_PRIM"
    )


def test_sources_in_order_environment_then_secrets_toml_then_closer_toml(tmp_path):
    streamlit = tmp_path / "secrets.toml"
    streamlit.write_text(
        'CLOSER_YOUTUBE_API_KEY = "from-streamlit-1"\n[closer]\nCLOSER_X_BEARER_TOKEN = "from-streamlit-2"\n'
    )
    closer_toml = tmp_path / "outside" / "closer.toml"
    closer_toml.parent.mkdir()
    closer_toml.write_text(
        'CLOSER_YOUTUBE_API_KEY = "from-closer-toml"\n'
        'CLOSER_FACEBOOK_TOKEN__AR_PRIM = "from-closer-toml-2"\n'
        "CLOSER_FACEBOOK_TOKEN_EXPIRES__AR_PRIM = 2026-09-01\n"
        'not_ours = "ignored"\n'
    )
    files = [(streamlit, "secrets.toml"), (closer_toml, "closer.toml")]
    book = CredentialBook.load(environ={"CLOSER_X_BEARER_TOKEN": "from-env"}, files=files)
    assert {n: (s.value, s.source) for n, s in book.entries.items()} == {
        "CLOSER_X_BEARER_TOKEN": ("from-env", "environment"),
        "CLOSER_YOUTUBE_API_KEY": ("from-streamlit-1", "secrets.toml"),
        "CLOSER_FACEBOOK_TOKEN__AR_PRIM": ("from-closer-toml-2", "closer.toml"),
        "CLOSER_FACEBOOK_TOKEN_EXPIRES__AR_PRIM": ("2026-09-01", "closer.toml"),
    }
    secret = book.primary(ACCT)
    assert book.configured_expiry(secret) == dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    assert book.for_account(ACCT)["CLOSER_FACEBOOK_TOKEN.expires"] == "2026-09-01T00:00:00+00:00"
    # an expiry date is not a secret; the tokens are
    assert sorted(book.secret_values()) == ["from-closer-toml-2", "from-env", "from-streamlit-1"]
    assert "from-env" not in repr(book.entries["CLOSER_X_BEARER_TOKEN"])


def test_default_files_are_streamlit_secrets_and_closer_toml_outside_the_repo(
    tmp_path, monkeypatch
):
    home = tmp_path / "home"
    (home / ".config" / "closer").mkdir(parents=True)
    monkeypatch.setenv("CLOSER_HOME", str(home / ".config" / "closer"))
    (home / ".config" / "closer" / "closer.toml").write_text(
        'CLOSER_X_BEARER_TOKEN = "bearer-from-home"\n'
    )
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        'CLOSER_YOUTUBE_API_KEY = "key-from-cwd"\n'
    )
    book = CredentialBook.load(environ={})
    assert book.lookup("CLOSER_X_BEARER_TOKEN").source == "closer.toml"
    assert book.lookup("CLOSER_YOUTUBE_API_KEY").source == "secrets.toml"
    monkeypatch.setenv("CLOSER_CONFIG", str(tmp_path / "elsewhere.toml"))
    (tmp_path / "elsewhere.toml").write_text('CLOSER_X_BEARER_TOKEN = "bearer-from-config"\n')
    assert (
        CredentialBook.load(environ={}).lookup("CLOSER_X_BEARER_TOKEN").value
        == "bearer-from-config"
    )


def test_a_broken_toml_file_is_reported_without_its_content(tmp_path, caplog):
    bad = tmp_path / "closer.toml"
    bad.write_text('CLOSER_X_BEARER_TOKEN = "unterminated-secret-value\n')
    with caplog.at_level(logging.ERROR):
        assert read_toml(bad) == {}
    assert (
        "not read (TOMLDecodeError)" in caplog.text
        and "unterminated-secret-value" not in caplog.text
    )


def test_redaction_of_bodies_and_text():
    body = {
        "data": [{"access_token": "EAApageTOKENvalue1", "name": "Primăria", "id": "1"}],
        "paging": {
            "next": "https://graph.facebook.com/v21.0/1/accounts?access_token=EAAuserTOKEN2&limit=25&after=QVFI"
        },
    }
    out = redact_body(body, ["EAAuserTOKEN2"])
    assert out["data"][0] == {"access_token": "REDACTED", "name": "Primăria", "id": "1"}
    assert "EAAuserTOKEN2" not in json.dumps(out) and "after=QVFI" in out["paging"]["next"]
    assert (
        mask("GET /debug_token?input_token=abc123secret&x=1", [])
        == "GET /debug_token?input_token=REDACTED&x=1"
    )
    assert mask("token zzSECRETzz in text", ["zzSECRETzz"]) == "token REDACTED in text"


# ------------------------------------------------------------------------------------
# THE test: a run with errors on every credentialed platform, then no token anywhere.

FB_TOKEN = "EAAQclosertestTOKENfb6a1f0e9d"
FB_TOKEN_2 = "EAAQclosertestTOKENfb2b7c3e41"
YT_KEY = "AIzaSyclosertestKEYyt5c0ffee1"
X_BEARER = "AAAAAAAAAAAAAAAAAAAAAclosertestBEARERx77"
APP_SECRET = "closertestAPPSECRETf00d"
SECRETS = (FB_TOKEN, FB_TOKEN_2, YT_KEY, X_BEARER, APP_SECRET)


def _fb(name):
    return json.loads((FIXTURES / "facebook" / name).read_text())


def test_no_token_in_the_database_the_archive_or_the_log_after_a_run_with_errors(
    db_path, con, httpserver, monkeypatch, caplog, tmp_path
):
    base = httpserver.url_for("/").rstrip("/")
    monkeypatch.setenv(
        "CLOSER_ENDPOINTS",
        json.dumps({"graph.facebook.com": base, "www.googleapis.com": base, "api.x.com": base}),
    )
    con.execute(
        "INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())"
    )
    con.execute(
        "INSERT INTO institutions VALUES ('I2', 'Consiliul Test', 'county_council', 'Județul Test', 'Test', 'RO', now())"
    )
    registry.add_account(con, "I1", "facebook", "pagina.unu")
    registry.add_account(con, "I2", "facebook", "pagina.doi")
    registry.add_account(con, "I1", "youtube", "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    registry.add_account(con, "I1", "x", "@PrimariaTest")
    con.close()
    # Facebook 1: the page answers; debug_token (input_token in its URL); the posts' paging.next
    # carries the token, as Graph API paging URLs do; the next page then fails with HTTP 500.
    page = dict(_fb("page_fields.json"), id="111", username="pagina.unu")
    httpserver.expect_request("/v21.0/pagina.unu").respond_with_json(page)
    httpserver.expect_request("/v21.0/debug_token").respond_with_json(_fb("debug_token.json"))
    posts = _fb("page_feed_p2.json")
    posts["paging"]["next"] = (
        f"https://graph.facebook.com/v21.0/111/posts?access_token={FB_TOKEN}&limit=2&after=QVFIUk"
    )
    next_page = {"limit": "2", "after": "QVFIUk", "appsecret_proof": _proof(FB_TOKEN)}
    httpserver.expect_request("/v21.0/111/posts", query_string=next_page).respond_with_data(
        "upstream error", status=500
    )
    httpserver.expect_request("/v21.0/111/posts").respond_with_json(posts)
    for p in posts["data"]:
        httpserver.expect_request(f"/v21.0/{p['id']}/comments").respond_with_json({"data": []})
    # Facebook 2: an expired token, with a message that (carelessly) echoes the token
    expired = _fb("error_190_docs_example.json")
    expired["error"]["message"] = f"Error validating access token {FB_TOKEN_2}: Session has expired"
    httpserver.expect_request("/v21.0/pagina.doi").respond_with_json(expired, status=400)
    # YouTube: key refused, echoed in the message
    yt = json.loads((FIXTURES / "youtube" / "error_400_keyInvalid_real.json").read_text())
    yt["error"]["message"] = f"API key not valid: {YT_KEY}"
    httpserver.expect_request("/youtube/v3/channels").respond_with_json(yt, status=400)
    # X: bearer refused, echoed in the detail
    httpserver.expect_request("/2/users/by/username/PrimariaTest").respond_with_json(
        {
            "title": "Unauthorized",
            "type": "about:blank",
            "status": 401,
            "detail": f"Unauthorized bearer {X_BEARER}",
        },
        status=401,
    )
    creds = {
        "CLOSER_FACEBOOK_TOKEN__I1": FB_TOKEN,
        "CLOSER_FACEBOOK_TOKEN__I2": FB_TOKEN_2,
        "CLOSER_FACEBOOK_APP_SECRET": APP_SECRET,
        "CLOSER_YOUTUBE_API_KEY": YT_KEY,
        "CLOSER_X_BEARER_TOKEN": X_BEARER,
    }
    with caplog.at_level(logging.DEBUG):  # every logger, urllib3's request lines included
        res = runner.collect(db_path, client=fast_client(), credentials=creds)
    assert res.status == "failed" and res.accounts_failed == 4
    assert any(
        FB_TOKEN in req.headers.get("Authorization", "") for req, _ in httpserver.log
    )  # it was used
    assert any("input_token" in req.args for req, _ in httpserver.log)

    # the database file (and its WAL, if any)
    for f in (db_path, Path(str(db_path) + ".wal")):
        if f.exists():
            raw = f.read_bytes()
            for s in SECRETS:
                assert s.encode() not in raw, f"{s} in {f.name}"
    with db.connect(db_path, read_only=True) as c:
        dump = json.dumps(
            [
                c.execute(f"SELECT * FROM {t}").fetchall()
                for t in ("run_errors", "accounts", "credential_status", "runs")
            ],
            default=str,
        )
        assert "190" in dump and "REDACTED" in dump  # the errors are there, masked
    # every archive file
    files = list(config.archive_dir(db_path).rglob("*"))
    archived = [f for f in files if f.is_file()]
    assert len(archived) == 1  # pagina.unu: page, token, posts page 1 (the others failed first)
    text = gzip.decompress(archived[0].read_bytes()).decode()
    assert "paging" in text and "after=QVFIUk" in text
    for s in SECRETS:
        assert s not in text
    # the log, and what the run reports
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "debug_token" in logged  # urllib3 logged the request line …
    for s in SECRETS:
        assert s not in logged, s  # … masked
        assert all(s not in e for e in res.errors)


def _proof(token):
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------------


def test_credentials_status_shows_setting_outcome_and_expiry_never_the_token(
    db_path, con, monkeypatch, capsys
):
    con.execute(
        "INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())"
    )
    for platform, handle in (
        ("facebook", "pagina.unu"),
        ("youtube", "UC_x5XG1OV2P6uZZ5FSM9Ttw"),
        ("x", "@PrimariaTest"),
        ("mastodon", "@p@social.example"),
    ):
        registry.add_account(con, "I1", platform, handle)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=5, hours=1)
    con.execute(
        "INSERT INTO credential_status (account_id, platform, credential_name, credential_source, status, expires_at,"
        " never_expires, expiry_source, last_ok_at, last_checked_at) VALUES"
        " ('facebook:pagina.unu', 'facebook', 'CLOSER_FACEBOOK_TOKEN__I1', 'environment', 'ok', ?, false, 'platform', '2026-03-01 10:00+00', now()),"
        " ('youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw', 'youtube', 'CLOSER_YOUTUBE_API_KEY', 'environment', 'quota_exceeded', NULL, true, 'platform', '2026-02-28 09:00+00', now())",
        [soon],
    )
    con.close()
    monkeypatch.setenv("CLOSER_FACEBOOK_TOKEN__I1", "EAAstatusTESTtoken1")
    monkeypatch.setenv("CLOSER_YOUTUBE_API_KEY", "AIzastatusTESTkey2")
    code = cli.main(["--db", str(db_path), "credentials", "status", "--check"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == [
        "account",
        "setting",
        "used",
        "(never",
        "its",
        "value)",
        "status",
        "expires",
        "last",
        "worked",
    ]
    fb = next(ln for ln in lines if ln.startswith("facebook:pagina.unu"))
    assert (
        "CLOSER_FACEBOOK_TOKEN__I1 (environment)" in fb
        and " ok " in fb
        and f"{soon:%Y-%m-%d} (in 5 days)" in fb
        and "2026-03-01 10:00" in fb
    )
    yt = next(ln for ln in lines if ln.startswith("youtube:"))
    assert "quota_exceeded" in yt and "never" in yt
    x = next(ln for ln in lines if ln.startswith("x:primariatest"))
    assert "none: no token configured" in x and "no_token" in x
    assert not any(ln.startswith("mastodon:") for ln in lines)  # no credentials needed there
    assert lines[-1] == "1 of 3 accounts have working credentials"
    assert "warning: the token of facebook:pagina.unu expires" in err
    assert "EAAstatusTESTtoken1" not in out + err and "AIzastatusTESTkey2" not in out + err


def test_a_failed_check_keeps_the_expiry_learned_before(db_path, con):
    from monitor.credentials import CredentialProblem, record_status

    con.execute("INSERT INTO institutions VALUES ('I1', 'P', 'city_hall', 'R', NULL, 'RO', now())")
    registry.add_account(con, "I1", "facebook", "pagina.unu")
    acct = AccountRef("facebook:pagina.unu", "I1", "facebook", "pagina.unu")
    book = CredentialBook.load(environ={"CLOSER_FACEBOOK_TOKEN": "EAAkeepTESTtoken"}, files=[])
    exp = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    record_status(
        con, "r1", acct, book, {"ok": True, "expires_at": exp, "never_expires": False}, None
    )
    problem = CredentialProblem("rate_limit", "Facebook rate limit", "rate_limited")
    record_status(con, "r2", acct, book, None, problem)
    got = con.execute(
        "SELECT status, expires_at, expiry_source, last_ok_at IS NOT NULL, last_error_at IS NOT NULL, last_run_id FROM credential_status"
    ).fetchall()
    assert got == [("rate_limited", exp, "platform", True, True, "r2")]


# ------------------------------------------------------------------------------------
# `closer import` and `closer export` for these platforms, as for the others: recorded
# payloads saved as files go through detect → import_handle → normalize → store.

IMPORTS = [
    (
        "facebook",
        ["page.json", "page_feed_p1.json", "page_feed_p2.json"],
        "facebook:facebookapp",
        5,
    ),
    (
        "instagram",
        ["user.json", "medias_p1.json", "medias_p2.json"],
        "instagram:facebookfordevelopers",
        4,
    ),
    (
        "youtube",
        ["videos_list.json", "playlist_items_p2.json"],
        "youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw",
        4,
    ),
    ("x", ["users_by_username.json", "user_tweets.json"], "x:twitterdev", 5),
]


@pytest.mark.parametrize(
    ("platform", "files", "account", "posts"), IMPORTS, ids=[i[0] for i in IMPORTS]
)
def test_closer_import_and_export_read_recorded_files(
    db_path, con, tmp_path, capsys, platform, files, account, posts
):
    con.execute(
        "INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())"
    )
    con.close()
    paths = [str(FIXTURES / platform / f) for f in files]
    code = cli.main(
        [
            "--db",
            str(db_path),
            "import",
            "--platform",
            platform,
            "--institution",
            "I1",
            "--recorded-at",
            "2026-05-01T10:00:00Z",
            *paths,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"{len(files)} files for {account}" in out and f"{posts} posts" in out
    with db.connect(db_path, read_only=True) as c:
        assert c.execute(
            "SELECT count(*) FROM posts WHERE account_id = ?", [account]
        ).fetchone() == (posts,)
    assert cli.main(["--db", str(db_path), "export", "posts", "--format", "csv"]) == 0
    exported = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(exported) == posts + 1 and all(r[:2] == [platform, account] for r in exported[1:])
