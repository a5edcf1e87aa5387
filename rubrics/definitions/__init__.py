"""Rubric definitions as data: <rubric_id>_v<N>.yaml (see docs/rubric.md)."""
