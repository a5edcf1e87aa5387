"""Where things live: database path, raw archive, pseudonymisation key, endpoint overrides."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

DEFAULT_DB = "closer.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database file: --db, else $CLOSER_DB, else ./closer.duckdb."""
    return Path(explicit or os.environ.get("CLOSER_DB") or DEFAULT_DB)


def archive_dir(db: str | os.PathLike) -> Path:
    """Raw API responses per run: $CLOSER_ARCHIVE, else <db folder>/raw."""
    env = os.environ.get("CLOSER_ARCHIVE")
    return Path(env) if env else Path(db).resolve().parent / "raw"


def key_path() -> Path:
    """The pseudonymisation key file, outside the repository and the database."""
    env = os.environ.get("CLOSER_KEY_FILE")
    if env:
        return Path(env)
    home = Path(os.environ.get("CLOSER_HOME") or Path.home() / ".config" / "closer")
    return home / "pseudonym.key"


def pseudonym_key() -> bytes:
    """The keyed-hash secret: $CLOSER_PSEUDONYM_KEY, else a key file created once (mode 0600)."""
    env = os.environ.get("CLOSER_PSEUDONYM_KEY")
    if env:
        return env.encode()
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def endpoint_overrides() -> dict[str, str]:
    """Host → base URL replacements ($CLOSER_ENDPOINTS, JSON), used to replay recorded APIs."""
    raw = os.environ.get("CLOSER_ENDPOINTS")
    if not raw:
        return {}
    return {k.lower(): v.rstrip("/") for k, v in json.loads(raw).items()}


def base_url_for(host: str, scheme: str = "https") -> str:
    """The base URL to reach `host`, after overrides."""
    return endpoint_overrides().get(host.lower(), f"{scheme}://{host}")
