"""Mastodon REST API responses (v4.x, as an anonymous client receives them).

Request contract (what monitor/mastodon.py asks, exactly):
  GET /api/v1/accounts/lookup?acct=<user>
  GET /api/v1/accounts/<id>/statuses?limit=40 [&max_id=<last id of the previous page>]
  GET /api/v1/statuses/<id>/context   for each own status in the window with replies
Entity shapes follow tests/fixtures/mastodon (real Mastodon.py recordings). Fields only an
authenticated viewer gets (favourited, reblogged, muted, bookmarked, pinned, filtered, a poll's
voted/own_votes) are left out, as Mastodon leaves them out for an anonymous request.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from gen import ids
from gen.scenario import DELETED_MASTODON
from gen.world import Channel, Citizen, Note, World

PAGE = 40
_URL_RE = re.compile(r"https?://[^\s<]+[^\s<.,;:!?)]")


def iso(t: dt.datetime) -> str:
    """Mastodon's timestamps: ISO 8601 UTC with milliseconds and Z."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _day(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT00:00:00.000Z")


def link_html(url: str, rel: str = "nofollow noopener") -> str:
    """A link as Mastodon formats it: scheme hidden, long URLs shortened to 30 characters."""
    m = re.match(r"(https?://(?:www\.)?)(.*)", url)
    prefix, rest = (m.group(1), m.group(2)) if m else ("", url)
    shown, hidden = (rest[:30], rest[30:]) if len(rest) > 30 else (rest, "")
    cls = "ellipsis" if hidden else ""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="{rel}" translate="no">'
        f'<span class="invisible">{html.escape(prefix)}</span><span class="{cls}">'
        f'{html.escape(shown)}</span><span class="invisible">{html.escape(hidden)}</span></a>'
    )


def _paragraphs(text: str) -> str:
    out = []
    for para in text.split("\n\n"):
        pos, parts = 0, []
        for m in _URL_RE.finditer(para):
            parts.append(html.escape(para[pos : m.start()], quote=False))
            parts.append(link_html(m.group(0)))
            pos = m.end()
        parts.append(html.escape(para[pos:], quote=False))
        out.append("<p>" + "".join(parts).replace("\n", "<br />") + "</p>")
    return "".join(out)


