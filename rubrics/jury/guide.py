"""The good-practice guide: an HTML page of the awarded and shortlisted practices with their
evidence, like the programme's guide (seed 000: 32 practices in the guide, 10 awarded).

Self-contained (inline CSS, no scripts, nothing fetched), printable to PDF from a browser.
"""

from __future__ import annotations

import datetime as dt
import html

import duckdb

from rubrics.jury import access, evidence, store
from rubrics.jury.access import Actor

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd}
.practice{border:1px solid #ddd;border-radius:6px;padding:.8rem 1.1rem;margin:1rem 0;
page-break-inside:avoid}
.award{display:inline-block;background:#1b9e77;color:#fff;border-radius:4px;padding:.1rem .5rem;
font-weight:600}.mention{background:#7570b3}.meta{color:#555;font-size:.92rem}
table{border-collapse:collapse;font-size:.92rem}td,th{padding:.15rem .6rem .15rem 0;
text-align:left;vertical-align:top}.na{color:#888}.method{font-size:.9rem;color:#444}
"""


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _practice_html(
    con: duckdb.DuckDBPyConnection, view: store.ResultsView, pid: str,
    levels: dict[str, list[evidence.EvidenceItem]] | str,
) -> str:
    p = view.practices[pid]
    r = view.results.by_id()[pid]
    aw = view.awards.get(pid)
    comp = view.stored.competition
    out = ['<section class="practice">']
    if aw:
        cls = "award" if aw["award_kind"] == "place" else "award mention"
        out.append(f'<span class="{cls}">{_e(aw["label"])}</span>')
    out.append(f"<h3>{_e(p.title)}</h3>")
    cat = next((c.name for c in comp.categories if c.category_id == p.category_id), None)
    out.append(f'<p class="meta">{_e(p.institution_name or p.institution_id)}'
               f"{' · ' + _e(p.region) if p.region else ''}"
               f"{' · ' + _e(cat) if cat else ''} · practice {_e(pid)}</p>")
    if aw and aw.get("citation"):
        out.append(f"<p><em>{_e(aw['citation'])}</em></p>")
    if p.description:
        out.append(f"<p>{_e(p.description)}</p>")
    if p.links:
        out.append("<p>" + " · ".join(
            f'<a href="{_e(u)}">{_e(u)}</a>' for u in p.links) + "</p>")
    score = ("n/a (" + "; ".join(r.notes) + ")" if r.normalised_score is None
             else f"{r.normalised_score:.2f} (rank {r.rank}, {r.jurors} jurors)")
    rows = [("jury score (normalised)", score, r.normalised_score is None)]
    for item in evidence.evidence(con, comp, p.institution_id, levels):
        rows.append((item.label, item.shown, item.value is None))
    out.append("<table>" + "".join(
        f"<tr><th>{_e(k)}</th><td{' class=na' if na else ''}>{_e(v)}</td></tr>"
        for k, v, na in rows) + "</table>")
    out.append("</section>")
    return "\n".join(out)


def guide_html(
    con: duckdb.DuckDBPyConnection, actor: Actor, competition_id: str,
    generated_at: dt.datetime | None = None,
) -> str:
    """The guide as one HTML page (chair, admins, local operator; after the round closed)."""
    access.require_chair(con, competition_id, actor, "export the guide")
    view = store.results(con, actor, competition_id)
    sc = view.stored
    comp = sc.competition
    if sc.is_open:
        raise store.JuryError(f"the round of {competition_id} is still open: the guide lists "
                              "the awarded practices once the chair has closed it")
    rank = {r.practice_id: (r.rank or 10**6) for r in view.results.practices}
    places = sorted((a for a in view.awards.values() if a["award_kind"] == "place"),
                    key=lambda a: a["place"])
    mentions = sorted((a for a in view.awards.values() if a["award_kind"] != "place"),
                      key=lambda a: (rank[a["practice_id"]], a["practice_id"]))
    awarded = [a["practice_id"] for a in places + mentions]
    others = sorted((p for p in view.shortlist if p not in awarded),
                    key=lambda p: (rank[p], p))
    start, end = evidence.evidence_period(comp)
    levels = evidence.level_results(con, comp) if awarded or others else {}
    when = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(comp.name)}: good-practice guide</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(comp.name)}</h1>",
        (f'<p class="meta">Good-practice guide · {len(view.practices)} practices nominated, '
        f"{len(view.shortlist)} in the guide, {len(awarded)} awarded · round closed "
        f"{sc.closed_at:%Y-%m-%d} · generated {when}</p>"),
    ]
    if comp.description:
        parts.append(f"<p>{_e(comp.description)}</p>")
    parts.append("<h2>Awarded practices</h2>")
    if awarded:
        parts += [_practice_html(con, view, pid, levels) for pid in awarded]
    else:
        parts.append('<p class="na">No award given yet.</p>')
    parts.append("<h2>Also in the guide</h2>")
    if others:
        parts += [_practice_html(con, view, pid, levels) for pid in others]
    else:
        parts.append('<p class="na">No other practice shortlisted.</p>')
    crit = ", ".join(f"{_e(c.name)} ({comp.share(c)})" for c in comp.criteria)
    parts.append(
        '<h2>How the jury scored</h2><p class="method">'
        f"Each juror scored every practice they were not recused from on {crit}, on a scale "
        f"of {_e(comp.scale.describe())}. A juror's total is the weighted mean of their "
        "scores. Jurors' severity is evened out: each juror's totals become z-scores over "
        f"the practices they scored (when they scored at least {comp.min_practices}), put back "
        "on the scale, and averaged over the jurors who were not recused. Ties: "
        + _e(", then ".join(r.describe() for r in comp.tie_break))
        + f". Evidence figures cover {start:%Y-%m-%d} to {end:%Y-%m-%d}.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
