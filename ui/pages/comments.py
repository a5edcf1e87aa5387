"""What citizens write back, per institution and period: sentiment over time (positive,
neutral, negative and unscored), topics and their change, distinctive terms, questions and
how many were answered, hate-speech flags by category (counts only, never names), and the
institutions side by side. Figures come from closer.analysis.summaries (SQL over
comment_analysis); definitions in docs/analysis.md."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import streamlit as st

from closer.analysis import summaries, terms, topics
from closer.analysis.hate import CATEGORIES
from ui import data, theme

TITLE = "Comments"
ICON = ":material/forum:"
ORDER = 25
ROLES = None

SENTIMENT_COLOURS = theme.SENTIMENT_COLOURS  # the same colours on every page


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


def _period_choice(rounds: pd.DataFrame) -> summaries.Period:
    options = ["all time"] + [f"round {r.round_id}" for r in rounds.itertuples()] + ["dates…"]
    labels = {
        f"round {r.round_id}": f"{r.name} ({r.starts_on:%d %b %Y} – {r.ends_on:%d %b %Y})"
        for r in rounds.itertuples()
    }
    choice = st.selectbox(
        "Period", options, format_func=lambda o: labels.get(o, o), key="comments_period"
    )
    if choice == "all time":
        return summaries.ALL_TIME
    if choice.startswith("round "):
        rid = choice.removeprefix("round ")
        r = rounds.set_index("round_id").loc[rid]
        return summaries.parse_period(rid, {rid: (r["starts_on"], r["ends_on"])})
    today = dt.date.today()
    c1, c2 = st.columns(2)
    first = c1.date_input("From", today - dt.timedelta(days=90), key="comments_from")
    last = c2.date_input("To (included)", today, key="comments_to")
    if last < first:
        st.warning("The period ends before it starts; showing all time instead.")
        return summaries.ALL_TIME
    return summaries.parse_period(f"{first.isoformat()}..{last.isoformat()}")


def _sentiment(params: dict) -> None:
    st.subheader("Sentiment over time")
    df = data.query(summaries.SENTIMENT_BY_MONTH_SQL, params)
    if df.empty:
        st.info("n/a: no analysed comments in this period.")
        return
    total = int(df["comments"].sum())
    unscored = int(df["unscored"].sum())
    c1, c2, c3, c4 = st.columns(4)
    scored = total - unscored
    c1.metric("Comments (copies once)", f"{total:,}")
    c2.metric(
        "Scored",
        _share(scored, total),
        help="Share with a sentiment score: English or Romanian comments",
    )
    c3.metric("Positive, of scored", _share(int(df["positive"].sum()), scored))
    c4.metric("Negative, of scored", _share(int(df["negative"].sum()), scored))
    long = df.melt(
        id_vars=["month", "comments"],
        value_vars=list(SENTIMENT_COLOURS),
        var_name="sentiment",
        value_name="n",
    )
    long["share"] = long["n"] / long["comments"]
    fig = px.bar(
        long,
        x="month",
        y="share",
        color="sentiment",
        color_discrete_map=SENTIMENT_COLOURS,
        category_orders={"sentiment": list(SENTIMENT_COLOURS)},
        labels={"month": "month (UTC)", "share": "share of comments"},
        hover_data={"n": True},
    )
    fig.update_layout(
        yaxis_tickformat=".0%", legend_orientation="h", legend_y=-0.25, margin={"t": 20}
    )
    st.plotly_chart(fig, width="stretch")
    st.caption(
        "Shares of each month's comments (a copy group counts once). Unscored: a language with no "
        "sentiment lexicon (only English and Romanian are scored) or undetermined language — "
        "never counted as neutral. Labels: VADER compound ≥ 0.05 positive, ≤ −0.05 negative."
    )


def _topics(params: dict, period: summaries.Period) -> None:
    st.subheader("Topics")
    df = data.query(summaries.TOPICS_SQL, params)
    if df.empty:
        st.info("n/a: no comment in this period (or the one before) matched a topic.")
        return
    labels = topics.labels()
    df["topic"] = df["topic"].map(lambda t: labels.get(t, t))
    if period is summaries.ALL_TIME:
        df["change"] = "n/a (all time has no period before)"
    else:
        df["change"] = [
            f"{n - p:+d}" if p else "n/a (none before)"
            for n, p in zip(df["comments"], df["previous"])
        ]
    st.dataframe(
        df[["topic", "comments", "previous", "change"]],
        hide_index=True,
        width="stretch",
        column_config={
            "previous": st.column_config.NumberColumn(
                "previous period", help="Same length, just before"
            )
        },
    )


def _terms(institution: str, period: summaries.Period) -> None:
    st.subheader("Distinctive terms")
    params = (institution, period.start, period.end)
    coverage = data.query(terms.COVERAGE_SQL, params).iloc[0]
    reason = terms.not_comparable_reason(int(coverage["own"]), int(coverage["others"]))
    if reason:
        st.info(f"n/a: {reason}.")
        return
    df = data.query(terms.DISTINCTIVE_SQL, (*params, 20, terms.MIN_COUNT, terms.ALPHA0))
    if df.empty:
        st.info(
            f"None: no term used in {terms.MIN_COUNT} or more comments stands out"
            " against the other institutions."
        )
        return
    st.dataframe(
        df,
        hide_index=True,
        width="stretch",
        column_config={
            "comments": st.column_config.NumberColumn(
                "comments", help="This institution's comments using the term"
            ),
            "other_comments": st.column_config.NumberColumn("other institutions"),
            "z": st.column_config.NumberColumn(
                "z (log-odds)",
                format="%.2f",
                help="Weighted log-odds with an informative Dirichlet prior;"
                " higher = more typical of this institution",
            ),
        },
    )


def _questions(params: dict) -> None:
    st.subheader("Questions")
    row = data.query(summaries.QUESTIONS_SQL, params).iloc[0]
    questions, answered = int(row["questions"]), int(row["answered"])
    c1, c2, c3 = st.columns(3)
    c1.metric("Questions", f"{questions:,}")
    c2.metric("Answered", f"{answered:,}")
    c3.metric("Answered share", _share(answered, questions))
    if not questions:
        st.caption("Answered share: n/a (no questions in this period).")
    st.caption(
        "Answered: the institution replied later in the same thread branch"
        " (a reply whose chain of parents includes the question)."
    )


def _hate(params: dict) -> None:
    st.subheader("Hate speech and abuse")
    totals = data.query(summaries.HATE_TOTALS_SQL, params).iloc[0]
    assessed, flagged = int(totals["assessed"]), int(totals["flagged"])
    c1, c2 = st.columns(2)
    c1.metric("Flagged comments", f"{flagged:,}")
    c2.metric(
        "Share of assessed",
        _share(flagged, assessed),
        help="Assessed: comments in a language with a lexicon (Romanian, English) or undetermined",
    )
    df = data.query(summaries.HATE_SQL, params)
    if not df.empty:
        df["category"] = df["category"].map(lambda c: CATEGORIES.get(c, c))
        df["share of assessed"] = [_share(n, assessed) for n in df["comments"]]
        st.dataframe(
            df[["category", "comments", "share of assessed"]], hide_index=True, width="stretch"
        )
    st.caption(
        "Counts only: who wrote a flagged comment is never shown."
        " A comment can be in several categories."
    )


def _comparison(period: summaries.Period) -> None:
    st.subheader("All institutions")
    df = data.query(summaries.COMPARISON_SQL, (period.start, period.end))
    if df.empty:
        return
    labels = topics.labels()
    show = pd.DataFrame(
        {
            "institution": df["name"],
            "region": df["region"],
            "comments": df["comments"],
            "scored": [_share(s, d) for s, d in zip(df["scored"], df["distinct_comments"])],
            "positive (of scored)": [_share(p, s) for p, s in zip(df["positive"], df["scored"])],
            "negative (of scored)": [_share(n, s) for n, s in zip(df["negative"], df["scored"])],
            "questions": df["questions"],
            "answered": [_share(a, q) for a, q in zip(df["answered"], df["questions"])],
            "hate/abuse (of assessed)": [
                _share(h, a) for h, a in zip(df["hate_flagged"], df["hate_assessed"])
            ],
            "top topics": [
                ", ".join(labels.get(t, t) for t in tt.split(", "))
                if isinstance(tt, str)
                else "n/a"
                for tt in df["top_topics"]
            ],
        }
    )
    st.dataframe(show, hide_index=True, width="stretch")
    st.caption(
        "n/a: nothing to divide by (no comments, no scored comments or no questions in the period)."
    )


def render() -> None:
    st.title("Comments")
    try:
        institutions = data.query(
            "SELECT institution_id, name FROM institutions ORDER BY region, institution_id"
        )
        analysed = data.scalar("SELECT count(*) FROM comment_analysis")
        rounds = data.query(
            "SELECT round_id, name, starts_on, ends_on FROM rounds ORDER BY starts_on"
        )
    except data.Unavailable as exc:
        st.warning(str(exc))
        return
    st.caption(data.data_as_of())
    if institutions.empty:
        st.info("No institutions registered yet. Load a registry with `closer registry load …`.")
        return
    if not analysed:
        st.info(
            "n/a: no analysed comments yet. Run `closer analyse` (or `closer collect --analyse`)."
        )
        return
    names = dict(zip(institutions["institution_id"], institutions["name"]))
    c1, c2 = st.columns(2)
    with c1:
        institution = st.selectbox(
            "Institution",
            list(names),
            format_func=lambda i: f"{names[i]} ({i})",
            key="comments_institution",
        )
    with c2:
        period = _period_choice(rounds)
    params = summaries.period_params(institution, period)
    _sentiment(params)
    _topics(params, period)
    _terms(institution, period)
    _questions(params)
    _hate(params)
    _comparison(period)
