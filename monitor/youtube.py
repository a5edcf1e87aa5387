"""YouTube collector (YouTube Data API v3, an API key).

channels.list (statistics: subscribers, views, videos; the uploads playlist) →
playlistItems.list over the uploads playlist (50 a page, nextPageToken) → videos.list
(50 ids a call: views, likes, comments) → for each video in the window with comments,
commentThreads.list with their replies (comments.list when a thread has more replies than
it carries), the channel's own replies told by authorChannelId.

Quota (https://developers.google.com/youtube/v3/getting-started#quota): 10,000 units a day
per project ($CLOSER_YOUTUBE_DAILY_QUOTA), the day running midnight to midnight Pacific
time; each of these list calls costs 1 unit. Units are counted before every call in a
ledger kept between runs (quota_ledger); the collector stops the platform before the
quota (PlatformStop), keeps what it fetched, and leaves a cursor (collect_cursors) so the
next run first finishes what this one could not. A 403 quotaExceeded is recorded the same
way. The channel RSS feed (platform "feed") needs no key; this collector adds counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from closer.config import base_url_for
from monitor.base import (
    AccountRef,
    Batch,
    CollectError,
    Collector,
    FetchContext,
    PlatformStop,
    Pseudonymise,
    RawDoc,
    utc,
)
from monitor.credentials import (
    CredentialProblem,
    CredentialStop,
    note_check,
    note_coverage,
    require,
)
from monitor.html_text import html_to_text
from monitor.http import HttpClient, redact_url

log = logging.getLogger(__name__)

HOST = "www.googleapis.com"
DAILY_QUOTA = 10_000
try:
    PACIFIC: dt.tzinfo = ZoneInfo("America/Los_Angeles")
except ZoneInfoNotFoundError:  # no time zone database: Pacific standard time all year
    PACIFIC = dt.timezone(dt.timedelta(hours=-8), "PST")
UNIT_COST = 1  # channels, playlistItems, videos, commentThreads, comments: list = 1 unit
PAGE = 50
THREADS_PAGE = 100
MAX_RATE_WAITS = 3
_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_URL_RE = re.compile(r"https?://[^\s<>\"']+")


def daily_quota() -> int:
    """Units a day this key may spend ($CLOSER_YOUTUBE_DAILY_QUOTA, else 10,000)."""
    raw = os.environ.get("CLOSER_YOUTUBE_DAILY_QUOTA")
    return int(raw) if raw else DAILY_QUOTA


def quota_day(now: dt.datetime | None = None) -> str:
    """Today's quota day (YouTube resets quotas at midnight Pacific time), ISO date."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(PACIFIC).date().isoformat()


def channel_query(handle: str) -> dict[str, str]:
    """channels.list's selector for a registry handle or URL.

    'UC…' or …/channel/UC… → id; '@name' or …/@name → forHandle; …/user/name → forUsername;
    a channel feed URL (…?channel_id=UC…) → id.
    """
    h = handle.strip()
    m = re.search(r"channel_id=(UC[A-Za-z0-9_-]{22})", h) or re.search(
        r"/channel/(UC[A-Za-z0-9_-]{22})", h
    )
    if m:
        return {"id": m.group(1)}
    if _CHANNEL_ID.match(h):
        return {"id": h}
    m = re.search(r"youtube\.com/(@[^/?#]+)", h)
    if m:
        return {"forHandle": m.group(1)}
    m = re.search(r"youtube\.com/(?:user|c)/([^/?#]+)", h)
    if m:
        return {"forUsername": m.group(1)}
    if h.startswith("@"):
        return {"forHandle": h}
    if re.fullmatch(r"[A-Za-z0-9_.-]+", h):
        return {"forHandle": "@" + h}
    raise CollectError("lookup", f"{handle!r} is not a YouTube channel id, @handle or channel URL")


class Quota:
    """The day's units for one API key, kept in ctx.state['quota'] (saved between runs)."""

    def __init__(self, ctx: FetchContext, setting: str, limit: int, day: str):
        ledger = ctx.state.setdefault("quota", {})
        entry = ledger.get(setting)
        if not entry or entry.get("day") != day:
            entry = {"day": day, "units": 0, "calls": 0, "exhausted_at": None}
            ledger[setting] = entry
        self.entry = entry
        self.setting = setting
        self.limit = limit

    @property
    def used(self) -> int:
        return int(self.entry["units"])

    def spend(self, units: int, what: str) -> None:
        """Count `units` for the next call, or stop the platform before the quota."""
        day = self.entry["day"]
        if self.entry.get("exhausted_at"):
            raise CredentialStop(
                "quota",
                f"YouTube quota of {self.setting} is spent for {day} (the API answered "
                "quotaExceeded);"
                " the next run after midnight Pacific time resumes",
                "quota_exceeded",
            )
        if self.used + units > self.limit:
            raise CredentialStop(
                "quota",
                f"YouTube quota of {self.setting}: {self.used} of {self.limit} units used on "
                f"{day} (Pacific);"
                f" stopped before {what}; the next run resumes where this one stopped",
                "quota_exceeded",
            )
        self.entry["units"] = self.used + units
        self.entry["calls"] = int(self.entry.get("calls") or 0) + 1

    def exhausted(self) -> None:
        self.entry["exhausted_at"] = dt.datetime.now(dt.UTC).isoformat()


