"""Feed collector: blogs (RSS 2.0, Atom) and YouTube channel feeds, parsed with feedparser.

The account's handle is the feed URL, fetched exactly as registered. A blog entry becomes a
post (date, title, link, summary as text); its comment count comes from slash:comments or
thr:total when the feed gives one, else it is NULL; its comments are read only where the
feed points to a per-post comment feed (wfw:commentRss, or an Atom rel="replies" feed link).
A YouTube channel feed (/feeds/videos.xml?channel_id=…) gives the 15 latest videos with
media:statistics views and media:starRating count (stored as views and likes, per
snapshot); it has no comments. Feeds give no follower counts. Rules: docs/platforms.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import io
import logging
import re
import time
import xml.sax
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser

from closer.config import base_url_for
from monitor.base import (
    AccountRef,
    Batch,
    CollectError,
    Collector,
    FetchContext,
    Pseudonymise,
    RawDoc,
)
from monitor.html_text import html_to_text
from monitor.http import BudgetExceeded, HttpClient, HttpError, redact_url

log = logging.getLogger(__name__)

_UTF8 = {"content-type": "application/xml; charset=utf-8"}
_FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/xml", "text/xml")
_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")
# WordPress prefixes a threaded reply in its comment feeds with "In reply to <a
# href="…#comment-N">Name</a>." (translated); the link names the parent comment.
_IN_REPLY_TO_RE = re.compile(
    r"^\s*(?:<p>)?[^<]{0,120}<a\s[^>]*href=[\"']([^\"']*#comment-(\d+))[\"'][^>]*>.*?</a>[^<]{0,5}(?:</p>)?",
    re.DOTALL | re.IGNORECASE,
)


class BrokenFeed(ValueError):
    """The document is not a well-formed RSS or Atom feed."""


@functools.lru_cache(maxsize=32)
def parse(text: str) -> feedparser.FeedParserDict:
    """feedparser's reading of a feed document held as text (never a URL or a file name).

    Cached: fetch and normalize read the same document (about 40 ms each); callers must
    not change the result.
    """
    return feedparser.parse(io.BytesIO(text.encode("utf-8")), response_headers=_UTF8)


def problem(parsed: feedparser.FeedParserDict) -> str | None:
    """Why a parsed document cannot be used (broken XML, not a feed), or None."""
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(exc, xml.sax.SAXParseException):
        where = f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
        n = len(parsed.entries)
        recovered = (
            f"; feedparser's lenient parser recovered {n} entries,"
            " not stored as the document is damaged"
            if n
            else ""
        )
        return f"broken XML ({where}: {exc.getMessage()}){recovered}"
    if not parsed.get("version") and not parsed.entries:
        return "not an RSS or Atom feed (no feed elements found)"
    return None


_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")


def decode(content: bytes, content_type: str | None = None) -> str:
    """A feed's bytes as text: the HTTP charset, else a BOM, else the XML declaration, else
    UTF-8; if that fails, the encoding feedparser's detection finds."""
    m = _CHARSET_RE.search(content_type or "")
    declared = _XML_DECL_RE.match(content[:200])
    if m:
        enc = m.group(1)
    elif content.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif declared:
        enc = declared.group(1).decode("ascii")
    else:
        enc = "utf-8"
    try:
        text = content.decode(enc)
    except (LookupError, UnicodeDecodeError):
        headers = {"content-type": content_type} if content_type else {}
        guess = (
            feedparser.parse(io.BytesIO(content), response_headers=headers).get("encoding")
            or "utf-8"
        )
        try:
            text = content.decode(guess)
        except (LookupError, UnicodeDecodeError):
            text = content.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def local_url(url: str) -> str:
    """The URL to request for `url`: host through base_url_for, path and query exactly as given."""
    parts = urlsplit(url.strip())
    base = base_url_for(parts.netloc, scheme=parts.scheme or "https")
    return base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _utc(struct: time.struct_time | None) -> dt.datetime | None:
    if not struct:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(struct), tz=dt.UTC)


def _entry_time(entry: dict[str, Any]) -> dt.datetime | None:
    """When an entry was published, else last updated (read without feedparser's fallbacks)."""
    return _utc(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))


def _int(value: Any) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def _host(url: str | None) -> str:
    return urlsplit(url or "").netloc.lower().removeprefix("www.")


def is_youtube(parsed: feedparser.FeedParserDict) -> bool:
    return str(parsed.feed.get("id", "")).startswith("yt:channel:") or any(
        e.get("yt_videoid") for e in parsed.entries
    )


def site_link(parsed: feedparser.FeedParserDict) -> str | None:
    """The site the feed belongs to (its rel="alternate" link)."""
    for link in parsed.feed.get("links") or []:
        if link.get("rel") == "alternate" and link.get("href"):
            return link["href"]
    link = parsed.feed.get("link")
    return link if link and "://" in link else None


