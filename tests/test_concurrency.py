"""Two real processes: a collector writing while a reader (what the app does) reads.

Neither may fail: the writer holds the lock only for short moments and both sides wait a
bounded time for it (docs/storage.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from closer import db, registry
from tests.conftest import FIXTURES, REPO

WRITER = textwrap.dedent(
    """
    import json, sys, time
    from monitor.replay import ReplayServer
    from monitor import runner
    from monitor.http import HttpClient
    import os
    db_path, fixtures, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    page = json.load(open(f"{fixtures}/account_statuses_page1.json"))
    lookup = json.load(open(f"{fixtures}/account_lookup.json"))
    recs = [
        {"host": "social.example", "path": "/api/v1/accounts/lookup", "query": {"acct": "mastodonpy_test"}, "body": lookup},
        {"host": "social.example", "path": f"/api/v1/accounts/{lookup['id']}/statuses", "query": {"limit": "40"}, "body": page},
    ]
    statuses = []
    with ReplayServer(recs) as srv:
        os.environ["CLOSER_ENDPOINTS"] = json.dumps(srv.endpoints)
        for i in range(rounds):
            r = runner.collect(db_path, client=HttpClient(attempts=1))
            statuses.append(r.status)
    print(json.dumps(statuses))
    """
)

READER = textwrap.dedent(
    """
    import json, sys, time
    from closer import db
    db_path, seconds = sys.argv[1], float(sys.argv[2])
    reads, counts = 0, set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with db.connect(db_path, read_only=True, wait=10) as con:
            counts.add(con.execute("SELECT count(*) FROM post_snapshots").fetchone()[0])
        reads += 1
    print(json.dumps({"reads": reads, "distinct_counts": len(counts)}))
    """
)


def test_collector_and_reader_processes_do_not_fail_each_other(db_path):
    with db.connect(db_path) as con:
        con.execute("INSERT INTO institutions VALUES ('I1', 'Primăria Test', 'city_hall', 'Județul Test', 'Test', 'RO', now())")
        for n in range(3):
            registry.add_account(con, "I1", "mastodon", "@mastodonpy_test@social.example" if n == 0 else f"@other{n}@social.example")
    env = {"PYTHONPATH": str(REPO), "CLOSER_PSEUDONYM_KEY": "k", "PATH": "/usr/bin:/bin"}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(FIXTURES / "mastodon"), "6"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db_path), "6"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    w_out, w_err = writer.communicate(timeout=120)
    r_out, r_err = reader.communicate(timeout=120)
    assert writer.returncode == 0, w_err
    assert reader.returncode == 0, r_err
    # two of the three accounts are unknown to the server (404): every run is partial, none failed
    assert json.loads(w_out) == ["partial"] * 6
    got = json.loads(r_out)
    assert got["reads"] > 10
    assert got["distinct_counts"] >= 2  # the reader saw the data grow while the writer ran
    with db.connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM post_snapshots").fetchone()[0] == 6 * 5


def test_one_process_read_only_and_read_write_connections_wait_for_each_other(db_path):
    """DuckDB refuses the other mode in the same process: connect waits instead of failing."""
    import threading
    import time

    holder = db.open_connection(db_path)  # read-write, as a page action would hold it
    got = []

    def read():
        with db.connect(db_path, read_only=True, wait=10) as con:
            got.append(con.execute("SELECT count(*) FROM institutions").fetchone()[0])

    t = threading.Thread(target=read)
    t.start()
    time.sleep(0.3)
    assert got == []  # still waiting
    holder.close()
    t.join(timeout=10)
    assert got == [0]


def test_busy_beyond_the_wait_is_a_clear_error(db_path):
    import pytest

    holder = db.open_connection(db_path)
    try:
        with pytest.raises(db.DatabaseBusy, match="in use by another connection"):
            db.open_connection(db_path, read_only=True, wait=0.2)
    finally:
        holder.close()
