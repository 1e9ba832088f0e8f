"""The Model tab: one model under the chosen judge, and how its score and rank move across judges.

Computed by `toolkit.query.model_view` (header, per-domain and per-theme ranks with ties) and
`toolkit.query.sensitivity` (the judge panel). State in the URL: ?tab=model&model=..&judge=..&set=..
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode

import altair as alt
import gradio as gr
import pandas as pd

from toolkit.core.labels import SCORED
from toolkit.query.model_view import model_page
from toolkit.query.scores import PCT
from toolkit.query.sensitivity import RANK_FLAG, SPREAD_FLAG, judge_scores
from toolkit.storage.store import Store

from .charts import label_scale, themed
from .common import guarded, share_link
from .context import AppContext
from .judges import (
    FLAG,
    JUDGE_COLORS,
    chosen,
    default_judges,
    default_question_set,
    display_frame,
    follow_link,
    offer_csv,
    on_url,
    question_set_choices,
    refusal,
    table,
    table_update,
)

TAB = "model"
PCT_COLUMNS = list(PCT.values())
BREAKDOWN = ["n", *PCT_COLUMNS, "rank", "total", "tied", "shared"]
JUDGE_TABLE = ["judge", "n", "pct_complete", "rank", "models"]


@dataclass(frozen=True)
class ModelState:
    model: str | None
    judge: str | None
    question_set: str

    def query(self) -> dict[str, Any]:
        return {"model": self.model, "judge": self.judge, "set": self.question_set}


def state_from_query(store: Store, params: Mapping[str, str]) -> ModelState:
    """The view's state from URL parameters (or control values); Rejected for an unknown value."""
    models = store.distinct("model")
    return ModelState(chosen(params.get("model"), models, models[0] if models else None, "model"),
                      chosen(params.get("judge"), store.judge_names(), store.default_judge(), "judge"),
                      chosen(params.get("set"), question_set_choices(store), default_question_set(store),
                             "question set"))


def message_html(message: str) -> str:
    """A refused call's sentence, in the header's place."""
    return f"<p id='md-message'>{html.escape(message)}</p>"


def theme_link(theme: str, judge: str | None) -> str:
    """The relative URL of a theme's grid on the Themes tab."""
    return "?" + urlencode({k: v for k, v in {"tab": "themes", "theme": theme, "judge": judge}.items() if v})


def with_shared(frame: pd.DataFrame) -> pd.DataFrame:
    """A words column for ties: "N models share this rank" when more than one model has it."""
    return frame.assign(shared=[f"{t} models share this rank" if t and t > 1 else "" for t in frame["tied"]])


def header_text(header: Mapping[str, Any], judge: str) -> str:
    """The header as escaped HTML: every value from the data is shown as plain text."""
    def e(value: Any) -> str:
        return html.escape(str(value))

    reasoning = {True: "reasoning model", False: "not a reasoning model"}.get(header.get("reasoning"),
                                                                            "reasoning: unknown")
    facts = [f"lab: {e(header.get('lab_name') or header.get('lab') or 'unknown')}",
             f"released: {e(header.get('release_date') or 'unknown')}", e(reasoning)]
    if header["n"]:
        standing = f"rank {header['rank']} of {header['total']}"
        if header["tied"] and header["tied"] > 1:
            standing += f" ({header['tied']} models share this rank)"
        score = f"{header['pct_complete']:.1f}% complete on {header['n']:,} responses, {standing}"
    else:
        score = "no response of this model labelled by this judge"
    return (f"<h3 id='md-name'>{e(header['model'])}</h3><p>{' · '.join(facts)}</p>"
            f"<p>Under {e(judge)}: {e(score)}</p>")


