"""Institutions: accounts, latest followers, recent posts, last collection; followers over time."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from ui import data

TITLE = "Institutions"
ICON = ":material/account_balance:"
ORDER = 10
ROLES = None
DEFAULT = True

OVERVIEW_SQL = """
WITH latest AS (
    SELECT account_id, followers, snapshot_at,
           row_number() OVER (PARTITION BY account_id ORDER BY snapshot_at DESC) AS rn
    FROM account_snapshots WHERE source = 'api'
), ref AS (SELECT max(snapshot_at) AS t FROM account_snapshots),
recent AS (
    SELECT p.account_id, count(*) AS n FROM posts p, ref
    WHERE p.kind = 'post' AND p.created_at > ref.t - INTERVAL 30 DAY AND p.created_at <= ref.t
    GROUP BY p.account_id
), ok AS (
    SELECT ra.account_id, max(ra.finished_at) AS last_ok FROM run_accounts ra
    WHERE ra.status = 'ok' GROUP BY ra.account_id
)
SELECT i.institution_id, i.name, i.type, i.region,
       count(a.account_id) AS accounts,
       string_agg(DISTINCT a.platform, ', ' ORDER BY a.platform) AS platforms,
       sum(l.followers) AS followers,
       count(l.followers) AS accounts_with_followers,
       coalesce(sum(r.n), 0) AS posts_30d,
       max(ok.last_ok) AS last_collected
FROM institutions i
LEFT JOIN accounts a USING (institution_id)
LEFT JOIN latest l ON l.account_id = a.account_id AND l.rn = 1
LEFT JOIN recent r ON r.account_id = a.account_id
LEFT JOIN ok ON ok.account_id = a.account_id
GROUP BY ALL
ORDER BY i.region, i.institution_id
"""

ACCOUNTS_SQL = """
SELECT a.platform, a.handle, a.status, l.followers, l.snapshot_at AS followers_at
FROM accounts a
LEFT JOIN (
    SELECT account_id, followers, snapshot_at,
           row_number() OVER (PARTITION BY account_id ORDER BY snapshot_at DESC) AS rn
    FROM account_snapshots WHERE source = 'api'
) l ON l.account_id = a.account_id AND l.rn = 1
WHERE a.institution_id = ?
ORDER BY a.platform, a.handle
"""

SERIES_SQL = """
SELECT s.snapshot_at, a.platform || ' ' || a.handle AS account, s.followers
FROM account_snapshots s JOIN accounts a USING (account_id)
WHERE a.institution_id = ? AND s.followers IS NOT NULL
ORDER BY s.snapshot_at
"""


def render() -> None:
    st.title("Institutions")
    try:
        df = data.query(OVERVIEW_SQL)
    except data.Unavailable as exc:
        st.warning(str(exc))
        return
    st.caption(data.data_as_of())
    if df.empty:
        st.info("No institutions registered yet. Load a registry with `closer registry load institutions.csv accounts.csv rounds.csv`.")
        return
    regions = df["region"].nunique()
    c1, c2, c3 = st.columns(3)
    c1.metric("Institutions", len(df))
    c2.metric("Locations", regions)
    c3.metric("Accounts", int(df["accounts"].sum()))
    show = df.copy()
    show["followers"] = show.apply(lambda r: "n/a (no platform gives followers yet)" if r["accounts_with_followers"] == 0 else f"{int(r['followers']):,}", axis=1)
    show["last_collected"] = show["last_collected"].apply(lambda t: "never" if t is None or str(t) == "NaT" else f"{t:%Y-%m-%d %H:%M}")
    st.dataframe(
        show[["institution_id", "name", "type", "region", "platforms", "accounts", "followers", "posts_30d", "last_collected"]],
        hide_index=True,
        use_container_width=True,
        column_config={
            "posts_30d": st.column_config.NumberColumn("posts, last 30 days", help="Original posts (not replies or reposts) in the 30 days before the latest snapshot"),
            "followers": st.column_config.TextColumn("followers (latest)", help="Sum of the latest follower count of each account that gives one"),
            "last_collected": st.column_config.TextColumn("last successful collection"),
        },
    )
    st.subheader("Followers over time")
    choice = st.selectbox("Institution", df["institution_id"], format_func=lambda i: f"{df.set_index('institution_id').loc[i, 'name']} ({i})")
    acc = data.query(ACCOUNTS_SQL, (choice,))
    acc["followers"] = acc["followers"].apply(lambda v: "n/a (not given by this platform)" if v is None or pd.isna(v) else f"{int(v):,}")
    st.dataframe(acc, hide_index=True, use_container_width=True, column_config={"followers_at": st.column_config.DatetimeColumn("snapshot (UTC)", format="YYYY-MM-DD HH:mm")})
    series = data.query(SERIES_SQL, (choice,))
    if series.empty:
        st.info("n/a: no follower counts collected for this institution yet.")
        return
    fig = px.line(series, x="snapshot_at", y="followers", color="account", markers=True, labels={"snapshot_at": "snapshot (UTC)", "followers": "followers (accounts)", "account": "account"})
    fig.update_layout(legend_orientation="h", legend_y=-0.25, margin=dict(t=20))
    st.plotly_chart(fig, use_container_width=True)
