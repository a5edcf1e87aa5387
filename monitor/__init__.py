"""Collectors: one module per platform behind one interface (monitor.base.Collector).

A platform module declares `COLLECTOR = <its Collector subclass>`; this package finds
them, so adding a platform is one module, one fixture and its tests (docs/platforms.md).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from monitor.base import Collector

_NOT_PLATFORMS = {"base", "http", "archive", "runner", "replay", "importer", "credentials", "html_text"}


@cache
def collectors() -> dict[str, type[Collector]]:
    """platform name → collector class, for every platform module in this package."""
    found: dict[str, type[Collector]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_PLATFORMS or info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        cls = getattr(mod, "COLLECTOR", None)
        if cls is not None:
            found[cls.platform] = cls
    return found


def collector_for(platform: str) -> type[Collector]:
    try:
        return collectors()[platform]
    except KeyError:
        raise KeyError(f"no collector for platform {platform!r} (known: {', '.join(sorted(collectors()))})") from None
