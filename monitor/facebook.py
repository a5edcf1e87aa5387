"""Facebook Pages collector (Graph API, a page access token given by an insider).

page → followers (followers_count, else fan_count: the page's likes); /posts (100 a page,
`paging.next`) with reactions.summary(total_count), comments.summary(total_count), shares
and attachments (→ form photo, video, link, event); for each post in the window with
comments, /comments?filter=stream (comments and replies in one list, with `from` and
`parent`), the page's own answers told from citizens' by `from.id`.
Errors by code (https://developers.facebook.com/docs/graph-api/guides/error-handling):
4, 17, 613 (app or user throttled) → wait as the usage headers say, then stop the platform
for the run; 32, 80001 (this page throttled) → wait, then fail this account only;
190 → "token expired"; 10, 200-299 → permission missing; 100 (object does not exist),
803 → not found. Rules, permissions and what each field means: docs/platforms.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
from typing import Any, ClassVar
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

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
    redact_body,
    require,
)
from monitor.http import HttpClient, redact_url

log = logging.getLogger(__name__)

HOST = "graph.facebook.com"
DEFAULT_VERSION = "v21.0"
PAGE_FIELDS = "id,name,username,link,fan_count,followers_count"
POST_FIELDS = (
    "id,created_time,updated_time,message,permalink_url,status_type,"
    "attachments{type,media_type,url,unshimmed_url,title,target{id,url},subattachments{type,media_type,url}},"
    "shares,reactions.summary(total_count).limit(0),comments.filter(stream).summary(total_count).limit(0)"
)
COMMENT_FIELDS = (
    "id,created_time,message,from{id,name},parent{id},like_count,comment_count,permalink_url"
)
POSTS_PAGE = 50
COMMENTS_PAGE = 100

APP_THROTTLE = {4, 17, 341, 613}  # the app or the token's user: every page waits
PAGE_THROTTLE = {32, 80001}  # this page only
TOKEN_CODES = {102, 190}
PERMISSION_CODES = {10} | set(range(200, 300))
MAX_THROTTLE_WAITS = 3
FIRST_BACKOFF = 60.0  # seconds, doubled each time, when the headers give no time

_VIDEO = {
    "video",
    "video_inline",
    "video_autoplay",
    "video_direct_response",
    "animated_image_video",
    "live_video",
    "video_share_youtube",
}
_PHOTO = {"photo", "album", "cover_photo", "profile_media", "new_album", "image_share"}
_LINK = {"share", "link", "native_templates", "multi_share", "note", "map", "link_share"}
_URL_RE = re.compile(r"https?://[^\s<>\"']+")


def graph_version() -> str:
    """The Graph API version ($CLOSER_GRAPH_VERSION, else the one this code was written for)."""
    return os.environ.get("CLOSER_GRAPH_VERSION") or DEFAULT_VERSION


def page_ref(handle: str) -> str:
    """The page's id or username from a registry handle or URL.

    'primariaarinesti', 'https://www.facebook.com/primariaarinesti/',
    'https://www.facebook.com/profile.php?id=100064', 'https://www.facebook.com/people/Name/100064/'.
    """
    h = handle.strip().lstrip("@")
    if "facebook.com" in h or h.startswith("http"):
        parts = urlsplit(h if "://" in h else "https://" + h)
        q = parse_qs(parts.query)
        if "id" in q:
            return q["id"][0]
        segs = [s for s in parts.path.split("/") if s]
        if segs and segs[0] == "people" and len(segs) >= 3:
            return segs[2]
        if segs and segs[0] == "pg" and len(segs) >= 2:
            return segs[1]
        if not segs:
            raise CollectError("lookup", f"{handle!r} does not name a Facebook page")
        return segs[0]
    return h


class GraphError(Exception):
    """An error body from the Graph API ({"error": {code, error_subcode, message, …}})."""

    def __init__(self, status: int, error: dict[str, Any], url: str):
        self.status = status
        self.code = error.get("code")
        self.subcode = error.get("error_subcode")
        self.message = str(error.get("message") or "")[:300]
        self.url = url
        super().__init__(
            f"Graph error {self.code}{'/' + str(self.subcode) if self.subcode else ''} (HTTP "
            f"{status}): {self.message}"
        )


def _usage_wait(headers: Any) -> float | None:
    """Seconds until access is regained, from X-Business-Use-Case-Usage (minutes); else None."""
    raw = headers.get("x-business-use-case-usage") or headers.get("X-Business-Use-Case-Usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes = [
        float(e.get("estimated_time_to_regain_access") or 0)
        for entries in (usage.values() if isinstance(usage, dict) else [])
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict)
    ]
    return max(minutes) * 60 if minutes and max(minutes) > 0 else None


def _usage_percent(headers: Any) -> int | None:
    """The highest figure in X-App-Usage / X-Page-Usage (percent of the limit), for the log."""
    top = None
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            vals = [v for v in json.loads(raw).values() if isinstance(v, (int, float))]
        except (ValueError, AttributeError):
            continue
        if vals:
            top = max(top or 0, int(max(vals)))
    return top


class Graph:
    """GET against the Graph API with the token in a header, errors turned into decisions."""

    def __init__(
        self,
        client: HttpClient,
        ctx: FetchContext,
        account: AccountRef,
        token: str,
        app_secret: str | None = None,
        platform: str = "Facebook",
        setting: str | None = None,
    ):
        self.client = client
        self.ctx = ctx
        self.account = account
        self.token = token
        self.app_secret = app_secret
        self.platform = platform
        self.setting = (
            setting or ctx.credentials.get("CLOSER_FACEBOOK_TOKEN.setting") or "the token setting"
        )
        self.secrets = tuple(v for k, v in ctx.credentials.items() if "." not in k and v)

    @property
    def base(self) -> str:
        return f"{base_url_for(HOST)}/{graph_version()}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def rebase(self, next_url: str) -> tuple[str, dict[str, str]]:
        """A paging URL from a response → (URL at our endpoint, its query minus the token)."""
        parts = urlsplit(next_url)
        query = {
            k: v
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in ("access_token", "appsecret_proof")
        }
        base = base_url_for(parts.netloc) if parts.netloc else base_url_for(HOST)
        return f"{base}{parts.path}", query

    def get(
        self, url: str, params: dict[str, Any] | None = None, headers_token: str | None = None
    ) -> tuple[Any, requests.Response]:
        """GET a Graph document; waits on throttling and raises the right error otherwise."""
        params = dict(params or {})
        sent = headers_token or self.token
        if self.app_secret:  # the proof is of the token sent
            params["appsecret_proof"] = hmac.new(
                self.app_secret.encode(), sent.encode(), hashlib.sha256
            ).hexdigest()
        headers = {"Authorization": f"Bearer {sent}"}
        waits = 0
        while True:
            resp = self.client.get(url, params=params, headers=headers)
            try:
                body = json.loads(resp.content) if resp.content else None
            except ValueError:
                body = None
            err = (
                body.get("error")
                if isinstance(body, dict) and isinstance(body.get("error"), dict)
                else None
            )
            if resp.status_code < 400 and err is None:
                if body is None:
                    raise CollectError(
                        "fetch", f"malformed response from {redact_url(resp.url)}: not JSON"
                    )
                pct = _usage_percent(resp.headers)
                if pct is not None and pct >= 90:
                    log.info(
                        "%s: Graph API usage at %d%% of the limit", self.account.account_id, pct
                    )
                return body, resp
            if err is None:
                raise CollectError("fetch", f"HTTP {resp.status_code} from {redact_url(resp.url)}")
            gerr = GraphError(resp.status_code, err, redact_url(resp.url))
            limit = int(params.get("limit") or 0)
            if gerr.code == 1 and "reduce the amount of data" in gerr.message.lower() and limit > 5:
                params["limit"] = max(5, limit // 2)  # a page too heavy for Graph: ask smaller
                continue
            if gerr.code in APP_THROTTLE | PAGE_THROTTLE:
                wait = _usage_wait(resp.headers)
                if wait is None:
                    wait = FIRST_BACKOFF * (2**waits)
                room = self.client.max_wait - self.client.waited_seconds
                if waits < MAX_THROTTLE_WAITS and wait <= room:
                    waits += 1
                    log.info(
                        "%s: Graph API throttled (code %s); waiting %.0f s",
                        self.account.account_id,
                        gerr.code,
                        wait,
                    )
                    self.client.waited_seconds += wait
                    self.client.sleep(wait)
                    continue
                why = (
                    f"{self.platform} rate limit (Graph error {gerr.code}: {gerr.message});"
                    f" waited {waits} times"
                )
                if gerr.code in PAGE_THROTTLE:
                    raise CredentialProblem(
                        "rate_limit", why + "; this page is tried again next run", "rate_limited"
                    )
                raise CredentialStop(
                    "rate_limit",
                    why + f"; {self.platform} stopped for this run, the next run resumes",
                    "rate_limited",
                )
            raise self.classify(gerr)

    def classify(self, gerr: GraphError) -> Exception:
        """A Graph error that waiting does not cure → the account's error."""
        who = self.account.account_id
        if gerr.code in TOKEN_CODES:
            what = (
                "has expired"
                if gerr.subcode in (463, 467) or "expire" in gerr.message.lower()
                else "is no longer valid"
            )
            return CredentialProblem(
                "credentials",
                f"the {self.platform} token for {who} ({self.setting}) {what} (Graph error "
                f"{gerr.code}"
                f"{'/' + str(gerr.subcode) if gerr.subcode else ''}: {gerr.message}). Ask the "
                "institution for a new"
                f" page token and replace {self.setting}; see docs/credentials.md",
                "token_expired",
                account_status="token_expired",
            )
        if gerr.code in PERMISSION_CODES:
            return CredentialProblem(
                "credentials",
                f"the {self.platform} token for {who} lacks a permission (Graph error "
                f"{gerr.code}: {gerr.message})",
                "permission_denied",
                account_status="permission_denied",
            )
        if gerr.code == 803 or (
            gerr.code == 100 and (gerr.subcode == 33 or "does not exist" in gerr.message.lower())
        ):
            exc = CollectError(
                "lookup",
                f"{self.platform} object for {who} not found or not visible with this token "
                f"(Graph error {gerr.code}: {gerr.message})",
            )
            exc.account_status = "not_found"  # type: ignore[attr-defined]
            return exc
        return CollectError(
            "fetch", f"Graph error {gerr.code} (HTTP {gerr.status}) from {gerr.url}: {gerr.message}"
        )

    def archive(
        self, kind: str, body: Any, resp: requests.Response, meta: dict[str, Any] | None = None
    ) -> None:
        self.ctx.archive(
            RawDoc(
                kind,
                redact_url(resp.url),
                self.client.produced_at(resp),
                resp.status_code,
                redact_body(body, self.secrets),
                meta or {},
            )
        )

    def pages(
        self,
        url: str,
        params: dict[str, Any],
        kind: str,
        meta: dict[str, Any] | None = None,
        stop=None,
    ):
        """Yield each page's `data`, following paging.next; archive each page."""
        n = 0
        seen: set[str] = set()
        while True:
            key = url + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
            if key in seen:  # a paging link back to a page already read: stop, do not loop
                log.warning("%s: %s paging repeats itself; stopped", self.account.account_id, kind)
                return
            seen.add(key)
            body, resp = self.get(url, params)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise CollectError(kind, f"the {kind} answer has no data list")
            n += 1
            self.archive(kind, body, resp, {**(meta or {}), "page": n})
            yield body["data"]
            nxt = (body.get("paging") or {}).get("next")
            if not nxt or not body["data"] or (stop is not None and stop(body["data"])):
                return
            url, params = self.rebase(nxt)

    def check_token(self, app_token: str | None) -> None:
        """Ask /debug_token once per token per run when it expires; recorded for the admin."""
        cache = self.ctx.state.setdefault("debugged", {})
        key = self.setting
        if key not in cache:
            info: dict[str, Any] = {}
            try:
                body, resp = self.get(
                    self.url("debug_token"),
                    {"input_token": self.token},
                    headers_token=app_token or self.token,
                )
                data = body.get("data") if isinstance(body, dict) else None
                if isinstance(data, dict):
                    self.archive("token", body, resp)
                    info = token_expiry(data)
            except (CollectError, requests.RequestException) as exc:
                log.info("%s: token expiry not known (%s)", self.account.account_id, exc)
            cache[key] = info
        note_check(self.ctx, self.account, ok=True, **cache[key])


