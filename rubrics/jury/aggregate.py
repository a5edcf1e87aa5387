"""Aggregation of the jury's ballots (docs/jury.md, with the formulas).

Pure functions over submitted ballots, so the method is tested on small hand-computed
tables:

- weighted total of juror j for practice p: T = sum(w_c * s_c) / sum(w_c) (on the scale);
- severity normalisation, only for a juror with at least `min_practices` counted ballots:
  z = (T - mean_j) / sd_j (population sd over the juror's practices), rescaled to the
  scale: N = midpoint + z * span / 6, kept within the scale; a juror with fewer ballots
  keeps the raw total (N = T) with a note, and one whose totals are all equal gets z = 0;
- per practice, the means of T (raw_score) and of N (normalised_score) over the jurors
  counted (submitted ballot, not recused); spread = max N - min N; disagreement when the
  spread reaches the competition's threshold;
- raw_rank: by raw_score, ties share a rank; rank: by normalised_score, ties broken by the
  competition's rule (higher mean score on named criteria, then the chair's casting vote);
  a tie the rule cannot break (no casting vote yet) shares the rank.
Scores are compared to 9 decimal places, so float noise never makes or breaks a tie.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rubrics.jury.definition import CASTING_VOTE, Competition

PLACES = 9  # decimal places at which two scores are equal
SPAN_SDS = 6  # the scale's span holds this many standard deviations (+-3 around the midpoint)


@dataclass(frozen=True)
class Ballot:
    """A juror's submitted, complete ballot for one practice: criterion_id → score."""

    juror_id: str
    practice_id: str
    scores: Mapping[str, float]


@dataclass
class JurorSeverity:
    """How one juror scored overall: counted ballots, mean and sd of totals, normalised or not."""

    juror_id: str
    practices: int
    mean_total: float | None
    sd_total: float | None  # population standard deviation; None with no ballot
    normalised: bool
    note: str | None = None


@dataclass
class PracticeResult:
    """One practice's aggregate. Scores are None (n/a) when no juror was counted."""

    practice_id: str
    raw_score: float | None = None
    normalised_score: float | None = None
    raw_rank: int | None = None
    rank: int | None = None
    jurors: int = 0
    recused: int = 0
    spread: float | None = None
    disagreement: bool | None = None
    tie_break: str = ""
    notes: list[str] = field(default_factory=list)
    raw_totals: dict[str, float] = field(default_factory=dict)  # juror → T
    normalised_values: dict[str, float] = field(default_factory=dict)  # juror → N
    criterion_means: dict[str, float] = field(default_factory=dict)  # raw scores' means


@dataclass
class TieRecord:
    """A tie on the normalised score and how the rule resolved it."""

    score: float
    practice_ids: list[str]
    explanation: str
    resolved: bool
    order: list[list[str]]  # groups in final order; a group of 2+ stays tied


@dataclass
class Results:
    practices: list[PracticeResult]  # ranked order, unscored practices last
    jurors: dict[str, JurorSeverity]
    ties: list[TieRecord]

    def by_id(self) -> dict[str, PracticeResult]:
        return {r.practice_id: r for r in self.practices}


def weighted_total(scores: Mapping[str, float], competition: Competition) -> float:
    """sum(w_c * s_c) / sum(w_c) over the competition's criteria (a value on its scale)."""
    return math.fsum(c.weight * scores[c.criterion_id] for c in competition.criteria) / (
        competition.total_weight
    )


def _mean(xs: list[float]) -> float:
    return math.fsum(xs) / len(xs)


def _sd(xs: list[float]) -> float:
    m = _mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))


def _key(x: float) -> float:
    return round(x, PLACES)


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def juror_severity(
    totals: Mapping[str, Mapping[str, float]], competition: Competition
) -> dict[str, JurorSeverity]:
    """Per juror: counted ballots, mean and population sd of totals, and whether normalised."""
    out = {}
    for juror, by_practice in totals.items():
        xs = list(by_practice.values())
        n = len(xs)
        if n == 0:
            out[juror] = JurorSeverity(juror, 0, None, None, False, "no counted ballot")
            continue
        mean, sd = _mean(xs), _sd(xs)
        if n < competition.min_practices:
            note = (f"scored {n} practice{'s' if n != 1 else ''}, fewer than "
                    f"{competition.min_practices}: raw totals used, not normalised")
            out[juror] = JurorSeverity(juror, n, mean, sd, False, note)
        elif sd < 10 ** -PLACES:
            out[juror] = JurorSeverity(
                juror, n, mean, sd, True,
                "gave every practice the same total: z = 0 (the scale's midpoint)")
        else:
            out[juror] = JurorSeverity(juror, n, mean, sd, True)
    return out


def normalised_value(total: float, sev: JurorSeverity, competition: Competition) -> tuple[
    float, bool
]:
    """N for one total: midpoint + z * span / 6 kept within the scale, or T when not
    normalised; and whether it had to be clipped to the scale."""
    if not sev.normalised:
        return total, False
    scale = competition.scale
    z = 0.0 if (sev.sd_total or 0.0) < 10 ** -PLACES else (total - sev.mean_total) / sev.sd_total
    n = scale.midpoint + z * scale.span / SPAN_SDS
    clipped = min(max(n, scale.minimum), scale.maximum)
    return clipped, clipped != n


