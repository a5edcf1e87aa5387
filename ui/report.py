"""The workshop report and the presentation's slides, built without Streamlit.

`slides()` gives the presentation's screens (one chart each) for a set of institutions and a
round; `build_html()` writes the workshop report for one location and round as one
self-contained HTML file: the comparison, each institution's profile, and the definitions.
Charts are embedded either as interactive Plotly (plotly.js inlined once, works offline) or
as PNG images made by kaleido in one batch (printable, for e-mail). Institutions can be
anonymised (A, B, C…): names, types, account handles and links to posts are then left out.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from ui import dashboard as dsh
from ui import figures as figs
from ui import theme

log = logging.getLogger(__name__)

IMAGE_MODES = ("interactive", "png")
CONTINUUM_NOTE = (
    "Placed from the metrics of the round with the thresholds of continuum_vN.yaml "
    "(docs/continuum.md); ✎ marks a facilitator's override."
)
PNG_WIDTH = 1100


@dataclass
class Slide:
    """One screen of the presentation; its chart is made only when it is shown."""

    title: str
    subtitle: str = ""
    make: Callable[[], go.Figure] | None = None
    data: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)  # n/a reasons, definitions
    bullets: list[tuple[str, str]] = field(default_factory=list)  # (colour, text): title slide
    _figure: go.Figure | None = None

    @property
    def figure(self) -> go.Figure | None:
        if self._figure is None and self.make is not None:
            self._figure = self.make()
        return self._figure


def slides(
    dash: dsh.Dashboard,
    period_key: str,
    institution_ids: list[str],
    anonymise: bool = False,
    place: str = "",
    scale: float = 1.5,
) -> list[Slide]:
    """The presentation: a title screen, then one chart per screen — each key figure, the
    continuum, citizens' sentiment, and the rubric's insider vs outsider view."""
    df = dsh.select(dash, period_key, institution_ids=institution_ids)
    ids = list(df["institution_id"])
    names = dsh.labels(dash, ids, anonymise=anonymise)
    colours = theme.institution_colours(dash.institutions["institution_id"])
    where = place or "Selected institutions"
    anon_note = "Institutions are shown as letters: their names are not in this presentation."
    out = [
        Slide(
            title=f"{where}: where the institutions stand",
            subtitle=dash.period_label(period_key),
            bullets=[
                (colours[i], names[i] + ("" if anonymise else f" — {_type(dash, i)}"))
                for i in sorted(ids, key=lambda i: names[i])
            ],
            notes=[anon_note] if anonymise else [],
        )
    ]
    rows = df.to_dict("records")
    for kf in dsh.key_figures():
        reasons = [
            f"{names[r['institution_id']]}: n/a ({dsh.na_reason(r, kf.column)})"
            for r in rows
            if dsh.is_na(r[kf.column])
        ]
        out.append(
            Slide(
                kf.label,
                f"{kf.unit} · {dash.period_label(period_key)}",
                lambda kf=kf: figs.bar_chart(df, kf, colours, names, scale=scale),
                df[["institution_id", kf.column]].assign(institution=[names[i] for i in ids]),
                [*reasons, kf.definition],
            )
        )
    cont = dash.continuum[
        (dash.continuum["period_key"] == period_key) & dash.continuum["institution_id"].isin(ids)
    ]
    order = sorted(ids, key=lambda i: names[i])
    out.append(
        Slide(
            "The social media continuum",
            "modest · moderate · elaborate, on four dimensions",
            lambda: figs.continuum_grid(
                cont, dash.dimensions, dash.levels, names, order, scale=scale
            ),
            cont[["institution_id", "dimension", "level"]],
            [CONTINUUM_NOTE],
        )
    )
    sdf = df.set_index("institution_id").loc[order].reset_index()
    out.append(
        Slide(
            "What citizens write: sentiment",
            "share of their comments, copies counted once",
            lambda: figs.sentiment_bars(sdf, names, scale=scale),
            sdf[["institution_id", *dsh.SENTIMENT_COLUMNS[:6]]],
            [dsh.SENTIMENT_DEFINITION],
        )
    )
    out.append(
        Slide(
            "How insiders and outsiders see each institution",
            "monitoring rubric, mean score 0–4",
            lambda: figs.rubric_dumbbell(sdf, names, scale=scale),
            sdf[["institution_id", "rubric_outsider_mean", "rubric_insider_mean", "rubric_gap"]],
            [dsh.RUBRIC_GAP_DEFINITION],
        )
    )
    return out


def _as_of(dash: dsh.Dashboard) -> str:
    return f"data as of {dash.as_of:%Y-%m-%d %H:%M} UTC" if dash.as_of else "no collection yet"


def _type(dash: dsh.Dashboard, iid: str) -> str:
    t = dash.institutions.set_index("institution_id").loc[iid, "type"]
    return str(t).replace("_", " ") if isinstance(t, str) else ""


# --- the report ----------------------------------------------------------------------------


@dataclass
class Profile:
    """What the report adds per institution beyond the dashboard: accounts and topics."""

    accounts: pd.DataFrame
    topics: pd.DataFrame


def gather(
    query: dsh.Query, dash: dsh.Dashboard, institution_ids: list[str], period_key: str
) -> dict[str, Profile]:
    """Per institution: its accounts and the round's topics (empty when analysis has not run)."""
    period = dsh.period_of(dash, period_key)
    out = {}
    for iid in institution_ids:
        try:
            tp = dsh.topics(query, iid, period)
        except dsh.READ_ERRORS as exc:  # comment analysis missing: the report says n/a
            log.warning("topics unavailable for %s: %s", iid, exc)
            tp = pd.DataFrame(columns=["topic", "comments", "previous"])
        out[iid] = Profile(dsh.accounts(query, iid), tp)
    return out


