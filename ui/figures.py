"""The facilitator's charts (Compare, Institution profile, Presentation, Workshop report):
pure Plotly builders over ui.dashboard's DataFrames. Colours always come from ui.theme — one
per institution (given the whole registry, so the same institution has the same colour on
every page), one per continuum level, per sentiment label and per perspective. Every axis
says its unit; a figure that is n/a is written "n/a" on the chart, never drawn as 0.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from ui import theme
from ui.dashboard import KeyFigure, format_value, is_na, na_reason

NA_COLOUR = "#bdbdbd"
FONT = "Inter, 'Source Sans Pro', 'DejaVu Sans', sans-serif"


def _base_layout(scale: float, height: int | None = None, title: str | None = None) -> dict:
    """The look every chart shares: white, readable type scaled for the screen, legend on top."""
    out = {
        "font": {"family": FONT, "size": round(14 * scale), "color": "#222"},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "margin": {"t": round(60 * scale) + 20 if title else 60, "l": 10, "r": 30, "b": 10},
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 0,
            "font": {"size": round(13 * scale)},
        },
        "hoverlabel": {"font": {"size": round(13 * scale)}},
    }
    if title:
        out["title"] = {
            "text": title,
            "font": {"size": round(18 * scale)},
            "x": 0,
            "xanchor": "left",
        }
        out["legend"]["y"] = 1.02
    if height:
        out["height"] = height
    return out


def _x(**kw) -> dict:
    return {"showgrid": False, "linecolor": "#888", "ticks": "outside", "automargin": True, **kw}


def _y(**kw) -> dict:
    return {
        "gridcolor": "#e5e5e5",
        "zerolinecolor": "#888",
        "linecolor": "#888",
        "automargin": True,
        **kw,
    }


def _fig(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts: much cheaper than trace objects and update_* calls."""
    return go.Figure({"data": data, "layout": layout})


def _axis_format(kf: KeyFigure) -> dict:
    if kf.kind == "share":
        return {"tickformat": ".0%", "rangemode": "tozero"}
    if kf.kind == "score":
        return {"range": [0, 4.2], "dtick": 1}
    if kf.kind == "gap":
        return {"zeroline": True, "zerolinewidth": 2}
    if kf.kind == "rung":
        return {"range": [0, 5.4], "dtick": 1}
    if kf.kind == "count":
        return {"rangemode": "tozero", "tickformat": ",d"}
    return {"rangemode": "tozero"}


def _axis_ref(n: int) -> tuple[str, str]:
    """The x and y axis names of subplot n (0-based) as traces, shapes and annotations name them."""
    return ("x", "y") if n == 0 else (f"x{n + 1}", f"y{n + 1}")


def _grid(
    n: int,
    cols: int,
    titles: list[str],
    scale: float,
    hspace: float = 0.08,
    vspace_px: int = 70,
    panel_px: int = 250,
    top_px: int = 100,
    bottom_px: int = 40,
) -> tuple[dict, int]:
    """A layout of n panels in a grid (what make_subplots makes, without its cost): the axes'
    domains, the panels' titles and fixed margins; and the figure's height in pixels."""
    rows = max(math.ceil(n / cols), 1)
    height = rows * round(panel_px * scale) + (rows - 1) * vspace_px + top_px + bottom_px
    plot_h = height - top_px - bottom_px
    v = vspace_px / plot_h if rows > 1 else 0
    w = (1 - hspace * (cols - 1)) / cols
    h = (1 - v * (rows - 1)) / rows
    layout: dict = {"annotations": [], "margin": {"t": top_px, "l": 70, "r": 20, "b": bottom_px}}
    for k in range(n):
        r, c = divmod(k, cols)
        xa, ya = _axis_ref(k)
        x0 = c * (w + hspace)
        top = 1 - r * (h + v)
        layout["xaxis" if k == 0 else f"xaxis{k + 1}"] = {
            "domain": [max(x0, 0.0), min(x0 + w, 1.0)],
            "anchor": ya,
            "type": "category",
        }
        layout["yaxis" if k == 0 else f"yaxis{k + 1}"] = {
            "domain": [max(top - h, 0.0), min(top, 1.0)],
            "anchor": xa,
        }
        layout["annotations"].append(
            {
                "text": titles[k],
                "x": x0 + w / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": round(13 * scale)},
            }
        )
    return layout, height


