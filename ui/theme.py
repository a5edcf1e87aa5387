"""Colours that mean the same thing on every page: one per institution, one per level."""

from __future__ import annotations

import plotly.express as px

CONTINUUM_COLOURS = {"modest": "#d95f02", "moderate": "#e6ab02", "elaborate": "#1b9e77"}
SENTIMENT_COLOURS = {"positive": "#1b9e77", "neutral": "#b3b3b3", "negative": "#d95f02", "unscored": "#e7e7e7"}
PERSPECTIVE_COLOURS = {"insider": "#7570b3", "outsider": "#66a61e"}
_PALETTE = px.colors.qualitative.Dark24 + px.colors.qualitative.Light24


def institution_colours(institution_ids) -> dict[str, str]:
    """A stable colour per institution: the same institution has the same colour everywhere."""
    ids = sorted(set(institution_ids))
    return {i: _PALETTE[n % len(_PALETTE)] for n, i in enumerate(ids)}


def na(reason: str) -> str:
    """How a figure that cannot be computed is shown: n/a with its reason."""
    return f"n/a ({reason})"