def png_images(figures: list[go.Figure], width: int = PNG_WIDTH) -> list[bytes]:
    """Every figure as PNG in one kaleido session (one browser start for all)."""
    import plotly.io as pio

    if not figures:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"chart{n}.png" for n in range(len(figures))]
        pio.write_images(
            figures,
            paths,
            format="png",
            width=width,
            height=[int(f.layout.height or 500) for f in figures],
            scale=1,
        )
        return [p.read_bytes() for p in paths]


class _Charts:
    """Collects the report's figures; placeholders are filled once all are made."""

    def __init__(self) -> None:
        self.figures: list[go.Figure] = []

    def add(self, fig: go.Figure) -> str:
        self.figures.append(fig)
        return f"<!--chart:{len(self.figures) - 1}-->"

    def fill(self, text: str, mode: str) -> str:
        if mode == "png":
            images = png_images(self.figures)
            for n, b in enumerate(images):
                tag = (
                    f'<img class="chart" alt="chart {n + 1}" src="data:image/png;base64,'
                    f'{base64.b64encode(b).decode("ascii")}">'
                )
                text = text.replace(f"<!--chart:{n}-->", tag)
            return text
        for n, f in enumerate(self.figures):
            div = f.to_html(
                full_html=False,
                include_plotlyjs=False,
                div_id=f"chart{n}",
                config={"displaylogo": False, "responsive": True},
            )
            text = text.replace(f"<!--chart:{n}-->", f'<div class="chart">{div}</div>')
        return text


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e('n/a' if dsh.is_na(v) else v)}</td>" for v in r) + "</tr>"
        for r in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


CSS = """
body { font-family: 'Source Sans Pro', 'DejaVu Sans', Arial, sans-serif; color: #222;
       margin: 2em auto;
       max-width: 1150px; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 2em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; margin-top: 2em; }
h3 { margin-top: 1.6em; } .meta { color: #555; } .na { color: #555; font-size: 0.95em; }
table { border-collapse: collapse; width: 100%; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } .chart { width: 100%; margin: 0.6em 0; } img.chart { max-width: 100%; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em;
          vertical-align: middle; }
.profile { page-break-before: always; } dt { font-weight: bold; margin-top: 0.6em; }
@media print { .chart { page-break-inside: avoid; } body { margin: 0; } }
"""


