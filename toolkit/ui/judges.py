"""The Judge sensitivity tab: how much each model's % COMPLETE and rank depend on the judge.

Everything is computed by `toolkit.query.sensitivity`; this module flags the judge-dependent models,
shapes the tables, draws the chart and wires the events (toolkit.ui.wiring). The view computes
through the app's lazy `blocks.load`, so only when it is shown.
State in the URL: ?tab=judges&set=..&judges=J1,J2,..
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import altair as alt
import gradio as gr
import pandas as pd

from toolkit.query.sensitivity import (
    RANK_FLAG,
    SPREAD_FLAG,
    Sensitivity,
    flag_judges,
    judge_dependent,
    sensitivity,
)
from toolkit.storage.store import Store

from .charts import COLOUR_NAMES, JUDGE_COLORS, judge_scale, themed
from .columns import MISSING, PCT, column, header, table_value
from .common import Rejected, guarded, plain
from .context import AppContext
from .url_state import UrlBar, view_query
from .wiring import (
    chosen, default_question_set, follow_link, model_link, offer_csv, on_url, question_set_choices, refusal,
    table,
)

TAB = "judges"
FLAG = "judge-dependent"
LABEL_LIMIT = 150      # px of a model name on the movers chart's axis
MOVERS = 15            # the chart and the movers table show the N models whose rank moves most
PAIR_COLUMNS = ["judge_a", "judge_b", "models", "kendall_tau_b"]
MOVER_COLUMNS = ["model", "rank_move", "spread", "best_rank", "worst_rank", "min_pct_complete",
                 "max_pct_complete", "lab", "judges"]


# -- the judge sensitivity view ----------------------------------------------------------------
@dataclass(frozen=True)
class JudgesState:
    question_set: str
    judges: tuple[str, ...]      # the judges compared

    def query(self) -> dict[str, Any]:
        return {"set": self.question_set, "judges": list(self.judges)}


def default_judges(store: Store) -> tuple[str, ...]:
    """The judges compared by default: the ones the judge-dependent flag compares."""
    return tuple(flag_judges(store))


def state_from_query(store: Store, params: Mapping[str, str]) -> JudgesState:
    """The view's state from URL parameters (or control values); Rejected for an unknown set or judge."""
    known = store.judge_names()
    wanted = tuple(j for j in (params.get("judges") or "").split(",") if j)
    for judge in wanted:
        chosen(judge, known, None, "judge")
    return JudgesState(chosen(params.get("set"), question_set_choices(store), default_question_set(store),
                              "question set"),
                       wanted if len(wanted) >= 2 else default_judges(store))


def wide_scores(report: Sensitivity, judges: Sequence[str]) -> pd.DataFrame:
    """One row per model: flag, spread, rank move, then its % COMPLETE and rank under each judge;
    the biggest rank moves first (the order of `report.models`)."""
    models = report.models.assign(flag=lambda f: judge_dependent(f).map({True: FLAG, False: ""}))
    scores = report.scores.pivot(index="model", columns="judge", values="pct_complete")
    ranks = report.scores.pivot(index="model", columns="judge", values="rank")
    wide = models[["model", "lab", "flag", "spread", "rank_move", "judges"]].set_index("model")
    for judge in judges:
        wide[f"% {judge}"] = scores.get(judge)
    for judge in judges:
        wide[f"rank {judge}"] = ranks.get(judge).astype("Int64") if judge in ranks else pd.NA
    return wide.reset_index()


def scores_value(wide: pd.DataFrame, judges: Sequence[str]) -> gr.Dataframe:
    """The wide table for people: model, spread and rank move, the scores and ranks under each judge
    (headers name the judge in full), then flag, lab and judge count, so that a phone shows the
    numbers beside the model. Numbers formatted as `columns.table_value` does; they still sort."""
    per_judge = {**{f"% {j}": (f"% complete, {j}", PCT) for j in judges},
                 **{f"rank {j}": (f"Rank, {j}", "{:,.0f}") for j in judges}}
    names = [c for c in ["model", "spread", "rank_move", *per_judge, "flag", "lab", "judges"] if c in wide.columns]
    shown = wide[names]
    headers = {c: per_judge[c][0] if c in per_judge else header(c) for c in names}
    numbers = {headers[c]: per_judge[c][1] if c in per_judge else column(c).number for c in names
               if (c in per_judge or column(c).number) and pd.api.types.is_numeric_dtype(shown[c])}
    kinds = ["number" if pd.api.types.is_numeric_dtype(shown[c]) else "str" for c in names]
    styled = shown.rename(columns=headers).style.format(numbers, na_rep=MISSING)
    return gr.Dataframe(value=styled, datatype=kinds)


