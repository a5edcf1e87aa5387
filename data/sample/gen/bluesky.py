"""Bluesky AppView responses (public.api.bsky.app, no credentials).

Request contract:
  GET /xrpc/app.bsky.actor.getProfile?actor=<handle>
  GET /xrpc/app.bsky.feed.getAuthorFeed?actor=<handle>&limit=100 [&cursor=<cursor>]
  GET /xrpc/app.bsky.feed.getPostThread?uri=<at-uri>&depth=10&parentHeight=0
      for each own post (not a repost) in the window with replyCount > 0
Shapes follow tests/fixtures/bluesky (real recordings) and the app.bsky lexicons: profileViewDetailed,
feedViewPost (post, reply, reason), postView with record and embed views, threadViewPost with
#notFoundPost / #blockedPost replies. As for Mastodon, feed pages are served down to the first page
that holds an item older than `since` (by its sort time: the repost time for a repost, else the
post's createdAt), where the collector stops; a page with a cursor is full (100 items).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

from gen import ids
from gen.world import Channel, Citizen, Note, World

HOST = "public.api.bsky.app"
PAGE = 100
_URL_RE = re.compile(r"https?://[^\s]+[^\s.,;:!?)]")
MAX_GRAPHEMES = 300


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _short(url: str) -> str:
    s = re.sub(r"^https?://", "", url)
    return s if len(s) <= 27 else s[:24] + "..."


def text_and_facets(
    text: str, link: str | None, tags: list[str]
) -> tuple[str, list[dict[str, Any]]]:
    """Post text as a client writes it: links shortened for display, facets in UTF-8 bytes."""
    urls = _URL_RE.findall(text)
    plain = _URL_RE.sub("\x00", text)
    extra = [link] if link and link not in urls else []
    budget = (
        MAX_GRAPHEMES
        - sum(len(_short(u)) + 1 for u in urls + extra)
        - sum(len(t) + 2 for t in tags)
    )
    if len(plain) > budget:
        cut = plain[: budget - 1]
        cut = cut[: cut.rfind(" ")] if " " in cut else cut
        plain = cut.rstrip(" ,;:") + "…"
        urls = urls[: plain.count("\x00")]
    out, facets = b"", []
    pieces = plain.split("\x00")
    for i, piece in enumerate(pieces):
        out += piece.encode("utf-8")
        if i < len(urls):
            start = len(out)
            out += _short(urls[i]).encode("utf-8")
            facets.append(
                {
                    "index": {"byteStart": start, "byteEnd": len(out)},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": urls[i]}],
                }
            )
    for u in extra:
        out += b" "
        start = len(out)
        out += _short(u).encode("utf-8")
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": len(out)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": u}],
            }
        )
    for t in tags:
        out += b" "
        start = len(out)
        out += f"#{t}".encode()
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": len(out)},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": t}],
            }
        )
    return out.decode("utf-8"), facets


class BlueskyView:
    def __init__(self, world: World, at: dt.datetime):
        self.world = world
        self.at = at

    # ---- actors --------------------------------------------------------------------------
    def _avatar(self, did: str, key: str) -> str:
        return (
            f"https://cdn.bsky.app/img/avatar/plain/{did}/{ids.cid('avatar' + key, blob=True)}@jpeg"
        )

    def institution_basic(self, ch: Channel) -> dict[str, Any]:
        return {
            "did": ch.did,
            "handle": ch.handle,
            "displayName": ch.inst_name,
            "avatar": self._avatar(ch.did, ch.handle),
            "associated": {"chat": {"allowIncoming": "none"}},
            "viewer": {"muted": False, "blockedBy": False},
            "labels": [],
            "createdAt": iso(ch.created),
        }

    def citizen_basic(self, c: Citizen) -> dict[str, Any]:
        n = ids.digest(c.key)
        out: dict[str, Any] = {"did": c.did, "handle": c.bsky_handle}
        if n % 6:
            out["displayName"] = c.display
        if n % 4:
            out["avatar"] = self._avatar(c.did, c.key)
        out.update(
            {
                "viewer": {"muted": False, "blockedBy": False},
                "labels": [],
                "createdAt": iso(c.created),
            }
        )
        return out

    def author(self, note: Note) -> dict[str, Any]:
        return (
            self.institution_basic(note.channel)
            if note.author is None
            else self.citizen_basic(note.author)
        )

    def did_of(self, note: Note) -> str:
        return note.channel.did if note.author is None else note.author.did

    def uri(self, note: Note) -> str:
        return f"at://{self.did_of(note)}/app.bsky.feed.post/{note.nid}"

    def cid(self, note: Note) -> str:
        return ids.cid("post:" + self.uri(note) + (note.text_at(self.at) if note.edit else ""))

    def profile(self, ch: Channel) -> dict[str, Any]:
        items = [n for n in ch.items_at(self.at) if n.repost_of is None]
        return {
            "did": ch.did,
            "handle": ch.handle,
            "displayName": ch.inst_name,
            "avatar": self._avatar(ch.did, ch.handle),
            "associated": {
                "lists": 0,
                "feedgens": 0,
                "starterPacks": 0,
                "labeler": False,
                "chat": {"allowIncoming": "none"},
            },
            "viewer": {"muted": False, "blockedBy": False},
            "labels": [],
            "createdAt": iso(ch.created),
            "description": (f"Contul oficial al instituției {ch.inst_name}. Site: {ch.site}"),
            "indexedAt": iso(ch.created + dt.timedelta(minutes=3)),
            "banner": f"https://cdn.bsky.app/img/banner/plain/{ch.did}/{ids.cid('banner' + ch.handle, blob=True)}@jpeg",
            "followersCount": ch.followers(self.at),
            "followsCount": ch.following(self.at),
            "postsCount": ch.before + len(items),
        }

    # ---- posts ---------------------------------------------------------------------------
    def _strong(self, note: Note) -> dict[str, str]:
        return {"cid": self.cid(note), "uri": self.uri(note)}

    def record(self, note: Note) -> dict[str, Any]:
        link = note.link.url if note.link is not None else None
        text, facets = text_and_facets(note.text_at(self.at), link, note.tags)
        rec: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": iso(note.created)}
        if note.lang:
            rec["langs"] = [note.lang]
        if note.parent is not None:
            rec["reply"] = {"parent": self._strong(note.parent), "root": self._strong(note.root)}
        embed = self._record_embed(note)
        if embed:
            rec["embed"] = embed
        if facets:
            rec["facets"] = facets
        rec["text"] = text
        return rec

    def _blob(self, key: str, mime: str, size: int) -> dict[str, Any]:
        return {
            "$type": "blob",
            "ref": {"$link": ids.cid(key, blob=True)},
            "mimeType": mime,
            "size": size,
        }

    def _images(self, note: Note) -> list[tuple[str, str, dict[str, int]]]:
        out = []
        for i, (_kind, alt) in enumerate(note.media):
            ratio = (
                {"height": 1080, "width": 1920} if i % 2 == 0 else {"height": 1350, "width": 1080}
            )
            out.append((f"{note.nid}:img{i}", alt, ratio))
        return out

    def _record_embed(self, note: Note) -> dict[str, Any] | None:
        if note.quote_of is not None:
            return {"$type": "app.bsky.embed.record", "record": self._strong(note.quote_of)}
        if note.form == "photo" and note.media:
            return {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "alt": alt,
                        "aspectRatio": ratio,
                        "image": self._blob(key, "image/jpeg", 90_000 + ids.digest(key) % 400_000),
                    }
                    for key, alt, ratio in self._images(note)
                ],
            }
        if note.form == "video" and note.media:
            key = f"{note.nid}:video"
            return {
                "$type": "app.bsky.embed.video",
                "video": self._blob(key, "video/mp4", 4_000_000 + ids.digest(key) % 30_000_000),
                "aspectRatio": {"height": 720, "width": 1280},
                **({"alt": note.media[0][1]} if note.media[0][1] else {}),
            }
        if note.link is not None:
            ext: dict[str, Any] = {
                "description": note.link.description[:200],
                "title": note.link.title,
                "uri": note.link.url,
            }
            if note.link.image:
                ext["thumb"] = self._blob(
                    "thumb" + note.link.url,
                    "image/jpeg",
                    60_000 + ids.digest(note.link.url) % 200_000,
                )
            return {"$type": "app.bsky.embed.external", "external": ext}
        return None

    def _embed_view(self, note: Note) -> dict[str, Any] | None:
        did = self.did_of(note)
        if note.quote_of is not None:
            q = note.quote_of
            return {
                "$type": "app.bsky.embed.record#view",
                "record": {
                    "$type": "app.bsky.embed.record#viewRecord",
                    "uri": self.uri(q),
                    "cid": self.cid(q),
                    "author": self.author(q),
                    "value": self.record(q),
                    "labels": [],
                    "likeCount": q.count(q.likes, self.at),
                    "replyCount": len(q.children_at(self.at)),
                    "repostCount": q.count(q.shares, self.at),
                    "quoteCount": q.count(q.quotes, self.at),
                    "indexedAt": iso(q.created),
                    "embeds": [e for e in [self._embed_view(q)] if e],
                },
            }
        if note.form == "photo" and note.media:
            return {
                "$type": "app.bsky.embed.images#view",
                "images": [
                    {
                        "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/{ids.cid(key, blob=True)}@jpeg",
                        "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{ids.cid(key, blob=True)}@jpeg",
                        "alt": alt,
                        "aspectRatio": ratio,
                    }
                    for key, alt, ratio in self._images(note)
                ],
            }
        if note.form == "video" and note.media:
            c = ids.cid(f"{note.nid}:video", blob=True)
            out = {
                "$type": "app.bsky.embed.video#view",
                "cid": c,
                "playlist": f"https://video.bsky.app/watch/{quote(did, safe='')}/{c}/playlist.m3u8",
                "thumbnail": f"https://video.bsky.app/watch/{quote(did, safe='')}/{c}/thumbnail.jpg",
                "aspectRatio": {"height": 720, "width": 1280},
            }
            if note.media[0][1]:
                out["alt"] = note.media[0][1]
            return out
        if note.link is not None:
            ext: dict[str, Any] = {
                "uri": note.link.url,
                "title": note.link.title,
                "description": note.link.description[:200],
            }
            if note.link.image:
                ext["thumb"] = (
                    f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/"
                    f"{ids.cid('thumb' + note.link.url, blob=True)}@jpeg"
                )
            return {"$type": "app.bsky.embed.external#view", "external": ext}
        return None

    def post_view(self, note: Note) -> dict[str, Any]:
        out: dict[str, Any] = {
            "uri": self.uri(note),
            "cid": self.cid(note),
            "author": self.author(note),
            "record": self.record(note),
        }
        ev = self._embed_view(note)
        if ev:
            out["embed"] = ev
        out.update(
            {
                "replyCount": len(note.children_at(self.at)),
                "repostCount": note.count(note.shares, self.at),
                "likeCount": note.count(note.likes, self.at),
                "quoteCount": note.count(note.quotes, self.at),
                "indexedAt": iso(note.created + dt.timedelta(milliseconds=137)),
                "viewer": {"threadMuted": False, "embeddingDisabled": False},
                "labels": [],
            }
        )
        return out

    def feed_item(self, note: Note) -> dict[str, Any]:
        if note.repost_of is not None:
            return {
                "post": self.post_view(note.repost_of),
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": self.institution_basic(note.channel),
                    "indexedAt": iso(note.created),
                },
            }
        item: dict[str, Any] = {"post": self.post_view(note)}
        if note.parent is not None:
            reply: dict[str, Any] = {
                "root": self.post_view(note.root),
                "parent": self.post_view(note.parent),
            }
            gp = note.parent.parent
            if gp is not None:
                reply["grandparentAuthor"] = self.author(gp)
            item["reply"] = reply
        return item

    def thread(self, note: Note, depth: int = 10) -> dict[str, Any]:
        if note.special == "notfound":
            return {
                "$type": "app.bsky.feed.defs#notFoundPost",
                "uri": self.uri(note),
                "notFound": True,
            }
        if note.special == "blocked":
            return {
                "$type": "app.bsky.feed.defs#blockedPost",
                "uri": self.uri(note),
                "blocked": True,
                "author": {"did": self.did_of(note), "viewer": {"blockedBy": False}},
            }
        out: dict[str, Any] = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self.post_view(note),
        }
        if depth > 0:
            kids = sorted(
                note.children_at(self.at), key=lambda c: (c.author is not None, c.created)
            )
            out["replies"] = [self.thread(c, depth - 1) for c in kids]
        return out


def _headers(at: dt.datetime, n: int) -> dict[str, str]:
    return {
        "RateLimit-Limit": "3000",
        "RateLimit-Remaining": str(2999 - n),
        "RateLimit-Reset": str(int(at.timestamp()) + 300),
        "RateLimit-Policy": "3000;w=300",
    }


def responses(
    world: World, ch: Channel, at: dt.datetime, since: dt.datetime
) -> list[dict[str, Any]]:
    """Every response the collector needs for one Bluesky account at one collection."""
    view = BlueskyView(world, at)
    out: list[dict[str, Any]] = [
        {
            "host": HOST,
            "path": "/xrpc/app.bsky.actor.getProfile",
            "query": {"actor": ch.handle},
            "status": 200,
            "headers": _headers(at, 0),
            "body": view.profile(ch),
        }
    ]
    items = ch.items_at(at)
    start, cursor, threads = 0, None, []
    while True:
        page = items[start : start + PAGE]
        query = {"actor": ch.handle, "limit": str(PAGE)}
        if cursor:
            query["cursor"] = cursor
        body: dict[str, Any] = {"feed": [view.feed_item(n) for n in page]}
        more = len(page) == PAGE
        if more:
            body["cursor"] = iso(page[-1].created)
        out.append(
            {
                "host": HOST,
                "path": "/xrpc/app.bsky.feed.getAuthorFeed",
                "query": query,
                "status": 200,
                "headers": _headers(at, len(out)),
                "body": body,
            }
        )
        threads += [
            n for n in page if n.repost_of is None and n.created >= since and n.children_at(at)
        ]
        if not more or any(n.created < since for n in page):
            break  # the collector stops at the first page reaching past `since`
        start += PAGE
        cursor = body["cursor"]
    for n in threads:
        out.append(
            {
                "host": HOST,
                "path": "/xrpc/app.bsky.feed.getPostThread",
                "query": {"uri": view.uri(n), "depth": "10", "parentHeight": "0"},
                "status": 200,
                "headers": _headers(at, len(out)),
                "body": {"thread": view.thread(n)},
            }
        )
    return out
