"""The sample's scenario: who posts how often, in what form, how they answer, and when we look.

Each institution has a profile (data/sample/README.md explains the scenario in words). Values
given as a triple are per monitoring round (baseline, midline, endline), so the charts show
change over the programme: BR-PRIM, DU-PRIM and CL-CJ improve, AR-CJ declines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

UTC = dt.UTC
SEED = 20260501

HISTORY_START = dt.datetime(2026, 4, 1, tzinfo=UTC)  # posts before the baseline exist too
ROUND_STARTS = (dt.datetime(2026, 7, 1, tzinfo=UTC), dt.datetime(2026, 9, 1, tzinfo=UTC))
FIRST_SINCE = dt.datetime(2026, 5, 1, tzinfo=UTC)  # the baseline's first day
OVERLAP = dt.timedelta(days=4)  # each collection re-reads the last days of the previous one

# One collection a month, the last the day after the endline closes, at 06:00 UTC.
EPOCH_DAYS = ("2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-16")
EPOCHS = tuple(dt.datetime.fromisoformat(d).replace(hour=6, tzinfo=UTC) for d in EPOCH_DAYS)
END = EPOCHS[-1]

# Planned failures, so the demo shows recorded errors.
DELETED_MASTODON = ("BR-PREF", EPOCHS[-1])  # the account answers 404 at the last collection
BROKEN_FEED = ("BR-SVC", EPOCHS[3])  # the blog serves truncated XML at this collection
CAMPAIGN = ("DU-CJ", dt.datetime(2026, 9, 14, 7, 30, tzinfo=UTC))  # copy-paste campaign

Triple = tuple[float, float, float]


def round_index(t: dt.datetime) -> int:
    """0 baseline (and the April history), 1 midline, 2 endline."""
    return sum(t >= s for s in ROUND_STARTS)


def per_round(value: float | Triple, t: dt.datetime) -> float:
    """A profile value at time t."""
    return value[round_index(t)] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Profile:
    """How one institution behaves. Rates are posts per day; latency is a median in hours."""

    level: str  # designed continuum level: modest, moderate, elaborate
    kind: str  # topic mix, a key of texts.TOPICS_BY_TYPE
    rate: dict[str, Triple]  # platform (mastodon, bluesky, blog, youtube) → posts a day
    forms: dict[str, float]  # text, photo, video, link (relative weights)
    rungs: dict[str, float]  # info, question, consultation, contest, poll (relative weights)
    answer: Triple = (0.0, 0.0, 0.0)  # share of citizens' questions/complaints answered
    latency_h: Triple = (24.0, 24.0, 24.0)
    comments: float = 0.5  # citizen comments per post, on average
    cross: float = 0.0  # share of social posts linking to the institution's other channels
    reach: dict[str, tuple[int, Triple]] = field(default_factory=dict)  # f0, gain a day
    reposts: float = 0.0  # reposts of other institutions' posts a day
    blog_comments: bool = True
    hungarian: float = 0.0  # share of comments in Hungarian
    video_later: bool = False  # adds video from the midline on (an improver)


INFO = {"info": 1.0}
PROFILES: dict[str, Profile] = {
    # Elaborate: several interconnected channels, photo and video, several posts a day,
    # polls, contests, consultations, fast answers.
    "AR-PRIM": Profile(
        "elaborate",
        "city_hall",
        rate={
            "mastodon": (2.6, 2.8, 3.0),
            "bluesky": (1.2, 1.4, 1.5),
            "blog": (0.4, 0.4, 0.45),
            "youtube": (0.15, 0.15, 0.2),
        },
        forms={"text": 0.15, "photo": 0.45, "video": 0.2, "link": 0.2},
        rungs={"info": 0.55, "question": 0.15, "consultation": 0.1, "contest": 0.08, "poll": 0.12},
        answer=(0.85, 0.88, 0.9),
        latency_h=(0.35, 0.3, 0.25),
        comments=1.15,
        cross=0.35,
        reach={
            "mastodon": (2400, (6, 7, 8)),
            "bluesky": (1500, (5, 6, 7)),
            "youtube": (900, (3, 3, 4)),
        },
        reposts=0.12,
    ),
    "CL-PRIM": Profile(
        "elaborate",
        "city_hall",
        rate={
            "mastodon": (1.9, 2.0, 2.2),
            "bluesky": (1.0, 1.0, 1.2),
            "blog": (0.3, 0.3, 0.3),
            "youtube": (0.12, 0.12, 0.12),
        },
        forms={"text": 0.2, "photo": 0.4, "video": 0.2, "link": 0.2},
        rungs={"info": 0.6, "question": 0.12, "consultation": 0.08, "contest": 0.1, "poll": 0.1},
        answer=(0.7, 0.72, 0.75),
        latency_h=(2.0, 1.8, 1.5),
        comments=1.05,
        cross=0.3,
        reach={
            "mastodon": (1800, (4, 5, 5)),
            "bluesky": (1100, (4, 4, 5)),
            "youtube": (700, (2, 2, 2)),
        },
        reposts=0.08,
    ),
    "IZ-PRIM": Profile(
        "elaborate",
        "city_hall",
        rate={
            "mastodon": (1.7, 1.8, 1.9),
            "bluesky": (0.9, 1.0, 1.0),
            "blog": (0.3, 0.3, 0.3),
            "youtube": (0.1, 0.1, 0.12),
        },
        forms={"text": 0.2, "photo": 0.45, "video": 0.15, "link": 0.2},
        rungs={"info": 0.6, "question": 0.15, "consultation": 0.08, "contest": 0.07, "poll": 0.1},
        answer=(0.75, 0.78, 0.8),
        latency_h=(0.8, 0.7, 0.6),
        comments=1.0,
        cross=0.3,
        reach={
            "mastodon": (1600, (4, 4, 5)),
            "bluesky": (900, (3, 3, 4)),
            "youtube": (600, (2, 2, 2)),
        },
        reposts=0.05,
        hungarian=0.15,
    ),
    "DU-CJ": Profile(
        "elaborate",
        "county_council",
        rate={
            "mastodon": (1.2, 1.3, 1.4),
            "bluesky": (0.8, 0.8, 0.9),
            "blog": (0.25, 0.25, 0.25),
            "youtube": (0.08, 0.08, 0.08),
        },
        forms={"text": 0.25, "photo": 0.35, "video": 0.15, "link": 0.25},
        rungs={"info": 0.55, "question": 0.1, "consultation": 0.2, "contest": 0.05, "poll": 0.1},
        answer=(0.65, 0.65, 0.7),
        latency_h=(10.0, 9.0, 8.0),
        comments=1.0,
        cross=0.3,
        reach={
            "mastodon": (1300, (3, 3, 4)),
            "bluesky": (800, (2, 3, 3)),
            "youtube": (400, (1, 1, 1)),
        },
        reposts=0.04,
    ),
    "IZ-SVC": Profile(
        "elaborate",
        "hospital",
        rate={
            "mastodon": (1.4, 1.5, 1.5),
            "bluesky": (0.7, 0.8, 0.8),
            "blog": (0.2, 0.2, 0.2),
            "youtube": (0.1, 0.1, 0.1),
        },
        forms={"text": 0.2, "photo": 0.35, "video": 0.25, "link": 0.2},
        rungs={"info": 0.7, "question": 0.15, "consultation": 0.05, "contest": 0.03, "poll": 0.07},
        answer=(0.8, 0.8, 0.82),
        latency_h=(0.5, 0.5, 0.45),
        comments=0.95,
        cross=0.3,
        reach={
            "mastodon": (1400, (4, 4, 4)),
            "bluesky": (700, (2, 2, 3)),
            "youtube": (500, (2, 2, 2)),
        },
        reposts=0.03,
    ),
    # Moderate: more than one channel, some photos, posts every day or few days, some
    # questions and consultations, answers within hours or days.
    "AR-CJ": Profile(
        "moderate",
        "county_council",
        rate={
            "mastodon": (0.6, 0.5, 0.25),
            "bluesky": (0.35, 0.3, 0.15),
            "blog": (0.15, 0.12, 0.08),
            "youtube": (0.04, 0.03, 0.02),
        },
        forms={"text": 0.45, "photo": 0.35, "video": 0.05, "link": 0.15},
        rungs={"info": 0.75, "question": 0.1, "consultation": 0.15},
        answer=(0.6, 0.45, 0.2),
        latency_h=(4.0, 8.0, 30.0),
        comments=0.8,
        cross=0.15,
        reach={
            "mastodon": (900, (2, 1.5, 0.5)),
            "bluesky": (500, (1, 1, 0.3)),
            "youtube": (200, (0.5, 0.5, 0.3)),
        },
    ),
    "BR-PRIM": Profile(
        "moderate",
        "city_hall",
        rate={
            "mastodon": (0.5, 1.0, 2.0),
            "bluesky": (0.3, 0.6, 1.1),
            "blog": (0.1, 0.15, 0.25),
            "youtube": (0.03, 0.06, 0.1),
        },
        forms={"text": 0.4, "photo": 0.4, "video": 0.05, "link": 0.15},
        rungs={"info": 0.7, "question": 0.12, "consultation": 0.1, "poll": 0.08},
        answer=(0.15, 0.45, 0.75),
        latency_h=(60.0, 8.0, 2.0),
        comments=0.9,
        cross=0.2,
        reach={
            "mastodon": (1100, (1, 4, 8)),
            "bluesky": (600, (1, 3, 6)),
            "youtube": (250, (0.5, 1, 2)),
        },
        video_later=True,
    ),
    "BR-SVC": Profile(
        "moderate",
        "police",
        rate={"mastodon": (0.9, 0.9, 1.0), "bluesky": (0.45, 0.5, 0.5), "blog": (0.12, 0.12, 0.12)},
        forms={"text": 0.4, "photo": 0.45, "video": 0.05, "link": 0.1},
        rungs={"info": 0.85, "question": 0.15},
        answer=(0.5, 0.5, 0.55),
        latency_h=(5.0, 5.0, 4.0),
        comments=0.8,
        cross=0.15,
        reach={"mastodon": (800, (2, 2, 2)), "bluesky": (400, (1, 1, 1))},
    ),
    "CL-SVC": Profile(
        "moderate",
        "waste",
        rate={"mastodon": (0.8, 0.8, 0.9), "bluesky": (0.4, 0.4, 0.4)},
        forms={"text": 0.5, "photo": 0.4, "link": 0.1},
        rungs={"info": 0.8, "question": 0.1, "contest": 0.1},
        answer=(0.6, 0.6, 0.65),
        latency_h=(6.0, 6.0, 5.0),
        comments=1.0,
        cross=0.1,
        reach={"mastodon": (600, (1, 1, 1.5)), "bluesky": (300, (1, 1, 1))},
    ),
    "DU-PRIM": Profile(
        "moderate",
        "city_hall",
        rate={
            "mastodon": (0.3, 0.6, 1.0),
            "bluesky": (0.2, 0.4, 0.7),
            "blog": (0.1, 0.12, 0.2),
            "youtube": (0.02, 0.05, 0.1),
        },
        forms={"text": 0.45, "photo": 0.4, "video": 0.0, "link": 0.15},
        rungs={"info": 0.75, "question": 0.15, "consultation": 0.1},
        answer=(0.4, 0.45, 0.55),
        latency_h=(60.0, 36.0, 24.0),
        comments=0.8,
        cross=0.2,
        reach={
            "mastodon": (950, (1, 2, 4)),
            "bluesky": (500, (1, 2, 3)),
            "youtube": (180, (0.3, 1, 2)),
        },
        video_later=True,
    ),
    "DU-SVC": Profile(
        "moderate",
        "water",
        rate={"mastodon": (0.5, 0.5, 0.6), "bluesky": (0.3, 0.3, 0.3)},
        forms={"text": 0.6, "photo": 0.3, "link": 0.1},
        rungs={"info": 0.9, "question": 0.1},
        answer=(0.35, 0.35, 0.4),
        latency_h=(50.0, 48.0, 40.0),
        comments=1.0,
        cross=0.05,
        reach={"mastodon": (700, (1, 1, 1)), "bluesky": (350, (0.5, 0.5, 0.5))},
    ),
    "IZ-CJ": Profile(
        "moderate",
        "county_council",
        rate={
            "mastodon": (0.5, 0.5, 0.55),
            "bluesky": (0.3, 0.3, 0.3),
            "blog": (0.12, 0.12, 0.12),
            "youtube": (0.04, 0.04, 0.04),
        },
        forms={"text": 0.45, "photo": 0.35, "video": 0.05, "link": 0.15},
        rungs={"info": 0.75, "question": 0.1, "consultation": 0.15},
        answer=(0.4, 0.4, 0.45),
        latency_h=(6.0, 6.0, 5.0),
        comments=0.7,
        cross=0.15,
        reach={
            "mastodon": (750, (1, 1, 1.5)),
            "bluesky": (400, (1, 1, 1)),
            "youtube": (150, (0.3, 0.3, 0.3)),
        },
        hungarian=0.12,
    ),
    # Modest: one or two channels, text, weekly or less, one-way information, rarely answer.
    "AR-PREF": Profile(
        "modest",
        "prefecture",
        rate={"mastodon": (0.15, 0.15, 0.15), "bluesky": (0.1, 0.1, 0.1)},
        forms={"text": 0.9, "link": 0.1},
        rungs=INFO,
        comments=0.4,
        reach={"mastodon": (450, (0.3, 0.3, 0.3)), "bluesky": (200, (0.2, 0.2, 0.2))},
    ),
    "AR-SVC": Profile(
        "modest",
        "social",
        rate={"mastodon": (0.2, 0.2, 0.2), "bluesky": (0.12, 0.12, 0.12)},
        forms={"text": 0.8, "photo": 0.2},
        rungs=INFO,
        answer=(0.3, 0.3, 0.35),
        latency_h=(72.0, 70.0, 60.0),
        comments=0.5,
        reach={"mastodon": (300, (0.2, 0.2, 0.2)), "bluesky": (150, (0.1, 0.1, 0.1))},
    ),
    "BR-CJ": Profile(
        "modest",
        "county_council",
        rate={
            "mastodon": (0.14, 0.14, 0.14),
            "bluesky": (0.07, 0.07, 0.07),
            "blog": (0.03, 0.03, 0.03),
        },
        forms={"text": 0.9, "link": 0.1},
        rungs=INFO,
        comments=0.4,
        blog_comments=False,
        reach={"mastodon": (500, (0.3, 0.3, 0.3)), "bluesky": (220, (0.2, 0.2, 0.2))},
    ),
    "BR-PREF": Profile(
        "modest",
        "prefecture",
        rate={"mastodon": (0.14, 0.14, 0.14), "blog": (0.04, 0.04, 0.04)},
        forms={"text": 1.0},
        rungs=INFO,
        comments=0.3,
        blog_comments=False,
        reach={"mastodon": (380, (0.2, 0.2, 0.2))},
    ),
    "CL-CJ": Profile(
        "modest",
        "county_council",
        rate={
            "mastodon": (0.15, 0.15, 0.3),
            "bluesky": (0.1, 0.1, 0.15),
            "blog": (0.05, 0.05, 0.08),
        },
        forms={"text": 0.8, "photo": 0.2},
        rungs={"info": 0.9, "question": 0.1},
        answer=(0.0, 0.05, 0.5),
        latency_h=(48.0, 48.0, 30.0),
        comments=0.5,
        reach={"mastodon": (520, (0.3, 0.3, 1.0)), "bluesky": (260, (0.2, 0.2, 0.6))},
    ),
    "CL-PREF": Profile(
        "modest",
        "prefecture",
        rate={"mastodon": (0.07, 0.07, 0.07), "bluesky": (0.07, 0.07, 0.07)},
        forms={"text": 1.0},
        rungs=INFO,
        comments=0.3,
        reach={"mastodon": (300, (0.1, 0.1, 0.1)), "bluesky": (120, (0.1, 0.1, 0.1))},
    ),
    "DU-PREF": Profile(
        "modest",
        "prefecture",
        rate={"mastodon": (0.04, 0.04, 0.04)},
        forms={"text": 1.0},
        rungs=INFO,
        comments=0.2,
        reach={"mastodon": (210, (0.05, 0.05, 0.05))},
    ),
    "IZ-PREF": Profile(
        "modest",
        "prefecture",
        rate={"mastodon": (0.12, 0.12, 0.12), "blog": (0.05, 0.05, 0.05)},
        forms={"text": 0.9, "photo": 0.1},
        rungs=INFO,
        comments=0.3,
        blog_comments=False,
        reach={"mastodon": (400, (0.2, 0.2, 0.2))},
    ),
}

# Where the institution answers a question or complaint, how latency spreads around the median
# (log-normal sigma), and which comment kinds get answers at all.
LATENCY_SIGMA = 0.9
KIND_WEIGHTS = {
    "question": 0.32,
    "complaint": 0.28,
    "praise": 0.14,
    "suggestion": 0.1,
    "thanks": 0.1,
    "hostile": 0.06,
}
LANG_SHARES = {"en": 0.06}  # Hungarian per institution (Profile.hungarian)
NO_DIACRITICS = 0.4  # share of Romanian comments typed without diacritics
CEDILLA = 0.1  # share typed with the old ş ţ
