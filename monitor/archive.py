"""Raw archive: every API response of a run, kept as NDJSON (gzip) per account.

Layout: <archive>/<run_id>/<platform>/<account>.ndjson.gz, one RawDoc per line. A run can
be re-read from here without the network (`closer reread RUN_ID`).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

from monitor.base import RawDoc

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def account_file(run_dir: Path, platform: str, account_id: str) -> Path:
    slug = _SAFE.sub("_", account_id.split(":", 1)[-1]).strip("_") or "account"
    return run_dir / platform / f"{slug}.ndjson.gz"


class ArchiveWriter:
    """Appends raw documents for one account of one run."""

    def __init__(self, run_dir: Path, platform: str, account_id: str):
        self.path = account_file(run_dir, platform, account_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.account_id = account_id
        self.count = 0

    def __call__(self, doc: RawDoc) -> None:
        line = json.dumps({"account_id": self.account_id, **doc.to_json()}, ensure_ascii=False)
        with gzip.open(self.path, "at", compresslevel=5, encoding="utf-8") as fh:
            fh.write(line + "\n")
        self.count += 1


def read_run(run_dir: Path) -> Iterator[tuple[str, str, list[RawDoc]]]:
    """(platform, account_id, docs) for each account archived under a run."""
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir}: no archive for this run")
    for platform_dir in sorted(p for p in run_dir.iterdir() if p.is_dir()):
        for f in sorted(platform_dir.glob("*.ndjson.gz")):
            docs: list[RawDoc] = []
            account_id = None
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        d = json.loads(line)
                    except ValueError as exc:
                        raise ValueError(f"{f}:{n}: broken archive line ({exc})") from exc
                    account_id = d.pop("account_id", account_id)
                    docs.append(RawDoc.from_json(d))
            if account_id:
                yield platform_dir.name, account_id, docs