def _axis_style(kf: KeyFigure, scale: float) -> dict:
    return {
        "title": {"text": kf.unit, "font": {"size": round(12 * scale)}},
        "gridcolor": "#e5e5e5",
        "zerolinecolor": "#888",
        "linecolor": "#888",
        "automargin": False,  # fixed margins: automargin on many panels costs a relayout each
        **_axis_format(kf),
    }


def small_multiples(
    df: pd.DataFrame,
    figures: list[KeyFigure],
    colours: dict[str, str],
    short: dict[str, str],
    names: dict[str, str],
    highlight: str | None = None,
    bands: dict[str, dict] | None = None,
    cols: int = 3,
    scale: float = 1.0,
) -> go.Figure:
    """One small bar chart per key figure, the institutions side by side in their colours;
    the highlighted one in full colour against its peers' median (dashed) and quartiles (band)."""
    ids = list(df["institution_id"])
    rotate = len(ids) > 8  # many institutions: their labels slanted, more room under each row
    layout, height = _grid(
        len(figures),
        cols,
        [f"<b>{kf.label}</b>" for kf in figures],
        scale,
        vspace_px=100 if rotate else 70,
        bottom_px=70 if rotate else 40,
    )
    x = [short.get(i, i) for i in ids]
    bar_colours = [colours.get(i, NA_COLOUR) for i in ids]
    opacity = [1 if highlight in (None, i) else 0.3 for i in ids]
    outline = [2 if highlight == i else 0 for i in ids]
    hover_names = [names.get(i, i) for i in ids]
    rows_ = df.to_dict("records")
    data, shapes = [], []
    # one trace per panel (a colour per bar), so the figure stays light with many institutions
    for n, kf in enumerate(figures):
        xa, ya = _axis_ref(n)
        vals = list(df[kf.column])
        na = [is_na(v) for v in vals]
        shown = [format_value(kf.kind, v) for v in vals]
        why = [f" ({na_reason(row, kf.column)})" if a else "" for a, row in zip(na, rows_)]
        data.append(
            {
                "type": "bar",
                "x": x,
                "y": [None if a else float(v) for a, v in zip(na, vals)],
                "xaxis": xa,
                "yaxis": ya,
                "showlegend": False,
                "marker": {
                    "color": bar_colours,
                    "opacity": opacity,
                    "line": {"width": outline, "color": "#222"},
                },
                # values written on the bars while they are few enough to read (hover says it)
                "text": ["" if a or rotate else t for a, t in zip(na, shown)],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [[h, t + w] for h, t, w in zip(hover_names, shown, why)],
                "hovertemplate": "%{customdata[0]}<br>"
                + kf.label
                + ": %{customdata[1]}<extra></extra>",
            }
        )
        layout["annotations"] += [
            {
                "x": xi,
                "y": 0,
                "xref": xa,
                "yref": ya,
                "text": "n/a",
                "showarrow": False,
                "yshift": 14 if rotate else 10,
                "textangle": -90 if rotate else 0,
                "font": {"color": "#666", "size": round((10 if rotate else 13) * scale)},
            }
            for xi, a in zip(x, na)
            if a
        ]
        band = (bands or {}).get(kf.column)
        if band and band.get("n", 0) >= 2 and band["median"] is not None:
            shapes.append(
                {
                    "type": "rect",
                    "xref": f"{xa} domain",
                    "yref": ya,
                    "x0": 0,
                    "x1": 1,
                    "y0": band["q1"],
                    "y1": band["q3"],
                    "fillcolor": "#999",
                    "opacity": 0.18,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
            shapes.append(
                {
                    "type": "line",
                    "xref": f"{xa} domain",
                    "yref": ya,
                    "x0": 0,
                    "x1": 1,
                    "y0": band["median"],
                    "y1": band["median"],
                    "line": {"dash": "dash", "color": "#444", "width": 1.5},
                }
            )
        layout["yaxis" if n == 0 else f"yaxis{n + 1}"].update(_axis_style(kf, scale))
        layout["xaxis" if n == 0 else f"xaxis{n + 1}"].update(
            {
                "categoryorder": "array",
                "categoryarray": x,
                "linecolor": "#888",
                "ticks": "outside",
                "automargin": False,
                "tickangle": -60 if rotate else 0,
                "tickfont": {"size": round((10 if rotate else 13) * scale)},
                "tickmode": "linear",
                "dtick": 1,
            }
        )
    # the legend: one entry per institution, in its colour; with many institutions the
    # slanted labels under the bars name them (and the hover the full name), so a legend of
    # dozens of names, slow to draw and hard to read, is left out
    for i in ids if not rotate else []:
        data.append(
            {
                "type": "bar",
                "x": [None],
                "y": [None],
                "name": names.get(i, i),
                "showlegend": True,
                "marker": {"color": colours.get(i, NA_COLOUR)},
            }
        )
    margin = layout["margin"]
    layout.update(_base_layout(scale, height), barmode="overlay", bargap=0.25, shapes=shapes)
    layout["margin"] = margin
    plot_h = height - margin["t"] - margin["b"]
    layout["legend"].update({"y": 1 + 50 / plot_h, "yanchor": "bottom"})
    return _fig(data, layout)


def bar_chart(
    df: pd.DataFrame,
    kf: KeyFigure,
    colours: dict[str, str],
    names: dict[str, str],
    highlight: str | None = None,
    band: dict | None = None,
    scale: float = 1.0,
    title: str | None = None,
) -> go.Figure:
    """One key figure, one horizontal bar per institution with its value written at the end
    (best at the top); an institution whose figure is n/a gets 'n/a (reason)' instead of a bar."""
    d = df.assign(_v=pd.to_numeric(df[kf.column], errors="coerce"))
    d = d.sort_values("_v", ascending=not kf.higher_is_better, na_position="last")
    ys = [names.get(i, i) for i in d["institution_id"]]
    values = [None if is_na(v) else float(v) for v in d["_v"]]
    texts = [
        format_value(kf.kind, v) if v is not None else f"n/a ({na_reason(r, kf.column)})"
        for v, r in zip(values, d.to_dict("records"))
    ]
    data = [
        {
            "type": "bar",
            "y": ys,
            "x": [0 if v is None else v for v in values],
            "orientation": "h",
            "text": texts,
            "textposition": "outside",
            "cliponaxis": False,
            "textfont": {"size": round(15 * scale)},
            "marker": {
                "color": [
                    colours.get(i, NA_COLOUR) if v is not None else "rgba(0,0,0,0)"
                    for i, v in zip(d["institution_id"], values)
                ],
                "opacity": [1 if highlight in (None, i) else 0.35 for i in d["institution_id"]],
            },
            "hovertemplate": "%{y}: %{text}<extra></extra>",
            "showlegend": False,
        }
    ]
    shapes, notes = [], []
    if band and band.get("n", 0) >= 2 and band["median"] is not None:
        shapes = [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": band["q1"],
                "x1": band["q3"],
                "y0": 0,
                "y1": 1,
                "fillcolor": "#999",
                "opacity": 0.18,
                "line": {"width": 0},
                "layer": "below",
            },
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": band["median"],
                "x1": band["median"],
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dash", "color": "#444"},
            },
        ]
        notes = [
            {
                "x": band["median"],
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": "peers' median",
            }
        ]
    fmt = _axis_format(kf)
    xmax = max([v for v in values if v is not None] or [1])
    if "range" not in fmt and kf.kind != "gap":
        fmt["range"] = [0, xmax * 1.35 if xmax > 0 else 1]
    elif kf.kind in ("score", "rung"):
        fmt["range"] = [0, fmt["range"][1] * 1.15]
    layout = _base_layout(scale, max(300, round((70 * len(ys) + 160) * scale)), title)
    layout.update(
        xaxis=_x(title={"text": kf.unit}, **fmt, showgrid=True, gridcolor="#eee"),
        yaxis=_y(autorange="reversed", gridcolor="rgba(0,0,0,0)"),
        shapes=shapes,
        annotations=notes,
        showlegend=False,
    )
    return _fig(data, layout)


