"""Metrics: SQL over the stored snapshots, per account, institution, type or region and period.

`metrics.compute.compute(con, periods, by)` runs every metrics/*.sql; `metrics.periods` makes
the periods; `metrics.rules` reads metrics/definitions/*.yaml; `metrics.continuum` and
`metrics.ladder` place institutions on the seeds' continuum and engagement ladder;
`metrics.catalog` turns the files' headers into docs/metrics.md.
"""

from __future__ import annotations

from typing import Any


def refresh(con: Any, rules: Any = None, full: bool = False) -> dict[str, object]:
    """Bring the stored tables up to date: incremental, idempotent.

    The response table (metrics.stored.refresh: its summary is returned) and the post facts
    (metrics.post_facts.refresh: under "posts").
    """
    from metrics import post_facts, stored

    done = stored.refresh(con, rules, full)
    done["posts"] = post_facts.refresh(con, rules, full)
    return done


def stale(con: Any, rules: Any = None) -> str | None:
    """Why a stored table is not current, or None (both current, or not migrated yet)."""
    from metrics import post_facts, stored

    for mod in (stored, post_facts):
        if mod.has_table(con):
            why = mod.stale(con, rules)
            if why is not None:
                return why
    return None
