"""The collectors' shared contract, checked on every platform's recorded payloads.

Each collector plugs in with tests/fixtures/<folder>/contract.json:

    {"platform": "bluesky",
     "known_gaps": {"<capability>": "why it is filled although declared False"},   (optional)
     "cases": [{"name": "...",
                "account": {"handle": "...", "platform_account_id": null},
                "institution_names": ["handles and names of the institution itself"],
                "fetched_at": "2025-05-19T17:26:24Z",
                "docs": [{"kind": "profile", "file": "getProfile.json", "meta": {}}],
                "expect": {"posts": 10, "post_snapshots": 9, "comments": 4,
                           "by_institution": 1, "account_snapshot": true}}]}

A .json file is passed parsed, anything else as text (XML feeds), as the collector's fetch
archives it. Invariants: ids unique per platform, times timezone-aware UTC, counts ints ≥ 0
or NULL, capabilities declared False never filled, the institution's replies marked (and
only they carry its account id as author), citizens' handles and names never stored in the
author or id/url columns (text may quote a mention: that is what the citizen wrote).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from closer.pseudonym import Pseudonymiser
from monitor import collectors
from monitor.base import FORMS, KINDS, AccountRef, RawDoc
from tests.conftest import FIXTURES

CONTRACTS = sorted(FIXTURES.glob("*/contract.json"))
PSEUDONYM = re.compile(r"^p_[0-9a-f]{16}$")
# identity fields in JSON payloads whose values are people's handles or names
IDENTITY_KEYS = {"handle", "displayName", "acct", "username", "display_name"}
# capability → (part of the batch, field)
CAPABILITY_FIELDS = {
    "followers": [("account", "followers")],
    "following": [("account", "following")],
    "posts_count": [("account", "posts_count")],
    "views": [("snapshots", "views")],
    "likes": [("snapshots", "likes")],
    "shares": [("snapshots", "shares")],
    "replies": [("snapshots", "replies")],
    "quotes": [("snapshots", "quotes")],
    "polls": [("posts", "has_poll")],
}


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["folder"] = path.parent
    return data


def _cases() -> list[Any]:
    out = []
    for path in CONTRACTS:
        c = _load(path)
        for i, case in enumerate(c["cases"]):
            out.append(pytest.param(c, case, id=f"{c['platform']}-{i}-{case['name'][:40]}"))
    return out


def _body(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


def _docs(contract: dict[str, Any], case: dict[str, Any]) -> list[RawDoc]:
    at = dt.datetime.fromisoformat(case["fetched_at"])
    return [
        RawDoc(
            d["kind"],
            f"fixture:{d['file']}",
            at,
            200,
            _body(contract["folder"] / d["file"]),
            d.get("meta") or {},
        )
        for d in case["docs"]
    ]


def _identities(value: Any, found: set[str]) -> set[str]:
    """Every handle/name string in a JSON payload."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in IDENTITY_KEYS and isinstance(v, str) and len(v) >= 3:
                found.add(v)
            else:
                _identities(v, found)
    elif isinstance(value, list):
        for v in value:
            _identities(v, found)
    return found


def _feed_authors(text: str) -> set[str]:
    import feedparser

    parsed = feedparser.parse(text.encode("utf-8"))
    return {e.get("author") for e in parsed.entries if e.get("author")}


def test_every_collector_has_a_contract():
    covered = {_load(p)["platform"] for p in CONTRACTS}
    missing = sorted(set(collectors()) - covered)
    assert not missing, f"collectors without tests/fixtures/<platform>/contract.json: {missing}"


def test_contract_files_name_existing_fixtures():
    for path in CONTRACTS:
        c = _load(path)
        assert c["platform"] in collectors(), f"{path}: no collector for {c['platform']!r}"
        for case in c["cases"]:
            for d in case["docs"]:
                assert (path.parent / d["file"]).is_file(), f"{path}: {d['file']} missing"
                kind = collectors()[c["platform"]].detect(_body(path.parent / d["file"]))
                assert kind == d["kind"], (
                    f"{path}: {d['file']} detected as {kind!r}, listed as {d['kind']!r}"
                )


def _is_utc(value: Any) -> bool:
    return (
        isinstance(value, dt.datetime)
        and value.tzinfo is not None
        and value.utcoffset() == dt.timedelta(0)
    )


