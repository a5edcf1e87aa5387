"""Instagram collector (Instagram Graph API: a professional account linked to a Facebook page).

The account's Instagram user id (learned once: the token's page → instagram_business_account,
matched on the username) → followers, follows, media count; /media (50 a page, paging.next)
with like_count, comments_count, media_type (IMAGE → photo, VIDEO and REELS → video,
CAROUSEL_ALBUM → photo); for each medium in the window with comments, /comments with their
replies, the account's own answers told from citizens' by username. Errors and throttling
as on Facebook (monitor.facebook.Graph). Rules and permissions: docs/platforms.md.
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

import requests

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
from monitor.credentials import CredentialProblem, CredentialStop, note_coverage, require
from monitor.facebook import Graph, required_time

log = logging.getLogger(__name__)

USER_FIELDS = "id,username,name,followers_count,follows_count,media_count"
MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
)
REPLY_FIELDS = "id,text,timestamp,username,like_count,user"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"
LOOKUP_FIELDS = "id,name,instagram_business_account{id,username}"
MEDIA_PAGE = 50
COMMENTS_PAGE = 50
_URL_RE = re.compile(r"https?://[^\s<>\"']+")

FORMS = {"IMAGE": "photo", "CAROUSEL_ALBUM": "photo", "VIDEO": "video", "REELS": "video"}


def username_of(handle: str) -> str:
    """'@primaria', 'https://www.instagram.com/primaria/' → 'primaria'."""
    h = handle.strip()
    if "instagram.com" in h:
        h = h.split("instagram.com", 1)[1].strip("/").split("/")[0].split("?")[0]
    return h.lstrip("@").lower()


def media_form(m: dict[str, Any]) -> str:
    """IMAGE → photo, VIDEO/REELS → video, CAROUSEL_ALBUM → photo; text for anything else."""
    if str(m.get("media_product_type") or "").upper() == "REELS":
        return "video"
    return FORMS.get(str(m.get("media_type") or "").upper(), "text")


class InstagramCollector(Collector):
    platform = "instagram"
    needs_credentials = ("CLOSER_INSTAGRAM_TOKEN", "CLOSER_FACEBOOK_TOKEN")
    capabilities: ClassVar[dict[str, bool]] = {
        "followers": True,
        "following": True,
        "posts_count": True,
        "views": False,
        "likes": True,
        "shares": False,
        "replies": True,
        "quotes": False,
        "polls": False,
        "threads": True,
    }

    @staticmethod
    def normalize_handle(handle: str) -> str:
        return username_of(handle)

    def lookup(self, g: Graph, account: AccountRef) -> str:
        """The account's Instagram user id, from the token's page (or pages)."""
        if account.platform_account_id:
            return str(account.platform_account_id)
        want = username_of(account.handle)
        if want.isdigit():
            return want
        body, resp = g.get(g.url("me"), {"fields": LOOKUP_FIELDS})
        g.archive("lookup", body, resp)
        candidates = []
        if isinstance(body, dict) and body.get("instagram_business_account"):
            candidates.append(body["instagram_business_account"])
        else:
            accounts, resp = g.get(g.url("me/accounts"), {"fields": LOOKUP_FIELDS, "limit": 100})
            g.archive("lookup", accounts, resp)
            for page in (accounts or {}).get("data") or []:
                if page.get("instagram_business_account"):
                    candidates.append(page["instagram_business_account"])
        for c in candidates:
            if str(c.get("username", "")).lower() == want:
                return str(c["id"])
        linked = (
            ", ".join("@" + str(c.get("username")) for c in candidates) or "no Instagram account"
        )
        raise CollectError(
            "lookup",
            f"the token for {account.account_id} reaches {linked}, not @{want}: the Instagram "
            "account must be"
            " a professional account linked to the page whose token is configured",
        )

    def fetch(self, account: AccountRef, ctx: FetchContext) -> None:
        # The Instagram Graph API takes the linked Facebook page's token: the credential book
        # resolves CLOSER_INSTAGRAM_TOKEN to the institution's Facebook token when no
        # Instagram one is set (monitor.credentials.FALLBACK).
        token = require(ctx, account, "CLOSER_INSTAGRAM_TOKEN")
        g = Graph(
            self.client,
            ctx,
            account,
            token,
            ctx.credentials.get("CLOSER_FACEBOOK_APP_SECRET"),
            platform="Instagram",
            setting=ctx.credentials.get("CLOSER_INSTAGRAM_TOKEN.setting"),
        )
        ig_id = self.lookup(g, account)
        user, resp = g.get(g.url(ig_id), {"fields": USER_FIELDS})
        if not isinstance(user, dict) or "id" not in user:
            raise CollectError("lookup", "the Instagram user answer has no id")
        g.archive("user", user, resp)
        g.check_token(ctx.credentials.get("CLOSER_FACEBOOK_APP_TOKEN"))

        def older(data: list[dict[str, Any]]) -> bool:
            return ctx.since is not None and any(
                utc(m.get("timestamp")) < ctx.since for m in data if m.get("timestamp")
            )

        with_comments: list[str] = []
        for data in g.pages(
            g.url(f"{ig_id}/media"),
            {"fields": MEDIA_FIELDS, "limit": MEDIA_PAGE},
            "media",
            stop=older,
        ):
            for m in data:
                if ctx.since is not None and m.get("timestamp") and utc(m["timestamp"]) < ctx.since:
                    continue
                if (m.get("comments_count") or 0) > 0:
                    with_comments.append(str(m["id"]))

        for mid in with_comments:
            try:
                for data in g.pages(
                    g.url(f"{mid}/comments"),
                    {"fields": COMMENT_FIELDS, "limit": COMMENTS_PAGE},
                    "comments",
                    {"media_id": mid},
                ):
                    for c in data:
                        nxt = ((c.get("replies") or {}).get("paging") or {}).get("next")
                        if nxt:  # more replies than the comment carries inline
                            url, params = g.rebase(nxt)
                            for _ in g.pages(
                                url, params, "replies", {"media_id": mid, "parent_id": str(c["id"])}
                            ):
                                pass
            except (CredentialStop, CredentialProblem):
                note_coverage(
                    ctx, mid, "stopped by the platform's rate limit or token while reading comments"
                )
                raise
            except (CollectError, requests.RequestException) as exc:
                ctx.warn("thread", f"comments of media {mid}: {exc}")
                note_coverage(ctx, mid, f"comments not read: {exc}"[:300])

    @staticmethod
    def import_handle(kind: str, body: Any) -> tuple[str | None, str | None]:
        """For `closer import`: (username, Instagram user id) a document names."""
        if kind == "user" and isinstance(body, dict) and body.get("id"):
            return (str(body["username"]) if body.get("username") else None), str(body["id"])
        return None, None

    @staticmethod
    def detect(body: Any) -> str | None:
        if not isinstance(body, dict):
            return None
        if "id" in body and (
            "media_count" in body
            or "follows_count" in body
            or "ig_id" in body
            and "media_type" not in body
        ):
            return "user"
        if "media_type" in body and "timestamp" in body:
            return "media"
        data = body.get("data")
        if isinstance(data, list):
            sample = [i for i in data if isinstance(i, dict)]
            if sample and all("timestamp" in i for i in sample):
                if any("media_type" in i for i in sample):
                    return "media"
                if all("text" in i or "username" in i for i in sample):
                    return "comments"
            return None
        if "timestamp" in body and "text" in body:
            return "comments"  # one comment, e.g. with its replies inline
        values = list(body.values())
        if values and all(isinstance(v, dict) and "timestamp" in v and "text" in v for v in values):
            return "comments"  # the ?ids=a,b form: comments keyed by id
        return None

    @staticmethod
    def normalize(account: AccountRef, docs: list[RawDoc], pseudonymise: Pseudonymise) -> Batch:
        batch = Batch()
        own_ids: set[str] = (
            {str(account.platform_account_id)} if account.platform_account_id else set()
        )
        own_names = {username_of(account.handle)}
        for d in docs:
            if d.kind == "user" and isinstance(d.body, dict):
                own_ids.add(str(d.body.get("id")))
                if d.body.get("username"):
                    own_names.add(str(d.body["username"]).lower())
                batch.account_snapshot = {
                    "snapshot_at": d.fetched_at,
                    "followers": d.body.get("followers_count"),
                    "following": d.body.get("follows_count"),
                    "posts_count": d.body.get("media_count"),
                    "views": None,
                    "platform_account_id": str(d.body["id"]) if d.body.get("id") else None,
                }
        posts: dict[str, dict[str, Any]] = {}
        snaps: dict[str, dict[str, Any]] = {}
        comments: dict[str, dict[str, Any]] = {}

        def add_comment(c: dict[str, Any], root: str, parent: str) -> None:
            cid = str(c["id"])
            frm = c.get("from") or {}
            name = str(c.get("username") or frm.get("username") or "").lower()
            # `user` is only returned for comments the account itself wrote (IG Comment reference)
            mine = (
                (bool(name) and name in own_names)
                or (bool(frm.get("id")) and str(frm["id"]) in own_ids)
                or (bool((c.get("user") or {}).get("id")) and str(c["user"]["id"]) in own_ids)
            )
            who = frm.get("id") or name or None
            comments[cid] = {
                "comment_id": cid,
                "post_id": root,
                "parent_id": parent,
                "created_at": required_time(c, "timestamp", "comment"),
                "by_institution": mine,
                "author": account.account_id
                if mine
                else pseudonymise("instagram", str(who))
                if who
                else None,
                "lang": None,
                "text": c.get("text"),
                "likes": c.get("like_count"),
                "edited_at": None,
            }

        for d in docs:
            if d.kind != "media" or not isinstance(d.body, dict):
                continue
            items = d.body["data"] if isinstance(d.body.get("data"), list) else [d.body]
            for m in items:
                mid = str(m["id"])
                caption = m.get("caption")
                posts[mid] = {
                    "post_id": mid,
                    "created_at": required_time(m, "timestamp", "medium"),
                    "url": m.get("permalink"),
                    "kind": "post",
                    "form": media_form(m),
                    "title": None,
                    "text": caption,
                    "lang": None,
                    "in_reply_to_id": None,
                    "visibility": None,
                    "links": list(dict.fromkeys(_URL_RE.findall(caption or ""))),
                    "has_poll": None,
                    "edited_at": None,
                }
                snaps[mid] = {
                    "post_id": mid,
                    "snapshot_at": d.fetched_at,
                    "likes": m.get("like_count"),  # absent when the owner hides like counts: NULL
                    "shares": None,
                    "replies": m.get("comments_count"),
                    "quotes": None,
                    "views": None,
                }
                # a single medium with its comments inline (GET /{media-id}?fields=…,comments)
                for c in (m.get("comments") or {}).get("data") or []:
                    if "timestamp" in c:
                        add_comment(c, mid, mid)
        for d in docs:
            if d.kind not in ("comments", "replies") or not isinstance(d.body, dict):
                continue
            if isinstance(d.body.get("data"), list):
                items = d.body["data"]
            elif "id" in d.body and "timestamp" in d.body:
                items = [d.body]
            else:
                items = [v for v in d.body.values() if isinstance(v, dict)]
            for c in items:
                root = d.meta.get("media_id") or (c.get("media") or {}).get("id")
                if not root or "timestamp" not in c:
                    continue
                root = str(root)
                parent = str(d.meta.get("parent_id") or root)
                add_comment(c, root, parent)
                for r in (c.get("replies") or {}).get("data") or []:
                    if "timestamp" in r:
                        add_comment(r, root, str(c["id"]))
        batch.posts = list(posts.values())
        batch.post_snapshots = list(snaps.values())
        batch.comments = list(comments.values())
        return batch


COLLECTOR = InstagramCollector
