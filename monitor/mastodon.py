"""Mastodon collector (public REST API, no credentials).

account lookup → followers/following/statuses counts; the account's statuses in the
window (40 a page, paging with max_id / the Link header); for each status with replies,
its context (descendants), telling the institution's own replies from citizens'.
API: https://docs.joinmastodon.org/methods/accounts/ and /methods/statuses/
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from closer.config import base_url_for
from monitor.base import AccountRef, Batch, CollectError, Collector, FetchContext, Pseudonymise, RawDoc, utc
from monitor.html_text import html_to_text
from monitor.http import HttpClient, HttpError

PAGE = 40
_NEXT_RE = re.compile(r'<([^>]+)>;\s*rel="next"')


def split_handle(handle: str) -> tuple[str, str]:
    """'@user@instance.social' → ('user', 'instance.social')."""
    h = handle.strip().lstrip("@")
    if h.startswith("http"):  # a profile URL: https://instance/@user
        parts = urlsplit(h)
        return parts.path.strip("/").lstrip("@"), parts.netloc
    user, _, host = h.partition("@")
    if not user or not host:
        raise CollectError("lookup", f"{handle!r} is not @user@instance")
    return user, host.lower()


def _form(s: dict[str, Any]) -> str:
    if s.get("reblog"):
        return "repost"
    if s.get("poll"):
        return "poll"
    types = {m.get("type") for m in s.get("media_attachments") or []}
    if types & {"video", "gifv", "audio"}:
        return "video"
    if "image" in types:
        return "photo"
    if s.get("quote") or s.get("quote_id"):
        return "quote"
    if s.get("card"):
        return "link"
    _, links = html_to_text(s.get("content"))
    return "link" if links else "text"


class MastodonCollector(Collector):
    platform = "mastodon"
    capabilities = {
        "followers": True,
        "following": True,
        "posts_count": True,
        "views": False,
        "likes": True,
        "shares": True,
        "replies": True,
        "quotes": True,  # quotes_count since Mastodon 4.5; NULL on older servers
        "polls": True,
        "threads": True,
    }

    @staticmethod
    def normalize_handle(handle: str) -> str:
        return handle.strip().lstrip("@").lower()

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        client: HttpClient = self.client
        user, host = split_handle(account.handle)
        base = base_url_for(host)
        try:
            body, resp = client.get_json(f"{base}/api/v1/accounts/lookup", params={"acct": user})
        except HttpError as exc:
            if exc.status in (404, 410):
                raise CollectError(
                    "lookup", f"account {account.handle} not found (HTTP {exc.status})", "not_found"
                ) from exc
            raise
        if not isinstance(body, dict) or "id" not in body:
            raise CollectError("lookup", "the lookup answer has no account id")
        ctx.archive(RawDoc("account", resp.url, client.produced_at(resp), resp.status_code, body))
        acct_id = str(body["id"])
        if body.get("suspended"):
            raise CollectError("lookup", f"account {account.handle} is suspended", "suspended")

        url = f"{base}/api/v1/accounts/{acct_id}/statuses"
        params: dict[str, Any] = {"limit": PAGE}
        with_replies: list[dict[str, Any]] = []
        page = 0
        while True:
            body, resp = client.get_json(url, params=params)
            if not isinstance(body, list):
                raise CollectError("posts", "the statuses answer is not a list")
            page += 1
            ctx.archive(RawDoc("statuses", resp.url, client.produced_at(resp), resp.status_code, body, {"page": page}))
            if not body:
                break
            in_window = [s for s in body if ctx.since is None or utc(s["created_at"]) >= ctx.since]
            with_replies += [s for s in in_window if not s.get("reblog") and (s.get("replies_count") or 0) > 0]
            if len(in_window) < len(body):
                break  # statuses come newest first: the rest are older than the window
            m = _NEXT_RE.search(resp.headers.get("Link", ""))
            if m:
                q = parse_qs(urlsplit(m.group(1)).query)
                if "max_id" not in q:
                    break
                params = {"limit": PAGE, "max_id": q["max_id"][0]}
            elif len(body) < PAGE:
                break
            else:
                params = {"limit": PAGE, "max_id": body[-1]["id"]}

        for s in with_replies:
            sid = str(s["id"])
            try:
                body, resp = client.get_json(f"{base}/api/v1/statuses/{sid}/context")
            except HttpError as exc:
                ctx.warn("thread", f"context of status {sid}: HTTP {exc.status}")
                continue
            except Exception as exc:  # malformed JSON etc.: the thread is lost, the account is not
                ctx.warn("thread", f"context of status {sid}: {exc}")
                continue
            ctx.archive(RawDoc("context", resp.url, client.produced_at(resp), resp.status_code, body, {"post_id": sid}))

    @staticmethod
    def detect(body: Any) -> str | None:
        if isinstance(body, dict):
            if "ancestors" in body and "descendants" in body:
                return "context"
            if "acct" in body and "followers_count" in body:
                return "account"
        if isinstance(body, list) and (not body or (isinstance(body[0], dict) and "content" in body[0] and "created_at" in body[0])):
            return "statuses"
        return None

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        batch = Batch()
        own_ids: set[str] = set()
        if account.platform_account_id:
            own_ids.add(str(account.platform_account_id))
        user = account.handle.strip().lstrip("@").split("@")[0].lower()
        for d in docs:
            if d.kind == "account":
                own_ids.add(str(d.body["id"]))
                batch.account_snapshot = {
                    "snapshot_at": d.fetched_at,
                    "followers": d.body.get("followers_count"),
                    "following": d.body.get("following_count"),
                    "posts_count": d.body.get("statuses_count"),
                    "views": None,
                    "platform_account_id": str(d.body["id"]),
                }
        if not own_ids:  # imported statuses without the account object
            for d in docs:
                if d.kind == "statuses":
                    for s in d.body:
                        a = s.get("account") or {}
                        if str(a.get("acct", "")).split("@")[0].lower() == user:
                            own_ids.add(str(a.get("id")))
        posts: dict[str, dict[str, Any]] = {}
        snaps: dict[str, dict[str, Any]] = {}
        for d in docs:
            if d.kind != "statuses":
                continue
            for s in d.body:
                sid = str(s["id"])
                text, links = html_to_text(s.get("content"))
                card = s.get("card") or {}
                if card.get("url"):
                    links = list(dict.fromkeys([*links, card["url"]]))
                reblog = s.get("reblog")
                if reblog:
                    kind = "repost"
                    rt, rl = html_to_text(reblog.get("content"))
                    links = rl
                    text = None
                elif s.get("in_reply_to_id"):
                    kind = "reply"
                else:
                    kind = "post"
                posts[sid] = {
                    "post_id": sid,
                    "created_at": utc(s["created_at"]),
                    "url": s.get("url") or s.get("uri"),
                    "kind": kind,
                    "form": _form(s),
                    "title": None,
                    "text": text,
                    "lang": s.get("language"),
                    "in_reply_to_id": str(s["in_reply_to_id"]) if s.get("in_reply_to_id") else None,
                    "visibility": s.get("visibility"),
                    "links": links,
                    "has_poll": bool(s.get("poll")) if not reblog else None,
                    "edited_at": utc(s.get("edited_at")),
                }
                snaps[sid] = {
                    "post_id": sid,
                    "snapshot_at": d.fetched_at,
                    "likes": s.get("favourites_count"),
                    "shares": s.get("reblogs_count"),
                    "replies": s.get("replies_count"),
                    "quotes": s.get("quotes_count"),
                    "views": None,
                }
        comments: dict[str, dict[str, Any]] = {}
        contexts = [d for d in docs if d.kind == "context"]

        def root_of(d: RawDoc) -> str | None:
            if d.meta.get("post_id"):
                return str(d.meta["post_id"])
            desc = d.body.get("descendants") or []
            ids = {str(x["id"]) for x in desc}
            parents = [str(x["in_reply_to_id"]) for x in desc if x.get("in_reply_to_id") and str(x["in_reply_to_id"]) not in ids]
            return parents[0] if parents else None

        # Older roots first, so a reply seen under two of the institution's statuses
        # (a self-thread) belongs to the thread's first post.
        keyed = [(root_of(d), d) for d in contexts]
        keyed.sort(key=lambda x: (posts.get(x[0] or "", {}).get("created_at") is None, posts.get(x[0] or "", {}).get("created_at") or 0, x[0] or ""))
        for root, d in keyed:
            if root is None:
                continue
            for c in d.body.get("descendants") or []:
                cid = str(c["id"])
                if cid in comments:
                    continue
                a = c.get("account") or {}
                mine = str(a.get("id")) in own_ids
                text, _ = html_to_text(c.get("content"))
                comments[cid] = {
                    "comment_id": cid,
                    "post_id": root,
                    "parent_id": str(c["in_reply_to_id"]) if c.get("in_reply_to_id") else root,
                    "created_at": utc(c["created_at"]),
                    "by_institution": mine,
                    "author": account.account_id if mine else pseudonymise("mastodon", a.get("url") or a.get("acct") or str(a.get("id"))),
                    "lang": c.get("language"),
                    "text": text,
                    "likes": c.get("favourites_count"),
                    "edited_at": utc(c.get("edited_at")),
                }
        batch.posts = list(posts.values())
        batch.post_snapshots = list(snaps.values())
        batch.comments = list(comments.values())
        return batch


COLLECTOR = MastodonCollector
