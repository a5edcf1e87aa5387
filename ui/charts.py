"""Showing a chart with its exports: PNG (Plotly + kaleido, offline) and the data as CSV."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

PNG_SIZE = (1200, 675)


def png_bytes(fig: go.Figure, width: int = PNG_SIZE[0], height: int = PNG_SIZE[1]) -> bytes:
    """The figure as a PNG image (kaleido drives the local chromium; nothing is downloaded)."""
    return fig.to_image(format="png", width=width, height=height, scale=1)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chart"


def show(fig: go.Figure, data: pd.DataFrame, name: str, key: str | None = None, png_size: tuple[int, int] | None = None, theme: str | None = "streamlit") -> None:
    """Render the chart with 'PNG' and 'CSV' download buttons (the PNG is made on click).

    png_size: (width, height) of the PNG in pixels; PNG_SIZE when not given. theme: None
    keeps the figure's own fonts and colours (as in its PNG) instead of Streamlit's."""
    st.plotly_chart(fig, use_container_width=True, key=f"chart-{key or _slug(name)}", theme=theme)
    slug = _slug(name)
    w, h = png_size or PNG_SIZE
    c1, c2, _ = st.columns([1, 1, 6])
    c1.download_button("PNG", data=lambda: png_bytes(fig, w, h), file_name=f"{slug}.png", mime="image/png", key=f"png-{key or slug}", on_click="ignore")
    c2.download_button("CSV", data=data.to_csv(index=False).encode("utf-8"), file_name=f"{slug}.csv", mime="text/csv", key=f"csv-{key or slug}", on_click="ignore")
