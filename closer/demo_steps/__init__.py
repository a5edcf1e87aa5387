"""Demo steps run after the sample collections, in name order (s10_…, s20_…).

Each module defines `run(db_path: Path, sample: Path) -> str | None` (a line to print).
"""
