"""The Timeline tab: a metric against release date under the chosen judge, a dot per model, the
monthly mean and the 3-month-half-life EMA overall and per lab, and a second judge's overall EMA as
a ghost line (how the trend moves with the judge).

Computed by `toolkit.query.timeline`. Labs: click one in the legend to pin it (the others fade).
State in the URL: ?tab=timeline&judge=..&ghost=..&metric=complete|evasive|denial|error&set=..
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import altair as alt
import gradio as gr
import pandas as pd

from toolkit.query import inputs
from toolkit.query.migration import overlap_partner
from toolkit.query.timeline import METRICS, timeline_months, timeline_points
from toolkit.storage.store import Store

from .charts import AXIS_GREY, lab_scale, themed
from .columns import table_value
from .common import guarded, plain
from .context import AppContext
from .url_state import UrlBar, view_query
from .wiring import (
    chosen, default_question_set, follow_link, model_link, offer_csv, on_url, question_set_choices, refusal,
    table,
)

TAB = "timeline"
NO_GHOST = "(none)"
OVERALL_COLOR = "#fca716"
POINT_COLUMNS = ["model", "value", "n", "release_date", "lab", "lab_name"]
MONTH_COLUMNS = ["month", "series", "lab_name", "month_mean", "ema", "models", "lab"]
TICK_STEPS = (1, 2, 3, 6, 12)   # months between x-axis ticks
MAX_TICKS = 8                  # at most this many month labels fit a phone's width


@dataclass(frozen=True)
class TimelineState:
    judge: str | None
    question_set: str
    metric: str = "complete"
    ghost: str = NO_GHOST         # the second judge drawn as a ghost, or NO_GHOST

    def query(self) -> dict[str, Any]:
        return {"judge": self.judge, "set": self.question_set, "metric": self.metric,
                "ghost": None if self.ghost == NO_GHOST else self.ghost}


def state_from_query(store: Store, params: Mapping[str, str]) -> TimelineState:
    """The view's state from URL parameters (or control values); Rejected for an unknown value. The
    ghost judge defaults to the judge that shares the most responses with the chosen one."""
    judges = store.judge_names()
    judge = chosen(params.get("judge"), judges, store.default_judge(), "judge")
    question_set = chosen(params.get("set"), question_set_choices(store), default_question_set(store), "question set")
    metric = chosen(params.get("metric"), list(METRICS), "complete", "metric")
    ghost = chosen(params.get("ghost"), [*judges, NO_GHOST], None, "ghost judge")
    if ghost is None:
        partner = overlap_partner(store, judge, None if question_set == inputs.ALL_SETS else question_set)
        ghost = partner or NO_GHOST
    return TimelineState(judge, question_set, metric, ghost)


def month_axis(dates: pd.Series, title: str | None = "release date") -> alt.Axis:
    """A time axis with one tick every 1, 2, 3, 6 or 12 months, the smallest step that keeps at most
    MAX_TICKS labels: each label names a different month (Vega's own ticks can fall twice in one
    month, which "%b %Y" prints twice)."""
    span = (dates.max().year - dates.min().year) * 12 + dates.max().month - dates.min().month + 1
    step = next((s for s in TICK_STEPS if span / s <= MAX_TICKS), 12 * (span // (12 * MAX_TICKS) + 1))
    return alt.Axis(format="%b %Y", labelAngle=0, title=title, tickCount={"interval": "month", "step": step},
                    labelOverlap=True)


def timeline_chart(points: pd.DataFrame, months: pd.DataFrame, ghost: pd.DataFrame | None,
                   colors: Mapping[str, str], metric: str, ghost_judge: str | None):
    """Dots (one per model), per-lab EMA lines, the overall monthly mean and EMA, the ghost EMA."""
    if points.empty:
        return None
    points = points.assign(release_date=pd.to_datetime(points["release_date"]))
    months = months.assign(month=pd.to_datetime(months["month"]))
    labs = sorted(points["lab"].dropna().unique().tolist())
    pin = alt.selection_point(fields=["lab"], bind="legend")
    faded = alt.condition(pin, alt.value(0.9), alt.value(0.12))
    axis = month_axis(pd.concat([points["release_date"], months["month"]]))
    x, month_x = alt.X("release_date:T", axis=axis), alt.X("month:T", axis=axis)
    # Every layer's y names the same axis title and scale (else Vega joins the field names).
    y, ema_y = (alt.Y(f"{field}:Q", title=f"% {metric}", scale=alt.Scale(domain=[0, 100]))
                for field in ("value", "ema"))
    color = alt.Color("lab:N", scale=lab_scale(labs, colors),
                      legend=alt.Legend(title="lab (click to pin)", orient="bottom", columns=2))
    dots = alt.Chart(points).mark_circle(size=55).encode(
        x=x, y=y, color=color, opacity=faded,
        tooltip=["model:N", "lab_name:N", alt.Tooltip("release_date:T", format="%Y-%m-%d"),
                 alt.Tooltip("value:Q", format=".1f", title=f"% {metric}"), "n:Q"]).add_params(pin)
    per_lab = alt.Chart(months[months["series"] == "lab"]).mark_line(interpolate="monotone", strokeWidth=1.5).encode(
        x=month_x, y=ema_y, color=color, opacity=faded,
        tooltip=["lab_name:N", alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("ema:Q", format=".1f")])
    overall = months[months["series"] == "all"]
    mean = alt.Chart(overall).mark_point(shape="diamond", color=OVERALL_COLOR, size=40).encode(
        x=month_x, y=alt.Y("month_mean:Q", title=f"% {metric}", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("month_mean:Q", format=".1f", title="month mean"),
                 "models:Q"])
    ema = alt.Chart(overall).mark_line(color=OVERALL_COLOR, strokeWidth=3.5).encode(
        x=month_x, y=ema_y, tooltip=[alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("ema:Q", format=".1f")])
    layers = [per_lab, dots, mean, ema]
    if ghost is not None and not ghost.empty:
        ghost = ghost[ghost["series"] == "all"].assign(month=lambda f: pd.to_datetime(f["month"]), judge=ghost_judge)
        layers.append(alt.Chart(ghost).mark_line(color=AXIS_GREY, strokeDash=[6, 4], strokeWidth=2.5, opacity=0.8)
                      .encode(x=month_x, y=ema_y, tooltip=["judge:N", alt.Tooltip("month:T", format="%Y-%m"),
                                                             alt.Tooltip("ema:Q", format=".1f")]))
    fit = alt.AutoSizeParams(type="fit-x", contains="padding")   # the height grows to hold the legend
    return themed(alt.layer(*layers).properties(autosize=fit), height=420)


def timeline_view(store: Store, state: TimelineState) -> dict[str, Any]:
    """The chart, per-model points and per-month series under the judge (and the ghost's overall EMA)."""
    points = timeline_points(store, state.judge, state.metric, state.question_set)
    months = timeline_months(points)
    ghost_judge = state.ghost if state.ghost not in (NO_GHOST, state.judge) else None
    ghost = (timeline_months(timeline_points(store, ghost_judge, state.metric, state.question_set))
             if ghost_judge else None)
    chart = timeline_chart(points, months, ghost, inputs.lab_colors(store), state.metric, ghost_judge)
    text = (f"{len(points)} models with a release date; {months['lab'].nunique()} labs with a line. Dots: models; "
            "diamonds: the monthly mean; thick line: the EMA of all models; thin lines: each lab's EMA"
            + (f"; dashed grey: the EMA under {ghost_judge}." if ghost_judge else "."))
    return {"chart": chart, "text": text, "title": f"% {state.metric} under {state.judge}", "points": points,
            "months": months}


def points_value(points: pd.DataFrame, metric: str) -> gr.Dataframe:
    """The models table for people: the value headed by its metric ("% denial"); the CSV keeps `value`."""
    shown = points.rename(columns={"value": f"pct_{metric}"})
    return table_value(shown, [f"pct_{metric}" if c == "value" else c for c in POINT_COLUMNS])


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    if not store.judge_names():
        gr.Markdown("This data has no judgements yet.")
        return
    # "phone-collapsed": the app closes this accordion on a narrow screen (toolkit.ui.app).
    with gr.Accordion("Options", open=True, elem_classes=["phone-collapsed"], elem_id="tl-options"), gr.Row():
        metric = gr.Radio(list(METRICS), value="complete", label="Metric (%)", elem_id="tl-metric")
        judge = gr.Dropdown(store.judge_names(), label="Judge", elem_id="tl-judge")
        ghost = gr.Dropdown([*store.judge_names(), NO_GHOST], label="Ghost judge (dashed)", elem_id="tl-ghost")
        question_set = gr.Dropdown(question_set_choices(store), label="Question set", elem_id="tl-set")
    url_bar = UrlBar("tl")
    status = gr.Textbox(show_label=False, interactive=False, container=False, elem_id="tl-status")
    chart_title = gr.Markdown(elem_id="tl-chart-title")
    chart = gr.Plot(show_label=False, elem_id="tl-chart")
    points_frame, points_csv = table("Models", "tl-points")
    months_frame, months_csv = table("Monthly means and EMA", "tl-months")
    controls = [judge, question_set, metric, ghost]
    outputs = [*controls, url_bar.query, status, chart_title, chart, points_frame, months_frame]
    refused = refusal(len(outputs), outputs.index(status))

    def compute(state: TimelineState) -> list[Any]:
        view = timeline_view(store, state)
        return [state.judge, state.question_set, state.metric, state.ghost, view_query(TAB, state.query()),
                view["text"], f"#### {plain(view['title'])}", view["chart"],
                points_value(view["points"], state.metric), table_value(view["months"], MONTH_COLUMNS)]

    def state_of(j: str, s: str, m: str, g: str) -> TimelineState:
        return state_from_query(store, {"judge": j, "set": s, "metric": m, "ghost": g or NO_GHOST})

    @guarded("timeline_change", refused)
    def on_change(j: str, s: str, m: str, g: str):
        return compute(state_of(j, s, m, g))

    def frame_of(key: str):
        def frame(j: str, s: str, m: str, g: str) -> tuple[pd.DataFrame, str]:
            state = state_of(j, s, m, g)
            stem = f"{state.metric}_{state.judge}_{state.question_set}"
            return timeline_view(store, state)[key], f"timeline_{'models' if key == 'points' else key}_{stem}"
        return frame

    on_url(blocks, "timeline_load", lambda params, request: compute(state_from_query(store, params)), outputs,
           refused)
    for control in controls:
        control.input(on_change, controls, outputs)
    offer_csv(points_csv, "timeline_csv_points", frame_of("points"), controls)
    offer_csv(months_csv, "timeline_csv_months", frame_of("months"), controls)
    follow_link(points_frame, lambda j, row: model_link(row[0], j, None) if row else None, judge)