SENTIMENT_ORDER = ("positive", "neutral", "negative", "unscored")


def sentiment_bars(
    df: pd.DataFrame, names: dict[str, str], scale: float = 1.0, title: str | None = None
) -> go.Figure:
    """Each institution's citizen comments by sentiment, top to bottom in the order given:
    stacked shares (unscored shown, never counted as neutral), the comments counted at the right."""
    ys = [names.get(i, i) for i in df["institution_id"]]
    data = []
    for s in SENTIMENT_ORDER:
        vals = [None if is_na(v) else float(v) for v in df[f"{s}_share"]]
        data.append(
            {
                "type": "bar",
                "y": ys,
                "x": vals,
                "name": s,
                "orientation": "h",
                "marker": {
                    "color": theme.SENTIMENT_COLOURS[s],
                    "line": {"width": 0.5 if s == "unscored" else 0, "color": "#888"},
                },
                "text": [f"{100 * v:.0f}%" if v is not None and v >= 0.06 else "" for v in vals],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "hovertemplate": "%{y}<br>" + s + ": %{x:.0%}<extra></extra>",
            }
        )
    notes = []
    for y, r in zip(ys, df.to_dict("records")):
        if is_na(r.get("positive_share")):
            notes.append(
                {
                    "x": 0,
                    "y": y,
                    "xanchor": "left",
                    "showarrow": False,
                    "font": {"color": "#666"},
                    "text": f"n/a ({na_reason(r, 'positive_share')})",
                }
            )
        elif not is_na(r.get("distinct_comments")):
            notes.append(
                {
                    "x": 1.01,
                    "y": y,
                    "xanchor": "left",
                    "showarrow": False,
                    "text": f"{r['distinct_comments']:,.0f}",
                    "font": {"color": "#444", "size": round(12 * scale)},
                }
            )
    layout = _base_layout(scale, max(280, round((60 * len(ys) + 170) * scale)), title)
    layout.update(
        barmode="stack",
        annotations=notes,
        xaxis=_x(
            title={"text": "% of citizen comments (copies counted once; how many at the right)"},
            tickformat=".0%",
            range=[0, 1.1],
            tickvals=[0, 0.25, 0.5, 0.75, 1],
        ),
        yaxis=_y(autorange="reversed", gridcolor="rgba(0,0,0,0)"),
    )
    layout["legend"]["traceorder"] = "normal"
    return _fig(data, layout)