def self_link(parsed: feedparser.FeedParserDict) -> str | None:
    """The feed's own URL: rel="self", else a YouTube channel feed URL built from the channel id."""
    for link in parsed.feed.get("links") or []:
        if link.get("rel") == "self" and link.get("href"):
            return link["href"]
    channel = channel_id(parsed)
    if channel:
        return f"https://www.youtube.com/feeds/videos.xml?channel_id={channel}"
    return None


def channel_id(parsed: feedparser.FeedParserDict) -> str | None:
    """A YouTube channel's id (UC…), from the entries (the feed-level id may lack the UC)."""
    for e in parsed.entries:
        if e.get("yt_channelid"):
            return str(e["yt_channelid"])
    fid = str(parsed.feed.get("yt_channelid") or parsed.feed.get("id", "")).removeprefix(
        "yt:channel:"
    )
    if len(fid) == 22 and not fid.startswith("UC"):
        fid = "UC" + fid  # the feed level drops the "UC" that channel ids start with
    return fid or None


def entry_id(entry: dict[str, Any], parsed: feedparser.FeedParserDict) -> str | None:
    """A post's id: its guid/id when absolute (URL, URN, tag:, yt:video:), else '<site>#<guid>'."""
    gid = entry.get("id") or entry.get("link")
    if not gid:
        return None
    gid = str(gid).strip()
    if ":" in gid:
        return gid
    return f"{site_link(parsed) or self_link(parsed) or 'feed'}#{gid}"


def comments_feed(entry: dict[str, Any]) -> str | None:
    """The entry's own comment feed: wfw:commentRss, else an Atom rel="replies" feed link."""
    if entry.get("wfw_commentrss"):
        return str(entry["wfw_commentrss"]).strip()
    for link in entry.get("links") or []:
        if link.get("rel") == "replies" and link.get("type") in _FEED_TYPES and link.get("href"):
            return link["href"]
    return None


def comment_count(entry: dict[str, Any]) -> int | None:
    """slash:comments, else thr:total, else the thr:count of a replies link; None if none."""
    for key in ("slash_comments", "thr_total"):
        if entry.get(key) is not None:
            return _int(entry[key])
    for link in entry.get("links") or []:
        if link.get("rel") == "replies" and link.get("thr_count") is not None:
            return _int(link["thr_count"])
    return None


def _lang(value: str | None) -> str | None:
    """The primary language subtag, lowercased ('ro-RO' → 'ro')."""
    if not value:
        return None
    return str(value).strip().split("-", 1)[0].split("_", 1)[0].lower() or None


def _entry_lang(entry: dict[str, Any], parsed: feedparser.FeedParserDict) -> str | None:
    for detail in (entry.get("title_detail"), *(entry.get("content") or [])):
        if isinstance(detail, dict) and detail.get("language"):
            return _lang(detail["language"])
    return _lang(parsed.feed.get("language"))


def _html(entry: dict[str, Any]) -> str:
    """The entry's full HTML (content) or, failing that, its summary."""
    for c in entry.get("content") or []:
        if c.get("value"):
            return c["value"]
    return entry.get("summary") or ""


def blog_form(entry: dict[str, Any], parsed: feedparser.FeedParserDict) -> str:
    """video/photo when enclosures or media:content say so; link for an entry pointing off-site."""
    types = []
    for enc in entry.get("enclosures") or []:
        types.append(str(enc.get("type") or ""))
    for m in entry.get("media_content") or []:
        types.append(str(m.get("medium") or m.get("type") or ""))
    if any(t.startswith(("video", "audio")) for t in types):
        return "video"
    if any(t.startswith("image") for t in types):
        return "photo"
    site = _host(site_link(parsed) or self_link(parsed))
    link = entry.get("link")
    if site and link and _host(link) and _host(link) != site:
        return "link"  # a link-blog entry: the entry's link is someone else's page
    return "text"


