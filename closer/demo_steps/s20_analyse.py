"""Demo step: analyse the sample's citizen comments (closer/analysis)."""

from __future__ import annotations

from pathlib import Path


def run(db_path: Path, sample: Path) -> str:
    """Analyse every comment of the demo database; returns the one-line summary."""
    from closer.analysis import pipeline

    return pipeline.analyse_db(db_path).summary()
