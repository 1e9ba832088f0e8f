"""The Leaderboard tab's Altair charts: the lab index with its interval, the trajectories within each
lab's window, and the judge-change view's shift, rank and per-model charts. Pure functions of frames
computed by toolkit.query (and a colour per lab from `toolkit.ui.charts.lab_palette`)."""
from __future__ import annotations

from math import ceil
from typing import Mapping

import altair as alt
import pandas as pd

from .charts import AXIS_GREY, label_scale, themed

TRAJECTORY_LABS = 12    # the trajectory chart shows the top N labs of the index


def colour_scale(colours: Mapping[str, str], labs: list[str]) -> alt.Scale:
    return alt.Scale(domain=labs, range=[colours.get(lab, AXIS_GREY) for lab in labs])


def index_chart(labs: pd.DataFrame, colours: Mapping[str, str]):
    """Each lab's index (a dot) and its 95% interval (a bar), labelled with the value, in rank order."""
    if labs.empty:
        return None
    data = labs[["lab", "lab_name", "index", "index_low", "index_high", "answers"]]
    order = data["lab"].tolist()
    y = alt.Y("lab:N", sort=order, title=None)
    color = alt.Color("lab:N", scale=colour_scale(colours, order), legend=None)
    tooltip = ["lab_name:N", alt.Tooltip("index:Q", format=".1f"),
               alt.Tooltip("index_low:Q", format=".1f", title="95% interval from"),
               alt.Tooltip("index_high:Q", format=".1f", title="95% interval to"),
               alt.Tooltip("answers:Q", format=",", title="judged answers")]
    base = alt.Chart(data).encode(y=y, color=color, tooltip=tooltip)
    x = alt.X("index:Q", title="index and its 95% interval",
              scale=alt.Scale(domain=[0, 100], padding=8), axis=alt.Axis(values=list(range(0, 101, 10))))
    ranges = base.mark_rule(strokeWidth=3, opacity=0.6).encode(x=alt.X("index_low:Q"), x2="index_high:Q")
    dots = base.mark_circle(size=90, opacity=1).encode(x=x)
    values = base.mark_text(align="right", dx=-8).encode(x="index_low:Q", text=alt.Text("index:Q", format=".1f"),
                                                       color=alt.value(AXIS_GREY))
    chart = (ranges + dots + values).properties(title="Lab index with its 95% interval")
    return themed(chart, height=max(120, 26 * len(order)))


def month_axis(first: pd.Timestamp, last: pd.Timestamp, title: str) -> alt.X:
    """A month axis with one label per month (every few months on a long span), never repeated."""
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    step = max(1, ceil(span / 7))
    return alt.X("month:T", title=title,
                 axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True,
                               tickCount={"interval": "month", "step": step}))


def trajectory_chart(trajectories: pd.DataFrame, labs: pd.DataFrame, colours: Mapping[str, str]):
    """Each top lab's EMA month by month inside its window (the last point is its index), over a faint
    bar that spans the window at the index's height."""
    top = labs["lab"].head(TRAJECTORY_LABS).tolist()
    data = trajectories[trajectories["lab"].isin(top)].copy()
    if data.empty:
        return None
    data["month"] = pd.to_datetime(data["month"])
    shown = labs[labs["lab"].isin(top)]
    windows = shown[["lab", "lab_name", "index"]].assign(month=pd.to_datetime(shown["window_start"]),
                                                         end=pd.to_datetime(shown["window_end"]))
    x = month_axis(windows["month"].min(), max(windows["end"].max(), data["month"].max()), "release month")
    color = alt.Color("lab:N", scale=colour_scale(colours, top), title="lab",
                      legend=alt.Legend(orient="bottom", columns=4, symbolOpacity=1))
    span = alt.Chart(windows).mark_rule(strokeWidth=6, opacity=0.25, strokeCap="round").encode(
        x=x, x2="end:T", y="index:Q", color=color,
        tooltip=["lab_name:N", alt.Tooltip("month:T", format="%Y-%m-%d", title="window from"),
                 alt.Tooltip("end:T", format="%Y-%m-%d", title="window to"),
                 alt.Tooltip("index:Q", format=".1f")])
    base = alt.Chart(data).encode(
        x=x, y=alt.Y("ema:Q", title="index (EMA of % complete)", scale=alt.Scale(domain=[0, 100])), color=color,
        tooltip=["lab_name:N", alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("ema:Q", format=".1f",
                 title="index so far"), alt.Tooltip("month_mean:Q", format=".1f", title="month mean"), "models:Q"],
    )
    chart = span + base.mark_line(interpolate="monotone", point=alt.OverlayMarkDef(filled=True, size=50))
    return themed(chart.properties(title="Lab index within each lab's window"), height=340)


