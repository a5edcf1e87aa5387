"""The demo: a fresh database from the bundled sample, through the real collectors.

data/sample/registry/*.csv → registry; data/sample/recorded/manifest.json lists the
collection epochs (e.g. one a month); for each, the recorded API responses are served by
a local replay server and `collect` runs against it, so every figure comes from the same
code path as a live run. Then each step in closer/demo_steps runs (analysis, rubric
submissions, jury …).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import os
import pkgutil
from pathlib import Path

from closer import config, db, registry

log = logging.getLogger(__name__)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def build(
    db_path: str | Path,
    sample: Path = SAMPLE,
    quiet: bool = True,
    replay_misses: dict[str, list[str]] | None = None,
) -> Path:
    """Build the demo database at db_path (replacing it); returns its path.

    replay_misses, when given, is filled with epoch name → the requests the recordings could
    not answer (each also reached the collector as a 404 and is in run_errors).
    """
    from monitor import runner
    from monitor.http import HttpClient
    from monitor.replay import ReplayServer, load_recordings

    dbp = Path(db_path)
    for p in (dbp, Path(str(dbp) + ".wal")):
        if p.exists():
            p.unlink()

    def say(msg: str) -> None:
        if not quiet:
            print(msg, flush=True)

    with db.connect(dbp) as con:
        reg = sorted((sample / "registry").glob("*.csv"))
        registry.load_files(con, reg)
        n = con.execute("SELECT count(*), count(DISTINCT region) FROM institutions").fetchone()
        a = con.execute("SELECT count(*) FROM accounts").fetchone()[0]
    say(f"registry: {n[0]} institutions in {n[1]} locations, {a} accounts")

    manifest_path = sample / "recorded" / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        old_env = os.environ.get("CLOSER_ENDPOINTS")
        old_arch = os.environ.get("CLOSER_ARCHIVE")
        os.environ.setdefault("CLOSER_ARCHIVE", str(dbp.resolve().parent / (dbp.stem + "-raw")))
        try:
            with ReplayServer() as srv:
                for epoch in manifest["epochs"]:
                    recs = []
                    for f in epoch["files"]:
                        recs.extend(load_recordings(sample / "recorded" / f))
                    srv.load(recs, date=epoch.get("date_header"))
                    srv.misses.clear()
                    os.environ["CLOSER_ENDPOINTS"] = json.dumps(srv.endpoints)
                    since = dt.datetime.fromisoformat(epoch["since"]) if epoch.get("since") else None
                    client = HttpClient(attempts=2, backoff=0.01, max_wait=5)
                    res = runner.collect(dbp, since=since, client=client)
                    missed = list(srv.misses)
                    if replay_misses is not None:
                        replay_misses[epoch["name"]] = missed
                    if missed:
                        log.warning("epoch %s: %d requests not in the recordings, e.g. %s", epoch["name"], len(missed), missed[0])
                    say(f"collection {epoch['name']}: {res.status}, {res.accounts_ok} accounts ok, {res.accounts_failed} failed, {res.posts} posts, {res.comments} comments, {len(missed)} replay misses")
        finally:
            for k, v in (("CLOSER_ENDPOINTS", old_env), ("CLOSER_ARCHIVE", old_arch)):
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    import closer.demo_steps as steps

    for info in sorted(pkgutil.iter_modules(steps.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"closer.demo_steps.{info.name}")
        if hasattr(mod, "run"):
            msg = mod.run(dbp, sample)
            if msg:
                say(f"{info.name.split('_', 1)[-1]}: {msg}")
    say(f"demo database ready: {dbp}")
    return dbp