class MastodonView:
    """Renders one instance's view of the world at one moment."""

    def __init__(self, world: World, at: dt.datetime):
        self.world = world
        self.at = at
        self._channel_of = {c.inst_id + c.platform: c for c in world.channels}

    # ---- accounts ------------------------------------------------------------------------
    def institution_account(self, ch: Channel) -> dict[str, Any]:
        items = ch.items_at(self.at)
        host = ch.host
        av = ids.hexname("avatar" + ch.handle)
        aid = ch.account_id
        path = "/".join(aid[i : i + 3] for i in range(0, len(aid), 3))
        fields = [
            {
                "name": "Website",
                "value": link_html(f"https://{ch.site}/", "nofollow noopener me"),
                "verified_at": iso(ch.created + dt.timedelta(days=3)),
            }
        ]
        for plat, label in (("bluesky", "Bluesky"), ("youtube", "YouTube")):
            sib = ch.siblings.get(plat)
            if sib is not None:
                fields.append(
                    {
                        "name": label,
                        "value": link_html(sib.url, "nofollow noopener me"),
                        "verified_at": None,
                    }
                )
        return {
            "id": aid,
            "username": ch.user,
            "acct": ch.user,
            "display_name": ch.inst_name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": _day(ch.created),
            "note": f"<p>Contul oficial al instituției {html.escape(ch.inst_name)}. Informații de interes "
            f"public pentru locuitorii din {html.escape(ch.locality)} și {html.escape(ch.region)}.</p>",
            "url": f"https://{host}/@{ch.user}",
            "uri": f"https://{host}/users/{ch.user}",
            "avatar": f"https://{host}/system/accounts/avatars/{path}/original/{av}.png",
            "avatar_static": f"https://{host}/system/accounts/avatars/{path}/original/{av}.png",
            "avatar_description": f"Stema {ch.locality}",
            "header": f"https://{host}/system/accounts/headers/{path}/original/{av[::-1]}.jpg",
            "header_static": f"https://{host}/system/accounts/headers/{path}/original/{av[::-1]}.jpg",
            "header_description": "",
            "followers_count": ch.followers(self.at),
            "following_count": ch.following(self.at),
            "statuses_count": ch.before + len(items),
            "last_status_at": items[0].created.strftime("%Y-%m-%d") if items else None,
            "hide_collections": False,
            "show_media": True,
            "show_media_replies": True,
            "show_featured": True,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": fields,
        }

    def citizen_account(self, c: Citizen, host: str) -> dict[str, Any]:
        aid = ids.snowflake(c.created, f"{host}:{c.key}")
        local = c.masto_host == host
        n = ids.digest(c.key)
        days = (self.at - c.created).days
        if n % 5 < 2:
            avatar = f"https://{host}/avatars/original/missing.png"
        else:
            path = "/".join(aid[i : i + 3] for i in range(0, len(aid), 3))
            sub = "accounts" if local else "cache/accounts"
            avatar = f"https://{host}/system/{sub}/avatars/{path}/original/{ids.hexname(c.key)}.jpg"
        return {
            "id": aid,
            "username": c.masto_user,
            "acct": c.masto_user if local else f"{c.masto_user}@{c.masto_host}",
            "display_name": c.display if n % 7 else "",
            "locked": False,
            "bot": False,
            "discoverable": bool(n % 3),
            "indexable": bool(n % 4),
            "group": False,
            "created_at": _day(c.created),
            "note": "" if n % 2 else f"<p>Locuiesc în {html.escape(c.region or 'România')}.</p>",
            "url": f"https://{c.masto_host}/@{c.masto_user}",
            "uri": f"https://{c.masto_host}/users/{c.masto_user}",
            "avatar": avatar,
            "avatar_static": avatar,
            "avatar_description": "",
            "header": f"https://{host}/headers/original/missing.png",
            "header_static": f"https://{host}/headers/original/missing.png",
            "header_description": "",
            "followers_count": 5 + n % 300 + days // 40,
            "following_count": 20 + n % 400,
            "statuses_count": 30 + n % 2000 + days // 3,
            "last_status_at": self.at.strftime("%Y-%m-%d"),
            "hide_collections": bool(n % 11 == 0),
            "show_media": True,
            "show_media_replies": True,
            "show_featured": True,
            "noindex": not bool(n % 4),
            "emojis": [],
            "roles": [],
            "fields": [],
        }

    def account_of(self, note: Note) -> dict[str, Any]:
        if note.author is None:
            return self.institution_account(note.channel)
        return self.citizen_account(note.author, note.channel.host)

    # ---- statuses ------------------------------------------------------------------------
    def _user_host(self, note: Note) -> tuple[str, str]:
        if note.author is None:
            return note.channel.user, note.channel.host
        return note.author.masto_user, note.author.masto_host

    def _content(self, note: Note) -> str:
        text = note.text_at(self.at)
        body = _paragraphs(text)
        if note.link is not None and note.link.url not in text:
            body = body[:-4] + " " + link_html(note.link.url) + "</p>"
        if note.tags:
            tags = " ".join(
                f'<a href="https://{note.channel.host}/tags/{t}" class="mention hashtag" '
                f'rel="tag">#<span>{t}</span></a>'
                for t in note.tags
            )
            body = body[:-4] + " " + tags + "</p>"
        if note.parent is not None:
            pu, ph = self._user_host(note.parent)
            mention = (
                f'<span class="h-card" translate="no"><a href="https://{ph}/@{pu}" '
                f'class="u-url mention">@<span>{pu}</span></a></span> '
            )
            body = "<p>" + mention + body[3:]
        return body

    def _media(self, note: Note) -> list[dict[str, Any]]:
        out = []
        host = note.channel.host
        for i, (kind, alt) in enumerate(note.media):
            key = f"{note.nid}:{i}"
            mid = ids.snowflake(note.created - dt.timedelta(minutes=2), key)
            path = "/".join(mid[j : j + 3] for j in range(0, len(mid), 3))
            name = ids.hexname(key)
            w, h = (
                ((1920, 1080) if i % 2 == 0 else (1080, 1350)) if kind == "image" else (1280, 720)
            )
            sw, sh = (640, 360) if w > h else (512, 640)
            if kind == "image":
                meta = {
                    "original": {"width": w, "height": h, "size": f"{w}x{h}", "aspect": w / h},
                    "small": {"width": sw, "height": sh, "size": f"{sw}x{sh}", "aspect": sw / sh},
                }
                url = f"https://{host}/system/media_attachments/files/{path}/original/{name}.jpg"
                preview = f"https://{host}/system/media_attachments/files/{path}/small/{name}.jpg"
            else:
                dur = round(15 + ids.digest(key) % 170 + 0.37, 2)
                meta = {
                    "original": {
                        "width": w,
                        "height": h,
                        "frame_rate": "30/1",
                        "duration": dur,
                        "bitrate": 2_100_000 + ids.digest(key) % 900_000,
                    },
                    "small": {"width": sw, "height": sh, "size": f"{sw}x{sh}", "aspect": sw / sh},
                }
                url = f"https://{host}/system/media_attachments/files/{path}/original/{name}.mp4"
                preview = (
                    f"https://{host}/system/media_attachments/thumbnails/{path}/original/{name}.jpg"
                )
            out.append(
                {
                    "id": mid,
                    "type": kind,
                    "url": url,
                    "preview_url": preview,
                    "remote_url": None,
                    "preview_remote_url": None,
                    "text_url": None,
                    "meta": meta,
                    "description": alt or None,
                    "blurhash": ids.blurhash(key),
                }
            )
        return out

    def _card(self, note: Note) -> dict[str, Any] | None:
        link = note.link
        if link is None:
            return None
        video = link.kind == "video"
        vid = link.url.rsplit("=", 1)[-1]
        provider = "YouTube" if video else link.url.split("/")[2].removeprefix("www.")
        return {
            "url": link.url,
            "title": link.title,
            "description": link.description[:200],
            "language": "ro",
            "type": "video" if video else "link",
            "author_name": note.channel.inst_name if video else "",
            "author_url": "",
            "provider_name": provider,
            "provider_url": "https://www.youtube.com/" if video else "",
            "html": (
                f'<iframe width="200" height="113" src="https://www.youtube.com/embed/{vid}?feature=oembed" '
                'frameborder="0" allowfullscreen="" sandbox="allow-scripts allow-same-origin allow-popups '
                'allow-popups-to-escape-sandbox allow-forms allow-presentation"></iframe>'
            )
            if video
            else "",
            "width": 400 if video else 1200,
            "height": 225 if video else 630,
            "image": (
                f"https://{note.channel.host}/system/cache/preview_cards/images/"
                f"{ids.hexname(link.url, 12)}/original/{ids.hexname(link.url)}.jpg"
            )
            if link.image
            else None,
            "image_description": "",
            "embed_url": "",
            "blurhash": ids.blurhash(link.url) if link.image else None,
            "published_at": None,
            "authors": [],
        }

    def _poll(self, note: Note) -> dict[str, Any] | None:
        p = note.poll
        if p is None:
            return None
        until = min(self.at, p.expires)
        votes = [note.count(v, until) for v in p.votes]
        return {
            "id": p.nid,
            "expires_at": iso(p.expires),
            "expired": self.at >= p.expires,
            "multiple": False,
            "votes_count": sum(votes),
            "voters_count": sum(votes),
            "options": [{"title": o, "votes_count": v} for o, v in zip(p.options, votes)],
            "emojis": [],
        }

    def status(self, note: Note) -> dict[str, Any]:
        user, host = self._user_host(note)
        at = self.at
        if note.repost_of is not None:
            base = f"https://{note.channel.host}/users/{note.channel.user}/statuses/{note.nid}/activity"
            return {
                "id": note.nid,
                "created_at": iso(note.created),
                "in_reply_to_id": None,
                "in_reply_to_account_id": None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": "public",
                "language": None,
                "uri": base,
                "url": base,
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
                "quotes_count": 0,
                "edited_at": None,
                "content": "",
                "reblog": self.status(note.repost_of),
                "application": None,
                "account": self.institution_account(note.channel),
                "media_attachments": [],
                "mentions": [],
                "tags": [],
                "emojis": [],
                "quote": None,
                "card": None,
                "poll": None,
                "quote_approval": {"automatic": [], "manual": [], "current_user": "denied"},
            }
        parent = note.parent
        mentions = []
        if parent is not None:
            pu, ph = self._user_host(parent)
            pacct = self.account_of(parent)
            mentions = [
                {
                    "id": pacct["id"],
                    "username": pu,
                    "url": f"https://{ph}/@{pu}",
                    "acct": pacct["acct"],
                }
            ]
        edited = note.edited_at(at)
        return {
            "id": note.nid,
            "created_at": iso(note.created),
            "in_reply_to_id": parent.nid if parent is not None else None,
            "in_reply_to_account_id": self.account_of(parent)["id"] if parent is not None else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": note.visibility,
            "language": note.lang,
            "uri": f"https://{host}/users/{user}/statuses/{note.nid}",
            "url": f"https://{host}/@{user}/{note.nid}",
            "replies_count": len(note.children_at(at)),
            "reblogs_count": note.count(note.shares, at),
            "favourites_count": note.count(note.likes, at),
            "quotes_count": 0,
            "edited_at": iso(edited) if edited else None,
            "content": self._content(note),
            "reblog": None,
            "application": {"name": "Web", "website": None} if note.author is None else None,
            "account": self.account_of(note),
            "media_attachments": self._media(note),
            "mentions": mentions,
            "tags": [
                {"name": t, "url": f"https://{note.channel.host}/tags/{t}"} for t in note.tags
            ],
            "emojis": [],
            "quote": None,
            "card": self._card(note),
            "poll": self._poll(note),
            "quote_approval": {
                "automatic": ["public"] if note.author is None else [],
                "manual": [],
                "current_user": "denied",
            },
        }

    def context(self, note: Note) -> dict[str, Any]:
        ancestors = []
        p = note.parent
        while p is not None:
            ancestors.append(p)
            p = p.parent
        descendants: list[Note] = []

        def walk(n: Note) -> None:
            for c in sorted(n.children_at(self.at), key=lambda x: int(x.nid)):
                descendants.append(c)
                walk(c)

        walk(note)
        return {
            "ancestors": [self.status(a) for a in reversed(ancestors)],
            "descendants": [self.status(d) for d in descendants],
        }


