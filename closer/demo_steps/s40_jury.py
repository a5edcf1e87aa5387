"""Demo: the competition of good practices (docs/jury.md), with practices nominated by the
sample institutions and ballots from five jurors, through the real jury code.

- good_practice_2026 (rubrics/definitions/competitions/): ten practices, every juror scores
  every practice they are not recused from: juror-dan belongs to BR-CJ (recused from its
  practice), juror-elena declared a link with CL-SVC, juror-carmen is severe (about 2.5
  points lower) and demo-juror a little lenient. The chair closes the round, shortlists
  eight practices for the guide and gives three places and two special mentions.
- no_hate_speech_2026: five practices, round open: demo-juror has scored three of them
  and saved a draft, juror-bogdan two, juror-carmen none — so a demo juror can score blind.

demo-juror and demo-chair are the logins made by the users step (s30_rubric.py, passwords
printed there); the other jurors are created here without a password (they cannot log in).
Scores are drawn from a seeded model: each practice has a quality per criterion, each
juror a severity offset and some noise.
"""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

from closer import auth, db
from rubrics.jury import definition, store

SEED = 40
DEMO_ADMIN = auth.User("demo-step", "(demo)", ("admin", "facilitator"))  # adds users only
OPERATOR = auth.LOCAL_OPERATOR  # acts on the jury as the person building the demo
JURORS = {  # username → (institution, severity offset in points on 0-10, noise sd)
    "demo-juror": (None, 0.7, 0.6),
    "juror-bogdan": (None, 0.0, 0.8),
    "juror-carmen": (None, -2.5, 0.6),
    "juror-dan": ("BR-CJ", 1.5, 0.9),
    "juror-elena": (None, -0.3, 1.0),
}
CHAIR = "demo-chair"

# Practices in the manner of the programme's "social media events" (seed 000): public
# consultations on development plans, polls, environment actions, social campaigns,
# information for citizens, accounts for targeted local services.
NATIONAL = [  # practice_id, institution_id, category_id, title, description
    ("GP26-01", "AR-PRIM", "consultation",
     "Online consultation on the city development plan",
     ("Draft plan published chapter by chapter on Facebook and the city blog; 400 comments "
      "answered, 37 proposals taken into the final plan.")),
    ("GP26-02", "BR-CJ", "consultation",
     "County road repairs: a poll and an answer to every comment",
     ("Citizens voted on which county roads to repair first; the council answered each "
      "comment with the planned date.")),
    ("GP26-03", "CL-SVC", "service_information",
     "Waste collection calendar with weekly reminders",
     ("A reminder each week per neighbourhood, with the calendar as an image and a link to "
      "report missed collections.")),
    ("GP26-04", "DU-SVC", "responsiveness",
     "Water outage alerts answered within three hours",
     ("Every outage announced with its expected end; questions under the posts answered "
      "within three hours, Seoul-style.")),
    ("GP26-05", "IZ-SVC", "service_information",
     "Emergency department waiting times, posted daily",
     ("The county hospital posts the day's waiting times and where to go for non-urgent "
      "care.")),
    ("GP26-06", "AR-PREF", "campaigns",
     "No Hate Speech week with local schools",
     ("Pupils wrote counter-speech posts; the prefecture published moderation rules for its "
      "own comments.")),
    ("GP26-07", "BR-SVC", "responsiveness",
     "Local police replies to citizens' reports",
     ("Reports of parking and noise problems sent by message or comment get a reply and a "
      "follow-up post.")),
    ("GP26-08", "CL-PRIM", "consultation",
     "Participatory budget: ideas and votes online",
     ("Residents proposed and voted for neighbourhood projects; the three winners were "
      "built.")),
    ("GP26-09", "DU-PREF", "service_information",
     "Passport and driving licence FAQ videos",
     ("Short videos answering the questions most asked at the counter, pinned on each "
      "channel.")),
    ("GP26-10", "IZ-CJ", "campaigns",
     "Riverside clean-up organised with volunteers",
     "An environment action announced as an event, with NGO partners and 250 volunteers."),
]
NO_HATE = [
    ("NH26-01", "AR-PRIM", "Moderation rules pinned on every channel"),
    ("NH26-02", "BR-PRIM", "Counter-speech replies by the communication team"),
    ("NH26-03", "CL-CJ", "Workshops with volunteers on reporting hate speech"),
    ("NH26-04", "DU-PRIM", "Live debate with the Roma community mediator"),
    ("NH26-05", "IZ-PREF", "Campaign videos by high-school students"),
]
AWARDS = [  # rank in the normalised ranking → award
    (1, {"place": 1}, "A consultation that changed the plan, answered comment by comment."),
    (2, {"place": 2}, None),
    (3, {"place": 3}, None),
    (4, {"mention": "two-way conversation"}, None),
    (5, {"mention": "easy to copy"}, None),
]


