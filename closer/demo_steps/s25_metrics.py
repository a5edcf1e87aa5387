"""Demo step: build the stored tables the metrics read (metrics.stored, metrics.post_facts), after
analysis."""

from __future__ import annotations

from pathlib import Path


def run(db_path: Path, sample: Path) -> str:
    """Refresh comment_responses and post_facts in the demo database; returns the one-line summary."""
    import metrics
    from closer import db

    with db.connect(db_path) as con:
        done = metrics.refresh(con)
    return (
        f"metrics: comment_responses refreshed ({done['mode']}): {done['threads']} threads,"
        f" {done['rows']} citizen comments; post_facts ({done['posts']['mode']}):"
        f" {done['posts']['posts']} posts"
    )
