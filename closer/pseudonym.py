"""Citizen authors are stored as a keyed hash (HMAC-SHA256), never in clear."""

from __future__ import annotations

import hashlib
import hmac

from closer import config


class Pseudonymiser:
    """Keyed hash of an author id; same author → same pseudonym under one key."""

    def __init__(self, key: bytes | None = None):
        self._key = key if key is not None else config.pseudonym_key()

    def __call__(self, platform: str, author_id: str | None) -> str | None:
        if author_id is None or author_id == "":
            return None
        msg = f"{platform}:{author_id}".encode()
        return "p_" + hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:16]
