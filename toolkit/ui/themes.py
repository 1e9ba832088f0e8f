"""The Themes tab: SpeechMap's question-theme summary under the chosen judge, optionally restricted to
models released in the last N months, and one theme's grid of models x variations.

Computed by `toolkit.query.themes`; this module shapes the tables, draws the grid and wires the
events. State in the URL: ?tab=themes&judge=..&set=..&window=3|6|12|18|24&theme=..&verdict=..
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Mapping

import altair as alt
import gradio as gr
import pandas as pd

from toolkit.core.labels import COMPLETE, SCORED
from toolkit.query.scores import PCT
from toolkit.query.themes import RELEASE_WINDOWS, THEME_COLUMNS, THEME_MODEL_COLUMNS, theme_summary, theme_view
from toolkit.storage.store import Store

from .charts import label_scale, themed
from .columns import readable_theme, table_value
from .common import guarded, plain, safe_markdown_html
from .context import AppContext
from .url_state import UrlBar, view_query
from .wiring import (
    chosen, default_question_set, follow_link, model_link, offer_csv, on_url, question_set_choices, refusal,
    table,
)

TAB = "themes"
ALL_TIME = "all"
ANSWERS_SHOWN = 20      # answers listed per verdict (the rest are in the grid's response ids)
PCT_COLUMNS = list(PCT.values())
# Shown: the readable name first, then the shares (visible on a phone), counts and domain.
SUMMARY_SHOWN = ["theme_name", *PCT_COLUMNS, "n", "models", "domain"]
MODELS_SHOWN = ["model", *PCT_COLUMNS, "n", "verdict", "lab"]
WINDOW_CHOICES = [("all models", ALL_TIME), *((f"released in the last {m} months", str(m)) for m in RELEASE_WINDOWS)]


@dataclass(frozen=True)
class ThemesState:
    judge: str | None
    question_set: str
    window: str = ALL_TIME        # "all" or a number of months (RELEASE_WINDOWS)
    theme: str | None = None      # the theme whose grid is shown
    verdict: str = COMPLETE       # the theme's answers shown: those the judge labelled so

    def months(self) -> int | None:
        return None if self.window == ALL_TIME else int(self.window)

    def query(self) -> dict[str, Any]:
        return {"judge": self.judge, "set": self.question_set,
                "window": None if self.window == ALL_TIME else self.window, "theme": self.theme,
                "verdict": None if self.verdict == COMPLETE else self.verdict}


def state_from_query(store: Store, params: Mapping[str, str]) -> ThemesState:
    """The view's state from URL parameters (or control values); Rejected for an unknown value."""
    return ThemesState(chosen(params.get("judge"), store.judge_names(), store.default_judge(), "judge"),
                       chosen(params.get("set"), question_set_choices(store), default_question_set(store),
                              "question set"),
                       chosen(params.get("window"), [v for _, v in WINDOW_CHOICES], ALL_TIME, "release window"),
                       chosen(params.get("theme"), store.distinct("theme"), None, "theme"),
                       chosen(params.get("verdict"), list(SCORED), COMPLETE, "verdict"))


def summary_table(store: Store, state: ThemesState) -> pd.DataFrame:
    """The theme summary, least answered first, with a readable name beside the id."""
    summary = theme_summary(store, state.judge, state.question_set, released_within=state.months())
    return summary.assign(theme_name=summary["theme"].map(readable_theme))[["theme", "theme_name", *THEME_COLUMNS[1:]]]