def continuum_grid(
    continuum: pd.DataFrame,
    dimensions: list[tuple[str, str]],
    levels: tuple[str, ...],
    names: dict[str, str],
    order: list[str],
    scale: float = 1.0,
    title: str | None = None,
    by: str = "institution_id",
    columns: list[tuple[str, str]] | None = None,
) -> go.Figure:
    """A grid of continuum levels: rows = institutions (or rounds, by='period_key'), columns =
    the four dimensions and the overall level; each cell coloured by its level, 'n/a' in grey,
    ✎ where a facilitator overrode the computed level."""
    cols = columns or [*dimensions, ("overall", "Overall")]
    rows = [names.get(i, i) for i in order]
    code = {lvl: n for n, lvl in enumerate(levels)}
    cells = {
        (r[by], r["dimension"]): (r["level"], r.get("override_level"), r.get("na_reason"))
        for r in continuum.to_dict("records")
    }
    z, text, why = [], [], []
    for i in order:
        zr, tr, wr = [], [], []
        for key, _ in cols:
            lvl, ov, reason = cells.get((i, key), (None, None, "not placed"))
            lvl = lvl if isinstance(lvl, str) else None
            zr.append(code.get(lvl, -1) if lvl else -1)
            tr.append((lvl or "n/a") + (" ✎" if isinstance(ov, str) else ""))
            wr.append(
                "overridden by a facilitator"
                if isinstance(ov, str)
                else ""
                if lvl
                else f"({reason})"
                if isinstance(reason, str)
                else ""
            )
        z.append(zr)
        text.append(tr)
        why.append(wr)
    # a discrete colour scale: -1 = n/a (grey), then one colour per level
    steps = [NA_COLOUR] + [theme.CONTINUUM_COLOURS.get(lvl, NA_COLOUR) for lvl in levels]
    colorscale = []
    for k, c in enumerate(steps):
        colorscale += [[k / len(steps), c], [(k + 1) / len(steps), c]]
    data = [
        {
            "type": "heatmap",
            "z": z,
            "x": [c[1] for c in cols],
            "y": rows,
            "text": text,
            "texttemplate": "%{text}",
            "colorscale": colorscale,
            "zmin": -1.5,
            "zmax": len(levels) - 0.5,
            "showscale": False,
            "xgap": 4,
            "ygap": 4,
            "textfont": {"size": round(14 * scale), "color": "#111"},
            "customdata": why,
            "hovertemplate": "%{y} · %{x}: %{text} %{customdata}<extra></extra>",
        }
    ]
    for lvl in (*levels, "n/a"):  # the legend: one entry per level
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "markers",
                "name": lvl,
                "showlegend": True,
                "marker": {
                    "symbol": "square",
                    "size": 14,
                    "color": theme.CONTINUUM_COLOURS.get(lvl, NA_COLOUR),
                },
            }
        )
    layout = _base_layout(scale, max(240, round((56 * len(rows) + 150) * scale)), title)
    layout.update(
        xaxis={
            "side": "top",
            "showline": False,
            "ticks": "",
            "showgrid": False,
            "automargin": True,
        },
        yaxis={
            "autorange": "reversed",
            "showgrid": False,
            "showline": False,
            "ticks": "",
            "automargin": True,
        },
    )
    layout["legend"].update({"y": -0.02, "yanchor": "top", "title": {"text": "continuum level: "}})
    return _fig(data, layout)