class FeedCollector(Collector):
    platform = "feed"
    capabilities: ClassVar[dict[str, bool]] = {
        "followers": False,
        "following": False,
        "posts_count": False,
        "views": True,  # YouTube channel feeds only; NULL for blogs
        "likes": True,  # YouTube channel feeds only (starRating count); NULL for blogs
        "shares": False,
        "replies": True,  # blogs with slash:comments / thr:total; NULL otherwise
        "quotes": False,
        "polls": False,
        "threads": True,  # blogs with a per-post comment feed
    }

    @staticmethod
    def normalize_handle(handle: str) -> str:
        return handle.strip()

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        client: HttpClient = self.client
        url = account.handle.strip()
        resp = client.get(local_url(url))
        if resp.status_code >= 400:
            raise HttpError(resp.url, resp.status_code, resp.text, resp)
        text = decode(resp.content, resp.headers.get("Content-Type"))
        ctx.archive(
            RawDoc(
                "feed",
                redact_url(resp.url),
                client.produced_at(resp),
                resp.status_code,
                text,
                {"url": url},
            )
        )
        parsed = parse(text)
        why = problem(parsed)
        if why:
            raise CollectError("feed", f"{url}: {why}")
        if is_youtube(parsed):
            return
        for entry in parsed.entries:
            created = _entry_time(entry)
            if ctx.since is not None and created is not None and created < ctx.since:
                continue
            cfeed = comments_feed(entry)
            if not cfeed or comment_count(entry) == 0:
                continue
            post_id = entry_id(entry, parsed)
            try:
                resp = client.get(local_url(cfeed))
                if resp.status_code >= 400:
                    raise HttpError(resp.url, resp.status_code, resp.text, resp)
            except HttpError as exc:
                ctx.warn("thread", f"comments of {post_id}: HTTP {exc.status} from {cfeed}")
                continue
            except BudgetExceeded:
                raise
            except Exception as exc:  # noqa: BLE001 - a network error loses the comments, not the account
                ctx.warn("thread", f"comments of {post_id}: {exc.__class__.__name__}: {exc}")
                continue
            text = decode(resp.content, resp.headers.get("Content-Type"))
            why = problem(parse(text))
            meta = {"url": cfeed, "post_id": post_id}
            ctx.archive(
                RawDoc(
                    "comments",
                    redact_url(resp.url),
                    client.produced_at(resp),
                    resp.status_code,
                    text,
                    meta,
                )
            )
            if why:
                ctx.warn("thread", f"comments of {post_id}: {cfeed}: {why}")

    @staticmethod
    def detect(body: Any) -> str | None:
        """'feed' or 'comments' (a per-post comment feed); raises BrokenFeed for damaged XML."""
        if not isinstance(body, str) or "<" not in body:
            return None
        parsed = parse(body)
        why = problem(parsed)
        if why:
            if why.startswith("broken XML"):
                raise BrokenFeed(why)
            return None
        if parsed.entries and all(
            "#comment-" in str(e.get("id") or e.get("link") or "") for e in parsed.entries
        ):
            return "comments"
        return "feed"

    @staticmethod
    def import_handle(kind: str, body: Any) -> tuple[str | None, str | None]:
        """(feed URL, channel id) for `closer import`: the feed's rel="self" link."""
        if kind != "feed":
            return None, None
        parsed = parse(body)
        return self_link(parsed), channel_id(parsed) if is_youtube(parsed) else None

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        batch = Batch()
        posts: dict[str, dict[str, Any]] = {}
        snaps: dict[str, dict[str, Any]] = {}
        post_authors: dict[str, set[str]] = {}
        owners: set[str] = set()  # the blog's own names: feed author and title
        site = None
        for d in docs:
            if d.kind != "feed":
                continue
            parsed = parse(d.body)
            why = problem(parsed)
            if why:
                log.info("%s: feed document skipped: %s", account.account_id, why)
                continue
            youtube = is_youtube(parsed)
            site = site or site_link(parsed)
            for name in (parsed.feed.get("author"), parsed.feed.get("title")):
                if name:
                    owners.add(_name(name))
            batch.account_snapshot = {
                "snapshot_at": d.fetched_at,
                "followers": None,
                "following": None,
                "posts_count": None,
                "views": None,
                "platform_account_id": channel_id(parsed) if youtube else None,
            }
            for entry in parsed.entries:
                pid = entry_id(entry, parsed)
                created = _entry_time(entry)
                if pid is None or created is None:
                    log.warning(
                        "%s: entry without id or date skipped (%s)",
                        account.account_id,
                        entry.get("title"),
                    )
                    continue
                title = _title(entry)
                summary_text, _ = html_to_text(entry.get("summary"))
                _, content_links = html_to_text(_html(entry))
                link = entry.get("link")
                if youtube:
                    links = _URL_RE.findall(summary_text)
                    form, edited = "video", None
                else:
                    links = content_links
                    form = blog_form(entry, parsed)
                    updated = _utc(dict.get(entry, "updated_parsed"))
                    edited = (
                        updated
                        if updated and dict.get(entry, "published_parsed") and updated > created
                        else None
                    )
                if link and form == "link":
                    links = [link, *links]
                links = [u for u in dict.fromkeys(links) if u != link or form == "link"]
                posts[pid] = {
                    "post_id": pid,
                    "created_at": created,
                    "url": link,
                    "kind": "post",
                    "form": form,
                    "title": title,
                    "text": summary_text or None,
                    "lang": None if youtube else _entry_lang(entry, parsed),
                    "in_reply_to_id": None,
                    "visibility": None,
                    "links": links,
                    "has_poll": None,  # feeds have no polls
                    "edited_at": edited,
                }
                post_authors[pid] = {
                    _name(a.get("name")) for a in entry.get("authors") or [] if a.get("name")
                }
                if youtube:
                    snaps[pid] = {
                        "post_id": pid,
                        "snapshot_at": d.fetched_at,
                        "likes": _int((entry.get("media_starrating") or {}).get("count")),
                        "shares": None,
                        "replies": None,  # the channel feed says nothing about comments
                        "quotes": None,
                        "views": _int((entry.get("media_statistics") or {}).get("views")),
                    }
                else:
                    snaps[pid] = {
                        "post_id": pid,
                        "snapshot_at": d.fetched_at,
                        "likes": None,
                        "shares": None,
                        "replies": comment_count(entry),
                        "quotes": None,
                        "views": None,
                    }
        batch.posts = list(posts.values())
        batch.post_snapshots = list(snaps.values())
        batch.comments = _comments(account, docs, posts, post_authors, owners, site, pseudonymise)
        return batch


