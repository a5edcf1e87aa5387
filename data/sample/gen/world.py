"""The simulated world behind the sample: citizens, channels, posts, threads and counts.

Everything is drawn once from seeded random streams (one per institution and channel, so a
change to one profile does not reshuffle the others). The renderers then show this world as
each platform's API would at a given moment: only what exists by then, with the counts it
has by then (counts grow along a saturating curve, so they never go down).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from gen import ids, texts
from gen.scenario import (
    CAMPAIGN,
    CEDILLA,
    END,
    HISTORY_START,
    KIND_WEIGHTS,
    LANG_SHARES,
    LATENCY_SIGMA,
    NO_DIACRITICS,
    PROFILES,
    Profile,
    per_round,
    round_index,
)

UTC = dt.UTC
PLATFORMS = ("blog", "youtube", "mastodon", "bluesky")  # generation order: links need targets


@dataclass(eq=False)
class Citizen:
    key: str
    first: str
    last: str
    lang: str  # ro, en, hu
    region: str
    style: str  # how they type Romanian: diacritics, plain, cedilla
    hostile: bool
    created: dt.datetime
    masto_user: str
    masto_host: str
    bsky_handle: str
    did: str

    @property
    def display(self) -> str:
        return f"{self.first} {self.last[0]}." if len(self.key) % 3 else f"{self.first} {self.last}"


@dataclass(eq=False)
class Poll:
    options: list[str]
    votes: list[int]  # final votes per option
    expires: dt.datetime
    nid: str


@dataclass(eq=False)
class Link:
    url: str
    title: str
    description: str
    kind: str = "link"  # card type: link or video (YouTube)
    image: bool = True


@dataclass(eq=False)
class Note:
    """A post, a reply in a thread, a repost, a blog post or comment, or a video."""

    nid: str
    channel: Channel  # the institution channel whose timeline or thread holds it
    author: Citizen | None  # None: the institution itself
    created: dt.datetime
    text: str
    lang: str | None = "ro"
    parent: Note | None = None
    children: list[Note] = field(default_factory=list)
    title: str | None = None
    topic: str = ""
    rung: str = "info"
    form: str = "text"
    media: list[tuple[str, str]] = field(default_factory=list)  # (image|video, alt text)
    poll: Poll | None = None
    link: Link | None = None
    tags: list[str] = field(default_factory=list)
    visibility: str = "public"
    likes: int = 0
    shares: int = 0
    quotes: int = 0
    views: int = 0
    tau_h: float = 12.0
    edit: tuple[dt.datetime, str] | None = None
    repost_of: Note | None = None
    quote_of: Note | None = None
    special: str | None = None  # Bluesky: notfound or blocked
    comment_kind: str = ""
    slug: str = ""
    cid: str = ""

    @property
    def root(self) -> Note:
        n = self
        while n.parent is not None:
            n = n.parent
        return n

    @property
    def depth(self) -> int:
        d, n = 0, self
        while n.parent is not None:
            d, n = d + 1, n.parent
        return d

    def count(self, final: int, at: dt.datetime) -> int:
        """A count (likes, shares …) as it stands at `at`: rises to `final`, never falls."""
        hours = (at - self.created).total_seconds() / 3600
        if hours <= 0 or final <= 0:
            return 0
        return int(final * (1 - math.exp(-hours / self.tau_h)))

    def children_at(self, at: dt.datetime) -> list[Note]:
        return [c for c in self.children if c.created <= at]

    def descendants_at(self, at: dt.datetime) -> list[Note]:
        """Every reply below this note by `at` (a blog's comment feed lists them flat)."""
        out = []
        for c in self.children_at(at):
            out.append(c)
            out.extend(c.descendants_at(at))
        return out

    def text_at(self, at: dt.datetime) -> str:
        if self.edit and self.edit[0] <= at:
            return self.edit[1]
        return self.text

    def edited_at(self, at: dt.datetime) -> dt.datetime | None:
        return self.edit[0] if self.edit and self.edit[0] <= at else None


@dataclass(eq=False)
class Channel:
    """One registered account of an institution."""

    inst_id: str
    inst_name: str
    inst_type: str
    region: str
    locality: str
    platform: str  # mastodon, bluesky, blog, youtube
    handle: str
    url: str
    profile: Profile
    host: str = ""
    user: str = ""
    account_id: str = ""  # Mastodon
    did: str = ""  # Bluesky
    channel_id: str = ""  # YouTube
    created: dt.datetime = HISTORY_START
    before: int = 0  # statuses before the history start
    following0: int = 50
    timeline: list[Note] = field(default_factory=list)  # the institution's own items
    blog_author: str = ""
    site: str = ""
    siblings: dict[str, Channel] = field(default_factory=dict)  # platform → other channel
    _followers: list[int] = field(default_factory=list)

    def followers(self, at: dt.datetime) -> int:
        """Followers (subscribers for YouTube) at `at`; grows day by day."""
        day = max(0, min(len(self._followers) - 1, (at - HISTORY_START).days))
        return self._followers[day]

    def following(self, at: dt.datetime) -> int:
        return self.following0 + max(0, (at - HISTORY_START).days) // 21

    def items_at(self, at: dt.datetime) -> list[Note]:
        """The timeline as of `at`, newest first."""
        return sorted(
            (n for n in self.timeline if n.created <= at), key=lambda n: n.created, reverse=True
        )


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def local_offset(t: dt.datetime) -> dt.timedelta:
    """Romania: UTC+3 in summer time, UTC+2 from 25 October 2026."""
    return dt.timedelta(hours=2 if t >= dt.datetime(2026, 10, 25, 1, tzinfo=UTC) else 3)


class World:
    """Builds the whole sample world from the registry and the seed."""

    def __init__(self, registry_dir: Path, seed: int):
        self.seed = seed
        self.institutions = {
            r["institution_id"]: r for r in _read_csv(registry_dir / "institutions.csv")
        }
        self.channels: list[Channel] = []
        self.citizens: dict[str, list[Citizen]] = {}
        self.english: list[Citizen] = []
        self.hungarian: list[Citizen] = []
        self._counters: dict[str, int] = {}
        self._make_channels(_read_csv(registry_dir / "accounts.csv"))
        self._make_citizens()
        for platform in PLATFORMS:
            for ch in self.channels:
                if ch.platform == platform:
                    self._make_posts(ch)
        for ch in self.channels:
            if ch.platform in ("mastodon", "bluesky"):
                self._make_reposts(ch)
        for ch in self.channels:
            if ch.platform in ("mastodon", "bluesky") or (
                ch.platform == "blog" and ch.profile.blog_comments
            ):
                for note in list(ch.timeline):
                    if note.parent is None and note.repost_of is None:
                        self._make_thread(ch, note)
        self._make_campaign()
        self._make_bluesky_specials()
        for ch in self.channels:
            ch.timeline.sort(key=lambda n: n.created)

    # ---- registry → channels -------------------------------------------------------------
    def _make_channels(self, accounts: list[dict[str, str]]) -> None:
        by_inst: dict[str, dict[str, Channel]] = {}
        for row in accounts:
            inst = self.institutions[row["institution_id"]]
            platform = row["platform"]
            if platform == "feed":
                platform = "youtube" if "youtube.com" in row["handle"] else "blog"
            ch = Channel(
                inst_id=inst["institution_id"],
                inst_name=inst["name"],
                inst_type=inst["type"],
                region=inst["region"],
                locality=inst["locality"],
                platform=platform,
                handle=row["handle"],
                url=row["url"],
                profile=PROFILES[inst["institution_id"]],
            )
            rng = self._rng("channel", ch.handle)
            ch.created = dt.datetime(2022, 11, 1, tzinfo=UTC) + dt.timedelta(
                days=rng.randint(0, 900)
            )
            ch.before = rng.randint(40, 400)
            ch.following0 = rng.randint(20, 160)
            if platform == "mastodon":
                ch.user, ch.host = row["handle"].lstrip("@").split("@")
                ch.account_id = ids.snowflake(ch.created, "acct:" + ch.handle)
            elif platform == "bluesky":
                ch.did = ids.did("inst:" + ch.handle)
                ch.host = "public.api.bsky.app"
            elif platform == "blog":
                ch.host = row["handle"].split("/")[2]
                ch.blog_author = rng.choice(
                    ["Biroul de presă", "Serviciul Comunicare", "Compartimentul Relații Publice"]
                )
            else:
                ch.channel_id = row["handle"].split("channel_id=")[1]
                ch.host = "www.youtube.com"
            if ch.platform in ch.profile.reach:
                f0, gains = ch.profile.reach[ch.platform]
            else:
                f0, gains = 0, (0.0, 0.0, 0.0)
            total, acc = float(f0), []
            for day in range((END - HISTORY_START).days + 2):
                t = HISTORY_START + dt.timedelta(days=day)
                total += max(0.0, gains[round_index(t)] * (1 + rng.uniform(-0.6, 0.6)))
                acc.append(int(total))
            ch._followers = acc
            by_inst.setdefault(ch.inst_id, {})[platform] = ch
            self.channels.append(ch)
        for chans in by_inst.values():
            site = next((c.host for c in chans.values() if c.platform == "blog"), None)
            for ch in chans.values():
                ch.siblings = {p: c for p, c in chans.items() if c is not ch}
                user = next((c.user for c in chans.values() if c.platform == "mastodon"), "")
                ch.site = site or f"www.{user or ch.inst_id.lower()}.example"

    # ---- citizens ------------------------------------------------------------------------
    def _make_citizens(self) -> None:
        hosts_by_region: dict[str, str] = {}
        for ch in self.channels:
            if ch.platform == "mastodon":
                hosts_by_region.setdefault(ch.region, ch.host)
        for region in sorted({c.region for c in self.channels}):
            rng = self._rng("citizens", region)
            pool = [
                self._citizen(rng, region, "ro", hosts_by_region.get(region, "mastodon.example"))
                for _ in range(44)
            ]
            if "Izvoare" in region:
                self.hungarian += [
                    self._citizen(rng, region, "hu", hosts_by_region[region]) for _ in range(10)
                ]
            self.citizens[region] = pool
        rng = self._rng("citizens", "english")
        self.english = [self._citizen(rng, "", "en", "mastodon.example") for _ in range(12)]

    def _citizen(self, rng: random.Random, region: str, lang: str, local_host: str) -> Citizen:
        if lang == "hu":
            first, last = rng.choice(texts.HU_FIRST), rng.choice(texts.HU_LAST)
        elif lang == "en":
            first, last = rng.choice(texts.EN_FIRST), rng.choice(texts.EN_LAST)
        else:
            first = rng.choice(texts.FIRST_F + texts.FIRST_M)
            last = rng.choice(texts.LAST)
        base = texts.strip_diacritics(
            f"{first}{rng.choice(['', '.', '_'])}{last[: rng.randint(1, 4)]}"
        ).lower()
        base += rng.choice(["", "", str(rng.randint(70, 99)), str(rng.randint(1, 9))])
        n = self._counters.setdefault("citizen:" + base, 0)
        self._counters["citizen:" + base] = n + 1
        user = base if n == 0 else f"{base}{n + 1}"
        user = user.replace(".", "_")
        host = rng.choices([local_host, "mastodon.example", "toot.example"], weights=[6, 3, 1])[0]
        style = "diacritics"
        r = rng.random()
        if r < NO_DIACRITICS:
            style = "plain"
        elif r < NO_DIACRITICS + CEDILLA:
            style = "cedilla"
        return Citizen(
            key=f"{user}@{host}",
            first=first,
            last=last,
            lang=lang,
            region=region,
            style=style,
            hostile=rng.random() < 0.06,
            created=dt.datetime(2019, 1, 1, tzinfo=UTC) + dt.timedelta(days=rng.randint(0, 2600)),
            masto_user=user,
            masto_host=host,
            bsky_handle=f"{user.replace('_', '-')}.bsky.social",
            did=ids.did("citizen:" + user + host),
        )

    # ---- identifiers ---------------------------------------------------------------------
    def _rng(self, *parts: str) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(parts))

    def _next(self, key: str) -> int:
        self._counters[key] = self._counters.get(key, 0) + 1
        return self._counters[key]

    def note_id(self, ch: Channel, created: dt.datetime, author: Citizen | None) -> str:
        """An id in the channel's platform shape (unique across the sample)."""
        n = self._next("note:" + ch.handle)
        key = f"{ch.handle}:{n}:{author.key if author else ''}"
        if ch.platform == "mastodon":
            return ids.snowflake(created, key)
        if ch.platform == "bluesky":
            return ids.tid(created, key)
        if ch.platform == "youtube":
            return ids.video_id(key)
        return str(self._next("blog:" + ch.host) + (300 if author is None else 1000))

    # ---- posts ---------------------------------------------------------------------------
    def _make_posts(self, ch: Channel) -> None:
        rng = self._rng("posts", ch.handle)
        p = ch.profile
        day = HISTORY_START
        while day < END:
            rate = per_round(p.rate.get(ch.platform, (0.0, 0.0, 0.0)), day)
            weekday = day.weekday()
            busy = p.kind in ("police", "hospital", "water")
            rate *= (
                (0.8 if busy else 0.45)
                if weekday == 5
                else (0.7 if busy else 0.25)
                if weekday == 6
                else 1.0
            )
            for _ in range(_poisson(rng, rate)):
                local_hour = rng.choices(
                    range(7, 22), weights=[2, 5, 8, 9, 8, 7, 6, 6, 6, 5, 4, 3, 3, 2, 1]
                )[0]
                t = (
                    day
                    + dt.timedelta(
                        hours=local_hour,
                        minutes=rng.randint(0, 59),
                        seconds=rng.randint(0, 59),
                        milliseconds=rng.randint(0, 999),
                    )
                    - local_offset(day)
                )
                if t < END:
                    self._post(ch, rng, t)
            day += dt.timedelta(days=1)
        if ch.platform in ("mastodon", "bluesky"):
            self._announce(ch, rng)

    def _post(self, ch: Channel, rng: random.Random, t: dt.datetime, **force: str) -> Note:
        p = ch.profile
        rung = force.get("rung") or _pick(rng, p.rungs)
        if ch.platform == "youtube" and rung != "contest":
            rung = "info"  # videos inform; a contest may be announced on video too
        topic = force.get("topic") or _pick(rng, texts.TOPICS_BY_TYPE[p.kind])
        ctx = {
            "city": ch.locality,
            "county": ch.region.replace("Județul ", ""),
            "date": _date_ro(t + dt.timedelta(days=rng.randint(3, 20))),
            "email": f"registratura@{ch.site.removeprefix('www.')}",
            "topic_ro": texts.TOPIC_RO[topic],
            "month": texts.MONTHS[t.month % 12],
        }
        lang = "ro"
        options: list[str] = []
        if rung == "question":
            title, text = rng.choice(texts.QUESTION_POSTS)
        elif rung == "consultation":
            title, text = rng.choice(texts.CONSULTATION_POSTS)
        elif rung == "contest":
            title, text = rng.choice(texts.CONTEST_POSTS)
        elif rung == "poll":
            title, text, options = rng.choice(texts.POLL_POSTS)
        elif ch.platform == "youtube" and rng.random() < 0.5:
            title, text = rng.choice(texts.VIDEO_POSTS)
        elif p.level == "elaborate" and p.kind == "city_hall" and rng.random() < 0.04:
            title, text = rng.choice(texts.EN_POSTS)
            lang = "en"
        else:
            title, text = rng.choice(texts.POSTS[topic])
        title, text = texts.fill(title, rng, **ctx), texts.fill(text, rng, **ctx)
        forms = dict(p.forms)
        if p.video_later and round_index(t) >= 1:
            forms["video"] = 0.15 * round_index(t)
        form = force.get("form") or _pick(rng, forms)
        if ch.platform == "youtube":
            form = "video"
        note = Note(
            nid=self.note_id(ch, t, None),
            channel=ch,
            author=None,
            created=t,
            text=text,
            lang=lang,
            title=title,
            topic=topic,
            rung=rung,
            form=form,
        )
        note.tau_h = rng.uniform(4, 30)
        if ch.platform in ("mastodon", "bluesky"):
            if rung == "poll" and ch.platform == "mastodon":
                note.form = "poll"
                note.poll = Poll(
                    options=list(options),
                    votes=[],
                    nid=str(self._next("poll:" + ch.host)),
                    expires=t + dt.timedelta(days=rng.choice([1, 3, 7])),
                )
            elif rung == "poll":  # Bluesky has no polls: a "votați" post with the voting page
                note.form = "link"
                note.link = Link(
                    f"https://{ch.site}/voteaza/{texts.slug(title)}/",
                    title,
                    "Votul este deschis până la sfârșitul lunii.",
                )
                note.text += " Votați aici:"
            if note.form in ("photo", "video"):
                k = (
                    1
                    if note.form == "video"
                    else rng.choices([1, 2, 3, 4], weights=[6, 2, 1, 1])[0]
                )
                kind = "video" if note.form == "video" else "image"
                note.media = [
                    (
                        kind,
                        rng.choice([f"{title} – fotografie", "", f"Imagine: {title}"])
                        if kind == "image"
                        else rng.choice(["", f"Video: {title}"]),
                    )
                    for _ in range(k)
                ]
            if note.form == "link" and note.link is None:
                note.link = self._link_target(ch, rng, t, title, text)
            elif rng.random() < p.cross * 0.3:
                sib = (
                    rng.choice(sorted(ch.siblings.values(), key=lambda c: c.platform))
                    if ch.siblings
                    else None
                )
                if sib is not None:
                    note.text += " " + rng.choice(texts.CROSS_INVITES).format(url=sib.url)
            if topic in texts.HASHTAGS and rng.random() < 0.35:
                note.tags = [texts.HASHTAGS[topic], texts.slug(ch.locality).replace("-", "")]
            note.visibility = "unlisted" if rng.random() < 0.03 else "public"
            self._engagement(note, rng)
            if rng.random() < 0.025:
                note.edit = (
                    t + dt.timedelta(hours=rng.uniform(0.5, 30)),
                    note.text + " Actualizare: programul a fost prelungit până la ora 16:00.",
                )
        elif ch.platform == "blog":
            note.slug = texts.slug(title) + "-" + str(self._next("slug:" + ch.host))
            note.title = title
            if form == "video" and "youtube" in ch.siblings:
                vids = [v for v in ch.siblings["youtube"].timeline if v.created <= t]
                if vids:
                    note.link = Link(
                        f"https://www.youtube.com/watch?v={vids[-1].nid}",
                        vids[-1].title or "",
                        "",
                        kind="video",
                    )
        else:  # youtube
            f = max(50, ch.followers(t))
            note.views = int(f * rng.uniform(0.4, 3.5)) + rng.randint(20, 300)
            note.likes = int(note.views * rng.uniform(0.015, 0.06))
            note.tau_h = rng.uniform(24, 96)
            note.text = (
                text
                + f"\n\nAbonați-vă la canalul {ch.inst_name}: https://www.youtube.com/channel/{ch.channel_id}"
            )
        ch.timeline.append(note)
        return note

    def _link_target(
        self, ch: Channel, rng: random.Random, t: dt.datetime, title: str, text: str
    ) -> Link:
        blog = ch.siblings.get("blog")
        yt = ch.siblings.get("youtube")
        if blog and rng.random() < 0.6:
            recent = [n for n in blog.timeline if t - dt.timedelta(days=7) <= n.created <= t]
            if recent:
                b = rng.choice(recent)
                return Link(post_url(b), b.title or "", b.text[:150])
        if yt and rng.random() < 0.5:
            recent = [n for n in yt.timeline if n.created <= t]
            if recent:
                v = recent[-1]
                return Link(
                    f"https://www.youtube.com/watch?v={v.nid}",
                    v.title or "",
                    v.text[:150],
                    kind="video",
                )
        return Link(f"https://{ch.site}/anunturi/{texts.slug(title)}/", title, text[:150])

    def _announce(self, ch: Channel, rng: random.Random) -> None:
        """Interconnected channels: blog posts and videos announced on the social accounts."""
        p = ch.profile
        share = min(0.85, p.cross * (2.2 if ch.platform == "mastodon" else 1.6))
        for plat in ("blog", "youtube"):
            sib = ch.siblings.get(plat)
            if sib is None or not share:
                continue
            for src in list(sib.timeline):
                if src.parent is not None or rng.random() >= share:
                    continue
                t = src.created + dt.timedelta(minutes=rng.randint(5, 180))
                if t >= END:
                    continue
                n = self._post(ch, rng, t, rung="info", topic=src.topic, form="link")
                if plat == "blog":
                    n.text = f"{src.title}. Detalii pe site:"
                    n.link = Link(post_url(src), src.title or "", src.text[:150])
                else:
                    n.text = f"Video nou: {src.title}"
                    n.link = Link(
                        f"https://www.youtube.com/watch?v={src.nid}",
                        src.title or "",
                        src.text[:150],
                        kind="video",
                    )

    def _engagement(self, note: Note, rng: random.Random) -> None:
        ch = note.channel
        f = max(30, ch.followers(note.created))
        rate = 0.012 if ch.platform == "mastodon" else 0.016
        mult = {"photo": 1.4, "video": 1.6, "text": 0.8, "link": 0.9, "poll": 1.3}.get(
            note.form, 1.0
        )
        mult *= {"contest": 2.0, "poll": 1.4, "consultation": 1.2, "question": 1.1}.get(
            note.rung, 1.0
        )
        note.likes = max(0, int(_lognormal(rng, f * rate * mult, 0.7)))
        note.shares = int(note.likes * rng.uniform(0.08, 0.35))
        note.quotes = rng.choice([0] * 12 + [1, 2]) if ch.platform == "bluesky" else 0
        if note.poll is not None:
            voters = max(3, int(note.likes * rng.uniform(1.5, 3.0)))
            w = [rng.uniform(0.2, 1.0) for _ in note.poll.options]
            note.poll.votes = [int(voters * x / sum(w)) for x in w]

    def _make_reposts(self, ch: Channel) -> None:
        rate = ch.profile.reposts
        if not rate:
            return
        rng = self._rng("reposts", ch.handle)
        others = [
            c
            for c in self.channels
            if c.platform == ch.platform and c.region == ch.region and c is not ch
        ]
        candidates = sorted(
            (n for c in others for n in c.timeline if n.parent is None and n.repost_of is None),
            key=lambda n: n.created,
        )
        for n in candidates:
            if rng.random() < rate * 1.2:
                t = n.created + dt.timedelta(minutes=rng.randint(20, 600))
                if t >= END:
                    continue
                if ch.platform == "bluesky" and rng.random() < 0.25:
                    q = Note(
                        nid=self.note_id(ch, t, None),
                        channel=ch,
                        author=None,
                        created=t,
                        text=f"Informație utilă de la colegii de la {n.channel.inst_name}.",
                        form="quote",
                        quote_of=n,
                        topic=n.topic,
                    )
                    self._engagement(q, rng)
                    ch.timeline.append(q)
                    continue
                ch.timeline.append(
                    Note(
                        nid=self.note_id(ch, t, None),
                        channel=ch,
                        author=None,
                        created=t,
                        text="",
                        form="repost",
                        repost_of=n,
                    )
                )

    # ---- threads -------------------------------------------------------------------------
    def _citizen_for(self, rng: random.Random, ch: Channel) -> Citizen:
        r = rng.random()
        if r < LANG_SHARES["en"]:
            return rng.choice(self.english)
        if r < LANG_SHARES["en"] + ch.profile.hungarian and self.hungarian:
            return rng.choice(self.hungarian)
        return rng.choice(self.citizens[ch.region])

    def _comment_text(self, rng: random.Random, who: Citizen, kind: str, topic: str) -> str:
        if who.lang == "en":
            bank = texts.EN_COMMENTS.get(kind) or texts.EN_COMMENTS["praise"]
            return texts.fill(rng.choice(bank), rng)
        if who.lang == "hu":
            bank = texts.HU_COMMENTS.get(kind) or texts.HU_COMMENTS["praise"]
            return rng.choice(bank)
        if kind == "hostile":
            text = rng.choice(texts.HOSTILE)
        elif kind == "thanks":
            text = rng.choice(texts.THANKS)
        elif kind == "proposal":
            text = rng.choice(texts.CONSULTATION_REPLIES)
        elif kind == "entry":
            text = rng.choice(texts.CONTEST_REPLIES)
        elif kind == "vote":
            text = rng.choice(texts.POLL_REPLIES)
        elif kind == "chat":
            text = rng.choice(texts.CITIZEN_TO_CITIZEN)
        elif kind == "followup_ok":
            text = rng.choice(texts.FOLLOWUP_OK)
        elif kind == "followup_bad":
            text = rng.choice(texts.FOLLOWUP_BAD)
        else:
            t = topic if rng.random() < 0.7 else rng.choice(texts.TOPICS)
            text = rng.choice(texts.COMMENTS[t].get(kind) or texts.COMMENTS[t]["question"])
        text = texts.fill(text, rng)
        if kind in ("question", "complaint") and rng.random() < 0.25:
            text = rng.choice(["Bună ziua! ", "Salut! ", "Bună seara, "]) + text
        if kind == "complaint" and rng.random() < 0.2:
            text += rng.choice([" 😡", "!!", " Inadmisibil."])
        if kind in ("praise", "thanks") and rng.random() < 0.3:
            text += rng.choice([" 👍", " ❤️", " 👏"])
        if who.style == "plain":
            text = texts.strip_diacritics(text)
        elif who.style == "cedilla":
            text = texts.cedilla(text)
        return text

    def _comment_kind(self, rng: random.Random, who: Citizen, rung: str) -> str:
        if who.hostile and rng.random() < 0.6:
            return "hostile"
        special = {
            "consultation": ("proposal", 0.5),
            "contest": ("entry", 0.5),
            "poll": ("vote", 0.4),
        }
        if rung in special and who.lang == "ro" and rng.random() < special[rung][1]:
            return special[rung][0]
        return _pick(rng, KIND_WEIGHTS)

    def _reply(
        self,
        ch: Channel,
        parent: Note,
        who: Citizen | None,
        t: dt.datetime,
        text: str,
        rng: random.Random,
        kind: str = "",
    ) -> Note:
        lang = "ro" if who is None else who.lang
        if who is not None and who.lang == "ro" and ch.platform != "blog":
            lang = rng.choices(["ro", None, "en"], weights=[85, 8, 7])[0]  # declared, not detected
        n = Note(
            nid=self.note_id(ch, t, who),
            channel=ch,
            author=who,
            created=t,
            text=text,
            lang=lang,
            parent=parent,
            topic=parent.root.topic,
            comment_kind=kind,
        )
        n.tau_h = rng.uniform(2, 20)
        n.likes = (
            rng.choice([0, 0, 0, 1, 1, 2, 3, 5]) if who is not None else rng.choice([0, 1, 2, 3, 4])
        )
        if who is not None and rng.random() < 0.08:
            n.visibility = "unlisted"
        parent.children.append(n)
        if who is None and ch.platform != "blog":
            ch.timeline.append(n)  # the institution's reply is also a status of its own
        return n

    def _answer(self, ch: Channel, c: Note, rng: random.Random, deep: bool = False) -> Note | None:
        """The institution answers comment c (or not), after its usual latency."""
        p = ch.profile
        share = per_round(p.answer, c.created)
        kind = c.comment_kind
        if kind in ("praise", "thanks", "entry", "vote", "followup_ok"):
            share *= 0.3
        elif kind == "hostile":
            share *= 0.25
        elif kind == "chat":
            share = 0.0
        if share <= 0 or rng.random() >= share:
            return None
        hours = max(2 / 60, _lognormal(rng, per_round(p.latency_h, c.created), LATENCY_SIGMA))
        t = c.created + dt.timedelta(hours=hours)
        if t >= END:
            return None
        ctx = {"email": f"registratura@{ch.site.removeprefix('www.')}"}
        if deep:
            bank = texts.ANSWER_DEEP
        elif c.author is not None and c.author.lang == "en" and p.level == "elaborate":
            bank = texts.ANSWER_EN
        elif kind == "hostile":
            bank = texts.ANSWER_HOSTILE
        elif kind in ("praise", "thanks", "entry", "vote", "followup_ok"):
            bank = texts.ANSWER_THANKS
        elif kind == "proposal" or kind == "suggestion":
            bank = texts.ANSWER_PROPOSAL
        else:
            bank = texts.ANSWERS.get(c.topic) or texts.ANSWER_GENERIC
            if rng.random() < 0.25:
                bank = texts.ANSWER_GENERIC
        return self._reply(ch, c, None, t, texts.fill(rng.choice(bank), rng, **ctx), rng, "answer")

    def _make_thread(self, ch: Channel, root: Note) -> None:
        rng = self._rng("thread", ch.handle, root.nid)
        p = ch.profile
        lam = p.comments * {
            "info": 0.7,
            "question": 2.2,
            "consultation": 3.0,
            "contest": 2.5,
            "poll": 2.0,
        }.get(root.rung, 1.0)
        lam *= {"mastodon": 1.0, "bluesky": 0.8, "blog": 0.45}[ch.platform]
        lam *= {"photo": 1.2, "video": 1.2}.get(root.form, 1.0)
        # Attention is heavy-tailed: most posts get no comment, a few get many (a gamma-Poisson
        # mixture, i.e. negative binomial with shape 0.5, mean lam).
        lam *= rng.gammavariate(0.5, 2.0)
        comments: list[Note] = []
        for _ in range(_poisson(rng, lam)):
            who = self._citizen_for(rng, ch)
            t = root.created + dt.timedelta(hours=min(290.0, _lognormal(rng, 2.5, 1.3)))
            kind = self._comment_kind(rng, who, root.rung)
            parent = root
            if comments and ch.platform != "blog" and rng.random() < 0.25:
                parent = rng.choice(comments)
                t = max(t, parent.created + dt.timedelta(minutes=rng.randint(3, 600)))
                if parent.author is not None and rng.random() < 0.6:
                    kind = "chat"
            c = self._reply(
                ch, parent, who, t, self._comment_text(rng, who, kind, root.topic), rng, kind
            )
            comments.append(c)
        for c in sorted(comments, key=lambda n: n.created):
            if (
                c.parent is not None
                and c.parent.author is not None
                and c.comment_kind == "chat"
                and rng.random() < 0.35
            ):
                # the first commenter comes back with a question deep in the branch
                a = c.parent.author
                t = c.created + dt.timedelta(minutes=rng.randint(10, 900))
                q = self._reply(
                    ch, c, a, t, self._comment_text(rng, a, "question", root.topic), rng, "question"
                )
                self._answer(ch, q, rng)
            ans = self._answer(ch, c, rng)
            if ans is not None and c.author is not None and rng.random() < 0.25:
                good = rng.random() < 0.55
                t = ans.created + dt.timedelta(hours=rng.uniform(0.3, 12))
                f = self._reply(
                    ch,
                    ans,
                    c.author,
                    t,
                    self._comment_text(
                        rng, c.author, "followup_ok" if good else "followup_bad", root.topic
                    ),
                    rng,
                    "followup_ok" if good else "followup_bad",
                )
                if not good:
                    self._answer(ch, f, rng, deep=True)

    def _make_campaign(self) -> None:
        """The same text posted by many authors under one consultation (a copy-paste campaign)."""
        inst, t0 = CAMPAIGN
        for ch in self.channels:
            if ch.inst_id != inst or ch.platform not in ("mastodon", "bluesky"):
                continue
            rng = self._rng("campaign", ch.handle)
            root = self._post(ch, rng, t0, rung="consultation", topic="waste", form="text")
            root.text = (
                "Consultare publică: planul județean de gestionare a deșeurilor, inclusiv "
                "amplasarea depozitului de la Valea Seacă, este în dezbatere publică până pe "
                "30 septembrie. Trimiteți propuneri la registratura@cjdumbrava.example sau aici, "
                "în comentarii."
            )
            root.title = "Consultare publică: planul județean de gestionare a deșeurilor"
            n = 12 if ch.platform == "mastodon" else 8
            authors = rng.sample(self.citizens[ch.region], n)
            for i, who in enumerate(authors):
                t = t0 + dt.timedelta(minutes=40 + i * rng.randint(4, 25))
                self._reply(ch, root, who, t, texts.CAMPAIGN_TEXT, rng, "campaign")
            self._make_thread(ch, root)
            self._reply(
                ch,
                root,
                None,
                t0 + dt.timedelta(hours=26),
                "Vă mulțumim pentru mesaje. Toate opiniile sunt înregistrate în raportul "
                "consultării; amplasamentul nu este încă decis.",
                rng,
                "answer",
            )

    def _make_bluesky_specials(self) -> None:
        """A deleted reply (#notFoundPost) and a reply from a blocked author (#blockedPost)."""
        ch = next(c for c in self.channels if c.platform == "bluesky" and c.inst_id == "AR-PRIM")
        rng = self._rng("specials", ch.handle)
        roots = [
            n
            for n in ch.timeline
            if n.parent is None
            and n.repost_of is None
            and dt.datetime(2026, 7, 10, tzinfo=UTC) <= n.created
            and len(n.children) >= 2
        ]
        for special, root in zip(("notfound", "blocked"), roots[:2]):
            who = rng.choice(self.citizens[ch.region])
            n = self._reply(
                ch, root, who, root.created + dt.timedelta(minutes=47), "", rng, "hostile"
            )
            n.special = special


def post_url(note: Note) -> str:
    """A blog post's permalink: https://host/YYYY/MM/slug/."""
    return f"https://{note.channel.host}/{note.created:%Y/%m}/{note.slug}/"


def _date_ro(t: dt.datetime) -> str:
    return f"{t.day} {texts.MONTHS[t.month - 1]}"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