def rubric_dumbbell(
    df: pd.DataFrame, names: dict[str, str], scale: float = 1.0, title: str | None = None
) -> go.Figure:
    """Insider vs outsider rubric means per institution on the 0–4 scale, top to bottom in the
    order given, joined by a line as long as the gap; 'n/a (reason)' where a side is missing."""
    ys = [names.get(i, i) for i in df["institution_id"]]
    lx, ly, notes = [], [], []
    for y, r in zip(ys, df.to_dict("records")):
        a, b = r.get("rubric_outsider_mean"), r.get("rubric_insider_mean")
        if not is_na(a) and not is_na(b):
            lx += [float(a), float(b), None]
            ly += [y, y, None]
            notes.append(
                {
                    "x": max(a, b),
                    "y": y,
                    "xshift": 24,
                    "showarrow": False,
                    "text": f"gap {b - a:+.2f}",
                    "xanchor": "left",
                    "font": {"size": round(12 * scale), "color": "#444"},
                }
            )
        elif is_na(a) and is_na(b):
            notes.append(
                {
                    "x": 0,
                    "y": y,
                    "xanchor": "left",
                    "showarrow": False,
                    "font": {"color": "#666"},
                    "text": f"n/a ({na_reason(r, 'rubric_gap')})",
                }
            )
    data = [
        {
            "type": "scatter",
            "x": lx,
            "y": ly,
            "mode": "lines",
            "line": {"color": "#999", "width": 4},
            "showlegend": False,
            "hoverinfo": "skip",
        }
    ]
    for persp in ("outsider", "insider"):
        data.append(
            {
                "type": "scatter",
                "x": [None if is_na(v) else float(v) for v in df[f"rubric_{persp}_mean"]],
                "y": ys,
                "mode": "markers",
                "name": f"{persp}s' mean",
                "marker": {
                    "size": round(16 * scale),
                    "color": theme.PERSPECTIVE_COLOURS[persp],
                    "line": {"width": 1, "color": "white"},
                },
                "hovertemplate": "%{y}<br>" + persp + "s: %{x:.2f}<extra></extra>",
            }
        )
    layout = _base_layout(scale, max(260, round((60 * len(ys) + 170) * scale)), title)
    layout.update(
        annotations=notes,
        xaxis=_x(
            title={"text": "mean rubric score (0–4 scale), criteria rated from both sides"},
            range=[-0.1, 4.6],
            dtick=1,
            showgrid=True,
            gridcolor="#eee",
        ),
        yaxis=_y(showgrid=False, categoryorder="array", categoryarray=ys[::-1]),
    )
    return _fig(data, layout)


