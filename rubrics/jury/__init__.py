"""The competition of good practices: definitions, the jury's database layer, access rules,
aggregation (weighted totals, severity normalisation, rankings, tie-breaks), the evidence
panel and the good-practice guide (docs/jury.md)."""
