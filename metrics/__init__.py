"""Metrics: SQL over the stored snapshots, per account, institution, type or region and period.

`metrics.compute.compute(con, periods, by)` runs every metrics/*.sql; `metrics.periods` makes
the periods; `metrics.rules` reads metrics/definitions/*.yaml; `metrics.continuum` and
`metrics.ladder` place institutions on the seeds' continuum and engagement ladder;
`metrics.catalog` turns the files' headers into docs/metrics.md.
"""

from __future__ import annotations

from typing import Any


def refresh(con: Any, rules: Any = None, full: bool = False) -> dict[str, object]:
    """Bring the stored response table up to date (metrics.stored.refresh): incremental, idempotent."""
    from metrics import stored

    return stored.refresh(con, rules, full)
