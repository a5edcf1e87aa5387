"""Agreement among raters: Krippendorff's alpha, ordinal (docs/rubric.md).

Computed with the `krippendorff` package, which takes reliability data with raters as
rows and units as columns (NaN where a rater did not rate a unit). For the rubric a unit
is an (institution, criterion) pair; agreement is computed per round and perspective over
all institutions, and per institution over its criteria. A unit rated by one rater only
adds nothing (Krippendorff 2011: only pairable values count). Alpha is n/a, with the
reason, when fewer than 2 raters or fewer than MIN_UNITS pairable units remain, or when
all pairable ratings are the same value (no variation: alpha is undefined).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import krippendorff
import numpy as np

MIN_RATERS = 2
MIN_UNITS = 2
SCALE = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class AlphaResult:
    alpha: float | None  # None: n/a (see reason)
    units: int  # pairable units: rated by 2 or more raters
    raters: int  # raters with at least one pairable rating
    values: int  # pairable ratings
    reason: str | None = None

    @property
    def shown(self) -> str:
        return f"{self.alpha:.3f}" if self.alpha is not None else f"n/a ({self.reason})"


def krippendorff_alpha(
    reliability_data: Sequence[Sequence[float | None]] | np.ndarray,
    level_of_measurement: str = "ordinal",
    value_domain: Sequence[float] | None = None,
) -> float:
    """Krippendorff's alpha of raters × units data (None/NaN = missing), via `krippendorff`."""
    data = np.array(
        [[np.nan if v is None else v for v in row] for row in reliability_data], dtype=float
    )
    return float(
        krippendorff.alpha(
            reliability_data=data,
            level_of_measurement=level_of_measurement,
            value_domain=value_domain,
        )
    )


def ordinal_alpha(ratings: Iterable[tuple[Any, Any, float]]) -> AlphaResult:
    """Ordinal alpha over (rater, unit, score) triples on the 0-4 scale; n/a with a reason."""
    by_unit: dict[Any, dict[Any, float]] = {}
    for rater, unit, score in ratings:
        if score is None or (isinstance(score, float) and math.isnan(score)):
            continue
        by_unit.setdefault(unit, {})[rater] = float(score)
    pairable = {u: rs for u, rs in by_unit.items() if len(rs) >= 2}
    raters = sorted({r for rs in pairable.values() for r in rs}, key=str)
    units = sorted(pairable, key=str)
    n_values = sum(len(rs) for rs in pairable.values())
    if len(raters) < MIN_RATERS:
        return AlphaResult(
            None, len(units), len(raters), n_values, "fewer than 2 raters rated the same units"
        )
    if len(units) < MIN_UNITS:
        return AlphaResult(
            None,
            len(units),
            len(raters),
            n_values,
            f"fewer than {MIN_UNITS} units rated by 2 or more raters",
        )
    if len({v for rs in pairable.values() for v in rs.values()}) < 2:
        return AlphaResult(
            None,
            len(units),
            len(raters),
            n_values,
            "all ratings are the same value: no variation, alpha undefined",
        )
    row = {r: i for i, r in enumerate(raters)}
    data = np.full((len(raters), len(units)), np.nan)
    for j, u in enumerate(units):
        for r, v in pairable[u].items():
            data[row[r], j] = v
    alpha = krippendorff_alpha(data, "ordinal", value_domain=SCALE)
    return AlphaResult(alpha, len(units), len(raters), n_values)


RATINGS_SQL = """
SELECT s.institution_id, s.perspective, s.user_id, sc.criterion_id, sc.score
FROM rubric_submissions s JOIN rubric_scores sc USING (submission_id)
WHERE s.status = 'submitted' AND sc.score IS NOT NULL AND s.round_id = ?
"""


def agreement(con: duckdb.DuckDBPyConnection, round_id: str) -> list[dict[str, Any]]:
    """Rows per perspective (institution_id None: across institutions, units =
    (institution, criterion)) then per institution and perspective (units = criteria):
    round_id, perspective, institution_id, alpha_ordinal, units, raters, values, reason."""
    return agreement_rows(con.execute(RATINGS_SQL, [round_id]).fetchall(), round_id)


def agreement_rows(rows: Iterable[Sequence[Any]], round_id: str) -> list[dict[str, Any]]:
    """`agreement` from RATINGS_SQL rows (institution_id, perspective, user_id, criterion_id,
    score)."""
    rows = [tuple(r) for r in rows]
    out: list[dict[str, Any]] = []

    def add(perspective: str, institution_id: str | None, res: AlphaResult) -> None:
        out.append(
            {
                "round_id": round_id,
                "perspective": perspective,
                "institution_id": institution_id,
                "alpha_ordinal": res.alpha,
                "units": res.units,
                "raters": res.raters,
                "values": res.values,
                "reason": res.reason,
            }
        )

    perspectives = sorted({r[1] for r in rows})
    for p in perspectives:
        add(p, None, ordinal_alpha((u, (i, c), s) for i, pp, u, c, s in rows if pp == p))
    for inst in sorted({r[0] for r in rows}):
        for p in perspectives:
            sel = [(u, c, s) for i, pp, u, c, s in rows if pp == p and i == inst]
            if sel:
                add(p, inst, ordinal_alpha(sel))
    return out