def build_html(
    dash: dsh.Dashboard,
    region: str | None,
    period_key: str,
    profiles: dict[str, Profile],
    anonymise: bool = False,
    images: str = "interactive",
    institution_ids: list[str] | None = None,
    generated_at: dt.datetime | None = None,
    plotly_js: Callable[[], str] | None = None,
    as_of_text: str | None = None,
) -> str:
    """The workshop report for a location (or the institutions given) and a round, as HTML.

    as_of_text: the data's date as the app states it (ui.data.data_as_of()); without it, the
    latest snapshot's time."""
    if images not in IMAGE_MODES:
        raise ValueError(f"images={images!r}: one of {', '.join(IMAGE_MODES)}")
    df = dsh.select(dash, period_key, [region] if region else None, None, institution_ids)
    ids = list(df["institution_id"])
    names = dsh.labels(dash, ids, anonymise=anonymise)
    short = dsh.labels(dash, ids, anonymise=anonymise, short=True)
    colours = theme.institution_colours(dash.institutions["institution_id"])
    figures = dsh.key_figures()
    ch = _Charts()
    when = generated_at or dt.datetime.now(dt.UTC)
    place = region or "Selected institutions"
    title = f"Workshop report — {place}, {dash.period_label(period_key)}"
    parts = [
        f"<h1>{_e(title)}</h1>",
        f"<p class='meta'>{_e(as_of_text or _as_of(dash))} · generated {when:%Y-%m-%d %H:%M} UTC "
        "by Closer" + (" · institutions anonymised (A, B, C…)" if anonymise else "") + "</p>",
    ]
    parts.append(
        "<ul>"
        + "".join(
            f"<li><span class='swatch' style='background:{colours[i]}'></span>{_e(names[i])}"
            + ("" if anonymise else f" ({_e(i)}, {_e(_type(dash, i))})")
            + "</li>"
            for i in sorted(ids, key=lambda i: names[i])
        )
        + "</ul>"
    )
    parts.append("<p>Contents: 1. Comparison · 2. Profiles · 3. Definitions</p>")
    for note in dash.notes:
        parts.append(f"<p class='na'>{_e(note)}</p>")
    if df.empty:
        parts.append(
            "<p class='na'>n/a: no institution in this location, or nothing collected yet.</p>"
        )
        return _page(title, parts, ch, images, plotly_js)

    # 1. comparison
    ranked = dsh.rank(df, "response_rate")
    table, reasons = dsh.comparison_table(ranked, figures, names)
    # one column per institution (ranked by response rate), one row per figure: fits a page
    by_figure = table.drop(columns=["rank", "location", "type"], errors="ignore")
    by_figure = by_figure.set_index("institution").T.reset_index()
    units = {kf.label: kf.unit for kf in figures}
    by_figure.insert(1, "unit", [units.get(f, "level") for f in by_figure["index"]])
    by_figure = by_figure.rename(columns={"index": "figure"})
    parts.append("<h2>1. Comparison</h2>")
    parts.append(
        f"<p>{len(ids)} institutions, {_e(dash.period_label(period_key))}; columns ranked by "
        "response rate.</p>"
    )
    parts.append(_table(by_figure))
    if reasons:
        parts.append(
            "<p class='na'><b>Why some figures are n/a</b></p><ul class='na'>"
            + "".join(f"<li>{_e(r)}</li>" for r in reasons)
            + "</ul>"
        )
    parts.append("<h3>Key figures side by side</h3>")
    parts.append(ch.add(figs.small_multiples(ranked, figures, colours, short, names)))
    order = list(ranked["institution_id"])
    cont = dash.continuum[
        (dash.continuum["period_key"] == period_key) & dash.continuum["institution_id"].isin(ids)
    ]
    parts.append("<h3>Continuum</h3>")
    parts.append(ch.add(figs.continuum_grid(cont, dash.dimensions, dash.levels, names, order)))
    parts.append("<h3>What citizens write: sentiment</h3>")
    parts.append(ch.add(figs.sentiment_bars(ranked, names)))
    parts.append("<h3>Monitoring rubric: insiders vs outsiders</h3>")
    parts.append(ch.add(figs.rubric_dumbbell(ranked, names)))

    # 2. profiles
    parts.append("<h2>2. Profiles</h2>")
    for n, iid in enumerate(sorted(ids, key=lambda i: names[i]), 1):
        parts += _profile(
            dash,
            iid,
            period_key,
            profiles.get(iid),
            names[iid],
            colours[iid],
            figures,
            anonymise,
            ch,
            n,
        )

    # 3. definitions
    parts.append("<h2>3. Definitions</h2>")
    parts.append(_definitions(dash, figures))
    return _page(title, parts, ch, images, plotly_js)


