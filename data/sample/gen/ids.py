"""Identifiers in each platform's real shape, derived from a key (so they never change).

Mastodon ids are snowflakes (milliseconds << 16 | 16 bits); Bluesky record keys are TIDs
(microseconds << 10 | clock id, base32-sortable, 13 characters), CIDs are CIDv1 base32
strings ('bafyrei…' for records, 'bafkrei…' for blobs), DIDs are did:plc with 24 base32
characters; YouTube video ids are 11 base64url characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib

_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_BLURHASH = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def digest(key: str) -> int:
    """A stable 256-bit integer for a key."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest(), "big")


def _chars(key: str, alphabet: str, n: int) -> str:
    x = digest(key)
    out = []
    for _ in range(n):
        x, r = divmod(x, len(alphabet))
        out.append(alphabet[r])
        if x < len(alphabet):
            x = digest(key + str(len(out)))
    return "".join(out)


def snowflake(t: dt.datetime, key: str) -> str:
    """A Mastodon id for something created at t."""
    ms = int(t.timestamp() * 1000)
    return str((ms << 16) | (digest(key) & 0xFFFF))


def tid(t: dt.datetime, key: str) -> str:
    """A Bluesky TID record key for a record created at t."""
    n = (int(t.timestamp() * 1_000_000) << 10) | (digest(key) & 0x3FF)
    out = []
    for _ in range(13):
        n, r = divmod(n, 32)
        out.append(_B32_SORT[r])
    return "".join(reversed(out))


def cid(key: str, blob: bool = False) -> str:
    """A CIDv1 in base32: dag-cbor records 'bafyrei…', raw blobs 'bafkrei…' (59 characters)."""
    return ("bafkrei" if blob else "bafyrei") + _chars(key, _B32, 52)


def did(key: str) -> str:
    """A did:plc identifier."""
    return "did:plc:" + _chars(key, _B32, 24)


def video_id(key: str) -> str:
    """An 11-character YouTube video id (64 bits: the last character carries 4 of them)."""
    return _chars(key, _B64URL, 10) + "AEIMQUYcgkosw048"[digest(key + "last") % 16]


def blurhash(key: str) -> str:
    """A 36-character blurhash (4x3 components), as Mastodon gives for media."""
    return "U" + _chars(key, _BLURHASH, 35)


def hexname(key: str, n: int = 16) -> str:
    """Hex digits for media file names."""
    return hashlib.sha256(key.encode()).hexdigest()[:n]
