"""docs/metrics.md is generated from the metric files' headers and is up to date; every column
`closer metrics` outputs has a written definition, and every definition a column."""

from __future__ import annotations

import re

from metrics import catalog, compute, periods
from metrics import rules as rules_mod
from tests.metrics.conftest import three_levels


def test_docs_metrics_md_is_up_to_date():
    assert catalog.DOC_PATH.read_text(encoding="utf-8") == catalog.render(), (
        "docs/metrics.md is out of date: run `python -m metrics.catalog`"
    )
    assert catalog.main(["--check"]) == 0


def _pattern(name: str) -> re.Pattern:
    return re.compile(
        "^"
        + re.sub(r"<[a-z]+>", "[a-z0-9_]+", re.escape(name).replace(r"\<", "<").replace(r"\>", ">"))
        + "$"
    )


def test_every_column_is_defined_and_every_definition_computed(world, con):
    three_levels(world)
    r = rules_mod.load()
    res = compute.compute(con, periods.rounds(con, r.timezone), "institution", r)
    cols = compute.metric_columns(res)
    sql_metrics = [m for s in catalog.sources() if s.path.suffix == ".sql" for m in s.metrics]
    patterns = {m.name: _pattern(m.name) for m in sql_metrics}
    undocumented = [c for c in cols if not any(p.match(c) for p in patterns.values())]
    assert undocumented == []
    not_computed = [n for n, p in patterns.items() if not any(p.match(c) for c in cols)]
    assert not_computed == []
    # every n/a reason column belongs to a metric, and every metric's reason column exists
    reasons = [c for c in res.table.column_names if c.endswith("_na_reason")]
    for m in sql_metrics:
        if "<" not in m.name and m.na_when != "never (0).":
            assert m.reason_column in reasons, m.name
    assert all(c[: -len("_na_reason")] in cols or c == "form_na_reason" for c in reasons)


def test_headers_are_complete():
    for s in catalog.sources():
        assert s.family and s.order
        if s.stage:
            assert s.about, s.path.name
        for m in s.metrics:
            assert m.unit and m.definition and m.na_when, (s.path.name, m.name)