def _profile(
    dash,
    iid,
    period_key,
    prof: Profile | None,
    name,
    colour,
    figures,
    anonymise,
    ch: _Charts,
    n: int,
) -> list[str]:
    out = [
        (
            f"<section class='profile'><h3>2.{n} <span class='swatch' "
            f"style='background:{colour}'></span>{_e(name)}</h3>"
        )
    ]
    if not anonymise:
        row = dash.institutions.set_index("institution_id").loc[iid]
        meta = f"{_e(iid)} · {_e(_type(dash, iid))} · {_e(row['region'])}"
        out.append(f"<p class='meta'>{meta}</p>")
    if prof is not None and not prof.accounts.empty:
        acc = prof.accounts
        cols = (
            ["platform", "followers", "posts", "citizen_comments", "gives"]
            if anonymise
            else ["platform", "handle", "followers", "posts", "citizen_comments", "gives"]
        )
        view = acc[cols].copy()
        view["followers"] = [
            f"{int(v):,}" if not dsh.is_na(v) else "n/a (the platform gives none)"
            for v in view["followers"]
        ]
        out.append(
            "<p><b>Accounts and what each platform gives</b></p>"
            + _table(
                view.rename(
                    columns={
                        "posts": "original posts stored",
                        "citizen_comments": "citizen comments stored",
                        "gives": "what the platform gives",
                    }
                )
            )
        )
    mine = (
        dash.figures[dash.figures["institution_id"] == iid]
        .merge(dash.periods[["period_key", "position"]], on="period_key")
        .sort_values("position")
    )
    labels = dict(zip(dash.periods["period_key"], dash.periods["label"]))
    out.append("<p><b>Key figures, round by round</b></p>")
    out.append(ch.add(figs.over_rounds(mine, figures, labels, colour)))
    change = dsh.change_since_baseline(dash, iid, period_key, figures).drop(columns="change_value")
    out.append(
        f"<p><b>Change since the baseline</b> ({_e(dash.period_label(dash.baseline_key))})</p>"
        + _table(change)
    )
    now = mine[mine["period_key"] == period_key].iloc[0]
    lat = (
        dash.latency[
            (dash.latency["institution_id"] == iid) & (dash.latency["period_key"] == period_key)
        ]
        if not dash.latency.empty
        else pd.DataFrame()
    )
    out.append("<p><b>How fast it answers</b></p>")
    if lat.empty:
        out.append(f"<p class='na'>n/a ({_e(dsh.na_reason(now, 'latency_median_h'))})</p>")
    else:
        band_labels = dsh.latency_band_labels(dsh.latency_band_edges([t[2] for t in dsh._tiers()]))
        out.append(ch.add(figs.latency_bands(lat, band_labels, colour)))
    cont = dash.continuum[dash.continuum["institution_id"] == iid]
    out.append("<p><b>Continuum, round by round</b></p>")
    out.append(
        ch.add(
            figs.continuum_grid(
                cont,
                dash.dimensions,
                dash.levels,
                labels,
                list(dash.periods["period_key"]),
                by="period_key",
            )
        )
    )
    here = cont[(cont["period_key"] == period_key) & (cont["dimension"] != "overall")]
    ev = dash.evidence[
        (dash.evidence["institution_id"] == iid) & (dash.evidence["period_key"] == period_key)
    ]
    items = []
    for r in here.itertuples():
        line = f"<li><b>{_e(r.label)}: {_e(r.level or 'n/a')}</b>"
        if r.level is None:
            line += f" ({_e(r.na_reason)})"
        if isinstance(r.override_level, str):
            line += f" — override: {_e(r.override_reason)} (computed {_e(r.computed or 'n/a')})"
        posts = ev[ev["about"] == f"continuum:{r.dimension}"]
        if not posts.empty:
            line += "; evidence: " + ", ".join(
                _e(f"{str(e.created_at)[:10]} {e.form} post")
                if anonymise
                else f"<a href='{_e(e.url)}'>{_e(str(e.created_at)[:10])} {_e(e.form)} post</a>"
                for e in posts.itertuples()
            )
        items.append(line + "</li>")
    out.append("<ul>" + "".join(items) + "</ul>")
    lad = dash.ladder[
        (dash.ladder["institution_id"] == iid) & (dash.ladder["period_key"] == period_key)
    ]
    if lad.empty:
        out.append(
            "<p><b>Engagement ladder</b>: n/a (the institution made no original post in the "
            "period)</p>"
        )
    else:
        top = lad.sort_values("rung").iloc[-1]
        out.append(
            f"<p><b>Engagement ladder</b>: rung {int(top['rung'])} of {len(dash.rungs)}, "
            f"{_e(top['label'])}</p>"
        )
    out.append("<p><b>What citizens write</b></p>")
    if prof is None or prof.topics.empty:
        out.append(
            "<p class='na'>Topics: n/a (no analysed citizen comment of the round matched a "
            "topic).</p>"
        )
    else:
        out.append(
            _table(
                prof.topics.head(dsh.TOPICS_TOP)[["topic", "comments", "previous"]].rename(
                    columns={
                        "comments": "comments in the round",
                        "previous": "in the period before",
                    }
                )
            )
        )
    s = now.get("distinct_comments")
    if dsh.is_na(now.get("positive_share")):
        out.append(f"<p class='na'>Sentiment: n/a ({_e(dsh.na_reason(now, 'positive_share'))})</p>")
    else:
        out.append(
            f"<p>Sentiment of {s:,.0f} comments: "
            + ", ".join(f"{k} {100 * now[f'{k}_share']:.0f}%" for k in figs.SENTIMENT_ORDER)
            + ".</p>"
        )
    rid = dash.periods.set_index("period_key").loc[period_key, "round_id"]
    sec = dash.rubric_sections[
        (dash.rubric_sections["institution_id"] == iid) & (dash.rubric_sections["round_id"] == rid)
    ]
    crit = dash.rubric[(dash.rubric["institution_id"] == iid) & (dash.rubric["round_id"] == rid)]
    out.append("<p><b>Monitoring rubric</b></p>")
    if sec.empty:
        out.append(
            f"<p class='na'>n/a ({_e(now.get('rubric_na_reason') or 'no submitted rubric')})</p>"
        )
    else:
        out.append(
            f"<p>Outsiders {dsh.format_value('score', now.get('rubric_outsider_mean'))}, insiders "
            f"{dsh.format_value('score', now.get('rubric_insider_mean'))}, gap "
            f"{dsh.format_value('gap', now.get('rubric_gap'))} (0–4 scale).</p>"
        )
        out.append(ch.add(figs.rubric_sections(sec, _section_titles())))
        if crit["gap"].notna().any():
            out.append(ch.add(figs.criterion_gaps(crit)))
    out.append("</section>")
    return out