@pytest.mark.parametrize(("contract", "case"), _cases())
def test_collector_contract(contract, case):
    platform = contract["platform"]
    cls = collectors()[platform]
    handle = case["account"]["handle"]
    account = AccountRef(
        f"{platform}:{cls.normalize_handle(handle)}",
        "INST",
        platform,
        handle,
        None,
        case["account"].get("platform_account_id"),
    )
    docs = _docs(contract, case)
    batch = cls.normalize(account, docs, Pseudonymiser(b"contract-key"))

    # the capabilities are declared, every one of them
    assert set(cls.capabilities) == {
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
    }
    expect = case.get("expect", {})
    assert len(batch.posts) == expect.get("posts", len(batch.posts))
    assert len(batch.post_snapshots) == expect.get("post_snapshots", len(batch.post_snapshots))
    assert len(batch.comments) == expect.get("comments", len(batch.comments))
    if "by_institution" in expect:
        assert sum(c["by_institution"] for c in batch.comments) == expect["by_institution"]
    if "account_snapshot" in expect:
        assert (batch.account_snapshot is not None) == expect["account_snapshot"]

    # ids unique per platform
    post_ids = [p["post_id"] for p in batch.posts]
    assert len(post_ids) == len(set(post_ids)) and all(isinstance(i, str) and i for i in post_ids)
    snap_ids = [s["post_id"] for s in batch.post_snapshots]
    assert len(snap_ids) == len(set(snap_ids)) and set(snap_ids) <= set(post_ids)
    comment_ids = [c["comment_id"] for c in batch.comments]
    assert len(comment_ids) == len(set(comment_ids)) and all(
        isinstance(i, str) and i for i in comment_ids
    )

    # times timezone-aware UTC
    for p in batch.posts:
        assert _is_utc(p["created_at"]), p
        assert p["edited_at"] is None or _is_utc(p["edited_at"]), p
        assert p["kind"] in KINDS and p["form"] in FORMS, p
        assert isinstance(p["links"], list)
    for s in batch.post_snapshots:
        assert _is_utc(s["snapshot_at"]), s
    for c in batch.comments:
        assert _is_utc(c["created_at"]), c
    if batch.account_snapshot is not None:
        assert _is_utc(batch.account_snapshot["snapshot_at"])

    # counts: int ≥ 0 or NULL, never a string or a bool
    def counts():
        if batch.account_snapshot is not None:
            for k in ("followers", "following", "posts_count", "views"):
                yield k, batch.account_snapshot[k]
        for s in batch.post_snapshots:
            for k in ("likes", "shares", "replies", "quotes", "views"):
                yield k, s[k]
        for c in batch.comments:
            yield "likes", c["likes"]

    for name, v in counts():
        assert v is None or (type(v) is int and v >= 0), (name, v)

    # a capability declared False is never filled (shown "not available", not 0)
    gaps = set(contract.get("known_gaps", {}))
    parts = {
        "account": [batch.account_snapshot] if batch.account_snapshot else [],
        "snapshots": batch.post_snapshots,
        "posts": batch.posts,
    }
    for cap, where in CAPABILITY_FIELDS.items():
        if cls.capabilities[cap] or cap in gaps:
            continue
        for part, fld in where:
            assert all(row.get(fld) is None for row in parts[part]), (
                f"{platform} declares {cap} False but fills {fld}"
            )
    if not cls.capabilities["threads"]:
        assert batch.comments == []

    # the institution's replies are marked, and only they carry its account id
    for c in batch.comments:
        assert isinstance(c["by_institution"], bool)
        if c["by_institution"]:
            assert c["author"] == account.account_id, c
        else:
            assert c["author"] is None or PSEUDONYM.match(c["author"]), c
        assert c["parent_id"] is None or isinstance(c["parent_id"], str)

    # no citizen handle or name stored in clear outside the texts they wrote
    people: set[str] = set()
    for d in docs:
        if isinstance(d.body, (dict, list)):
            _identities(d.body, people)
        elif d.kind == "comments":
            people |= _feed_authors(d.body)
    own = {n.casefold() for n in case.get("institution_names", [])}
    citizens = {p for p in people if p.casefold() not in own}
    stored = [c["author"] or "" for c in batch.comments]
    stored += [c["comment_id"] for c in batch.comments] + [
        c["parent_id"] or "" for c in batch.comments
    ]
    stored += [p["url"] or "" for p in batch.posts if p["kind"] == "repost"]
    stored += [p["post_id"] for p in batch.posts]
    for name in citizens:
        leaks = [s for s in stored if name.casefold() in s.casefold()]
        assert not leaks, f"{name!r} stored in clear: {leaks[:3]}"
