"""Bluesky collector (public AppView, no credentials).

getProfile → followers/follows/posts counts; getAuthorFeed (100 a page, cursor paging) →
the account's posts, its own replies and its reposts of others' posts (stored as kind
'repost', without the reposted content or counts); getPostThread for each own post in the
window with replies → the thread's replies as comments, the institution's own answers
marked. Lexicons: https://github.com/bluesky-social/atproto/tree/main/lexicons/app/bsky
Rules and limits: docs/platforms.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any, ClassVar

from closer.config import base_url_for
from monitor.base import (
    AccountRef,
    Batch,
    CollectError,
    Collector,
    FetchContext,
    Pseudonymise,
    RawDoc,
    utc,
)
from monitor.http import BudgetExceeded, HttpClient, HttpError

log = logging.getLogger(__name__)

HOST = "public.api.bsky.app"
PAGE = 100
THREAD_DEPTH = 10

REPOST = "app.bsky.feed.defs#reasonRepost"
PIN = "app.bsky.feed.defs#reasonPin"
THREAD_POST = "app.bsky.feed.defs#threadViewPost"
LINK_FACET = "app.bsky.richtext.facet#link"

# embed type (without "app.bsky.embed." and "#view") → content form
_EMBED_FORM = {
    "images": "photo",
    "video": "video",
    "external": "link",
    "record": "quote",
    "recordWithMedia": "quote",
}
# what a record embed shows when it is not a post (a list, a feed, a starter pack): a link
_QUOTED_POST_VIEWS = {
    "app.bsky.embed.record#viewRecord",
    "app.bsky.embed.record#viewNotFound",
    "app.bsky.embed.record#viewBlocked",
    "app.bsky.embed.record#viewDetached",
}
# getProfile errors that say the account is gone (HTTP 400): status for accounts.status
_GONE = {
    "AccountTakedown": "suspended",
    "AccountDeactivated": "deactivated",
    "ActorNotFound": "not_found",
}


def rkey(uri: str) -> str:
    """The record key, last segment of an at:// URI."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def uri_did(uri: str) -> str:
    """The repository (author DID) of an at:// URI."""
    return uri.removeprefix("at://").split("/", 1)[0]


def web_url(uri: str, handle: str | None = None) -> str:
    """https://bsky.app/profile/<handle or DID>/post/<rkey> for a post's at:// URI."""
    who = handle if handle and handle != "handle.invalid" else uri_did(uri)
    return f"https://bsky.app/profile/{who}/post/{rkey(uri)}"


def sort_at(post: dict[str, Any]) -> dt.datetime | None:
    """When a post was made: the earlier of the client's createdAt and the AppView's indexedAt.

    createdAt is set by the author's app and may be back- or future-dated; the AppView orders
    feeds by the same rule ("sortAt"), so a post is never placed after Bluesky saw it.
    """
    record = post.get("record") or {}
    times = [t for t in (_time(record.get("createdAt")), _time(post.get("indexedAt"))) if t]
    return min(times) if times else None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return utc(value)
    except ValueError:
        return None


def _embed_kind(embed: dict[str, Any] | None) -> str | None:
    if not isinstance(embed, dict):
        return None
    t = str(embed.get("$type") or "")
    return t.removeprefix("app.bsky.embed.").split("#", 1)[0] or None


def content_form(post: dict[str, Any]) -> str:
    """photo, video, link, quote or text, from the post's embed (view, else record)."""
    embed = post.get("embed") or (post.get("record") or {}).get("embed")
    kind = _embed_kind(embed)
    if kind == "record":
        inner = (embed.get("record") or {}) if isinstance(embed, dict) else {}
        inner_type = inner.get("$type")
        if (
            inner_type
            and inner_type not in _QUOTED_POST_VIEWS
            and inner_type != "com.atproto.repo.strongRef"
        ):
            return "link"  # an embedded list, feed generator or starter pack
    if kind in _EMBED_FORM:
        return _EMBED_FORM[kind]
    return "link" if post_links(post) else "text"


def post_links(post: dict[str, Any]) -> list[str]:
    """Outbound URLs: link facets in the text and the external card, in order, once each."""
    record = post.get("record") or {}
    links: list[str] = []
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            if feature.get("$type") == LINK_FACET and feature.get("uri"):
                links.append(feature["uri"])
    for embed in (post.get("embed"), record.get("embed")):
        if not isinstance(embed, dict):
            continue
        for e in (embed, embed.get("media")):
            if (
                isinstance(e, dict)
                and isinstance(e.get("external"), dict)
                and e["external"].get("uri")
            ):
                links.append(e["external"]["uri"])
    return list(dict.fromkeys(links))


