"""Page-level role checks, made on the server each time a page renders (ui.session owns them)."""

from ui.session import require_role

__all__ = ["require_role"]