def compute(
    competition: Competition,
    practice_ids: Iterable[str],
    ballots: Iterable[Ballot],
    recused: Mapping[str, set[str]] | None = None,
    casting_votes: Mapping[str, tuple[str, int]] | None = None,
) -> Results:
    """Aggregate submitted ballots into ranked practice results (module docstring).

    `recused`: practice_id → jurors recused from it (their ballots are never counted);
    `casting_votes`: practice_id → (vote_id, position) as cast by the chair.
    """
    recused = recused or {}
    casting_votes = casting_votes or {}
    pids = list(dict.fromkeys(practice_ids))
    counted: list[Ballot] = []
    for b in ballots:
        if b.practice_id not in pids or b.juror_id in recused.get(b.practice_id, set()):
            continue
        missing = [c.criterion_id for c in competition.criteria if b.scores.get(c.criterion_id)
                   is None]
        if missing:
            raise ValueError(f"ballot of {b.juror_id} for {b.practice_id} lacks {missing}")
        counted.append(b)

    totals: dict[str, dict[str, float]] = {}
    for b in counted:
        totals.setdefault(b.juror_id, {})[b.practice_id] = weighted_total(b.scores, competition)
    severity = juror_severity(totals, competition)

    results = {p: PracticeResult(p, recused=len(recused.get(p, set()))) for p in pids}
    crit_scores: dict[str, dict[str, list[float]]] = {p: {} for p in pids}
    for b in counted:
        r = results[b.practice_id]
        t = totals[b.juror_id][b.practice_id]
        n, clipped = normalised_value(t, severity[b.juror_id], competition)
        r.raw_totals[b.juror_id] = t
        r.normalised_values[b.juror_id] = n
        sev = severity[b.juror_id]
        if not sev.normalised:
            r.notes.append(f"{b.juror_id}: raw total ({sev.note})")
        elif sev.note:
            r.notes.append(f"{b.juror_id}: {sev.note}")
        if clipped:
            r.notes.append(f"{b.juror_id}: normalised value kept within the scale")
        for c in competition.criteria:
            crit_scores[b.practice_id].setdefault(c.criterion_id, []).append(
                float(b.scores[c.criterion_id]))

    for p, r in results.items():
        r.jurors = len(r.raw_totals)
        if not r.jurors:
            r.notes.append("no counted ballot: n/a")
            continue
        r.raw_score = _mean(list(r.raw_totals.values()))
        r.normalised_score = _mean(list(r.normalised_values.values()))
        vals = list(r.normalised_values.values())
        if len(vals) >= 2:
            r.spread = max(vals) - min(vals)
            r.disagreement = _key(r.spread) >= _key(competition.disagreement_threshold)
        else:
            r.notes.append("one juror counted: spread n/a")
        r.criterion_means = {c: _mean(xs) for c, xs in crit_scores[p].items()}

    scored = [r for r in results.values() if r.raw_score is not None]
    for r in scored:
        r.raw_rank = 1 + sum(1 for o in scored if _key(o.raw_score) > _key(r.raw_score))

    ties: list[TieRecord] = []
    ordered: list[PracticeResult] = []
    by_norm: dict[float, list[PracticeResult]] = {}
    for r in scored:
        by_norm.setdefault(_key(r.normalised_score), []).append(r)
    position = 1
    for score in sorted(by_norm, reverse=True):
        group = sorted(by_norm[score], key=lambda r: r.practice_id)
        if len(group) == 1:
            group[0].rank = position
            ordered.append(group[0])
            position += 1
            continue
        record = _break_tie(group, competition, casting_votes)
        ties.append(record)
        for sub in record.order:
            for pid in sub:
                r = results[pid]
                r.rank = position
                r.tie_break = record.explanation
                ordered.append(r)
            position += len(sub)
    ordered += sorted((r for r in results.values() if r.raw_score is None),
                      key=lambda r: r.practice_id)
    return Results(ordered, severity, ties)


def _break_tie(
    group: list[PracticeResult],
    competition: Competition,
    casting_votes: Mapping[str, tuple[str, int]],
) -> TieRecord:
    ids = [r.practice_id for r in group]
    steps: list[str] = []
    resolved = True

    def order(sub: list[PracticeResult], rule_index: int) -> list[list[str]]:
        nonlocal resolved
        if len(sub) == 1:
            return [[sub[0].practice_id]]
        if rule_index >= len(competition.tie_break):
            resolved = False
            steps.append(f"{', '.join(r.practice_id for r in sub)} remain tied")
            return [[r.practice_id for r in sub]]
        rule = competition.tie_break[rule_index]
        if rule.kind == CASTING_VOTE:
            votes = [casting_votes.get(r.practice_id) for r in sub]
            vote_ids = {v[0] for v in votes if v}
            if all(votes) and len(vote_ids) == 1:
                ranked = sorted(sub, key=lambda r: casting_votes[r.practice_id][1])
                steps.append("the chair's casting vote: " + ", ".join(
                    r.practice_id for r in ranked))
                return [[r.practice_id] for r in ranked]
            resolved = False
            steps.append(f"{', '.join(r.practice_id for r in sub)}: unresolved, awaiting the "
                         "chair's casting vote")
            return [[r.practice_id for r in sub]]
        cid = rule.criterion_id
        keyed: dict[float, list[PracticeResult]] = {}
        for r in sub:
            keyed.setdefault(_key(r.criterion_means.get(cid, float("nan"))), []).append(r)
        steps.append(f"higher mean {cid}: " + ", ".join(
            f"{r.practice_id} {_fmt(r.criterion_means[cid])}" for r in
            sorted(sub, key=lambda r: (-r.criterion_means[cid], r.practice_id))))
        out: list[list[str]] = []
        for k in sorted(keyed, reverse=True):
            out += order(sorted(keyed[k], key=lambda r: r.practice_id), rule_index + 1)
        return out

    final = order(group, 0)
    score = group[0].normalised_score
    explanation = (f"tie at {_fmt(score)} between {', '.join(ids)}; " + "; ".join(steps)
                   + (" → " + ", ".join("=".join(g) for g in final) if resolved else ""))
    return TieRecord(score, ids, explanation, resolved, final)