def shift_chart(aggregate: pd.DataFrame, baseline: str, new: str):
    """Change in each verdict's share, every bar labelled (above a rise, below a fall)."""
    data = aggregate[aggregate["n_from"] + aggregate["n_to"] > 0]
    if data.empty:
        return None
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("label:N", sort=data["label"].tolist(), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("change_points:Q", title="change in share (points)", scale=alt.Scale(nice=True, padding=20),
                axis=alt.Axis(format="+.0f")),
        color=alt.Color("label:N", scale=label_scale(data["label"].tolist()), legend=None),
        tooltip=["label:N", alt.Tooltip("share_from:Q", format=".1f", title=f"% {baseline}"),
                 alt.Tooltip("share_to:Q", format=".1f", title=f"% {new}"),
                 alt.Tooltip("change_points:Q", format="+.1f", title="change (points)")],
    )
    text = alt.Text("change_points:Q", format="+.1f")
    grey = alt.value(AXIS_GREY)
    rises = bars.mark_text(dy=-8).encode(text=text, color=grey).transform_filter("datum.change_points >= 0")
    falls = bars.mark_text(dy=10).encode(text=text, color=grey).transform_filter("datum.change_points < 0")
    rule = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=AXIS_GREY).encode(y="y:Q")
    return themed((bars + rises + falls + rule).properties(title="Change in each verdict's share"),
                  height=260)


def scatter_chart(models: pd.DataFrame, colours: Mapping[str, str], baseline: str, new: str):
    if models.empty:
        return None
    models = models[["model", "lab", "n", "pct_complete_from", "pct_complete_to", "delta_complete"]]
    labs = [lab for lab in colours if lab in set(models["lab"])]
    diagonal = alt.Chart(pd.DataFrame({"x": [0, 100], "y": [0, 100]})).mark_line(
        color=AXIS_GREY, strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")
    points = alt.Chart(models).mark_circle(size=60, opacity=0.85).encode(
        x=alt.X("pct_complete_from:Q", title=["% complete under", baseline], scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("pct_complete_to:Q", title=["% complete under", new], scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("lab:N", scale=colour_scale(colours, labs), title="lab",
                        legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=["model:N", "lab:N", "n:Q", alt.Tooltip("pct_complete_from:Q", format=".1f", title="before"),
                 alt.Tooltip("pct_complete_to:Q", format=".1f", title="after"),
                 alt.Tooltip("delta_complete:Q", format="+.1f", title="change (points)")],
    )
    return themed((diagonal + points).properties(title="% complete per model, old vs new"), height=380)


def rank_chart(labs: pd.DataFrame, colours: Mapping[str, str], baseline: str, new: str):
    """Each lab's rank under the old and the new judge, on a whole-number axis, named at both ends."""
    if labs.empty:
        return None
    long = pd.concat([
        labs[["lab", "rank_from"]].rename(columns={"rank_from": "rank"}).assign(judge=f"1 {baseline}"),
        labs[["lab", "rank_to"]].rename(columns={"rank_to": "rank"}).assign(judge=f"2 {new}"),
    ]).dropna(subset=["rank"])
    long["judge_name"] = long["judge"].str[2:]
    if long.empty:
        return None
    names = [lab for lab in colours if lab in set(labs["lab"])]
    top = int(long["rank"].max())
    encode = dict(
        x=alt.X("judge:N", title=None, axis=alt.Axis(labelExpr="datum.label[0] == '1' ? 'old judge' : 'new judge'",
                                                      labelAngle=0)),
        y=alt.Y("rank:Q", scale=alt.Scale(reverse=True, domain=[0.5, top + 0.5]), title="lab rank",
                axis=alt.Axis(values=list(range(1, top + 1)), format="d")),
        color=alt.Color("lab:N", scale=colour_scale(colours, names), legend=None),
        detail="lab:N", tooltip=["lab:N", alt.Tooltip("judge_name:N", title="judge"),
                                 alt.Tooltip("rank:Q", format="d")])
    lines = alt.Chart(long).mark_line().encode(**encode)
    dots = alt.Chart(long).mark_circle(size=50).encode(**encode)
    left = dots.mark_text(align="right", dx=-8).encode(text="lab:N").transform_filter("datum.judge[0] == '1'")
    right = dots.mark_text(align="left", dx=8).encode(text="lab:N").transform_filter("datum.judge[0] == '2'")
    return themed((lines + dots + left + right).properties(title="Lab rank under each judge"),
                  height=max(240, 24 * top))
