"""Demo: users (one per role, random passwords printed once), volunteer monitors and
insiders, and their rubric submissions for the baseline and endline rounds.

Scores are drawn (seeded) from a simple model of the programme in seed 000: each
institution has a level per criterion; outsiders score it with some noise; insiders score
it higher (at baseline by about one point, the seed's 76.5% vs 33.8%), and the workshops
between rounds shrink that optimism and the noise, while institutions improve a little.
So the gap and agreement charts show something real to talk about.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from closer import auth, db
from rubrics import definition
from rubrics import submissions as subs

SEED = 2026
VOLUNTEERS = 10  # seed 000 trained 30 for 20 institutions; 3 per institution here
MONITORS_PER_INSTITUTION = 3
INSIDERS_PER_INSTITUTION = 2
ROUNDS = ("baseline", "endline")
# Per round: insider optimism (points on 0-4), outsider noise, insider noise, growth.
MODEL = {
    "baseline": {"bias": 1.1, "sd_out": 0.85, "sd_in": 0.7, "growth": 0.0},
    "endline": {"bias": 0.5, "sd_out": 0.5, "sd_in": 0.45, "growth": 0.6},
}
DEMO_ACTOR = auth.User("demo-step", "(demo)", ("admin", "facilitator"))
ROLE_USERS = {
    "admin": "demo-admin",
    "facilitator": "demo-facilitator",
    "monitor": "demo-monitor",
    "insider": "demo-insider",
    "juror": "demo-juror",
    "chair": "demo-chair",
}


def _clip(x: float) -> int:
    return max(0, min(4, round(x)))


def run(db_path: Path, sample: Path) -> str | None:
    rng = random.Random(SEED)
    rubric = definition.current()
    with db.connect(db_path) as con:
        institutions = [
            r[0]
            for r in con.execute(
                "SELECT institution_id FROM institutions ORDER BY institution_id"
            ).fetchall()
        ]
        rounds = {
            r[0]: (r[1], r[2])
            for r in con.execute("SELECT round_id, starts_on, ends_on FROM rounds").fetchall()
        }
        if not institutions or not all(r in rounds for r in ROUNDS):
            return "skipped: the registry lacks institutions or the baseline/endline rounds"
        definition.register(con, rubric, f"{rubric.rubric_id}_v{rubric.version}.yaml")
        current = subs.current_round(con) or ROUNDS[-1]

        logins: list[str] = []
        demo_insider_inst = institutions[0]
        for role, username in ROLE_USERS.items():
            if auth.find_user(con, username):
                continue
            password = auth.generate_password()
            auth.add_user(
                con,
                DEMO_ACTOR,
                username,
                roles=[role],
                password=password,
                institution_id=demo_insider_inst if role == "insider" else None,
                display_name=f"Demo {role}",
            )
            logins.append(f"{username} / {password}")
        for inst in institutions[1:4]:
            auth.assign(con, DEMO_ACTOR, ROLE_USERS["monitor"], inst, current)

        volunteers = [f"volunteer{i:02d}" for i in range(1, VOLUNTEERS + 1)]
        for v in volunteers:
            if not auth.find_user(con, v):
                auth.add_user(
                    con, DEMO_ACTOR, v, roles=["monitor"], display_name=f"Volunteer {v[-2:]}"
                )
        insiders: dict[str, list[str]] = {}
        for inst in institutions:
            names = [f"insider-{inst.lower()}-{k}" for k in range(1, INSIDERS_PER_INSTITUTION + 1)]
            for n in names:
                if not auth.find_user(con, n):
                    auth.add_user(con, DEMO_ACTOR, n, roles=["insider"], institution_id=inst)
            insiders[inst] = names
        monitors: dict[str, list[str]] = {}
        for k, inst in enumerate(institutions):
            monitors[inst] = [
                volunteers[(3 * k + j) % VOLUNTEERS] for j in range(MONITORS_PER_INSTITUTION)
            ]
            for r in ROUNDS:
                for v in monitors[inst]:
                    auth.assign(con, DEMO_ACTOR, v, inst, r)

        # The model: a level per institution and criterion, growing between rounds.
        level = {inst: rng.uniform(0.8, 2.6) for inst in institutions}
        offset = {c.criterion_id: rng.gauss(0, 0.5) for c in rubric.criteria}
        growth = {inst: rng.uniform(0.3, 1.0) for inst in institutions}
        users = {
            u: auth.find_user(con, u)
            for u in [*volunteers, *(n for names in insiders.values() for n in names)]
        }
        n = {"insider": 0, "outsider": 0}
        for r in ROUNDS:
            m = MODEL[r]
            _, ends_on = rounds[r]
            for inst in institutions:
                raters = [(u, "outsider") for u in monitors[inst]] + [
                    (u, "insider") for u in insiders[inst]
                ]
                for username, perspective in raters:
                    scores = {}
                    for c in rubric.criteria_for(perspective):
                        true = level[inst] + offset[c.criterion_id] + m["growth"] * growth[inst]
                        if perspective == "insider":
                            bias = m["bias"] * (
                                1.5 if c.criterion_id == "citizen_satisfaction" else 1
                            )
                            s = _clip(true + bias + rng.gauss(0, m["sd_in"]))
                        else:
                            s = _clip(true + rng.gauss(0, m["sd_out"]))
                        ev = None
                        if c.evidence_required:
                            ev = (
                                f"https://{inst.lower()}.example/documents/{c.criterion_id}"
                                if perspective == "insider"
                                else f"seen on the accounts of {inst} during {r}"
                            )
                        scores[c.criterion_id] = (s, ev)
                    res = subs.save(
                        con,
                        users[username],
                        submission_id=f"demo-{r}-{inst}-{username}",
                        institution_id=inst,
                        round_id=r,
                        scores=scores,
                        submit=True,
                        source="demo",
                        rubric=rubric,
                    )
                    when = dt.datetime.combine(ends_on, dt.time(12), dt.UTC) - dt.timedelta(
                        days=rng.randint(1, 14), minutes=rng.randint(0, 600)
                    )
                    con.execute(
                        "UPDATE rubric_submissions SET created_at = ?, updated_at = ?,"
                        " submitted_at = ? WHERE submission_id = ?",
                        [when - dt.timedelta(days=2), when, when, res.submission.submission_id],
                    )
                    n[perspective] += 1
        # A draft to resume: the demo monitor started on their first assignment.
        mon = auth.find_user(con, ROLE_USERS["monitor"])
        first = rubric.criteria_for("outsider")[:4]
        subs.save(
            con,
            mon,
            submission_id="demo-draft-monitor",
            institution_id=institutions[1],
            round_id=current,
            scores={c.criterion_id: (2, None) for c in first},
            rubric=rubric,
        )
    msg = (
        f"{n['outsider']} outsider and {n['insider']} insider submissions in "
        f"{' and '.join(ROUNDS)} ({len(volunteers)} volunteers, "
        f"{INSIDERS_PER_INSTITUTION} insiders per institution)"
    )
    if logins:
        msg += (
            "\n  demo logins, one per role (shown once; only bcrypt hashes are stored):\n    "
            + "\n    ".join(logins)
        )
    return msg