def _lang(record: dict[str, Any]) -> str | None:
    langs = record.get("langs") or []
    return str(langs[0]) if langs else None


def _count(value: Any) -> int | None:
    return (
        int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else None
    )


def item_time(item: dict[str, Any]) -> dt.datetime | None:
    """A feed item's place in time: the repost's time for a repost, else the post's."""
    reason = item.get("reason") or {}
    if reason.get("$type") == REPOST:
        return _time(reason.get("indexedAt")) or sort_at(item.get("post") or {})
    return sort_at(item.get("post") or {})


def repost_id(item: dict[str, Any]) -> str:
    """The repost's own identity: its record URI, else '<post uri>#repost-by-<did>'."""
    reason = item.get("reason") or {}
    if reason.get("uri"):
        return str(reason["uri"])
    by = (reason.get("by") or {}).get("did") or "unknown"
    return f"{item['post']['uri']}#repost-by-{by}"


class BlueskyCollector(Collector):
    platform = "bluesky"
    capabilities: ClassVar[dict[str, bool]] = {
        "followers": True,
        "following": True,
        "posts_count": True,
        "views": False,
        "likes": True,
        "shares": True,
        "replies": True,
        "quotes": True,
        "polls": False,
        "threads": True,
    }

    @staticmethod
    def normalize_handle(handle: str) -> str:
        return handle.strip().lstrip("@").lower()

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        client: HttpClient = self.client
        base = base_url_for(HOST)
        actor = self.normalize_handle(account.handle)
        try:
            body, resp = client.get_json(
                f"{base}/xrpc/app.bsky.actor.getProfile", params={"actor": actor}
            )
        except HttpError as exc:
            raise _profile_error(account.handle, exc) from exc
        if not isinstance(body, dict) or not body.get("did"):
            raise CollectError("lookup", "the getProfile answer has no did")
        ctx.archive(RawDoc("profile", resp.url, client.produced_at(resp), resp.status_code, body))
        did = body["did"]

        url = f"{base}/xrpc/app.bsky.feed.getAuthorFeed"
        params: dict[str, Any] = {"actor": actor, "limit": PAGE}
        threads: list[str] = []
        page = 0
        while True:
            body, resp = client.get_json(url, params=params)
            if not isinstance(body, dict) or not isinstance(body.get("feed"), list):
                raise CollectError("posts", "the getAuthorFeed answer has no feed list")
            page += 1
            ctx.archive(
                RawDoc(
                    "author_feed",
                    resp.url,
                    client.produced_at(resp),
                    resp.status_code,
                    body,
                    {"page": page},
                )
            )
            feed = body["feed"]
            if not feed:
                break
            older = False
            for item in feed:
                reason = (item.get("reason") or {}).get("$type")
                t = item_time(item)
                if ctx.since is not None and t is not None and t < ctx.since:
                    if reason != PIN:  # a pinned post comes first whatever its age
                        older = True
                    continue
                if reason == REPOST:
                    continue
                post = item.get("post") or {}
                if (post.get("author") or {}).get("did") == did and (
                    post.get("replyCount") or 0
                ) > 0:
                    threads.append(post["uri"])
            cursor = body.get("cursor")
            if older or not cursor:
                break  # newest first: the rest is older than the window
            params = {"actor": actor, "limit": PAGE, "cursor": cursor}

        for uri in dict.fromkeys(threads):
            try:
                body, resp = client.get_json(
                    f"{base}/xrpc/app.bsky.feed.getPostThread",
                    params={"uri": uri, "depth": THREAD_DEPTH, "parentHeight": 0},
                )
            except HttpError as exc:
                ctx.warn(
                    "thread", f"thread of {uri}: HTTP {exc.status} {_error_name(exc)}".rstrip()
                )
                continue
            except BudgetExceeded:
                raise
            except Exception as exc:  # noqa: BLE001 - malformed JSON etc.: the thread is lost, not the account
                ctx.warn("thread", f"thread of {uri}: {exc}")
                continue
            ctx.archive(
                RawDoc(
                    "thread",
                    resp.url,
                    client.produced_at(resp),
                    resp.status_code,
                    body,
                    {"post_id": uri},
                )
            )

    @staticmethod
    def detect(body: Any) -> str | None:
        if not isinstance(body, dict):
            return None
        if isinstance(body.get("feed"), list) and all(
            isinstance(i, dict) and "post" in i for i in body["feed"]
        ):
            return "author_feed"
        if isinstance(body.get("thread"), dict) and "$type" in body["thread"]:
            return "thread"
        if str(body.get("did", "")).startswith("did:") and "handle" in body:
            return "profile"
        return None

    @staticmethod
    def import_handle(kind: str, body: Any) -> tuple[str | None, str | None]:
        """(handle, did) of the account a raw document belongs to, for `closer import`."""
        if kind == "profile":
            return body.get("handle"), body.get("did")
        if kind == "author_feed":
            seen: Counter[tuple[str, str]] = Counter()
            for item in body.get("feed") or []:
                reason = item.get("reason") or {}
                who = (
                    reason.get("by")
                    if reason.get("$type") == REPOST
                    else (item.get("post") or {}).get("author")
                )
                if isinstance(who, dict) and who.get("handle"):
                    seen[(who["handle"], who.get("did"))] += 1
            if seen:
                return seen.most_common(1)[0][0]
        if kind == "thread":
            author = ((body.get("thread") or {}).get("post") or {}).get("author") or {}
            if author.get("handle"):
                return author["handle"], author.get("did")
        return None, None

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        batch = Batch()
        handle = BlueskyCollector.normalize_handle(account.handle)
        did = account.platform_account_id
        for d in docs:
            if d.kind == "profile":
                did = d.body.get("did") or did
                batch.account_snapshot = {
                    "snapshot_at": d.fetched_at,
                    "followers": _count(d.body.get("followersCount")),
                    "following": _count(d.body.get("followsCount")),
                    "posts_count": _count(d.body.get("postsCount")),
                    "views": None,
                    "platform_account_id": d.body.get("did"),
                }
        if not did:  # imported documents without the profile: learn the DID from the handle
            did = _did_of(handle, docs)

        posts: dict[str, dict[str, Any]] = {}
        snaps: dict[str, dict[str, Any]] = {}
        for d in docs:
            if d.kind != "author_feed":
                continue
            for item in d.body.get("feed") or []:
                post = item.get("post") or {}
                reason = item.get("reason") or {}
                if not post.get("uri"):
                    continue
                if reason.get("$type") == REPOST:
                    by = reason.get("by") or {}
                    if did and by.get("did") and by["did"] != did:
                        continue
                    # the reposted author may be a citizen: their DID is pseudonymised in
                    # the id, and no link to their post is kept
                    pid = private_uri(repost_id(item), did, pseudonymise)
                    created = item_time(item)
                    if created is None:
                        continue
                    original_by_account = (post.get("author") or {}).get("did") == did
                    posts[pid] = {
                        "post_id": pid,
                        "created_at": created,
                        "url": web_url(post["uri"], (post.get("author") or {}).get("handle"))
                        if original_by_account
                        else None,
                        "kind": "repost",
                        "form": "repost",
                        "title": None,
                        "text": None,
                        "lang": None,
                        "in_reply_to_id": None,
                        "visibility": None,
                        "links": [],
                        "has_poll": None,
                        "edited_at": None,
                    }
                    continue  # the counts are the reposted post's, not the account's
                author = post.get("author") or {}
                if did and author.get("did") and author["did"] != did:
                    continue  # not the account's (only possible in hand-assembled files)
                created = sort_at(post)
                if created is None:
                    continue
                record = post.get("record") or {}
                parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
                posts[post["uri"]] = {
                    "post_id": post["uri"],
                    "created_at": created,
                    "url": web_url(post["uri"], author.get("handle")),
                    "kind": "reply" if parent else "post",
                    "form": content_form(post),
                    "title": None,
                    "text": record.get("text"),
                    "lang": _lang(record),
                    "in_reply_to_id": private_uri(parent, did, pseudonymise) if parent else None,
                    "visibility": None,
                    "links": post_links(post),
                    "has_poll": None,  # Bluesky has no polls
                    "edited_at": None,
                }
                snaps[post["uri"]] = {
                    "post_id": post["uri"],
                    "snapshot_at": d.fetched_at,
                    "likes": _count(post.get("likeCount")),
                    "shares": _count(post.get("repostCount")),
                    "replies": _count(post.get("replyCount")),
                    "quotes": _count(post.get("quoteCount")),
                    "views": None,
                }
        batch.posts = list(posts.values())
        batch.post_snapshots = list(snaps.values())
        batch.comments = _thread_comments(account, did, docs, posts, pseudonymise)
        return batch