def grid_chart(grid: pd.DataFrame, models: pd.DataFrame, theme: str):
    """Models (least answered first) x variations, each cell coloured by the judge's verdict."""
    if grid.empty:
        return None
    order = models["model"].tolist()
    cells = alt.Chart(grid).mark_rect(stroke="#8a8f9855").encode(
        x=alt.X("variation:O", title="variation", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("model:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        color=alt.Color("label:N", scale=label_scale(sorted(grid["label"].unique())), title="verdict",
                        legend=alt.Legend(orient="bottom")),
        tooltip=["model:N", "lab:N", "variation:O", "question_id:N", "label:N"])
    return themed(cells, height=max(120, 18 * len(order)))


def answers_html(store: Store, grid: pd.DataFrame, verdict: str) -> str:
    """The first ANSWERS_SHOWN answers the judge gave `verdict` on the theme (by model, variation):
    model and variation escaped, the answer through the explorer's sanitised markdown."""
    picked = grid[grid["label"] == verdict]
    shown_rows = picked.head(ANSWERS_SHOWN)
    texts = {r["response_id"]: r["content"]
             for r in store.records_by_response_id("responses", ["content"], shown_rows["response_id"].tolist())}
    count = f"{len(picked)} answers labelled {html.escape(verdict)}" + (
        f"; the first {len(shown_rows)} shown" if len(picked) > len(shown_rows) else "")
    items = [f"<article class='th-answer'><h4>{html.escape(str(model))} · variation {html.escape(str(variation))}"
             f"</h4>{safe_markdown_html(texts.get(response_id))}</article>"
             for model, variation, response_id in shown_rows[["model", "variation", "response_id"]].itertuples(
                 index=False)]
    return f"<p id='th-answers-count'>{count}.</p>" + "".join(items)


def themes_view(store: Store, state: ThemesState) -> dict[str, Any]:
    """The summary table and, when a theme is chosen, its grid and per-model verdicts."""
    summary = summary_table(store, state)
    window = "every model" if state.window == ALL_TIME else f"models released in the last {state.window} months"
    text = f"{len(summary):,} themes, {window}, least answered first (click a column to sort, a row to open it)."
    view = {"summary": summary, "text": text, "grid": None, "models": pd.DataFrame(columns=THEME_MODEL_COLUMNS),
            "theme_text": "Click a theme in the table (or pick one) to see every model's verdicts.", "answers": "",
            "grid_title": ""}
    if state.theme:
        detail = theme_view(store, state.judge, state.theme, state.question_set)
        view.update(grid=grid_chart(detail.grid, detail.models, state.theme),
                    models=detail.models[THEME_MODEL_COLUMNS], grid_title=f"#### Verdicts on {plain(readable_theme(state.theme))}",
                    theme_text=f"{readable_theme(state.theme)}: {len(detail.models):,} models, {len(detail.grid):,} judged responses.",
                    answers=answers_html(store, detail.grid, state.verdict))
    return view


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    if not store.judge_names():
        gr.Markdown("This data has no judgements yet.")
        return
    # "phone-collapsed": the app closes this accordion on a narrow screen (toolkit.ui.app).
    with gr.Accordion("Options", open=True, elem_classes=["phone-collapsed"], elem_id="th-options"), gr.Row():
        judge = gr.Dropdown(store.judge_names(), label="Judge", elem_id="th-judge")
        question_set = gr.Dropdown(question_set_choices(store), label="Question set", elem_id="th-set")
        window = gr.Dropdown(WINDOW_CHOICES, value=ALL_TIME, label="Models", elem_id="th-window")
    url_bar = UrlBar("th")
    status = gr.Textbox(show_label=False, interactive=False, container=False, elem_id="th-status")
    summary_frame, summary_csv = table("Theme summary", "th-summary")
    gr.Markdown("### Theme")
    theme_ids = {readable_theme(t): t for t in store.distinct("theme")}
    theme = gr.Dropdown(list(theme_ids.items()), label="Theme", elem_id="th-theme")
    theme_status = gr.Textbox(show_label=False, interactive=False, container=False, elem_id="th-theme-status")
    grid_title = gr.Markdown(elem_id="th-grid-title")
    grid = gr.Plot(show_label=False, elem_id="th-grid")
    models_frame, models_csv = table("Models on this theme", "th-models")
    verdict = gr.Radio(list(SCORED), value=COMPLETE, label="Answers labelled", elem_id="th-verdict")
    answers = gr.HTML(elem_id="th-answers", max_height=700, container=True, padding=True)
    controls = [judge, question_set, window, theme, verdict]
    outputs = [*controls, url_bar.query, status, summary_frame, theme_status, grid_title, grid, models_frame, answers]
    refused = refusal(len(outputs), outputs.index(status))

    def compute(state: ThemesState) -> list[Any]:
        view = themes_view(store, state)
        return [state.judge, state.question_set, state.window, state.theme, state.verdict,
                view_query(TAB, state.query()), view["text"], table_value(view["summary"], SUMMARY_SHOWN),
                view["theme_text"], view["grid_title"], view["grid"], table_value(view["models"], MODELS_SHOWN),
                view["answers"]]

    def state_of(j: str, s: str, w: str, t: str | None, v: str) -> ThemesState:
        return state_from_query(store, {"judge": j, "set": s, "window": w, "theme": t, "verdict": v})

    @guarded("themes_change", refused)
    def on_change(j: str, s: str, w: str, t: str | None, v: str):
        return compute(state_of(j, s, w, t, v))

    @guarded("themes_row", refused)
    def on_row(j: str, s: str, w: str, t: str | None, v: str, evt: gr.SelectData):
        row = evt.row_value or []   # the first column shows the theme's readable name
        return compute(state_of(j, s, w, theme_ids.get(str(row[0]), t) if row else t, v))

    def frame_of(key: str):
        def frame(j: str, s: str, w: str, t: str | None, v: str) -> tuple[pd.DataFrame, str]:
            state = state_of(j, s, w, t, v)
            stem = f"{state.judge}_{state.question_set}_{state.window}"
            if key == "summary":
                return summary_table(store, state), f"themes_{stem}"
            return themes_view(store, state)["models"], f"theme_{state.theme}_{stem}"
        return frame

    on_url(blocks, "themes_load", lambda params, request: compute(state_from_query(store, params)),
           outputs, refused)
    for control in controls:
        control.input(on_change, controls, outputs)
    summary_frame.select(on_row, controls, outputs)
    offer_csv(summary_csv, "themes_csv_summary", frame_of("summary"), controls)
    offer_csv(models_csv, "themes_csv_models", frame_of("models"), controls)
    follow_link(models_frame, lambda j, row: model_link(row[0], j, None) if row else None, judge)
