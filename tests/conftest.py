"""Shared fixtures: a fresh DuckDB file per test, a throwaway pseudonymisation key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.getbasetemp() / "closer-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("CLOSER_HOME", str(home))
    monkeypatch.setenv("CLOSER_PSEUDONYM_KEY", "test-key-not-secret")
    for var in ("CLOSER_DB", "CLOSER_ENDPOINTS", "CLOSER_ARCHIVE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db_path(tmp_path) -> Path:
    """A fresh, migrated database file."""
    from closer import db

    p = tmp_path / "closer.duckdb"
    with db.connect(p):
        pass
    return p


@pytest.fixture
def con(db_path):
    from closer import db

    with db.connect(db_path) as c:
        yield c


@pytest.fixture
def sample_registry(con):
    """The bundled sample registry loaded into `con`."""
    from closer import registry

    registry.load_files(con, sorted((SAMPLE / "registry").glob("*.csv")))
    return con


def fast_client(**kw):
    """An HttpClient that never really sleeps (tests record the waits instead)."""
    from monitor.http import HttpClient

    waits: list[float] = []
    kw.setdefault("backoff", 0.01)
    client = HttpClient(sleep=waits.append, **kw)
    client.waits = waits  # type: ignore[attr-defined]
    return client


@pytest.fixture
def client():
    return fast_client()


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CLOSER_SKIP_E2E"):
        skip = pytest.mark.skip(reason="CLOSER_SKIP_E2E is set")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database built once from the bundled sample (shared by xdist workers).

    Read-only by convention: tests that write copy it first.
    """
    import fcntl

    root = tmp_path_factory.getbasetemp()
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    target = shared / "demo" / "demo.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (shared / "demo" / "ok").exists():
                from closer import demo

                env = {"CLOSER_HOME": str(shared / "demo-home"), "CLOSER_PSEUDONYM_KEY": "demo-key"}
                old = {k: os.environ.get(k) for k in env}
                os.environ.update(env)
                try:
                    demo.build(target, quiet=True)
                finally:
                    for k, v in old.items():
                        if v is None:
                            os.environ.pop(k, None)
                        else:
                            os.environ[k] = v
                (shared / "demo" / "ok").write_text("built")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target