def _did_of(handle: str, docs: list[RawDoc]) -> str | None:
    for d in docs:
        if d.kind in ("author_feed", "thread"):
            h, did = BlueskyCollector.import_handle(d.kind, d.body)
            if h and did and h.lower() == handle:
                return did
    return None


def _thread_comments(
    account: AccountRef,
    did: str | None,
    docs: list[RawDoc],
    posts: dict[str, dict[str, Any]],
    pseudonymise: Pseudonymise,
) -> list[dict[str, Any]]:
    """Every reply in the threads under the account's posts; notFound/blocked nodes skipped."""
    threads = []
    for d in docs:
        if d.kind != "thread":
            continue
        top = (d.body or {}).get("thread") or {}
        if top.get("$type", THREAD_POST) != THREAD_POST or not isinstance(top.get("post"), dict):
            continue  # the post itself is deleted or blocked: no thread to read
        root = str(d.meta.get("post_id") or top["post"].get("uri"))
        root_author = (top["post"].get("author") or {}).get("did")
        if did and root_author and root_author != did:
            log.info("thread %s is not under a post of %s; skipped", root, account.account_id)
            continue
        threads.append((root, top))
    # Older roots first, so a reply seen under two of the account's posts (a self-thread)
    # belongs to the thread's first post.
    threads.sort(
        key=lambda x: (sort_at(x[1]["post"]) or dt.datetime.max.replace(tzinfo=dt.UTC), x[0])
    )
    comments: dict[str, dict[str, Any]] = {}
    for root, top in threads:
        stack = [(r, root) for r in reversed(top.get("replies") or [])]
        while stack:
            node, parent_uri = stack.pop()
            if not isinstance(node, dict) or node.get("$type", THREAD_POST) != THREAD_POST:
                continue  # notFoundPost / blockedPost: nothing to read, nothing below it
            post = node.get("post")
            if not isinstance(post, dict) or not post.get("uri"):
                continue
            uri = post["uri"]
            stack.extend((r, uri) for r in reversed(node.get("replies") or []))
            if uri in comments:
                continue
            created = sort_at(post)
            if created is None:
                continue
            record = post.get("record") or {}
            author = post.get("author") or {}
            mine = bool(did) and author.get("did") == did
            parent = ((record.get("reply") or {}).get("parent") or {}).get("uri") or parent_uri
            comments[uri] = {
                "comment_id": private_uri(uri, did, pseudonymise),
                "post_id": root,
                "parent_id": private_uri(parent, did, pseudonymise),
                "created_at": created,
                "by_institution": mine,
                "author": account.account_id
                if mine
                else pseudonymise("bluesky", author.get("did") or uri_did(uri)),
                "lang": _lang(record),
                "text": record.get("text"),
                "likes": _count(post.get("likeCount")),
                "edited_at": None,
            }
    return list(comments.values())