def latency_bands(
    lat: pd.DataFrame,
    band_labels: list[str],
    colour: str,
    scale: float = 1.0,
    title: str | None = None,
) -> go.Figure:
    """How long the institution took to answer: answered comments per latency band, as %."""
    counts = lat.groupby("band")["comments"].sum() if not lat.empty else pd.Series(dtype="float64")
    total = float(counts.sum()) if not counts.empty else 0.0
    shares = [float(counts.get(i, 0)) / total if total else None for i in range(len(band_labels))]
    top = max([s for s in shares if s is not None] or [1])
    data = [
        {
            "type": "bar",
            "x": band_labels,
            "y": shares,
            "marker": {"color": colour},
            "text": [
                f"{100 * s:.0f}%<br>({counts.get(i, 0):,.0f})" if s is not None else ""
                for i, s in enumerate(shares)
            ],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{x}: %{y:.0%}<extra></extra>",
        }
    ]
    layout = _base_layout(scale, round(380 * scale), title)
    layout.update(
        xaxis=_x(
            title={
                "text": "time from the citizen's comment to the first answer (band edges include "
                "the Seoul tiers' limits)"
            },
            type="category",
        ),
        yaxis=_y(
            title={"text": "% of answered comments"},
            tickformat=".0%",
            range=[0, min(top * 1.3, 1.18)],
        ),
    )
    return _fig(data, layout)