class YouTubeApiError(Exception):
    def __init__(self, status: int, reason: str, message: str):
        self.status = status
        self.reason = reason
        self.message = message[:300]
        super().__init__(f"HTTP {status} {reason}: {message[:300]}")


def _error(resp: requests.Response) -> YouTubeApiError:
    try:
        err = resp.json().get("error") or {}
    except ValueError:
        err = {}
    errors = err.get("errors") or [{}]
    reason = str(errors[0].get("reason") or err.get("status") or "")
    message = html_to_text(str(err.get("message") or ""))[0] or resp.reason or ""
    return YouTubeApiError(resp.status_code, reason, message)


class YouTubeCollector(Collector):
    platform = "youtube"
    needs_credentials = ("CLOSER_YOUTUBE_API_KEY",)
    capabilities: ClassVar[dict[str, bool]] = {
        "followers": True,
        "following": False,
        "posts_count": True,
        "views": True,
        "likes": True,
        "shares": False,
        "replies": True,
        "quotes": False,
        "polls": False,
        "threads": True,
    }

    @staticmethod
    def normalize_handle(handle: str) -> str:
        return handle.strip()

    # ------------------------------------------------------------------ fetch
    def _get(
        self,
        ctx: FetchContext,
        account: AccountRef,
        quota: Quota,
        key: str,
        method: str,
        params: dict[str, Any],
    ) -> tuple[Any, requests.Response]:
        client: HttpClient = self.client
        url = f"{base_url_for(HOST)}/youtube/v3/{method}"
        waits = 0
        while True:
            quota.spend(UNIT_COST, f"{method}.list")
            # The key goes in a header, never in a URL that could be logged or archived.
            resp = client.get(url, params=params, headers={"X-Goog-Api-Key": key})
            if resp.status_code < 400:
                try:
                    return resp.json(), resp
                except ValueError as exc:
                    raise CollectError(
                        "fetch", f"malformed response from {redact_url(resp.url)}: not JSON"
                    ) from exc
            err = _error(resp)
            if err.reason in ("quotaExceeded", "dailyLimitExceeded"):
                quota.exhausted()
                raise CredentialStop(
                    "quota",
                    f"YouTube answered quotaExceeded for {quota.setting} on {quota.entry['day']} "
                    "(Pacific) after"
                    f" {quota.used} units counted by Closer; the next run after midnight Pacific "
                    "time resumes",
                    "quota_exceeded",
                )
            if (
                err.reason in ("rateLimitExceeded", "userRateLimitExceeded")
                and waits < MAX_RATE_WAITS
            ):
                wait = min(client.max_backoff, 2.0 * 2**waits)
                waits += 1
                client.waited_seconds += wait
                client.sleep(wait)
                continue
            if err.reason in ("rateLimitExceeded", "userRateLimitExceeded"):
                raise CredentialStop(
                    "rate_limit",
                    f"YouTube rate limit ({err.reason}) after {waits} waits",
                    "rate_limited",
                )
            raise err

    def _key_problem(
        self, err: YouTubeApiError, ctx: FetchContext, account: AccountRef
    ) -> Exception:
        setting = ctx.credentials.get("CLOSER_YOUTUBE_API_KEY.setting", "CLOSER_YOUTUBE_API_KEY")
        if err.reason in ("keyExpired",) or "expired" in err.message.lower():
            return CredentialProblem(
                "credentials",
                f"the YouTube API key {setting} has expired ({err}); renew it",
                "token_expired",
                "token_expired",
            )
        if (
            err.reason in ("keyInvalid", "API_KEY_INVALID")
            or "api key not valid" in err.message.lower()
        ):
            return CredentialProblem(
                "credentials",
                f"the YouTube API key {setting} is not valid ({err})",
                "token_invalid",
                "token_invalid",
            )
        if (
            err.reason
            in (
                "accessNotConfigured",
                "ipRefererBlocked",
                "forbidden",
                "PERMISSION_DENIED",
                "SERVICE_UNAVAILABLE",
            )
            and err.status == 403
        ):
            return CredentialProblem(
                "credentials",
                f"the YouTube API key {setting} may not call the Data API ({err}):"
                ' enable "YouTube Data API v3" for its Google Cloud project and check'
                " the key's restrictions",
                "permission_denied",
                "permission_denied",
            )
        return CollectError("fetch", f"YouTube {err}")

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        key = require(ctx, account, "CLOSER_YOUTUBE_API_KEY")
        setting = ctx.credentials.get("CLOSER_YOUTUBE_API_KEY.setting", "CLOSER_YOUTUBE_API_KEY")
        quota = Quota(ctx, setting, daily_quota(), quota_day())
        cursors = ctx.state.setdefault("cursors", {})
        cursor = cursors.get(account.account_id) or {}
        pending_stats: list[str] = list(cursor.get("stats") or [])
        pending_threads: list[str] = list(cursor.get("threads") or [])
        client: HttpClient = self.client

        def archive(
            kind: str, body: Any, resp: requests.Response, meta: dict[str, Any] | None = None
        ) -> None:
            ctx.archive(
                RawDoc(
                    kind,
                    redact_url(resp.url),
                    client.produced_at(resp),
                    resp.status_code,
                    body,
                    meta or {},
                )
            )

        def get(method: str, params: dict[str, Any]) -> tuple[Any, requests.Response]:
            try:
                return self._get(ctx, account, quota, key, method, params)
            except YouTubeApiError as err:
                raise self._key_problem(err, ctx, account) from err

        selector = channel_query(account.platform_account_id or account.handle)
        body, resp = get("channels", {"part": "snippet,statistics,contentDetails", **selector})
        items = body.get("items") if isinstance(body, dict) else None
        if not items:
            exc = CollectError("lookup", f"YouTube channel {account.handle} not found")
            exc.account_status = "not_found"  # type: ignore[attr-defined]
            raise exc
        archive("channels", body, resp)
        note_check(ctx, account, ok=True, never_expires=True)
        channel = next((c for c in items if c.get("id") == selector.get("id")), items[0])
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get(
            "uploads"
        )

        # Everything below may stop on the quota: keep what is left for the next run.
        new_videos: list[str] = []
        stats_done: set[str] = set()
        threads_done: set[str] = set()
        to_thread: list[str] = []
        try:
            if uploads:
                params: dict[str, Any] = {
                    "part": "snippet,contentDetails",
                    "playlistId": uploads,
                    "maxResults": PAGE,
                }
                page = 0
                while True:
                    try:
                        body, resp = get("playlistItems", params)
                    except CollectError as exc:
                        if "playlistNotFound" in str(exc):
                            break  # a channel without uploads
                        raise
                    page += 1
                    archive("playlist_items", body, resp, {"page": page})
                    older = False
                    for it in body.get("items") or []:
                        vid = ((it.get("contentDetails") or {}).get("videoId")) or (
                            (it.get("snippet") or {}).get("resourceId") or {}
                        ).get("videoId")
                        when = (it.get("contentDetails") or {}).get("videoPublishedAt") or (
                            it.get("snippet") or {}
                        ).get("publishedAt")
                        if ctx.since is not None and when and utc(when) < ctx.since:
                            older = True
                            continue
                        if vid:
                            new_videos.append(vid)
                    token = body.get("nextPageToken")
                    if not token or older or token == params.get("pageToken"):
                        break
                    params = {**params, "pageToken": token}
            want_stats = list(dict.fromkeys(pending_stats + new_videos))
            commented: dict[str, int | None] = {}
            for i in range(0, len(want_stats), PAGE):
                chunk = want_stats[i : i + PAGE]
                body, resp = get(
                    "videos",
                    {
                        "part": "snippet,statistics,contentDetails,status",
                        "id": ",".join(chunk),
                        "maxResults": PAGE,
                    },
                )
                archive("videos", body, resp)
                for v in body.get("items") or []:
                    st = v.get("statistics") or {}
                    commented[v["id"]] = int(st["commentCount"]) if "commentCount" in st else None
                stats_done.update(chunk)
            to_thread = list(
                dict.fromkeys(pending_threads + [v for v in want_stats if commented.get(v)])
            )
            for vid in to_thread:
                self._threads(ctx, get, archive, vid)
                threads_done.add(vid)
        except (CredentialStop, CredentialProblem):
            left_stats = [
                v for v in dict.fromkeys(pending_stats + new_videos) if v not in stats_done
            ]
            left_threads = [v for v in to_thread if v not in threads_done]
            left_threads += [
                v for v in pending_threads if v not in threads_done and v not in left_threads
            ]
            for vid in left_threads:
                note_coverage(
                    ctx,
                    vid,
                    "quota or rate limit reached before its comments were read; the next run "
                    "reads them",
                )
            cursors[account.account_id] = (
                {"stats": left_stats, "threads": left_threads}
                if (left_stats or left_threads)
                else None
            )
            raise
        cursors[account.account_id] = None

    def _threads(self, ctx: FetchContext, get, archive, vid: str) -> None:
        params: dict[str, Any] = {
            "part": "snippet,replies",
            "videoId": vid,
            "maxResults": THREADS_PAGE,
            "textFormat": "plainText",
        }
        page = 0
        while True:
            try:
                body, resp = get("commentThreads", params)
            except PlatformStop:
                raise
            except CollectError as exc:
                if (
                    isinstance(exc, CredentialProblem)
                    and exc.credential_status != "permission_denied"
                ):
                    raise
                text = str(exc)
                if "commentsDisabled" in text or "disabled comments" in text:
                    note_coverage(ctx, vid, "comments are turned off for this video", complete=True)
                else:
                    ctx.warn("thread", f"comments of video {vid}: {text}")
                    note_coverage(ctx, vid, f"comments not read: {text}"[:300])
                return
            page += 1
            archive("comment_threads", body, resp, {"video_id": vid, "page": page})
            for th in body.get("items") or []:
                inline = len((th.get("replies") or {}).get("comments") or [])
                total = int((th.get("snippet") or {}).get("totalReplyCount") or 0)
                if total > inline:
                    self._replies(get, archive, vid, str(th["id"]))
            token = body.get("nextPageToken")
            if not token or token == params.get("pageToken"):
                return
            params = {**params, "pageToken": token}

    def _replies(self, get, archive, vid: str, parent: str) -> None:
        params: dict[str, Any] = {
            "part": "snippet",
            "parentId": parent,
            "maxResults": THREADS_PAGE,
            "textFormat": "plainText",
        }
        while True:
            body, resp = get("comments", params)
            archive("comments", body, resp, {"video_id": vid, "parent_id": parent})
            token = body.get("nextPageToken")
            if not token or token == params.get("pageToken"):
                return
            params = {**params, "pageToken": token}

    # ------------------------------------------------------------ normalize
    @staticmethod
    def import_handle(kind: str, body: Any) -> tuple[str | None, str | None]:
        """For `closer import`: (channel id, channel id) a channels or videos answer names."""
        items = body.get("items") if isinstance(body, dict) else None
        if not items:
            return None, None
        if kind == "channels" and len(items) == 1:
            return str(items[0]["id"]), str(items[0]["id"])
        if kind in ("videos", "playlist_items"):
            owners = {
                str((i.get("snippet") or {}).get("channelId"))
                for i in items
                if (i.get("snippet") or {}).get("channelId")
            }
            if len(owners) == 1:
                cid = owners.pop()
                return cid, cid
        return None, None

    @staticmethod
    def detect(body: Any) -> str | None:
        kind = body.get("kind") if isinstance(body, dict) else None
        return {
            "youtube#channelListResponse": "channels",
            "youtube#playlistItemListResponse": "playlist_items",
            "youtube#videoListResponse": "videos",
            "youtube#commentThreadListResponse": "comment_threads",
            "youtube#commentListResponse": "comments",
        }.get(kind or "")

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        batch = Batch()
        wanted = channel_query(account.handle) if account.handle else {}
        own: set[str] = {str(account.platform_account_id)} if account.platform_account_id else set()
        for d in docs:
            if d.kind != "channels" or not isinstance(d.body, dict):
                continue
            items = d.body.get("items") or []
            pick = next(
                (c for c in items if c.get("id") in own or c.get("id") == wanted.get("id")), None
            )
            if pick is None:
                handle = (wanted.get("forHandle") or "").lower()
                pick = next(
                    (
                        c
                        for c in items
                        if handle
                        and str((c.get("snippet") or {}).get("customUrl", "")).lower() == handle
                    ),
                    items[0] if items else None,
                )
            if pick is None:
                continue
            own.add(str(pick["id"]))
            st = pick.get("statistics") or {}
            hidden = bool(st.get("hiddenSubscriberCount"))
            batch.account_snapshot = {
                "snapshot_at": d.fetched_at,
                "followers": None
                if hidden or "subscriberCount" not in st
                else int(st["subscriberCount"]),
                "following": None,
                "posts_count": int(st["videoCount"]) if "videoCount" in st else None,
                "views": int(st["viewCount"]) if "viewCount" in st else None,
                "platform_account_id": str(pick["id"]),
            }
        posts: dict[str, dict[str, Any]] = {}
        snaps: dict[str, dict[str, Any]] = {}

        def post_row(
            vid: str, sn: dict[str, Any], published: str | None, privacy: str | None
        ) -> dict[str, Any]:
            desc = sn.get("description")
            return {
                "post_id": vid,
                "created_at": utc(published),
                "url": f"https://www.youtube.com/watch?v={vid}",
                "kind": "post",
                "form": "video",
                "title": sn.get("title"),
                "text": desc,
                "lang": sn.get("defaultLanguage") or sn.get("defaultAudioLanguage"),
                "in_reply_to_id": None,
                "visibility": privacy,
                "links": list(dict.fromkeys(m.rstrip(".,)") for m in _URL_RE.findall(desc or ""))),
                "has_poll": None,
                "edited_at": None,
            }

        for d in docs:
            if d.kind == "playlist_items" and isinstance(d.body, dict):
                for it in d.body.get("items") or []:
                    sn = it.get("snippet") or {}
                    cd = it.get("contentDetails") or {}
                    vid = cd.get("videoId") or (sn.get("resourceId") or {}).get("videoId")
                    published = cd.get("videoPublishedAt") or sn.get("publishedAt")
                    if vid and published and vid not in posts:
                        posts[vid] = post_row(
                            vid, sn, published, (it.get("status") or {}).get("privacyStatus")
                        )
        for d in docs:
            if d.kind != "videos" or not isinstance(d.body, dict):
                continue
            for v in d.body.get("items") or []:
                vid = str(v["id"])
                sn = v.get("snippet") or {}
                if sn.get("publishedAt"):
                    posts[vid] = post_row(
                        vid, sn, sn["publishedAt"], (v.get("status") or {}).get("privacyStatus")
                    )
                st = v.get("statistics") or {}
                snaps[vid] = {
                    "post_id": vid,
                    "snapshot_at": d.fetched_at,
                    "likes": int(st["likeCount"])
                    if "likeCount" in st
                    else None,  # hidden by the owner: NULL
                    "shares": None,
                    "replies": int(st["commentCount"])
                    if "commentCount" in st
                    else None,  # comments off: NULL
                    "quotes": None,
                    "views": int(st["viewCount"]) if "viewCount" in st else None,
                }
        comments: dict[str, dict[str, Any]] = {}

        def add(c: dict[str, Any], root: str, parent: str) -> None:
            sn = c.get("snippet") or {}
            if not sn.get("publishedAt"):
                return
            author = (sn.get("authorChannelId") or {}).get("value")
            mine = bool(author) and author in own
            text = sn.get("textOriginal")
            if text is None and sn.get("textDisplay") is not None:
                text = html_to_text(sn["textDisplay"])[0]
            updated = sn.get("updatedAt")
            comments[str(c["id"])] = {
                "comment_id": str(c["id"]),
                "post_id": root,
                "parent_id": parent,
                "created_at": utc(sn["publishedAt"]),
                "by_institution": mine,
                "author": account.account_id
                if mine
                else pseudonymise("youtube", author)
                if author
                else None,
                "lang": None,
                "text": text,
                "likes": sn.get("likeCount"),
                "edited_at": utc(updated) if updated and updated != sn["publishedAt"] else None,
            }

        for d in docs:
            if d.kind != "comment_threads" or not isinstance(d.body, dict):
                continue
            for th in d.body.get("items") or []:
                sn = th.get("snippet") or {}
                vid = str(d.meta.get("video_id") or sn.get("videoId") or "")
                top = sn.get("topLevelComment")
                if not vid or not top:
                    continue
                add(top, vid, vid)
                for r in (th.get("replies") or {}).get("comments") or []:
                    add(r, vid, str((r.get("snippet") or {}).get("parentId") or top["id"]))
        for d in docs:
            if d.kind != "comments" or not isinstance(d.body, dict):
                continue
            for c in d.body.get("items") or []:
                sn = c.get("snippet") or {}
                vid = str(d.meta.get("video_id") or sn.get("videoId") or "")
                parent = str(sn.get("parentId") or d.meta.get("parent_id") or vid)
                if vid:
                    add(c, vid, parent)
        batch.posts = list(posts.values())
        batch.post_snapshots = list(snaps.values())
        batch.comments = list(comments.values())
        return batch


COLLECTOR = YouTubeCollector