def _title(entry: dict[str, Any]) -> str | None:
    title = entry.get("title")
    if not title:
        return None
    if (entry.get("title_detail") or {}).get("type") in ("text/html", "application/xhtml+xml"):
        title = html_to_text(title)[0]
    return " ".join(str(title).split()) or None


def _name(value: str | None) -> str:
    return " ".join(str(value or "").split()).casefold()


def _post_of(
    comment_guid: str,
    d: RawDoc,
    parsed: feedparser.FeedParserDict,
    posts: dict[str, dict[str, Any]],
) -> str | None:
    """The post a comment belongs to: the fetch's note, else the comment guid before
    '#comment-' or the comment feed's link, matched to a post's id or permalink."""
    if d.meta.get("post_id"):
        return str(d.meta["post_id"])
    prefix = comment_guid.split("#comment-", 1)[0] if "#comment-" in comment_guid else None
    candidates = [c for c in (prefix, site_link(parsed)) if c]
    for c in candidates:
        if c in posts:
            return c
        for pid, p in posts.items():
            if p.get("url") and p["url"].rstrip("/") == c.rstrip("/"):
                return pid
    return candidates[0] if candidates else None


def _comments(
    account: AccountRef,
    docs: list[RawDoc],
    posts: dict[str, dict[str, Any]],
    post_authors: dict[str, set[str]],
    owners: set[str],
    site: str | None,
    pseudonymise: Pseudonymise,
) -> list[dict[str, Any]]:
    """Comments from per-post comment feeds; the blog's own answers are by_institution.

    A comment is the institution's when its author name equals the post's author name or the
    blog feed's author or title (case and spacing ignored).
    """
    comments: dict[str, dict[str, Any]] = {}
    scope = _host(site) or _host(account.handle)
    for d in docs:
        if d.kind != "comments":
            continue
        parsed = parse(d.body)
        if problem(parsed):
            continue
        by_suffix: dict[str, str] = {}
        rows = []
        for entry in parsed.entries:
            cid = str(entry.get("id") or entry.get("link") or "").strip()
            created = _entry_time(entry)
            if not cid or created is None:
                continue
            post_id = _post_of(cid, d, parsed, posts)
            if not post_id:
                continue
            if "#comment-" in cid:
                by_suffix[cid.rsplit("#comment-", 1)[1]] = cid
            rows.append((cid, created, post_id, entry))
        for cid, created, post_id, entry in rows:
            html = _html(entry)
            parent = None
            reply_to = entry.get("thr_in-reply-to") or {}
            if reply_to.get("ref"):
                parent = str(reply_to["ref"])
            m = _IN_REPLY_TO_RE.match(html)
            if m:
                html = html[m.end() :]  # drops the parent's author name along with the link
                if parent is None:
                    n = m.group(2)
                    parent = by_suffix.get(n) or (
                        cid.rsplit("#comment-", 1)[0] + f"#comment-{n}"
                        if "#comment-" in cid
                        else None
                    )
            text, _ = html_to_text(html)
            name = entry.get("author") or (entry.get("author_detail") or {}).get("name")
            mine = bool(name) and (
                _name(name) in owners or _name(name) in post_authors.get(post_id, set())
            )
            comments[cid] = {
                "comment_id": cid,
                "post_id": post_id,
                "parent_id": parent if parent and parent != cid else post_id,
                "created_at": created,
                "by_institution": mine,
                "author": account.account_id
                if mine
                else pseudonymise("feed", f"{scope}|{_name(name)}" if name else None),
                "lang": None,
                "text": text or None,
                "likes": None,
                "edited_at": None,
            }
    return list(comments.values())


COLLECTOR = FeedCollector
