"""X collector (X API v2, an app's bearer token).

users/by/username (public_metrics: followers, following, posts) → users/:id/tweets (100 a
page, meta.next_token; public_metrics: likes, reposts, replies, quotes, and impressions
where X gives them) → for each own post in the window with replies, the conversation via
tweets/search/recent?query=conversation_id:<id>, where the app's access level allows it.
Recent search covers only the last 7 days: replies under older posts are not collected,
and such posts are listed in thread_coverage with that reason (docs/platforms.md).
Rate limits: HTTP 429 with x-rate-limit-reset (epoch seconds): the shared client waits up
to its limit, then the platform stops for the run.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

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
from monitor.credentials import (
    CredentialProblem,
    CredentialStop,
    note_check,
    note_coverage,
    require,
)
from monitor.facebook import required_time
from monitor.http import HttpClient, HttpError, rate_limit_wait, redact_url

log = logging.getLogger(__name__)

HOST = "api.x.com"
SEARCH_DAYS = 7
PAGE = 100
TWEET_FIELDS = (
    "created_at,public_metrics,conversation_id,referenced_tweets,attachments,entities,lang,"
    "in_reply_to_user_id,author_id,note_tweet,edit_history_tweet_ids"
)
EXPANSIONS = "attachments.media_keys,attachments.poll_ids"
USER_FIELDS = "created_at,description,public_metrics,verified,username,name"
_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
# media_key prefixes: 3 photo, 7 video, 16 animated GIF
_MEDIA_PREFIX = {"3": "photo", "7": "video", "16": "video"}
_MEDIA_TYPE = {"photo": "photo", "video": "video", "animated_gif": "video"}


def username_of(handle: str) -> str:
    """'@primaria', 'https://x.com/primaria', 'twitter.com/primaria' → 'primaria'."""
    h = handle.strip()
    if "x.com/" in h or "twitter.com/" in h:
        parts = urlsplit(h if "://" in h else "https://" + h)
        h = (parts.path.strip("/").split("/") or [""])[0]
    h = h.lstrip("@")
    if not _USERNAME.match(h):
        raise CollectError("lookup", f"{handle!r} is not an X username")
    return h


def _lang(value: str | None) -> str | None:
    """X's language tag; its pseudo-tags (und, zxx, qme, qht, …) mean 'not a language': NULL."""
    if not value or value in ("und", "zxx") or (len(value) == 3 and value.startswith("q")):
        return None
    return value


def _refs(t: dict[str, Any]) -> dict[str, str]:
    return {str(r.get("type")): str(r.get("id")) for r in t.get("referenced_tweets") or []}