def _section_titles() -> dict[str, str]:
    return dsh.section_titles()


def _definitions(dash: dsh.Dashboard, figures: list[dsh.KeyFigure]) -> str:
    items = [
        f"<dt>{_e(kf.label)} ({_e(kf.unit)})</dt><dd>{_e(kf.definition)}</dd>" for kf in figures
    ]
    try:
        from metrics import continuum

        d = continuum.load()
        for dim in d.dimensions:
            seed = "; ".join(f"{lvl}: {text}" for lvl, text in dim.seed.items())
            items.append(
                f"<dt>Continuum — {_e(dim.label)}</dt><dd>{_e(seed)}. Thresholds: "
                f"continuum_v{d.version}.yaml "
                "(docs/continuum.md).</dd>"
            )
        items.append(
            "<dt>Continuum — overall</dt><dd>The median of the four dimensions' levels, the lower "
            "of the two "
            "middle ones when they differ; n/a when a dimension is.</dd>"
        )
    except dsh.READ_ERRORS as exc:
        log.warning("continuum definitions unavailable: %s", exc)
    items.append(
        "<dt>Engagement ladder rungs</dt><dd>"
        + "; ".join(f"{r}. {_e(label)}" for r, label in dash.rungs)
        + f". {_e(dsh.LADDER_DEFINITION)}</dd>"
    )
    items.append(
        "<dt>Response time bands</dt><dd>Answered citizen comments by the time to the first "
        "answer; the "
        "band edges include every response tier's limit (Seoul's Social Media Center, seed "
        "003).</dd>"
    )
    items.append(
        "<dt>n/a</dt><dd>A figure that cannot be computed is shown as n/a with its reason, never "
        "as 0.</dd>"
    )
    return "<dl>" + "".join(items) + "</dl>"


def _page(
    title: str, parts: list[str], ch: _Charts, images: str, plotly_js: Callable[[], str] | None
) -> str:
    body = "\n".join(parts)
    body = ch.fill(body, images)
    script = ""
    if images == "interactive" and ch.figures:
        if plotly_js is None:
            from plotly.offline import get_plotlyjs as plotly_js
        script = f"<script>{plotly_js()}</script>"
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{CSS}</style>{script}</head><body>{body}</body></html>"
    )