def verdict_chart(header: Mapping[str, Any]):
    """One stacked bar: the model's share of each label (n in the title)."""
    if not header["n"]:
        return None
    data = pd.DataFrame({"label": list(SCORED), "percent": [header[PCT[label]] for label in SCORED]})
    data["order"] = range(len(data))
    bar = alt.Chart(data).mark_bar().encode(
        x=alt.X("percent:Q", stack="zero", title="% of responses", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("label:N", scale=label_scale(list(SCORED)), legend=alt.Legend(orient="bottom")),
        order="order:Q", tooltip=["label:N", alt.Tooltip("percent:Q", format=".1f")])
    return themed(bar.properties(title=f"Verdicts (n = {header['n']:,})"), height=60)


def judge_panel(store: Store, state: ModelState) -> pd.DataFrame:
    """The model's % COMPLETE and rank under every judge, and how many models each judge ranked."""
    scores = judge_scores(store, state.question_set)
    totals = scores.groupby("judge")["model"].size()
    own = scores[scores["model"] == state.model]
    return own.assign(models=own["judge"].map(totals))[JUDGE_TABLE].reset_index(drop=True)


def judge_chart(panel: pd.DataFrame, chosen_judge: str | None):
    """A dot per judge on one % COMPLETE axis; the chosen judge's dot is larger."""
    if panel.empty:
        return None
    judges = panel["judge"].tolist()
    data = panel.assign(chosen=panel["judge"] == chosen_judge, row="score")
    dots = alt.Chart(data).mark_circle(opacity=0.9).encode(
        x=alt.X("pct_complete:Q", title="% complete", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("row:N", title=None, axis=None),
        size=alt.condition("datum.chosen", alt.value(320), alt.value(120)),
        color=alt.Color("judge:N", scale=alt.Scale(domain=judges, range=(JUDGE_COLORS * len(judges))[:len(judges)]),
                        legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=["judge:N", "n:Q", alt.Tooltip("pct_complete:Q", format=".1f"), "rank:Q", "models:Q"])
    return themed(dots.properties(title="Score under each judge"), height=70)


def judge_summary(panel: pd.DataFrame, compared: tuple[str, ...]) -> str:
    """Spread and rank move over the judges the sensitivity tab compares by default (the flag's)."""
    panel = panel[panel["judge"].isin(compared)]
    if len(panel) < 2:
        return "Fewer than two of the compared judges scored this model."
    spread = panel["pct_complete"].max() - panel["pct_complete"].min()
    move = int(panel["rank"].max() - panel["rank"].min())
    flag = spread >= SPREAD_FLAG or move >= RANK_FLAG
    verdict = (f"Flagged {FLAG}: its standing depends on the judge (spread >= {SPREAD_FLAG:g} points or rank "
               f"move >= {RANK_FLAG})." if flag else "Its standing hardly depends on the judge.")
    return (f"Across the {len(panel)} judges compared on the Judge sensitivity tab: spread {spread:.1f} points, "
            f"rank moves by {move} places. {verdict}")


def model_view(store: Store, state: ModelState) -> dict[str, Any]:
    """Header, verdict bar, per-domain and per-theme tables, and the judge panel of one model."""
    page = model_page(store, state.judge, state.model, state.question_set)
    panel = judge_panel(store, state)
    return {"header": header_text(page.header, state.judge), "verdicts": verdict_chart(page.header),
            "domain": display_frame(with_shared(page.domain), ["domain", *BREAKDOWN]),
            "theme": display_frame(with_shared(page.theme), ["theme", "domain", *BREAKDOWN]),
            "judges": display_frame(panel, JUDGE_TABLE), "judge_chart": judge_chart(panel, state.judge),
            "judge_summary": judge_summary(panel, default_judges(store))}


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    if not store.judge_names():
        gr.Markdown("This data has no judgements yet.")
        return
    with gr.Row():
        model = gr.Dropdown(store.distinct("model"), label="Model", elem_id="md-model", scale=2)
        judge = gr.Dropdown(store.judge_names(), label="Judge", elem_id="md-judge")
        question_set = gr.Dropdown(question_set_choices(store), label="Question set", elem_id="md-set")
    link = gr.Textbox(label="Link to this view", buttons=["copy"], interactive=False, elem_id="md-link")
    header = gr.HTML(elem_id="md-header")
    verdicts = gr.Plot(label="Verdicts", elem_id="md-verdicts")
    gr.Markdown("### Judge panel")
    judge_summary = gr.Textbox(show_label=False, interactive=False, container=False, elem_id="md-judge-summary")
    judge_plot = gr.Plot(label="Score under each judge", elem_id="md-judge-chart")
    judges_table, judges_csv = table("Rank under each judge", "md-judges")
    domain_table, domain_csv = table("Per-domain scores and ranks", "md-domains")
    theme_table, theme_csv = table("Per-theme scores and ranks", "md-themes")
    outputs = [model, judge, question_set, link, header, verdicts, judge_summary, judge_plot, judges_table,
               domain_table, theme_table]
    controls = [model, judge, question_set]
    refused = refusal(len(outputs), outputs.index(header), message_html)

    def compute(state: ModelState, request: Any) -> list[Any]:
        view = model_view(store, state)
        return [state.model, state.judge, state.question_set, share_link(request, TAB, state.query()),
                view["header"], view["verdicts"], view["judge_summary"], view["judge_chart"],
                table_update(view["judges"]), table_update(view["domain"]), table_update(view["theme"])]

    def state_of(m: str, j: str, s: str) -> ModelState:
        return state_from_query(store, {"model": m, "judge": j, "set": s})

    @guarded("model_change", refused)
    def on_change(m: str, j: str, s: str, request: gr.Request):
        return compute(state_of(m, j, s), request)

    def frame_of(key: str, prefix: str):
        def frame(m: str, j: str, s: str) -> tuple[pd.DataFrame, str]:
            state = state_of(m, j, s)
            return model_view(store, state)[key], f"{prefix}_{state.model}_{state.judge}_{state.question_set}"
        return frame

    on_url(blocks, "model_load", lambda params, request: compute(state_from_query(store, params), request),
           outputs, refused)
    for control in controls:
        control.input(on_change, controls, outputs)
    for key, prefix, download in (("judges", "judges", judges_csv), ("domain", "domains", domain_csv),
                                  ("theme", "themes", theme_csv)):
        offer_csv(download, f"model_csv_{key}", frame_of(key, prefix), controls)
    follow_link(theme_table, lambda j, row: theme_link(row[0], j) if row else None, judge)