def _headers(at: dt.datetime, n: int, link: str | None = None) -> dict[str, str]:
    reset = (at + dt.timedelta(minutes=5)).replace(second=0, microsecond=0)
    h = {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": str(max(0, 299 - n)),
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
    }
    if link:
        h["Link"] = link
    return h


def responses(
    world: World, ch: Channel, at: dt.datetime, since: dt.datetime
) -> list[dict[str, Any]]:
    """Every response the collector needs for one Mastodon account at one collection."""
    host = ch.host
    inst, deleted_from = DELETED_MASTODON
    lookup = {"host": host, "path": "/api/v1/accounts/lookup", "query": {"acct": ch.user}}
    if ch.inst_id == inst and at >= deleted_from:
        return [
            {
                **lookup,
                "status": 404,
                "headers": _headers(at, 0),
                "body": {"error": "Record not found"},
            }
        ]
    view = MastodonView(world, at)
    out = [
        {**lookup, "status": 200, "headers": _headers(at, 0), "body": view.institution_account(ch)}
    ]
    items = ch.items_at(at)
    base = f"https://{host}/api/v1/accounts/{ch.account_id}/statuses"
    start, max_id, with_replies = 0, None, []
    while True:
        page = items[start : start + PAGE]
        query = {"limit": str(PAGE)} if max_id is None else {"limit": str(PAGE), "max_id": max_id}
        links = []
        if len(page) == PAGE:
            links.append(f'<{base}?limit={PAGE}&max_id={page[-1].nid}>; rel="next"')
        if page:
            links.append(f'<{base}?limit={PAGE}&min_id={page[0].nid}>; rel="prev"')
        out.append(
            {
                "host": host,
                "path": f"/api/v1/accounts/{ch.account_id}/statuses",
                "query": query,
                "status": 200,
                "headers": _headers(at, len(out), ", ".join(links) or None),
                "body": [view.status(n) for n in page],
            }
        )
        in_window = [n for n in page if n.created >= since]
        with_replies += [n for n in in_window if n.repost_of is None and n.children_at(at)]
        if not page or len(in_window) < len(page) or len(page) < PAGE:
            break
        start += PAGE
        max_id = page[-1].nid
    for n in with_replies:
        out.append(
            {
                "host": host,
                "path": f"/api/v1/statuses/{n.nid}/context",
                "query": {},
                "status": 200,
                "headers": _headers(at, len(out)),
                "body": view.context(n),
            }
        )
    return out
