"""Comment analysis: language, sentiment, topics, questions, hate speech, duplicates.

`pipeline.analyse_db(db)` analyses the citizen comments that have no result for
ANALYSER_VERSION yet (docs/analysis.md).

ANALYSER_VERSION names what produced a stored result: the code and the data files in
closer/analysis/data/. Change it whenever either changes what a comment gets, and every
comment is re-analysed on the next run. DATA_DIGEST is the digest of the data files this
version was released with; tests/analysis/test_version.py fails when the data changed but
the version did not.
"""

from __future__ import annotations

import hashlib
from importlib import resources

ANALYSER_VERSION = "2026.2"
DATA_DIGEST = "f21f568e3e77d500"


def data_digest() -> str:
    """SHA-256 of the data files the analysis reads (.tsv, .yaml: names and bytes, in name
    order), first 16 hex digits."""
    h = hashlib.sha256()
    folder = resources.files("closer.analysis") / "data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith((".tsv", ".yaml")):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return h.hexdigest()[:16]