class XCollector(Collector):
    platform = "x"
    needs_credentials = ("CLOSER_X_BEARER_TOKEN",)
    capabilities: ClassVar[dict[str, bool]] = {
        "followers": True,
        "following": True,
        "posts_count": True,
        "views": True,
        "likes": True,
        "shares": True,
        "replies": True,
        "quotes": True,
        "polls": True,
        "threads": True,
    }

    @staticmethod
    def normalize_handle(handle: str) -> str:
        return handle.strip().lstrip("@").lower()

    def _get(
        self, ctx: FetchContext, account: AccountRef, token: str, path: str, params: dict[str, Any]
    ) -> tuple[Any, requests.Response]:
        client: HttpClient = self.client
        url = f"{base_url_for(HOST)}/2/{path}"
        try:
            resp = client.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
        except HttpError as exc:  # the client would have to wait longer than it may
            raise CredentialStop(
                "rate_limit",
                f"X rate limit: {exc}; X stopped for this run, the next run resumes",
                "rate_limited",
            ) from exc
        body: Any
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code < 400:
            if body is None:
                raise CollectError(
                    "fetch", f"malformed response from {redact_url(resp.url)}: not JSON"
                )
            return body, resp
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("detail") or body.get("title") or body.get("reason") or "")
            if not detail and body.get("errors"):
                detail = str(body["errors"][0].get("message") or "")
        setting = ctx.credentials.get("CLOSER_X_BEARER_TOKEN.setting", "CLOSER_X_BEARER_TOKEN")
        if resp.status_code == 429:
            wait = rate_limit_wait(resp)
            until = f" (resets in {wait:.0f} s)" if wait is not None else ""
            what = "monthly usage cap" if "UsageCap" in str(body) else "rate limit"
            raise CredentialStop(
                "rate_limit",
                f"X {what} reached{until}: {detail}; X stopped for this run",
                "rate_limited",
            )
        if resp.status_code == 401:
            raise CredentialProblem(
                "credentials",
                f"the X bearer token {setting} was refused (HTTP 401: {detail}); regenerate it",
                "token_invalid",
                "token_invalid",
            )
        if resp.status_code == 402:
            raise CredentialStop(
                "credentials",
                f"X refused for lack of credits (HTTP 402: {detail})",
                "permission_denied",
            )
        raise HttpError(resp.url, resp.status_code, detail or resp.text, resp)

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        token = require(ctx, account, "CLOSER_X_BEARER_TOKEN")
        client: HttpClient = self.client
        username = username_of(account.handle)

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

        try:
            body, resp = self._get(
                ctx, account, token, f"users/by/username/{username}", {"user.fields": USER_FIELDS}
            )
        except HttpError as exc:
            if exc.status == 403:
                raise CredentialProblem(
                    "credentials",
                    f"X refused the user lookup (HTTP 403: {exc.body[:200]}): the app's access "
                    "level may not allow it",
                    "permission_denied",
                    "permission_denied",
                ) from exc
            raise
        user = body.get("data") if isinstance(body, dict) else None
        if not isinstance(user, dict):
            errs = body.get("errors") if isinstance(body, dict) else None
            detail = str(
                (errs or [{}])[0].get("detail")
                or (errs or [{}])[0].get("title")
                or "no user in the answer"
            )
            exc = CollectError("lookup", f"X user @{username}: {detail}")
            exc.account_status = "suspended" if "suspended" in detail.lower() else "not_found"  # type: ignore[attr-defined]
            raise exc
        archive("user", body, resp)
        note_check(ctx, account, ok=True, never_expires=True)
        uid = str(user["id"])
        now = client.produced_at(resp)

        params: dict[str, Any] = {
            "max_results": PAGE,
            "tweet.fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "media.fields": "type",
            "poll.fields": "options",
        }
        if ctx.since is not None:
            params["start_time"] = ctx.since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        roots: list[tuple[str, dt.datetime]] = []
        page = 0
        while True:
            body, resp = self._get(ctx, account, token, f"users/{uid}/tweets", params)
            page += 1
            archive("tweets", body, resp, {"page": page})
            for t in body.get("data") or []:
                refs = _refs(t)
                if "retweeted" in refs or "replied_to" in refs:
                    continue
                if (t.get("public_metrics") or {}).get("reply_count", 0) > 0 and t.get(
                    "created_at"
                ):
                    roots.append((str(t["id"]), utc(t["created_at"])))
            token_next = (body.get("meta") or {}).get("next_token")
            if (
                not token_next
                or not body.get("data")
                or token_next == params.get("pagination_token")
            ):
                break
            params = {**params, "pagination_token": token_next}

        horizon = now - dt.timedelta(days=SEARCH_DAYS)
        for tid, created in roots:
            if created < horizon:
                note_coverage(
                    ctx,
                    tid,
                    f"older than the {SEARCH_DAYS} days X recent search covers: replies not "
                    "collected",
                )
                continue
            forbidden = ctx.state.get("search_forbidden")
            if forbidden:
                note_coverage(ctx, tid, forbidden)
                continue
            sparams: dict[str, Any] = {
                "query": f"conversation_id:{tid}",
                "max_results": PAGE,
                "tweet.fields": TWEET_FIELDS,
                "expansions": "author_id",
                "user.fields": "username",
            }
            n = 0
            try:
                while True:
                    body, resp = self._get(ctx, account, token, "tweets/search/recent", sparams)
                    n += 1
                    archive(
                        "replies",
                        body,
                        resp,
                        {
                            "conversation_id": tid,
                            "search": "recent",
                            "window_days": SEARCH_DAYS,
                            "page": n,
                        },
                    )
                    nxt = (body.get("meta") or {}).get("next_token")
                    if not nxt or nxt == sparams.get("next_token"):
                        break
                    sparams = {**sparams, "next_token": nxt}
            except CredentialStop:
                note_coverage(ctx, tid, "X rate limit reached while reading the replies")
                raise
            except HttpError as exc:
                if exc.status in (400, 403):
                    reason = (
                        "this X app's access level does not allow recent search"
                        f" (HTTP {exc.status}): replies not collected"
                    )
                    ctx.state["search_forbidden"] = reason
                    ctx.warn("thread", reason)
                    note_coverage(ctx, tid, reason)
                    continue
                ctx.warn("thread", f"replies of post {tid}: {exc}")
                note_coverage(ctx, tid, f"replies not read: {exc}"[:300])

    @staticmethod
    def import_handle(kind: str, body: Any) -> tuple[str | None, str | None]:
        """For `closer import`: (username, user id) a user answer names; a timeline's author id."""
        if not isinstance(body, dict):
            return None, None
        data = body.get("data")
        if kind == "user" and isinstance(data, dict):
            return str(data.get("username")), str(data.get("id"))
        if kind == "tweets" and isinstance(data, list):
            authors = {
                str(t["author_id"]) for t in data if isinstance(t, dict) and t.get("author_id")
            }
            if len(authors) == 1:
                return None, authors.pop()
        return None, None

    @staticmethod
    def detect(body: Any) -> str | None:
        if not isinstance(body, dict):
            return None
        data = body.get("data")
        if isinstance(data, dict) and "username" in data and "public_metrics" in data:
            return "user"
        if isinstance(data, list):
            sample = [t for t in data if isinstance(t, dict)]
            if not sample or not all("id" in t and "text" in t for t in sample):
                return "tweets" if not sample and "meta" in body else None
            if all("replied_to" in _refs(t) for t in sample):
                return "replies"
            return "tweets"
        if data is None and "meta" in body and body.get("meta", {}).get("result_count") == 0:
            return "tweets"
        if "id" in body and "text" in body and "created_at" in body:
            return (
                "replies"
                if "replied_to" in _refs(body) and "public_metrics" not in body
                else "tweets"
            )
        return None

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        batch = Batch()
        own: set[str] = {str(account.platform_account_id)} if account.platform_account_id else set()
        for d in docs:
            if (
                d.kind == "user"
                and isinstance(d.body, dict)
                and isinstance(d.body.get("data"), dict)
            ):
                u = d.body["data"]
                own.add(str(u["id"]))
                pm = u.get("public_metrics") or {}
                batch.account_snapshot = {
                    "snapshot_at": d.fetched_at,
                    "followers": pm.get("followers_count"),
                    "following": pm.get("following_count"),
                    "posts_count": pm.get("tweet_count"),
                    "views": None,
                    "platform_account_id": str(u["id"]),
                }
        posts: dict[str, dict[str, Any]] = {}
        snaps: dict[str, dict[str, Any]] = {}
        for d in docs:
            if d.kind != "tweets" or not isinstance(d.body, dict):
                continue
            includes = d.body.get("includes") or {}
            media = {m.get("media_key"): m.get("type") for m in includes.get("media") or []}
            for t in XCollector._items(d.body):
                tid = str(t["id"])
                refs = _refs(t)
                pm = t.get("public_metrics") or {}
                if "retweeted" in refs:
                    kind, form = "repost", "repost"
                else:
                    kind = "reply" if "replied_to" in refs else "post"
                    form = XCollector.tweet_form(t, media)
                text = (t.get("note_tweet") or {}).get("text") or t.get("text")
                polls = (t.get("attachments") or {}).get("poll_ids")
                posts[tid] = {
                    "post_id": tid,
                    "created_at": required_time(t, "created_at", "post"),
                    "url": f"https://x.com/i/web/status/{tid}",
                    "kind": kind,
                    "form": form,
                    "title": None,
                    "text": None if kind == "repost" else text,
                    "lang": _lang(t.get("lang")),
                    "in_reply_to_id": refs.get("replied_to"),
                    "visibility": None,
                    "links": [] if kind == "repost" else XCollector.tweet_links(t),
                    "has_poll": None if kind == "repost" else bool(polls),
                    "edited_at": None,
                }
                snaps[tid] = {
                    "post_id": tid,
                    "snapshot_at": d.fetched_at,
                    "likes": pm.get("like_count"),
                    "shares": pm.get("retweet_count"),
                    "replies": pm.get("reply_count"),
                    "quotes": pm.get("quote_count"),
                    "views": pm.get("impression_count"),  # only where X gives it: else NULL
                }
                if not own and t.get("author_id"):
                    own.add(str(t["author_id"]))
        comments: dict[str, dict[str, Any]] = {}
        for d in docs:
            if d.kind != "replies" or not isinstance(d.body, dict):
                continue
            for t in XCollector._items(d.body):
                tid = str(t["id"])
                refs = _refs(t)
                root = str(d.meta.get("conversation_id") or t.get("conversation_id") or "")
                if not root:
                    parent = refs.get("replied_to")
                    root = parent if parent in posts else ""
                if not root or tid == root or not t.get("created_at"):
                    continue
                author = str(t.get("author_id") or "")
                mine = bool(author) and author in own
                comments[tid] = {
                    "comment_id": tid,
                    "post_id": root,
                    "parent_id": refs.get("replied_to") or root,
                    "created_at": utc(t["created_at"]),
                    "by_institution": mine,
                    "author": account.account_id
                    if mine
                    else pseudonymise("x", author)
                    if author
                    else None,
                    "lang": _lang(t.get("lang")),
                    "text": (t.get("note_tweet") or {}).get("text") or t.get("text"),
                    "likes": (t.get("public_metrics") or {}).get("like_count"),
                    "edited_at": None,
                }
        batch.posts = list(posts.values())
        batch.post_snapshots = list(snaps.values())
        batch.comments = list(comments.values())
        return batch

    @staticmethod
    def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
        """The posts of a response: its data list, or the one post object it is."""
        if isinstance(body.get("data"), list):
            return body["data"]
        return [body] if "id" in body and "text" in body else []

    @staticmethod
    def tweet_form(t: dict[str, Any], media: dict[str, str] | None = None) -> str:
        """poll, video, photo, quote, link or text (docs/platforms.md)."""
        att = t.get("attachments") or {}
        if att.get("poll_ids"):
            return "poll"
        kinds = set()
        for key in att.get("media_keys") or []:
            typ = (media or {}).get(key)
            kinds.add(
                _MEDIA_TYPE.get(typ or "", "") or _MEDIA_PREFIX.get(str(key).split("_")[0], "photo")
            )
        if "video" in kinds:
            return "video"
        if "photo" in kinds:
            return "photo"
        if "quoted" in _refs(t):
            return "quote"
        if XCollector.tweet_links(t):
            return "link"
        return "text"

    @staticmethod
    def tweet_links(t: dict[str, Any]) -> list[str]:
        """Outbound URLs (expanded), without X's own media and quoted-post links."""
        out = []
        if "entities" not in t:  # entities not asked for: the t.co links in the text
            return list(dict.fromkeys(re.findall(r"https?://[^\s<>\"']+", t.get("text") or "")))
        for u in (t.get("entities") or {}).get("urls") or []:
            url = u.get("unwound_url") or u.get("expanded_url") or u.get("url")
            if not url:
                continue
            host = urlsplit(url).netloc.lower()
            if host.endswith(("twitter.com", "x.com")) and (
                "/photo/" in url or "/video/" in url or "/status/" in url
            ):
                continue
            if str(u.get("display_url", "")).startswith("pic."):
                continue
            out.append(url)
        return list(dict.fromkeys(out))


COLLECTOR = XCollector
