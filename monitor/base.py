"""The one interface every platform collector implements.

fetch (network → raw documents, archived as they come) is kept apart from normalize
(raw documents → rows, a pure function), so a run can be re-read from its archive and
normalisation is tested on recorded payloads (STYLE.md: fetch_* / save_*).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

# What a platform can give. True: given; False: never given (shown as "not available on
# this platform", stored as NULL, never 0).
CAPABILITY_NAMES = (
    "followers",
    "following",
    "posts_count",
    "views",
    "likes",
    "shares",
    "replies",
    "quotes",
    "polls",
    "threads",
)

FORMS = ("text", "photo", "video", "link", "poll", "event", "quote", "repost")
KINDS = ("post", "reply", "repost")


@dataclass(frozen=True)
class AccountRef:
    """A registered account, as the collectors see it."""

    account_id: str
    institution_id: str
    platform: str
    handle: str
    url: str | None = None
    platform_account_id: str | None = None


@dataclass
class RawDoc:
    """One raw API response, archived exactly as received (secrets redacted from the URL)."""

    kind: str  # e.g. "account", "statuses", "context"
    url: str
    fetched_at: dt.datetime  # when the response was produced (its Date header) or received
    status: int = 200
    body: Any = None  # parsed JSON, or text for XML feeds
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "fetched_at": self.fetched_at.isoformat(),
            "status": self.status,
            "meta": self.meta,
            "body": self.body,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RawDoc:
        return cls(
            kind=d["kind"],
            url=d.get("url", ""),
            fetched_at=dt.datetime.fromisoformat(d["fetched_at"]),
            status=d.get("status", 200),
            body=d.get("body"),
            meta=d.get("meta") or {},
        )


@dataclass
class Batch:
    """Rows normalised from one account's raw documents in one run.

    account_snapshot keys: snapshot_at, followers, following, posts_count, views,
      platform_account_id (optional).
    posts keys: post_id, created_at, url, kind, form, title, text, lang, in_reply_to_id,
      visibility, links, has_poll, edited_at.
    post_snapshots keys: post_id, snapshot_at, likes, shares, replies, quotes, views.
    comments keys: comment_id, post_id, parent_id, created_at, by_institution, author,
      lang, text, likes, edited_at.
    Times are timezone-aware UTC datetimes; a count the platform does not give is None.
    """

    account_snapshot: dict[str, Any] | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)
    post_snapshots: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Batch) -> None:
        if other.account_snapshot is not None:
            self.account_snapshot = other.account_snapshot
        self.posts.extend(other.posts)
        self.post_snapshots.extend(other.post_snapshots)
        self.comments.extend(other.comments)


class CollectError(Exception):
    """The account cannot be collected (not found, suspended, bad response after retries)."""

    def __init__(self, stage: str, reason: str, account_status: str | None = None):
        super().__init__(f"{stage}: {reason}")
        self.stage = stage
        self.reason = reason
        # e.g. "not_found", "token_expired": shown to the admin on the account
        self.account_status = account_status


class PlatformStop(CollectError):
    """The whole platform must stop for this run (quota exhausted, rate-limited for hours).

    The runner records it and skips the platform's remaining accounts; the next run resumes.
    """


@dataclass
class FetchContext:
    """What a collector's fetch gets besides the account: where documents go, and warnings."""

    since: dt.datetime | None
    archive: Callable[[RawDoc], None]
    warn: Callable[[str, str], None]  # (stage, reason): a non-fatal problem, recorded
    credentials: dict[str, str] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # per-run, per-platform (e.g. quota)


Pseudonymise = Callable[[str, str | None], str | None]


class Collector:
    """Base class: subclasses set platform/capabilities and implement fetch and normalize."""

    platform: ClassVar[str]
    capabilities: ClassVar[dict[str, bool]]
    needs_credentials: ClassVar[tuple[str, ...]] = ()  # env/secrets names

    def __init__(self, client):
        self.client = client

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        """Fetch the account's raw documents from the network, handing each to ctx.archive."""
        raise NotImplementedError

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        """Pure function: raw documents → rows."""
        raise NotImplementedError

    @staticmethod
    def detect(body: Any) -> str | None:
        """For `closer import`: the kind of a raw document (e.g. "statuses"), or None."""
        return None

    @staticmethod
    def normalize_handle(handle: str) -> str:
        """The canonical handle used in account ids."""
        return handle.strip().lower()


def utc(value: str | dt.datetime | None) -> dt.datetime | None:
    """Parse an ISO 8601 timestamp into an aware UTC datetime (naive input is taken as UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        d = value
    else:
        s = value.strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        # Graph API style "+0000" offsets
        if len(s) > 5 and s[-5] in "+-" and s[-4:].isdigit() and s[-3] != ":":
            s = s[:-2] + ":" + s[-2:]
        d = dt.datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.astimezone(dt.timezone.utc)