def over_rounds(
    rows: pd.DataFrame,
    figures: list[KeyFigure],
    period_labels: dict[str, str],
    colour: str,
    cols: int = 3,
    scale: float = 1.0,
) -> go.Figure:
    """One institution's key figures round by round (small multiples in the institution's
    colour); `rows` in round order."""
    layout, height = _grid(
        len(figures), cols, [f"<b>{kf.label}</b>" for kf in figures], scale, panel_px=220, top_px=40
    )
    xs = [period_labels.get(k, k) for k in rows["period_key"]]
    data = []
    for n, kf in enumerate(figures):
        xa, ya = _axis_ref(n)
        vals = list(rows[kf.column])
        data.append(
            {
                "type": "bar",
                "x": xs,
                "y": [None if is_na(v) else float(v) for v in vals],
                "xaxis": xa,
                "yaxis": ya,
                "marker": {"color": colour},
                "showlegend": False,
                "text": [format_value(kf.kind, v) if not is_na(v) else "" for v in vals],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        )
        layout["annotations"] += [
            {
                "x": x,
                "y": 0,
                "xref": xa,
                "yref": ya,
                "text": "n/a",
                "showarrow": False,
                "yshift": 10,
                "font": {"color": "#666"},
            }
            for x, v in zip(xs, vals)
            if is_na(v)
        ]
        layout["yaxis" if n == 0 else f"yaxis{n + 1}"].update(_axis_style(kf, scale))
        layout["xaxis" if n == 0 else f"xaxis{n + 1}"].update(
            {
                "categoryorder": "array",
                "categoryarray": xs,
                "linecolor": "#888",
                "ticks": "outside",
                "automargin": False,
            }
        )
    margin = layout["margin"]
    layout.update(_base_layout(scale, height))
    layout["margin"] = margin
    return _fig(data, layout)


def rubric_sections(
    sections: pd.DataFrame, titles: dict[str, str], scale: float = 1.0, title: str | None = None
) -> go.Figure:
    """An institution's rubric by section: insiders' and outsiders' mean (0–4) side by side."""
    order = list(dict.fromkeys(sections["section_id"]))
    data = []
    for persp in ("outsider", "insider"):
        d = sections[sections["perspective"] == persp].set_index("section_id").reindex(order)
        data.append(
            {
                "type": "bar",
                "y": [titles.get(s, s) for s in order],
                "x": [None if is_na(v) else float(v) for v in d["mean"]],
                "name": f"{persp}s",
                "orientation": "h",
                "marker": {"color": theme.PERSPECTIVE_COLOURS[persp]},
                "text": [f"{v:.2f}" if not is_na(v) else "n/a" for v in d["mean"]],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [None if is_na(v) else int(v) for v in d["raters"]],
                "hovertemplate": "%{y}: %{x:.2f} (%{customdata} raters)<extra></extra>",
            }
        )
    layout = _base_layout(scale, max(300, round((55 * len(order) + 170) * scale)), title)
    layout.update(
        barmode="group",
        xaxis=_x(
            title={"text": "mean score of the section's criteria (0–4 scale)"},
            range=[0, 4.6],
            dtick=1,
            showgrid=True,
            gridcolor="#eee",
        ),
        yaxis=_y(autorange="reversed", gridcolor="rgba(0,0,0,0)"),
    )
    return _fig(data, layout)


def criterion_gaps(crit: pd.DataFrame, scale: float = 1.0, title: str | None = None) -> go.Figure:
    """The insider − outsider gap per criterion (criteria rated from both sides only)."""
    d = crit.dropna(subset=["gap"]).drop_duplicates("criterion_id")
    gaps = [float(g) for g in d["gap"]]
    data = [
        {
            "type": "bar",
            "y": list(d["criterion_title"]),
            "x": gaps,
            "orientation": "h",
            "marker": {
                "color": [
                    theme.PERSPECTIVE_COLOURS["insider"]
                    if g >= 0
                    else theme.PERSPECTIVE_COLOURS["outsider"]
                    for g in gaps
                ]
            },
            "text": [f"{g:+.2f}" for g in gaps],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{y}: %{x:+.2f}<extra></extra>",
        }
    ]
    layout = _base_layout(scale, max(300, round((34 * len(d) + 170) * scale)), title)
    layout.update(
        xaxis=_x(
            title={"text": "gap, insiders − outsiders (points, 0–4 scale)"},
            range=[-4.3, 4.3],
            dtick=1,
            showgrid=True,
            gridcolor="#eee",
            zeroline=True,
            zerolinecolor="#444",
            zerolinewidth=2,
        ),
        yaxis=_y(autorange="reversed", gridcolor="rgba(0,0,0,0)"),
    )
    return _fig(data, layout)


def sentiment_months(df: pd.DataFrame, scale: float = 1.0, title: str | None = None) -> go.Figure:
    """Sentiment of an institution's citizen comments month by month (shares, stacked)."""
    total = df["comments"].astype("float64").where(df["comments"] > 0)
    months = [pd.Timestamp(m).strftime("%Y-%m") for m in df["month"]]
    data = []
    for s in SENTIMENT_ORDER:
        share = (df[s] / total).tolist()
        data.append(
            {
                "type": "bar",
                "x": months,
                "y": share,
                "name": s,
                "marker": {"color": theme.SENTIMENT_COLOURS[s]},
                "customdata": [int(v) for v in df[s]],
                "hovertemplate": "%{x}: %{y:.0%} (%{customdata})<extra></extra>",
            }
        )
    layout = _base_layout(scale, round(360 * scale), title)
    layout["legend"]["traceorder"] = "normal"
    layout.update(
        barmode="stack",
        xaxis=_x(title={"text": "month (UTC)"}, type="category"),
        yaxis=_y(
            title={"text": "% of the month's citizen comments"}, tickformat=".0%", range=[0, 1]
        ),
    )
    return _fig(data, layout)


def topics_bar(
    df: pd.DataFrame, colour: str, scale: float = 1.0, title: str | None = None
) -> go.Figure:
    """Citizens' topics in the period: comments per topic (copies once)."""
    d = df.head(12)
    data = [
        {
            "type": "bar",
            "y": list(d["topic"]),
            "x": [int(v) for v in d["comments"]],
            "orientation": "h",
            "marker": {"color": colour},
            "text": [f"{int(v):,}" for v in d["comments"]],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{y}: %{x} comments<extra></extra>",
        }
    ]
    top = max([int(v) for v in d["comments"]] or [1])
    layout = _base_layout(scale, max(260, round((32 * len(d) + 150) * scale)), title)
    layout.update(
        xaxis=_x(
            title={"text": "citizen comments on the topic (copies counted once)"},
            range=[0, top * 1.2],
            tickformat=",d",
            dtick=1 if top <= 10 else None,
            showgrid=True,
            gridcolor="#eee",
        ),
        yaxis=_y(autorange="reversed", gridcolor="rgba(0,0,0,0)"),
    )
    return _fig(data, layout)
