"""Competition definitions as data: <competition_id>_v<N>.yaml (docs/jury.md)."""