def token_expiry(data: dict[str, Any]) -> dict[str, Any]:
    """debug_token's data → expires_at (the earlier of expires_at and data_access_expires_at;
    0 means never), never_expires, scopes."""
    stamps = [
        int(data[k])
        for k in ("expires_at", "data_access_expires_at")
        if isinstance(data.get(k), (int, float)) and data[k]
    ]
    out: dict[str, Any] = {"scopes": [str(s) for s in data.get("scopes") or []] or None}
    if stamps:
        out["expires_at"] = dt.datetime.fromtimestamp(min(stamps), dt.UTC)
        out["never_expires"] = False
    elif "expires_at" in data:
        out["never_expires"] = True
    return out


def unwrap_link(url: str) -> str:
    """Facebook's outbound redirect (l.facebook.com/l.php?u=…) → the destination."""
    parts = urlsplit(url)
    if parts.netloc.endswith("l.facebook.com") and parts.path == "/l.php":
        u = parse_qs(parts.query).get("u")
        if u:
            return unquote(u[0])
    return url


def _attachments(post: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for a in (post.get("attachments") or {}).get("data") or []:
        out.append(a)
        out.extend((a.get("subattachments") or {}).get("data") or [])
    return out


def post_form(post: dict[str, Any]) -> str:
    """A post's content form from its attachments and status_type (docs/platforms.md)."""
    types = set()
    for a in _attachments(post):
        types.update(str(t).lower() for t in (a.get("type"), a.get("media_type")) if t)
    st = str(post.get("status_type") or "").lower()
    if types & _VIDEO or any(t.startswith("video") for t in types) or st == "added_video":
        return "video"
    if "event" in types or st == "created_event":
        return "event"
    if types & _PHOTO or st == "added_photos":
        return "photo"
    if types & _LINK or st == "shared_story":
        return "link"
    if _URL_RE.search(post.get("message") or ""):
        return "link"
    return "text"


def post_links(post: dict[str, Any]) -> list[str]:
    """Outbound URLs: link attachments (unwrapped) and URLs written in the message."""
    links = []
    for a in _attachments(post):
        t = str(a.get("type") or a.get("media_type") or "").lower()
        if t in _LINK or t == "event":
            u = a.get("unshimmed_url") or a.get("url")
            if u:
                links.append(unwrap_link(u))
    links += [m.rstrip(".,);") for m in _URL_RE.findall(post.get("message") or "")]
    return list(dict.fromkeys(links))


def _count(obj: Any, *path: str) -> int | None:
    for p in path:
        if not isinstance(obj, dict) or p not in obj:
            return None
        obj = obj[p]
    return int(obj) if isinstance(obj, (int, float)) else None


def _permalink_ids(permalink: str | None) -> tuple[str | None, str | None, str | None]:
    """(root post id '<page>_<post>', comment id, reply id) from a comment's permalink_url."""
    if not permalink:
        return None, None, None
    parts = urlsplit(permalink)
    segs = [s for s in parts.path.split("/") if s]
    root = f"{segs[0]}_{segs[2]}" if len(segs) >= 3 and segs[1] == "posts" else None
    q = parse_qs(parts.query)
    return root, (q.get("comment_id") or [None])[0], (q.get("reply_comment_id") or [None])[0]


def required_time(item: dict[str, Any], key: str, what: str) -> Any:
    """The item's timestamp as UTC, or ValueError naming the item and the missing field."""
    if not item.get(key):
        raise ValueError(f"{what} {item.get('id', '(no id)')} has no {key}")
    return utc(item[key])


def _object_id(post_id: str | None) -> str | None:
    return post_id.split("_", 1)[1] if post_id and "_" in post_id else post_id


class FacebookCollector(Collector):
    platform = "facebook"
    needs_credentials = ("CLOSER_FACEBOOK_TOKEN",)
    capabilities: ClassVar[dict[str, bool]] = {
        "followers": True,
        "following": False,
        "posts_count": False,
        "views": False,
        "likes": True,
        "shares": True,
        "replies": True,
        "quotes": False,
        "polls": False,
        "threads": True,
    }

    @staticmethod
    def normalize_handle(handle: str) -> str:
        return handle.strip()

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        token = require(ctx, account, "CLOSER_FACEBOOK_TOKEN")
        g = Graph(
            self.client, ctx, account, token, ctx.credentials.get("CLOSER_FACEBOOK_APP_SECRET")
        )
        ref = account.platform_account_id or page_ref(account.handle)
        page, resp = g.get(g.url(ref), {"fields": PAGE_FIELDS})
        if not isinstance(page, dict) or "id" not in page:
            raise CollectError("lookup", "the page answer has no id")
        g.archive("page", page, resp)
        g.check_token(ctx.credentials.get("CLOSER_FACEBOOK_APP_TOKEN"))
        page_id = str(page["id"])

        params: dict[str, Any] = {"fields": POST_FIELDS, "limit": POSTS_PAGE}
        if ctx.since is not None:
            params["since"] = int(ctx.since.timestamp())

        def older(data: list[dict[str, Any]]) -> bool:
            return ctx.since is not None and any(
                utc(p.get("created_time")) < ctx.since for p in data if p.get("created_time")
            )

        with_comments: list[str] = []
        for data in g.pages(g.url(f"{page_id}/posts"), params, "posts", stop=older):
            for p in data:
                if (
                    ctx.since is not None
                    and p.get("created_time")
                    and utc(p["created_time"]) < ctx.since
                ):
                    continue
                if (_count(p, "comments", "summary", "total_count") or 0) > 0:
                    with_comments.append(str(p["id"]))

        for pid in with_comments:
            cparams = {
                "fields": COMMENT_FIELDS,
                "filter": "stream",
                "order": "chronological",
                "limit": COMMENTS_PAGE,
            }
            try:
                for _ in g.pages(g.url(f"{pid}/comments"), cparams, "comments", {"post_id": pid}):
                    pass
            except (CredentialStop, CredentialProblem):
                note_coverage(
                    ctx, pid, "stopped by the platform's rate limit or token while reading comments"
                )
                raise
            except (CollectError, requests.RequestException) as exc:
                ctx.warn("thread", f"comments of post {pid}: {exc}")
                note_coverage(ctx, pid, f"comments not read: {exc}"[:300])

    @staticmethod
    def import_handle(kind: str, body: Any) -> tuple[str | None, str | None]:
        """For `closer import`: (handle, page id) a document names."""
        if kind == "page" and isinstance(body, dict) and body.get("id"):
            return str(body.get("username") or body["id"]), str(body["id"])
        if kind == "posts" and isinstance(body, dict):
            items = body["data"] if isinstance(body.get("data"), list) else [body]
            ids = {
                str(p.get("id", "")).split("_", 1)[0] for p in items if "_" in str(p.get("id", ""))
            }
            if len(ids) == 1:
                return None, ids.pop()
        return None, None

    @staticmethod
    def detect(body: Any) -> str | None:
        if not isinstance(body, dict):
            return None
        if isinstance(body.get("data"), dict) and "is_valid" in body["data"]:
            return "token"
        data = body.get("data")
        items = data if isinstance(data, list) else ([body] if "created_time" in body else None)
        if items is not None:
            sample = [i for i in items if isinstance(i, dict)]
            if not sample:
                return "posts" if "paging" in body and isinstance(data, list) else None
            if all("created_time" in i for i in sample):
                if any(
                    k in i
                    for i in sample
                    for k in ("status_type", "attachments", "reactions", "shares", "full_picture")
                ):
                    return "posts"
                if any(
                    k in i
                    for i in sample
                    for k in ("comment_count", "parent", "from", "like_count")
                ) or any("comment_id=" in str(i.get("permalink_url", "")) for i in sample):
                    return "comments"
                if any("_" in str(i.get("id", "")) for i in sample):
                    return "posts"
            return None
        if (
            "id" in body
            and any(
                k in body
                for k in ("fan_count", "followers_count", "category", "talking_about_count")
            )
            and "media_count" not in body
        ):
            return "page"
        return None

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        batch = Batch()
        page_ids: set[str] = set()
        if account.platform_account_id:
            page_ids.add(str(account.platform_account_id))
        for d in docs:
            if d.kind == "page" and isinstance(d.body, dict):
                page_ids.add(str(d.body.get("id")))
                followers = d.body.get("followers_count")
                if followers is None:
                    followers = d.body.get("fan_count")
                batch.account_snapshot = {
                    "snapshot_at": d.fetched_at,
                    "followers": followers,
                    "following": None,
                    "posts_count": None,
                    "views": None,
                    "platform_account_id": str(d.body["id"]) if d.body.get("id") else None,
                }
        posts: dict[str, dict[str, Any]] = {}
        snaps: dict[str, dict[str, Any]] = {}
        for d in docs:
            if d.kind != "posts" or not isinstance(d.body, dict):
                continue
            items = d.body["data"] if isinstance(d.body.get("data"), list) else [d.body]
            for p in items:
                pid = str(p["id"])
                if not page_ids and "_" in pid:
                    page_ids.add(pid.split("_", 1)[0])
                author = (p.get("from") or {}).get("id")
                if author and page_ids and str(author) not in page_ids:
                    continue  # a visitor's post on the page's feed: not the institution's
                posts[pid] = {
                    "post_id": pid,
                    "created_at": required_time(p, "created_time", "post"),
                    "url": p.get("permalink_url"),
                    "kind": "post",
                    "form": post_form(p),
                    "title": None,
                    "text": p.get("message"),
                    "lang": None,
                    "in_reply_to_id": None,
                    "visibility": None,
                    "links": post_links(p),
                    "has_poll": None,
                    "edited_at": None,
                }
                counted = "reactions" in p or "comments" in p
                shares = _count(p, "shares", "count")
                snaps[pid] = {
                    "post_id": pid,
                    "snapshot_at": d.fetched_at,
                    # reactions of every kind; very old answers only have likes
                    "likes": _count(p, "reactions", "summary", "total_count")
                    if "reactions" in p
                    else _count(p, "likes", "summary", "total_count"),
                    # The Graph API leaves `shares` out when a post has none.
                    "shares": shares if shares is not None else (0 if counted else None),
                    "replies": _count(p, "comments", "summary", "total_count"),
                    "quotes": None,
                    "views": None,
                }
        comments: dict[str, dict[str, Any]] = {}
        for d in docs:
            if d.kind != "comments" or not isinstance(d.body, dict):
                continue
            items = d.body["data"] if isinstance(d.body.get("data"), list) else [d.body]
            for c in items:
                root, cid_part, reply_part = _permalink_ids(c.get("permalink_url"))
                root = str(d.meta.get("post_id") or root or "")
                if not root:
                    continue
                obj = _object_id(root)
                cid = c.get("id") or (
                    f"{obj}_{reply_part or cid_part}" if (reply_part or cid_part) else None
                )
                if not cid:
                    continue
                cid = str(cid)
                if c.get("parent"):
                    parent = str(c["parent"].get("id"))
                elif reply_part and cid_part:
                    parent = f"{obj}_{cid_part}"
                else:
                    parent = root
                frm = c.get("from") or {}
                mine = bool(frm.get("id")) and str(frm.get("id")) in page_ids
                comments[cid] = {
                    "comment_id": cid,
                    "post_id": root,
                    "parent_id": parent,
                    "created_at": required_time(c, "created_time", "comment"),
                    "by_institution": mine,
                    # Without `from` (a token lacking the page's own access) the author is unknown.
                    "author": account.account_id
                    if mine
                    else pseudonymise("facebook", str(frm["id"]))
                    if frm.get("id")
                    else None,
                    "lang": None,
                    "text": c.get("message"),
                    "likes": c.get("like_count"),
                    "edited_at": None,
                }
        batch.posts = list(posts.values())
        batch.post_snapshots = list(snaps.values())
        batch.comments = list(comments.values())
        return batch


COLLECTOR = FacebookCollector