def movers_chart(report: Sensitivity, judges: Sequence[str]):
    """A dot per judge on one % COMPLETE axis for each of the MOVERS models whose rank moves most."""
    top = report.models["model"].head(MOVERS).tolist()
    data = report.scores[report.scores["model"].isin(top)][["model", "judge", "pct_complete", "rank"]]
    if data.empty:
        return None
    scale = judge_scale(list(judges))
    rule = alt.Chart(data).mark_rule(color="#8a8f98").encode(
        y=alt.Y("model:N", sort=top, title=None), x="min(pct_complete):Q", x2="max(pct_complete):Q")
    height = max(200, 24 * len(top))
    dots = alt.Chart(data).mark_circle(size=90, opacity=0.9).encode(
        y=alt.Y("model:N", sort=top, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=alt.X("pct_complete:Q", title="% complete", scale=alt.Scale(domain=[0, 100])),
        # No legend: a bottom legend starts under the plot and cuts long judge names on a phone;
        # the key is written above the chart (`colour_key`).
        color=alt.Color("judge:N", scale=scale, legend=None),
        tooltip=["model:N", "judge:N", alt.Tooltip("pct_complete:Q", format=".1f", title="% complete"),
                 alt.Tooltip("rank:Q", format="d")])
    return themed(rule + dots, height=height)


def colour_key(judges: Sequence[str]) -> str:
    """The movers chart's key in words, one judge a line (names from the data as plain text)."""
    return "  \n".join(f"<span style='color:{JUDGE_COLORS[i % len(JUDGE_COLORS)]}'>●</span> "
                        f"{COLOUR_NAMES[i % len(COLOUR_NAMES)]}: {plain(judge)}" for i, judge in enumerate(judges))


def judges_view(store: Store, state: JudgesState) -> dict[str, Any]:
    """Tables, chart and summary of the judge sensitivity view."""
    judges = list(state.judges)
    report = sensitivity(store, state.question_set, judges=judges)
    wide = wide_scores(report, judges)
    movers = report.models.head(MOVERS)
    flags = int((wide["flag"] == FLAG).sum())
    summary = (f"{len(wide):,} models scored by {len(judges)} judges; {flags} flagged {FLAG} "
               f"(% complete differs by >= {SPREAD_FLAG:g} points between two judges, or the rank "
               f"by >= {RANK_FLAG} places).")
    return {"summary": summary, "scores": wide, "pairs": report.pairs[PAIR_COLUMNS],
            "movers": movers[[c for c in MOVER_COLUMNS if c in movers.columns]],
            "chart": movers_chart(report, judges), "chart_title": f"The {len(movers)} biggest rank moves: "
            "% complete per judge"}


EXPLANATION = (
    "For every model: its % COMPLETE under each judge (UNKNOWN and ERROR count in n, as on the "
    "leaderboard), the spread (highest minus lowest, in points) and its rank under each judge among "
    "the models that judge scored (competition ranking: 1, 2, 2, 4); rank move = worst rank minus best "
    f"rank. A model is flagged **{FLAG}** when the spread is at least {SPREAD_FLAG:g} points or the rank "
    f"moves by at least {RANK_FLAG} places: its place on the leaderboard says as much about the judge "
    "as about the model. Kendall's tau-b (ties handled as scipy does) compares every two judges' "
    "rankings over the models both scored: 1 = the same order, 0 = unrelated. Click a model to open it.")


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    if not store.judge_names():
        gr.Markdown("This data has no judgements yet: nothing to compare.")
        return
    gr.Markdown(EXPLANATION)
    # "phone-collapsed": the app closes this accordion on a narrow screen (toolkit.ui.app).
    with gr.Accordion("Options", open=True, elem_classes=["phone-collapsed"], elem_id="jd-options"), gr.Row():
        question_set = gr.Dropdown(question_set_choices(store), value=default_question_set(store),
                                   label="Question set", elem_id="jd-set")
        compared = gr.CheckboxGroup(store.judge_names(), value=list(default_judges(store)),
                                    label="Judges compared (two or more)", elem_id="jd-judges", scale=2)
    url_bar = UrlBar("jd")
    status = gr.Textbox(show_label=False, interactive=False, container=False, elem_id="jd-status")
    chart_title = gr.Markdown(elem_id="jd-chart-title")
    chart = gr.Plot(show_label=False, elem_id="jd-chart")
    scores_table, scores_csv = table("Scores and ranks under every judge", "jd-scores")
    pairs_table, pairs_csv = table("Kendall's tau-b per judge pair", "jd-pairs")
    movers_table, movers_csv = table("Models whose rank moves most", "jd-movers")
    outputs = [question_set, compared, url_bar.query, status, chart_title, chart, scores_table, pairs_table,
               movers_table]
    refused = refusal(len(outputs), outputs.index(status))

    def compute(state: JudgesState) -> list[Any]:
        view = judges_view(store, state)
        return [state.question_set, list(state.judges), view_query(TAB, state.query()), view["summary"],
                f"#### {view['chart_title']}\n{colour_key(state.judges)}", view["chart"],
                scores_value(view["scores"], state.judges), table_value(view["pairs"]), table_value(view["movers"])]

    def state_of(chosen_set: str, chosen_judges: list[str]) -> JudgesState:
        if len(chosen_judges or []) < 2:
            raise Rejected("Pick two judges or more to compare.")
        return state_from_query(store, {"set": chosen_set, "judges": ",".join(chosen_judges)})

    on_url(blocks, "judges_load", lambda params, request: compute(state_from_query(store, params)), outputs,
           refused)

    @guarded("judges_change", refused)
    def on_change(chosen_set: str, chosen_judges: list[str]):
        return compute(state_of(chosen_set, chosen_judges))

    def frame_of(key: str):
        def frame(chosen_set: str, chosen_judges: list[str]) -> tuple[pd.DataFrame, str]:
            state = state_of(chosen_set, chosen_judges)
            return judges_view(store, state)[key], f"{key}_judges_{state.question_set}"
        return frame

    question_set.input(on_change, [question_set, compared], outputs)
    compared.input(on_change, [question_set, compared], outputs)
    for key, download in (("scores", scores_csv), ("pairs", pairs_csv), ("movers", movers_csv)):
        offer_csv(download, f"judges_csv_{key}", frame_of(key), [question_set, compared])
    for frame in (scores_table, movers_table):
        follow_link(frame, lambda s, row: model_link(row[0], None, s) if row else None, question_set)
