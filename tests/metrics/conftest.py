"""Hand-built tables for the metric tests: a small world of institutions, accounts, posts,
snapshots and comment threads, written straight into a fresh, migrated DuckDB file."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

UTC = dt.UTC


def t(s: str) -> dt.datetime:
    """'2026-05-04 10:00' (UTC) → an aware datetime."""
    return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)


class World:
    """Writes registry rows, posts, snapshots and comments with only the fields a test sets."""

    def __init__(self, con):
        self.con = con
        self._ids = count(1)
        con.execute(
            "INSERT INTO runs (run_id, kind, started_at, finished_at, status) VALUES ('r0', 'collect', TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 00:00:00+00', 'ok')"
        )

    def institution(
        self,
        iid: str,
        name: str | None = None,
        type: str = "city_hall",
        region: str = "Județul Test",
    ) -> str:
        self.con.execute(
            "INSERT INTO institutions (institution_id, name, type, region, country) VALUES (?, ?, ?, ?, 'RO')",
            [iid, name or iid, type, region],
        )
        return iid

    def account(
        self, institution_id: str, platform: str, handle: str, url: str | None = None
    ) -> str:
        aid = f"{platform}:{handle.lstrip('@').lower() if platform != 'feed' else handle}"
        self.con.execute(
            "INSERT INTO accounts (account_id, institution_id, platform, handle, url) VALUES (?, ?, ?, ?, ?)",
            [aid, institution_id, platform, handle, url],
        )
        return aid

    def followers(self, account_id: str, at: str, followers: int | None) -> None:
        run = f"run{next(self._ids)}"
        self.con.execute(
            "INSERT INTO account_snapshots (run_id, account_id, snapshot_at, followers) VALUES (?, ?, ?, ?)",
            [run, account_id, t(at), followers],
        )

    def post(
        self,
        account_id: str,
        at: str,
        kind: str = "post",
        form: str = "text",
        text: str | None = None,
        links: list[str] | None = None,
        has_poll: bool | None = None,
        post_id: str | None = None,
        title: str | None = None,
    ) -> str:
        pid = post_id or f"p{next(self._ids)}"
        platform = account_id.split(":", 1)[0]
        self.con.execute(
            "INSERT INTO posts (platform, post_id, account_id, created_at, url, kind, form, title, text, links, has_poll, first_run_id, last_run_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'r0', 'r0')",
            [
                platform,
                pid,
                account_id,
                t(at),
                f"https://example.test/{pid}",
                kind,
                form,
                title,
                text,
                links or [],
                has_poll,
            ],
        )
        return pid

    def counts(
        self,
        account_id: str,
        post_id: str,
        at: str,
        likes=None,
        shares=None,
        replies=None,
        quotes=None,
        views=None,
    ) -> None:
        platform = account_id.split(":", 1)[0]
        run = f"run{next(self._ids)}"
        self.con.execute(
            "INSERT INTO post_snapshots (run_id, platform, post_id, snapshot_at, likes, shares, replies, quotes, views) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run, platform, post_id, t(at), likes, shares, replies, quotes, views],
        )

    def comment(
        self,
        account_id: str,
        post_id: str,
        at: str,
        parent: str | None = None,
        by_institution: bool = False,
        text: str = "ok",
        comment_id: str | None = None,
    ) -> str:
        cid = comment_id or f"c{next(self._ids)}"
        platform = account_id.split(":", 1)[0]
        self.con.execute(
            "INSERT INTO comments (platform, comment_id, post_id, parent_id, account_id, created_at, by_institution, author, text, first_run_id, last_run_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'r0', 'r0')",
            [
                platform,
                cid,
                post_id,
                parent or post_id,
                account_id,
                t(at),
                by_institution,
                account_id if by_institution else "p_citizen",
                text,
            ],
        )
        return cid


@pytest.fixture
def world(con) -> World:
    return World(con)


def three_levels(w: World) -> None:
    """Institutions M (modest), D (moderate), E (elaborate) and N (nothing collected) in May
    2026, the round 'baseline'; data as of 1 June 2026 10:00 UTC. See test_continuum.py."""
    w.con.execute(
        "INSERT INTO rounds VALUES ('baseline', 'Baseline', DATE '2026-05-01', DATE '2026-05-31')"
    )
    for iid in ("M", "D", "E", "N"):
        w.institution(iid, name=f"Institution {iid}")
    # M: one channel, four text posts, two citizen comments never answered
    m = w.account("M", "mastodon", "@m@social.example", "https://social.example/@m")
    for day in (3, 10, 17, 24):
        w.post(m, f"2026-05-{day:02d} 08:00", text="Anunț", post_id=f"m{day}")
    w.comment(m, "m3", "2026-05-03 10:00", text="Bună ziua")
    w.comment(m, "m3", "2026-05-03 11:00", text="Mulțumim")
    # D: two channels with one cross-link, ten posts (photos and a link), a question post with
    # one comment answered after 30 h and one not answered
    dm = w.account("D", "mastodon", "@d@social.example", "https://social.example/@d")
    db = w.account("D", "bluesky", "d.bsky.social")
    for day in (1, 4, 8, 11, 15, 18, 22, 25, 29):
        form = "photo" if day in (4, 11) else "link" if day == 18 else "text"
        links = ["https://bsky.app/profile/d.bsky.social"] if day == 18 else []
        if day != 29:
            w.post(
                dm,
                f"2026-05-{day:02d} 08:00",
                form=form,
                links=links,
                text="Știri",
                post_id=f"d{day}",
            )
    w.post(db, "2026-05-06 08:00", form="photo", text="Foto", post_id="d6")
    w.post(db, "2026-05-20 08:00", text="Ce părere aveți despre noul program?", post_id="d20")
    q1 = w.comment(db, "d20", "2026-05-20 09:00", text="E bun")
    w.comment(db, "d20", "2026-05-21 15:00", parent=q1, by_institution=True, text="Mulțumim!")
    w.comment(db, "d20", "2026-05-20 10:00", text="Nu-mi place")
    # E: three interconnected channels, two posts a day with photos and videos, a poll and a
    # contest; five comments under the poll, each answered within the hour
    em = w.account("E", "mastodon", "@e@social.example", "https://social.example/@e")
    eb = w.account("E", "bluesky", "e.bsky.social")
    ef = w.account("E", "feed", "https://www.e.example/feed/", "https://www.e.example/")
    i = 0
    for day in range(1, 32):
        for hour in (8, 14):
            pid = f"e{i}"
            if i == 9:
                w.post(
                    em,
                    f"2026-05-{day:02d} {hour:02d}:00",
                    form="poll",
                    has_poll=True,
                    text="Votați traseul noii piste",
                    post_id=pid,
                )
            elif i == 10:
                w.post(
                    em,
                    f"2026-05-{day:02d} {hour:02d}:00",
                    text="Concurs de fotografie: premii pentru cele mai bune imagini",
                    post_id=pid,
                )
            else:
                form = "photo" if i % 5 == 0 else "video" if i % 10 == 1 else "text"
                links = {
                    2: ["https://bsky.app/profile/e.bsky.social/post/1"],
                    4: ["https://www.e.example/stiri/2"],
                }.get(i, [])
                w.post(
                    em,
                    f"2026-05-{day:02d} {hour:02d}:00",
                    form=form,
                    links=links,
                    text="Știri",
                    post_id=pid,
                )
            i += 1
    w.post(eb, "2026-05-10 09:00", text="Salut", post_id="eb1")
    w.post(ef, "2026-05-12 09:00", title="Raport", text="Raportul lunii", post_id="ef1")
    for k in range(5):
        c = w.comment(em, "e9", f"2026-05-05 {15 + k:02d}:00", text="Când începe lucrarea?")
        w.comment(
            em, "e9", f"2026-05-05 {15 + k:02d}:30", parent=c, by_institution=True, text="Notat!"
        )
    for acct, n in ((m, 120), (dm, 800), (db, 200), (em, 5000), (eb, 900)):
        w.followers(acct, "2026-05-01 10:00", n)
        w.followers(acct, "2026-06-01 10:00", n + 10)