def private_uri(uri: str, own_did: str | None, pseudonymise: Pseudonymise) -> str:
    """An at-uri with a citizen's DID (a public, resolvable identity) replaced by its pseudonym.

    at://did:plc:citizen/app.bsky.feed.post/3k… → at://p_1a2b…/app.bsky.feed.post/3k…; the
    institution's own URIs are kept as they are. Ids stay unique and parent links still match.
    """
    author = uri_did(uri)
    if not author or not author.startswith("did:") or author == own_did:
        return uri
    return uri.replace(author, pseudonymise("bluesky", author) or "p_unknown", 1)


def _error_name(exc: HttpError) -> str:
    resp = exc.response
    try:
        body = resp.json() if resp is not None else {}
    except ValueError:
        body = {}
    if isinstance(body, dict) and body.get("error"):
        return f"{body['error']}: {body.get('message', '')}".strip(": ")
    return ""


def _profile_error(handle: str, exc: HttpError) -> Exception:
    """A getProfile failure as a CollectError carrying the account's new status when gone."""
    name = _error_name(exc)
    code = name.split(":", 1)[0]
    status = _GONE.get(code)
    if status is None and exc.status == 400 and "not found" in name.lower():
        status = "not_found"  # {"error":"InvalidRequest","message":"Profile not found"}
    if status is None and exc.status in (404, 410):
        status = "not_found"
    if status is None:
        return exc
    err = CollectError(
        "lookup", f"account {handle} {status.replace('_', ' ')} (HTTP {exc.status} {name})"
    )
    err.account_status = status  # type: ignore[attr-defined]
    return err


COLLECTOR = BlueskyCollector