def _users(con) -> tuple[dict[str, auth.User], list[str]]:
    created = []
    for name, (inst, _, _) in JURORS.items():
        if auth.find_user(con, name) is None:
            auth.add_user(con, DEMO_ADMIN, name, roles=["juror"], institution_id=inst,
                          display_name=name.replace("-", " ").title())
            created.append(name)
    if auth.find_user(con, CHAIR) is None:
        auth.add_user(con, DEMO_ADMIN, CHAIR, roles=["chair"], display_name="Demo chair")
        created.append(CHAIR)
    users = {n: auth.find_user(con, n) for n in [*JURORS, CHAIR]}
    return users, created  # type: ignore[return-value]


def _nominate(con, competition_id: str, rows: list[tuple[str, ...]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"{competition_id}_practices.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["practice_id", "institution_id", "title", "description", "url",
                        "category_id"])
            for r in rows:
                w.writerow(r)
        store.import_practices(con, OPERATOR, competition_id, path)


def _ballot(rng: random.Random, comp: definition.Competition, quality: dict[str, float],
            juror: str) -> dict[str, float]:
    _, offset, noise = JURORS[juror]
    lo, hi = comp.scale.minimum, comp.scale.maximum
    span = comp.scale.span / 10  # the model is in points of a 0-10 scale
    return {c: max(lo, min(hi, round(lo + (q + offset + rng.gauss(0, noise)) * span)))
            for c, q in quality.items()}


def _quality(rng: random.Random, comp: definition.Competition) -> dict[str, float]:
    base = rng.uniform(4.0, 8.0)
    return {c.criterion_id: base + rng.gauss(0, 1.0) for c in comp.criteria}


def run(db_path: Path, sample: Path) -> str | None:
    rng = random.Random(SEED)
    comps = {c.competition_id: c for c in definition.bundled()}
    national, no_hate = comps["good_practice_2026"], comps["no_hate_speech_2026"]
    with db.connect(db_path) as con:
        have = {r[0] for r in con.execute("SELECT institution_id FROM institutions").fetchall()}
        needed = {r[1] for r in NATIONAL} | {r[1] for r in NO_HATE}
        if not needed <= have:
            return f"skipped: the registry lacks {', '.join(sorted(needed - have))}"
        users, created = _users(con)
        for comp in (national, no_hate):
            store.register_competition(con, OPERATOR, comp,
                                       f"{comp.competition_id}_v{comp.version}.yaml")
        store.declare_link(con, OPERATOR, "juror-elena", "CL-SVC",
                           "worked for the sanitation service until 2025")
        _nominate(con, national.competition_id,
                  [(p, i, t, d, f"https://{i.lower()}.example/good-practice/{p.lower()}", c)
                   for p, i, c, t, d in NATIONAL])
        _nominate(con, no_hate.competition_id,
                  [(p, i, t, "", f"https://{i.lower()}.example/no-hate/{p.lower()}", "")
                   for p, i, t in NO_HATE])

        # national competition: everyone scores everything they may, then the chair decides
        cid = national.competition_id
        rec = store.recusals(con, cid)
        n_ballots = 0
        for pid, *_ in NATIONAL:
            q = _quality(rng, national)
            for name in JURORS:
                if users[name].user_id in rec.get(pid, {}):
                    continue
                store.save_ballot(con, users[name], cid, pid, _ballot(rng, national, q, name),
                                  submission_id=f"demo:{cid}:{name}:{pid}", submit=True,
                                  source="demo")
                n_ballots += 1
        chair = users[CHAIR]
        closed = store.close_round(con, chair, cid)
        for group in closed["unresolved_ties"]:
            store.cast_vote(con, chair, cid, sorted(group))
        ranked = [r for r in store.results(con, chair, cid).results.practices if r.rank]
        store.shortlist(con, chair, cid, [r.practice_id for r in ranked[:8]],
                        note="in the good-practice guide")
        for position, what, citation in AWARDS:
            store.award(con, chair, cid, ranked[position - 1].practice_id, citation=citation,
                        **what)

        # the special award: open, partly scored
        nid = no_hate.competition_id
        n_open = 0
        plan = {"demo-juror": (3, 1), "juror-bogdan": (2, 0), "juror-carmen": (0, 0)}
        qualities = {p: _quality(rng, no_hate) for p, _, _ in NO_HATE}
        for name, (submitted, drafts) in plan.items():
            for k, (pid, _, _) in enumerate(NO_HATE[:submitted + drafts]):
                scores = _ballot(rng, no_hate, qualities[pid], name)
                is_draft = k >= submitted
                if is_draft:
                    scores = dict(list(scores.items())[:3])
                store.save_ballot(con, users[name], nid, pid, scores,
                                  submission_id=f"demo:{nid}:{name}:{pid}", submit=not is_draft,
                                  source="demo")
                n_open += 1
    return (f"{cid}: {len(NATIONAL)} practices, {n_ballots} ballots, round closed, "
            f"{len(ranked[:8])} shortlisted, 3 places and 2 special mentions; {nid}: "
            f"{len(NO_HATE)} practices, {n_open} ballots so far, round open"
            + (f"; jury users added without a password: {', '.join(created)}" if created
               else ""))
